"""bot/outbox.py claims and bot/outbox_dispatch.py reconciliation, on SQLite and PostgreSQL:
one sender per message even with two dispatchers, and a dispatcher that dies mid-send leaves a
row that is settled once (sent if the provider has it, sent again if it never got there)."""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pytest
from sqlalchemy import select

from bot import outbox
from bot.db import session_scope
from bot.models import OutboxMessage
from bot.outbox_dispatch import (DispatchOptions, NotDeliverable, OutcomeUnknown, dispatch_due)

NOW = dt.datetime(2026, 11, 23, 12, 0)
LEASE = dt.timedelta(minutes=5)
AFTER_LEASE = NOW + LEASE + dt.timedelta(seconds=1)


class Provider:
    """A provider that remembers what it accepted (and when), and can be asked about it."""

    def __init__(self) -> None:
        self.accepted: List[Tuple[str, str, dt.datetime]] = []
        self.errors: List[Exception] = []
        self.clock = NOW
        self._lock = threading.Lock()

    def send(self, recipient: str, body: str, payload: Mapping[str, Any]) -> Optional[str]:
        with self._lock:
            if self.errors:
                raise self.errors.pop(0)
            self.accepted.append((recipient, body, self.clock))
            return f"P{len(self.accepted)}"

    def count(self, recipient: str, body: str, since: dt.datetime) -> int:
        return sum(1 for to, text, at in self.accepted if to == recipient and text == body and at >= since)

    def bodies(self, recipient: str) -> List[str]:
        return [text for to, text, _at in self.accepted if to == recipient]


class Died(Exception):
    """The process died here (the subprocess crash test does it with os._exit)."""


def dies_at(stage: str):  # type: ignore[no-untyped-def]
    def checkpoint(reached: str, _message_id: int) -> None:
        if reached == stage:
            raise Died(stage)
    return checkpoint


@pytest.fixture
def channel() -> str:
    return f"ch-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def recipient() -> str:
    return f"+4477009{uuid.uuid4().int % 10**5:05d}"


def factory(db: str):  # type: ignore[no-untyped-def]
    return lambda: session_scope(db)


def queue(db: str, channel: str, recipient: str, body: str) -> int:
    with session_scope(db) as session:
        return outbox.enqueue(session, channel=channel, recipient=recipient, language="en",
                              kind="status_update", body=body, dedupe_key=uuid.uuid4().hex, now=NOW).id


def status(db: str, message_id: int) -> str:
    with session_scope(db) as session:
        return session.execute(select(OutboxMessage.status).where(OutboxMessage.id == message_id)).scalar_one()


def run(db: str, channel: str, provider: Provider, at: dt.datetime, lookup: bool = True,
        **options: Any):  # type: ignore[no-untyped-def]
    lookups: Dict[str, Any] = {channel: provider.count} if lookup else {}
    return dispatch_due(factory(db), {channel: provider.send}, at, lookups=lookups,
                        options=DispatchOptions(lease=LEASE, **options))


def test_only_one_claim_of_a_message_wins(db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "hello")
    with session_scope(db) as session:
        assert outbox.claim(session, message, NOW, LEASE) is True
    with session_scope(db) as session:
        assert outbox.claim(session, message, NOW, LEASE) is False
        assert session.get(OutboxMessage, message).next_attempt_at == NOW + LEASE


def test_an_expired_claim_is_settled_once(db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "hello")
    with session_scope(db) as session:
        outbox.claim(session, message, NOW, LEASE)
    with session_scope(db) as session:
        assert outbox.settle_expired(session, message, NOW + LEASE, delivered=False, now=AFTER_LEASE)
    with session_scope(db) as session:  # a second reconciler read the same lease: no effect
        assert not outbox.settle_expired(session, message, NOW + LEASE, delivered=True, now=AFTER_LEASE)
        assert session.get(OutboxMessage, message).status == "pending"


def test_two_dispatchers_at_once_send_each_message_once(db: str, channel: str) -> None:
    recipients = [f"+44770090{index:04d}{uuid.uuid4().int % 10:d}" for index in range(6)]
    for index, to in enumerate(recipients):
        for part in range(3):
            queue(db, channel, to, f"message {part} for {index}")
    provider = Provider()
    threads = [threading.Thread(target=run, args=(db, channel, provider, NOW)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for _ in range(4):  # what one dispatcher held back behind the other's claim
        run(db, channel, provider, NOW)
    for index, to in enumerate(recipients):
        assert provider.bodies(to) == [f"message {part} for {index}" for part in range(3)]


def test_a_claim_lost_before_the_send_is_sent_after_the_lease(db: str, channel: str, recipient: str) -> None:
    first, second = queue(db, channel, recipient, "first"), queue(db, channel, recipient, "second")
    provider = Provider()
    with pytest.raises(Died):
        run(db, channel, provider, NOW, checkpoint=dies_at("claimed"))
    assert status(db, first) == "sending" and provider.accepted == []
    early = run(db, channel, provider, NOW + LEASE / 2)
    assert early.sent == [] and early.held == [second], "the claim still holds the order"
    result = run(db, channel, provider, AFTER_LEASE)
    assert result.released == [first] and result.sent == [first, second]
    assert provider.bodies(recipient) == ["first", "second"]


def test_a_claim_lost_after_the_provider_took_it_is_marked_sent_not_resent(
        db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "your report is fixed")
    provider = Provider()
    with pytest.raises(Died):
        run(db, channel, provider, NOW, checkpoint=dies_at("accepted"))
    result = run(db, channel, provider, AFTER_LEASE)
    assert result.reconciled == [message] and result.sent == []
    assert status(db, message) == "sent" and provider.bodies(recipient) == ["your report is fixed"]


def test_an_identical_earlier_message_is_not_mistaken_for_the_lost_one(
        db: str, channel: str, recipient: str) -> None:
    first = queue(db, channel, recipient, "A caseworker will reply soon")
    provider = Provider()
    assert run(db, channel, provider, NOW).sent == [first]
    second = queue(db, channel, recipient, "A caseworker will reply soon")
    with pytest.raises(Died):
        run(db, channel, provider, NOW, checkpoint=dies_at("claimed"))
    result = run(db, channel, provider, AFTER_LEASE)
    assert result.released == [second] and result.sent == [second]
    assert provider.bodies(recipient) == ["A caseworker will reply soon"] * 2


def test_without_a_lookup_a_lost_claim_is_sent_again(db: str, channel: str, recipient: str) -> None:
    """Telegram's case: at least once; the duplicate is the documented price of this window."""
    queue(db, channel, recipient, "hello")
    provider = Provider()
    with pytest.raises(Died):
        run(db, channel, provider, NOW, lookup=False, checkpoint=dies_at("accepted"))
    run(db, channel, provider, AFTER_LEASE, lookup=False)
    assert provider.bodies(recipient) == ["hello", "hello"]


def test_a_caller_without_lookups_leaves_expired_claims_to_the_dispatcher(
        db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "hello")
    provider = Provider()
    with pytest.raises(Died):
        run(db, channel, provider, NOW, checkpoint=dies_at("claimed"))
    dispatch_due(factory(db), {channel: provider.send}, AFTER_LEASE)  # the SMS channel's old loop
    assert status(db, message) == "sending" and provider.accepted == []


def test_an_unknown_outcome_is_checked_before_any_resend(db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "status update")
    provider = Provider()
    provider.errors.append(OutcomeUnknown("read timeout"))
    assert run(db, channel, provider, NOW).failed == [message]
    assert status(db, message) == "sending"
    provider.accepted.append((recipient, "status update", NOW))  # it had gone through after all
    assert run(db, channel, provider, AFTER_LEASE).reconciled == [message]
    assert provider.bodies(recipient) == ["status update"]


def test_a_provider_that_cannot_be_asked_leaves_the_row_for_later(
        db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "hello")
    provider = Provider()
    with pytest.raises(Died):
        run(db, channel, provider, NOW, checkpoint=dies_at("claimed"))

    def broken_lookup(*_args: Any) -> int:
        raise ConnectionError("provider down")

    dispatch_due(factory(db), {channel: provider.send}, AFTER_LEASE, lookups={channel: broken_lookup},
                 options=DispatchOptions(lease=LEASE))
    assert status(db, message) == "sending" and provider.accepted == []


def test_a_channel_that_cannot_push_suppresses_with_its_reason(db: str, channel: str, recipient: str) -> None:
    message = queue(db, channel, recipient, "hello")

    def refuse(*_args: Any) -> None:
        raise NotDeliverable("no push channel")

    assert dispatch_due(factory(db), {channel: refuse}, NOW).suppressed == [message]
    with session_scope(db) as session:
        row = session.get(OutboxMessage, message)
        assert (row.status, row.last_error) == ("suppressed", "no push channel")


def test_delivered_to_lists_sent_messages_after_a_cursor(db: str, channel: str, recipient: str) -> None:
    ids = [queue(db, channel, recipient, f"m{index}") for index in range(3)]
    queue(db, channel, recipient + "9", "someone else's")
    with session_scope(db) as session:
        for message_id in ids[:2]:
            outbox.mark_sent(session, message_id, NOW)
    with session_scope(db) as session:
        assert [m.body for m in outbox.delivered_to(session, channel, recipient)] == ["m0", "m1"]
        assert [m.body for m in outbox.delivered_to(session, channel, recipient, ids[0])] == ["m1"]
        assert [m.body for m in outbox.delivered_to(session, channel, recipient, limit=1)] == ["m1"]
