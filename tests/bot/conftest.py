"""Fixtures for the core tests: a migrated database (SQLite and PostgreSQL, from
tests/conftest.py), seeded services, and factories for reports.

The databases are shared by the whole session, so every test uses fresh sender ids and
submission ids (uuid4) instead of relying on empty tables.
"""
from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.models import FaqEntry, FaqVersion
from bot.services import load_catalogue, seed_services
from bot.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0)  # naive UTC, a normal working Monday


@pytest.fixture
def db(db_url: str) -> str:
    """The case database with the service catalogue loaded."""
    with session_scope(db_url) as session:
        seed_services(session, load_catalogue(ROOT / "content" / "services.yml"))
    return db_url


@pytest.fixture
def session_for(db: str) -> Callable[[], Any]:
    """`with session_for() as session:` opens a unit of work on the test database."""

    @contextmanager
    def opener() -> Iterator[Session]:
        with session_scope(db) as session:
            yield session

    return opener


@pytest.fixture
def sender() -> str:
    """A conversation id nobody else in the session uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def report(sender: str) -> Callable[..., dict]:
    """Keyword arguments for bot.cases.open_case, overridable per test."""

    def build(**overrides: Any) -> dict:
        values = dict(submission_id=uuid.uuid4().hex, service_code="pothole",
                      description="Deep pothole by the bus stop", address="12 High St",
                      latitude=51.5, longitude=-0.12, channel="webchat", sender_id=sender,
                      contact=None, language="en", consent=True, answers={"size": "large"},
                      attachment_ids=[], now=MONDAY_NOON)
        values.update(overrides)
        return values

    return build


@pytest.fixture
def attachments_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Photos go to a temp dir for the test."""
    folder = tmp_path / "attachments"
    monkeypatch.setattr(get_settings(), "attachments_dir", folder)
    return folder


@pytest.fixture
def empty_faq(db: str) -> str:
    """No FAQ entries at all, so retrieval tests see only what they publish."""
    with session_scope(db) as session:
        session.execute(delete(FaqVersion))
        session.execute(delete(FaqEntry))
    return db
