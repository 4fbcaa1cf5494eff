"""The figures of `make bench` that are not a conversation: model load and training time, case
creation on SQLite and PostgreSQL, and outbox dispatch against the local fake Twilio.

Case creation calls bot.cases.open_case directly, one unit of work per case as the submit
action does, from one thread and from several (the action server runs actions concurrently).
PostgreSQL is a throwaway cluster, as tests/conftest.py's postgres_url makes it.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from tests.integration.databases import PostgresCluster, migrate_database, postgres_bin_dir, seed_database
from tests.integration.servers import ROOT, free_port, project_environment

CASES = 300
OUTBOX_MESSAGES = 300
THREADS = 8


def model_load_seconds(model: Path) -> Optional[float]:
    """Seconds for Rasa's Agent.load of `model` in a fresh process (imports not counted)."""
    script = ("import time, rasa.core.agent as a; t = time.perf_counter(); "
              f"a.Agent.load({str(model)!r}); print(time.perf_counter() - t)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=project_environment({}),
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return round(float(result.stdout.strip().splitlines()[-1]), 2)


def training_seconds(out: Path) -> Optional[float]:
    """Seconds to train our model (config.yml, domain, data) into `out` (never models/)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain",
         "--data", "data", "--out", str(out), "--fixed-model-name", "bench", "--force"],
        cwd=ROOT, env=project_environment({}), capture_output=True, text=True)
    return round(time.monotonic() - started, 1) if result.returncode == 0 else None


def _open_one(url: str, index: int) -> None:
    from bot.cases import open_case
    from bot.db import session_scope

    with session_scope(url) as session:
        open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                  description="A deep pothole about a metre wide", address=f"{index} Elm Street",
                  latitude=None, longitude=None, channel="webchat", sender_id=f"bench-{index}",
                  consent=True)


def cases_per_second(url: str, threads: int) -> float:
    """open_case throughput: CASES cases, each its own unit of work."""
    started = time.perf_counter()
    if threads == 1:
        for index in range(CASES):
            _open_one(url, index)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda i: _open_one(url, i), range(CASES)))
    return round(CASES / (time.perf_counter() - started), 1)


def prepared_database(url: str) -> str:
    migrate_database(url)
    seed_database(project_environment({"DATABASE_URL": url}))
    return url


def case_creation(scratch: Path) -> Dict[str, Any]:
    """Cases/s on SQLite and on PostgreSQL (skipped when PostgreSQL is not installed)."""
    figures: Dict[str, Any] = {}
    sqlite = prepared_database(f"sqlite:///{scratch / 'cases.db'}")
    figures["cases_per_s_sqlite_1_thread"] = cases_per_second(sqlite, 1)
    figures[f"cases_per_s_sqlite_{THREADS}_threads"] = cases_per_second(sqlite, THREADS)
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        figures["cases_per_s_postgresql"] = "skipped: PostgreSQL is not installed"
        return figures
    cluster = PostgresCluster(bin_dir, free_port()).start()
    try:
        postgres = prepared_database(cluster.create_database("civic_bench"))
        figures["cases_per_s_postgresql_1_thread"] = cases_per_second(postgres, 1)
        figures[f"cases_per_s_postgresql_{THREADS}_threads"] = cases_per_second(postgres, THREADS)
    finally:
        from bot.db import reset_engine

        reset_engine()
        cluster.stop()
    return figures


def outbox_dispatch(scratch: Path) -> Dict[str, Any]:
    """Outbox rows sent per second by bot.outbox_dispatch over twilio's Client to the fake."""
    from bot import outbox
    from bot.db import session_scope
    from bot.outbox_dispatch import dispatch_due
    from channels.dispatch_sms import SmsDispatch
    from channels.sms_output import TwilioConfig, TwilioSender
    from tests.fakes.twilio_api import FakeTwilio

    url = prepared_database(f"sqlite:///{scratch / 'outbox.db'}")
    fake = FakeTwilio().start()
    try:
        now = dt.datetime.utcnow()
        with session_scope(url) as session:
            for index in range(OUTBOX_MESSAGES):
                outbox.enqueue(session, channel="sms", recipient=f"+4477{index:08d}", language="en",
                               kind="status_update", body=f"Report C-2026-{index:06d} is in progress.",
                               dedupe_key=f"bench-{index}", now=now)
        sms = SmsDispatch(TwilioSender(TwilioConfig(
            account_sid=fake.account_sid, auth_token=fake.auth_token, from_number="+441632960001",
            api_base_url=fake.base_url, timeout_seconds=10)))
        factory: Callable[[], Any] = lambda: session_scope(url)  # noqa: E731
        started = time.perf_counter()
        while len(fake.sent) < OUTBOX_MESSAGES and time.perf_counter() - started < 300:
            dispatch_due(factory, {"sms": sms.send}, dt.datetime.utcnow(), 50,
                         lookups={"sms": sms.count_sent})
        elapsed = time.perf_counter() - started
        return {"outbox_sms_per_s": round(len(fake.sent) / elapsed, 1),
                "outbox_sms_sent": len(fake.sent)}
    finally:
        fake.stop()


def run_all(scratch: Path, model: Path, train: bool) -> Dict[str, Any]:
    """Every extra figure; a failing part is reported as such, not hidden."""
    figures: Dict[str, Any] = {"model_load_seconds": model_load_seconds(model)}
    if train:
        figures["training_seconds"] = training_seconds(scratch / "trained")
    for name, part in (("cases", case_creation), ("outbox", outbox_dispatch)):
        try:
            figures.update(part(scratch))
        except Exception as exc:  # one broken part must not lose the others' figures
            figures[f"{name}_error"] = f"{type(exc).__name__}: {exc}"
    return figures
