"""Shared by the dispatcher tests: the fakes wired into settings, an event loop for the Bot,
outbox helpers, and the dispatcher as a subprocess (for crash and SIGTERM tests).

The dispatcher under test is the real one (channels/dispatcher.py) with the real client
libraries (twilio's Client, python-telegram-bot's Bot) talking to tests/fakes over loopback.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional

import pytest
from sqlalchemy import select

from bot import outbox
from bot.clock import utc_naive
from bot.db import session_scope
from bot.models import OutboxMessage
from bot.settings import get_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
CRASH_WRAPPER = ROOT / "tests" / "channels" / "dispatcher_crash.py"
TOKEN = "123456:TEST-dispatch_token"
CITY_NUMBER = "+441632960999"
CRASH_EXIT = 70


@dataclass
class Fakes:
    """Both providers' fakes, and the environment that points the settings at them."""

    twilio: FakeTwilio
    telegram: FakeTelegramApi
    database_url: str

    def env(self, **extra: str) -> Dict[str, str]:
        return {"DATABASE_URL": self.database_url, "TWILIO_ACCOUNT_SID": self.twilio.account_sid,
                "TWILIO_AUTH_TOKEN": self.twilio.auth_token, "TWILIO_FROM_NUMBER": CITY_NUMBER,
                "TWILIO_API_BASE_URL": self.twilio.base_url, "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": self.telegram.base_url, **extra}


@pytest.fixture
def fakes(webchat_db: str, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    """Fresh database, fake Twilio and fake Telegram; the settings point at all three."""
    telegram = FakeTelegramApi(TOKEN).start()
    result = Fakes(twilio, telegram, webchat_db)
    for name, value in result.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield result
    telegram.stop()
    get_settings.cache_clear()


@pytest.fixture
def bot_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop in a thread, standing in for the dispatcher's main loop (the Bot's home)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def queue(channel: str, recipient: str, body: str, now: Optional[dt.datetime] = None,
          kind: str = "status_update") -> int:
    with session_scope() as session:
        return outbox.enqueue(session, channel=channel, recipient=recipient, language="en",
                              kind=kind, body=body, dedupe_key=uuid.uuid4().hex, now=now).id


def row(message_id: int) -> OutboxMessage:
    with session_scope() as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one()


def statuses() -> Dict[int, str]:
    with session_scope() as session:
        return dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll with a deadline (tests never sleep a fixed time to wait for something)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@dataclass
class DispatcherProcess:
    """`python -m channels.dispatcher` (or the crash wrapper around it) as a subprocess."""

    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait: the graceful path."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout)


def start_dispatcher(fakes: Fakes, log_path: Path, crash_at: Optional[str] = None,
                     lease_seconds: float = 2.0) -> DispatcherProcess:
    """Start the dispatcher; with `crash_at` ("stage:outbox_id") via the crash wrapper."""
    env = {**os.environ, **fakes.env(OUTBOX_POLL_SECONDS="0.1", LOG_LEVEL="INFO"),
           "PYTHONPATH": str(ROOT)}
    if crash_at is None and lease_seconds == outbox.LEASE.total_seconds():
        command = [sys.executable, "-m", "channels.dispatcher"]
    else:
        command = [sys.executable, str(CRASH_WRAPPER), "--lease-seconds", str(lease_seconds)]
        command += ["--crash-at", crash_at] if crash_at else []
    handle = open(log_path, "ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return DispatcherProcess(process, log_path)


def now() -> dt.datetime:
    return utc_naive()


__all__ = ["Fakes", "fakes", "bot_loop", "queue", "row", "statuses", "wait_until",
           "start_dispatcher", "DispatcherProcess", "CITY_NUMBER", "CRASH_EXIT", "TOKEN", "now"]
