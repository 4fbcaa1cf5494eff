"""Whether a message says the problem is happening again, or asks what to do if it does.

A citizen who reported loud music at night writes, an hour later, "it's happening again
right now" or "the music is back on". That is the most useful thing a noise team can hear,
and it was lost: the model read it as a status check (the report's status was shown, the
words kept nowhere) or, for "the music I reported is back on", the words for a light that
works again told the team the problem was sorted. Said of a problem this conversation
reported, it is more about that report (components.recurrence reads it so, and
actions.which_report finds the report). "What if it happens again?" is answered from the
report just discussed: tell us here, and it goes on the report (actions.recurrence).

Both read words alone, in four languages, and err towards missing: a question ("is it
happening again?"), a request ("send me the status again") or thanks ("thanks again") is not
the problem coming back, and neither is anything that says it is fixed ("it works again").
"""
from __future__ import annotations

from typing import FrozenSet

from bot.interrogatives import OPENERS, reads_as_question
from bot.options_in_text import folded_words, phrase_set, says_a_phrase
from bot.problem_fixed import says_it_is_done

MAX_WORDS = 25

# Again, back, started up once more; folded.
AGAIN: FrozenSet[str] = phrase_set("""
again|is back|are back|it's back|its back|they're back|theyre back|back on|started up
starting up|once more|keeps happening|keep doing it|at it again
otra vez|de nuevo|ha vuelto|han vuelto|volvio|volvieron|vuelve a|vuelven a|ya estan otra
outra vez|de novo|novamente|voltou|voltaram|volta a|voltam a
weer|opnieuw|alweer|is terug|zijn terug|begint weer|begonnen
""")

# A request, thanks or talk of the assistant itself: "again" is not about the problem.
NOT_THE_PROBLEM: FrozenSet[str] = phrase_set("""
status|update|updates|news|reference|number|show me|send me|tell me|check|look up|remind
try again|ask again|say again|repeat|thanks|thank you|i'm back|im back|i am back
estado|novedades|noticias|referencia|numero|muestrame|dime|enviame|gracias|repite
estado do|novidades|noticias|referencia|mostra|diga|envia|obrigado|obrigada|repete
status|nieuws|referentie|nummer|laat zien|stuur|bedankt|dank|herhaal|het weer is|weerbericht
""")

# "What if it happens again?" and the like.
WHAT_IF_AGAIN: FrozenSet[str] = phrase_set("""
what if it happens again|what if they do it again|what if it starts again
what if it comes back|what if it's back|what do i do if it happens again
what should i do if it happens again|if it happens again|if they do it again
if it starts again|if it comes back|next time it happens|when it happens again
y si vuelve a pasar|y si pasa otra vez|si vuelve a pasar|si pasa otra vez
si vuelve a ocurrir|si ocurre otra vez|si lo vuelven a hacer|la proxima vez que pase
e se voltar a acontecer|e se acontecer outra vez|se voltar a acontecer|se acontecer outra vez
se acontecer de novo|se voltarem a fazer|da proxima vez que acontecer
wat als het weer gebeurt|als het weer gebeurt|als het nog eens gebeurt
wat als ze het weer doen|als ze het weer doen|de volgende keer dat het gebeurt
""")


def says_it_happens_again(text: str) -> bool:
    """Whether `text` says the problem is happening again, as a statement."""
    if not text or text.startswith("/"):
        return False
    words = folded_words(text)
    if not words or len(words) > MAX_WORDS or not says_a_phrase(text, AGAIN):
        return False
    if says_a_phrase(text, NOT_THE_PROBLEM) or says_it_is_done(text):
        return False
    return not any(reads_as_question(text, language) for language in OPENERS)


def asks_what_if_again(text: str) -> bool:
    """Whether `text` asks what to do if the problem comes back."""
    words = folded_words(text or "")
    return bool(words) and len(words) <= MAX_WORDS and says_a_phrase(text, WHAT_IF_AGAIN)
