"""bot/sender_limits.py: sliding-window message limits, one notice per window, case quota.

Counts come from the database, so the tests write inbound rows and cases and move the clock.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable

import pytest

from bot import blocklist, inbound, sender_limits
from bot.cases import open_case
from bot.sender_limits import (BLOCKED, LIMITED, LIMITED_DAY, RECEIVED, CaseQuotaExceeded,
                               Limits, SenderRefused)

NOW = dt.datetime(2026, 11, 23, 12, 0)
LIMITS = Limits(per_minute=3, per_day=5, cases_per_day=2)


def deliver(session: Any, sender: str, at: dt.datetime, channel: str = "telegram",
            limits: Limits = LIMITS) -> str:
    """What turns_store.record does: decide, then record with the decided status."""
    admission = sender_limits.admit(session, channel=channel, sender_id=sender, now=at,
                                    limits=limits)
    inbound.record_inbound(session, channel=channel, external_id=uuid.uuid4().hex,
                           sender_id=sender, text="hi", now=at, status=admission.status)
    return f"{admission.status}{'!' if admission.notify else ''}"


def test_messages_over_the_minute_limit_are_limited_with_one_notice(
        session_for: Callable, sender: str) -> None:
    with session_for() as session:
        seen = [deliver(session, sender, NOW + dt.timedelta(seconds=i)) for i in range(6)]
    assert seen == [RECEIVED] * 3 + [LIMITED + "!", LIMITED, LIMITED]


def test_the_window_slides_and_refused_messages_do_not_count(session_for: Callable,
                                                             sender: str) -> None:
    with session_for() as session:
        roomy = Limits(per_minute=3, per_day=100, cases_per_day=2)
        for i in range(4):
            deliver(session, sender, NOW + dt.timedelta(seconds=i), limits=roomy)
        # 61 s after the first three were answered, the sender may talk again
        later = deliver(session, sender, NOW + dt.timedelta(seconds=62), limits=roomy)
        again = [deliver(session, sender, NOW + dt.timedelta(seconds=63 + i), limits=roomy)
                 for i in range(3)]
    assert later == RECEIVED
    assert again == [RECEIVED, RECEIVED, LIMITED + "!"]  # a new window, a new (single) notice


def test_the_daily_limit_has_its_own_notice(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        answered = [deliver(session, sender, NOW + dt.timedelta(minutes=5 * i)) for i in range(5)]
        over = [deliver(session, sender, NOW + dt.timedelta(hours=1, minutes=i)) for i in range(2)]
        next_day = deliver(session, sender, NOW + dt.timedelta(days=1, minutes=30))
    assert answered == [RECEIVED] * 5
    assert over == [LIMITED_DAY + "!", LIMITED_DAY]
    assert next_day == RECEIVED


def test_senders_and_channels_are_counted_apart(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        for i in range(3):
            deliver(session, sender, NOW + dt.timedelta(seconds=i), channel="sms")
        other_sender = deliver(session, sender + "x", NOW + dt.timedelta(seconds=4), channel="sms")
        other_channel = deliver(session, sender, NOW + dt.timedelta(seconds=4), channel="telegram")
        same = deliver(session, sender, NOW + dt.timedelta(seconds=4), channel="sms")
    assert (other_sender, other_channel, same) == (RECEIVED, RECEIVED, LIMITED + "!")


def test_channels_that_are_not_citizen_channels_are_not_limited(session_for: Callable,
                                                                sender: str) -> None:
    with session_for() as session:
        seen = {deliver(session, sender, NOW, channel="rest") for _ in range(5)}
    assert seen == {RECEIVED}


def test_a_blocked_sender_is_refused_without_a_notice(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        blocklist.block(session, channel="sms", sender_id=sender, reason="abuse", by="admin",
                        now=NOW)
        assert deliver(session, sender, NOW + dt.timedelta(seconds=1), channel="sms") == BLOCKED


def test_a_block_outranks_the_limits_and_an_expired_one_is_ignored(session_for: Callable,
                                                                   sender: str) -> None:
    with session_for() as session:
        seen = [deliver(session, sender, NOW + dt.timedelta(seconds=i), channel="sms")
                for i in range(4)]
        blocklist.block(session, channel="sms", sender_id=sender, reason="abuse", by="admin",
                        now=NOW + dt.timedelta(seconds=5), days=1)
        blocked = deliver(session, sender, NOW + dt.timedelta(seconds=6), channel="sms")
        after = deliver(session, sender, NOW + dt.timedelta(days=1, minutes=1), channel="sms")
    assert seen == [RECEIVED] * 3 + [LIMITED + "!"]
    assert blocked == BLOCKED  # over the limit too, but blocked is what it is (and no notice)
    assert after == RECEIVED  # the block expired; the three answered are more than a day old


def test_an_ordinary_message_is_admitted_in_one_round_trip(session_for: Callable,
                                                           sender: str) -> None:
    """admit runs for every message a citizen sends: block and both counts in one query."""
    from sqlalchemy import event

    with session_for() as session:
        deliver(session, sender, NOW)
        statements: list = []

        def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            statements.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            admission = sender_limits.admit(session, channel="telegram", sender_id=sender,
                                            now=NOW + dt.timedelta(seconds=1), limits=LIMITS)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert admission.status == RECEIVED
    assert len(statements) == 1, statements


def test_notices_are_in_the_senders_language_with_a_fallback() -> None:
    assert "muy rápido" in sender_limits.notice_text(LIMITED, "es-ES")
    assert "wait a minute" in sender_limits.notice_text(LIMITED, "xx")
    assert "tomorrow" in sender_limits.notice_text(LIMITED_DAY, None)
    assert "wacht een minuut" in sender_limits.notice_text(LIMITED, "nl")


def test_case_quota_refuses_the_third_case_of_the_day_but_not_a_retry(
        session_for: Callable, report: Callable[..., dict], sender: str) -> None:
    submissions = [uuid.uuid4().hex for _ in range(3)]
    with session_for() as session:
        for submission in submissions[:2]:
            sender_limits.ensure_case_quota(session, channel="webchat", sender_id=sender,
                                            submission_id=submission, now=NOW, limits=LIMITS)
            open_case(session, **report(submission_id=submission))
        # a retried confirmation of the second case passes
        sender_limits.ensure_case_quota(session, channel="webchat", sender_id=sender,
                                        submission_id=submissions[1], now=NOW, limits=LIMITS)
        with pytest.raises(CaseQuotaExceeded):
            sender_limits.ensure_case_quota(session, channel="webchat", sender_id=sender,
                                            submission_id=submissions[2], now=NOW, limits=LIMITS)
        sender_limits.ensure_case_quota(session, channel="webchat", sender_id=sender,
                                        submission_id=submissions[2],
                                        now=NOW + dt.timedelta(days=1, minutes=1), limits=LIMITS)


def test_case_quota_does_not_apply_to_open311(session_for: Callable, sender: str) -> None:
    with session_for() as session:
        for _ in range(5):
            sender_limits.ensure_case_quota(session, channel="open311", sender_id=sender,
                                            now=NOW, limits=Limits(1, 1, 0))


def test_uploads_are_limited_and_blocked_like_messages(
        session_for: Callable, sender: str, attachments_dir: Any) -> None:
    from bot.attachments import store_attachment
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    with session_for() as session:
        for i in range(3):
            sender_limits.ensure_upload_allowed(session, channel="webchat", sender_id=sender,
                                                now=NOW, limits=LIMITS)
            store_attachment(session, sender_id=sender, channel="webchat", data=png + bytes([i]),
                             content_type="image/png", filename=None, now=NOW)
        with pytest.raises(SenderRefused) as refused:
            sender_limits.ensure_upload_allowed(session, channel="webchat", sender_id=sender,
                                                now=NOW, limits=LIMITS)
        assert refused.value.status == LIMITED
        blocklist.block(session, channel="webchat", sender_id=sender, reason="spam", by="a", now=NOW)
        with pytest.raises(SenderRefused) as refused:
            sender_limits.ensure_upload_allowed(session, channel="webchat", sender_id=sender,
                                                now=NOW + dt.timedelta(hours=2), limits=LIMITS)
        assert refused.value.status == BLOCKED
