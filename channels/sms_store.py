"""The SMS channel's durable side: each function is one unit of work over the core's bot/ API.

Blocking calls (SQLAlchemy); the channel runs them in a worker thread. No SQL here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot import attachments, inbound, optouts, outbox, sms_options
from bot.city import load_city
from bot.clock import utc_naive
from bot.db import read_scope, session_scope
from bot.errors import AttachmentRejected
from bot.settings import get_settings

CHANNEL = "sms"


@dataclass(frozen=True)
class KeywordOutcome:
    """What a STOP/START/HELP did: the reply to send (None: send nothing) and if it was new."""

    is_new: bool
    reply: Optional[str]


def handle_keyword(message_sid: str, sender: str, text: str, kind: str, language: str,
                   now: datetime) -> KeywordOutcome:
    """Record the keyword message and apply it in one unit of work.

    STOP confirms once (a repeated STOP is silent); HELP and START always answer, except that
    HELP gets no answer while the number is opted out (nothing is sent until START).
    """
    with session_scope() as session:
        row, is_new = inbound.record_inbound(session, channel=CHANNEL, external_id=message_sid,
                                             sender_id=sender, text=text,
                                             payload={"keyword": kind}, now=now)
        if not is_new:
            return KeywordOutcome(False, None)
        if kind == optouts.STOP:
            should_reply = optouts.opt_out(session, CHANNEL, sender, text.strip(), now)
        elif kind == optouts.START:
            optouts.opt_in(session, CHANNEL, sender, now)
            should_reply = True
        else:
            should_reply = not optouts.is_opted_out(session, CHANNEL, sender)
        reply = optouts.keyword_reply(kind, language, load_city()) if should_reply else None
        inbound.mark_processed(session, row.id, [{"recipient_id": sender, "text": reply}]
                               if reply else [], now=now)
        return KeywordOutcome(True, reply)


def opted_out(address: str) -> bool:
    """Must nothing more be sent to this number?"""
    with read_scope() as session:
        return optouts.is_opted_out(session, CHANNEL, address)


def record_carrier_opt_out(address: str, now: Optional[datetime] = None) -> None:
    """Twilio reported the number unsubscribed (error 21610): remember it as a STOP."""
    with session_scope() as session:
        optouts.opt_out(session, CHANNEL, address, "CARRIER", utc_naive(now))


def queue_reply(recipient: str, body: str, dedupe_key: str, now: Optional[datetime] = None) -> None:
    """A reply that could not be sent now: the outbox dispatcher retries it with backoff."""
    with session_scope() as session:
        outbox.enqueue(session, channel=CHANNEL, recipient=recipient,
                       language=get_settings().default_language, kind="reply", body=body,
                       dedupe_key=dedupe_key, now=now)


def offered_options(sender: str, before_inbound_id: Optional[int]) -> List[Dict[str, Any]]:
    """The numbered options the sender was last offered (for a reply like "2")."""
    with read_scope() as session:
        return sms_options.last_offered_options(session, CHANNEL, sender, before_inbound_id)


def store_photos(sender: str, photos: Sequence[Tuple[bytes, str]]) -> Tuple[List[str], int]:
    """Keep each MMS photo as an attachment; returns (ids, how many were refused)."""
    ids: List[str] = []
    refused = 0
    for data, content_type in photos:
        try:
            with session_scope() as session:
                stored = attachments.store_attachment(session, sender_id=sender, channel=CHANNEL,
                                                      data=data, content_type=content_type,
                                                      filename=None)
                ids.append(str(stored.id))
        except AttachmentRejected:
            refused += 1
    return ids, refused
