"""The durable side of provider webhooks (channels/turns.py): one unit of work per function.

These are blocking calls (SQLAlchemy); turns.py runs them in a worker thread so a slow
database never stalls the Rasa server's event loop.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from bot import inbound
from bot.db import session_scope


@dataclass(frozen=True)
class InboundTurn:
    """One provider message, as the channel parsed it; everything needed to run its turn.

    `metadata` goes to Rasa's UserMessage and is stored with the row (payload["metadata"]), so
    a turn recovered after a crash gets the same metadata (location, attachments, language).
    """

    channel: str
    external_id: str
    sender_id: str
    text: Optional[str]
    metadata: Dict[str, Any] = field(default_factory=dict)
    inbound_id: Optional[int] = None


@dataclass(frozen=True)
class Recorded:
    """What the inbound record says about a delivery: its row id and whether it is new."""

    inbound_id: int
    is_new: bool
    status: str


def record(turn: InboundTurn, now: datetime) -> Recorded:
    """Write the inbound row (committed on return) or find the earlier delivery's row."""
    with session_scope() as session:
        row, is_new = inbound.record_inbound(
            session, channel=turn.channel, external_id=turn.external_id,
            sender_id=turn.sender_id, text=turn.text,
            payload={"metadata": turn.metadata}, now=now)
        return Recorded(inbound_id=row.id, is_new=is_new, status=row.status)


def mark_processed(inbound_id: int, replies: List[Dict[str, Any]], now: datetime) -> None:
    """Keep what was sent with the message (the transcript a caseworker sees)."""
    with session_scope() as session:
        inbound.mark_processed(session, inbound_id, replies, now=now)


def mark_failed(inbound_id: int, now: datetime) -> None:
    """Leave a visible trace for the operator."""
    with session_scope() as session:
        inbound.mark_failed(session, inbound_id, now=now)


def stale_received(channel: str, older_than: timedelta, now: datetime, limit: int = 500
                   ) -> List[InboundTurn]:
    """Messages recorded but never processed (the process died mid-turn), oldest first."""
    with session_scope() as session:
        rows = inbound.stale_received(session, channel, older_than, now, limit)
        return [InboundTurn(channel=row.channel, external_id=row.external_id,
                            sender_id=row.sender_id, text=row.text,
                            metadata=dict((row.payload or {}).get("metadata") or {}),
                            inbound_id=row.id) for row in rows]
