"""actions.next_problem: another problem described in the middle of a report is kept, and
reported as soon as that report is sent or cancelled, without typing it again."""
from __future__ import annotations

import pytest

from actions.next_problem import ActionHoldNextProblem
from actions.report_form import ValidateReportForm
from actions.report_submit import ActionCancelReport
from tests.actions.factories import (form_tracker, make_tracker, responses, run_action,
                                     slot_values)
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


# --- two problems in the message that opens the report (components.problem_clauses) ------

TWO = "there's a pothole on Mill Lane and the streetlight next to it is out too"
SECOND = "the streetlight next to it is out too"


def marked_entity(confidence: float = 0.96) -> dict:
    """The classifier's entity for TWO: the pothole first, the streetlight under "also"."""
    return {"entity": "category", "value": "pothole", "start": 0, "end": len(TWO),
            "confidence_entity": confidence, "extractor": "CategoryClassifier",
            "alternatives": [{"value": "sidewalk", "confidence": 0.01}],
            "also": {"value": "streetlight", "confidence": 0.97, "text": SECOND,
                     "start": 35, "end": len(TWO)}}


def open_report(domain: dict, **kwargs):  # type: ignore[no-untyped-def]
    tracker = form_tracker("report_form", None, {"category": "pothole"}, text=TWO,
                           intent="report_problem", **kwargs)
    events, messages = run_action(ValidateReportForm(), tracker, domain)
    return slot_values(events), messages


def test_the_second_of_two_problems_is_held_and_the_citizen_told(database: str,
                                                                  domain: dict) -> None:
    slots, messages = open_report(domain, entities=[marked_entity()])
    assert responses(messages)[0] == "utter_two_problems"
    assert (messages[0]["first"], messages[0]["second"]) == ("Pothole", "Street light fault")
    assert slots["category"] == "pothole"
    assert slots["next_problem"] == {"text": SECOND, "category": "streetlight", "context": TWO}


def test_a_first_problem_the_classifier_is_unsure_of_is_asked_and_the_second_still_held(
        database: str, domain: dict) -> None:
    slots, messages = open_report(domain, entities=[marked_entity(confidence=0.4)])
    assert slots["category"] is None and slots["category_suggestion"]["value"] == "pothole"
    assert slots["next_problem"]["category"] == "streetlight"
    assert responses(messages)[0] == "utter_two_problems"


def test_a_problem_already_held_is_not_replaced(database: str, domain: dict) -> None:
    slots, messages = open_report(domain, entities=[marked_entity()],
                                  slots={"next_problem": STREETLIGHT})
    assert "utter_two_problems" not in responses(messages)
    assert "next_problem" not in slots


def test_without_the_catalogue_nothing_is_promised(database_down: str, domain: dict) -> None:
    """The names cannot be read: no promise of a second report the citizen cannot see."""
    slots, messages = open_report(domain, entities=[marked_entity()])
    assert "utter_two_problems" not in responses(messages)
    assert "next_problem" not in slots


def test_the_second_problem_takes_its_place_from_the_whole_message(database: str,
                                                                   domain: dict) -> None:
    held = {"text": SECOND, "category": "streetlight", "context": TWO}
    events, messages = submit(domain, confirmed_report(next_problem=held))
    assert messages[1]["problem"] == SECOND
    slots = slot_values(events)
    assert (slots["category"], slots["location_street"]) == ("streetlight", "Mill Lane")
    assert slots["description"] == TWO  # the crew reads what "next to it" is next to


def test_the_second_problems_own_place_comes_first(database: str, domain: dict) -> None:
    held = {"text": "the streetlight at 4 Oak Road is out", "category": "streetlight",
            "context": "pothole on Mill Lane and the streetlight at 4 Oak Road is out"}
    events, _ = submit(domain, confirmed_report(next_problem=held))
    assert slot_values(events)["location"] == "4 Oak Road"


def test_the_place_of_the_report_just_made_is_offered_for_the_next(database: str,
                                                                   domain: dict) -> None:
    held = {"text": SECOND, "category": "streetlight", "context": TWO}
    events, _ = submit(domain, confirmed_report(next_problem=held, location="12 Mill Lane",
                                                latitude=51.5, longitude=-0.12))
    assert slot_values(events)["place_before"] == {"location": "12 Mill Lane",
                                                   "latitude": 51.5, "longitude": -0.12}


def test_no_place_is_offered_when_the_problems_own_words_name_one(database: str,
                                                                  domain: dict) -> None:
    held = {"text": "the streetlight on Oak Road is out", "category": "streetlight"}
    events, _ = submit(domain, confirmed_report(next_problem=held))
    assert slot_values(events)["place_before"] is None  # cleared with the report's slots


def test_the_place_offered_ends_with_the_report_it_was_offered_for(domain: dict) -> None:
    tracker = make_tracker(text="cancel report", intent="deny", active_loop="report_form",
                           slots={"category": "streetlight", "place_before": {"location": "x"}})
    events, _ = run_action(ActionCancelReport(), tracker, domain)
    assert slot_values(events)["place_before"] is None


@pytest.mark.parametrize("reply, language", [
    ("no, it's just one problem", "en"), ("it's all one problem", "en"),
    ("it's the same thing", "en"), ("es un solo problema", "es"), ("é o mesmo problema", "pt"),
    ("het is één probleem", "nl"),
])
def test_one_problem_after_all_drops_the_second_and_asks_again(reply: str, language: str,
                                                               database: str,
                                                               domain: dict) -> None:
    """"The pavement has sunk and there's a big dip full of water" was cut in two; "no,
    it's just one problem" at the place question was taken as the place."""
    held = {"text": "there's a big dip full of water", "category": "water_leak",
            "context": "the pavement has sunk and there's a big dip full of water"}
    tracker = form_tracker("report_form", "location", {"location": reply}, text=reply,
                           slots={"category": "sidewalk", "submission_id": "s",
                                  "next_problem": held, "language": language})
    events, messages = run_action(ValidateReportForm(), tracker, domain)
    assert responses(messages) == ["utter_one_problem_after_all"]
    slots = slot_values(events)
    assert slots == {"next_problem": None, "requested_slot": "location"}  # no place taken


@pytest.mark.parametrize("reply, held", [
    # "just one" answers "Is it one light or several lights in a row?"
    ("just one", {"text": SECOND, "category": "streetlight", "context": TWO}),
    # a problem the citizen named mid-report is theirs, not a cut to undo
    ("it's all one problem", STREETLIGHT),
])
def test_other_replies_keep_the_second_problem(reply: str, held: dict, database: str,
                                               domain: dict) -> None:
    tracker = form_tracker("report_form", "followup", {"followup": reply}, text=reply,
                           slots={"category": "streetlight", "submission_id": "s",
                                  "next_problem": held})
    _, messages = run_action(ValidateReportForm(), tracker, domain)
    assert "utter_one_problem_after_all" not in responses(messages)
