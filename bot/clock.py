"""Time as the database stores it: naive UTC. Callers inject `now`; these helpers normalise it."""
from __future__ import annotations

import datetime as dt
from typing import Optional


def utc_naive(moment: Optional[dt.datetime] = None) -> dt.datetime:
    """`moment` (aware, or naive meaning UTC) as naive UTC; the current time when None."""
    if moment is None:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    if moment.tzinfo is not None:
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored naive-UTC time made aware, for converting to the city's zone."""
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def from_timestamp(seconds: float) -> dt.datetime:
    """A Unix timestamp (how Rasa stamps tracker events) as naive UTC."""
    return dt.datetime.fromtimestamp(float(seconds), dt.timezone.utc).replace(tzinfo=None)
