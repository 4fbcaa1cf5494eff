"""The web chat's durable side: each function is one unit of work over the core's bot/ API.

These are blocking calls (SQLAlchemy); the channel runs them in a worker thread so a slow
database never stalls the Rasa server's event loop. No SQL here: only bot/ functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional

from bot import attachments, inbound
from bot.db import session_scope

from channels.webchat_messages import CHANNEL, MessageRequest

HISTORY_LIMIT = 100  # inbound messages (each with its replies) shown after a reload


@dataclass(frozen=True)
class RecordedMessage:
    """What the inbound record says about a message, read inside its unit of work."""

    inbound_id: int
    is_new: bool
    status: str
    replies: Optional[List[Dict[str, Any]]]
    received_at: datetime


def record_message(message: MessageRequest, now: datetime) -> RecordedMessage:
    """Write the inbound record (committed before the turn runs) or find the earlier one."""
    with session_scope() as session:
        row, is_new = inbound.record_inbound(
            session,
            channel=CHANNEL,
            external_id=message.external_id,
            sender_id=message.session_id,
            text=message.text,
            payload=message.payload(),
            now=now,
        )
        return RecordedMessage(
            inbound_id=row.id,
            is_new=is_new,
            status=row.status,
            replies=row.replies,
            received_at=row.received_at,
        )


def store_replies(inbound_id: int, replies: List[Dict[str, Any]], now: datetime) -> None:
    """Keep the answer with the message, so a resend gets it without a second turn."""
    with session_scope() as session:
        inbound.mark_processed(session, inbound_id, replies, now=now)


def mark_turn_failed(inbound_id: int, now: datetime) -> None:
    """Leave a visible trace for the operator; a resend of the message runs the turn again."""
    with session_scope() as session:
        inbound.mark_failed(session, inbound_id, now=now)


def load_transcript(session_id: str) -> List[Dict[str, Any]]:
    """The conversation, oldest first: {"at", "role": citizen|assistant, "text"} lines."""
    with session_scope() as session:
        return inbound.transcript_for(session, CHANNEL, session_id, limit=HISTORY_LIMIT)


def save_photo(session_id: str, data: bytes, content_type: str, filename: Optional[str]) -> str:
    """Store one uploaded photo; the core checks size and magic bytes (AttachmentRejected)."""
    with session_scope() as session:
        attachment = attachments.store_attachment(
            session,
            sender_id=session_id,
            channel=CHANNEL,
            data=data,
            content_type=content_type,
            filename=filename,
        )
        return str(attachment.id)
