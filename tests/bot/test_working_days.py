"""bot.working_days: promised dates skip weekends and public holidays."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.city import load_city
from bot.working_days import add_working_days, expected_date, is_working_day

CHRISTMAS_2026 = {dt.date(2026, 12, 25), dt.date(2026, 12, 28)}


@pytest.mark.parametrize("start, days, expected", [
    (dt.date(2026, 11, 23), 1, dt.date(2026, 11, 24)),   # Monday + 1 -> Tuesday
    (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30)),   # Friday + 1 -> Monday
    (dt.date(2026, 11, 28), 1, dt.date(2026, 11, 30)),   # Saturday + 1 -> Monday
    (dt.date(2026, 11, 23), 5, dt.date(2026, 11, 30)),   # a working week
    (dt.date(2026, 11, 28), 0, dt.date(2026, 11, 30)),   # zero: next working day on/after
    (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 23)),
])
def test_expected_date_skips_weekends(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days, ()) == expected


def test_expected_date_skips_weekends_and_holidays() -> None:
    # Thu 24 Dec + 2: Fri 25 (holiday), Sat, Sun, Mon 28 (holiday) -> Tue 29, Wed 30.
    assert add_working_days(dt.date(2026, 12, 24), 2, CHRISTMAS_2026) == dt.date(2026, 12, 30)


def test_expected_date_uses_the_city_holidays_around_easter() -> None:
    holidays = load_city().holidays
    # Thu 2 Apr 2026 + 1: Good Friday 3 Apr and Easter Monday 6 Apr are closed -> Tue 7 Apr.
    assert expected_date(dt.datetime(2026, 4, 2, 10, 0), 1, holidays) == dt.date(2026, 4, 7)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 1, 5), -1, ())


@pytest.mark.parametrize("day, working", [
    (dt.date(2026, 12, 24), True), (dt.date(2026, 12, 25), False),
    (dt.date(2026, 12, 26), False), (dt.date(2026, 12, 27), False),
])
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day, CHRISTMAS_2026) is working
