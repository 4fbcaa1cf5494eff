"""The block list staff manage: senders whose messages are acknowledged and dropped.

A block is per channel and sender id (a phone number, a Telegram chat id, a web chat
session). It may expire; removing it keeps the row (removed_at) as a record of who was blocked,
why and for how long. Every change is audited by the caller's staff identity. A blocked
sender's messages are recorded with status "blocked" (bot.sender_limits.BLOCKED) and never
reach the assistant, so they never become cases.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, List, Optional

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Exists

from bot import audit
from bot.clock import utc_naive
from bot.errors import CivicError, InvalidInput
from bot.models import BlockedSender

CHANNELS = ("telegram", "sms", "webchat")
MAX_REASON_CHARS = 500
MAX_SENDER_CHARS = 120  # the width of blocked_senders.sender_id
MAX_DAYS = 3650


class BlockNotFound(CivicError):
    """No active block with that id (never existed, removed or expired)."""


@dataclass(frozen=True)
class BlockView:
    """One block as the console lists it (no ORM object leaves the unit of work)."""

    id: int
    channel: str
    sender_id: str
    reason: str
    created_by: str
    created_at: dt.datetime
    expires_at: Optional[dt.datetime]


def _active(now: dt.datetime):  # type: ignore[no-untyped-def]
    return (BlockedSender.removed_at.is_(None),
            or_(BlockedSender.expires_at.is_(None), BlockedSender.expires_at > now))


def _view(row: BlockedSender) -> BlockView:
    return BlockView(id=row.id, channel=row.channel, sender_id=row.sender_id, reason=row.reason,
                     created_by=row.created_by, created_at=row.created_at, expires_at=row.expires_at)


def is_blocked(session: Session, channel: str, sender_id: str,
               now: Optional[dt.datetime] = None) -> bool:
    """Is there an active (not removed, not expired) block on this sender?"""
    return bool(session.execute(
        select(active_block(channel, sender_id, utc_naive(now)))).scalar_one())


def active_block(channel: Any, sender_id: Any, moment: Any) -> Exists:
    """The SQL test behind is_blocked, for a query that asks it along with other things
    (bot.sender_limits.admit asks it with the sender's counts, in one round trip, in a
    statement built once). The arguments are values or bound parameters; `moment` is UTC
    without a zone (bot.clock.utc_naive)."""
    return exists().where(BlockedSender.channel == channel, BlockedSender.sender_id == sender_id,
                          *_active(moment))


def _validated(channel: str, sender_id: str, reason: str, days: Optional[float]) -> tuple:
    """Refuse a block staff could not have meant (or the columns cannot hold)."""
    sender_id, reason = (sender_id or "").strip(), (reason or "").strip()
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
    if not sender_id or len(sender_id) > MAX_SENDER_CHARS:
        raise InvalidInput(f"sender id must be 1-{MAX_SENDER_CHARS} characters")
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"a reason of 1-{MAX_REASON_CHARS} characters is required")
    if days is not None and not (0 < days <= MAX_DAYS):
        raise InvalidInput(f"a block lasts between a moment and {MAX_DAYS} days (or until removed)")
    return sender_id, reason


def block(session: Session, *, channel: str, sender_id: str, reason: str, by: str,
          days: Optional[float] = None, ip: Optional[str] = None,
          now: Optional[dt.datetime] = None) -> BlockView:
    """Block a sender (for `days`, or until removed); an existing active block is returned
    unchanged, so a double submit does not stack blocks."""
    moment = utc_naive(now)
    sender_id, reason = _validated(channel, sender_id, reason, days)
    existing = session.execute(select(BlockedSender).where(
        BlockedSender.channel == channel, BlockedSender.sender_id == sender_id, *_active(moment))
    ).scalars().first()
    if existing is not None:
        return _view(existing)
    row = BlockedSender(channel=channel, sender_id=sender_id, reason=reason, created_by=by[:80],
                        created_at=moment,
                        expires_at=moment + dt.timedelta(days=days) if days else None)
    session.add(row)
    session.flush()
    audit.record(session, actor=by, action="sender.block", target_type="blocked_sender",
                 target_id=str(row.id), before=None,
                 after={"channel": channel, "reason": reason, "expires_at": row.expires_at},
                 ip=ip, now=moment)
    return _view(row)


def unblock(session: Session, block_id: int, *, by: str, ip: Optional[str] = None,
            now: Optional[dt.datetime] = None) -> BlockView:
    """End an active block now; BlockNotFound when there is none with that id."""
    moment = utc_naive(now)
    row = session.execute(select(BlockedSender).where(BlockedSender.id == block_id, *_active(moment))
                          ).scalars().first()
    if row is None:
        raise BlockNotFound(f"no active block {block_id}")
    row.removed_at = moment
    session.flush()
    audit.record(session, actor=by, action="sender.unblock", target_type="blocked_sender",
                 target_id=str(row.id), before={"channel": row.channel, "reason": row.reason},
                 after={"removed_at": moment}, ip=ip, now=moment)
    return _view(row)


def active_blocks(session: Session, now: Optional[dt.datetime] = None,
                  limit: int = 500) -> List[BlockView]:
    """Active blocks, newest first."""
    rows = session.execute(select(BlockedSender).where(*_active(utc_naive(now)))
                           .order_by(BlockedSender.id.desc()).limit(limit)).scalars()
    return [_view(row) for row in rows]
