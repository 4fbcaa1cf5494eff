"""bot.city: the city file staff edit is checked when loaded and re-read when it changes."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.city import describe_hours, load_city, parse_city


def test_city_file_has_contact_hours_and_two_years_of_holidays() -> None:
    city = load_city()
    assert city.name and city.phone and city.email and city.website.startswith("https://")
    assert city.staffed_hours[0] == (dt.time(8, 30), dt.time(17, 30))
    assert city.staffed_hours[6] is None
    assert {day.year for day in city.holidays} == {2026, 2027}
    assert dt.date(2026, 12, 25) in city.holidays


def test_staffed_hours_are_described_in_short_form() -> None:
    assert describe_hours(load_city()) == "Mon-Fri 08:30-17:30, Sat 09:00-13:00"


def test_hours_that_close_before_they_open_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_city({"timezone": "Europe/London", "staffed_hours": {"mon": ["17:00", "09:00"]}})


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Exception):
        parse_city({"timezone": "Mars/Olympus_Mons"})


def test_an_edited_city_file_is_read_again(tmp_path: Path) -> None:
    file = tmp_path / "city.yml"
    file.write_text("name: A\ntimezone: UTC\npublic_holidays: []\n")
    assert load_city(file).name == "A"
    file.write_text("name: B\ntimezone: UTC\npublic_holidays: [2027-01-01]\n")
    stat = file.stat()
    os.utime(file, (stat.st_atime, stat.st_mtime + 5))
    assert load_city(file).name == "B"
    assert load_city(file).holidays == frozenset({dt.date(2027, 1, 1)})


@pytest.mark.parametrize("language, expected", [
    ("en", "Mon-Fri 08:30-17:30, Sat 09:00-13:00"),
    ("es", "lun-vie 08:30-17:30, sáb 09:00-13:00"),
    ("nl", "ma-vr 08:30-17:30, za 09:00-13:00"),
    ("xx", "Mon-Fri 08:30-17:30, Sat 09:00-13:00"),
])
def test_staffed_hours_read_in_the_citizens_language(language: str, expected: str) -> None:
    assert describe_hours(load_city(), language) == expected
