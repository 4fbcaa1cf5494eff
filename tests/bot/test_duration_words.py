"""How long a message says something has lasted (bot.duration_words)."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.duration_words import duration_named, names_a_duration


@pytest.mark.parametrize("text, span", [
    ("there's a car that's been parked on our street for 3 weeks with flat tyres", "3 weeks"),
    ("a few days", "a few days"), ("about two months I think", "two months"),
    ("lleva ahí hace dos semanas", "dos semanas"), ("há três meses que está ali", "três meses"),
    ("staat er al een maand", "een maand"),
    ("been there 2 weeks, I see it twice a day", "2 weeks"),  # the frequency is no span
])
def test_the_span_named(text: str, span: str) -> None:
    assert duration_named(text) == span and names_a_duration(text)


@pytest.mark.parametrize("text, names", [
    ("twice a day", False), ("every week", False), ("since last summer", False), ("", False),
    ("3 weeks, or maybe 2 months", True),  # two spans: a span, but not one to keep
])
def test_no_one_span(text: str, names: bool) -> None:
    assert duration_named(text) is None
    assert names_a_duration(text) is names
