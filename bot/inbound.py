"""The inbound message log: every delivered message is recorded before it is acknowledged.

(channel, external_id) is the provider's own id (Twilio MessageSid, Telegram update_id, a web
chat client id), so a provider retry or replay finds the first row and is not processed twice;
the replies stored on it let the channel answer a retry with what it already said.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc, utc_naive
from bot.idempotency import insert_once
from bot.models import InboundMessage


def record_inbound(session: Session, *, channel: str, external_id: str, sender_id: str,
                   text: Optional[str], payload: Optional[Mapping[str, Any]] = None,
                   now: Optional[dt.datetime] = None) -> Tuple[InboundMessage, bool]:
    """Record a delivered message; returns (row, is_new). is_new False means a retry."""
    row = InboundMessage(channel=channel, external_id=str(external_id), sender_id=sender_id,
                         text=text, payload=dict(payload or {}), status="received",
                         received_at=utc_naive(now))

    def existing() -> Optional[InboundMessage]:
        return session.execute(select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == str(external_id))
        ).scalars().first()

    return insert_once(session, row, existing)


def mark_processed(session: Session, inbound_id: int, replies: Sequence[Any],
                   now: Optional[dt.datetime] = None) -> InboundMessage:
    """Keep what the bot answered, so a later retry of the same message gets the same answer."""
    row = _get(session, inbound_id)
    row.replies, row.status, row.processed_at = list(replies), "processed", utc_naive(now)
    session.flush()
    return row


def mark_failed(session: Session, inbound_id: int, now: Optional[dt.datetime] = None) -> InboundMessage:
    """Processing failed after the message was recorded: visible to the operator, retryable."""
    row = _get(session, inbound_id)
    row.status, row.processed_at = "failed", utc_naive(now)
    session.flush()
    return row


def stale_received(session: Session, channel: str, older_than: dt.timedelta, now: dt.datetime,
                   limit: int = 500) -> List[InboundMessage]:
    """Messages recorded but never processed (the process died mid-turn), oldest first, so a
    channel can run them again at start-up: acknowledged means processed, eventually."""
    return list(session.execute(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.status == "received",
               InboundMessage.received_at < now - older_than)
        .order_by(InboundMessage.id).limit(limit)
    ).scalars())


def has_earlier_received(session: Session, channel: str, sender_id: str, inbound_id: int) -> bool:
    """True while a message of this sender recorded before `inbound_id` still waits for its
    turn, on whichever replica recorded it: a later turn must not overtake it."""
    return session.execute(
        select(InboundMessage.id)
        .where(InboundMessage.channel == channel, InboundMessage.sender_id == sender_id,
               InboundMessage.id < inbound_id, InboundMessage.status == "received")
        .limit(1)
    ).first() is not None


def _get(session: Session, inbound_id: int) -> InboundMessage:
    row = session.get(InboundMessage, inbound_id)
    if row is None:
        raise LookupError(f"no inbound message {inbound_id}")
    return row


def transcript_for(session: Session, channel: str, sender_id: str, limit: int = 50) -> List[Dict[str, str]]:
    """The conversation as lines {"at", "role": citizen|assistant, "text"}, oldest first.

    Used for web chat history pages and for the transcript a caseworker sees on an
    escalation; only the last `limit` inbound messages (with their replies) are included.
    """
    rows = session.execute(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.sender_id == sender_id)
        .order_by(InboundMessage.id.desc()).limit(limit)
    ).scalars().all()
    lines: List[Dict[str, str]] = []
    for row in reversed(rows):
        at = as_utc(row.received_at).isoformat()
        if row.text:
            lines.append({"at": at, "role": "citizen", "text": row.text})
        for reply in row.replies or []:
            text = reply.get("text") if isinstance(reply, Mapping) else str(reply)
            if text:
                lines.append({"at": at, "role": "assistant", "text": text})
    return lines
