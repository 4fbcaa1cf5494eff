"""bot.faq_log and bot.faq_reports: every question is logged (entry, version, language, score,
channel; or unanswered), unanswered questions are grouped by similarity, and answers served
from a version since replaced or archived are reported."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from bot.db import session_scope
from bot.faq_content import FaqContent
from bot.faq import FaqMatch
from bot.faq_log import answer_question, choose_suggestion, clear_answer, worth_offering
from bot.faq_reports import cluster, served_from_replaced, unanswered_groups
from bot.faq_store import Actor, archive, create_entry, publish, save_version
from bot.models import FaqQuery
from bot.settings import get_settings

NOW = dt.datetime(2026, 11, 23, 12, 0)
COMMS = Actor("comms-ana")


@pytest.fixture
def faq_log_db(empty_faq: str) -> str:
    """No entries and an empty answer log (the test database is shared by the session)."""
    with session_scope(empty_faq) as session:
        session.execute(delete(FaqQuery))
    return empty_faq


def _published(db: str, topic: str, questions: list, answer: str) -> int:
    with session_scope(db) as session:
        entry = create_entry(session, topic, FaqContent({"en": questions}, {"en": answer}, []),
                             COMMS, now=NOW)
        publish(session, entry.id, COMMS, now=NOW)
        return entry.id


def _ask(db: str, question: str, language: str = "en", channel: str = "webchat"):  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        return answer_question(session, question, language, channel=channel, now=NOW)


def _queries(db: str):  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        return [(q.question, q.language, q.channel, q.entry_id, q.version, q.answered,
                 q.score is not None) for q in session.execute(
                    select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def test_answered_and_unanswered_questions_are_both_logged(faq_log_db: str) -> None:
    entry_id = _published(faq_log_db, "river-ferry", ["when does the river ferry sail"],
                          "Hourly.")
    answered = _ask(faq_log_db, "when does the river ferry sail", channel="telegram")
    unsure = _ask(faq_log_db, "what is the capital of France", "es", channel="sms")
    assert answered.answered and answered.match.entry_id == entry_id
    assert not unsure.answered
    assert _queries(faq_log_db) == [
        ("when does the river ferry sail", "en", "telegram", entry_id, 1, True, True),
        ("what is the capital of France", "es", "sms", None, None, False, True)]


def test_nothing_published_is_logged_as_unanswered_without_score(faq_log_db: str) -> None:
    assert not _ask(faq_log_db, "when is my bin day").answered
    assert _queries(faq_log_db) == [("when is my bin day", "en", "webchat", None, None, False,
                                     False)]


def test_the_threshold_decides_answered(faq_log_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _published(faq_log_db, "river-ferry", ["when does the river ferry sail"], "Hourly.")
    monkeypatch.setattr(get_settings(), "faq_min_score", 1.01)
    result = _ask(faq_log_db, "when does the river ferry sail")
    assert not result.answered and result.match is not None
    assert _queries(faq_log_db)[-1][3:6] == (None, None, False)


def _match(entry_id: int, score: float) -> FaqMatch:
    return FaqMatch(entry_id=entry_id, topic=f"topic-{entry_id}", version=1, answer="",
                    links=[], score=score, matched_question="", language="en",
                    title=f"Question {entry_id}?")


@pytest.mark.parametrize("scores, clear", [
    ([0.62, 0.30], True),            # confident and well ahead
    ([0.62], True),                  # the only entry
    ([0.62, 0.58], False),           # confident, but another entry is as close
    ([0.38, 0.10], False),           # ahead, but not confident
    ([], False)])
def test_an_answer_must_be_confident_and_ahead(scores: list, clear: bool) -> None:
    assert clear_answer([_match(index, score) for index, score in enumerate(scores)]) is clear


def test_suggestions_are_the_entries_near_the_best_and_above_the_floor() -> None:
    settings = get_settings()
    floor = settings.faq_suggest_min_score
    near = [_match(1, floor + 0.2), _match(2, floor + 0.1), _match(3, floor + 0.06)]
    assert [item.entry_id for item in worth_offering(near)] == [1, 2, 3]
    far = [_match(1, floor + 0.3), _match(2, floor + 0.1)]  # 0.2 behind: noise next to it
    assert [item.entry_id for item in worth_offering(far)] == [1]
    weak = [_match(1, floor - 0.01)]
    assert worth_offering(weak) == [] and worth_offering([]) == []


def test_close_entries_are_offered_and_a_pick_is_logged_as_served(faq_log_db: str) -> None:
    ferry = _published(faq_log_db, "river-ferry", ["When does the river ferry sail?"],
                       "Hourly from the quay.")
    bus = _published(faq_log_db, "river-bus", ["When does the river bus sail?"],
                     "Every 20 minutes.")
    result = _ask(faq_log_db, "when does the river boat go")
    assert not result.answered
    assert sorted(item.entry_id for item in result.suggestions) == sorted([ferry, bus])
    assert {item.title for item in result.suggestions} == {"When does the river ferry sail?",
                                                           "When does the river bus sail?"}
    with session_scope(faq_log_db) as session:
        assert session.get(FaqQuery, result.query_id).suggested_entries == \
            [item.entry_id for item in result.suggestions]
        chosen = choose_suggestion(session, result.query_id, bus, "en")
    assert chosen is not None and chosen.answer == "Every 20 minutes."
    assert _queries(faq_log_db)[-1][3:6] == (bus, 1, True)


def test_a_pick_not_offered_or_withdrawn_is_not_served(faq_log_db: str) -> None:
    ferry = _published(faq_log_db, "river-ferry", ["When does the river ferry sail?"], "Hourly.")
    bus = _published(faq_log_db, "river-bus", ["When does the river bus sail?"], "Often.")
    other = _published(faq_log_db, "market-days", ["Which days is the market on?"], "Fridays.")
    result = _ask(faq_log_db, "when does the river boat go")
    assert other not in [item.entry_id for item in result.suggestions]
    with session_scope(faq_log_db) as session:
        assert choose_suggestion(session, result.query_id, other, "en") is None
        assert choose_suggestion(session, 999_999, ferry, "en") is None
        archive(session, bus, COMMS, now=NOW)
    with session_scope(faq_log_db) as session:
        assert choose_suggestion(session, result.query_id, bus, "en") is None
    assert _queries(faq_log_db)[-1][3:6] == (None, None, False)


def test_similar_unanswered_questions_form_one_group(faq_log_db: str) -> None:
    asked = [("where can I buy a fishing permit", "en"), ("fishing permit where to buy", "en"),
             ("where do i buy a fishing permit?", "en"), ("buy a fishing permit online", "en"),
             ("is there a swimming pool in town", "en"), ("swimming pool opening times", "en"),
             ("when is the swimming pool open", "en"), ("dónde compro un permiso de pesca", "es"),
             ("where can I buy a fishing permit", "en")]
    for question, language in asked:
        _ask(faq_log_db, question, language)
    with session_scope(faq_log_db) as session:
        groups = unanswered_groups(session)
    by_size = [(g.language, g.count) for g in groups]
    assert by_size[0] == ("en", 5) and ("en", 3) in by_size and ("es", 1) in by_size
    fishing = groups[0]
    assert "fishing" in fishing.representative
    assert fishing.examples[0] == "where can i buy a fishing permit"  # asked twice: first
    assert all("swimming" in text for text in groups[1].examples)


def test_a_group_names_the_entries_offered_that_the_citizens_did_not_pick(
        faq_log_db: str) -> None:
    ferry = _published(faq_log_db, "river-ferry", ["When does the river ferry sail?"], "Hourly.")
    bus = _published(faq_log_db, "river-bus", ["When does the river bus sail?"], "Often.")
    offered = [_ask(faq_log_db, question) for question in
               ("when does the river boat go", "when does the river boat leave")]
    assert all(result.suggestions for result in offered)
    with session_scope(faq_log_db) as session:  # the second citizen picked one: served
        choose_suggestion(session, offered[1].query_id, bus, "en")
        (group,) = unanswered_groups(session)
    assert group.examples == ["when does the river boat go"]
    assert sorted(group.offered) == sorted([(ferry, "river-ferry"), (bus, "river-bus")])


def test_cluster_keeps_unrelated_questions_apart() -> None:
    labels = cluster(["rats in the garden", "rats in my garden again", "parking permit price"])
    assert labels[0] == labels[1] != labels[2]
    assert cluster(["only one"]) == [0] and cluster([]) == []


def test_answers_from_a_replaced_or_archived_version_are_reported(faq_log_db: str) -> None:
    ferry = _published(faq_log_db, "river-ferry", ["when does the river ferry sail"], "Hourly.")
    market = _published(faq_log_db, "market", ["when is the market open"], "Tuesdays.")
    _ask(faq_log_db, "when does the river ferry sail")
    _ask(faq_log_db, "when does the river ferry sail")
    _ask(faq_log_db, "when is the market open")
    with session_scope(faq_log_db) as session:
        assert served_from_replaced(session) == []
        save_version(session, ferry, FaqContent({"en": ["when does the river ferry sail"]},
                                                {"en": "No ferry until spring."}, []), COMMS)
    with session_scope(faq_log_db) as session:
        assert served_from_replaced(session) == []  # a saved draft replaces nothing yet
        publish(session, ferry, COMMS)
        archive(session, market, COMMS)
    _ask(faq_log_db, "when does the river ferry sail")  # served from version 2: current
    with session_scope(faq_log_db) as session:
        rows = [(r.topic, r.version, r.published_version, r.times)
                for r in served_from_replaced(session)]
    assert rows == [("river-ferry", 1, 2, 2), ("market", 1, None, 1)]


def test_citizens_ratings_report_the_answers_that_missed(faq_log_db: str) -> None:
    from bot.faq_log import rate_answer
    from bot.faq_reports import missed_answers, ratings_by_topic

    ferry = _published(faq_log_db, "river-ferry", ["when does the river ferry sail"], "Hourly.")
    helped = _ask(faq_log_db, "when does the river ferry sail")
    missed = _ask(faq_log_db, "when does the river ferry sail on sundays")
    unsure = _ask(faq_log_db, "what is the capital of France")
    assert missed.answered and not unsure.answered  # the ferry answer is the closest match
    with session_scope(faq_log_db) as session:
        assert rate_answer(session, helped.query_id, True, now=NOW)
        assert rate_answer(session, missed.query_id, True, now=NOW)
        assert rate_answer(session, missed.query_id, False, now=NOW)  # the later word counts
        assert not rate_answer(session, unsure.query_id, False, now=NOW)  # nothing was served
        assert not rate_answer(session, 999_999, False, now=NOW)
    with session_scope(faq_log_db) as session:
        rows = missed_answers(session, since=NOW - dt.timedelta(days=1))
        assert [(row.topic, row.question, row.version) for row in rows] == [
            ("river-ferry", "when does the river ferry sail on sundays", 1)]
        assert [(row.entry_id, row.helped, row.missed) for row in ratings_by_topic(session)] \
            == [(ferry, 1, 1)]
        assert missed_answers(session, since=NOW + dt.timedelta(days=1)) == []
