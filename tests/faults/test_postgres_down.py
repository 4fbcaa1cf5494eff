"""Fault: the PostgreSQL case database goes down (the server stops) for a minute, then returns.

The production topology keeps cases on PostgreSQL, where "the database is down" means refused
connections and, for connections pooled before the crash, dead sockets. Messages that arrive
during the outage must be refused (503: nothing recorded, the provider retries), never
acknowledged and dropped; after the server is back every process must recover on its own (no
restart: the pool's pre-ping replaces dead connections) and process each retried message once.
The SQLite variant, a write lock held past the busy timeout, is test_database_unavailable.py.
"""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from bench.soak_citizens import Webhooks
from tests.conftest import skip_or_fail
from tests.faults.cluster import (CITY_NUMBER, SECRET, SMS_PUBLIC_URL, TOKEN, build_assistant,
                                  fault_environment)
from tests.faults.conftest import Faults
from tests.faults.journey import (cases_of, poll, query, references, wait_processed,
                                  walk_report)
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio
from tests.integration.databases import PostgresCluster, postgres_bin_dir
from tests.integration.servers import free_port

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 60.0  # "unavailable for a minute" (issue 9)


class DownablePostgres:
    """A private PostgreSQL cluster the test can take down and bring back."""

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            skip_or_fail("PostgreSQL is not installed; apt-get install postgresql")
        self.cluster = PostgresCluster(bin_dir, free_port()).start()
        self.url = self.cluster.create_database("civic_down")

    def outage(self, seconds: float, down: threading.Event) -> None:
        """Down for `seconds` (the outage itself, not a wait for a condition), then up."""
        self.cluster.halt()
        down.set()
        try:
            time.sleep(seconds)
        finally:
            self.cluster.resume()


@pytest.fixture(scope="module")
def on_postgres(shipped_model: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple]:
    database = DownablePostgres()
    telegram, twilio = FakeTelegramApi(TOKEN).start(), FakeTwilio().start()
    env = fault_environment(telegram.base_url, twilio, {"TELEGRAM_STALE_TURN_SECONDS": "4",
                                                        "SMS_STALE_TURN_SECONDS": "4"})
    assistant = build_assistant(tmp_path_factory.mktemp("pg-down"), env, model=shipped_model,
                                database_url=database.url)
    hooks = Webhooks(assistant.rasa_url, SECRET, twilio.account_sid, twilio.auth_token,
                     SMS_PUBLIC_URL, CITY_NUMBER, retry_seconds=0.5)
    try:
        assistant.start_all()
        yield Faults(assistant, telegram, twilio, hooks), database
    finally:
        assistant.stop_all()
        telegram.stop()
        twilio.stop()
        database.cluster.stop()


def test_messages_while_postgres_is_down_are_refused_then_processed_once(on_postgres: tuple
                                                                         ) -> None:
    faults, database = on_postgres
    hooks, assistant = faults.hooks, faults.assistant
    # Warm every process's pool first, so the outage also leaves dead pooled connections.
    assert wait_processed(assistant, hooks.telegram_text(65001, "hello")) == "processed"
    down = threading.Event()
    outage = threading.Thread(target=database.outage, args=(OUTAGE_SECONDS, down))
    outage.start()
    assert down.wait(30)
    refused_before = hooks.ledger.refusals.get(503, 0)
    with ThreadPoolExecutor(2) as pool:
        telegram = pool.submit(hooks.telegram_text, 65002, "hello", 150.0)
        sms = pool.submit(hooks.sms, "+447700900444", "hello", 150.0)
        keys = [telegram.result(), sms.result()]
    outage.join()
    assert hooks.ledger.refusals.get(503, 0) > refused_before, hooks.ledger.refusals
    assert set(keys) <= hooks.ledger.acknowledged
    for key in keys:
        assert wait_processed(assistant, key) == "processed"
        rows = query(database.url, "SELECT COUNT(*) AS n FROM inbound_messages "
                     "WHERE external_id = :e", e=key.split(":")[1])
        assert rows[0]["n"] == 1
    tracker = query(f"sqlite:///{assistant.servers.workdir / 'tracker.db'}",
                    "SELECT data FROM events WHERE sender_id = '65002' AND type_name = 'user'")
    assert [json.loads(row["data"])["text"] for row in tracker].count("hello") == 1
    assert faults.telegram.sent_texts("65002"), "the citizen got no reply after the outage"


def test_after_the_outage_a_report_is_taken_and_its_case_opened(on_postgres: tuple) -> None:
    """Every process recovered without a restart: the form (action server), the case insert
    and the confirmation through the outbox (dispatcher) all work on the restarted server."""
    faults, database = on_postgres
    assert all(process.running for process in faults.assistant.processes.values())
    walk_report(faults.assistant, faults.hooks, 65003, stop_at="confirmed")
    wait_processed(faults.assistant, faults.hooks.telegram_button(65003, "/affirm"))
    cases = cases_of(database.url, "65003")
    assert len(cases) == 1, faults.assistant.log_tail("actions")
    assert poll(lambda: references(faults.telegram.sent_texts("65003")) == cases), \
        faults.telegram.sent_texts("65003")
