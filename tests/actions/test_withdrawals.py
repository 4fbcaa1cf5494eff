""""Please cancel that report, the owner just moved it" after the report was sent goes on the
report for the caseworker to close, and the citizen is told (actions.withdrawals)."""
from __future__ import annotations

from typing import Callable

from actions.withdrawals import ActionAcknowledgeNo
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.factories import make_tracker, responses, run_action
from tests.actions.test_progress_questions import discussed
from tests.actions.test_status_actions import check, render
from tests.actions.test_urgency_notes import notes_on

WITHDRAW = "actually please cancel that report, the owner just moved it"


def no(domain: dict, text: str, reference: str, sender: str):
    tracker = make_tracker(text=text, intent="deny", history=discussed(reference),
                           sender_id=sender)
    return run_action(ActionAcknowledgeNo(), tracker, domain)


def test_read_as_a_no_it_goes_on_the_report(open_test_case: Callable[..., str],
                                            domain: dict) -> None:
    """"OK, anything else?" left the report open, and a crew went out to nothing."""
    reference = open_test_case("web-withdraw", service_code="abandoned_vehicle")
    _, messages = no(domain, WITHDRAW, reference, "web-withdraw")
    [message] = messages
    assert render(domain, message, "en") == (
        f"OK. I've passed your request to withdraw report {reference} to the team working on "
        f"it: they'll close it. If the problem comes back, just tell me here.")
    assert notes_on(reference) == [WITHDRAW]


def test_read_as_a_status_check_in_dutch(open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    reference = open_test_case("web-intrekken", language="nl")
    _, messages = check(domain, "ik wil mijn melding intrekken", sender_id="web-intrekken",
                        slots={"last_case_reference": reference, "language": "nl"})
    assert responses(messages) == ["utter_withdrawal_passed_on"]
    assert notes_on(reference) == ["ik wil mijn melding intrekken"]


def test_a_plain_no_or_a_report_not_theirs_or_closed_is_acknowledged(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-withdraw-owner")
    _, messages = no(domain, "no", reference, "web-withdraw-owner")
    assert responses(messages) == ["utter_ok_anything_else"]
    _, messages = no(domain, WITHDRAW, reference, "web-withdraw-stranger")
    assert responses(messages) == ["utter_ok_anything_else"]
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, reference), "resolved", "Removed",
                               by="crew")
    _, messages = no(domain, WITHDRAW, reference, "web-withdraw-owner")
    assert responses(messages) == ["utter_ok_anything_else"]
    assert notes_on(reference) == []
