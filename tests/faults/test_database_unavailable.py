"""Fault: the case database is unavailable for a while (here 20 s instead of a minute).

The SQLite case database is write-locked by another connection (BEGIN EXCLUSIVE) longer than
the busy timeout, so every write fails as it would with the database gone. Inbound webhooks
must then answer 503 (nothing recorded, the provider retries) rather than acknowledge what they
could not record; once the lock is released every retried message is recorded and processed
exactly once.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.conftest import Faults
from tests.faults.journey import query, wait_processed

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 20.0


def hold_database(path: str, seconds: float, locked: threading.Event) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)  # the outage itself, not a wait for a condition
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def test_messages_during_an_outage_are_refused_then_processed_once(healed: Faults) -> None:
    path = healed.assistant.database_url.removeprefix("sqlite:///")
    locked = threading.Event()
    outage = threading.Thread(target=hold_database, args=(path, OUTAGE_SECONDS, locked))
    outage.start()
    assert locked.wait(10)
    refused_before = sum(healed.hooks.ledger.refusals.values())
    with ThreadPoolExecutor(2) as pool:
        telegram = pool.submit(healed.hooks.telegram_text, 64001, "hello", 120.0)
        sms = pool.submit(healed.hooks.sms, "+447700900333", "hello", 120.0)
        keys = [telegram.result(), sms.result()]
    outage.join()
    assert sum(healed.hooks.ledger.refusals.values()) > refused_before, "nothing was refused"
    assert healed.hooks.ledger.refusals.get(503), healed.hooks.ledger.refusals
    assert set(keys) <= healed.hooks.ledger.acknowledged
    for key in keys:
        assert wait_processed(healed.assistant, key) == "processed"
        rows = query(healed.assistant.database_url, "SELECT COUNT(*) AS n FROM inbound_messages "
                     "WHERE external_id = :e", e=key.split(":")[1])
        assert rows[0]["n"] == 1
    tracker = query(f"sqlite:///{healed.assistant.servers.workdir / 'tracker.db'}",
                    "SELECT data FROM events WHERE sender_id = '64001' AND type_name = 'user'")
    assert [json.loads(row["data"])["text"] for row in tracker].count("hello") == 1
