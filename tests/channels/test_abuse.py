"""Abuse on the citizen channels (issue 9): per-sender rate limits and the block list, over real
HTTP (Telegram, SMS and web chat blueprints on loopback, fake providers, scripted assistant).

What must hold: a flooding or blocked sender's messages are acknowledged to the provider (no
retry storm) and recorded, but never reach the assistant; a limited sender gets ONE polite
notice per window (through the outbox), a blocked one gets none; other senders are unaffected.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable, List

import pytest
from sqlalchemy import select

from bot import blocklist, sender_limits
from bot.db import session_scope
from bot.models import InboundMessage, OutboxMessage
from bot.sender_limits import Limits
from tests.channels.sms_harness import SmsServer, sms, start_sms, twilio  # noqa: F401
from tests.channels.telegram_fixtures import (CHAT, TelegramServer, message_update,  # noqa: F401
                                              start_telegram, telegram_api)

SMALL = Limits(per_minute=3, per_day=50, cases_per_day=2)
CITIZEN = "+447700900123"


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Limits:
    """Three answered messages per minute per sender, so a test floods with a handful."""
    monkeypatch.setattr(Limits, "from_settings", classmethod(lambda cls: SMALL))
    return SMALL


def rows(channel: str, sender: str) -> List[str]:
    with session_scope() as session:
        return list(session.execute(select(InboundMessage.status).where(
            InboundMessage.channel == channel, InboundMessage.sender_id == sender)
            .order_by(InboundMessage.id)).scalars())


def notices(channel: str, sender: str) -> List[str]:
    with session_scope() as session:
        return list(session.execute(select(OutboxMessage.body).where(
            OutboxMessage.channel == channel, OutboxMessage.recipient == sender,
            OutboxMessage.kind == "sender_limited")).scalars())


def block(channel: str, sender: str) -> None:
    with session_scope() as session:
        blocklist.block(session, channel=channel, sender_id=sender, reason="test abuse", by="t")


# --- Telegram -----------------------------------------------------------------------------


def test_a_flooding_telegram_chat_is_acknowledged_but_answered_only_up_to_the_limit(
        start_telegram: Callable[..., TelegramServer]) -> None:
    server = start_telegram()
    answers = [server.post(message_update(text=f"spam {i}")).status_code for i in range(7)]
    other = server.post(message_update(chat=CHAT + 1, text="hello")).status_code
    assert answers == [200] * 7 and other == 200
    assert server.wait_processed(4)
    assert rows("telegram", str(CHAT)) == ["processed"] * 3 + ["limited"] * 4
    assert rows("telegram", str(CHAT + 1)) == ["processed"]
    assert len(server.assistant.turns) == 4  # 3 of the flood + the other chat
    assert notices("telegram", str(CHAT)) == [sender_limits.notice_text("limited", "en")]


def test_a_replayed_limited_update_is_not_run_later(start_telegram: Callable[..., TelegramServer]
                                                    ) -> None:
    server = start_telegram()
    updates = [message_update(text=f"spam {i}") for i in range(4)]
    for update in updates:
        assert server.post(update).status_code == 200
    assert server.wait_processed(3)
    assert server.post(updates[-1]).status_code == 200  # Telegram retries the limited one
    assert server.wait_processed(3)
    assert rows("telegram", str(CHAT)) == ["processed"] * 3 + ["limited"]
    assert len(server.assistant.turns) == 3


def test_a_blocked_telegram_chat_is_acknowledged_dropped_and_not_told(
        start_telegram: Callable[..., TelegramServer]) -> None:
    server = start_telegram()
    block("telegram", str(CHAT))
    statuses = [server.post(message_update(text=f"abuse {i}")).status_code for i in range(5)]
    assert statuses == [200] * 5
    assert rows("telegram", str(CHAT)) == ["blocked"] * 5
    assert server.channel.runner.idle and server.assistant.turns == []
    assert notices("telegram", str(CHAT)) == [] and server.api.sent_texts() == []


# --- SMS ----------------------------------------------------------------------------------


def test_a_flooding_phone_is_acknowledged_with_twiml_and_told_once(sms: SmsServer) -> None:
    replies = [sms.post(sms.message(CITIZEN, f"spam {i}")) for i in range(6)]
    assert [reply.status_code for reply in replies] == [200] * 6
    assert all("<Response/>" in reply.text for reply in replies)
    sms.wait_for(lambda: rows("sms", CITIZEN).count("processed") == 3)
    sms.wait_idle()
    assert rows("sms", CITIZEN) == ["processed"] * 3 + ["limited"] * 3
    assert len(sms.assistant.turns) == 3
    assert len(notices("sms", CITIZEN)) == 1


def test_a_spanish_number_gets_the_notice_in_spanish(sms: SmsServer) -> None:
    spanish = "+34600000001"
    for i in range(4):
        assert sms.post(sms.message(spanish, f"hola {i}")).status_code == 200
    assert notices("sms", spanish) == [sender_limits.notice_text("limited", "es")]


def test_a_blocked_phone_is_dropped_but_can_still_opt_out(sms: SmsServer) -> None:
    block("sms", CITIZEN)
    assert sms.post(sms.message(CITIZEN, "abuse")).status_code == 200
    assert sms.post(sms.message(CITIZEN, "STOP")).status_code == 200  # the law comes first
    sms.wait_idle()
    assert rows("sms", CITIZEN)[0] == "blocked"
    assert sms.assistant.turns == []
    from bot.models import OptOut
    assert sms.count(OptOut, address=CITIZEN) == 1
    assert notices("sms", CITIZEN) == []


# --- web chat -----------------------------------------------------------------------------


def chat(session_id: str, text: str = "hi") -> dict:
    return {"session_id": session_id, "client_message_id": uuid.uuid4().hex, "text": text}


def test_web_chat_over_the_limit_is_refused_with_429_and_nothing_recorded(
        start_webchat: Callable[..., Any]) -> None:
    server = start_webchat()
    session = uuid.uuid4().hex
    with server.client() as client:
        sent = [chat(session, f"m{i}") for i in range(5)]
        answers = [client.post("/message", json=body) for body in sent]
        resend = client.post("/message", json=sent[0])  # an answered message is still served
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert answers[3].headers["Retry-After"] == "60"
    assert "very fast" in answers[3].json()["error"]
    assert resend.status_code == 200 and resend.json()["replies"]
    assert rows("webchat", session) == ["processed"] * 3
    assert len(server.assistant.turns) == 3


def test_a_blocked_web_chat_session_gets_403_and_nothing_is_stored(
        start_webchat: Callable[..., Any]) -> None:
    server = start_webchat()
    session = uuid.uuid4().hex
    block("webchat", session)
    with server.client() as client:
        answer = client.post("/message", json=chat(session))
        upload = client.post("/upload", data={"session_id": session},
                             files={"photo": ("p.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")})
    assert answer.status_code == 403 and answer.json()["error"]
    assert upload.status_code == 403
    assert rows("webchat", session) == [] and server.assistant.turns == []


def test_an_expired_block_lets_the_sender_back_in(start_webchat: Callable[..., Any]) -> None:
    server = start_webchat()
    session = uuid.uuid4().hex
    with session_scope() as db:
        blocklist.block(db, channel="webchat", sender_id=session, reason="cool off", by="t",
                        days=1, now=dt.datetime.utcnow() - dt.timedelta(days=2))
    with server.client() as client:
        assert client.post("/message", json=chat(session)).status_code == 200
