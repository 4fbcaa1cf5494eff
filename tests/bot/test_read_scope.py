"""bot.db.read_scope: hot-path reads that never queue for SQLite's write lock and never save."""
from __future__ import annotations

import sqlite3
import threading
import time
import uuid

import pytest
from sqlalchemy import delete, func, select

from bot.db import read_scope, session_scope
from bot.errors import DatabaseUnavailable
from bot.models import Service


def test_a_read_goes_on_while_another_connection_holds_the_write_lock(
        migrated_sqlite_url: str) -> None:
    path = migrated_sqlite_url.removeprefix("sqlite:///")
    with session_scope(migrated_sqlite_url) as session:
        before = session.execute(select(func.count(Service.code))).scalar_one()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a long write in another process
        started = time.monotonic()
        with read_scope(migrated_sqlite_url) as session:
            assert session.execute(select(func.count(Service.code))).scalar_one() == before
        assert time.monotonic() - started < 5, "the read waited for the writer"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_unit_of_work_that_writes_still_waits_for_the_lock(migrated_sqlite_url: str) -> None:
    """The contrast that makes the test above mean something: session_scope takes the lock."""
    path = migrated_sqlite_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    entered = threading.Event()

    def write() -> None:
        with session_scope(migrated_sqlite_url) as session:
            session.execute(select(1))  # the unit of work begins at its first statement
            entered.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert not entered.wait(1.0), "session_scope began while another writer held the lock"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    thread.join(20)
    assert entered.is_set()


def test_nothing_done_in_a_read_scope_is_saved(db_url: str) -> None:
    code = f"read-{uuid.uuid4().hex[:8]}"
    with session_scope(db_url) as session:
        session.add(Service(code=code, department="roads", sla_working_days=5,
                            names={"en": "Before"}, descriptions={"en": "-"}))
    try:
        with read_scope(db_url) as session:
            service = session.get(Service, code)
            service.names = {"en": "Renamed inside a read"}
            session.add(Service(code=code + "x", department="roads", sla_working_days=5,
                                names={"en": "Added inside a read"}, descriptions={"en": "-"}))
            session.flush()
        assert service.names == {"en": "Renamed inside a read"}  # loaded objects stay readable
        with read_scope(db_url) as session:
            assert session.get(Service, code).names == {"en": "Before"}
            assert session.get(Service, code + "x") is None
    finally:  # the database is shared by the session's core tests, which count services
        with session_scope(db_url) as session:
            session.execute(delete(Service).where(Service.code.in_([code, code + "x"])))


def test_an_unreachable_database_is_reported_as_unavailable() -> None:
    with pytest.raises(DatabaseUnavailable):
        with read_scope("postgresql://civic@127.0.0.1:1/nowhere") as session:
            session.execute(select(1))
