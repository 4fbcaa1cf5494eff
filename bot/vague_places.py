"""Whether an answer to "Where is it?" only points at the citizen: "en mi calle", "outside
my house", "here".

Such an answer reads as a place (it has words, even a word for a street) and was taken: the
report went to the crew as "en mi calle". It cannot be found without the street's name.
An answer is this when every word in it is a word for the citizen, for where they live or
are, or a little word between them, in one of the four languages (accents dropped). A
street's name, a landmark ("outside the school") or a number makes it a place.
"""
from __future__ import annotations

from typing import FrozenSet

from bot.options_in_text import folded_words

POINTING_WORDS: FrozenSet[str] = frozenset("""
my our mine the a this that his her their me us i we it it's is its
near nearby next to outside in front of behind at on in by opposite across from round around
street road house home flat apartment place building door garden area neighbourhood
neighborhood block estate here there where live lives living just right
mi mis nuestra nuestro su la el las los de del en a al frente delante enfrente detras
junto cerca calle casa portal piso barrio zona edificio aqui ahi alli aca donde vivo esta es
puerta justo
minha meu nossa nosso sua seu o as os da do na no em ao frente perto atras rua casa porta
predio bairro zona aqui ali onde moro fica e mesmo
mijn onze ons de het een in op bij voor achter naast tegenover straat huis woning deur buurt
wijk flat hier daar waar ik woon me mij is precies
""".split())


def points_only_at_the_citizen(text: str) -> bool:
    """Whether `text` places the problem only by the citizen ("en mi calle", "near my
    house"), with nothing a crew could find; False for a name, a landmark or a number."""
    words = folded_words(text)
    return bool(words) and not any(char.isdigit() for char in text) \
        and all(word in POINTING_WORDS for word in words)
