"""An empty report whose type question is answered with feedback becomes that feedback
(actions.report_to_feedback): "I want to make a complaint", then "the lady at the reception
desk was very rude", looped on "let's finish the report first" with no report to finish."""
from __future__ import annotations

from typing import Any, Dict

import pytest

from actions.report_submit import ActionSubmitReport
from tests.actions.factories import make_tracker, responses, run_action, slot_values
from tests.actions.test_report_form_actions import validate

pytestmark = pytest.mark.usefixtures("database")
RUDE = "the lady at the reception desk was very rude"
EMPTY: Dict[str, Any] = {"submission_id": "s"}


def test_feedback_at_the_type_question_of_an_empty_report_ends_it(domain: dict) -> None:
    slots, messages = validate("category", {}, domain, text=RUDE, intent="give_feedback",
                               slots=EMPTY)
    assert slots["confirmed"] == "feedback_instead"
    assert slots["requested_slot"] is None  # the form is done
    assert messages == []


@pytest.mark.parametrize("text, intent, slots", [
    (RUDE, "give_feedback", {"location": "12 High St"}),  # the report has a place: finish it
    (RUDE, "give_feedback", {"description": "a broken bench"}),
    ("I'd like to give some feedback", "give_feedback", {}),  # only the wish: after the report
    ("why was the lady at the desk so rude?", "give_feedback", {}),  # a question
    ("the bins at the park are always overflowing", "report_problem", {}),  # a report
])
def test_otherwise_the_report_goes_on(text: str, intent: str, slots: dict,
                                      domain: dict) -> None:
    validated, _ = validate("category", {}, domain, text=text, intent=intent,
                            slots={**EMPTY, **slots})
    assert validated.get("confirmed") != "feedback_instead"


def test_the_feedback_form_takes_over_on_the_same_words(domain: dict) -> None:
    tracker = make_tracker(text=RUDE, intent="give_feedback",
                           slots={**EMPTY, "confirmed": "feedback_instead"})
    events, messages = run_action(ActionSubmitReport(), tracker, domain)
    assert responses(messages) == ["utter_feedback_instead_of_report"]
    assert events[-1] == {"event": "followup", "name": "feedback_form", "timestamp": None}
    assert slot_values(events)["confirmed"] is None and slot_values(events)["submission_id"] is None
