"""bot/blocklist.py: block, unblock, list, expiry, validation and the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest
from sqlalchemy import select

from bot import blocklist
from bot.blocklist import BlockNotFound
from bot.errors import InvalidInput
from bot.models import AuditEntry

NOW = dt.datetime(2026, 11, 23, 12, 0)


def test_a_block_applies_to_its_channel_and_sender_only(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        blocklist.block(session, channel="sms", sender_id=sender, reason="abuse", by="ann", now=NOW)
        assert blocklist.is_blocked(session, "sms", sender, NOW)
        assert not blocklist.is_blocked(session, "telegram", sender, NOW)
        assert not blocklist.is_blocked(session, "sms", sender + "0", NOW)


def test_a_block_with_days_expires(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        view = blocklist.block(session, channel="telegram", sender_id=sender, reason="spam",
                               by="ann", days=1, now=NOW)
        assert view.expires_at == NOW + dt.timedelta(days=1)
        assert blocklist.is_blocked(session, "telegram", sender, NOW + dt.timedelta(hours=23))
        assert not blocklist.is_blocked(session, "telegram", sender, NOW + dt.timedelta(days=1, seconds=1))
        listed = [block.id for block in blocklist.active_blocks(session, NOW + dt.timedelta(days=2))]
        assert view.id not in listed


def test_unblock_ends_the_block_and_keeps_the_record(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        view = blocklist.block(session, channel="webchat", sender_id=sender, reason="abuse",
                               by="ann", now=NOW)
        assert view.id in [block.id for block in blocklist.active_blocks(session, NOW)]
        blocklist.unblock(session, view.id, by="bob", ip="10.0.0.1", now=NOW + dt.timedelta(minutes=1))
        assert not blocklist.is_blocked(session, "webchat", sender, NOW + dt.timedelta(minutes=2))
        with pytest.raises(BlockNotFound):
            blocklist.unblock(session, view.id, by="bob", now=NOW + dt.timedelta(minutes=3))
        actions = session.execute(select(AuditEntry.action, AuditEntry.actor).where(
            AuditEntry.target_type == "blocked_sender", AuditEntry.target_id == str(view.id))
        ).all()
    assert sorted(actions) == [("sender.block", "ann"), ("sender.unblock", "bob")]


def test_blocking_twice_keeps_one_active_block(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        first = blocklist.block(session, channel="sms", sender_id=sender, reason="a", by="ann", now=NOW)
        second = blocklist.block(session, channel="sms", sender_id=f" {sender} ", reason="b",
                                 by="ann", now=NOW)
    assert first.id == second.id


def test_the_audit_entry_does_not_hold_the_sender_id(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        view = blocklist.block(session, channel="sms", sender_id=sender, reason="abuse", by="ann",
                               now=NOW)
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.target_type == "blocked_sender", AuditEntry.target_id == str(view.id))
        ).scalars().one()
        assert sender not in repr(entry.before) + repr(entry.after)


@pytest.mark.parametrize("channel,sender_id,reason,days", [
    ("fax", "123", "abuse", None),
    ("sms", "", "abuse", None),
    ("sms", "x" * 121, "abuse", None),
    ("sms", "123", "   ", None),
    ("sms", "123", "r" * 501, None),
    ("sms", "123", "abuse", 0),
    ("sms", "123", "abuse", -1),
    ("sms", "123", "abuse", 5000),
])
def test_blocks_staff_could_not_have_meant_are_refused(session_for: Callable, channel: str,
                                                       sender_id: str, reason: str, days) -> None:
    with session_for() as session:
        with pytest.raises(InvalidInput):
            blocklist.block(session, channel=channel, sender_id=sender_id, reason=reason,
                            by="ann", days=days, now=NOW)
