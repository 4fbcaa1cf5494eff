"""bot.db's units of work stay cheap to open: no new Session class per unit of work, one
read-only engine per database, and both on the engine's one pool."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import get_engine, read_scope, reset_engine, session_scope
from bot.models import Service


def test_every_unit_of_work_is_a_plain_session_on_the_cached_engine(db_url: str) -> None:
    """A sessionmaker per unit of work made a Session subclass each time, and SQLAlchemy
    rebuilt its event listeners for each one (about 100 microseconds, several per message)."""
    seen = []
    for _ in range(3):
        with session_scope(db_url) as session:
            session.execute(select(Service.code)).first()
            seen.append(session)
    assert {type(session) for session in seen} == {Session}
    assert {session.get_bind() for session in seen} == {get_engine(db_url)}


def test_read_scopes_share_one_read_only_engine_over_the_same_pool(db_url: str) -> None:
    binds = []
    for _ in range(3):
        with read_scope(db_url) as session:
            session.execute(select(Service.code)).first()
            binds.append(session.get_bind())
    assert len(set(map(id, binds))) == 1
    assert type(binds[0]) is not type(get_engine(db_url))  # the option engine, not the base
    assert binds[0].pool is get_engine(db_url).pool


def test_after_a_reset_read_scopes_use_the_new_engine(db_url: str) -> None:
    with read_scope(db_url) as session:
        before = session.get_bind()
    reset_engine()
    with read_scope(db_url) as session:
        after = session.get_bind()
        session.execute(select(Service.code)).all()  # it answers on the new pool
    assert after is not before
    assert after.pool is get_engine(db_url).pool
