"""Open311 times: the W3C profile of ISO 8601, always with a time zone, both ways.

GeoReport v2 says every date/time "must" carry its zone (Z or +HH:MM). We answer in the
city's zone with its offset, so a client in another zone still reads the local time the
citizen saw; we refuse a date-time without a zone rather than guess it (a guess would
silently shift a query window by hours). A bare date (YYYY-MM-DD, also W3C) means midnight
in the city.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional
from zoneinfo import ZoneInfo

from bot.clock import as_utc, utc_naive
from bot.errors import Open311Invalid

_W3C = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<zone>Z|[+-]\d{2}:\d{2}))?$")


def parse_w3c(text: str, zone: ZoneInfo, field: str) -> dt.datetime:
    """`text` as naive UTC; Open311Invalid naming `field` when it is not a W3C date-time with
    a zone (or a bare date)."""
    value = (text or "").strip()
    match = _W3C.match(value)
    if match is None:
        raise Open311Invalid([f"{field} must be a W3C date-time with a time zone, "
                              f"e.g. 2010-01-01T00:00:00Z (got {value[:40]!r})"])
    try:
        if match.group("time") is None:
            day = dt.date.fromisoformat(match.group("date"))
            return utc_naive(dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone))
        zone_text = match.group("zone").replace("Z", "+00:00")
        moment = dt.datetime.fromisoformat(
            f"{match.group('date')}T{match.group('time')}{zone_text}")
    except ValueError as exc:
        raise Open311Invalid([f"{field} is not a real date-time: {value[:40]!r}"]) from exc
    return utc_naive(moment)


def format_w3c(moment: Optional[dt.datetime], zone: ZoneInfo) -> Optional[str]:
    """A stored naive-UTC time in the city's zone with its offset, to the second."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(zone).replace(microsecond=0).isoformat()


def end_of_day(day: Optional[dt.date], zone: ZoneInfo) -> Optional[str]:
    """The promise of an SLA date: the work is due by the end of that day in the city."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone).isoformat()
