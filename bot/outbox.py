"""The outbox: messages to citizens, written in the same transaction as the change that causes
them, then sent at least once by a dispatcher.

dedupe_key makes enqueueing idempotent (one "your case is fixed" per status change, however
often the change is retried); failed sends back off exponentially on an injected clock.

Life of a row: pending -> sending (claimed) -> sent | suppressed | failed, or back to pending.
A dispatcher claims a row with a compare-and-set UPDATE (only one of several dispatchers wins)
and the claim is a lease: while the row is "sending", next_attempt_at holds the lease's end,
so a dispatcher killed between the provider's acceptance and `mark_sent` leaves a row that
another pass finds once the lease is over and reconciles (bot.outbox_dispatch) instead of
silently sending it twice.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, List, Mapping, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.idempotency import insert_once
from bot.models import OutboxMessage

BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)  # longer than any send may take, 429 waits included
PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"


def enqueue(session: Session, *, channel: str, recipient: str, language: str, kind: str,
            body: str, payload: Optional[Mapping[str, Any]] = None, dedupe_key: str,
            case_id: Optional[int] = None, now: Optional[dt.datetime] = None,
            not_before: Optional[dt.datetime] = None) -> OutboxMessage:
    """Queue a message once per dedupe_key; a repeat returns the message already queued.
    `not_before` holds it back until then (a question for a citizen busy with a report)."""
    moment = utc_naive(now)
    row = OutboxMessage(dedupe_key=dedupe_key, case_id=case_id, channel=channel,
                        recipient=recipient, language=language, kind=kind, body=body,
                        payload=dict(payload or {}), status=PENDING, attempts=0,
                        next_attempt_at=utc_naive(not_before) if not_before else moment,
                        created_at=moment)
    message, _created = insert_once(session, row, lambda: session.execute(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).scalars().first())
    return message


def due_messages(session: Session, now: dt.datetime, limit: int = 50,
                 channels: Optional[Iterable[str]] = None) -> List[OutboxMessage]:
    """Pending messages whose time has come, oldest (first written) first.

    On PostgreSQL rows are locked with SKIP LOCKED so a concurrent reader skips rows another
    dispatcher is claiming; the claim itself (`claim`) is what guarantees one sender per row.
    """
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == PENDING,
                    OutboxMessage.next_attempt_at <= utc_naive(now))
             .order_by(OutboxMessage.id).limit(limit)
             .with_for_update(skip_locked=True))
    if channels is not None:
        query = query.where(OutboxMessage.channel.in_(list(channels)))
    return list(session.execute(query).scalars())


def claim(session: Session, message_id: int, now: dt.datetime,
          lease: dt.timedelta = LEASE) -> bool:
    """Take a due pending row for one send; False when another dispatcher got it first.

    A single conditional UPDATE: PostgreSQL re-checks the WHERE after a concurrent writer
    commits, and SQLite (BEGIN IMMEDIATE) has one writer, so exactly one claimer wins.
    """
    moment = utc_naive(now)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING,
               OutboxMessage.next_attempt_at <= moment)
        .values(status=SENDING, next_attempt_at=moment + lease)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def expired_claims(session: Session, now: dt.datetime, channels: Iterable[str],
                   limit: int = 50) -> List[OutboxMessage]:
    """"sending" rows whose lease is over: their dispatcher died or lost track of them."""
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == SENDING,
                    OutboxMessage.next_attempt_at <= utc_naive(now),
                    OutboxMessage.channel.in_(list(channels)))
             .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True))
    return list(session.execute(query).scalars())


def mark_sent(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """The provider accepted the message (or, for web chat, the page may now show it)."""
    message = _get(session, message_id)
    message.status, message.sent_at = SENT, utc_naive(now)
    message.attempts += 1
    message.last_error = None
    session.flush()
    return message


def mark_suppressed(session: Session, message_id: int, reason: str) -> OutboxMessage:
    """Deliberately not sent (opted out, a channel with no way to push): kept with the reason."""
    message = _get(session, message_id)
    message.status, message.last_error = SUPPRESSED, reason[:1000]
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
    """A send failed: back to pending after a backoff, or give up (permanent, too many tries)."""
    message = _get(session, message_id)
    message.attempts += 1
    message.last_error = (error or "")[:1000]
    if permanent or message.attempts >= max_attempts:
        message.status = FAILED
    else:
        message.status = PENDING
        message.next_attempt_at = utc_naive(now) + backoff_delay(message.attempts)
    session.flush()
    return message


def mark_uncertain(session: Session, message_id: int, error: str, now: dt.datetime,
                   lease: dt.timedelta = LEASE) -> OutboxMessage:
    """The provider may or may not have taken it (a timeout after the request left): stay
    "sending" as if claimed just now, so that once the lease is over the next pass first asks
    the provider (reconciliation) instead of sending blindly; the lease is the backoff."""
    message = _get(session, message_id)
    message.attempts += 1
    message.last_error = (error or "")[:1000]
    message.status, message.next_attempt_at = SENDING, utc_naive(now) + lease
    session.flush()
    return message


def enqueue_uncertain(session: Session, *, channel: str, recipient: str, language: str,
                      kind: str, body: str, dedupe_key: str, attempted_at: dt.datetime,
                      error: str) -> OutboxMessage:
    """A send made outside the dispatcher (a live reply) timed out: the provider may have it.

    Queued straight into "sending" with a lease that is already over (ending at the attempt),
    so the dispatcher's next pass reconciles it like a dead claim: it asks the provider first
    and sends only if the provider has no such message. Its lookup window starts one LEASE
    before the attempt (it derives the claim moment from the lease), i.e. wider than needed.
    A repeat (same dedupe_key) leaves the row already queued as it is.
    """
    row = enqueue(session, channel=channel, recipient=recipient, language=language, kind=kind,
                  body=body, dedupe_key=dedupe_key, now=attempted_at)
    moment = utc_naive(attempted_at)
    if row.status == PENDING and row.attempts == 0 and row.created_at == moment:
        row.status, row.next_attempt_at = SENDING, moment
        row.attempts, row.last_error = 1, (error or "")[:1000]
        session.flush()
    return row


def settle_expired(session: Session, message_id: int, lease_until: dt.datetime, *,
                   delivered: bool, now: dt.datetime) -> bool:
    """Settle an expired claim: sent (the provider has it) or pending, due now (it never got
    there). Compare-and-set on the lease that was read, so when two dispatchers reconcile the
    same row, the second changes nothing (not even a claim the first has taken since)."""
    moment = utc_naive(now)
    values = (dict(status=SENT, sent_at=moment, attempts=OutboxMessage.attempts + 1, last_error=None)
              if delivered else dict(status=PENDING, next_attempt_at=moment))
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
               OutboxMessage.next_attempt_at == lease_until)
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def sent_count_since(session: Session, *, channel: str, recipient: str, body: str,
                     since: dt.datetime, exclude_id: int) -> int:
    """How many of our other messages with this text this recipient was sent since `since`."""
    return session.execute(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == channel, OutboxMessage.recipient == recipient,
            OutboxMessage.body == body, OutboxMessage.status == SENT,
            OutboxMessage.sent_at >= utc_naive(since), OutboxMessage.id != exclude_id)
    ).scalar_one()


def delivered_to(session: Session, channel: str, recipient: str, after_id: int = 0,
                 limit: int = 100) -> List[OutboxMessage]:
    """Messages already delivered to one recipient after a cursor (an outbox id), oldest first:
    what a polling channel (web chat) shows and redraws in its history."""
    rows = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.recipient == recipient,
               OutboxMessage.status == SENT, OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id.desc() if after_id <= 0 else OutboxMessage.id)
        .limit(limit)).scalars().all()
    return sorted(rows, key=lambda row: row.id)


class MessageErased(LookupError):
    """The row is gone: a citizen's erasure (bot.privacy) removes the messages sent to them,
    maybe while one of them is being sent."""


def _get(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise MessageErased(f"no outbox message {message_id}")
    return message
