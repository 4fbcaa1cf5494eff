"""Whether a reply in the report form answers the question it follows, or says more about the
problem instead.

Citizens often answer "Where is it?" with "it's about 30cm wide, cars swerve around it", or
"Is it a danger to traffic? (yes/no)" with "it's been there for weeks". Kept as the answer,
those words land in the wrong field: the crew reads a size as the address. Taken as more of
the description instead, and the question asked once more, nothing is lost and the field gets
its answer.

Rules, not a model, and deliberately lenient: a reply counts as off the question only when it
is at least four words long and shows none of the signs of an answer. A place has a house
number, a street, a capitalised name or a word of place ("outside", "near", "esquina",
"tegenover", "school"...). An answer to a closed question has a yes or a no, a word of the
question itself ("very dangerous" to "Is it a danger...?"), or, for a number or a plate, a
digit. Short replies always count as answers. A wrong call costs the citizen one repeated
question, and the form takes whatever comes the second time (actions/report_form.py).
"""
from __future__ import annotations

import re
from typing import FrozenSet, List, Sequence

from bot.day_words import names_a_day
from bot.duration_words import names_a_duration
from bot.interrogatives import reads_as_question
from bot.options_in_text import (QuestionOption, folded_words, option_in_text, option_replied,
                                 options_named)
from bot.places_in_text import UNITS, place_mentioned

YES_NO = "yes_no"  # the question is answered with yes or no
DIGITS = "digits"  # a number or a registration plate: the answer has a digit in it
CHOICE = "choice"  # one of the options the question lists
DATE = "date"  # a day: "yesterday", "on Monday" (bot.day_words)
DURATION = "duration"  # a span of time: "3 weeks", "hace dos días" (bot.duration_words)
TEXT = "text"  # anything goes: never off the question
EXPECTATIONS = (YES_NO, DIGITS, CHOICE, DATE, DURATION, TEXT)
CLOSED = (YES_NO, DIGITS, CHOICE, DATE, DURATION)  # questions a reply can be off

MIN_WORDS = 4  # shorter replies are answers ("a bit", "the blue one", "12")
MAX_OPTION_WORDS = 3  # "recycling", "stuck on red": an option named, not a new topic
STEM = 5  # "dangerous" answers "danger": words that share their first five letters

# Yes, no and their usual variants, without accents; any of them as a word makes an answer.
YES_NO_WORDS = frozenset("""
yes yeah yep yup yea aye sure definitely absolutely certainly indeed correct probably maybe
no nope nah not never none nothing neither
si claro vale seguro tal vez quizas nunca ninguno ninguna nada
sim claro talvez nao nunca nenhum nenhuma nada nem
ja jawel zeker misschien nee neen niet nooit geen niks
""".split())
# isn't, can't, cannot, and the same typed without the apostrophe ("dont", "isnt"); a plain
# word ending in "nt" ("went", "front") is not one.
NEGATED = re.compile(r"(?:n['’]t|cannot|(?:do|does|did|is|are|was|were|ca|could|wo|would|"
                     r"should|has|have|had|ai)nt)$")

# Words of place in the four languages, without accents: prepositions of where, and the
# landmarks citizens give instead of an address. Generous on purpose: a description that
# happens to contain one is kept as the place, as before. "at", "in", "on" (and "en", "em",
# "op"...) are left out: a description has them as often as a place ("since Monday at the
# kerb"), and a place that has them nearly always names a landmark too ("at the bus stop").
PLACE_WORDS = frozenset("""
near nearby outside opposite by beside next front behind corner junction crossing
between across along past end top bottom side inside entrance exit where towards under
underneath below above alley road street lane avenue path footpath pavement sidewalk
school church station library park playground shop shops store supermarket pub bar cafe
hospital surgery bridge roundabout square market post office garage car bus stop tram
house home flat flats block estate building number no
cerca junto frente enfrente delante detras esquina cruce entre lado calle avenida
plaza paseo carretera camino numero portal parada colegio escuela iglesia parque estacion
mercado puente rotonda tienda ayuntamiento salida entrada casa edificio
perto pe atras rua praca largo travessa estrada cruzamento paragem
escola igreja estacao ponte rotunda loja camara predio
bij naast voor tegenover achter hoek kruising tussen langs straat weg laan plein
gracht kade singel nummer halte kerk markt brug rotonde ziekenhuis winkel ingang uitgang
huis flat
""".split())
# Prepositions of where, which open a place given as a landmark ("behind the community
# centre", "en frente del colegio", "naast de bakker"): with one among a reply's first
# words it names a place, whatever the model made of the rest.
WHERE_WORDS = frozenset("""
near by outside opposite beside next behind between across corner junction front
cerca junto frente enfrente delante detras esquina lado
perto junto frente atras esquina lado
bij naast tegenover achter hoek
""".split())
OPENING_WORDS = 3  # "behind the...", "it's outside the...", "en la esquina de..."
# Words too common to show that a reply repeats the question ("there", "which").
QUESTION_STOPWORDS = frozenset("""
there their these those which what where when would could should about right your with
from have been this that them they while other please
""".split())

# Sizes and counts after a number: "30 cm", "2 metres" (times and days are in UNITS).
MEASURES = frozenset("""
cm mm m metre metres meter meters km inch inches ft feet foot x kg kilos litres liters
centimetros centimetro metro metros quilos
""".split())

_NAME = re.compile(r"[^\W\d_][\w'’-]*")
_DIGIT = re.compile(r"\d")
_HOUSE_NUMBER = re.compile(r"(\d{1,5})([a-z]?)")
_UNIT_LETTERS = frozenset({"m", "x", "h"})  # 5m, 2x, 3h are a size, a count, a time
# Capitalised in English without being a place: "I" and the days and months.
_NOT_NAMES = frozenset("""
I I'm I've I'd I'll I’m I’ve Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
February March April May June July August September October November December
""".split())


def off_question_place(text: str) -> bool:
    """True when a reply to "Where is it?" reads as more about the problem, not a place."""
    words = folded_words(text)
    if len(words) < MIN_WORDS or place_mentioned(text) is not None:
        return False
    if any(word in PLACE_WORDS for word in words) or _house_number_in(words):
        return False
    return not _named(text)


def off_question_answer(text: str, prompt: str, expects: str,
                        options: Sequence[QuestionOption] = ()) -> bool:
    """True when a reply to a closed follow-up question (yes/no, a number, one of a list, a
    day, a span of time) says something else; free-text questions (`TEXT`) take any reply. A reply naming one of
    the question's options answers it ("it's the food caddy they left")."""
    if expects not in CLOSED:
        return False
    words = folded_words(text)
    if not _neither_yes_nor_no(words):
        return False
    if (expects == DIGITS and _DIGIT.search(text)) or (expects == DATE and names_a_day(text)) \
            or (expects == DURATION and names_a_duration(text)):
        return False
    return not _shares_a_word(words, folded_words(prompt)) and not options_named(text, options)


def says_more(text: str) -> bool:
    """True when a reply where yes or no was asked ("Shall I send it?", "Can we send you
    updates?") is long enough to say something of its own and has no yes or no in it: "it's
    about 30cm wide and deep" says more about the problem; "no, I don't have a photo" does
    not."""
    return _neither_yes_nor_no(folded_words(text))


def could_answer(text: str, expects: str, options: Sequence[QuestionOption] = ()) -> bool:
    """Whether a reply could be the answer to a question at all: any reply to a free-text
    question, one naming an option of a question that lists them, a digit for a number, a day
    for a date, a span for a duration, a yes or no for a yes/no question. "Solo una" cannot be a lamp post's number."""
    words = folded_words(text)
    if expects not in CLOSED or options_named(text, options):
        return True
    if expects == DIGITS:
        return bool(_DIGIT.search(text))
    if expects == DATE:
        return names_a_day(text)
    if expects == DURATION:
        return names_a_duration(text)
    return expects == YES_NO and any(_yes_or_no(word) for word in words)


def answers_yes_or_no(text: str, language: str) -> bool:
    """Whether a reply opens with a yes or a no and is not a question: "yes it is dangerous"
    answers "Is it a danger...?", even when the model reads a policy question into it."""
    words = folded_words(text)
    return bool(words) and _yes_or_no(words[0]) and not reads_as_question(text, language)


def _neither_yes_nor_no(words: List[str]) -> bool:
    """At least MIN_WORDS words, none of them a yes, a no or a negation."""
    return len(words) >= MIN_WORDS and not any(_yes_or_no(word) for word in words)


def _yes_or_no(word: str) -> bool:
    """A yes, a no or a negation ("isn't"), as a folded word."""
    return word in YES_NO_WORDS or bool(NEGATED.search(word))


def names_an_option(text: str, prompt: str, language: str,
                    options: Sequence[QuestionOption] = ()) -> bool:
    """Whether a short reply picks up a word of the question it answers ("recycling" to
    "Which bin was missed: general waste, recycling, garden or food?"), or is one of its
    options ("paper", a button pressed): the question lists its options, so such a reply is
    the answer even when, alone, it reads as a topic of its own; so is a short reply naming
    one option in other words ("o do plástico"). A question back ("what do you mean by
    offensive?") is not an answer."""
    if option_replied(text, options) is not None:
        return True
    words = folded_words(text)
    if not words or len(words) > MAX_OPTION_WORDS or reads_as_question(text, language):
        return False
    return _shares_a_word(words, folded_words(prompt)) or option_in_text(text, options) is not None


def names_a_place(text: str) -> bool:
    """Whether a reply plainly gives a place: a street, a house number, or a preposition of
    where among its first words. Stricter than not being off the question: it is what
    makes a reply the model took for a question or feedback the answer to "Where is it?"."""
    words = folded_words(text)
    return (place_mentioned(text) is not None or _house_number_in(words)
            or any(word in WHERE_WORDS for word in words[:OPENING_WORDS]))


def _house_number_in(words: List[str]) -> bool:
    """A number that is not a size, a time or a count ("12", "12a"; not "30cm", "3 weeks")."""
    for index, word in enumerate(words):
        match = _HOUSE_NUMBER.fullmatch(word)
        if match is None or match.group(2) in _UNIT_LETTERS:
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        if following not in UNITS and following not in MEASURES:
            return True
    return False


def _named(text: str) -> bool:
    """A capitalised word that does not start the reply or a sentence: a name like "Tesco"
    or "Elm". Shouted replies count too, which keeps them as places, as before."""
    previous_end = None
    for match in _NAME.finditer(text or ""):
        before = None if previous_end is None else text[previous_end:match.start()]
        previous_end = match.end()
        if before is None or any(mark in before for mark in ".!?¡¿"):
            continue
        if match.group()[:1].isupper() and match.group() not in _NOT_NAMES:
            return True
    return False


def _shares_a_word(words: List[str], question: List[str]) -> bool:
    """Whether the reply picks up a word of the question ("very dangerous" to "Is it a
    danger...?", "the recycling one" to "...general waste, recycling..."); words under four
    letters and the commonest ones do not count."""
    stems: FrozenSet[str] = frozenset(word[:STEM] for word in question
                                      if len(word) >= 4 and word not in QUESTION_STOPWORDS)
    return any(len(word) >= 4 and word[:STEM] in stems for word in words)
