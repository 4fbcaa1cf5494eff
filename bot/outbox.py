"""The outbox: messages to citizens, written in the same transaction as the change that causes
them, then sent at least once by a dispatcher.

dedupe_key makes enqueueing idempotent (one "your case is fixed" per status change, however
often the change is retried); failed sends back off exponentially on an injected clock.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, List, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.idempotency import insert_once
from bot.models import OutboxMessage

BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8


def enqueue(session: Session, *, channel: str, recipient: str, language: str, kind: str,
            body: str, payload: Optional[Mapping[str, Any]] = None, dedupe_key: str,
            case_id: Optional[int] = None, now: Optional[dt.datetime] = None) -> OutboxMessage:
    """Queue a message once per dedupe_key; a repeat returns the message already queued."""
    moment = utc_naive(now)
    row = OutboxMessage(dedupe_key=dedupe_key, case_id=case_id, channel=channel,
                        recipient=recipient, language=language, kind=kind, body=body,
                        payload=dict(payload or {}), status="pending", attempts=0,
                        next_attempt_at=moment, created_at=moment)
    message, _created = insert_once(session, row, lambda: session.execute(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).scalars().first())
    return message


def due_messages(session: Session, now: dt.datetime, limit: int = 50) -> List[OutboxMessage]:
    """Pending messages whose time has come, oldest first.

    On PostgreSQL rows are locked with SKIP LOCKED so several dispatchers never pick the same
    message; SQLite has a single writer anyway.
    """
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= utc_naive(now))
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
             .with_for_update(skip_locked=True))
    return list(session.execute(query).scalars())


def mark_sent(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """The provider accepted the message."""
    message = _get(session, message_id)
    message.status, message.sent_at = "sent", utc_naive(now)
    message.attempts += 1
    message.last_error = None
    session.flush()
    return message


def backoff_delay(attempts: int, base: dt.timedelta = BASE_DELAY,
                  cap: dt.timedelta = MAX_DELAY) -> dt.timedelta:
    """Wait before the next try after `attempts` failures: 30 s, 1 min, 2 min, ... at most 1 h."""
    if attempts < 1:
        return dt.timedelta(0)
    return min(cap, base * (2 ** min(attempts - 1, 30)))


def mark_failed(session: Session, message_id: int, error: str, now: dt.datetime,
                permanent: bool = False, max_attempts: int = MAX_ATTEMPTS) -> OutboxMessage:
    """A send failed: retry later with backoff, or give up (permanent error, too many tries)."""
    message = _get(session, message_id)
    message.attempts += 1
    message.last_error = (error or "")[:1000]
    if permanent or message.attempts >= max_attempts:
        message.status = "failed"
    else:
        message.next_attempt_at = utc_naive(now) + backoff_delay(message.attempts)
    session.flush()
    return message


def _get(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise LookupError(f"no outbox message {message_id}")
    return message
