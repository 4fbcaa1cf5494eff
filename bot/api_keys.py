"""Open311 API keys: issued and revoked by admins, checked on every service request created.

Only the SHA-256 of a key is stored, so a copy of the database cannot be used to post
requests; the plain key is shown once, when it is created. Verifying looks the hash up
through its unique index, so no secret is ever compared character by character (the time
taken does not depend on how much of a guess was right).

Rate limit: a sliding window of one minute over the service requests the key created,
counted in the case database itself. The console may run as several replicas, so a
per-process bucket (bot.ratelimit) would let each replica allow the full limit; the count
is taken after locking the key's row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
write transaction is already serialised by BEGIN IMMEDIATE), so two replicas cannot both
take the last slot. Only accepted requests count: a rejected one writes nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.errors import ApiKeyRateLimited, ApiKeyRejected, InvalidInput
from bot.models import ApiKey, Case

KEY_PREFIX = "o311_"  # recognisable in logs and secret scanners
PREFIX_LENGTH = 12  # ApiKey.prefix: enough to tell keys apart in the list, useless to guess
OPEN311_CHANNEL = "open311"
WINDOW = dt.timedelta(minutes=1)
DEFAULT_RATE_LIMIT = 60


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: `plain` is the only copy of the secret and is never stored."""

    key: ApiKey
    plain: str


def hash_key(plain: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_key(session: Session, *, name: str, created_by: str,
               rate_limit_per_minute: int = DEFAULT_RATE_LIMIT,
               now: Optional[dt.datetime] = None) -> IssuedKey:
    """Issue a key for an Open311 client (an app, a partner's CRM) named `name`."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("a key needs a name of 1 to 120 characters")
    if not 1 <= int(rate_limit_per_minute) <= 10000:
        raise InvalidInput("the rate limit must be between 1 and 10000 requests per minute")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=plain[:PREFIX_LENGTH], key_hash=hash_key(plain),
                 rate_limit_per_minute=int(rate_limit_per_minute), created_by=created_by,
                 created_at=utc_naive(now))
    session.add(key)
    session.flush()
    return IssuedKey(key=key, plain=plain)


def revoke_key(session: Session, key_id: int, now: Optional[dt.datetime] = None) -> ApiKey:
    """Stop a key working at once; the row stays, so past requests still show who sent them.
    Revoking twice keeps the first time."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise InvalidInput(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utc_naive(now)
        session.flush()
    return key


def get_key(session: Session, key_id: int) -> Optional[ApiKey]:
    """The key with this id, or None."""
    return session.get(ApiKey, key_id)


def list_keys(session: Session) -> List[ApiKey]:
    """Every key, newest first, revoked ones included (admins see the whole history)."""
    return list(session.execute(select(ApiKey).order_by(ApiKey.created_at.desc(),
                                                        ApiKey.id.desc())).scalars())


def verify_key(session: Session, plain: Optional[str], lock: bool = False) -> ApiKey:
    """The active key matching `plain`; ApiKeyRejected for a missing, unknown or revoked one.

    `lock` takes the row lock the rate limit relies on (see the module docstring)."""
    if not plain or len(plain) > 200:
        raise ApiKeyRejected()
    digest = hash_key(plain.strip())
    query = select(ApiKey).where(ApiKey.key_hash == digest)
    if lock:
        query = query.with_for_update()
    key = session.execute(query).scalars().first()
    if key is None or not hmac.compare_digest(key.key_hash, digest) or key.revoked_at is not None:
        raise ApiKeyRejected()
    return key


def sender_for_key(key: ApiKey) -> str:
    """The Case.sender_id of requests a key creates: the key is the client's "conversation"."""
    return f"open311-key-{key.id}"


def check_rate_limit(session: Session, key: ApiKey, now: Optional[dt.datetime] = None) -> None:
    """Raise ApiKeyRateLimited when the key already created its limit of requests in the last
    minute; call with the key row locked (verify_key(lock=True)) in the creating transaction."""
    moment = utc_naive(now)
    since = moment - WINDOW
    count, oldest = session.execute(
        select(func.count(Case.id), func.min(Case.created_at)).where(
            Case.channel == OPEN311_CHANNEL, Case.sender_id == sender_for_key(key),
            Case.created_at > since)).one()
    if count >= key.rate_limit_per_minute:
        wait = (oldest + WINDOW - moment).total_seconds() if oldest else WINDOW.total_seconds()
        raise ApiKeyRateLimited(key.rate_limit_per_minute, max(1, math.ceil(wait)))


def key_summary(key: ApiKey) -> dict:
    """What the audit log keeps about a key: never its hash."""
    return {"id": key.id, "name": key.name, "prefix": key.prefix,
            "rate_limit_per_minute": key.rate_limit_per_minute,
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}
