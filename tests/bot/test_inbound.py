"""bot.inbound: every delivered message is recorded once; retries find the first record."""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import List

import pytest
from sqlalchemy import func, select

from bot.db import session_scope
from bot.inbound import (mark_failed, mark_processed, record_inbound, stale_received,
                         transcript_for)
from bot.models import InboundMessage

NOW = dt.datetime(2026, 11, 23, 12, 0)


def test_first_delivery_is_new_and_a_retry_is_not(db: str, sender: str) -> None:
    external = uuid.uuid4().hex
    with session_scope(db) as session:
        first, is_new = record_inbound(session, channel="sms", external_id=external,
                                       sender_id=sender, text="hello", payload={"a": 1}, now=NOW)
        assert is_new and first.status == "received"
    with session_scope(db) as session:
        again, is_new = record_inbound(session, channel="sms", external_id=external,
                                       sender_id=sender, text="hello", payload={}, now=NOW)
        assert not is_new and again.id == first.id and again.payload == {"a": 1}
        # the transaction survived the clash: more writes in it still commit
        _, other_new = record_inbound(session, channel="sms", external_id=uuid.uuid4().hex,
                                      sender_id=sender, text="next", now=NOW)
        assert other_new


def test_same_external_id_on_another_channel_is_a_different_message(db: str, sender: str) -> None:
    external = uuid.uuid4().hex
    with session_scope(db) as session:
        assert record_inbound(session, channel="sms", external_id=external, sender_id=sender, text="a")[1]
        assert record_inbound(session, channel="telegram", external_id=external, sender_id=sender, text="a")[1]


def test_concurrent_deliveries_of_one_message_record_one_row(db: str, sender: str) -> None:
    external = uuid.uuid4().hex
    barrier = threading.Barrier(5)
    outcomes: List[bool] = []
    errors: List[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(db) as session:
                outcomes.append(record_inbound(session, channel="telegram", external_id=external,
                                               sender_id=sender, text="hi")[1])
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and sorted(outcomes) == [False, False, False, False, True]
    with session_scope(db) as session:
        assert session.execute(select(func.count(InboundMessage.id)).where(
            InboundMessage.external_id == external)).scalar_one() == 1


def test_processed_message_keeps_its_replies(db: str, sender: str) -> None:
    with session_scope(db) as session:
        row, _ = record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex,
                                sender_id=sender, text="hi")
        assert mark_processed(session, row.id, [{"text": "Hello!"}], now=NOW) is True
    with session_scope(db) as session:
        stored = session.get(InboundMessage, row.id)
        assert stored.status == "processed" and stored.replies == [{"text": "Hello!"}]
        assert stored.processed_at == NOW
        assert mark_failed(session, row.id, now=NOW).status == "failed"


def test_a_row_the_session_holds_reads_the_stored_outcome(db: str, sender: str) -> None:
    """mark_processed writes with one UPDATE, not through the ORM: a copy of the row already
    loaded in the same unit of work must not keep showing 'received'."""
    with session_scope(db) as session:
        row, _ = record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex,
                                sender_id=sender, text="hi")
        held = session.get(InboundMessage, row.id)
        assert held.status == "received"
        mark_processed(session, row.id, [{"text": "Hello!"}], now=NOW)
        assert (held.status, held.replies, held.processed_at) == (
            "processed", [{"text": "Hello!"}], NOW)


def test_marking_a_message_that_is_not_there_says_so(db: str) -> None:
    """A message erased during its own turn (it asked for the citizen's data to be deleted):
    nothing is written, and the caller is told."""
    with session_scope(db) as session:
        assert mark_processed(session, 2 ** 31 - 1, []) is False
        assert mark_failed(session, 2 ** 31 - 1) is None
        assert session.get(InboundMessage, 2 ** 31 - 1) is None


def test_a_refused_message_is_recorded_with_its_status_and_a_retry_keeps_it(db: str,
                                                                           sender: str) -> None:
    external = uuid.uuid4().hex
    with session_scope(db) as session:
        first, _ = record_inbound(session, channel="telegram", external_id=external,
                                  sender_id=sender, text="hi", now=NOW, status="limited")
    with session_scope(db) as session:
        again, is_new = record_inbound(session, channel="telegram", external_id=external,
                                       sender_id=sender, text="hi", now=NOW)
        stored = session.get(InboundMessage, first.id)
    assert not is_new and again == first
    assert (stored.status, stored.text, stored.received_at) == ("limited", "hi", NOW)


def test_transcript_interleaves_citizen_and_assistant_oldest_first(db: str, sender: str) -> None:
    with session_scope(db) as session:
        for number in range(4):
            row, _ = record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex,
                                    sender_id=sender, text=f"q{number}",
                                    now=NOW + dt.timedelta(minutes=number))
            mark_processed(session, row.id, [{"text": f"a{number}"}, {"image": "x.png"}])
        record_inbound(session, channel="sms", external_id=uuid.uuid4().hex, sender_id=sender, text="sms")
    with session_scope(db) as session:
        lines = transcript_for(session, "webchat", sender, limit=2)
    assert [(line["role"], line["text"]) for line in lines] == [
        ("citizen", "q2"), ("assistant", "a2"), ("citizen", "q3"), ("assistant", "a3")]
    assert lines[0]["at"].startswith("2026-11-23T12:02")


def test_only_old_unprocessed_messages_are_stale(db: str, sender: str) -> None:
    start = dt.datetime(2026, 5, 4, 9, 0)
    with session_scope(db) as session:
        old, _ = record_inbound(session, channel="sms", external_id="SM-old", sender_id=sender,
                                text="a", now=start)
        done, _ = record_inbound(session, channel="sms", external_id="SM-done", sender_id=sender,
                                 text="b", now=start)
        mark_processed(session, done.id, [], now=start)
        record_inbound(session, channel="sms", external_id="SM-new", sender_id=sender, text="c",
                       now=start + dt.timedelta(minutes=9))
        record_inbound(session, channel="telegram", external_id="1", sender_id=sender, text="d",
                       now=start)
    with session_scope(db) as session:
        stale = stale_received(session, "sms", dt.timedelta(minutes=5),
                               now=start + dt.timedelta(minutes=10))
        # The database is shared with other tests: look at this sender's rows only.
        assert [row.external_id for row in stale if row.sender_id == sender] == ["SM-old"]
