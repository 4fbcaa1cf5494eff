"""bot.outbox: messages are queued once per dedupe key and retried with backoff on a clock."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable

import pytest

from bot.db import session_scope
from bot.outbox import backoff_delay, due_messages, enqueue, mark_failed, mark_sent

NOW = dt.datetime(2026, 11, 23, 12, 0)


def _queue(db: str, key: str, now: dt.datetime = NOW) -> int:
    with session_scope(db) as session:
        return enqueue(session, channel="sms", recipient="+441632960001", language="en",
                       kind="status_update", body="Your report is fixed", payload={"s": 1},
                       dedupe_key=key, case_id=None, now=now).id


@pytest.fixture
def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_enqueue_twice_with_one_dedupe_key_queues_one_message(db: str, key: str) -> None:
    assert _queue(db, key) == _queue(db, key)


def test_due_messages_are_those_whose_time_has_come(db: str, key: str) -> None:
    message_id = _queue(db, key, now=NOW + dt.timedelta(days=400))
    with session_scope(db) as session:
        assert message_id not in [m.id for m in due_messages(session, NOW + dt.timedelta(days=399))]
        assert message_id in [m.id for m in due_messages(session, NOW + dt.timedelta(days=400), limit=1000)]


@pytest.mark.parametrize("attempts, seconds", [(0, 0), (1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (50, 3600)])
def test_backoff_doubles_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff_delay(attempts) == dt.timedelta(seconds=seconds)


def test_failed_send_is_retried_later_then_given_up(db: str, key: str) -> None:
    message_id = _queue(db, key)
    with session_scope(db) as session:
        message = mark_failed(session, message_id, "provider 503", now=NOW)
        assert message.status == "pending" and message.attempts == 1
        assert message.next_attempt_at == NOW + dt.timedelta(seconds=30)
        message = mark_failed(session, message_id, "provider 503", now=NOW, max_attempts=3)
        assert message.next_attempt_at == NOW + dt.timedelta(seconds=60)
        message = mark_failed(session, message_id, "provider 503", now=NOW, max_attempts=3)
        assert message.status == "failed" and message.last_error == "provider 503"


def test_permanent_failure_is_not_retried(db: str, key: str) -> None:
    message_id = _queue(db, key)
    with session_scope(db) as session:
        assert mark_failed(session, message_id, "invalid number", NOW, permanent=True).status == "failed"


def test_sent_message_is_no_longer_due(db: str, key: str) -> None:
    message_id = _queue(db, key, now=NOW - dt.timedelta(days=3650))
    with session_scope(db) as session:
        sent = mark_sent(session, message_id, now=NOW)
        assert sent.status == "sent" and sent.sent_at == NOW and sent.attempts == 1
    with session_scope(db) as session:
        assert message_id not in [m.id for m in due_messages(session, NOW, limit=1000)]


def test_unknown_message_id_raises(db: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(LookupError):
            mark_sent(session, 10**9, NOW)
