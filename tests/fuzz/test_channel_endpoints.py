"""Property-based tests of every citizen-channel HTTP endpoint (issue 9, bad input).

The real blueprints run on loopback as Rasa mounts them (tests/channels harnesses, fake
assistant, fake providers). Whatever arrives, the answer is never a 5xx and nothing is
logged as an error or with a traceback; a refused request leaves no inbound row behind.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import InboundMessage
from tests.channels.sms_harness import PREFIX as SMS_PREFIX, PUBLIC_URL, SmsServer, sign
from tests.channels.telegram_fixtures import SECRET, TelegramServer
from tests.fuzz.strategies import (BODIES, CONTENT_TYPES, DEEP_JSON, HEADERS, HOSTILE_BODIES,
                                   INVALID_UTF8, JSON, QUERY, TEXT, ErrorRecords, json_bytes)

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
IDS = st.one_of(st.uuids().map(str), TEXT)


def inbound_rows() -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(InboundMessage)).scalar_one())


def assert_handled(response: httpx.Response, *allowed: int) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if allowed:
        assert response.status_code in allowed, (response.status_code, response.text[:300])


MESSAGES = st.fixed_dictionaries(
    {"session_id": IDS, "client_message_id": IDS, "text": st.one_of(TEXT, JSON)},
    optional={"display_text": TEXT, "metadata": st.one_of(JSON, st.fixed_dictionaries(
        {}, optional={"language": TEXT, "location": JSON, "attachments": JSON}))})


def test_web_chat_message_endpoint_answers_every_body_without_a_5xx(
        start_webchat: Callable[..., Any], server_errors: ErrorRecords) -> None:
    server = start_webchat()
    client = server.client()

    @FUZZ
    @given(body=st.one_of(MESSAGES.map(json_bytes), HOSTILE_BODIES), content_type=CONTENT_TYPES,
           headers=HEADERS)
    def send(body: bytes, content_type: str, headers: Dict[str, str]) -> None:
        before = inbound_rows()
        response = client.post("/message", content=body,
                               headers={**headers, "Content-Type": content_type})
        assert_handled(response, 200, 202, 400, 403, 413, 429)
        if response.status_code >= 400:
            assert response.json()["error"]  # a sentence the page can show
            assert inbound_rows() == before  # nothing half-written

    send()
    client.close()
    assert server_errors.lines() == []


def multipart(fields: Dict[str, str], file_part: bytes, boundary: str = "fuzzboundary") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode("utf-8", "surrogatepass") for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                 f'filename="p.png"\r\nContent-Type: image/png\r\n\r\n'.encode() + file_part + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


UPLOADS = st.one_of(
    st.builds(lambda sid, data: (multipart({"session_id": sid}, data),
                                 "multipart/form-data; boundary=fuzzboundary"),
              IDS, st.one_of(st.binary(max_size=200), st.just(b"\x89PNG\r\n\x1a\n" + bytes(100)),
                             st.just(b"\x89PNG\r\n\x1a\n" + bytes(10_000)))),
    st.tuples(HOSTILE_BODIES, CONTENT_TYPES),
)


def test_web_chat_upload_answers_every_body_without_a_5xx(
        start_webchat: Callable[..., Any], server_errors: ErrorRecords) -> None:
    server = start_webchat()
    client = server.client()

    @FUZZ
    @given(upload=UPLOADS)
    def send(upload: Any) -> None:
        body, content_type = upload
        response = client.post("/upload", content=body, headers={"Content-Type": content_type})
        assert_handled(response, 200, 400, 403, 413, 415, 429)

    send()
    client.close()
    assert server_errors.lines() == []


def test_web_chat_reads_answer_every_query_without_a_5xx(
        start_webchat: Callable[..., Any], server_errors: ErrorRecords) -> None:
    server = start_webchat()
    client = server.client()

    @FUZZ
    @given(path=st.sampled_from(["/history", "/updates", "/", "/static/webchat.js",
                                 "/static/..%2f..%2fbot%2fsettings.py", "/static/%00"]),
           query=QUERY, headers=HEADERS)
    def read(path: str, query: Dict[str, str], headers: Dict[str, str]) -> None:
        response = client.get(path, params={k: v.encode("utf-8", "surrogatepass").decode(
            "utf-8", "replace") for k, v in query.items()}, headers=headers)
        assert_handled(response, 200, 400, 404, 413, 414)

    read()
    client.close()
    assert server_errors.lines() == []


SMS_FIELDS = st.dictionaries(
    st.sampled_from(["MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0",
                     "MediaContentType0", "AccountSid", "ErrorCode", "MessageStatus"]),
    st.one_of(TEXT, st.just("+447700900001"), st.just("SM" + "a" * 32), st.just("9" * 70)),
    max_size=8)


def test_sms_webhooks_answer_signed_and_unsigned_garbage_without_a_5xx(
        start_sms: Callable[..., SmsServer], server_errors: ErrorRecords) -> None:
    sms = start_sms()
    client = sms.client()

    @FUZZ
    @given(path=st.sampled_from(["/webhook", "/status"]), fields=SMS_FIELDS,
           raw=st.one_of(st.none(), HOSTILE_BODIES), signed=st.booleans(), headers=HEADERS)
    def send(path: str, fields: Dict[str, str], raw: Any, signed: bool,
             headers: Dict[str, str]) -> None:
        clean = {k: v.encode("utf-8", "replace").decode() for k, v in fields.items()}
        body = raw if raw is not None else httpx.QueryParams(clean).__str__().encode()
        extra = dict(headers)
        if signed and raw is None:
            extra["X-Twilio-Signature"] = sign(sms.twilio.auth_token, PUBLIC_URL + SMS_PREFIX + path,
                                               clean)
        before = inbound_rows()
        response = client.post(SMS_PREFIX + path, content=body, headers={
            **extra, "Content-Type": "application/x-www-form-urlencoded"})
        assert_handled(response, 200, 204, 400, 403, 413)
        if response.status_code >= 400:
            assert inbound_rows() == before

    send()
    client.close()
    sms.wait_idle()
    assert server_errors.lines() == []


SURROGATE_UPDATES = st.builds(lambda text, update_id: json.dumps({
    "update_id": update_id, "message": {"message_id": 1, "date": 1700000000,
                                        "chat": {"id": 4242, "type": "private"},
                                        "text": text}}).encode(),
    st.sampled_from(["\ud800", "a\x00b", "\udfff tail", "ok"]), st.integers(1, 2 ** 31))


def fuzz_telegram(telegram: TelegramServer, bodies: st.SearchStrategy) -> None:
    @FUZZ
    @given(body=bodies, secret=st.booleans())
    def send(body: bytes, secret: bool) -> None:
        before = inbound_rows()
        response = telegram.post(raw=body, secret=SECRET if secret else None)
        assert_handled(response, 200, 400, 403, 413)
        if response.status_code >= 400:
            assert inbound_rows() == before

    send()


def test_telegram_webhook_survives_bad_utf8_nul_and_lone_surrogates(
        start_telegram: Callable[..., TelegramServer], server_errors: ErrorRecords) -> None:
    """tests/channels/test_telegram_fuzz.py covers update shapes; this adds the hostile bytes.
    A lone surrogate or NUL in a text is recorded (as U+FFFD) and answered, not a 500."""
    telegram = start_telegram()
    fuzz_telegram(telegram, st.one_of(INVALID_UTF8, SURROGATE_UPDATES, BODIES))
    assert telegram.wait_processed(1)
    assert server_errors.lines() == []


def test_telegram_webhook_refuses_deeply_nested_json_with_400(
        start_telegram: Callable[..., TelegramServer], server_errors: ErrorRecords) -> None:
    telegram = start_telegram()
    fuzz_telegram(telegram, DEEP_JSON)
    assert server_errors.lines() == []
