"""The inbound message log: every delivered message is recorded before it is acknowledged.

(channel, external_id) is the provider's own id (Twilio MessageSid, Telegram update_id, a web
chat client id), so a provider retry or replay finds the first row and is not processed twice;
the replies stored on it let the channel answer a retry with what it already said.

Recording a message, checking turn order and storing the replies run for every message, so
their statements are built once, at import, with bound parameters: building a statement and
its cache key took about five times as long as running it on SQLite.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from bot.clock import as_utc, utc_naive
from bot.idempotency import write_once
from bot.models import InboundMessage

RECEIVED = "received"  # the ordinary status: recorded, its turn not run yet
_TABLE = InboundMessage.__table__
_INSERT = insert(_TABLE)
_BY_EXTERNAL_ID = select(InboundMessage).where(
    InboundMessage.channel == bindparam("channel"),
    InboundMessage.external_id == bindparam("external_id"))
_PROCESSED = update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(
    replies=bindparam("new_replies", type_=_TABLE.c.replies.type), status="processed",
    processed_at=bindparam("new_processed_at", type_=_TABLE.c.processed_at.type))
_EARLIER_RECEIVED = select(InboundMessage.id).where(
    InboundMessage.channel == bindparam("channel"),
    InboundMessage.sender_id == bindparam("sender_id"),
    InboundMessage.id < bindparam("inbound_id"), InboundMessage.status == RECEIVED).limit(1)


@dataclass(frozen=True)
class InboundRecord:
    """An inbound row as recorded, read-only: change it through this module's functions."""

    id: int
    channel: str
    external_id: str
    sender_id: str
    text: Optional[str]
    payload: Dict[str, Any]
    replies: Optional[List[Any]]
    status: str
    received_at: dt.datetime
    processed_at: Optional[dt.datetime]

    @classmethod
    def of(cls, row: InboundMessage) -> "InboundRecord":
        return cls(id=row.id, channel=row.channel, external_id=row.external_id,
                   sender_id=row.sender_id, text=row.text, payload=row.payload,
                   replies=row.replies, status=row.status, received_at=row.received_at,
                   processed_at=row.processed_at)


def record_inbound(session: Session, *, channel: str, external_id: str, sender_id: str,
                   text: Optional[str], payload: Optional[Mapping[str, Any]] = None,
                   now: Optional[dt.datetime] = None, status: str = RECEIVED
                   ) -> Tuple[InboundRecord, bool]:
    """Record a delivered message with `status` (a refused one is recorded as refused);
    returns (its record, is_new). is_new False means a retry: the first delivery's record.

    The unique key decides (bot.idempotency), so replicas racing on one delivery leave one
    row, and the caller's transaction goes on."""
    values = dict(channel=channel, external_id=str(external_id), sender_id=sender_id, text=text,
                  payload=dict(payload or {}), replies=None, status=status,
                  received_at=utc_naive(now), processed_at=None)

    def insert() -> InboundRecord:
        return InboundRecord(id=session.execute(_INSERT, values).inserted_primary_key[0],
                             **values)

    def existing() -> Optional[InboundRecord]:
        row = session.execute(_BY_EXTERNAL_ID, {"channel": channel,
                                                "external_id": values["external_id"]}
                              ).scalars().first()
        return None if row is None else InboundRecord.of(row)

    return write_once(session, insert, existing)


def mark_processed(session: Session, inbound_id: int, replies: Sequence[Any],
                   now: Optional[dt.datetime] = None) -> bool:
    """Keep what the bot answered, so a later retry of the same message gets the same answer.

    One UPDATE; a copy of the row this session already holds is expired, so it reads the
    stored outcome rather than a stale one. False when the row is gone: the citizen's
    deletion of their data (bot.privacy) removes the very message that asked for it, maybe
    before its turn's replies are stored. Nothing is written then, and the caller still
    gives the citizen the replies."""
    updated = session.execute(_PROCESSED, {"row_id": inbound_id, "new_replies": list(replies),
                                           "new_processed_at": utc_naive(now)})
    if updated.rowcount != 1:
        return False
    held = session.identity_map.get(identity_key(InboundMessage, inbound_id))
    if held is not None:
        session.expire(held, ["replies", "status", "processed_at"])
    return True


def mark_failed(session: Session, inbound_id: int,
                now: Optional[dt.datetime] = None) -> Optional[InboundMessage]:
    """Processing failed after the message was recorded: visible to the operator, retryable.
    None when the row is gone (erased meanwhile, as for mark_processed)."""
    row = session.get(InboundMessage, inbound_id)
    if row is None:
        return None
    row.status, row.processed_at = "failed", utc_naive(now)
    session.flush()
    return row


def stale_received(session: Session, channel: str, older_than: dt.timedelta, now: dt.datetime,
                   limit: int = 500) -> List[InboundMessage]:
    """Messages recorded but never processed (the process died mid-turn), oldest first, so a
    channel can run them again at start-up: acknowledged means processed, eventually."""
    return list(session.execute(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.status == RECEIVED,
               InboundMessage.received_at < now - older_than)
        .order_by(InboundMessage.id).limit(limit)
    ).scalars())


def has_earlier_received(session: Session, channel: str, sender_id: str, inbound_id: int) -> bool:
    """True while a message of this sender recorded before `inbound_id` still waits for its
    turn, on whichever replica recorded it: a later turn must not overtake it."""
    return session.execute(_EARLIER_RECEIVED, {"channel": channel, "sender_id": sender_id,
                                               "inbound_id": inbound_id}).first() is not None


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
