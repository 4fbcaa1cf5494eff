"""bot.audit: entries are written in the caller's unit of work, never hold secrets, and are
listed newest first with filters and pages."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from bot import audit
from bot.models import AuditEntry

NOW = dt.datetime(2026, 11, 23, 12, 0)


@pytest.fixture
def actor() -> str:
    return f"actor-{uuid.uuid4().hex[:8]}"


def test_record_keeps_who_what_when_and_before_after(session_for, actor) -> None:
    with session_for() as session:
        entry = audit.record(session, actor=actor, action="case.status_changed",
                             target_type="case", target_id="C-2026-000001",
                             before={"status": "new"}, after={"status": "acknowledged"},
                             ip="192.0.2.7", now=NOW)
        entry_id = entry.id
    with session_for() as session:
        stored = session.get(AuditEntry, entry_id)
    assert (stored.actor, stored.action, stored.target_type, stored.target_id, stored.at,
            stored.ip) == (actor, "case.status_changed", "case", "C-2026-000001", NOW, "192.0.2.7")
    assert stored.before == {"status": "new"} and stored.after == {"status": "acknowledged"}


def test_secrets_never_reach_the_log(session_for, actor) -> None:
    with session_for() as session:
        entry = audit.record(session, actor=actor, action="staff.created", target_type="staff_user",
                             target_id="1", before=None,
                             after={"username": "a", "password_hash": "$argon2id$x",
                                    "password": "hunter2", "nested": {"key_hash": "abc", "ok": 1},
                                    "when": NOW},
                             ip=None, now=NOW)
    assert entry.after == {"username": "a", "nested": {"ok": 1}, "when": NOW.isoformat()}


def test_entry_rolls_back_with_the_change_it_describes(session_for, actor) -> None:
    with pytest.raises(RuntimeError):
        with session_for() as session:
            audit.record(session, actor=actor, action="staff.created", target_type="staff_user",
                         target_id="9", before=None, after={"username": "x"}, ip=None, now=NOW)
            raise RuntimeError("the change failed")
    with session_for() as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.actor == actor)).first() is None


def test_list_is_newest_first_filtered_and_paged(session_for, actor) -> None:
    with session_for() as session:
        for minute in range(5):
            audit.record(session, actor=actor, action="staff.created" if minute % 2 else "case.merged",
                         target_type="x", target_id=str(minute), before=None, after=None, ip=None,
                         now=NOW + dt.timedelta(minutes=minute))
    with session_for() as session:
        everything, total = audit.list_entries(session, actor=actor)
        page_two, _ = audit.list_entries(session, actor=actor, page=2, per_page=2)
        family, family_total = audit.list_entries(session, actor=actor, action="staff.")
        exact, _ = audit.list_entries(session, actor=actor, action="case.merged")
        assert actor in audit.known_actors(session)
        assert {"staff.created", "case.merged"} <= set(audit.known_actions(session))
    assert total == 5 and [e.target_id for e in everything] == ["4", "3", "2", "1", "0"]
    assert [e.target_id for e in page_two] == ["2", "1"]
    assert family_total == 2 and {e.target_id for e in family} == {"1", "3"}
    assert [e.target_id for e in exact] == ["4", "2", "0"]


def test_a_family_filter_treats_wildcards_literally(session_for, actor) -> None:
    with session_for() as session:
        audit.record(session, actor=actor, action="staffXcreated", target_type="x", target_id="1",
                     before=None, after=None, ip=None, now=NOW)
        entries, total = audit.list_entries(session, actor=actor, action="staff%.")
    assert total == 0 and entries == []
