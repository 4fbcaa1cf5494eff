"""/metrics, /ready and /health of the console, the dispatcher and the Rasa metrics channel.

The Rasa server's routes on real replicas are exercised by tests/scale/; here: the console as
a real process, the dispatcher's aiohttp app in this process, and the turn timer.
"""
from __future__ import annotations

import asyncio
from typing import Any, List

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from rasa.core.channels.channel import UserMessage

from bot import metrics
from bot.settings import get_settings
from channels.dispatch_health import Heartbeat, build_app
from channels.metrics import timed
from tests.console.harness import console_factory, console_server  # noqa: F401

CLOSED_PORT_URL = "postgresql://civic:civic@127.0.0.1:9/civic"  # nothing listens on port 9


def test_the_console_serves_metrics_to_loopback_without_sign_in(console_server: Any) -> None:
    response = httpx.get(f"{console_server.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "civic_database_up 1.0" in response.text
    assert "civic_outbox_lag_seconds" in response.text


def test_the_console_is_ready_while_its_database_answers(console_server: Any) -> None:
    assert httpx.get(f"{console_server.url}/ready").json() == {"status": "ready"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _get(app: Any, path: str, **headers: str) -> tuple:
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path, headers=headers)
        return response.status, await response.text()


def test_the_dispatcher_is_unhealthy_when_its_loop_is_stuck() -> None:
    clock = Clock()
    heartbeat = Heartbeat(clock)
    app = build_app(heartbeat, stuck_after=60, token=None)
    assert asyncio.run(_get(app, "/health"))[0] == 200
    clock.now += 61
    status, body = asyncio.run(_get(build_app(heartbeat, 60, None), "/health"))
    assert status == 503 and '"stuck"' in body
    heartbeat.beat()
    assert asyncio.run(_get(build_app(heartbeat, 60, None), "/health"))[0] == 200


def test_the_dispatcher_reports_outbox_metrics_and_readiness(
        migrated_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "database_url", migrated_sqlite_url)
    metrics.record_dispatch(sent=2, failed=1, suppressed=0)
    status, body = asyncio.run(_get(build_app(Heartbeat(), 60, None), "/metrics"))
    assert status == 200
    assert "civic_outbox_sent_total" in body and "civic_database_up 1.0" in body
    assert asyncio.run(_get(build_app(Heartbeat(), 60, None), "/ready"))[0] == 200


def test_the_dispatcher_is_not_ready_without_its_database(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "database_url", CLOSED_PORT_URL)
    assert asyncio.run(_get(build_app(Heartbeat(), 60, None), "/ready"))[0] == 503


def test_a_turn_is_timed_once_even_if_wrapped_twice_and_when_it_fails() -> None:
    seen: List[str] = []

    async def handle(message: UserMessage) -> None:
        seen.append(message.text or "")
        if message.text == "boom":
            raise RuntimeError("turn failed")

    wrapped = timed(timed(handle))
    counter = metrics.MESSAGES_IN.labels(channel="metrics-test")
    before = counter._value.get()
    asyncio.run(wrapped(UserMessage("hi", sender_id="a", input_channel="metrics-test")))
    with pytest.raises(RuntimeError):
        asyncio.run(wrapped(UserMessage("boom", sender_id="a", input_channel="metrics-test")))
    assert seen == ["hi", "boom"]
    assert counter._value.get() == before + 2
