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

from bot.options_in_text import folded_words, says_a_phrase

MAX_WORDS = 10

# How long it takes, or when it will be done; folded (accents dropped, lower case).
HOW_LONG: FrozenSet[str] = frozenset("""
how long|how soon|when will|when is it|when are you|when do you|when does|when would
taking so long|take so long|takes so long|taking this long|any idea when|by when
cuanto tarda|cuanto tardan|cuanto suele|cuanto tiempo|cuando lo|cuando la|cuando van
cuando vais|cuando se|cuando estara|por que tarda|tanto tiempo|para cuando
quanto tempo|quanto demora|quando vao|quando e que|quando fica|quando sera|porque demora
porque e que demora|tanto tempo|para quando
hoe lang|wanneer wordt|wanneer gaan|wanneer komt|wanneer is het|wanneer zijn|duurt het zo lang
waarom duurt|hoelang
""".replace("\n", "|").strip("|").split("|"))

# What comes next.
WHAT_NEXT: FrozenSet[str] = frozenset("""
what happens next|what happens now|what now|and now|what's next|whats next|next step
next steps|what do i do now|what do i do next|then what
que pasa ahora|y ahora|que sigue|siguiente paso|proximo paso|y despues|y luego que
que pasa despues|y ahora que
o que acontece agora|e agora|o que se segue|proximo passo|e depois|o que acontece a seguir
wat gebeurt er nu|en nu|wat nu|volgende stap|hoe gaat het verder|wat gebeurt er verder
wat is de volgende stap
""".replace("\n", "|").strip("|").split("|"))


def asks_about_progress(text: str) -> bool:
    """Whether `text` is a short question of how long something takes or what comes next."""
    words = folded_words(text)
    if not words or len(words) > MAX_WORDS:
        return False
    return says_a_phrase(text, HOW_LONG) or says_a_phrase(text, WHAT_NEXT)
