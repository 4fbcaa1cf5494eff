"""action_answer_policy: a confident FAQ match is answered with its links (and, outside a
form, asks whether it answered the question); a weak one says so and offers a person; every
question is logged with its channel (bot.faq_log). action_rate_policy_answer: the citizen's
yes or no is logged against the answer served."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.policy import ActionAnswerPolicy, ActionRatePolicyAnswer
from bot.db import session_scope
from bot.models import FaqEntry, FaqQuery
from bot.settings import get_settings
from tests.actions.factories import make_tracker, responses, run_action, slot_values


def ask(domain: dict, question: str, channel: str = "webchat", language: str = "en",
        **kwargs):
    tracker = make_tracker(text=question, intent="ask_policy", channel=channel,
                           slots={"language": language}, **kwargs)
    return run_action(ActionAnswerPolicy(), tracker, domain)


def rate(domain: dict, intent: str, query_id):
    tracker = make_tracker(text=intent, intent=intent,
                           slots={"faq_rating_open": True, "faq_query_id": query_id})
    return run_action(ActionRatePolicyAnswer(), tracker, domain)


def ratings(database: str) -> list:
    with session_scope(database) as session:
        return [(q.question, q.helpful, q.rated_at is not None)
                for q in session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def logged(database: str) -> list:
    with session_scope(database) as session:
        return [(q.question, q.language, q.channel, q.entry_id, q.version, q.answered)
                for q in session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def test_a_known_question_is_answered_with_its_links(database: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
    answer = messages[0]["answer"]
    assert answer.startswith("Bins are collected weekly")
    assert answer.splitlines()[-1] == "Find your bin day: https://www.riverton.example.gov/bins"
    (query_id,) = [row.id for row in _queries(database)]
    assert slot_values(events) == {"faq_rating_open": True, "faq_query_id": query_id}


def test_inside_a_form_the_answer_asks_for_no_rating(database: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?", active_loop="report_form")
    assert responses(messages) == ["utter_policy_answer"]
    assert messages[0]["answer"].startswith("Bins are collected weekly")
    assert events == []  # the form asks its own question next


def test_yes_records_that_the_answer_helped(database: str, domain: dict) -> None:
    ask(domain, "When is my bin day?")
    (query_id,) = [row.id for row in _queries(database)]
    events, messages = rate(domain, "affirm", query_id)
    assert responses(messages) == ["utter_policy_answer_helped"]
    assert slot_values(events) == {"faq_rating_open": False, "faq_query_id": None}
    assert ratings(database) == [("When is my bin day?", True, True)]


def test_no_records_a_miss_and_offers_a_person(database: str, domain: dict) -> None:
    ask(domain, "When is my bin day?")
    (query_id,) = [row.id for row in _queries(database)]
    events, messages = rate(domain, "deny", query_id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert slot_values(events) == {"faq_rating_open": False, "faq_query_id": None,
                                   "handoff_offered": True}
    assert ratings(database) == [("When is my bin day?", False, True)]


@pytest.mark.parametrize("query_id", [None, 999_999])
def test_a_rating_with_nothing_to_rate_still_gets_a_reply(query_id, database: str,
                                                         domain: dict) -> None:
    events, messages = rate(domain, "deny", query_id)
    assert responses(messages) == ["utter_policy_answer_missed"]
    assert slot_values(events)["faq_rating_open"] is False


def test_a_rating_with_the_database_down_still_gets_a_reply(database_down: str,
                                                            domain: dict) -> None:
    events, messages = rate(domain, "affirm", 1)
    assert responses(messages) == ["utter_policy_answer_helped"]
    assert slot_values(events)["faq_rating_open"] is False


def _queries(database: str) -> list:
    with session_scope(database) as session:
        rows = session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars().all()
        session.expunge_all()
        return rows


@pytest.mark.parametrize("question", ["zxqv wplk", "what is the airspeed of an unladen swallow"])
def test_an_unsure_match_offers_a_person(question: str, database: str, domain: dict) -> None:
    events, messages = ask(domain, question)
    assert responses(messages) == ["utter_policy_unsure"]
    assert slot_values(events) == {"handoff_offered": True}


def test_the_threshold_comes_from_settings(database: str, domain: dict,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "faq_min_score", 1.01)  # nothing can be that sure
    _, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_unsure"]


def test_policy_with_the_database_down(database_down: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_database_unavailable"]
    assert events == []


@pytest.mark.parametrize("text", ["/ask_policy", ""])
def test_the_question_button_invites_a_question(text: str, database: str, domain: dict) -> None:
    events, messages = ask(domain, text)
    assert responses(messages) == ["utter_anything_else"]
    assert events == []


def test_an_answer_is_logged_with_entry_version_language_and_channel(database: str,
                                                                    domain: dict) -> None:
    ask(domain, "When is my bin day?", channel="telegram")
    with session_scope(database) as session:
        bins = session.execute(select(FaqEntry).where(FaqEntry.topic == "bin-collection-day")
                               ).scalar_one()
        score = session.execute(select(FaqQuery.score)).scalar_one()
    assert logged(database) == [("When is my bin day?", "en", "telegram", bins.id,
                                 bins.published_version, True)]
    assert score >= get_settings().faq_min_score


def test_an_unsure_question_is_logged_as_unanswered(database: str, domain: dict) -> None:
    ask(domain, "zxqv wplk", channel="sms", language="nl")
    assert logged(database) == [("zxqv wplk", "nl", "sms", None, None, False)]


def test_the_question_button_is_not_logged(database: str, domain: dict) -> None:
    ask(domain, "/ask_policy")
    assert logged(database) == []
