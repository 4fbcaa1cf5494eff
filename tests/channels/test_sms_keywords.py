"""STOP / START / HELP over signed SMS webhooks: they override the conversation, STOP is
confirmed once and then nothing more is sent (notifications included) until START."""
from __future__ import annotations

import threading
import uuid
from typing import Callable

import pytest

from bot import outbox
from bot.db import session_scope
from bot.outbox_dispatch import dispatch_due
# sms, start_sms, twilio are fixtures: imported so pytest finds them here.
from tests.channels.sms_harness import (  # noqa: F401
    InboundMessage, OptOut, OutboxMessage, SmsServer,
    sms, start_sms, twilio)

CITIZEN = "+447700900456"




def say(sms: SmsServer, text: str, sender: str = CITIZEN) -> str:
    params = sms.message(sender, text)
    assert sms.post(params).status_code == 200
    sms.wait_processed(params["MessageSid"])
    sms.wait_idle()
    return params["MessageSid"]


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "cancel",
                                  "END", "Quit", "REVOKE", "OPTOUT"])
def test_stop_word_opts_out_with_one_confirmation_and_never_reaches_the_assistant(
        sms: SmsServer, word: str) -> None:
    say(sms, word)
    assert sms.assistant.turns == []
    assert sms.count(OptOut, address=CITIZEN) == 1
    bodies = sms.twilio.bodies_to(CITIZEN)
    assert len(bodies) == 1 and "no more messages" in bodies[0] and "START" in bodies[0]


def test_after_stop_nothing_more_is_sent_until_start(sms: SmsServer) -> None:
    say(sms, "STOP")
    say(sms, "STOP")  # a second STOP is not confirmed again
    say(sms, "is anyone there?")  # recorded and handled, but no reply goes out
    say(sms, "HELP")
    assert len(sms.twilio.bodies_to(CITIZEN)) == 1
    say(sms, "start")
    after_start = sms.twilio.bodies_to(CITIZEN)[1:]
    assert len(after_start) == 1 and "receive our messages again" in after_start[0]
    say(sms, "hello again")
    assert sms.twilio.bodies_to(CITIZEN)[2:] == ["You said: hello again",
                                                 "Is that right?\nReply 1 for Yes, 2 for No"]


@pytest.mark.parametrize("word", ["YES", "unstop", "Start"])
def test_every_opt_in_word_opts_back_in(sms: SmsServer, word: str) -> None:
    say(sms, "STOP")
    say(sms, word)
    say(sms, "hello")
    assert sms.twilio.bodies_to(CITIZEN)[-2] == "You said: hello"


@pytest.mark.parametrize("word", ["yes", "YES", " Yes "])
def test_yes_from_a_number_that_has_not_opted_out_answers_the_assistant(sms: SmsServer,
                                                                         word: str) -> None:
    say(sms, word)
    assert [turn.text for turn in sms.assistant.turns] == [word.strip()]
    assert sms.count(OptOut) == 0
    assert sms.twilio.bodies_to(CITIZEN)[0] == f"You said: {word.strip()}"


def test_yes_is_an_answer_again_once_the_number_opted_back_in(sms: SmsServer) -> None:
    say(sms, "STOP")
    say(sms, "yes")  # opts back in: confirmed, not sent to the assistant
    say(sms, "yes")  # now an answer
    assert [turn.text for turn in sms.assistant.turns] == ["yes"]
    assert "receive our messages again" in sms.twilio.bodies_to(CITIZEN)[1]


@pytest.mark.parametrize("word", ["HELP", "help", "INFO"])
def test_help_names_the_programme_and_a_contact(sms: SmsServer, word: str) -> None:
    sid = say(sms, word)
    assert sms.assistant.turns == []
    (body,) = sms.twilio.bodies_to(CITIZEN)
    assert "Testville" in body or "Riverton" in body
    assert "+44 1632 960000" in body and "contact@riverton.example.gov" in body
    row = sms.inbound(sid)
    assert row is not None and row.status == "processed" and row.replies[0]["text"] == body


def test_keyword_inside_a_sentence_is_a_normal_message(sms: SmsServer) -> None:
    say(sms, "stop the report")
    assert [turn.text for turn in sms.assistant.turns] == ["stop the report"]
    assert sms.count(OptOut) == 0


def test_stop_overrides_a_turn_in_progress(start_sms: Callable[..., SmsServer]) -> None:
    hold = threading.Event()
    sms = start_sms(hold=hold)
    report = sms.message(CITIZEN, "pothole on Oak Street")
    sms.post(report)
    sms.wait_for(sms.assistant.started.is_set)
    try:
        stop = sms.message(CITIZEN, "STOP")
        assert sms.post(stop).status_code == 200  # not queued behind the held turn
        sms.wait_for(lambda: len(sms.twilio.sent) == 1)
    finally:
        hold.set()
    sms.wait_processed(report["MessageSid"])
    sms.wait_idle()
    bodies = sms.twilio.bodies_to(CITIZEN)
    assert len(bodies) == 1 and "no more messages" in bodies[0]  # the turn's replies were held back


def test_replayed_stop_is_confirmed_once(sms: SmsServer) -> None:
    params = sms.message(CITIZEN, "STOP")
    for _ in range(3):
        assert sms.post(params).status_code == 200
    sms.wait_idle()
    assert len(sms.twilio.sent) == 1 and sms.count(InboundMessage) == 1


def test_notification_to_an_opted_out_number_is_suppressed(sms: SmsServer) -> None:
    with session_scope(sms.database_url) as session:
        queued = outbox.enqueue(session, channel="sms", recipient=CITIZEN, language="en",
                                kind="status_update", body="Your pothole C-2026-000001 is fixed",
                                dedupe_key=uuid.uuid4().hex).id
    say(sms, "STOP")
    result = dispatch_due(lambda: session_scope(sms.database_url), {"sms": sms.channel.send},
                          outbox.utc_naive() + outbox.MAX_DELAY)
    assert result.suppressed == [queued] and result.sent == []
    assert sms.count(OutboxMessage, id=queued, status="suppressed") == 1
    assert len(sms.twilio.bodies_to(CITIZEN)) == 1  # the STOP confirmation only
    say(sms, "START")
    with session_scope(sms.database_url) as session:
        outbox.enqueue(session, channel="sms", recipient=CITIZEN, language="en",
                       kind="status_update", body="Your streetlight C-2026-000002 is fixed",
                       dedupe_key=uuid.uuid4().hex)
    dispatch_due(lambda: session_scope(sms.database_url), {"sms": sms.channel.send},
                 outbox.utc_naive() + outbox.MAX_DELAY)
    assert sms.twilio.bodies_to(CITIZEN)[-1] == "Your streetlight C-2026-000002 is fixed"


def test_carrier_unsubscribed_error_on_send_opts_the_number_out(sms: SmsServer) -> None:
    sms.twilio.fail_next(400, 21610)
    say(sms, "hello")
    assert sms.count(OptOut, address=CITIZEN) == 1
    say(sms, "hello again")
    assert sms.twilio.sent == []
