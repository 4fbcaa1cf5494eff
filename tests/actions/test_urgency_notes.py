""""Can you hurry it up please?" just after the status of a citizen's report is passed on to
the team working on it, as a note on the case (actions.urgency_notes)."""
from __future__ import annotations

from typing import Callable

from bot.case_event_kinds import NOTE_KIND
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.factories import responses
from tests.actions.test_progress_questions import ask, discussed
from tests.actions.test_status_actions import render

PLEA = "can you hurry it up please, it's every night"


def notes_on(reference: str) -> list:
    with session_scope() as session:
        return [event.reason for event in find_case(session, reference).events
                if event.kind == NOTE_KIND]


def test_a_plea_about_their_report_is_kept_on_it(open_test_case: Callable[..., str],
                                                 domain: dict) -> None:
    """The FAQ answered it with the noise rules, and no one working on the report saw it."""
    reference = open_test_case("web-plea", service_code="noise")
    _, messages = ask(domain, PLEA, discussed(reference), "web-plea")
    [message] = messages
    assert message["response"] == "utter_urgency_passed_on"
    assert render(domain, message, "en").startswith(
        f"I've passed your message on to the team working on report {reference}: they'll "
        f"see it with the report. We aim to deal with it by ")
    assert notes_on(reference) == [PLEA]


def test_spanish_plea_the_model_could_not_place(open_test_case: Callable[..., str],
                                                domain: dict) -> None:
    reference = open_test_case("web-prisa", language="es")
    _, messages = ask(domain, "por favor, dense prisa, es urgente", discussed(reference),
                      "web-prisa", language="es", intent="nlu_fallback")
    assert responses(messages) == ["utter_urgency_passed_on"]
    assert notes_on(reference) == ["por favor, dense prisa, es urgente"]


def test_someone_elses_report_gets_no_note(open_test_case: Callable[..., str],
                                           domain: dict) -> None:
    reference = open_test_case("web-plea-owner")
    _, messages = ask(domain, PLEA, discussed(reference), "web-plea-stranger")
    assert "utter_urgency_passed_on" not in responses(messages)
    assert notes_on(reference) == []


def test_a_closed_report_or_no_report_discussed_gets_no_note(
        open_test_case: Callable[..., str], domain: dict) -> None:
    closed = open_test_case("web-plea-closed")
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, closed), "resolved", "Filled",
                               by="crew")
    _, messages = ask(domain, PLEA, discussed(closed), "web-plea-closed")
    assert "utter_urgency_passed_on" not in responses(messages)
    _, messages = ask(domain, PLEA, [], "web-plea-closed")
    assert "utter_urgency_passed_on" not in responses(messages)
    assert notes_on(closed) == []
