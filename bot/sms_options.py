"""The numbered options a citizen was last offered by SMS, so a reply "1" can pick one.

Kept durably without a table of its own: the SMS output stores each reply it sent, with its
options, on the inbound message it answered (bot.inbound.mark_processed). The options that
count are those of the sender's most recent answered message before the current one; any
newer answer without options means the offer has lapsed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import InboundMessage


def last_offered_options(session: Session, channel: str, sender_id: str,
                         before_inbound_id: Optional[int] = None) -> List[Dict[str, Any]]:
    """Options ({"number", "title", "payload"}) of the sender's latest answered message."""
    query = (select(InboundMessage.replies)
             .where(InboundMessage.channel == channel, InboundMessage.sender_id == sender_id,
                    InboundMessage.status == "processed")
             .order_by(InboundMessage.id.desc()).limit(1))
    if before_inbound_id is not None:
        query = query.where(InboundMessage.id < before_inbound_id)
    replies = session.execute(query).scalars().first() or []
    for reply in reversed(replies):
        if isinstance(reply, Mapping) and reply.get("options"):
            return [dict(option) for option in reply["options"] if isinstance(option, Mapping)]
    return []
