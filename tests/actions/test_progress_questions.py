""""How long does it usually take?" just after a report is answered from that report: its
status, the usual time for its kind of problem and the date promised, instead of unrelated
FAQ entries (actions.progress_questions)."""
from __future__ import annotations

from typing import Callable, List, Optional

import pytest

from actions.handoff import ActionEscalate, ActionHandleMisunderstanding
from actions.policy import ActionAnswerPolicy
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.factories import (make_tracker, responses, run_action, slot_event,
                                     slot_values, user_event)
from tests.actions.test_status_actions import render


def discussed(reference: str, replies_since: int = 0) -> List[dict]:
    """A conversation where the status of `reference` was shown, then `replies_since` other
    messages were answered."""
    history = [user_event("any news on my report?", "check_status"),
               slot_event("last_case_reference", reference)]
    for number in range(replies_since):
        history.append(user_event(f"ok {number}", "affirm"))
    return history


def ask(domain: dict, text: str, history: List[dict], sender_id: str, language: str = "en",
        intent: str = "ask_policy", active_loop: Optional[str] = None):
    tracker = make_tracker(text=text, intent=intent, history=history, sender_id=sender_id,
                           slots={"language": language}, active_loop=active_loop)
    action = ActionAnswerPolicy() if intent == "ask_policy" else ActionHandleMisunderstanding()
    return run_action(action, tracker, domain)


@pytest.mark.parametrize("text", ["how long does it usually take?", "what happens next?",
                                  "why is it taking so long"])
def test_the_report_just_discussed_answers(text: str, open_test_case: Callable[..., str],
                                           domain: dict) -> None:
    reference = open_test_case("web-how-long")
    events, messages = ask(domain, text, discussed(reference), "web-how-long")
    [message] = messages
    assert message["response"] == "utter_report_progress"
    expected = find_case_expected_by(reference)
    assert render(domain, message, "en") == (
        f"Report {reference} (Pothole): received. We usually deal with this kind of problem "
        f"within 5 working days. Your report is in the queue. The team will look at it soon. "
        f"We aim to deal with it by {expected}.")
    assert slot_values(events)["last_case_reference"] == reference


def find_case_expected_by(reference: str) -> str:
    """The promised date as the reply writes it in English ("Tuesday, December 8, 2026")."""
    from actions.replies import format_day

    with session_scope() as session:
        return format_day(find_case(session, reference).expected_by, "en")


def test_a_question_naming_nothing_else_is_not_the_faqs(open_test_case: Callable[..., str],
                                                         domain: dict) -> None:
    """"wat gebeurt er nu?" just after a Dutch report matched the missed-bin FAQ entry."""
    reference = open_test_case("web-wat-nu", language="nl", service_code="tree")
    _, messages = ask(domain, "wat gebeurt er nu?", discussed(reference), "web-wat-nu",
                      language="nl")
    [message] = messages
    assert message["response"] == "utter_report_progress"
    assert message["reference"] == reference


def test_spanish_the_model_could_not_place(open_test_case: Callable[..., str],
                                           domain: dict) -> None:
    """"¿cuánto suele tardar?" is a fallback to the model; the FAQ's second look finds it."""
    reference = open_test_case("web-cuanto", language="es", service_code="streetlight")
    _, messages = ask(domain, "cuánto suele tardar", discussed(reference), "web-cuanto",
                      language="es", intent="nlu_fallback")
    [message] = messages
    assert render(domain, message, "es").startswith(
        f"Aviso {reference} (Avería de farola): recibido. Este tipo de problema lo solemos "
        f"resolver en 7 días hábiles.")


def test_someone_elses_report_gets_the_status_and_date_only(open_test_case: Callable[..., str],
                                                             domain: dict) -> None:
    reference = open_test_case("web-reporter")
    _, messages = ask(domain, "how long will it take", discussed(reference), "web-passer-by")
    [message] = messages
    assert message["response"] == "utter_report_progress"
    assert "queue" not in message["next_step"] and "We aim" in message["next_step"]
    assert "address" not in message and "description" not in message


def test_a_closed_report_gets_its_status(open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    reference = open_test_case("web-closed")
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, reference), "resolved", "Filled",
                               by="crew")
    _, messages = ask(domain, "what happens now?", discussed(reference), "web-closed")
    assert responses(messages) == ["utter_case_status_private"]


@pytest.mark.parametrize("text, replies_since", [
    ("how long does it usually take?", 3),  # the report is four replies back
    ("how long does it take to fix a street light?", 0),  # another kind of problem
    ("what are the opening hours of the town hall and the library on saturdays?", 0),
])
def test_other_questions_are_left_to_the_faq(text: str, replies_since: int,
                                             open_test_case: Callable[..., str],
                                             domain: dict) -> None:
    reference = open_test_case("web-faq-instead")
    _, messages = ask(domain, text, discussed(reference, replies_since), "web-faq-instead")
    assert "utter_report_progress" not in responses(messages)


def test_nothing_discussed_is_left_to_the_faq(database: str, domain: dict) -> None:
    _, messages = ask(domain, "how long does it usually take?", [], "web-nothing-said")
    assert "utter_report_progress" not in responses(messages)


@pytest.mark.parametrize("text", ["thanks! will someone come round tonight?",
                                  "¿va a venir alguien hoy?"])
def test_will_someone_come_gets_the_progress_not_a_person(
        text: str, open_test_case: Callable[..., str], domain: dict) -> None:
    """Read as asking for a person (0.95), it queued the conversation for a caseworker and
    told the citizen the office was closed."""
    reference = open_test_case("web-someone", service_code="noise")
    tracker = make_tracker(text=text, intent="request_human", history=discussed(reference),
                           sender_id="web-someone")
    _, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages) == ["utter_report_progress"]
    tracker = make_tracker(text="can I talk to someone about it", intent="request_human",
                           history=discussed(reference), sender_id="web-someone")
    _, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages)[0].startswith("utter_escalated")
