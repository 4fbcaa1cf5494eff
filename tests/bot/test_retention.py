"""bot/retention.py: closed cases and conversations past the retention period are
anonymised, in batches, once; open and recent ones are left alone."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from bot import cases, escalations, feedback, inbound, outbox
from bot.db import session_scope
from bot.models import Escalation, Feedback, InboundMessage, OutboxMessage, PrivacyRequest
from bot.retention import run_retention
from tests.bot.test_privacy import leftovers, rasa_tracker_store

OLD = dt.datetime(2025, 1, 6, 12, 0)
NOW = dt.datetime(2026, 11, 23, 12, 0)
ROOT = Path(__file__).resolve().parents[2]


def make_case(session, words: str, status: str, at: dt.datetime) -> str:  # type: ignore[no-untyped-def]
    case = cases.open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                           description=f"hole {words}", address=f"3 {words} Street", latitude=51.50731,
                           longitude=-0.12765, channel="webchat", sender_id=f"web-{words}",
                           consent=True, now=at).case
    if status != "new":
        cases.change_status(session, case, "in_progress", None, by="ana", now=at)
        cases.change_status(session, case, status, f"done for {words}", by="ana", now=at)
    return case.reference


def test_closed_old_cases_are_anonymised_and_the_rest_kept(db: str) -> None:
    words = {name: f"zr{uuid.uuid4().hex[:8]}" for name in ("closed", "open", "recent")}
    with session_scope(db) as session:
        closed = make_case(session, words["closed"], "resolved", OLD)
        still_open = make_case(session, words["open"], "new", OLD)
        recent = make_case(session, words["recent"], "resolved", NOW - dt.timedelta(days=3))
    totals = run_retention(days=365, batch_size=2, database_url=db, now=NOW)
    assert totals["cases_anonymised"] >= 1
    assert leftovers(db, [words["closed"]]) == []
    assert leftovers(db, [words["open"]]) and leftovers(db, [words["recent"]])
    with session_scope(db) as session:
        case = cases.find_case(session, closed)
        assert (case.status, case.anonymised_at, case.latitude) == ("resolved", NOW, 51.51)
        assert cases.find_case(session, still_open).anonymised_at is None
        assert cases.find_case(session, recent).anonymised_at is None


def test_running_twice_changes_nothing_more(db: str) -> None:
    with session_scope(db) as session:
        reference = make_case(session, f"zr{uuid.uuid4().hex[:8]}", "duplicate", OLD)
    run_retention(days=365, database_url=db, now=NOW)
    again = run_retention(days=365, database_url=db, now=NOW)
    assert again["cases_anonymised"] == 0 and again["messages_received_removed"] == 0
    with session_scope(db) as session:
        assert cases.find_case(session, reference).anonymised_at == NOW
        runs = session.execute(select(PrivacyRequest).where(PrivacyRequest.kind == "retention")).scalars().all()
        assert runs and all(run.subject_hash is None for run in runs)


def test_old_conversations_go_and_recent_ones_stay(db: str, tmp_path: Path) -> None:
    old_sender, new_sender = f"web-{uuid.uuid4().hex}", f"web-{uuid.uuid4().hex}"
    with session_scope(db) as session:
        for sender, at in ((old_sender, OLD), (new_sender, NOW)):
            inbound.record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex,
                                   sender_id=sender, text="my words", now=at)
            sent = outbox.enqueue(session, channel="webchat", recipient=sender, language="en",
                                  kind="handoff_reply", body="hi", dedupe_key=uuid.uuid4().hex, now=at)
            sent.status = "sent"
            escalation = escalations.escalate(session, sender_id=sender, channel="webchat",
                                              language="en", reason="requested",
                                              transcript=[{"text": "help"}], now=at)
            escalation.status = "closed"
            feedback.record_feedback(session, sender_id=sender, channel="webchat",
                                     text=f"comment from {sender}", rating=4, language="en", now=at)
    tracker = rasa_tracker_store(tmp_path / "tracker.db", old_sender, ["an old conversation"], OLD)
    rasa_tracker_store(tmp_path / "tracker.db", new_sender, ["a recent one"], NOW)
    run_retention(days=365, database_url=db, tracker_url=tracker, now=NOW)
    assert leftovers(db, [old_sender]) == [] and leftovers(tracker, [old_sender]) == []
    assert leftovers(tracker, [new_sender])
    with session_scope(db) as session:
        for model, column in ((InboundMessage, InboundMessage.sender_id),
                              (OutboxMessage, OutboxMessage.recipient),
                              (Escalation, Escalation.sender_id), (Feedback, Feedback.sender_id)):
            assert session.execute(select(model).where(column == new_sender)).scalars().all(), model


def test_a_pending_outbox_message_is_never_removed(db: str) -> None:
    recipient = f"web-{uuid.uuid4().hex}"
    with session_scope(db) as session:
        outbox.enqueue(session, channel="webchat", recipient=recipient, language="en",
                       kind="status_update", body="x", dedupe_key=uuid.uuid4().hex, now=OLD)
    run_retention(days=365, database_url=db, now=NOW)
    with session_scope(db) as session:
        assert session.execute(select(OutboxMessage).where(OutboxMessage.recipient == recipient)).scalars().one()


def test_the_cli_runs_retention(migrated_sqlite_url: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": migrated_sqlite_url,
           "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "retention", "--days", "30"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"cases_anonymised": 0' in done.stdout and '"days": 30' in done.stdout
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "retention", "--days", "0"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
