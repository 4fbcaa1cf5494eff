"""Session fixtures shared by every test: databases built by the migrations, real PostgreSQL
and Redis servers, the trained model, and the running assistant. Everything is on loopback and
in temp dirs; nothing touches var/ or a developer's database.

- migrated_sqlite_url: a SQLite file at Alembic head, each test its own (a copy of one
  migrated per session).
- postgres_url: a database at Alembic head on a private PostgreSQL cluster (skipped without one).
- db_url: a session-wide SQLite copy and postgres_url, for core tests that must hold on both.
- redis_url: a private redis-server (skipped without one).
- trained_model: models/civic.tar.gz, trained first when its inputs changed (scripts/train_model.py).
- assistant_servers: scripts/run_assistant.py on free ports with its own seeded SQLite database.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from tests.integration.databases import (PostgresCluster, RedisServer, copy_sqlite_database,
                                         migrate_database, postgres_bin_dir)
from tests.integration.servers import AssistantServers, free_port, prepare_assistant

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sqlite_template_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated once per session; tests get copies, never this file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite-template') / 'civic.db'}"
    migrate_database(url)
    return url


@pytest.fixture
def migrated_sqlite_url(sqlite_template_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite case database at Alembic head, empty and this test's own (outside tmp_path,
    which stays the test's)."""
    return copy_sqlite_database(sqlite_template_url, tmp_path_factory.mktemp("sqlite") / "civic.db")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def skip_or_fail(reason: str) -> None:
    """Skip a test whose real part is missing on a developer's machine, but fail in CI:
    .ci/run installs every part, so a missing one there is a broken pipeline, not a skip."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator["Browser"]:
    """A headless Debian Chromium per test module. Playwright's sync driver runs an event loop
    in the main thread while it is open, so it must be closed before the next module: tests
    that call asyncio.run() (channels) would otherwise find a loop already running."""
    if shutil.which(CHROMIUM) is None:
        skip_or_fail("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL case database at Alembic head, on a throwaway cluster."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        skip_or_fail("PostgreSQL is not installed (no initdb/pg_ctl under "
                    "/usr/lib/postgresql/*/bin); apt-get install postgresql")
    cluster = PostgresCluster(bin_dir, free_port())
    try:
        cluster.start()
        url = cluster.create_database("civic_test")
        migrate_database(url)
        yield url
    finally:
        _dispose_engines()
        cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The case database on SQLite and on PostgreSQL, shared by the session's core tests:
    core behaviour must hold on both."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template_url")
        return copy_sqlite_database(template, tmp_path_factory.mktemp("sqlite") / "civic.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private Redis server, e.g. for Rasa's Redis lock store."""
    executable = shutil.which("redis-server")
    if executable is None:
        skip_or_fail("redis-server is not installed; apt-get install redis-server")
    server = RedisServer(executable, free_port())
    try:
        yield server.start().url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """models/civic.tar.gz, (re)trained only when config, domain, data or components changed."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_model.py")],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"training failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
                    f"{result.stderr[-8000:]}", pytrace=False)
    return ROOT / "models" / "civic.tar.gz"


@pytest.fixture(scope="session")
def assistant_factory(trained_model: Path, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[object]:
    """Starts an assistant on a fresh seeded database, or, given an earlier instance, stops it
    and starts again on the same database (a second `make run`). Stops them all at the end."""
    started: list[AssistantServers] = []

    def start(restart_of: AssistantServers | None = None) -> AssistantServers:
        if restart_of is None:
            instance = prepare_assistant(tmp_path_factory.mktemp("assistant"))
        else:
            restart_of.stop()
            instance = AssistantServers(workdir=restart_of.workdir, env=restart_of.env)
        started.append(instance)
        return instance.start()

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture(scope="session")
def assistant_servers(assistant_factory) -> AssistantServers:  # type: ignore[no-untyped-def]
    """One running assistant for the session: rasa_url, action_url, database_url, say()."""
    return assistant_factory()


def _dispose_engines() -> None:
    """Close pooled connections of bot.db so a server can stop without waiting for them."""
    from bot.db import reset_engine

    reset_engine()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """On a failing test that used the assistant, attach the servers' log to the report."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    instance = getattr(item, "funcargs", {}).get("assistant_servers")
    if isinstance(instance, AssistantServers):
        report.sections.append((f"assistant log ({instance.log_path})", instance.log_tail()))
