"""channels/sms.py over real HTTP: signatures, record-before-ack, replays, replies via the fake
Twilio REST API, numbered options, MMS photos, language hints and delivery failures."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pytest

from bot import outbox
from bot.db import session_scope
from bot.outbox_dispatch import dispatch_due
from bot.settings import get_settings
from channels.sms import SmsInput, language_hint, signature_is_valid
from tests.channels.conftest import TEST_MAX_PHOTO_BYTES
# sms, start_sms, twilio are fixtures: imported so pytest finds them here.
from tests.channels.sms_harness import (  # noqa: F401
    PREFIX, PUBLIC_URL, Attachment, InboundMessage, OptOut,
    OutboxMessage, SmsServer, sign, sms, start_sms, twilio)

CITIZEN = "+447700900123"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64




# --- signatures --------------------------------------------------------------------------

KNOWN_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
# twilio-python's own test vector (tests/unit/test_request_validator.py, from Twilio's docs).
# The caller in that vector is +14158675309: with +12349013030 the HMAC is a different value
# (0/KCTR6DLpKmkAf8muzZqo1nDgQ=), so that variant is not a known answer.
KNOWN_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
                "From": "+14158675309", "To": "+18005551212"}


def test_twilio_known_answer_is_accepted_by_our_check() -> None:
    assert signature_is_valid("12345", KNOWN_URL, KNOWN_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


@pytest.mark.parametrize("token, url, params, signature", [
    ("12345", KNOWN_URL, {**KNOWN_PARAMS, "Digits": "1235"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("12346", KNOWN_URL, KNOWN_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("12345", KNOWN_URL.replace("https", "http"), KNOWN_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("12345", KNOWN_URL, KNOWN_PARAMS, None),
    ("12345", KNOWN_URL, {**KNOWN_PARAMS, "Caller": "+12349013030", "From": "+12349013030"},
     "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("", KNOWN_URL, KNOWN_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
])
def test_known_answer_fails_when_anything_changes(token: str, url: str, params: dict,
                                                  signature: str) -> None:
    assert not signature_is_valid(token, url, params, signature)


def _bad_signature(case: str, sms: SmsServer, params: dict, path: str) -> tuple:
    """(params to send, signature header) for each way a request can be forged."""
    token, url = sms.twilio.auth_token, PUBLIC_URL + PREFIX + path
    if case == "missing":
        return params, None
    if case == "wrong":
        return params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    if case == "wrong_token":
        return params, sign("not-the-token", url, params)
    if case == "tampered_parameter":
        return {**params, "Body": params.get("Body", "") + "!"}, sign(token, url, params)
    if case == "added_parameter":
        return {**params, "Extra": "1"}, sign(token, url, params)
    if case == "wrong_url":
        return params, sign(token, "https://evil.example.com" + PREFIX + path, params)
    if case == "wrong_path":
        other = "/status" if path == "/webhook" else "/webhook"
        return params, sign(token, PUBLIC_URL + PREFIX + other, params)
    if case == "wrong_scheme":
        return params, sign(token, url.replace("https://", "http://"), params)
    if case == "loopback_url":
        return params, sign(token, sms.base_url + PREFIX + path, params)
    raise ValueError(case)


BAD_CASES = ["missing", "wrong", "wrong_token", "tampered_parameter", "added_parameter",
             "wrong_url", "wrong_path", "wrong_scheme", "loopback_url"]


@pytest.mark.parametrize("path", ["/webhook", "/status"])
@pytest.mark.parametrize("case", BAD_CASES)
def test_forged_request_gets_403_and_writes_nothing(sms: SmsServer, case: str, path: str) -> None:
    params = sms.message(CITIZEN, "STOP" if path == "/webhook" else "")
    if path == "/status":
        params.update(MessageStatus="undelivered", ErrorCode="21610", To=CITIZEN)
    sent, signature = _bad_signature(case, sms, params, path)
    assert sms.post(sent, path=path, signature=signature).status_code == 403
    sms.wait_idle()
    assert sms.count(InboundMessage) == 0 and sms.count(OutboxMessage) == 0
    assert sms.count(Attachment) == 0 and sms.assistant.turns == [] and sms.twilio.sent == []
    assert sms.count(OptOut) == 0


def test_signature_covers_the_public_url_not_the_request_url(sms: SmsServer) -> None:
    params = sms.message(CITIZEN, "hello")
    reply = sms.post(params)  # sent to loopback http, signed for the public https URL
    assert reply.status_code == 200
    sms.wait_processed(params["MessageSid"])


# --- record, acknowledge, turn, reply ----------------------------------------------------

def test_message_is_recorded_acknowledged_with_empty_twiml_and_answered_by_rest(sms: SmsServer) -> None:
    params = sms.message(CITIZEN, "There is a pothole")
    reply = sms.post(params)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/xml")
    assert reply.text.endswith("<Response/>")
    row = sms.wait_processed(params["MessageSid"])
    assert row.status == "processed" and row.text == "There is a pothole"
    sms.wait_for(lambda: len(sms.twilio.sent) == 2)
    assert sms.twilio.bodies_to(CITIZEN) == ["You said: There is a pothole",
                                           "Is that right?\nReply 1 for Yes, 2 for No"]
    assert {message.from_ for message in sms.twilio.sent} == {"+441632960001"}
    turn = sms.assistant.turns[0]
    assert turn.sender_id == CITIZEN and turn.input_channel == "sms"


def test_each_webhook_delivered_three_times_concurrently_is_processed_once(sms: SmsServer) -> None:
    deliveries = [sms.message(f"+4477009000{n:02d}", f"message {n}") for n in range(5)]
    with ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(sms.post, [params for params in deliveries for _ in range(3)]))
    assert {answer.status_code for answer in answers} == {200}
    for params in deliveries:
        sms.wait_processed(params["MessageSid"])
    sms.wait_idle()
    assert sms.count(InboundMessage) == 5
    assert len(sms.assistant.turns) == 5
    assert len(sms.twilio.sent) == 10  # two replies per message, once each


def test_replayed_message_after_processing_is_acknowledged_and_not_rerun(sms: SmsServer) -> None:
    params = sms.message(CITIZEN, "hello")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    sms.wait_idle()
    assert sms.post(params).status_code == 200
    sms.wait_idle()
    assert len(sms.assistant.turns) == 1 and len(sms.twilio.sent) == 2


@pytest.mark.parametrize("reply", [" 2 ", "No"])  # its number, or its title typed out
def test_an_option_chosen_reaches_the_assistant_as_the_payload(reply: str,
                                                               sms: SmsServer) -> None:
    first = sms.message(CITIZEN, "pothole")
    sms.post(first)
    sms.wait_processed(first["MessageSid"])
    second = sms.message(CITIZEN, reply)
    sms.post(second)
    sms.wait_processed(second["MessageSid"])
    assert [turn.text for turn in sms.assistant.turns] == ["pothole", "/deny"]
    row = sms.inbound(second["MessageSid"])
    assert row is not None and row.text == reply  # the citizen's own words stay on record


def test_number_without_offered_options_is_passed_on_as_text(sms: SmsServer) -> None:
    params = sms.message(CITIZEN, "4")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    assert sms.assistant.turns[0].text == "4"  # e.g. a rating answer


@pytest.mark.parametrize("number, language", [
    ("+34600111222", "es"), ("+351912345678", "pt"), ("+5511987654321", "pt"),
    ("+31612345678", "nl"), ("+32470123456", "nl"), ("+447700900123", None),
    ("+15551234567", None),
])
def test_language_hint_from_the_country_code(number: str, language: str) -> None:
    assert language_hint(number) == language


def test_language_hint_travels_in_metadata(sms: SmsServer) -> None:
    params = sms.message("+34600111222", "hola")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    assert sms.assistant.turns[0].metadata.get("language") == "es"


def test_mms_photo_becomes_an_attachment_in_metadata(sms: SmsServer) -> None:
    url = sms.twilio.add_media("ME1", PNG, "image/png")
    params = sms.message(CITIZEN, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/png")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    ids = sms.assistant.turns[0].metadata["attachments"]
    assert len(ids) == 1 and sms.count(Attachment, id=ids[0], channel="sms") == 1


def test_oversized_or_unreachable_media_is_skipped_and_the_turn_still_runs(sms: SmsServer) -> None:
    big = sms.twilio.add_media("ME2", PNG + b"\x00" * TEST_MAX_PHOTO_BYTES, "image/png")
    missing = sms.twilio.add_media("ME3", PNG, "image/png").replace("ME3", "ME404")
    params = sms.message(CITIZEN, "photo", NumMedia="2", MediaUrl0=big, MediaUrl1=missing)
    sms.post(params)
    assert sms.wait_processed(params["MessageSid"]).status == "processed"
    assert sms.assistant.turns[0].metadata["attachments"] == []
    assert sms.count(Attachment) == 0


@pytest.mark.parametrize("field, value", [("MessageSid", None), ("From", None),
                                          ("MessageSid", ""), ("MessageSid", "SM" + "0" * 70),
                                          ("From", "+" + "4" * 130)])
def test_signed_but_malformed_webhook_is_a_400(sms: SmsServer, field: str, value: str) -> None:
    params = sms.message(CITIZEN, "hello")
    if value is None:
        del params[field]
    else:
        params[field] = value
    assert sms.post(params).status_code == 400
    assert sms.count(InboundMessage) == 0


def test_twilio_failure_on_reply_goes_to_the_outbox_and_is_retried_in_order(sms: SmsServer) -> None:
    sms.twilio.fail_next(429, 20429)
    params = sms.message(CITIZEN, "hello")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    sms.wait_idle()
    assert sms.twilio.sent == []
    assert sms.count(OutboxMessage, channel="sms", status="pending") == 2
    later = outbox.utc_naive() + outbox.MAX_DELAY
    result = dispatch_due(lambda: session_scope(sms.database_url), {"sms": sms.channel.send}, later)
    assert len(result.sent) == 2
    assert sms.twilio.bodies_to(CITIZEN) == ["You said: hello", "Is that right?\nReply 1 for Yes, 2 for No"]


def test_info_logs_carry_no_phone_number_or_body(sms: SmsServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    params = sms.message(CITIZEN, "secret pothole text")
    sms.post(params)
    sms.wait_processed(params["MessageSid"])
    sms.wait_idle()
    stop = sms.message(CITIZEN, "STOP")
    sms.post(stop)
    sms.wait_idle()
    text = "\n".join(record.getMessage() for record in caplog.records if record.levelno >= logging.INFO)
    assert "sms." in text
    assert CITIZEN not in text and CITIZEN[1:] not in text and "secret pothole" not in text


def test_from_credentials_reads_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "tok",
                        "TWILIO_FROM_NUMBER": "+441632960001",
                        "SMS_PUBLIC_URL": "https://sms.example.org/"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        channel = SmsInput.from_credentials(None)
        assert channel.public_url == "https://sms.example.org" and channel.auth_token == "tok"
        assert SmsInput.name() == "sms"
    finally:
        get_settings.cache_clear()


def test_without_settings_the_channel_is_disabled_and_answers_404(
        start_sms: Callable[..., SmsServer], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMS_PUBLIC_URL", raising=False)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok")
    get_settings.cache_clear()
    channel = SmsInput.from_credentials(None)
    assert channel.enabled is False
    sms = start_sms(channel=channel)
    for path in ("/webhook", "/status"):
        assert sms.post(sms.message(CITIZEN, "hi"), path=path).status_code == 404
    assert sms.count(InboundMessage) == 0


def test_status_callback_is_accepted_and_a_carrier_opt_out_is_remembered(sms: SmsServer) -> None:
    params = {"MessageSid": sms.new_sid(), "MessageStatus": "delivered", "To": CITIZEN,
              "From": "+441632960001", "AccountSid": sms.twilio.account_sid}
    assert sms.post(params, path="/status").status_code == 204
    assert sms.count(OptOut) == 0
    params.update(MessageSid=sms.new_sid(), MessageStatus="undelivered", ErrorCode="21610")
    assert sms.post(params, path="/status").status_code == 204
    assert sms.count(OptOut, address=CITIZEN) == 1


def test_held_turn_does_not_block_the_ack(start_sms: Callable[..., SmsServer]) -> None:
    hold = threading.Event()
    sms = start_sms(hold=hold)
    try:
        params = sms.message(CITIZEN, "slow")
        assert sms.post(params).status_code == 200  # answered while the turn is held
        assert sms.inbound(params["MessageSid"]).status == "received"
    finally:
        hold.set()
    sms.wait_processed(params["MessageSid"])
