"""actions.next_problem: another problem described in the middle of a report is kept, and
reported as soon as that report is sent or cancelled, without typing it again."""
from __future__ import annotations

import pytest

from actions.next_problem import ActionHoldNextProblem
from actions.report_submit import ActionCancelReport
from tests.actions.factories import make_tracker, responses, run_action, slot_values
from tests.actions.test_report_submit_actions import confirmed_report, submit

STREETLIGHT = {"text": "and there's also a broken streetlight on Mill Lane",
               "category": "streetlight"}


def followup(events: list) -> list:
    return [event["name"] for event in events if event["event"] == "followup"]


def test_a_problem_with_no_type_is_kept_for_after_the_report(domain: dict) -> None:
    text = "oh and another thing is broken near my house"
    tracker = make_tracker(text=text, intent="report_problem", active_loop="report_form")
    events, messages = run_action(ActionHoldNextProblem(), tracker, domain)
    assert responses(messages) == ["utter_finish_report_before_new"]
    assert slot_values(events) == {"next_problem": {"text": text, "category": None}}


def test_the_kept_problem_is_reported_once_the_report_is_sent(database: str,
                                                               domain: dict) -> None:
    events, messages = submit(domain, confirmed_report(next_problem=STREETLIGHT))
    assert responses(messages) == ["utter_case_created", "utter_next_problem_now"]
    assert messages[1]["problem"] == STREETLIGHT["text"]
    slots = slot_values(events)
    assert slots["last_case_reference"] and slots["next_problem"] is None
    # the first report's slots are cleared, then the second's come from the kept words
    assert (slots["category"], slots["location_street"]) == ("streetlight", "Mill Lane")
    assert slots["description"] == STREETLIGHT["text"] and slots["submission_id"] is None
    assert followup(events) == ["report_form"]


def test_a_place_with_a_number_is_taken_and_a_short_text_is_not_the_description(
        database: str, domain: dict) -> None:
    held = {"text": "street light out, 4 Mill Lane", "category": "streetlight"}
    events, _ = submit(domain, confirmed_report(next_problem=held))
    slots = slot_values(events)
    assert slots["location"] == "4 Mill Lane" and slots["description"] is None


def test_the_kept_problem_is_reported_after_a_cancel_too(domain: dict) -> None:
    tracker = make_tracker(text="cancel report", intent="deny", active_loop="report_form",
                           slots={"category": "pothole", "next_problem": STREETLIGHT})
    events, messages = run_action(ActionCancelReport(), tracker, domain)
    assert responses(messages) == ["utter_report_cancelled", "utter_next_problem_now"]
    assert slot_values(events)["category"] == "streetlight"
    assert followup(events) == ["report_form"]


def test_a_report_not_saved_keeps_the_problem_for_later(database_down: str,
                                                         domain: dict) -> None:
    """The database is down: the summary comes again, and the other problem still waits."""
    events, messages = submit(domain, confirmed_report(next_problem=STREETLIGHT))
    assert "utter_next_problem_now" not in responses(messages)
    assert "next_problem" not in slot_values(events)


@pytest.mark.parametrize("held", [None, {}, {"text": "", "category": None}])
def test_without_a_kept_problem_the_report_just_ends(held: object, database: str,
                                                     domain: dict) -> None:
    events, messages = submit(domain, confirmed_report(next_problem=held))
    assert responses(messages) == ["utter_case_created"]
    assert followup(events) == []
