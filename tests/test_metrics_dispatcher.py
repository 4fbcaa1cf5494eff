"""`python -m channels.dispatcher` with DISPATCHER_HEALTH_PORT: health, readiness and metrics
of the real process, which counts what it sends."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot import outbox
from bot.db import session_scope
from tests.integration.servers import free_port, project_environment

ROOT = Path(__file__).resolve().parent.parent


def poll(url: str, predicate, timeout: float = 60.0) -> httpx.Response:  # type: ignore[no-untyped-def]
    """GET `url` until `predicate(response)` holds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.get(url, timeout=5)
            if predicate(response):
                return response
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} never satisfied the check")
        time.sleep(0.2)


@pytest.fixture
def dispatcher(migrated_sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = project_environment({"DATABASE_URL": migrated_sqlite_url, "OUTBOX_POLL_SECONDS": "0.2",
                               "DISPATCHER_HEALTH_PORT": str(port)})
    with (tmp_path / "dispatcher.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "channels.dispatcher"], cwd=ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_dispatcher_process_reports_health_readiness_and_what_it_sent(
        dispatcher: str, migrated_sqlite_url: str) -> None:
    poll(f"{dispatcher}/health", lambda response: response.status_code == 200)
    assert httpx.get(f"{dispatcher}/ready").status_code == 200
    with session_scope(migrated_sqlite_url) as session:
        outbox.enqueue(session, channel="webchat", recipient="web-1", language="en",
                       kind="status_update", body="Your report is in progress", dedupe_key="m-1")
    scrape = poll(f"{dispatcher}/metrics",
                  lambda response: "civic_outbox_sent_total 1.0" in response.text)
    assert 'civic_outbox_messages{status="sent"} 1.0' in scrape.text
    assert "civic_outbox_lag_seconds 0.0" in scrape.text
