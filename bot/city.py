"""City facts from content/city.yml: contact details, staffed hours, time zone, holidays.

Kept in a file staff can edit (another city changes the file, not the code). The file is
re-read when it changes on disk, so new holidays apply without a restart.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Optional, Tuple, Union
from zoneinfo import ZoneInfo

import yaml

from bot.settings import get_settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Hours = Optional[Tuple[dt.time, dt.time]]


@dataclass(frozen=True)
class City:
    """What the assistant needs to know about the city it serves."""

    name: str
    timezone: str
    phone: str
    email: str
    website: str
    staffed_hours: Dict[int, Hours]  # weekday (0 = Monday) -> (opens, closes) or None
    holidays: FrozenSet[dt.date]
    # language -> seven short weekday names, Monday first (content/city.yml `day_names`)
    day_names: Dict[str, Tuple[str, ...]] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The city's time zone, for showing times and deciding staffed hours."""
        return ZoneInfo(self.timezone)


_cache: Dict[str, Tuple[float, City]] = {}


def load_city(path: Optional[Union[str, Path]] = None) -> City:
    """The city file at `path` (default: settings.city_file), re-read when its mtime changes."""
    file = Path(path or get_settings().city_file)
    mtime = file.stat().st_mtime
    cached = _cache.get(str(file))
    if cached and cached[0] == mtime:
        return cached[1]
    city = parse_city(yaml.safe_load(file.read_text(encoding="utf-8")))
    _cache[str(file)] = (mtime, city)
    return city


def parse_city(raw: dict) -> City:
    """Validate the YAML structure; a typo in hours fails loudly at load, not at 2 a.m."""
    contact = raw.get("contact") or {}
    hours: Dict[int, Hours] = {}
    for index, day in enumerate(WEEKDAYS):
        span = (raw.get("staffed_hours") or {}).get(day)
        hours[index] = None if not span else (_time(span[0]), _time(span[1]))
        if hours[index] and hours[index][0] >= hours[index][1]:  # type: ignore[index]
            raise ValueError(f"staffed hours for {day} close before they open")
    holidays = frozenset(_date(item["date"] if isinstance(item, dict) else item)
                         for item in raw.get("public_holidays") or [])
    timezone = str(raw.get("timezone") or get_settings().timezone)
    ZoneInfo(timezone)  # raises on an unknown zone name
    return City(name=str(raw.get("name") or get_settings().city_name), timezone=timezone,
                phone=str(contact.get("phone", "")), email=str(contact.get("email", "")),
                website=str(contact.get("website", "")), staffed_hours=hours, holidays=holidays,
                day_names=_day_names(raw.get("day_names") or {}))


def _day_names(raw: dict) -> Dict[str, Tuple[str, ...]]:
    """Short weekday names per language; a list that is not seven names long is a typo."""
    names = {str(language): tuple(str(day) for day in days) for language, days in raw.items()}
    for language, days in names.items():
        if len(days) != 7:
            raise ValueError(f"day_names for {language} must list seven days, Monday first")
    return names


def describe_hours(city: City, language: str = "en") -> str:
    """Staffed hours in short form, e.g. "Mon-Fri 08:30-17:30, Sat 09:00-13:00", with the
    language's day names from the city file (English abbreviations when it has none)."""
    names = city.day_names.get(language) or tuple(day.title() for day in WEEKDAYS)
    groups: list = []
    for index in range(7):
        span = city.staffed_hours[index]
        if span is None:
            continue
        if groups and groups[-1][2] == span and groups[-1][1] == index - 1:
            groups[-1][1] = index
        else:
            groups.append([index, index, span])
    parts = []
    for first, last, (opens, closes) in groups:
        days = names[first] + ("" if first == last else "-" + names[last])
        parts.append(f"{days} {opens:%H:%M}-{closes:%H:%M}")
    return ", ".join(parts)


def _time(value: object) -> dt.time:
    text = str(value)
    return dt.time.fromisoformat(text if len(text) > 4 else "0" + text)


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
