"""The words that opened a report are kept when "Please describe the problem" is asked after
them (actions.report_opening): the description is the opening, then the reply."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from tests.actions.factories import slot_event, user_event
from tests.actions.test_report_form_actions import validate

pytestmark = pytest.mark.usefixtures("database")
ASKED = {"category": "missed_collection", "submission_id": "s", "location": "22 Birch Road"}


def started_by(text: str, intent: str = "report_problem", *later: Dict[str, Any]) -> List[dict]:
    """The conversation before the reply: the opening message, the form activated, and
    `later` events."""
    return [user_event("hello", "greet"), user_event(text, intent),
            {"event": "active_loop", "name": "report_form"}, *later,
            user_event("22 Birch Road", "inform")]


def describe(domain: dict, reply: str, history: List[dict]) -> Any:
    slots, _ = validate("description", {"description": reply}, domain, text=reply,
                        history=history, slots=ASKED)
    return slots.get("description")


def test_the_opening_comes_first_and_the_reply_after(domain: dict) -> None:
    """The crew read only "recycling": "wasn't collected yesterday" was lost. The greeting
    is not the crew's to read."""
    history = started_by("hi, my bin wasn't collected yesterday")
    assert describe(domain, "the recycling, left out since 7am", history) == (
        "My bin wasn't collected yesterday\nthe recycling, left out since 7am")


@pytest.mark.parametrize("opening, intent", [
    ("I want to report a pothole", "report_problem"),  # only the wish to report
    ("/report_problem", "report_problem"),  # a button
    ("hello there, how are you today", "greet"),  # not read as a report
])
def test_an_opening_without_words_of_its_own_is_not_kept(opening: str, intent: str,
                                                        domain: dict) -> None:
    assert describe(domain, "deep hole by the bus stop", started_by(opening, intent)) == (
        "deep hole by the bus stop")


def test_a_reply_repeating_the_opening_is_kept_once(domain: dict) -> None:
    history = started_by("my bin wasn't collected")
    assert describe(domain, "my bin wasn't collected, the green one", history) == (
        "my bin wasn't collected, the green one")


def test_a_description_changed_at_the_summary_replaces_it(domain: dict) -> None:
    """"Change description": the citizen's new words, not the opening again."""
    history = started_by("hi, my bin wasn't collected yesterday", "report_problem",
                         slot_event("description", "hi, my bin wasn't collected\ngreen bin"),
                         slot_event("description", None))
    assert describe(domain, "the garden waste bin, not emptied on Tuesday", history) == (
        "the garden waste bin, not emptied on Tuesday")
