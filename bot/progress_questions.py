"""Whether a message asks how long a report takes or what happens to it next.

Right after a citizen has sent a report or been told how one stands, "how long does it
usually take?", "what happens next?", "¿cuánto suele tardar?" or "hoe lang duurt dat
meestal?" are about that report. The intent model reads them as policy questions (they are
questions, and they name no report), and the FAQ, which has no entry for "it", offered
parking appeals and anonymous reporting. The words alone do not say which report is meant:
the caller (actions.progress_questions) decides that from the conversation, and asks here
only whether the message is such a question: a word that asks when or how long, or one that
asks what comes next, in a short message (a longer one says what it is about).
"""
from __future__ import annotations

from typing import FrozenSet

from bot.interrogatives import OPENERS, reads_as_question
from bot.options_in_text import folded_words, phrase_set, says_a_phrase

MAX_WORDS = 10

# How long it takes, or when it will be done; folded (accents dropped, lower case).
HOW_LONG: FrozenSet[str] = phrase_set("""
how long|how soon|when will|when is it|when are you|when do you|when does|when would
taking so long|take so long|takes so long|taking this long|any idea when|by when
cuanto tarda|cuanto tardan|cuanto suele|cuanto tiempo|cuando lo|cuando la|cuando van
cuando vais|cuando se|cuando estara|por que tarda|tanto tiempo|para cuando
quanto tempo|quanto demora|quando vao|quando e que|quando fica|quando sera|porque demora
porque e que demora|tanto tempo|para quando
hoe lang|wanneer wordt|wanneer gaan|wanneer komt|wanneer is het|wanneer zijn|duurt het zo lang
waarom duurt|hoelang
""")

# What comes next.
WHAT_NEXT: FrozenSet[str] = phrase_set("""
what happens next|what happens now|what now|and now|what's next|whats next|next step
next steps|what do i do now|what do i do next|then what
que pasa ahora|y ahora|que sigue|siguiente paso|proximo paso|y despues|y luego que
que pasa despues|y ahora que
o que acontece agora|e agora|o que se segue|proximo passo|e depois|o que acontece a seguir
wat gebeurt er nu|en nu|wat nu|volgende stap|hoe gaat het verder|wat gebeurt er verder
wat is de volgende stap
""")


# Whether someone is coming out to it ("will someone come round tonight?", "komt er vannacht
# iemand kijken?"): a word for someone and one for coming or sending, in a question. The
# model reads "someone" as asking for a person.
SOMEONE: FrozenSet[str] = frozenset(
    "someone somebody anyone anybody alguien alguem iemand".split())
COMING: FrozenSet[str] = frozenset("""
come coming comes send sending sent venir viene vendra vengan mandar mandais mandan enviar
vem vir virao mandam komt komen sturen stuurt
""".split())

# Words a question of time or next steps holds besides its own phrase without naming a topic
# of its own: "how long does it usually take to fix?", "y ahora qué pasa?".
TOPIC_FREE: FrozenSet[str] = frozenset("""
it its it's this that these those they them you your we us i me my the a an to of for on in at
do does did will would is are was were be been get gets got take takes taking took usually
normally typically generally roughly about still now then next so much more fix fixed fixing
repair repaired done sorted sort out happen happens happening going go come coming back and
ok okay please exactly actually why
porque waarom
lo la le los las eso esto se te me mi tu su el un una de del en a y que por para ya
normalmente suele suelen tarda tardan tardar tardara tiempo arreglar arreglarlo arreglado
reparar hecho resolver resuelto pasa pasara ahora luego despues entonces va van vais
siguiente paso es esta estara sera mas o
o os as isso isto meu minha seu sua um uma do da no na e costuma costumam demora demoram
demorar tempo arranjar resolvido feito acontece agora depois entao vai vao proximo passo
het dat dit die ze u je jij we wij ik mijn uw de een van voor op aan maar nou nu dan meestal
normaal gewoonlijk ongeveer nog duurt duren lang gemaakt maken opgelost oplossen gebeurt
gebeuren er verder wat hoe wanneer wordt zijn volgende stap klaar
""".split())

# The words of the phrases themselves ("how", "long", "gebeurt"), which name no topic either.
PHRASE_WORDS: FrozenSet[str] = frozenset(word for phrase in HOW_LONG | WHAT_NEXT
                                         for word in phrase.split()) | SOMEONE | COMING


def asks_only_about_progress(text: str) -> bool:
    """Whether `text` is such a question and names nothing else ("what happens now?", not
    "how long does a parking permit take?"): it can only be about the report just discussed,
    whatever the FAQ finds in it ("wat gebeurt er nu?" matched the missed-bin entry)."""
    if not asks_about_progress(text):
        return False
    return all(word in TOPIC_FREE or word in PHRASE_WORDS for word in folded_words(text))


def asks_about_progress(text: str) -> bool:
    """Whether `text` is a short question of how long something takes or what comes next."""
    words = folded_words(text)
    if not words or len(words) > MAX_WORDS:
        return False
    return says_a_phrase(text, HOW_LONG) or says_a_phrase(text, WHAT_NEXT) \
        or asks_whether_someone_comes(text)


def asks_whether_someone_comes(text: str) -> bool:
    """Whether `text` is a short question of whether someone will come out to the problem
    ("will someone come round tonight?"), not a wish to talk to a person."""
    words = set(folded_words(text))
    if not words or len(words) > MAX_WORDS or not (words & SOMEONE and words & COMING):
        return False
    return any(reads_as_question(text, language) for language in OPENERS)
