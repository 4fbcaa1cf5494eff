"""Signed-in console browsers: a random token in the cookie, only its sha256 in staff_sessions.

A stolen copy of the table cannot be replayed, every console replica sees the same sessions,
and signing out or deactivating an account ends the session on the server, not just in the
browser. Sessions expire after `console_session_hours` without use, and 12 hours after sign-in
whatever the use.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.models import StaffSession, StaffUser
from bot.settings import get_settings

TOUCH_EVERY = dt.timedelta(seconds=60)  # do not write on every request, only once a minute
# However busy, a sign-in ends after this long (OWASP ASVS 3.3.2: periodic re-authentication),
# so a session copied from an unattended browser does not live for ever.
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    """What a valid cookie resolves to: the staff member as they are now, and the CSRF token."""

    user_id: int
    username: str
    display_name: str
    role: str
    department: Optional[str]
    csrf_token: str


def token_digest(token: str) -> str:
    """The stored form of a cookie token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _idle_limit() -> dt.timedelta:
    return dt.timedelta(hours=get_settings().console_session_hours)


def start_session(session: Session, user: StaffUser, *, previous_token: Optional[str] = None,
                  now: Optional[dt.datetime] = None) -> str:
    """A brand-new session for `user`; its cookie token. Any session the browser held before
    (`previous_token`) is revoked, so a token planted before sign-in never becomes valid."""
    now = utc_naive(now)
    if previous_token:
        end_session(session, previous_token, now=now)
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(id=token_digest(token), user_id=user.id,
                             csrf_token=secrets.token_urlsafe(32), created_at=now,
                             last_seen_at=now, expires_at=now + _idle_limit()))
    session.flush()
    return token


def resolve_session(session: Session, token: Optional[str], *,
                    now: Optional[dt.datetime] = None) -> Optional[SignedIn]:
    """The staff member behind a cookie token, or None when it is unknown, revoked, idle too
    long, or its account is deactivated. Extends the idle expiry on use."""
    if not token or len(token) > 128:
        return None
    now = utc_naive(now)
    row = session.execute(
        select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.id == token_digest(token))
    ).first()
    if row is None:
        return None
    staff_session, user = row
    if (staff_session.revoked_at is not None or staff_session.expires_at <= now
            or now >= staff_session.created_at + ABSOLUTE_LIFETIME or not user.active):
        return None
    if now - staff_session.last_seen_at >= TOUCH_EVERY:
        staff_session.last_seen_at = now
        staff_session.expires_at = now + _idle_limit()
    return SignedIn(user_id=user.id, username=user.username, display_name=user.display_name,
                    role=user.role, department=user.department,
                    csrf_token=staff_session.csrf_token)


def end_session(session: Session, token: str, *, now: Optional[dt.datetime] = None) -> bool:
    """Revoke the session behind `token` (sign-out); True when one was open."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.id == token_digest(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=utc_naive(now))
    )
    return bool(result.rowcount)


def end_all_sessions(session: Session, user_id: int, *, now: Optional[dt.datetime] = None) -> int:
    """Revoke every open session of a user (deactivation, password reset); how many."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utc_naive(now))
    )
    return int(result.rowcount or 0)
