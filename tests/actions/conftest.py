"""Fixtures for the action tests: a case database built by the migrations and seeded from
content/, and the project's own domain as the action server receives it.

The database is migrated and seeded once per session and copied per test, so every test
starts from the same known state in a file of its own. Tracker builders are in factories.py.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
import yaml

from bot.cases import open_case
from bot.db import reset_engine, session_scope
from bot.faq import seed_faq
from bot.schema import migrate
from bot.services import load_catalogue, seed_services
from bot.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def _use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()


@pytest.fixture(scope="session")
def seeded_database_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at Alembic head with the service catalogue and the seed FAQ."""
    path = tmp_path_factory.mktemp("actions-db") / "template.db"
    url = f"sqlite:///{path}"
    migrate(url)
    with session_scope(url) as session:
        seed_services(session, load_catalogue(ROOT / "content" / "services.yml"))
        seed_faq(session, ROOT / "content" / "faq.yml")
    reset_engine()  # closes the connections, so the WAL is folded into the file
    return path


@pytest.fixture
def database(seeded_database_file: Path, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing at a fresh copy of the seeded database."""
    path = tmp_path / "civic.db"
    shutil.copyfile(seeded_database_file, path)
    url = f"sqlite:///{path}"
    _use_database(monkeypatch, url)
    yield url
    reset_engine()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite-directory", "postgres-refused"])
def database_down(request: pytest.FixtureRequest, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing at a database that cannot be reached: a SQLite "file" that is a
    directory, or a PostgreSQL server that refuses connections (nothing listens on port 1)."""
    if request.param == "sqlite-directory":
        url = f"sqlite:///{tmp_path}"
    else:
        url = "postgresql+psycopg2://civic@127.0.0.1:1/civic?connect_timeout=3"
    _use_database(monkeypatch, url)
    yield url
    reset_engine()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def open_test_case(database: str) -> Callable[..., str]:
    """Open a case directly in the core and return its reference."""

    def opener(sender_id: str, channel: str = "webchat", **overrides: Any) -> str:
        values: Dict[str, Any] = dict(
            submission_id=uuid.uuid4().hex, service_code="pothole",
            description="Deep pothole by the bus stop", address="12 High St", latitude=None,
            longitude=None, channel=channel, sender_id=sender_id, contact=None, language="en",
            consent=True, answers={}, attachment_ids=[])
        values.update(overrides)
        with session_scope() as session:
            reference = open_case(session, **values).case.reference
        return reference

    return opener


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The project's domain/ files merged, as the action server receives it when Rasa sends
    it (factories.run_action gives it only to the actions Rasa sends it to)."""
    merged: Dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": [],
                              "session_config": {}}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("slots", "forms", "responses", "session_config"):
            merged[key].update(part.get(key) or {})
        merged["actions"].extend(part.get("actions") or [])
    return merged


@pytest.fixture(autouse=True)
def _every_action_test_has_a_database(request: pytest.FixtureRequest) -> None:
    """Actions may reach the core on any turn (a language switch is remembered on the citizen's
    cases), so no action test may fall back to the developer's var/civic.db."""
    if "database_down" not in request.fixturenames:
        request.getfixturevalue("database")
