"""Working-day arithmetic for the promise made on each case ("expected by ...").

Service targets are in working days because crews do not work weekends or public holidays;
counting calendar days would promise dates nobody can keep.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Union


def is_working_day(day: dt.date, holidays: Iterable[dt.date]) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date]) -> dt.date:
    """The date `days` working days after `start`; `start` itself never counts.

    A report made on Friday with a 1-day target is due on Monday (or Tuesday after a bank
    holiday Monday). Zero days means the next working day on or after `start`.
    """
    if days < 0:
        raise ValueError("working days cannot be negative")
    closed = set(holidays)
    day = start
    if days == 0:
        while not is_working_day(day, closed):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day, closed):
            remaining -= 1
    return day


def expected_date(created: Union[dt.date, dt.datetime], sla_days: int,
                  holidays: Iterable[dt.date]) -> dt.date:
    """The date promised for a case created on `created` (a local date or datetime)."""
    start = created.date() if isinstance(created, dt.datetime) else created
    return add_working_days(start, sla_days, holidays)
