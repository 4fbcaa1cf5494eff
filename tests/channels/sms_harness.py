"""Test harness for the SMS channel: the real blueprint in a Sanic app on loopback, the fake
Twilio REST API behind twilio's own Client, and signed webhook posts as Twilio makes them.

The channel is configured with a public https URL that is *not* the loopback address the
test client calls: the signature covers the public URL, as behind a TLS-terminating proxy.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.db import session_scope
from bot.models import Attachment, InboundMessage, OptOut, OutboxMessage
from bot.settings import get_settings
from channels.sms import SmsInput
from channels.sms_media import HttpMediaFetcher
from channels.sms_output import TwilioConfig, TwilioSender
from tests.channels.conftest import serve_blueprint
from tests.fakes.twilio_api import FakeTwilio

PUBLIC_URL = "https://sms.riverton.example.gov"
PREFIX = "/webhooks/sms"
CITY_NUMBER = "+441632960001"


@dataclass
class ScriptedAssistant:
    """Stands in for Rasa: records each turn, echoes, offers Yes/No buttons; can be held."""

    turns: List[UserMessage] = field(default_factory=list)
    hold: Optional[threading.Event] = None
    started: threading.Event = field(default_factory=threading.Event)

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append(message)
        self.started.set()
        if self.hold is not None:
            await asyncio.to_thread(self.hold.wait, 10)
        out = message.output_channel
        await out.send_text_message(message.sender_id, f"You said: {message.text}")
        await out.send_text_with_buttons(message.sender_id, "Is that right?",
                                         [{"title": "Yes", "payload": "/affirm"},
                                          {"title": "No", "payload": "/deny"}])


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature as Twilio computes it (twilio's RequestValidator)."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))


@dataclass
class SmsServer:
    """A running channel, its fake assistant and the fake Twilio it sends through."""

    base_url: str
    channel: SmsInput
    assistant: ScriptedAssistant
    twilio: FakeTwilio
    database_url: str
    _counter: List[int] = field(default_factory=lambda: [0])

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=15)

    def new_sid(self) -> str:
        self._counter[0] += 1
        return f"SM{self._counter[0]:032d}"

    def message(self, sender: str, body: str, **extra: str) -> Dict[str, str]:
        """Webhook parameters of an inbound SMS, like Twilio's."""
        params = {"MessageSid": self.new_sid(), "AccountSid": self.twilio.account_sid,
                  "From": sender, "To": CITY_NUMBER, "Body": body, "NumMedia": "0",
                  "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        params.update(extra)
        return params

    def post(self, params: Mapping[str, str], path: str = "/webhook",
             signature: Optional[str] = "auto", client: Optional[httpx.Client] = None,
             ) -> httpx.Response:
        """POST form params, signed for the public URL unless a signature is given."""
        headers = {}
        if signature == "auto":
            signature = sign(self.twilio.auth_token, PUBLIC_URL + PREFIX + path, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        owner = client or self.client()
        try:
            return owner.post(PREFIX + path, data=dict(params), headers=headers)
        finally:
            if client is None:
                owner.close()

    def count(self, model: Any, **where: Any) -> int:
        with session_scope(self.database_url) as session:
            query = select(func.count()).select_from(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return int(session.execute(query).scalar_one())

    def inbound(self, sid: str) -> Optional[InboundMessage]:
        with session_scope(self.database_url) as session:
            return session.execute(select(InboundMessage).where(
                InboundMessage.external_id == sid)).scalars().first()

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll with a deadline (the turn runs in the background after the ack)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met before the deadline")
            time.sleep(0.02)

    def wait_processed(self, sid: str) -> InboundMessage:
        self.wait_for(lambda: (row := self.inbound(sid)) is not None and row.status != "received")
        row = self.inbound(sid)
        assert row is not None
        return row

    def wait_idle(self) -> None:
        self.wait_for(lambda: self.channel.runner.idle and not self.channel._background)


def build_channel(twilio: FakeTwilio, max_photo_bytes: int) -> SmsInput:
    config = TwilioConfig(twilio.account_sid, twilio.auth_token, CITY_NUMBER, twilio.base_url)
    return SmsInput(twilio.auth_token, PUBLIC_URL, TwilioSender(config),
                    HttpMediaFetcher(twilio.account_sid, twilio.auth_token, max_photo_bytes),
                    max_segments=3)


def start_server(channel: SmsInput, twilio: FakeTwilio, database_url: str,
                 assistant: ScriptedAssistant, stops: List[Any]) -> SmsServer:
    """Serve the channel's blueprint as Rasa mounts it, on a free loopback port."""
    base_url = serve_blueprint(channel, assistant, PREFIX, stops)
    return SmsServer(base_url, channel, assistant, twilio, database_url)


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """The fake Twilio REST API on a free loopback port."""
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def start_sms(webchat_db: str, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Callable[..., SmsServer]]:
    """Start the SMS channel (fresh migrated database, fake Twilio); stopped after the test."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    stops: List[Any] = []

    def start(channel: Optional[SmsInput] = None, **assistant_kwargs: Any) -> SmsServer:
        channel = channel or build_channel(twilio, get_settings().max_photo_bytes)
        return start_server(channel, twilio, webchat_db, ScriptedAssistant(**assistant_kwargs), stops)

    yield start
    for stop, thread in stops:
        stop.set()
        thread.join(10)


@pytest.fixture
def sms(start_sms: Callable[..., SmsServer]) -> SmsServer:
    """The SMS channel with an assistant that answers at once."""
    return start_sms()


__all__ = ["twilio", "start_sms", "sms", "Attachment", "InboundMessage", "OptOut", "OutboxMessage", "SmsServer",
           "ScriptedAssistant", "build_channel", "start_server", "sign", "PUBLIC_URL",
           "PREFIX", "CITY_NUMBER"]
