"""Bad input on the citizen channels (issue 9): each named case gets a clear 4xx or a polite
answer, and a refused request leaves nothing half-written (no inbound row, no turn)."""
from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Dict

import pytest
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import InboundMessage
from tests.channels.sms_harness import SmsServer, sms, start_sms, twilio  # noqa: F401
from tests.channels.telegram_fixtures import (TelegramServer, message_update,  # noqa: F401
                                              start_telegram, telegram_api)


def inbound_rows() -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(InboundMessage)).scalar_one())


def chat(**overrides: Any) -> Dict[str, Any]:
    return {"session_id": uuid.uuid4().hex, "client_message_id": uuid.uuid4().hex,
            "text": "pothole", **overrides}


WEB_CHAT_REFUSALS = {
    "lone surrogate in text": (json.dumps(chat(text="hole \ud800")).encode(), 400),
    "NUL in text": (json.dumps(chat(text="hole\x00")).encode(), 400),
    "control character in display text": (json.dumps(chat(display_text="a\x07")).encode(), 400),
    "deeply nested JSON": (b"[" * 20_000 + b"]" * 20_000, 413),
    "nested just under the size limit": (b"[" * 12_000 + b"]" * 12_000, 400),
    "invalid UTF-8": (b'{"text": "\xc3\x28"}', 400),
    "body far over the limit": (json.dumps(chat(text="x" * 100_000)).encode(), 413),
}


@pytest.mark.parametrize("body,status", WEB_CHAT_REFUSALS.values(), ids=WEB_CHAT_REFUSALS.keys())
def test_web_chat_refuses_bad_bodies_with_a_clear_4xx_and_writes_nothing(
        start_webchat: Callable[..., Any], body: bytes, status: int) -> None:
    server = start_webchat()
    with server.client() as client:
        reply = client.post("/message", content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]
    assert inbound_rows() == 0 and server.assistant.turns == []


def test_web_chat_keeps_only_a_well_formed_language_tag(start_webchat: Callable[..., Any]) -> None:
    server = start_webchat()
    with server.client() as client:
        good = client.post("/message", json=chat(metadata={"language": "pt-BR"}))
        odd = client.post("/message", content=json.dumps(chat(metadata={"language": "\ud800<b>"})),
                          headers={"Content-Type": "application/json"})
    assert good.status_code == odd.status_code == 200
    languages = [turn.metadata.get("language") for turn in server.assistant.turns]
    assert languages == ["pt-br", None]


def test_telegram_text_with_a_lone_surrogate_or_nul_is_recorded_and_answered(
        start_telegram: Callable[..., TelegramServer]) -> None:
    server = start_telegram()
    for text in ("hole \ud800 here", "nul\x00byte"):
        body = json.dumps(message_update(chat=5150, text=text)).encode()
        assert server.post(raw=body).status_code == 200
    assert server.wait_processed(2)
    texts = [turn.text or "" for turn in server.assistant.turns]
    assert texts[0] == "hole \ufffd here"
    assert texts[1].startswith("nul") and "\x00" not in texts[1]


def test_an_sms_body_with_a_nul_is_recorded_and_answered(sms: SmsServer) -> None:
    params = sms.message("+447700900555", "broken\x00light")
    assert sms.post(params).status_code == 200
    row = sms.wait_processed(params["MessageSid"])
    assert row.status == "processed" and row.text == "broken\ufffdlight"
