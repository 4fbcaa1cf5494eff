"""The live conversation a caseworker sees: the citizen's messages (the inbound log) and what
the city sent them (the outbox), merged in time order, fetched incrementally by the page.

Two tables, so the page's cursor holds two ids. Ids grow, but on PostgreSQL a row can commit
after a row with a higher id (sequences are handed out before commit), so each poll also
returns the last RECENT_OVERLAP of rows again; the page skips lines it already shows (by id).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.errors import InvalidInput
from bot.models import Escalation, InboundMessage, OutboxMessage

CONVERSATION_LEAD = dt.timedelta(minutes=2)  # the message that asked for a person comes first
RECENT_OVERLAP = dt.timedelta(seconds=30)  # far longer than any unit of work takes to commit


@dataclass(frozen=True)
class Cursor:
    """Where a page is in the conversation: the last citizen message and outbox row it has.

    Two ids, because the lines come from two tables; "12.7" in URLs.
    """

    inbound_id: int = 0
    outbox_id: int = 0

    @classmethod
    def parse(cls, text: Optional[str]) -> "Cursor":
        if not text:
            return cls()
        match = re.fullmatch(r"(\d{1,18})\.(\d{1,18})", text)
        if match is None:
            raise InvalidInput("after must look like 12.7")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.inbound_id}.{self.outbox_id}"


@dataclass(frozen=True)
class Line:
    """One message of the conversation. role: citizen, staff (a reply) or city (a notice)."""

    id: str
    role: str
    kind: str
    text: str
    at: dt.datetime  # naive UTC
    delivery: Optional[str] = None  # outbox status for messages to the citizen


@dataclass(frozen=True)
class Conversation:
    lines: List[Line]
    cursor: Cursor


def conversation(session: Session, escalation: Escalation, after: Optional[Cursor] = None,
                 now: Optional[dt.datetime] = None, limit: int = 500) -> Conversation:
    """The citizen's messages and what the city sent them since the escalation, oldest first;
    with `after`, only lines past the cursor plus the last RECENT_OVERLAP (see above)."""
    after = after or Cursor()
    since = escalation.created_at - CONVERSATION_LEAD
    recent = utc_naive(now) - RECENT_OVERLAP
    inbound = select(InboundMessage).where(
        InboundMessage.channel == escalation.channel,
        InboundMessage.sender_id == escalation.sender_id, InboundMessage.received_at >= since,
        or_(InboundMessage.id > after.inbound_id, InboundMessage.received_at >= recent))
    outbound = select(OutboxMessage).where(
        OutboxMessage.channel == escalation.channel,
        OutboxMessage.recipient == escalation.sender_id, OutboxMessage.created_at >= since,
        or_(OutboxMessage.id > after.outbox_id, OutboxMessage.created_at >= recent))
    if escalation.closed_at is not None:
        inbound = inbound.where(InboundMessage.received_at <= escalation.closed_at)
        outbound = outbound.where(OutboxMessage.created_at <= escalation.closed_at)
    citizen = session.execute(inbound.order_by(InboundMessage.id).limit(limit)).scalars().all()
    city = session.execute(outbound.order_by(OutboxMessage.id).limit(limit)).scalars().all()
    lines = [Line(f"in-{row.id}", "citizen", "message", row.text or "", row.received_at)
             for row in citizen if row.text]
    lines += [Line(f"out-{row.id}", "staff" if row.kind == "handoff_reply" else "city", row.kind,
                   row.body, row.created_at, row.status) for row in city]
    lines.sort(key=lambda line: (line.at, line.id))
    cursor = Cursor(max([after.inbound_id] + [row.id for row in citizen]),
                    max([after.outbox_id] + [row.id for row in city]))
    return Conversation(lines, cursor)


def delivery_states(session: Session, escalation: Escalation) -> Dict[str, str]:
    """Outbox status of every message to this conversation since the escalation, so a page
    that already shows a reply can update "sending" to "sent" (or "failed")."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.status).where(
            OutboxMessage.channel == escalation.channel,
            OutboxMessage.recipient == escalation.sender_id,
            OutboxMessage.created_at >= escalation.created_at - CONVERSATION_LEAD)).all()
    return {f"out-{row.id}": row.status for row in rows}
