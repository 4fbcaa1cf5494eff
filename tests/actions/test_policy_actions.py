"""action_answer_policy: a confident FAQ match is answered with its links; a weak one says
so and offers a person; every question is logged with its channel (bot.faq_log)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.policy import ActionAnswerPolicy
from bot.db import session_scope
from bot.models import FaqEntry, FaqQuery
from bot.settings import get_settings
from tests.actions.factories import make_tracker, responses, run_action, slot_values


def ask(domain: dict, question: str, channel: str = "webchat", language: str = "en"):
    tracker = make_tracker(text=question, intent="ask_policy", channel=channel,
                           slots={"language": language})
    return run_action(ActionAnswerPolicy(), tracker, domain)


def logged(database: str) -> list:
    with session_scope(database) as session:
        return [(q.question, q.language, q.channel, q.entry_id, q.version, q.answered)
                for q in session.execute(select(FaqQuery).order_by(FaqQuery.id)).scalars()]


def test_a_known_question_is_answered_with_its_links(database: str, domain: dict) -> None:
    events, messages = ask(domain, "When is my bin day?")
    assert responses(messages) == ["utter_policy_answer"]
    answer = messages[0]["answer"]
    assert answer.startswith("Bins are collected weekly")
    assert answer.splitlines()[-1] == "Find your bin day: https://www.riverton.example.gov/bins"
    assert events == []


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
