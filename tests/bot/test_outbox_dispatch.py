"""bot/outbox_dispatch.py: at least once, in order per recipient, never to an opted-out number."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pytest
from sqlalchemy import select

from bot import optouts, outbox
from bot.db import session_scope
from bot.models import OutboxMessage
from bot.outbox_dispatch import PermanentSendFailure, dispatch_due

NOW = dt.datetime(2026, 11, 23, 12, 0)


class FakeSender:
    """Records sends; fails for the recipients and times it is told to."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []
        self.failures: Dict[str, List[Exception]] = {}

    def __call__(self, recipient: str, body: str, payload: Mapping[str, Any]) -> Optional[str]:
        queued = self.failures.get(recipient)
        if queued:
            raise queued.pop(0)
        self.sent.append((recipient, body))
        return f"SM{len(self.sent)}"


@pytest.fixture
def channel() -> str:
    """A channel name of the test's own, so the shared database's other rows stay out."""
    return f"sms-{uuid.uuid4().hex[:8]}"


def factory(db: str):  # type: ignore[no-untyped-def]
    return lambda: session_scope(db)


def queue(db: str, channel: str, recipient: str, body: str, kind: str = "status_update") -> int:
    with session_scope(db) as session:
        return outbox.enqueue(session, channel=channel, recipient=recipient, language="en",
                              kind=kind, body=body, dedupe_key=uuid.uuid4().hex, now=NOW).id


def status_of(db: str, message_id: int) -> OutboxMessage:
    with session_scope(db) as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one()


def test_due_messages_are_sent_in_order_and_marked(db: str, channel: str) -> None:
    first, second = queue(db, channel, "+447700900001", "one"), queue(db, channel, "+447700900001", "two")
    sender = FakeSender()
    result = dispatch_due(factory(db), {channel: sender}, NOW)
    assert sender.sent == [("+447700900001", "one"), ("+447700900001", "two")]
    assert result.sent == [first, second]
    assert status_of(db, first).status == "sent" and status_of(db, second).status == "sent"
    assert dispatch_due(factory(db), {channel: sender}, NOW + dt.timedelta(hours=1)).sent == []


@pytest.mark.parametrize("fails", [False, True])
def test_a_message_erased_while_it_is_sent_leaves_the_pass_going(db: str, channel: str,
                                                                fails: bool) -> None:
    """The citizen deleted their data while a message to them was at the provider: the row
    stays erased (nothing recorded on it), and the other recipients' messages still go."""
    erased = queue(db, channel, "+447700900009", "Your report was updated")
    other = queue(db, channel, "+447700900010", "Your report was fixed")
    sender = FakeSender()

    def send(recipient: str, body: str, payload: Mapping[str, Any]) -> Optional[str]:
        if recipient == "+447700900009":
            with session_scope(db) as session:
                session.delete(session.get(OutboxMessage, erased))
            if fails:
                raise ConnectionError("provider went away")
        return sender(recipient, body, payload)

    result = dispatch_due(factory(db), {channel: send}, NOW)
    assert result.suppressed == [erased] and result.sent == [other]
    assert sender.sent[-1] == ("+447700900010", "Your report was fixed")
    with session_scope(db) as session:
        assert session.get(OutboxMessage, erased) is None


def test_notification_to_an_opted_out_number_is_suppressed_not_sent(db: str, channel: str) -> None:
    message = queue(db, channel, "+447700900002", "Your pothole C-2026-000001 is fixed")
    with session_scope(db) as session:
        optouts.opt_out(session, channel, "+447700900002", "STOP", NOW)
    sender = FakeSender()
    result = dispatch_due(factory(db), {channel: sender}, NOW)
    assert sender.sent == [] and result.suppressed == [message]
    assert status_of(db, message).status == "suppressed"


def test_failure_backs_off_and_holds_later_messages_for_that_recipient(db: str, channel: str) -> None:
    first = queue(db, channel, "+447700900003", "first")
    second = queue(db, channel, "+447700900003", "second")
    other = queue(db, channel, "+447700900004", "other person")
    sender = FakeSender()
    sender.failures["+447700900003"] = [RuntimeError("HTTP 429")]
    result = dispatch_due(factory(db), {channel: sender}, NOW)
    assert result.failed == [first] and result.held == [second] and result.sent == [other]
    row = status_of(db, first)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at == NOW + dt.timedelta(seconds=30)
    # Before the backoff is over nothing goes to that recipient, not even the later message.
    assert dispatch_due(factory(db), {channel: sender}, NOW + dt.timedelta(seconds=10)).sent == []
    later = dispatch_due(factory(db), {channel: sender}, NOW + dt.timedelta(seconds=31))
    assert later.sent == [first, second]
    assert [body for _, body in sender.sent] == ["other person", "first", "second"]


def test_permanent_failure_is_not_retried(db: str, channel: str) -> None:
    message = queue(db, channel, "+447700900005", "hello")
    sender = FakeSender()
    sender.failures["+447700900005"] = [PermanentSendFailure("twilio error 21211")]
    dispatch_due(factory(db), {channel: sender}, NOW)
    assert status_of(db, message).status == "failed"
    assert dispatch_due(factory(db), {channel: sender}, NOW + dt.timedelta(days=1)).sent == []


def test_channels_without_a_sender_are_left_alone(db: str, channel: str) -> None:
    message = queue(db, channel + "-other", "+447700900006", "hello")
    assert dispatch_due(factory(db), {channel: FakeSender()}, NOW).sent == []
    assert status_of(db, message).status == "pending"
