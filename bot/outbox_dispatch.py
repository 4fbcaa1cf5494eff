"""Sending the outbox: at least once, in order per recipient, never to an opted-out number.

The dispatcher is deliberately dumb about providers: it is given one `send` callable per
channel (the SMS channel's Twilio sender, Telegram's Bot...), which returns the provider's
message id or raises. A failure backs off (bot.outbox.mark_failed) and holds back the
recipient's later messages, so "your case is fixed" never arrives before "we got your report".
The opt-out check happens in the same unit of work that marks the message, just before the
send: a STOP that arrives while a notification is queued suppresses it.
"""
from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import utc_naive
from bot.errors import CivicError
from bot.logs import log_event
from bot.models import OutboxMessage
from bot.optouts import is_opted_out

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager]  # e.g. bot.db.session_scope
Send = Callable[[str, str, Mapping[str, Any]], Optional[str]]  # (recipient, body, payload) -> id


class PermanentSendFailure(CivicError):
    """The provider refused the message for good (invalid number...): do not retry."""


@dataclass(frozen=True)
class _Due:
    """A due message, copied out of its unit of work (the send happens outside any transaction)."""

    id: int
    channel: str
    recipient: str
    body: str
    payload: Dict[str, Any]


@dataclass
class DispatchResult:
    """What one pass did, by outbox id."""

    sent: List[int] = field(default_factory=list)
    failed: List[int] = field(default_factory=list)
    suppressed: List[int] = field(default_factory=list)
    held: List[int] = field(default_factory=list)  # behind an earlier unsent message


def dispatch_due(session_factory: SessionFactory, senders: Mapping[str, Send],
                 now: dt.datetime, limit: int = 50) -> DispatchResult:
    """Send the messages due at `now` on the channels we have a sender for."""
    result = DispatchResult()
    blocked: Set[Tuple[str, str]] = set()
    for message in _load_due(session_factory, senders, now, limit):
        key = (message.channel, message.recipient)
        if key in blocked:
            result.held.append(message.id)
            continue
        outcome = _dispatch_one(session_factory, senders[message.channel], message, now)
        getattr(result, outcome).append(message.id)
        if outcome in ("failed", "held"):
            blocked.add(key)
    return result


def _load_due(session_factory: SessionFactory, senders: Mapping[str, Send],
              now: dt.datetime, limit: int) -> List[_Due]:
    """Due messages of our channels, oldest first by id (the order they were written).

    Like bot.outbox.due_messages, restricted to the channels this dispatcher can send on, so
    a channel without a sender here never crowds the others out of `limit`.
    """
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= utc_naive(now),
                    OutboxMessage.channel.in_(list(senders)))
             .order_by(OutboxMessage.id).limit(limit))
    with session_factory() as session:
        return [_Due(row.id, row.channel, row.recipient, row.body, dict(row.payload or {}))
                for row in session.execute(query).scalars()]


def _dispatch_one(session_factory: SessionFactory, send: Send, message: _Due,
                  now: dt.datetime) -> str:
    """sent | failed | suppressed | held, with the outbox row updated accordingly."""
    with session_factory() as session:
        if is_opted_out(session, message.channel, message.recipient):
            _mark_suppressed(session, message.id)
            log_event(log, "outbox.suppressed", outbox_id=message.id, channel=message.channel)
            return "suppressed"
        if _earlier_unsent(session, message):
            return "held"
    try:
        provider_id = send(message.recipient, message.body, message.payload)
    except Exception as exc:  # any provider error: recorded on the row, retried with backoff
        permanent = isinstance(exc, PermanentSendFailure)
        with session_factory() as session:
            row = outbox.mark_failed(session, message.id, f"{type(exc).__name__}: {exc}", now,
                                     permanent=permanent)
            status = row.status
        log_event(log, "outbox.send_failed", logging.WARNING, outbox_id=message.id,
                  channel=message.channel, error=type(exc).__name__, status=status)
        return "failed"
    with session_factory() as session:
        outbox.mark_sent(session, message.id, now)
    log_event(log, "outbox.sent", outbox_id=message.id, channel=message.channel,
              provider_id=provider_id)
    return "sent"


def _earlier_unsent(session: Session, message: _Due) -> bool:
    """Is an older message to the same recipient still pending (backing off)?"""
    oldest = session.execute(
        select(func.min(OutboxMessage.id)).where(
            OutboxMessage.channel == message.channel,
            OutboxMessage.recipient == message.recipient,
            OutboxMessage.status == "pending")).scalar()
    return oldest is not None and oldest < message.id


def _mark_suppressed(session: Session, message_id: int) -> None:
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise LookupError(f"no outbox message {message_id}")
    row.status, row.last_error = "suppressed", "recipient opted out"
    session.flush()
