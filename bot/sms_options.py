"""The numbered options a citizen was last offered by SMS, so a reply "1" can pick one.

Kept durably without a table of its own: the SMS output stores each reply it sent, with its
options, on the inbound message it answered (bot.inbound.mark_processed). The options that
count are those of the sender's most recent answered message before the current one; any
newer answer without options means the offer has lapsed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.models import InboundMessage

# Asked for every SMS message: built once, with bound parameters.
_LATEST_ANSWERED = (select(InboundMessage.replies)
                    .where(InboundMessage.channel == bindparam("channel"),
                           InboundMessage.sender_id == bindparam("sender_id"),
                           InboundMessage.status == "processed")
                    .order_by(InboundMessage.id.desc()).limit(1))
_LATEST_ANSWERED_BEFORE = _LATEST_ANSWERED.where(InboundMessage.id < bindparam("before_id"))


def last_offered_options(session: Session, channel: str, sender_id: str,
                         before_inbound_id: Optional[int] = None) -> List[Dict[str, Any]]:
    """Options ({"number", "title", "payload"}) of the sender's latest answered message."""
    parameters: Dict[str, Any] = {"channel": channel, "sender_id": sender_id}
    query = _LATEST_ANSWERED
    if before_inbound_id is not None:
        query, parameters["before_id"] = _LATEST_ANSWERED_BEFORE, before_inbound_id
    replies = session.execute(query, parameters).scalars().first() or []
    for reply in reversed(replies):
        if isinstance(reply, Mapping) and reply.get("options"):
            return [dict(option) for option in reply["options"] if isinstance(option, Mapping)]
    return []
