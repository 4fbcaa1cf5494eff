"""Fixtures for the channel tests: a migrated temporary SQLite database and a live Sanic server.

Each test gets its own copy of `migrated_sqlite_url` (tests/conftest.py: built by the Alembic
migrations once per session), so counts of rows are the test's own.

The channel's contract with Rasa is only the `on_new_message` callable and the OutputChannel
it is given, so the tests mount the real blueprint in a plain Sanic app with a scripted fake
assistant, served over real HTTP on a free port (no Rasa model needed).
"""
from __future__ import annotations

import asyncio
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy.engine import make_url

from bot.db import reset_engine
from bot.settings import get_settings
from channels.webchat import WebChatInput
from tests.integration.servers import free_port

PREFIX = "/webhooks/webchat"
TEST_MAX_PHOTO_BYTES = 4096  # small, so the 413 test sends little
TEST_MAX_TEXT_CHARS = 2000


@dataclass
class FakeAssistant:
    """Stands in for Rasa: counts turns, answers by a script, can be held mid-turn or fail."""

    turns: List[UserMessage] = field(default_factory=list)
    hold: Optional[threading.Event] = None
    fail_next: bool = False
    # Run in the middle of the turn (in a thread), like an action's side effects.
    during_turn: Optional[Callable[[UserMessage], None]] = None

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append(message)
        if self.hold is not None:
            await asyncio.to_thread(self.hold.wait, 10)
        if self.during_turn is not None:
            await asyncio.to_thread(self.during_turn, message)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("assistant crashed")
        out = message.output_channel
        await out.send_text_message(message.sender_id, f"You said: {message.text}")
        await out.send_text_with_buttons(
            message.sender_id, "Is that right?",
            [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
             {"title": "Submit", "payload": "/affirm"}],
        )


@dataclass
class ChannelServer:
    """A running Sanic app with the web chat blueprint mounted as Rasa mounts it."""

    base_url: str
    assistant: FakeAssistant
    channel: WebChatInput

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url + PREFIX, timeout=15)


async def _close_connections(connections: set, grace_seconds: float = 2.0) -> None:
    """What Sanic's own runner does on shutdown: idle ones now, the rest after a grace period."""
    for connection in list(connections):
        connection.close_if_idle()
    deadline = asyncio.get_running_loop().time() + grace_seconds
    while connections and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    for connection in list(connections):
        connection.abort()


def _serve(app: Sanic, port: int, started: threading.Event, stop: threading.Event) -> None:
    """Run the app on its own event loop in this thread until `stop` is set."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def main() -> None:
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                         access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await _close_connections(server.connections)
        await server.after_stop()

    loop.run_until_complete(main())
    loop.close()


@pytest.fixture
def webchat_db(migrated_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh copy of the database the Alembic migrations built; settings point at it."""
    reset_engine()  # nothing may hold the template open while it is copied
    path = tmp_path / "civic.db"
    shutil.copyfile(make_url(migrated_sqlite_url).database, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setenv("MAX_PHOTO_BYTES", str(TEST_MAX_PHOTO_BYTES))
    monkeypatch.setenv("MAX_MESSAGE_CHARS", str(TEST_MAX_TEXT_CHARS))
    monkeypatch.setenv("CITY_NAME", "Testville")
    get_settings.cache_clear()
    yield url
    reset_engine()
    get_settings.cache_clear()


def serve_blueprint(channel: Any, on_new_message: Any, url_prefix: str, stops: List[tuple]) -> str:
    """Serve a channel's blueprint as Rasa mounts it, in a Sanic app on a free loopback port;
    (stop, thread) is appended to `stops` for the fixture to end. Returns the base URL."""
    app = Sanic(f"{channel.name()}_test_{len(stops)}_{id(channel)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix=url_prefix)
    port = free_port()
    started, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=_serve, args=(app, port, started, stop), daemon=True)
    thread.start()
    assert started.wait(10), "the test server did not start"
    stops.append((stop, thread))
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def start_webchat(webchat_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ChannelServer]]:
    """Start the channel (optionally with a given channel object); stopped after the test."""
    # As sanic-testing does: lets several apps start in one process (Sanic's TouchUp rewrites
    # class methods on first start unless in test mode).
    monkeypatch.setattr(Sanic, "test_mode", True)
    stops: List[tuple] = []

    def start(channel: Optional[WebChatInput] = None, **assistant_kwargs: Any) -> ChannelServer:
        channel = channel or WebChatInput.from_credentials(None)
        assistant = FakeAssistant(**assistant_kwargs)
        base_url = serve_blueprint(channel, assistant, PREFIX, stops)
        return ChannelServer(base_url, assistant, channel)

    yield start
    for stop, thread in stops:
        stop.set()
        thread.join(10)


@pytest.fixture
def webchat(start_webchat: Callable[..., ChannelServer]) -> ChannelServer:
    """The channel with default settings and a fake assistant that answers at once."""
    return start_webchat()
