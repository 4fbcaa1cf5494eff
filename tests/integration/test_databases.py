"""The deployment shapes the fixtures stand for: the migrations build the case database on
SQLite and PostgreSQL alike, and Rasa's Redis lock store (for several Rasa replicas) works
against a real Redis server."""
from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text


def test_migrations_build_every_model_table_and_column_at_head(db_url: str) -> None:
    from bot.models import Base
    from bot.schema import alembic_config

    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = set(inspector.get_table_names())
            columns = {table: {column["name"] for column in inspector.get_columns(table)}
                       for table in set(Base.metadata.tables) & tables}
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    missing = set(Base.metadata.tables) - tables
    assert not missing, f"models without a migration: {sorted(missing)}"
    unmigrated = sorted(f"{name}.{column.name}" for name, table in Base.metadata.tables.items()
                        if name in columns for column in table.columns
                        if column.name not in columns[name])
    assert not unmigrated, f"model columns without a migration: {unmigrated}"
    assert version == head


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database of each kind (not the session's shared one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'civic.db'}"
    server = request.getfixturevalue("postgres_url")
    name = f"civic_upgrade_{uuid.uuid4().hex[:8]}"
    engine = create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def test_upgrading_a_database_with_reports_keeps_them(blank_db_url: str) -> None:
    """A city upgrades a database that holds reports. Migration 0011 first used SQLite's
    batch mode, which copies the services table and drops the old one: the reports' foreign
    key refused, and `make run` stopped on an existing database. The latest migration runs
    here over a service and a report made at the revision before it."""
    from alembic import command

    from bot.schema import alembic_config

    config = alembic_config(blank_db_url)
    head = ScriptDirectory.from_config(config).get_revision("head")
    command.upgrade(config, head.down_revision)
    engine = create_engine(blank_db_url, future=True)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO services (code, department, sla_working_days, names, descriptions,"
                " keywords, questions, active, sort_order) VALUES ('pothole', 'Highways', 5,"
                " '{}', '{}', '{}', '[]', true, 0)"))
            connection.execute(text(
                "INSERT INTO cases (submission_id, service_code, status, description, answers,"
                " channel, sender_id, language, consent_updates, created_at, updated_at)"
                " VALUES ('s-1', 'pothole', 'new', 'deep hole', '{}', 'webchat', 'x', 'en',"
                " true, '2026-11-01 10:00:00', '2026-11-01 10:00:00')"))
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT description FROM cases")).scalars().all() \
                == ["deep hole"]
            assert connection.execute(text("SELECT count(*) FROM services")).scalar() == 1
    finally:
        engine.dispose()


def test_rasa_redis_lock_store_makes_a_second_message_wait(redis_url: str) -> None:
    from rasa.core.lock_store import RedisLockStore

    parts = urlsplit(redis_url)
    store = RedisLockStore(host=parts.hostname, port=parts.port, db=0)

    async def second_message_while_first_is_handled() -> tuple:
        async with store.lock("conversation-1"):
            second = store.issue_ticket("conversation-1", 60)
            lock = store.get_lock("conversation-1")
            must_wait = lock is not None and lock.is_locked(second)
            store.cleanup("conversation-1", second)
        return must_wait, store.get_lock("conversation-1")

    # In a thread of its own: another test's fixture (Playwright) may own this thread's loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        outcome = thread.submit(asyncio.run, second_message_while_first_is_handled()).result()
    assert outcome == (True, None)
