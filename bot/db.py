"""Engine and unit of work: the one place where sessions are opened, committed and rolled back.

Engines are created lazily (never at import) and cached per URL, because rasa-sdk imports every
action module at start-up and tests switch databases between runs.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from bot.errors import DatabaseUnavailable
from bot.settings import get_settings

log = logging.getLogger(__name__)

_engines: Dict[str, Engine] = {}
_read_only_engines: Dict[str, Engine] = {}  # the same engines, marked for read_scope
SQLITE_BUSY_TIMEOUT_MS = 15000
SQLITE_POOL_SIZE = 8  # open connections kept per process (as many again may open when busy)
READ_ONLY_OPTION = "civic_read_only"


def _prepare_sqlite(engine: Engine) -> None:
    """Make SQLite transactions behave like PostgreSQL's for our unit of work.

    WAL lets the Rasa, action and console processes read while one writes; foreign keys are
    off by default. pysqlite opens transactions lazily and would let a SAVEPOINT start (and its
    RELEASE commit) the outer transaction, so we own BEGIN ourselves: BEGIN IMMEDIATE takes
    the write lock up front, so concurrent writers queue on the busy timeout instead of
    failing on a lock upgrade halfway through an idempotent insert.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")  # a WAL snapshot; writers go on meanwhile
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_engine(url: str, file_backed: bool) -> Engine:
    """A SQLite engine whose connections are kept open between units of work.

    SQLAlchemy 1.4 gives a SQLite file a NullPool: every unit of work opened a connection, ran
    the four PRAGMAs of _prepare_sqlite and closed it again, several times per message. A
    QueuePool keeps them; check_same_thread=False lets a pooled connection serve the worker
    thread that checks it out next (the pool hands it to one thread at a time). Load bench,
    fresh databases, A/B/A/B: Rasa CPU 47.9/50.2 -> 41.4/43.8 ms per message, 19.5/19.0 ->
    21.7/21.3 msg/s (docs/performance.md)."""
    connect_args: Dict[str, object] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    pooling: Dict[str, object] = {}
    if file_backed:
        connect_args["check_same_thread"] = False
        pooling = {"poolclass": QueuePool, "pool_size": SQLITE_POOL_SIZE,
                   "max_overflow": SQLITE_POOL_SIZE}
    engine = create_engine(url, connect_args=connect_args, **pooling)
    _prepare_sqlite(engine)
    return engine


def is_sqlite_file(url: URL) -> bool:
    """A SQLite database in a file (not in memory): one bot.db keeps connections to."""
    return url.get_backend_name() == "sqlite" and bool(url.database) and url.database != ":memory:"


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for `url` (default: settings.database_url), created on first use."""
    url = url or get_settings().database_url
    engine = _engines.get(url)
    if engine is None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            file_backed = is_sqlite_file(parsed)
            if file_backed:
                Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            engine = _sqlite_engine(url, file_backed)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        _engines[url] = engine
    return engine


def _read_only_engine(url: Optional[str]) -> Engine:
    """get_engine(url) with READ_ONLY_OPTION set, made once per URL: the option engine shares
    the engine's pool and only changes how _prepare_sqlite begins a transaction."""
    url = url or get_settings().database_url
    marked = _read_only_engines.get(url)
    if marked is None:
        marked = _read_only_engines[url] = get_engine(url).execution_options(
            **{READ_ONLY_OPTION: True})
    return marked


def reset_engine() -> None:
    """Dispose every cached engine (tests, and after a fork)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _read_only_engines.clear()


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A unit of work: commit when the block ends, roll back on any error.

    A database that cannot be reached surfaces as `DatabaseUnavailable`, so adapters can tell
    the citizen honestly that nothing was saved, instead of a generic failure.
    """
    # A plain Session, not a sessionmaker per call: each sessionmaker makes a new Session
    # subclass, and SQLAlchemy then rebuilds its event listeners for every unit of work
    # (226 -> 120 microseconds per unit of work, several per message).
    session = Session(bind=get_engine(url), future=True, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if _is_unavailable(exc):
            log.error("database unavailable: %s", type(exc.orig).__name__)
            raise DatabaseUnavailable("the case database cannot be reached") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A unit of work that only reads: it never takes SQLite's write lock, and it is closed
    without a commit (the connection's transaction is rolled back), so nothing done in it is
    saved; loaded objects stay readable, detached.

    Every session_scope on SQLite starts with BEGIN IMMEDIATE (the write lock, see
    _prepare_sqlite). Hot-path checks that only read (is an earlier message of this citizen
    still waiting? has this number opted out?) queued behind every writer for it, and held it
    while they ran. Reading from a WAL snapshot removes that lock contention; the load bench
    measured no throughput change from it (docs/performance.md), so it is kept for the
    contention, not as a speed-up. On PostgreSQL reads never block writers, and this is an
    ordinary transaction.
    """
    session = Session(bind=_read_only_engine(url), future=True, expire_on_commit=False)
    try:
        yield session
    except OperationalError as exc:
        if _is_unavailable(exc):
            log.error("database unavailable: %s", type(exc.orig).__name__)
            raise DatabaseUnavailable("the case database cannot be reached") from exc
        raise
    finally:
        session.close()


def _is_unavailable(exc: DBAPIError) -> bool:
    """Connection-level failures (server down, file unreadable, locked too long), not bad SQL."""
    text = str(exc.orig).lower()
    markers = ("could not connect", "connection refused", "server closed", "unable to open",
               "database is locked", "terminating connection", "connection", "timeout")
    return exc.connection_invalidated or any(marker in text for marker in markers)
