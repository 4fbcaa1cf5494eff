"""The web chat's durable side: each function is one unit of work over the core's bot/ API.

These are blocking calls (SQLAlchemy); the channel runs them in a worker thread so a slow
database never stalls the Rasa server's event loop. No SQL here: only bot/ functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional

from bot import attachments, inbound, outbox, sender_limits
from bot.clock import as_utc
from bot.db import read_scope, session_scope
from bot.models import OutboxMessage

from channels.webchat_messages import CHANNEL, MessageRequest

HISTORY_LIMIT = 100  # inbound messages (each with its replies) shown after a reload
UPDATES_LIMIT = 50  # outbox messages returned by one poll; the page asks again from the cursor


@dataclass(frozen=True)
class RecordedMessage:
    """What the inbound record says about a message, read inside its unit of work."""

    inbound_id: int
    is_new: bool
    status: str
    replies: Optional[List[Dict[str, Any]]]
    received_at: datetime


def record_message(message: MessageRequest, now: datetime) -> RecordedMessage:
    """Write the inbound record (committed before the turn runs) or find the earlier one.

    A new message from a blocked or too-busy session raises SenderRefused and nothing is
    written (the unit of work rolls back); a resend of a message already recorded is never
    refused, so its stored answer is still served.
    """
    with session_scope() as session:
        admission = sender_limits.admit(session, channel=CHANNEL, sender_id=message.session_id,
                                        now=now)
        row, is_new = inbound.record_inbound(
            session,
            channel=CHANNEL,
            external_id=message.external_id,
            sender_id=message.session_id,
            text=message.text,
            payload=message.payload(),
            now=now,
        )
        if is_new and not admission.admitted:
            raise sender_limits.SenderRefused(admission.status)
        return RecordedMessage(
            inbound_id=row.id,
            is_new=is_new,
            status=row.status,
            replies=row.replies,
            received_at=row.received_at,
        )


def store_replies(inbound_id: int, replies: List[Dict[str, Any]], now: datetime) -> bool:
    """Keep the answer with the message, so a resend gets it without a second turn. False
    when the message was erased meanwhile (the citizen deleted their data)."""
    with session_scope() as session:
        return inbound.mark_processed(session, inbound_id, replies, now=now)


def mark_turn_failed(inbound_id: int, now: datetime) -> bool:
    """Leave a visible trace for the operator; a resend of the message runs the turn again.
    False when the message was erased meanwhile."""
    with session_scope() as session:
        return inbound.mark_failed(session, inbound_id, now=now) is not None


def load_transcript(session_id: str) -> List[Dict[str, Any]]:
    """The conversation, oldest first: {"at", "role": citizen|assistant, "text"} lines, with the
    messages the city sent through the outbox (staff replies, case updates) in time order;
    those carry "outbox_id", which the page uses as its cursor for GET /updates."""
    with session_scope() as session:
        lines = inbound.transcript_for(session, CHANNEL, session_id, limit=HISTORY_LIMIT)
        delivered = outbox.delivered_to(session, CHANNEL, session_id, limit=HISTORY_LIMIT)
        updates = [outbox_line(row) for row in delivered]
    if not updates:
        return lines
    # A stable sort keeps each turn's replies after its message; an update sent at the same
    # instant as a turn goes after it.
    merged = [(_moment(line), 0, index, line) for index, line in enumerate(lines)]
    merged += [(_moment(line), 1, index, line) for index, line in enumerate(updates)]
    return [line for *_key, line in sorted(merged, key=lambda item: item[:3])]


def _moment(line: Dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(line["at"]))


def load_updates(session_id: str, after_id: int) -> List[Dict[str, Any]]:
    """Outbox messages delivered to this web chat session after the cursor, oldest first."""
    with read_scope() as session:
        rows = outbox.delivered_to(session, CHANNEL, session_id, after_id, limit=UPDATES_LIMIT)
        return [outbox_line(row) for row in rows]


def outbox_line(row: OutboxMessage) -> Dict[str, Any]:
    """One delivered outbox message in the transcript's shape."""
    sent = row.sent_at or row.created_at
    return {"at": as_utc(sent).isoformat(), "role": "assistant", "text": row.body,
            "kind": row.kind, "outbox_id": row.id}


def save_photo(session_id: str, data: bytes, content_type: str, filename: Optional[str]) -> str:
    """Store one uploaded photo; the core checks size and magic bytes (AttachmentRejected).
    A blocked or too-busy session gets SenderRefused and nothing is stored."""
    with session_scope() as session:
        sender_limits.ensure_upload_allowed(session, channel=CHANNEL, sender_id=session_id)
        attachment = attachments.store_attachment(
            session,
            sender_id=session_id,
            channel=CHANNEL,
            data=data,
            content_type=content_type,
            filename=filename,
        )
        return str(attachment.id)
