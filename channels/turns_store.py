"""The durable side of provider webhooks (channels/turns.py): one unit of work per function.

These are blocking calls (SQLAlchemy); turns.py runs them in a worker thread so a slow
database never stalls the Rasa server's event loop.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy import or_, update

from bot import inbound, outbox, sender_limits
from bot.db import read_scope, session_scope
from bot.models import InboundMessage
from bot.settings import get_settings


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

    @property
    def admitted(self) -> bool:
        """Runs through the assistant (not refused as limited or blocked)."""
        return self.status not in sender_limits.REFUSED_STATUSES


def record(turn: InboundTurn, now: datetime) -> Recorded:
    """Write the inbound row (committed on return) or find the earlier delivery's row.

    A new message from a blocked or too-busy sender is written with its refusal status in the
    same unit of work, and so is the one polite notice of its window (an outbox message the
    dispatcher sends), so a crash cannot leave a refused message that later runs anyway.
    """
    with session_scope() as session:
        admission = sender_limits.admit(session, channel=turn.channel, sender_id=turn.sender_id,
                                        now=now)
        row, is_new = inbound.record_inbound(
            session, channel=turn.channel, external_id=turn.external_id,
            sender_id=turn.sender_id, text=turn.text,
            payload={"metadata": turn.metadata}, now=now, status=admission.status)
        if is_new and admission.notify:
            _queue_notice(session, turn, row.id, admission.status, now)
        return Recorded(inbound_id=row.id, is_new=is_new, status=row.status)


def _queue_notice(session: Any, turn: InboundTurn, inbound_id: int, status: str,
                  now: datetime) -> None:
    """The 'please slow down' message, through the outbox (retried, rate limited, deduplicated)."""
    language = str(turn.metadata.get("language") or get_settings().default_language)
    outbox.enqueue(session, channel=turn.channel, recipient=turn.sender_id, language=language,
                   kind="sender_limited", body=sender_limits.notice_text(status, language),
                   payload={"inbound_id": inbound_id},
                   dedupe_key=f"sender-limited:{turn.channel}:{inbound_id}", now=now)


def mark_processed(inbound_id: int, replies: List[Dict[str, Any]], now: datetime) -> bool:
    """Keep what was sent with the message (the transcript a caseworker sees). False when
    the message was erased meanwhile (the citizen deleted their data in this turn)."""
    with session_scope() as session:
        return inbound.mark_processed(session, inbound_id, replies, now=now)


def mark_failed(inbound_id: int, now: datetime) -> bool:
    """Leave a visible trace for the operator. False when the message was erased meanwhile."""
    with session_scope() as session:
        return inbound.mark_failed(session, inbound_id, now=now) is not None


def has_earlier_unprocessed(turn: InboundTurn) -> bool:
    """See bot.inbound.has_earlier_received."""
    assert turn.inbound_id is not None
    with read_scope() as session:
        return inbound.has_earlier_received(session, turn.channel, turn.sender_id, turn.inbound_id)


def stale_received(channel: str, older_than: timedelta, now: datetime, limit: int = 500
                   ) -> List[InboundTurn]:
    """Messages recorded but never processed (the process died mid-turn), oldest first."""
    with read_scope() as session:
        rows = inbound.stale_received(session, channel, older_than, now, limit)
        return [InboundTurn(channel=row.channel, external_id=row.external_id,
                            sender_id=row.sender_id, text=row.text,
                            metadata=dict((row.payload or {}).get("metadata") or {}),
                            inbound_id=row.id) for row in rows]


def claim_stale(inbound_id: int, stale_after: timedelta, now: datetime) -> bool:
    """Take a stale 'received' row for one recovery run; False when it was processed meanwhile
    or another replica's recovery claimed it less than `stale_after` ago.

    A compare-and-set on processed_at, which a 'received' row does not otherwise use: it holds
    the moment recovery claimed it (mark_processed/mark_failed overwrite it), so a replica that
    dies while re-running the turn leaves a claim that expires after `stale_after` again.
    """
    with session_scope() as session:
        result = session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == inbound_id, InboundMessage.status == "received",
                   or_(InboundMessage.processed_at.is_(None),
                       InboundMessage.processed_at <= now - stale_after))
            .values(processed_at=now).execution_options(synchronize_session=False))
        return result.rowcount == 1
