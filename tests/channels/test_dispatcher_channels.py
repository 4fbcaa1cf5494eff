"""channels/dispatcher.py in process: each channel through its fake and the real client library
(twilio's Client, python-telegram-bot's Bot); provider failures (500, 429, timeouts) retried
with backoff and never duplicated or dropped; order per citizen; opted-out citizens skipped."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import pytest

from bot import optouts
from bot.db import session_scope
from bot.outbox_dispatch import DispatchOptions, DispatchResult, dispatch_due
from bot.settings import get_settings
from channels.dispatch_sms import sms_dispatch
from channels.dispatch_telegram import telegram_dispatch
from channels.dispatcher import REST_REASON, ChannelSet, build_channels
from tests.channels.dispatcher_harness import (CITY_NUMBER, Fakes, bot_loop, fakes, now, queue,
                                               row, wait_until)
from tests.channels.sms_harness import twilio

__all__ = ["bot_loop", "fakes", "twilio"]

CITIZEN = "+447700900123"
OTHER = "+447700900456"
CHAT = "5550001"
LEASE = dt.timedelta(seconds=5)


@pytest.fixture
def channels(fakes: Fakes, bot_loop: asyncio.AbstractEventLoop) -> ChannelSet:
    return build_channels(get_settings(), bot_loop)


def run_pass(channels: ChannelSet, at: dt.datetime) -> DispatchResult:
    return dispatch_due(session_scope, channels.senders, at, lookups=channels.lookups,
                        options=DispatchOptions(lease=LEASE))


def test_every_channel_is_delivered_its_own_way(channels: ChannelSet, fakes: Fakes) -> None:
    start = now()
    sms = queue("sms", CITIZEN, "Your pothole C-2026-000001 is fixed", start)
    telegram = queue("telegram", CHAT, "Your streetlight C-2026-000002 is fixed", start)
    web = queue("webchat", "session-0001-abcd", "A caseworker has joined", start)
    rest = queue("rest", "api-client-1", "Your graffiti report C-2026-000003 is fixed", start)
    result = run_pass(channels, start)
    assert sorted(result.sent) == sorted([sms, telegram, web]) and result.suppressed == [rest]
    assert fakes.twilio.bodies_to(CITIZEN) == ["Your pothole C-2026-000001 is fixed"]
    assert [m.from_ for m in fakes.twilio.sent] == [CITY_NUMBER]
    assert fakes.telegram.sent_texts(CHAT) == ["Your streetlight C-2026-000002 is fixed"]
    assert row(web).status == "sent" and row(web).sent_at is not None
    assert (row(rest).status, row(rest).last_error) == ("suppressed", REST_REASON)
    assert run_pass(channels, start + dt.timedelta(hours=2)).sent == []


def test_channels_without_credentials_are_skipped_with_one_log_line(
        fakes: Fakes, bot_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("TELEGRAM_TOKEN")
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    get_settings.cache_clear()
    with caplog.at_level(logging.INFO):
        channels = build_channels(get_settings(), bot_loop)
    assert sorted(channels.senders) == ["rest", "webchat"]
    skipped = [r.getMessage() for r in caplog.records if "dispatcher.channel_skipped" in r.getMessage()]
    assert skipped == ["dispatcher.channel_skipped channel=sms missing=TWILIO_AUTH_TOKEN",
                       "dispatcher.channel_skipped channel=telegram missing=TELEGRAM_TOKEN"]
    waiting = queue("telegram", CHAT, "kept for later")
    run_pass(channels, now())
    assert row(waiting).status == "pending", "a channel we cannot send on keeps its rows"


@pytest.mark.parametrize("status, code", [(500, 20500), (429, 20429), (503, 20503)])
def test_twilio_errors_back_off_and_send_once_in_order(
        channels: ChannelSet, fakes: Fakes, status: int, code: int) -> None:
    start = now()
    first = queue("sms", CITIZEN, "We got your report C-2026-000010", start)
    second = queue("sms", CITIZEN, "Your report C-2026-000010 is fixed", start)
    other = queue("sms", OTHER, "Your report C-2026-000011 is in progress", start)
    fakes.twilio.fail_next(status, code)
    result = run_pass(channels, start)
    assert (result.failed, result.held, result.sent) == ([first], [second], [other])
    assert row(first).status == "pending" and row(first).next_attempt_at == start + dt.timedelta(seconds=30)
    assert run_pass(channels, start + dt.timedelta(seconds=29)).sent == [], "still backing off"
    assert run_pass(channels, start + dt.timedelta(seconds=31)).sent == [first, second]
    assert fakes.twilio.bodies_to(CITIZEN) == ["We got your report C-2026-000010",
                                               "Your report C-2026-000010 is fixed"]
    assert fakes.twilio.bodies_to(OTHER) == ["Your report C-2026-000011 is in progress"]


@pytest.mark.parametrize("accept_first", [True, False], ids=["taken-then-slow", "slow-then-taken"])
def test_a_twilio_timeout_is_checked_with_twilio_not_sent_twice(
        channels: ChannelSet, fakes: Fakes, accept_first: bool) -> None:
    sms = sms_dispatch(get_settings(), timeout_seconds=0.3)
    assert sms is not None
    channels = ChannelSet(senders={"sms": sms.send}, lookups={"sms": sms.count_sent})
    start = now()
    message = queue("sms", CITIZEN, "Your report C-2026-000020 is scheduled", start)
    later = queue("sms", CITIZEN, "Your report C-2026-000020 is fixed", start)
    fakes.twilio.slow_next(1.0, accept=accept_first)
    result = run_pass(channels, start)
    assert result.failed == [message] and result.held == [later]
    assert row(message).status == "sending", "the outcome is unknown: ask before resending"
    assert wait_until_sent_count(fakes, 1)
    assert run_pass(channels, start + LEASE / 2).sent == [], "nothing before the lease is over"
    settled = run_pass(channels, start + LEASE + dt.timedelta(seconds=2))
    assert settled.reconciled == [message] and settled.sent == [later]
    assert fakes.twilio.bodies_to(CITIZEN) == ["Your report C-2026-000020 is scheduled",
                                               "Your report C-2026-000020 is fixed"]


def wait_until_sent_count(fakes: Fakes, count: int) -> bool:
    return wait_until(lambda: len(fakes.twilio.sent) >= count, timeout=5)


def test_a_lost_claim_that_never_reached_twilio_is_sent_after_the_lease(
        channels: ChannelSet, fakes: Fakes) -> None:
    start = now()
    message = queue("sms", CITIZEN, "Your report C-2026-000030 was received", start)
    with pytest.raises(_Died):
        dispatch_due(session_scope, channels.senders, start, lookups=channels.lookups,
                     options=DispatchOptions(lease=LEASE, checkpoint=_die_at("claimed")))
    assert row(message).status == "sending" and fakes.twilio.sent == []
    result = run_pass(channels, start + LEASE + dt.timedelta(seconds=1))
    assert result.released == [message] and result.sent == [message]
    assert fakes.twilio.bodies_to(CITIZEN) == ["Your report C-2026-000030 was received"]


class _Died(Exception):
    """Stands for the process dying at a checkpoint (the subprocess test does it for real)."""


def _die_at(stage: str):  # type: ignore[no-untyped-def]
    def checkpoint(reached: str, _outbox_id: int) -> None:
        if reached == stage:
            raise _Died(stage)
    return checkpoint


def test_telegram_429_waits_retry_after_and_500_backs_off_sending_once(
        channels: ChannelSet, fakes: Fakes) -> None:
    start = now()
    first = queue("telegram", CHAT, "We got your report C-2026-000040", start)
    second = queue("telegram", CHAT, "Your report C-2026-000040 is fixed", start)
    fakes.telegram.fail_next("sendMessage", 429, retry_after=1)
    assert run_pass(channels, start).sent == [first, second], "429 is waited out within the send"
    fakes.telegram.fail_next("sendMessage", 500)
    third = queue("telegram", CHAT, "Your report C-2026-000040 is closed", start)
    assert run_pass(channels, start).failed == [third]
    assert row(third).status == "pending" and row(third).attempts == 1
    assert run_pass(channels, start + dt.timedelta(seconds=31)).sent == [third]
    # The fake records every call: the 429 and the 500 each came before an accepted retry.
    assert len(fakes.telegram.calls_of("sendMessage")) == 5
    assert fakes.telegram.accepted_texts(CHAT) == [
        "We got your report C-2026-000040", "Your report C-2026-000040 is fixed",
        "Your report C-2026-000040 is closed"]


def test_a_telegram_timeout_is_retried_after_a_backoff_and_sent_once(
        fakes: Fakes, bot_loop: asyncio.AbstractEventLoop) -> None:
    telegram = telegram_dispatch(get_settings(), bot_loop, read_timeout_seconds=0.3)
    assert telegram is not None
    channels = ChannelSet(senders={"telegram": telegram.send})
    start = now()
    first = queue("telegram", CHAT, "We got your report C-2026-000045", start)
    second = queue("telegram", CHAT, "Your report C-2026-000045 is fixed", start)
    fakes.telegram.hang_next("sendMessage", 1.0)
    result = run_pass(channels, start)
    assert result.failed == [first] and result.held == [second]
    assert row(first).status == "pending" and "OutcomeUnknown" in (row(first).last_error or "")
    assert run_pass(channels, start + dt.timedelta(seconds=31)).sent == [first, second]
    assert fakes.telegram.accepted_texts(CHAT) == ["We got your report C-2026-000045",
                                                   "Your report C-2026-000045 is fixed"]


def test_opted_out_citizens_are_never_sent_to(channels: ChannelSet, fakes: Fakes) -> None:
    start = now()
    with session_scope() as session:
        optouts.opt_out(session, "sms", CITIZEN, "STOP", start)
    message = queue("sms", CITIZEN, "Your report C-2026-000050 is fixed", start)
    assert run_pass(channels, start).suppressed == [message]
    assert fakes.twilio.sent == [] and row(message).last_error == "recipient opted out"


def test_info_logs_hold_no_numbers_chat_ids_or_bodies(
        channels: ChannelSet, fakes: Fakes, caplog: pytest.LogCaptureFixture) -> None:
    start = now()
    queue("sms", CITIZEN, "Private words about C-2026-000060", start)
    queue("telegram", CHAT, "More private words", start)
    fakes.twilio.fail_next(500, 20500)
    with caplog.at_level(logging.INFO):
        run_pass(channels, start)
        run_pass(channels, start + dt.timedelta(minutes=5))
    text = caplog.text
    assert "outbox.sent" in text
    for secret in (CITIZEN, CHAT, "Private words", "More private words"):
        assert secret not in text
