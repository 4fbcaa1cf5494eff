"""Two problems in one message: "there's a pothole on Mill Lane and the streetlight next to
it is out too".

The category classifier names one service per message. With two problems in it, the one it
names may be either, often unsure of both, and the other problem is lost: the citizen gets
one report and thinks they made two. Cut at the places a new clause can start (a full stop,
a semicolon, a comma, the language's "and", "also"), each part ranked on its own names its
own service. Only parts the classifier is sure of count, and only two different specific
services make a second problem: a part that names no service ("it's been there for weeks")
or the same one again belongs to the problem before it.

The words that join clauses differ by language, and collide ("en" is Dutch "and" but
Spanish and Portuguese "in"), so the cuts are made with the message's own language's words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from bot.language import detect_language

Ranking = List[Tuple[str, float]]

# Words that may start a new clause, after which a new problem can be named.
JOINING_WORDS: Dict[str, Tuple[str, ...]] = {
    "en": ("and also", "and then", "and", "also", "plus", "as well as", "another thing is"),
    "es": ("y también", "y además", "y", "e", "también", "además"),
    "pt": ("e também", "e ainda", "e", "também", "além disso"),
    "nl": ("en ook", "en verder", "en", "ook", "daarnaast", "verder"),
}
MIN_CLAUSE_WORDS = 2  # "rubbish", "too" alone name nothing worth a report of its own
# A clause names a service when the classifier gives it this much; and both services of two
# problems keep at least WHOLE_MESSAGE_CHANCE when the whole message is ranked. Measured
# on the training and held-out examples of all four languages (5,040, almost all one
# problem each): one was taken for two ("the pavement has sunk and there's a big dip full
# of water"); all 18 two-problem messages written for tests/rasa/test_two_problems.py were
# found (one of them is lost before, when DIET reads it as something other than a report).
CLAUSE_SURE = 0.75
WHOLE_MESSAGE_CHANCE = 0.02


# Any sign of a second clause, in any language: most messages have none, and are not cut.
_MAY_JOIN = re.compile(r"[.;!?,]\s*\S|\s(?:%s)\s" % "|".join(
    sorted({re.escape(word) for words in JOINING_WORDS.values() for word in words})),
    re.IGNORECASE)


@dataclass(frozen=True)
class SecondProblem:
    """The other service a message names, and its words (from its clause to the end)."""

    service: str
    confidence: float
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Clause:
    """A part of the message, where it starts and ends in the message."""

    start: int
    end: int
    text: str


def clauses(text: str, language: str) -> List[Clause]:
    """The message cut where a new clause may start; the joining words themselves dropped."""
    words = sorted(JOINING_WORDS.get(language, JOINING_WORDS["en"]), key=len, reverse=True)
    joining = "|".join(re.escape(word) for word in words)
    boundary = re.compile(rf"[.;!?,]+\s*(?:(?:{joining})\b\s*)?|\s+(?:{joining})\s+",
                          re.IGNORECASE)
    parts: List[Clause] = []
    start = 0
    for cut in boundary.finditer(text):
        parts.append(Clause(start, cut.start(), text[start:cut.start()]))
        start = cut.end()
    parts.append(Clause(start, len(text), text[start:]))
    return [part for part in parts if len(part.text.split()) >= MIN_CLAUSE_WORDS]


def second_problem(text: str, language: str, rank: Callable[[str], Ranking], whole: Ranking,
                   not_specific: Sequence[str], sure_above: float = CLAUSE_SURE,
                   ) -> Optional[Tuple[Tuple[str, float], SecondProblem]]:
    """((first service, its confidence), the second problem) when two clauses are each sure
    of a different specific service, and the whole message (ranked as `whole`) leaves each
    some chance; None otherwise. The first is the one named first, as
    the citizen put them; the second's words run from its clause to the end of the message (a
    third problem's words stay in them: one problem held at a time)."""
    parts = clauses(text, language)
    if len(parts) < 2:
        return None
    named: List[Tuple[Clause, str, float]] = []
    for part in parts:
        service, confidence = (rank(part.text) or [("", 0.0)])[0]
        if service and service not in not_specific and confidence >= sure_above:
            named.append((part, service, confidence))
    services = list(dict.fromkeys(service for _, service, _ in named))
    if len(services) < 2:
        return None
    chances = dict(whole)
    if min(chances.get(services[0], 0.0), chances.get(services[1], 0.0)) < WHOLE_MESSAGE_CHANCE:
        return None  # "a branch fell off a tree and is blocking the path": one problem
    first = next(item for item in named if item[1] == services[0])
    second = next(item for item in named if item[1] == services[1])
    words = text[second[0].start:].strip(" ,.;:!?")
    return ((first[1], first[2]),
            SecondProblem(second[1], second[2], second[0].start, second[0].start + len(words),
                          words))


def with_second_problem(entity: Dict[str, Any], text: str, rank: Callable[[str], Ranking],
                        whole: Ranking, not_specific: Sequence[str]) -> Dict[str, Any]:
    """The category entity of a report, marked when the message names two problems: the
    service named first is its value, and the other, with its words, is under "also", for
    the report form to report right after this one (actions.next_problem). `whole` is the
    message's own ranking, already made."""
    if not _MAY_JOIN.search(text):
        return entity
    found = second_problem(text, detect_language(text), rank, whole, not_specific)
    if found is None:
        return entity
    (first, confidence), second = found
    others = [item for item in entity.get("alternatives") or [] if item.get("value") != first]
    return {**entity, "value": first, "confidence_entity": round(confidence, 4),
            "alternatives": others,
            "also": {"value": second.service, "confidence": round(second.confidence, 4),
                     "text": second.text, "start": second.start, "end": second.end}}
