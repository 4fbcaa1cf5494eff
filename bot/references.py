"""Case references (C-YYYY-NNNNNN): the number citizens quote back to us.

Citizens retype references from an SMS, often loosely ("c 2026 123", "#C-2026-123",
"2026-000123"), so parsing is lenient where the meaning is unambiguous and says clearly when
something looks like a reference but cannot be one, so the bot can ask again instead of
answering "not found" for a typo.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.errors import MalformedReference

NUMBER_DIGITS = 6
MIN_YEAR, MAX_YEAR = 2000, 2099

# "C" (any case) as a word of its own, optional separators, then either a 4-digit year and a
# number, or one run of digits (C2026000123, or something malformed like C-20).
_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])#?\s*C[\s#:.\-]*(?:(?P<year>\d{4})[\s.\-]?(?P<number>\d+)|(?P<run>\d+))",
    re.IGNORECASE,
)
# Without the C: "2026-000123", or with a hash "#2026-123". Dates (2026-11-26) are excluded
# by refusing a following dash or slash.
_BARE = re.compile(r"(?<![\w\-/.])(?P<hash>#)?(?P<year>20\d\d)-(?P<number>\d+)(?![\w\-/])")


def without_references(text: str) -> str:
    """`text` with what reads as a report reference blanked out, so the words around it can
    be looked at on their own."""
    return _PREFIXED.sub(" ", _BARE.sub(" ", text))


def format_reference(year: int, number: int) -> str:
    """The canonical form, e.g. format_reference(2026, 123) == "C-2026-000123"."""
    return f"C-{year:04d}-{number:0{NUMBER_DIGITS}d}"


def parse_reference(text: str) -> Optional[str]:
    """The first reference in free text, normalised; None when nothing looks like one.

    Raises MalformedReference when the text holds something reference-like (a "C" followed by
    digits, or a year-dash-number) that cannot be a valid reference, and nothing valid.
    """
    if not text:
        return None
    found_malformed = False
    for match in _candidates(text):
        reference = _normalise(match)
        if reference is not None:
            return reference
        found_malformed = True
    if found_malformed:
        raise MalformedReference(text)
    return None


def _candidates(text: str) -> list:
    """Prefixed and bare candidates in the order they appear in the text."""
    matches = list(_PREFIXED.finditer(text))
    covered = [(m.start(), m.end()) for m in matches]
    for bare in _BARE.finditer(text):
        if not any(start <= bare.start() < end for start, end in covered):
            if bare.group("hash") or len(bare.group("number")) >= NUMBER_DIGITS:
                matches.append(bare)
    return sorted(matches, key=lambda m: m.start())


def _normalise(match: "re.Match[str]") -> Optional[str]:
    """The canonical reference for one candidate, or None when it cannot be one."""
    groups = match.groupdict()
    if groups.get("run"):
        run = groups["run"]
        if not 5 <= len(run) <= 4 + NUMBER_DIGITS:
            return None
        year_text, number_text = run[:4], run[4:]
    else:
        year_text, number_text = groups["year"], groups["number"]
    return _valid(year_text, number_text)


def _valid(year_text: str, number_text: str) -> Optional[str]:
    """Range checks shared by every form: a plausible year and a 1-6 digit, non-zero number."""
    if len(number_text) > NUMBER_DIGITS:
        return None
    year, number = int(year_text), int(number_text)
    if not (MIN_YEAR <= year <= MAX_YEAR) or number == 0:
        return None
    return format_reference(year, number)


def only_a_reference(text: str) -> bool:
    """Whether the text is a valid reference and nothing else ("c 2026 26", "#C-2026-123."):
    punctuation aside, no other word or digit is left."""
    try:
        found = parse_reference(text or "")
    except MalformedReference:
        return False
    return found is not None and not any(char.isalnum() for char in without_references(text))
