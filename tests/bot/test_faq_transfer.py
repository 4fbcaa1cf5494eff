"""bot.faq_transfer: a file with a bad row imports nothing and names every bad row (YAML and
CSV); a clean file creates drafts or new versions; export and re-import round-trip."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import List, Tuple

import pytest
import yaml
from sqlalchemy import func, select

from bot.db import session_scope
from bot.errors import FaqImportRejected
from bot.faq import find_answer, seed_faq
from bot.faq_store import Actor, find_by_topic
from bot.faq_transfer import csv_columns, export_csv, export_yaml, import_faq
from bot.models import AuditEntry, FaqEntry, FaqVersion

NOW = dt.datetime(2026, 11, 23, 12, 0)
COMMS = Actor("comms-ana")


def _counts(db: str) -> Tuple[int, int]:
    with session_scope(db) as session:
        return (session.execute(select(func.count(FaqEntry.id))).scalar_one(),
                session.execute(select(func.count(FaqVersion.id))).scalar_one())


def _import(db: str, text: str, file_format: str):  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        return import_faq(session, text, file_format, COMMS, now=NOW)


def _rejected(db: str, text: str, file_format: str) -> List[Tuple[str, str]]:
    with pytest.raises(FaqImportRejected) as raised:
        _import(db, text, file_format)
    return raised.value.problems


def _entry(topic: str, answer: str = "An answer.", **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"topic": topic, "questions": {"en": [f"question about {topic}"]},
            "answer": {"en": answer}, **extra}


def _csv(rows: List[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _row(topic: str, answer: str = "An answer.", **extra: str) -> dict:
    return {"topic": topic, "questions_en": f"question about {topic}\nanother {topic} question",
            "answer_en": answer, **extra}


def test_yaml_with_one_bad_row_imports_nothing_and_names_it(empty_faq: str) -> None:
    entries = [_entry("ferry"), _entry("market"),
               {"topic": "broken", "questions": {"en": ["q"]}, "answer": {"es": "sin inglés"}},
               _entry("skate-park")]
    problems = _rejected(empty_faq, yaml.safe_dump({"entries": entries}), "yaml")
    assert problems == [("entry 3", "an English answer is required")]
    assert _counts(empty_faq) == (0, 0)


def test_csv_with_one_bad_row_imports_nothing_and_names_it(empty_faq: str) -> None:
    rows = [_row("ferry"), _row("market"), _row("skate-park"),
            _row("pool", links="Pool times | ftp://pool")]
    problems = _rejected(empty_faq, _csv(rows), "csv")
    # header is row 1, so the fourth topic is on spreadsheet row 5
    assert problems == [("row 5", "link 1 needs a URL starting with https:// or http://")]
    assert _counts(empty_faq) == (0, 0)


def test_every_bad_row_is_reported_not_just_the_first(empty_faq: str) -> None:
    rows = [_row("Bad Topic"), _row("ferry"), _row("market", answer=""),
            _row("ferry"), _row("pool", state="live")]
    problems = _rejected(empty_faq, _csv(rows), "csv")
    assert {where for where, _ in problems} == {"row 2", "row 4", "row 5", "row 6"}
    assert ("row 5", "topic 'ferry' repeats row 3") in problems
    assert any(where == "row 6" and "state" in reason for where, reason in problems)


def test_a_bad_file_keeps_existing_entries_untouched(empty_faq: str) -> None:
    _import(empty_faq, _csv([_row("ferry", "Hourly.")]), "csv")
    before = _counts(empty_faq)
    _rejected(empty_faq, _csv([_row("ferry", "Every two hours."), _row("x")]), "csv")
    assert _counts(empty_faq) == before
    with session_scope(empty_faq) as session:
        assert find_by_topic(session, "ferry").versions[-1].answers["en"] == "Hourly."


@pytest.mark.parametrize("text, file_format, where", [
    ("entries: [unclosed", "yaml", "file"),
    ("just a string", "yaml", "file"),
    ("topic,answer_fr\nferry,Bonjour\n", "csv", "row 1"),
    ("answer_en\nHourly\n", "csv", "row 1"),
    ("", "csv", "row 1"),
])
def test_malformed_files_are_refused(empty_faq: str, text: str, file_format: str,
                                     where: str) -> None:
    assert _rejected(empty_faq, text, file_format)[0][0] == where


def test_import_creates_drafts_and_publishes_when_the_file_says_so(empty_faq: str) -> None:
    result = _import(empty_faq, _csv([_row("ferry", "Hourly.", state="published"),
                                      _row("market")]), "csv")
    assert sorted(result.created) == ["ferry", "market"]
    with session_scope(empty_faq) as session:
        assert find_by_topic(session, "market").state == "draft"
        assert find_by_topic(session, "ferry").published_version == 1
        match = find_answer(session, "another ferry question", "en")
    assert match.topic == "ferry" and match.answer == "Hourly."


def test_a_changed_row_makes_a_new_version_and_an_unchanged_row_nothing(empty_faq: str) -> None:
    _import(empty_faq, _csv([_row("ferry", "Hourly."), _row("market")]), "csv")
    result = _import(empty_faq, _csv([_row("ferry", "Every two hours."), _row("market")]), "csv")
    assert (result.created, result.updated, result.unchanged) == ([], ["ferry"], ["market"])
    with session_scope(empty_faq) as session:
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "faq.import")
                                .order_by(AuditEntry.id.desc())).scalars().first()
        assert audit.actor == "comms-ana" and audit.after == {"created": [], "updated": ["ferry"],
                                                             "unchanged": 1}
    with session_scope(empty_faq) as session:
        ferry = find_by_topic(session, "ferry")
        assert [v.version for v in ferry.versions] == [1, 2] and ferry.current_version == 2


@pytest.mark.parametrize("file_format", ["yaml", "csv"])
def test_export_then_import_round_trips(empty_faq: str, tmp_path, file_format: str) -> None:  # type: ignore[no-untyped-def]
    with session_scope(empty_faq) as session:
        seed_faq(session, now=NOW)
        exported = export_yaml(session) if file_format == "yaml" else export_csv(session)
    before = _counts(empty_faq)
    result = _import(empty_faq, exported, file_format)
    assert result.created == [] and result.updated == [] and len(result.unchanged) == before[0]
    assert _counts(empty_faq) == before
    # and into an empty database it recreates the same content, published
    with session_scope(empty_faq) as session:
        original = {e.topic: (e.versions[-1].questions, e.versions[-1].answers, e.versions[-1].links)
                    for e in session.execute(select(FaqEntry)).scalars()}
        session.query(FaqVersion).delete()
        session.query(FaqEntry).delete()
    _import(empty_faq, exported, file_format)
    with session_scope(empty_faq) as session:
        entries = list(session.execute(select(FaqEntry)).scalars())
        copied = {e.topic: (e.versions[-1].questions, e.versions[-1].answers, e.versions[-1].links)
                  for e in entries}
        assert all(e.state == "published" and e.published_version == 1 for e in entries)
    assert copied == original
