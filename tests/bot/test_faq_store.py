"""bot.faq_store: drafts are not served, every version is kept with who and when, publish
serves a chosen version, archive is never served again, revert appends a copy; all audited."""
from __future__ import annotations

import datetime as dt
from typing import List

import pytest
from sqlalchemy import delete, select

from bot.db import session_scope
from bot.errors import FaqEntryNotFound, FaqInvalid
from bot.faq import find_answer
from bot.faq_content import FaqContent, missing_parts
from bot.faq_store import (Actor, archive, create_entry, get_entry, publish, revert,
                           save_version, summaries)
from bot.models import AuditEntry

NOW = dt.datetime(2026, 11, 23, 12, 0)
COMMS = Actor("comms-ana", "192.0.2.10")
QUESTION = "when does the river ferry sail"


def ferry(answer: str = "The ferry sails hourly from 7am.", **extra: str) -> FaqContent:
    return FaqContent(questions={"en": ["when does the river ferry sail", "ferry timetable"]},
                      answers={"en": answer, **extra}, links=[{"title": "Ferry",
                                                             "url": "https://example.gov/ferry"}])


def _create(db: str, content: FaqContent = None, topic: str = "river-ferry") -> int:
    with session_scope(db) as session:
        return create_entry(session, topic, content or ferry(), COMMS, now=NOW).id


def _asked(db: str, question: str = QUESTION, language: str = "en"):  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        return find_answer(session, question, language)


@pytest.fixture
def faq_clean(empty_faq: str) -> str:
    """The shared test database reuses entry ids after a delete: forget earlier audit rows."""
    with session_scope(empty_faq) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.target_type == "faq_entry"))
    return empty_faq


def _audit_actions(db: str, entry_id: int) -> List[str]:
    with session_scope(db) as session:
        rows = session.execute(select(AuditEntry.action).where(
            AuditEntry.target_type == "faq_entry", AuditEntry.target_id == str(entry_id))
            .order_by(AuditEntry.id)).scalars()
        return list(rows)


def test_a_new_entry_is_a_draft_and_never_served(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        entry = get_entry(session, entry_id)
        assert (entry.state, entry.current_version, entry.published_version) == ("draft", 1, None)
        assert entry.versions[0].created_by == "comms-ana" and entry.versions[0].created_at == NOW
    assert _asked(faq_clean) is None
    assert _audit_actions(faq_clean, entry_id) == ["faq.create"]


def test_publishing_serves_the_entry_on_the_next_question(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        publish(session, entry_id, COMMS, now=NOW)
    match = _asked(faq_clean)
    assert match.entry_id == entry_id and match.version == 1
    assert match.answer == "The ferry sails hourly from 7am."


def test_a_saved_draft_is_not_served_until_published(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        publish(session, entry_id, COMMS, now=NOW)
        version = save_version(session, entry_id, ferry("No ferry until spring."), COMMS,
                               now=NOW + dt.timedelta(hours=1))
        assert version.version == 2
    assert _asked(faq_clean).answer == "The ferry sails hourly from 7am."
    with session_scope(faq_clean) as session:
        publish(session, entry_id, COMMS, version=2, now=NOW + dt.timedelta(hours=2))
    assert (_asked(faq_clean).version, _asked(faq_clean).answer) == (2, "No ferry until spring.")
    assert _audit_actions(faq_clean, entry_id) == ["faq.create", "faq.publish", "faq.save",
                                                   "faq.publish"]


def test_every_version_is_kept_with_who_and_when(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        for number in range(2, 5):
            save_version(session, entry_id, ferry(f"Answer {number}."),
                         Actor(f"editor-{number}"), now=NOW + dt.timedelta(minutes=number))
    with session_scope(faq_clean) as session:
        versions = get_entry(session, entry_id).versions
        assert [v.version for v in versions] == [1, 2, 3, 4]
        assert [v.answers["en"] for v in versions[1:]] == ["Answer 2.", "Answer 3.", "Answer 4."]
        assert [v.created_by for v in versions] == ["comms-ana", "editor-2", "editor-3", "editor-4"]
        assert versions[3].created_at == NOW + dt.timedelta(minutes=4)


def test_archived_entry_is_never_served_again(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    other = _create(faq_clean, FaqContent({"en": ["where is the ferry terminal"]},
                                          {"en": "At Quay Street."}, []), topic="ferry-terminal")
    with session_scope(faq_clean) as session:
        publish(session, entry_id, COMMS, now=NOW)
        publish(session, other, COMMS, now=NOW)
    assert _asked(faq_clean).entry_id == entry_id
    with session_scope(faq_clean) as session:
        archive(session, entry_id, COMMS, now=NOW)  # same timestamp: the key still changes
    for question in (QUESTION, "ferry timetable", "river ferry"):
        match = _asked(faq_clean, question)
        assert match is None or match.entry_id != entry_id
    assert _audit_actions(faq_clean, entry_id)[-1] == "faq.archive"


def test_revert_appends_a_copy_of_the_old_version(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        save_version(session, entry_id, ferry("Wrong answer."), COMMS, now=NOW)
        copy = revert(session, entry_id, 1, Actor("comms-bo"), now=NOW + dt.timedelta(hours=1))
        assert copy.version == 3 and copy.created_by == "comms-bo"
    with session_scope(faq_clean) as session:
        entry = get_entry(session, entry_id)
        assert [v.answers["en"] for v in entry.versions] == [
            "The ferry sails hourly from 7am.", "Wrong answer.", "The ferry sails hourly from 7am."]
        assert entry.current_version == 3 and entry.versions[2].questions == entry.versions[0].questions
    with session_scope(faq_clean) as session:
        audit = session.execute(select(AuditEntry).where(
            AuditEntry.action == "faq.revert", AuditEntry.target_id == str(entry_id))).scalar_one()
        assert audit.after["reverted_to"] == 1 and audit.actor == "comms-bo"


@pytest.mark.parametrize("content, problem", [
    (FaqContent({"es": ["hola"]}, {"es": "Hola."}, []), "English questions are required"),
    (FaqContent({"en": ["q"]}, {}, []), "an English answer is required"),
    (FaqContent({"en": ["q"], "fr": ["q"]}, {"en": "a"}, []), "language 'fr'"),
    (FaqContent({"en": ["q"]}, {"en": "a"}, [{"title": "x", "url": "javascript:alert(1)"}]),
     "link 1 needs a URL"),
])
def test_invalid_content_is_refused_with_every_problem(faq_clean: str, content: FaqContent,
                                                      problem: str) -> None:
    with session_scope(faq_clean) as session:
        with pytest.raises(FaqInvalid) as raised:
            create_entry(session, "Bad Topic!", content, COMMS, now=NOW)
    assert any(problem in text for text in raised.value.problems)
    assert any("topic" in text for text in raised.value.problems)  # both reported at once


def test_a_topic_is_unique(faq_clean: str) -> None:
    _create(faq_clean)
    with session_scope(faq_clean) as session:
        with pytest.raises(FaqInvalid, match="already exists"):
            create_entry(session, "river-ferry", ferry(), COMMS, now=NOW)


def test_unknown_entry_or_version(faq_clean: str) -> None:
    entry_id = _create(faq_clean)
    with session_scope(faq_clean) as session:
        with pytest.raises(FaqEntryNotFound):
            publish(session, 999999, COMMS)
        with pytest.raises(FaqEntryNotFound):
            revert(session, entry_id, 7, COMMS)


def test_completeness_names_each_missing_language_part(faq_clean: str) -> None:
    content = FaqContent({"en": ["q"], "es": ["p"], "pt": ["p"]}, {"en": "a", "es": "r", "nl": "a"}, [])
    assert missing_parts(content.questions, content.answers) == {
        "pt": ["answer"], "nl": ["questions"]}
    _create(faq_clean, content)
    with session_scope(faq_clean) as session:
        (row,) = summaries(session)
    assert row.missing == {"pt": ["answer"], "nl": ["questions"]}
    assert row.state == "draft" and row.unpublished_changes
