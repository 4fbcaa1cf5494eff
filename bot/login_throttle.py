"""Sign-in throttling: after too many failures for one account or from one address within
15 minutes, sign-in is refused even with the correct password, so passwords cannot be guessed
online at speed. Every attempt is kept in login_attempts, which every console replica shares.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.models import LoginAttempt
from bot.settings import get_settings

WINDOW = dt.timedelta(minutes=15)


def record_attempt(session: Session, *, username: str, ip: str, succeeded: bool,
                   now: Optional[dt.datetime] = None) -> None:
    session.add(LoginAttempt(username=username[:80], ip=ip[:64], succeeded=succeeded,
                             at=utc_naive(now)))
    session.flush()


def _failures_since(session: Session, column: Any, value: str, since: dt.datetime) -> int:
    return int(session.execute(
        select(func.count(LoginAttempt.id))
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
    ).scalar_one())


def _last_success(session: Session, username: str, since: dt.datetime) -> Optional[dt.datetime]:
    return session.execute(
        select(func.max(LoginAttempt.at))
        .where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(True),
               LoginAttempt.at > since)
    ).scalar_one()


def is_throttled(session: Session, *, username: str, ip: str,
                 now: Optional[dt.datetime] = None) -> bool:
    """True when the account has too many failures since its last success (within the
    window), or the address has too many failures within the window."""
    now = utc_naive(now)
    limit = get_settings().console_login_max_failures
    window_start = now - WINDOW
    since = _last_success(session, username, window_start) or window_start
    if _failures_since(session, LoginAttempt.username, username, since) >= limit:
        return True
    return _failures_since(session, LoginAttempt.ip, ip, window_start) >= limit


def window_minutes() -> int:
    return int(WINDOW.total_seconds() // 60)
