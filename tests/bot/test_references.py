"""bot.references: the lenient reading of what citizens type, and the strict refusals."""
from __future__ import annotations

import pytest

from bot.errors import MalformedReference
from bot.references import format_reference, only_a_reference, parse_reference


@pytest.mark.parametrize("year, number, expected", [
    (2026, 1, "C-2026-000001"), (2026, 123, "C-2026-000123"), (2027, 999999, "C-2027-999999"),
])
def test_format_reference_pads_the_number_to_six_digits(year: int, number: int, expected: str) -> None:
    assert format_reference(year, number) == expected


@pytest.mark.parametrize("text, expected", [
    ("C-2026-000123", "C-2026-000123"),
    ("my reference is C-2026-000123, any news?", "C-2026-000123"),
    ("c-2026-000123", "C-2026-000123"),
    ("c 2026 123", "C-2026-000123"),
    ("C2026000123", "C-2026-000123"),
    ("2026-000123", "C-2026-000123"),
    ("#C-2026-123", "C-2026-000123"),
    ("#2026-123", "C-2026-000123"),
    ("ref: C 2026-000045.", "C-2026-000045"),
    ("C-2026-000123 and I sent 2 photos", "C-2026-000123"),
    ("C.2027.42", "C-2027-000042"),
])
def test_lenient_forms_are_normalised(text: str, expected: str) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize("text", [
    "", "hello", "what is the status of my report", "12 High St", "I reported it on 2026-11-26",
    "call 01632 960000", "Oak Street and 5th", "flat C", "2026-123",
])
def test_text_without_anything_reference_like_gives_none(text: str) -> None:
    assert parse_reference(text) is None


@pytest.mark.parametrize("text", [
    "C-20-12", "C-2026-1234567", "C-2026-000000", "c2026", "C-1999-000001", "C12", "#C-20",
])
def test_reference_like_but_invalid_text_raises_malformed(text: str) -> None:
    with pytest.raises(MalformedReference):
        parse_reference(text)


def test_a_valid_reference_wins_over_a_malformed_one_in_the_same_text() -> None:
    assert parse_reference("not C-20-12 but C-2026-000007") == "C-2026-000007"


@pytest.mark.parametrize("text, alone", [
    ("c 2026 26", True), ("#C-2026-000123.", True), ("C2026000123", True),
    ("C-2026-000123 please", False), ("c-20", False), ("2026-11-26", False), ("12", False),
])
def test_only_a_reference(text: str, alone: bool) -> None:
    assert only_a_reference(text) is alone
