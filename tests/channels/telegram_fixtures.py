"""Shared by the Telegram tests: updates as Telegram sends them, and the channel served live.

The channel runs in a real Sanic app on loopback (tests/channels/conftest.py's `serve_blueprint`),
with a scripted fake assistant and the Bot API faked by tests/fakes/telegram_api.py.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest
from sanic import Sanic
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import Attachment, InboundMessage
from bot.settings import get_settings
from channels.telegram import SECRET_HEADER, TelegramInput
from tests.channels.conftest import FakeAssistant, serve_blueprint
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "123456:TEST-token_abc"
SECRET = "s3cret-Token_for_tests"
CHAT = 777001
WEBHOOK = "/webhooks/telegram/webhook"
_update_ids = itertools.count(1000)


def user(language: str = "en") -> Dict[str, Any]:
    return {"id": CHAT, "is_bot": False, "first_name": "Ada", "language_code": language}


def message_update(chat: int = CHAT, update_id: Optional[int] = None, **content: Any) -> Dict[str, Any]:
    """A `message` update; content is text=..., location=..., photo=... as Telegram sends it."""
    message = {"message_id": 1, "date": 1700000000, "from": user(),
               "chat": {"id": chat, "type": "private"}, **content}
    return {"update_id": next(_update_ids) if update_id is None else update_id, "message": message}


def callback_update(data: str, chat: int = CHAT) -> Dict[str, Any]:
    """A press of an inline keyboard button under one of the bot's messages."""
    bot_message = {"message_id": 2, "date": 1700000000, "chat": {"id": chat, "type": "private"},
                   "text": "Is that right?"}
    return {"update_id": next(_update_ids), "callback_query": {
        "id": "cbq-1", "from": user(), "chat_instance": "ci", "data": data, "message": bot_message}}


def inbound_count() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()


def attachment_count() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(Attachment)).scalar_one()


def statuses() -> List[str]:
    with session_scope() as session:
        return list(session.execute(select(InboundMessage.status).order_by(InboundMessage.id)).scalars())


@dataclass
class TelegramServer:
    """The live channel: post updates, look at the fake assistant and the fake Bot API."""

    base_url: str
    channel: TelegramInput
    assistant: Any
    api: FakeTelegramApi
    http: httpx.Client

    def post(self, update: Any = None, *, raw: Optional[bytes] = None,
             secret: Optional[str] = SECRET) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else httpx.Request("POST", "/", json=update).content
        return self.http.post(WEBHOOK, content=body, headers=headers)

    def wait_processed(self, count: int, timeout: float = 15.0) -> bool:
        """Until `count` inbound rows are processed (or failed) and the runner is idle."""
        return self.api.wait_for(lambda: len([s for s in statuses() if s != "received"]) >= count
                                 and self.channel.runner.idle, timeout)


async def no_sleep(seconds: float) -> None:
    """Injected instead of asyncio.sleep: the tests never wait for rate limits."""


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegramApi]:
    api = FakeTelegramApi(TOKEN).start()
    yield api
    api.stop()


@pytest.fixture
def start_telegram(webchat_db: str, telegram_api: FakeTelegramApi, monkeypatch: pytest.MonkeyPatch
                   ) -> Iterator[Callable[..., TelegramServer]]:
    """Start the channel against the fake API (settings as an operator sets them)."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram_api.base_url)
    get_settings.cache_clear()
    stops: List[tuple] = []
    clients: List[httpx.Client] = []

    def start(assistant: Any = None, **channel_kwargs: Any) -> TelegramServer:
        channel_kwargs.setdefault("sleep", no_sleep)
        channel = TelegramInput(**channel_kwargs)
        assistant = assistant or FakeAssistant()
        base_url = serve_blueprint(channel, assistant, "/webhooks/telegram", stops)
        http = httpx.Client(base_url=base_url, timeout=15)
        clients.append(http)
        return TelegramServer(base_url, channel, assistant, telegram_api, http)

    yield start
    for http in clients:
        http.close()
    for stop, thread in stops:
        stop.set()
        thread.join(10)
