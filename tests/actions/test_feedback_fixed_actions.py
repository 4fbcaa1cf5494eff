"""Feedback that says the problem is fixed reaches the case too (actions.feedback_fixed):
after "is it fixed?" it confirms the fix with the feedback's rating as the satisfaction; about
an open report it flags it for a caseworker; other feedback stays feedback only."""
from __future__ import annotations

from typing import Any, Callable, List, Optional

import pytest
from sqlalchemy import select

from actions.feedback import ActionSubmitFeedback
from bot.case_notes import SAYS_FIXED_KIND
from bot.cases import change_status, find_case
from bot.db import session_scope
from bot.models import Feedback
from tests.actions.factories import make_tracker, responses, run_action, slot_values

PRAISE = "thank you so much, it's been fixed and the crew did a great job"


def submit(domain: dict, sender_id: str, text: str, rating: Any, **slots: Any):
    tracker = make_tracker(text="5", sender_id=sender_id, slots={
        "feedback_text": text, "feedback_rating": rating, **slots})
    return run_action(ActionSubmitFeedback(), tracker, domain)


def resolve(reference: str) -> None:
    with session_scope() as session:
        case = find_case(session, reference)
        change_status(session, case, "resolved", "Filled", "staff:ana")
        case.fix_confirmation = "asked"


def case_state(reference: str) -> tuple:
    with session_scope() as session:
        case = find_case(session, reference)
        kinds = [event.kind for event in case.events if event.kind == SAYS_FIXED_KIND]
        return case.status, case.fix_confirmation, case.satisfaction, kinds


def feedback_rows(sender_id: str) -> List[tuple]:
    with session_scope() as session:
        return [(row.case_id is not None, row.rating, row.text) for row in session.execute(
            select(Feedback).where(Feedback.sender_id == sender_id)).scalars()]


def test_praise_after_is_it_fixed_confirms_the_fix(open_test_case: Callable[..., str],
                                                   domain: dict) -> None:
    """The case stayed "asked", with no satisfaction, though the citizen said it and rated."""
    reference = open_test_case("web-praise")
    resolve(reference)
    events, messages = submit(domain, "web-praise", PRAISE, 5, pending_fix_case=reference)
    assert responses(messages) == ["utter_feedback_fix_confirmed"]
    assert messages[0]["reference"] == reference
    assert case_state(reference) == ("resolved", "confirmed", 5, [])
    assert feedback_rows("web-praise") == [(True, 5, PRAISE)]  # one row: no bare rating
    assert slot_values(events)["pending_fix_case"] is None


def test_praise_about_an_open_report_flags_it(open_test_case: Callable[..., str],
                                              domain: dict) -> None:
    reference = open_test_case("web-praise-open")
    _, messages = submit(domain, "web-praise-open", PRAISE, None,
                         last_case_reference=reference)
    assert responses(messages) == ["utter_feedback_fix_noted"]
    assert case_state(reference) == ("new", None, None, [SAYS_FIXED_KIND])
    assert feedback_rows("web-praise-open") == [(True, None, PRAISE)]


@pytest.mark.parametrize("text, kind, slot", [
    ("the staff on the phone were lovely", None, "pending_fix_case"),  # not about a fix
    ("the streetlight was fixed so quickly, thanks!", None, "last_case_reference"),  # another
    (PRAISE, "someone-else", "last_case_reference"),  # a case they neither made nor follow
])
def test_other_feedback_is_only_feedback(text: str, kind: Optional[str], slot: str,
                                         open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    sender = f"web-praise-other-{abs(hash((text, kind, slot)))}"
    reference = open_test_case(kind or sender)  # a pothole report
    if slot == "pending_fix_case":
        resolve(reference)
    _, messages = submit(domain, sender, text, 4, **{slot: reference})
    assert responses(messages) == ["utter_feedback_thanks_case"]
    status, confirmation, _, flagged = case_state(reference)
    assert confirmation in (None, "asked") and flagged == []


def test_a_case_reopened_meanwhile_is_flagged_not_confirmed(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-praise-reopened")
    resolve(reference)
    with session_scope() as session:
        change_status(session, find_case(session, reference), "in_progress", "Back", "staff:ana")
    _, messages = submit(domain, "web-praise-reopened", PRAISE, 5, pending_fix_case=reference)
    assert responses(messages) == ["utter_feedback_fix_noted"]
    assert case_state(reference)[3] == [SAYS_FIXED_KIND]
