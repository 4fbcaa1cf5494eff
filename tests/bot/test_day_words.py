"""Which day "yesterday", "on Monday" or "ontem" means (bot.day_words)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import pytest

from bot.day_words import day_named, names_a_day

SUNDAY = dt.date(2026, 11, 29)


def day(text: str, in_passing: bool = False) -> Optional[dt.date]:
    named = day_named(text, SUNDAY, in_passing)
    return named.day if named else None


@pytest.mark.parametrize("text, expected", [
    ("yesterday", dt.date(2026, 11, 28)), ("today", SUNDAY),
    ("the day before yesterday", dt.date(2026, 11, 27)),
    ("Monday", dt.date(2026, 11, 23)), ("on tuesday I think", dt.date(2026, 11, 24)),
    ("Sunday", SUNDAY), ("last Sunday", dt.date(2026, 11, 22)),
    ("ayer", dt.date(2026, 11, 28)), ("el miércoles", dt.date(2026, 11, 25)),
    ("anteontem", dt.date(2026, 11, 27)), ("segunda-feira", dt.date(2026, 11, 23)),
    ("gisteren", dt.date(2026, 11, 28)), ("afgelopen vrijdag", dt.date(2026, 11, 27)),
])
def test_a_day_named_in_words(text: str, expected: dt.date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize("text", ["the blue one", "every week", "yesterday or Monday", "12/11",
                                  ""])
def test_no_one_day(text: str) -> None:
    assert day(text) is None


def test_in_a_description_a_weekday_needs_a_word_that_makes_it_one() -> None:
    assert day("no recogieron la basura ayer", in_passing=True) == dt.date(2026, 11, 28)
    assert day("my bin wasn't collected on Tuesday", in_passing=True) == dt.date(2026, 11, 24)
    assert day("es la segunda vez que no la recogen", in_passing=True) is None
    assert day("es la segunda vez que no la recogen") == dt.date(2026, 11, 23)


def test_names_a_day_whichever() -> None:
    assert names_a_day("friday") and names_a_day("hoy") and not names_a_day("sim")
