"""The deployment shapes the fixtures stand for: the migrations build the case database on
SQLite and PostgreSQL alike, and Rasa's Redis lock store (for several Rasa replicas) works
against a real Redis server."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

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
