"""Insert-once: the unique constraint decides, never a read-then-write.

Provider retries, double taps on "Submit" and replicas racing each other all end here: the
row is inserted inside a SAVEPOINT, and when the unique key already exists the savepoint is
rolled back and the row that won is returned. The surrounding transaction stays usable, so
the caller's other writes (outbox, events) commit with it.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_once(session: Session, row: T, find_existing: Callable[[], Optional[T]],
                after_flush: Optional[Callable[[T], None]] = None) -> Tuple[T, bool]:
    """Insert `row`, or return the existing row with the same unique key.

    `after_flush` runs inside the same savepoint once the row has its primary key (e.g. to
    derive a reference from the id), so a clash undoes it too. Returns (row, created).
    """
    def write() -> T:
        session.add(row)
        session.flush()
        if after_flush is not None:
            after_flush(row)
            session.flush()
        return row

    return write_once(session, write, find_existing)


def write_once(session: Session, write: Callable[[], T], find_existing: Callable[[], Optional[T]]
               ) -> Tuple[T, bool]:
    """Run `write` inside a SAVEPOINT and return (what it returns, True); when it breaks a
    unique key, roll it back and return (find_existing(), False). For writes that are not one
    ORM row (bot.inbound inserts with a statement built once)."""
    try:
        with session.begin_nested():
            written = write()
    except IntegrityError:
        existing = find_existing()
        if existing is None:
            raise  # a different constraint failed: not a retry
        return existing, False
    return written, True
