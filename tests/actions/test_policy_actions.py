"""action_answer_policy: a confident FAQ match is answered with its links; a weak one says
so and offers a person."""
from __future__ import annotations

import pytest

from actions.policy import ActionAnswerPolicy
from bot.settings import get_settings
from tests.actions.factories import make_tracker, responses, run_action, slot_values


def ask(domain: dict, question: str):
    tracker = make_tracker(text=question, intent="ask_policy")
    return run_action(ActionAnswerPolicy(), tracker, domain)


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
