"""validate_report_form at the end of a report: the updates question, the summary and the
changes asked from it (by button or in words), and "cancel report" where "no" is an answer."""
from __future__ import annotations

from typing import Any, Optional

import pytest

from tests.actions.test_report_form_actions import FILLED, validate

pytestmark = pytest.mark.usefixtures("database")


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("maybe", None)])
def test_consent_is_yes_or_no(value: Any, expected: Optional[bool], domain: dict) -> None:
    slots, _ = validate("consent", {"consent": value}, domain, slots={**FILLED, "consent": None})
    assert slots["consent"] is expected


@pytest.mark.parametrize("value, requested", [(True, None), (False, None)])
def test_yes_or_no_at_the_summary_ends_the_form(value: bool, requested: None,
                                                domain: dict) -> None:
    slots, _ = validate("confirmed", {"confirmed": value}, domain, slots=FILLED)
    assert slots["confirmed"] is value
    assert slots["requested_slot"] is requested


@pytest.mark.parametrize("field, cleared", [
    ("category", {"category", "category_suggestion", "followup", "followup_answers"}),
    ("location", {"location", "location_street", "latitude", "longitude"}),
    ("description", {"description"}),
    ("photos", {"photos", "attachment_ids"}),
    ("consent", {"consent"}),
    ("answers", {"followup", "followup_answers"}),
])
def test_a_correction_clears_the_field_and_asks_it_again(field: str, cleared: set,
                                                         domain: dict) -> None:
    slots, _ = validate("confirmed", {"confirmed": field}, domain, slots=FILLED)
    assert {name for name, value in slots.items() if value is None} >= cleared | {"confirmed"}
    assert slots["requested_slot"] == ("followup" if field == "answers" else field)
    assert slots.get("answers_corrected") is (True if field == "answers" else None)


def test_after_a_correction_the_summary_comes_back(domain: dict) -> None:
    slots, _ = validate("location", {"location": "14 High St"}, domain,
                        slots={**FILLED, "location": None, "confirmed": None})
    assert slots["location"] == "14 High St"
    assert slots["requested_slot"] == "confirmed"


def test_an_unknown_field_name_is_asked_again(domain: dict) -> None:
    slots, _ = validate("confirmed", {"confirmed": "colour"}, domain, slots=FILLED)
    assert slots["confirmed"] is None
    assert slots["requested_slot"] == "confirmed"

@pytest.mark.parametrize("asked, candidate", [
    ("consent", False), ("photos", "none"), ("followup", "cancel report"),
    ("follow_duplicate", False)])
@pytest.mark.parametrize("text", ["cancel report", "CANCEL REPORT", "Cancelar", "annuleren"])
def test_cancel_report_stops_the_report_where_no_is_an_answer(
        asked: str, candidate: Any, text: str, domain: dict) -> None:
    """Every question says "Reply CANCEL REPORT to stop"; at the updates question it was
    taken as "no" and the report went on, at the photo question as "no photo"."""
    before = {**FILLED, asked: None, "confirmed": None}
    if asked == "followup":
        before["followup_answers"] = {"size": "bigger than a tyre"}
    slots, _ = validate(asked, {asked: candidate}, domain, text=text, intent="deny",
                        slots=before)
    assert slots["confirmed"] is False and slots["requested_slot"] is None


def test_no_at_the_updates_question_is_still_an_answer(domain: dict) -> None:
    slots, _ = validate("consent", {"consent": False}, domain, text="no", intent="deny",
                        slots={**FILLED, "consent": None})
    assert slots["consent"] is False and "confirmed" not in slots
    assert slots["requested_slot"] == "confirmed"


@pytest.mark.parametrize("text, intent, field", [
    ("change the place", "deny", "location"),  # the model reads it as "no"
    ("the address is wrong", "inform", "location"),
    ("cambiar el tipo", "deny", "category"),
])
def test_a_change_asked_in_words_at_the_summary_is_that_change(
        text: str, intent: str, field: str, domain: dict) -> None:
    """"Change the place" at "Shall I send it?" cancelled the report."""
    candidates = {"confirmed": False} if intent == "deny" else {}
    slots, _ = validate("confirmed", candidates, domain, text=text, intent=intent,
                        slots={**FILLED, **candidates})
    assert slots["confirmed"] is None and slots[field] is None
    assert slots["requested_slot"] == field


@pytest.mark.parametrize("text, intent", [
    ("that's wrong", "deny"), ("no that's not right", "deny"), ("hay un error", "deny"),
    ("klopt niet", "deny"), ("change the place and the type", "inform"),
    ("no, it's actually about 50cm wide", "deny"),  # more than "no": not a cancel
])
def test_a_change_naming_no_one_part_asks_which_instead_of_cancelling(
        text: str, intent: str, domain: dict) -> None:
    """"That's wrong" at "Shall I send it?" cancelled the whole report."""
    candidates = {"confirmed": False} if intent == "deny" else {}
    slots, _ = validate("confirmed", candidates, domain, text=text, intent=intent,
                        slots={**FILLED, **candidates})
    assert slots["confirmed"] is None and slots["what_to_change_asked"] is True
    assert slots["requested_slot"] == "confirmed"
    assert not {"location", "category", "description"} & set(slots)  # nothing cleared yet


@pytest.mark.parametrize("text, intent, confirmed", [
    ("no, that's wrong, cancel it", "deny", False), ("no", "deny", False),
    ("no thanks, don't send it", "deny", False), ("no, I've changed my mind", "deny", False),
    ("nee, laat maar", "deny", False),
    ("yes please fix it quickly", "affirm", True),
])
def test_a_cancel_or_a_yes_is_not_a_change(text: str, intent: str, confirmed: bool,
                                           domain: dict) -> None:
    slots, _ = validate("confirmed", {"confirmed": confirmed}, domain, text=text,
                        intent=intent, slots={**FILLED, "confirmed": confirmed})
    assert slots["confirmed"] is confirmed and not slots.get("what_to_change_asked")
