"""The place a citizen names in the message that opens a report, so they are not asked for it
again: "the streetlight outside 14 Oak Avenue is out" already says where.

Rules, not a model: a street is a name plus a street-type word ("Oak Avenue", "Calle Mayor",
"Rua do Carmo", "Kerkstraat"); a place a crew can find is such a street with a house number,
or the corner of two streets. A street without a number is returned as incomplete, so the
assistant can ask where on it. Precision matters more than recall: a missed place only means
the usual question, a wrong one sends the crew to the wrong street or asks "where on Bike
lane?". So a street without a house number needs a capital letter that does not just start a
sentence ("on Mill Lane", not "the bike lane", "la luz de la calle parpadea" or "Bus lane
blocked"), and "Elm Street 5 days ago" has no house number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

__all__ = ["PlaceMention", "corner_streets", "house_number", "number_given", "numbered_place",
           "place_mentioned", "place_on_street"]

# English-style types follow the name ("Oak Avenue").
SUFFIXES = frozenset({
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "boulevard", "blvd", "highway",
    "hwy", "crescent", "cres", "terrace", "tce", "way", "close", "drive", "dr", "court", "ct",
    "place", "pl", "square", "sq", "grove", "gardens", "gdns", "parade", "mews", "row",
})
# Spanish and Portuguese types come first ("Calle Mayor", "Rua do Carmo"). Abbreviations
# count only with their full stop ("Av. da Liberdade", "R. Direita").
PREFIXES = frozenset({
    "calle", "c/", "avenida", "plaza", "paseo", "camino", "carretera", "ronda", "travesía",
    "travesia", "glorieta", "rua", "praça", "praca", "travessa", "largo", "estrada", "alameda",
    "rodovia", "calçada", "calcada",
})
ABBREVIATED_PREFIXES = frozenset({"av.", "avda.", "pza.", "ctra.", "r.", "trav.", "estr."})
CONNECTORS = frozenset({"de", "del", "la", "las", "los", "da", "do", "das", "dos"})
# Dutch streets are one word ending in their type ("Kerkstraat", "Molenweg").
DUTCH_STREET = re.compile(
    r"[^\W\d_]{3,}(?:straat|weg|laan|plein|gracht|kade|singel|dijk|steeg|markt|dreef|hof)")
# Words that end a street's name: articles, pronouns, prepositions, conjunctions, common
# verbs and adjectives of the four languages.
STOPWORDS = frozenset("""
a an the this that these those my our your his her their its it it's i i'm we you they he she
there there's here is are was were be been has have had on in at of by near outside opposite
along down up across from to into onto off over under behind beside next for with and or but
not no just very really still again always since ago big huge small large deep dark broken
whole same main side end top bottom corner junction intersection number report problem meets
where
hay está esta es un una unos unas que y con en desde hace por para frente cerca junto al
lleva tiene se muy mi su nuestra el lo ya todavía sigue número esquina
há é e um uma com em no na nos nas faz ao tem não nao muito meu minha o os as já ainda
continua
er is de het een op bij aan voor naast tegenover sinds al nog steeds niet mijn onze nummer
hoek
""".split())
CORNER_WORDS = frozenset({"corner", "junction", "intersection", "esquina", "hoek"})
CORNER_LINKS = frozenset({"of", "the", "de", "del", "da", "do", "van", "a", "la", "o"})
AND_WORDS = frozenset({"and", "&", "y", "con", "e", "com", "en", "/"})
# Two named streets joined by one of these are a corner even without a corner word:
# "Mill Lane / Church Road", "where Mill Lane meets Church Road". A plain "and" needs the
# corner word after ("Mill Lane and Church Road junction"): "on Mill Lane and Church Road"
# may be two streets.
JOINERS = frozenset({"/", "&", "meets"})
NUMBER_MARKS = frozenset({"no", "nr", "number", "#", "nº", "n.º", "número", "numero", "nummer"})
NUMBER_PLACES = frozenset({"outside", "opposite", "near", "by", "at"})
NUMBER_GAP = 3  # "number 32", "número es 47", "the number is actually 32"
# A number followed by one of these is a time or a count, not a house number.
UNITS = frozenset("""
minute minutes hour hours day days week weeks month months year years am pm times
minuto minutos hora horas día dias días semana semanas mes meses año años ano anos vez veces
vezes minuut minuten uur dag dagen week weken maand maanden jaar keer
""".split())
MAX_NAME_WORDS = 4
SENTENCE_ENDS = ".!?¿¡"
MARKS = frozenset({"#", "&", "/", ","})

_TOKEN = re.compile(r"[cC]/|n\.º|\d+(?:st|nd|rd|th)\b|(?<!\d)\d{1,5}[a-zA-Z]?\b|[#&/,]"
                    r"|[^\W\d_](?:[\w'’-]*\w)?\.?")
_HOUSE_NUMBER = re.compile(r"\d{1,5}[a-zA-Z]?")


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a message, as written; complete when a crew could find it (a house
    number or a corner), else only a street (then `street` is that street's name)."""

    text: str
    complete: bool
    street: str = ""


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    initial: bool  # starts the message or a sentence, where a capital letter says nothing

    @property
    def word(self) -> str:
        return self.text.lower()

    @property
    def bare(self) -> str:
        """The word without a trailing full stop ("St." is "st")."""
        return self.word.rstrip(".")

    @property
    def is_number(self) -> bool:
        return bool(_HOUSE_NUMBER.fullmatch(self.text))

    @property
    def is_name(self) -> bool:
        """A word that can be part of a street's name: letters, or an ordinal like 5th."""
        if self.bare in STOPWORDS or self.bare in NUMBER_MARKS or self.text in MARKS:
            return False
        return not self.is_number

    @property
    def capitalised(self) -> bool:
        """Written like a name: a capital letter that does not just start a sentence, or
        a digit ("5th Avenue")."""
        return self.text[:1].isdigit() or (self.text[:1].isupper() and not self.initial)

    @property
    def street_type(self) -> bool:
        return (self.bare in SUFFIXES or self.word in PREFIXES
                or self.word in ABBREVIATED_PREFIXES or bool(DUTCH_STREET.fullmatch(self.bare)))


def _tokens(text: str) -> List[_Token]:
    """The message's words, numbers and marks, each knowing whether it starts a sentence
    (after "." but not after "St.", so "St. Mary's Road" keeps its capitals)."""
    tokens: List[_Token] = []
    for match in _TOKEN.finditer(text or ""):
        previous = tokens[-1] if tokens else None
        initial = previous is None or any(
            mark in text[previous.end:match.start()] for mark in SENTENCE_ENDS) or (
            previous.text.endswith(".") and previous.bare not in SUFFIXES)
        tokens.append(_Token(match.group(), match.start(), match.end(), initial))
    return tokens


# (start, end) of the whole place, (start, end) of the street alone, complete
_Found = Tuple[Tuple[int, int], Tuple[int, int], bool]


def place_mentioned(text: str) -> Optional[PlaceMention]:
    """The first findable place in the text, else the first street it names; None if neither."""
    tokens = _tokens(text)
    found = [place for place in (_corner(tokens, i) or _street(tokens, i)
                                 for i in range(len(tokens))) if place]
    if not found:
        return None
    (start, end), (street_start, street_end), complete = next(
        (place for place in found if place[2]), found[0])
    street = "" if complete else _clean(text[street_start:street_end])
    return PlaceMention(_clean(text[start:end]), complete, street[:1].upper() + street[1:])


def numbered_place(text: str) -> Optional[Tuple[str, str]]:
    """The street and house number of the first numbered place in the text, as written:
    "the pothole outside 5 Elm Street" and "Elm street outside number 5" both give the street
    and "5". None for a corner, a street without a number, or no place at all."""
    tokens = _tokens(text)
    for i in range(len(tokens)):
        found = _street(tokens, i)
        if found is None or not found[2]:
            continue
        (start, end), (street_start, street_end), _ = found
        number = next((token.text for token in tokens
                       if token.is_number and start <= token.start < end
                       and not street_start <= token.start < street_end), None)
        if number is not None:
            return _clean(text[street_start:street_end]), number
    return None


def corner_streets(text: str) -> Optional[Tuple[str, str]]:
    """The two streets of the first corner named in the text, as written: "corner of Oak and
    5th" gives ("Oak", "5th"). None when the text names no corner."""
    tokens = _tokens(text)
    for i in range(len(tokens)):
        sides = _corner_sides(tokens, i)
        if sides is not None:
            first, second = (_clean(text[tokens[a].start:tokens[b].end]) for a, b in sides)
            return first, second
    return None


def place_on_street(answer: str, street: str) -> str:
    """The answer to "where on <street>?" as one address. A bare house number goes where the
    street's language puts it ("12 Elm Street", "Calle Mayor 12", "Kerkstraat 12"); an answer
    naming a street stands alone; a landmark keeps the street after it."""
    cleaned = answer.strip()
    number = house_number(cleaned)
    if number is not None and street:
        first = street.split()[0].lower()
        number_last = first in PREFIXES or first in ABBREVIATED_PREFIXES \
            or DUTCH_STREET.fullmatch(first)
        return f"{street} {number}" if number_last else f"{number} {street}"
    if not street or place_mentioned(cleaned) is not None or street.lower() in cleaned.lower():
        return cleaned
    return f"{cleaned}, {street}"


def number_given(text: str) -> Optional[str]:
    """The house number given after a word for it, a few words on: "it's number 32, not 30",
    "el número es 47, no 45". "No" is not such a word here ("no, 45 is wrong")."""
    tokens = _tokens(text)
    marks = [i for i, token in enumerate(tokens) if token.bare in NUMBER_MARKS - {"no"}]
    for later in (j for i in marks for j in range(i + 1, min(i + 1 + NUMBER_GAP, len(tokens)))):
        after = tokens[later + 1].bare if later + 1 < len(tokens) else ""
        if tokens[later].is_number and after not in UNITS:
            return tokens[later].text
    return None


def house_number(text: str) -> Optional[str]:
    """The number when the whole text is a house number ("12", "no. 12a", "número 7")."""
    tokens = _tokens(text)
    words = [token for token in tokens if token.bare not in NUMBER_MARKS]
    if len(words) == 1 and words[0].is_number and len(tokens) <= 2:
        return words[0].text
    return None


def _clean(span: str) -> str:
    return span.strip().rstrip(".,;:!?").strip()


def _street(tokens: Sequence[_Token], i: int) -> Optional[_Found]:
    """A street whose type word is tokens[i], with the house number around it if any."""
    token = tokens[i]
    if token.bare in SUFFIXES:
        return _suffixed_street(tokens, i)
    if token.word in PREFIXES or token.word in ABBREVIATED_PREFIXES:
        return _prefixed_street(tokens, i)
    if DUTCH_STREET.fullmatch(token.bare):
        return _numbered(tokens, i, i, street_only=token.capitalised)
    return None


def _suffixed_street(tokens: Sequence[_Token], i: int) -> Optional[_Found]:
    """"14 Oak Avenue", "Elm street outside number 5", "St. Mary's Road"."""
    first = i
    while first > 0 and i - first < MAX_NAME_WORDS and tokens[first - 1].is_name:
        first -= 1
    if first == i or (first > 0 and tokens[first - 1].is_name):
        return None  # no name, or a run too long to be one
    number_before = first > 0 and tokens[first - 1].is_number
    if not number_before:
        first = _capitalised_tail(tokens, first, i)
    found = _numbered(tokens, first, i, street_only=_written_as_name(tokens[first:i + 1]))
    if not number_before:
        return found
    end = found[0][1] if found else tokens[i].end
    return (tokens[first - 1].start, end), (tokens[first].start, tokens[i].end), True


def _capitalised_tail(tokens: Sequence[_Token], first: int, i: int) -> int:
    """Where a name starts when it is written with capitals: "pothole Elm Street" is Elm."""
    if not any(token.capitalised for token in tokens[first:i]):
        return first
    start = first
    for j in range(first, i):
        if tokens[j].text[:1].islower():
            start = j + 1
    return min(start, i - 1)


def _prefixed_street(tokens: Sequence[_Token], i: int) -> Optional[_Found]:
    """"Calle Mayor 12", "Rua do Carmo, 20", "Avenida da Liberdade"."""
    last, names = i, 0
    while last + 1 < len(tokens) and names < MAX_NAME_WORDS:
        following = tokens[last + 1]
        if following.is_name:
            last, names = last + 1, names + 1
        elif following.word in CONNECTORS and last + 2 < len(tokens) \
                and tokens[last + 2].is_name:
            last += 1
        else:
            break
    if names == 0:
        return None
    capitals = [j for j in range(i + 1, last + 1) if tokens[j].capitalised]
    if capitals:
        last = capitals[-1]  # "rua do Carmo voltou": the name ends with its capitals
    return _numbered(tokens, i, last, street_only=_written_as_name(tokens[i:last + 1]))


def _written_as_name(tokens: Sequence[_Token]) -> bool:
    """Whether a street without a house number is written as a name: "on Mill lane", "en la
    Calle Mayor", not "the bike lane" or "la calle parpadea"."""
    return any(token.capitalised for token in tokens)


def _numbered(tokens: Sequence[_Token], first: int, last: int,
              street_only: bool) -> Optional[_Found]:
    """The street tokens[first..last] with the house number after it ("Kerkstraat 12", "Elm
    St no. 5", "Elm street outside number 5"); without one, the street alone if allowed."""
    street = (tokens[first].start, tokens[last].end)
    j = last + 1
    if j < len(tokens) and tokens[j].text == ",":
        j += 1
    if j + 1 < len(tokens) and tokens[j].word in NUMBER_PLACES \
            and tokens[j + 1].bare in NUMBER_MARKS:
        j += 1
    if j < len(tokens) and tokens[j].bare in NUMBER_MARKS:
        j += 1
    if j < len(tokens) and tokens[j].is_number and not _unit_after(tokens, j):
        return (tokens[first].start, tokens[j].end), street, True
    return (street, street, False) if street_only else None


def _unit_after(tokens: Sequence[_Token], j: int) -> bool:
    return j + 1 < len(tokens) and tokens[j + 1].bare in UNITS


def _corner(tokens: Sequence[_Token], i: int) -> Optional[_Found]:
    """"corner of Oak and 5th", "esquina de Olmo con Quinta", "hoek Eikenlaan en Molenweg",
    "Mill Lane / Church Road"."""
    sides = _corner_sides(tokens, i)
    if sides is None:
        return None
    span = (min(tokens[i].start, tokens[sides[0][0]].start), tokens[sides[1][1]].end)
    return span, span, True


def _corner_sides(tokens: Sequence[_Token], i: int) -> Optional[Tuple[Tuple[int, int], ...]]:
    """The first and last token of each of the two streets of a corner named at tokens[i]:
    its corner word, or the word joining two streets."""
    if tokens[i].bare not in CORNER_WORDS:
        return _joined_sides(tokens, i)
    first_start = _skip_links(tokens, i + 1)
    first_end = _name_run(tokens, first_start)
    if first_end is None or first_end + 1 >= len(tokens) \
            or tokens[first_end + 1].word not in AND_WORDS:
        return None
    second_start = _skip_links(tokens, first_end + 2)
    second_end = _name_run(tokens, second_start)
    if second_end is None or not _street_like(tokens[i + 1:first_end + 1]) \
            or not _street_like(tokens[second_start:second_end + 1]):
        return None
    return (first_start, first_end), (second_start, second_end)


def _joined_sides(tokens: Sequence[_Token], i: int) -> Optional[Tuple[Tuple[int, int], ...]]:
    """Two streets written as streets (a type word, no house number) on either side of the
    joining word tokens[i] (JOINERS, or "and" with a corner word after the second)."""
    if 0 < i < len(tokens) - 1 and (tokens[i].word in JOINERS or tokens[i].word in AND_WORDS):
        first = _bare_street(tokens, i - 1, ends=True)
        second = _bare_street(tokens, i + 1, ends=False)
        if first and second and (tokens[i].word in JOINERS or (
                second[1] + 1 < len(tokens) and tokens[second[1] + 1].bare in CORNER_WORDS)):
            return first, second
    return None


def _bare_street(tokens: Sequence[_Token], j: int, ends: bool) -> Optional[Tuple[int, int]]:
    """The first and last token of a street without a house number that ends (or starts) at
    tokens[j]; None when no such street does."""
    edge = tokens[j].end if ends else tokens[j].start
    for k in range(max(0, j - MAX_NAME_WORDS), min(len(tokens), j + MAX_NAME_WORDS + 1)):
        found = _street(tokens, k)
        if found is None or found[2]:
            continue
        start, end = found[1]
        if (end if ends else start) == edge:
            indices = [n for n, token in enumerate(tokens) if start <= token.start < end]
            return indices[0], indices[-1]
    return None


def _street_like(tokens: Sequence[_Token]) -> bool:
    """One side of a corner reads as a street: a street type, a name or a number ("Oak",
    "5th", "calle sol"), not "op de hoek staat scheef en ..."."""
    return any(token.capitalised or token.street_type or token.is_number for token in tokens)


def _skip_links(tokens: Sequence[_Token], j: int) -> int:
    while j < len(tokens) and tokens[j].word in CORNER_LINKS:
        j += 1
    return j


def _name_run(tokens: Sequence[_Token], j: int) -> Optional[int]:
    """The index of the last word of a street's name starting at tokens[j] ("Oak", "Rua do
    Carmo", "Avenida 5"); None when tokens[j] cannot start a name."""
    end: Optional[int] = None
    while j < len(tokens) and (end is None or j - end <= 2):
        token = tokens[j]
        if token.is_name or token.street_type:
            end = j
        elif end is not None and token.is_number and tokens[end].street_type:
            end = j
        elif not (end is not None and token.word in CONNECTORS):
            break
        j += 1
    return end
