"""validate_report_form: each field's accept/reject rules, the unsure-category suggestion,
map pins, photos, follow-up questions and corrections from the summary."""
from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from actions.report_form import ValidateReportForm
from tests.actions.factories import (form_tracker, make_tracker, responses, run_action,
                                     slot_event, slot_values, user_event)

FORM = "report_form"
FILLED: Dict[str, Any] = {
    "category": "pothole", "location": "12 High St",
    "description": "Deep pothole by the bus stop", "followup": "done",
    "followup_answers": {"size": "bigger than a tyre", "danger_to_traffic": "yes"},
    "photos": "none", "attachment_ids": [], "consent": True, "confirmed": None,
    "submission_id": "sub-1",
}

pytestmark = pytest.mark.usefixtures("database")


def validate(requested: Optional[str], candidates: Dict[str, Any], domain: Dict[str, Any],
             **kwargs: Any):
    tracker = form_tracker(FORM, requested, candidates, **kwargs)
    events, messages = run_action(ValidateReportForm(), tracker, domain)
    return slot_values(events), messages


def classifier_entity(value: str, confidence: float, alternatives=("sidewalk", "other")) -> dict:
    return {"entity": "category", "value": value, "start": 0, "end": 10,
            "confidence_entity": confidence, "extractor": "CategoryClassifier",
            "alternatives": [{"value": code, "confidence": 0.1} for code in alternatives]}


def test_first_run_gives_the_report_a_submission_id(domain: dict) -> None:
    slots, _ = validate(None, {}, domain, text="/report_problem", intent="report_problem")
    assert len(slots["submission_id"]) == 32
    assert slots["requested_slot"] == "category"


def test_later_runs_keep_the_submission_id(domain: dict) -> None:
    slots, _ = validate("location", {"location": "12 High St"}, domain,
                        slots={"category": "pothole", "submission_id": "sub-1"})
    assert "submission_id" not in slots
    assert slots["location"] == "12 High St"


@pytest.mark.parametrize("entity, accepted", [
    (classifier_entity("pothole", 0.92), True),
    (classifier_entity("pothole", 0.6), True),  # at the threshold: confident enough
    (classifier_entity("pothole", 0.41), False),
    ({"entity": "category", "value": "pothole", "start": 8, "end": 30}, True),  # button payload
])
def test_category_is_confirmed_when_the_classifier_is_unsure(entity: dict, accepted: bool,
                                                             domain: dict) -> None:
    slots, _ = validate(None, {"category": "pothole"}, domain, text="a hole in the road",
                        intent="report_problem", entities=[entity])
    if accepted:
        assert slots["category"] == "pothole"
        assert slots["category_suggestion"] is None
        assert slots["requested_slot"] == "location"
    else:
        assert slots["category"] is None
        assert slots["category_suggestion"] == {"value": "pothole",
                                                "alternatives": ["sidewalk", "other"]}
        assert slots["requested_slot"] == "category"


@pytest.mark.parametrize("value", ["bogus", "", "potholes-and-more"])
def test_codes_outside_the_catalogue_are_rejected(value: str, domain: dict) -> None:
    entity = {"entity": "category", "value": value, "start": 0, "end": 5}
    slots, _ = validate("category", {"category": value}, domain, entities=[entity])
    assert slots["category"] is None
    assert slots["requested_slot"] == "category"


def test_yes_to_the_suggestion_takes_it(domain: dict) -> None:
    suggestion = {"value": "streetlight", "alternatives": ["traffic_signal"]}
    slots, _ = validate("category", {}, domain, text="yes", intent="affirm",
                        slots={"category_suggestion": suggestion, "submission_id": "s"})
    assert slots["category"] == "streetlight"
    assert slots["category_suggestion"] is None


@pytest.mark.parametrize("typed, expected", [("Graffiti", "graffiti"), ("pothole", "pothole"),
                                             ("Something else", "other"),
                                             ("a purple elephant", None)])
def test_a_typed_type_is_matched_by_code_or_name(typed: str, expected: Optional[str],
                                                 domain: dict) -> None:
    slots, _ = validate("category", {}, domain, text=typed, slots={"submission_id": "s"})
    assert slots["category"] == expected


def test_words_about_the_problem_mid_form_do_not_change_its_type(domain: dict) -> None:
    history = [user_event("pothole"), slot_event("category", "pothole")]
    slots, _ = validate("description", {"category": "sidewalk",
                                        "description": "the kerb next to it is broken too"},
                        domain, history=history, entities=[classifier_entity("sidewalk", 0.9)],
                        slots={"submission_id": "s"})
    assert slots["category"] == "pothole"
    assert slots["description"] == "the kerb next to it is broken too"


def test_a_service_without_questions_skips_the_followup(domain: dict) -> None:
    payload = {"entity": "category", "value": "other", "start": 0, "end": 5}
    slots, _ = validate("category", {"category": "other"}, domain, entities=[payload],
                        slots={"submission_id": "s"})
    assert slots["category"] == "other"
    assert slots["followup"] == "done"
    assert slots["requested_slot"] == "location"


@pytest.mark.parametrize("text, accepted", [
    ("12 High St", True), ("corner of Oak and 5th", True), ("ab", False), ("!!!!", False),
    ("aaaaaa", False), ("skip", False),
])
def test_location_text_must_look_like_a_place(text: str, accepted: bool, domain: dict) -> None:
    slots, _ = validate("location", {"location": text}, domain, text=text,
                        slots={"category": "pothole", "submission_id": "s"})
    assert slots["location"] == (text if accepted else None)
    assert slots["requested_slot"] == ("description" if accepted else "location")


def test_a_map_pin_fills_the_location(domain: dict) -> None:
    pin = {"location": {"latitude": 51.50735, "longitude": -0.12776}}
    slots, messages = validate("location", {}, domain, text="", metadata=pin,
                               slots={"category": "pothole", "submission_id": "s"})
    assert slots["location"] == "Pinned location (51.50735, -0.12776)"
    assert (slots["latitude"], slots["longitude"]) == (51.50735, -0.12776)
    assert responses(messages) == ["utter_location_pin_received"]


@pytest.mark.parametrize("pin", [{"latitude": 91, "longitude": 0},
                                 {"latitude": 10, "longitude": -181},
                                 {"latitude": "north", "longitude": 1}, {"latitude": 1}])
def test_a_broken_map_pin_is_asked_again(pin: dict, domain: dict) -> None:
    slots, messages = validate("location", {}, domain, text="", metadata={"location": pin},
                               slots={"category": "pothole", "submission_id": "s"})
    assert slots["location"] is None
    assert slots["requested_slot"] == "location"
    assert messages == []


@pytest.mark.parametrize("text, entities, prefilled", [
    ("There's a huge pothole outside the bakery on Mill Lane that has burst two tyres",
     [classifier_entity("pothole", 0.9)], True),
    ("Big deep pothole in my street near school", [classifier_entity("pothole", 0.9)], True),
    ("I want to report a problem please", [], False),
    ("pothole on main st", [classifier_entity("pothole", 0.9)], False),
    ("/report_problem", [], False),
])
def test_a_descriptive_first_message_becomes_the_description(text: str, entities: list,
                                                             prefilled: bool,
                                                             domain: dict) -> None:
    candidates = {"category": "pothole"} if entities else {}
    slots, _ = validate(None, candidates, domain, text=text, intent="report_problem",
                        entities=entities)
    assert slots.get("description") == (text if prefilled else None)


@pytest.mark.parametrize("text, intent, described", [
    ("la farola de mi calle lleva 2 semanas apagada", "inform", True),
    ("the street light outside number 9 has been flickering all week", "report_problem", True),
    ("a street light", "inform", False),  # names the type, says no more
])
def test_a_type_answered_in_a_sentence_is_the_description(text: str, intent: str,
                                                         described: bool,
                                                         domain: dict) -> None:
    """After "quiero poner una queja", the type question's answer described the problem, and
    "Describe el problema" was asked all the same: the place typed next became the
    description."""
    slots, _ = validate("category", {"category": "streetlight"}, domain, text=text,
                        intent=intent, entities=[classifier_entity("streetlight", 0.9)],
                        slots={"submission_id": "s"})
    assert slots["category"] == "streetlight"
    assert slots.get("description") == (text if described else None)


def test_a_descriptive_first_message_loses_its_greeting(domain: dict) -> None:
    """"Goedemorgen, de boom..." was the crew's description, greeting and all."""
    text = "Goedemorgen, er zit een diep gat in de weg voor de bakkerij op de Molenweg"
    slots, _ = validate(None, {"category": "pothole"}, domain, text=text,
                        intent="report_problem", entities=[classifier_entity("pothole", 0.9)])
    assert slots["description"] == "Er zit een diep gat in de weg voor de bakkerij op de Molenweg"


def test_a_place_in_the_first_message_answers_the_place_question(domain: dict) -> None:
    text = "the streetlight outside 14 Oak Avenue has been out for a week"
    slots, messages = validate(None, {"category": "streetlight"}, domain, text=text,
                               intent="report_problem",
                               entities=[classifier_entity("streetlight", 0.9)])
    assert slots["location"] == "14 Oak Avenue"
    assert slots["requested_slot"] != "location"
    # "the streetlight" also says it is one light (test_report_form_options)
    assert responses(messages) == ["utter_location_from_message", "utter_answers_from_message"]
    assert messages[0]["location"] == "14 Oak Avenue"


def test_a_street_without_a_number_is_kept_for_the_place_question(domain: dict) -> None:
    slots, messages = validate(None, {"category": "pothole"}, domain,
                               text="there is a pothole on Mill Lane", intent="report_problem",
                               entities=[classifier_entity("pothole", 0.9)])
    assert slots["location_street"] == "Mill Lane"
    assert slots.get("location") is None
    assert slots["requested_slot"] == "location"
    assert messages == []



@pytest.mark.parametrize("text, language", [
    ("how do I report a pothole", "en"), ("¿cómo puedo avisar de un bache?", "es"),
])
def test_a_question_about_reporting_is_answered_before_the_first_question(
        text: str, language: str, domain: dict) -> None:
    slots, messages = validate(None, {"category": "pothole"}, domain, text=text,
                               intent="report_problem", slots={"language": language},
                               entities=[classifier_entity("pothole", 0.9)])
    assert responses(messages) == ["utter_report_here"]
    assert slots["requested_slot"] == "location"
    assert slots.get("description") is None  # the question is not the problem's description


def test_the_form_says_it_only_once(domain: dict) -> None:
    """A second "how do I report ..." mid-form is the place question's answer or an
    interruption, not the form starting again."""
    _, messages = validate("location", {}, domain, text="how do I report it?",
                           intent="report_problem",
                           slots={"category": "pothole", "submission_id": "s"})
    assert "utter_report_here" not in responses(messages)

@pytest.mark.parametrize("text", [
    "there is a pothole by 14 Oak Avenue",  # a place, but the form asked for the description
])
def test_a_place_named_later_does_not_replace_the_place_question(text: str,
                                                                 domain: dict) -> None:
    slots, messages = validate("description", {"description": text}, domain, text=text,
                               slots={"category": "pothole", "location": "1 High St",
                                      "submission_id": "s"})
    assert "location" not in slots and "location_street" not in slots
    assert messages == []


@pytest.mark.parametrize("answer, location", [
    ("12", "12 Mill Lane"), ("outside the school", "outside the school, Mill Lane"),
    ("corner of Mill Lane and Hill Road", "corner of Mill Lane and Hill Road"),
    ("!!", None),  # "skip" sends the street alone (test_report_place)
])
def test_the_answer_on_a_named_street_completes_the_address(answer: str,
                                                            location: Optional[str],
                                                            domain: dict) -> None:
    slots, messages = validate("location", {"location": answer}, domain, text=answer,
                               slots={"category": "pothole", "submission_id": "s",
                                      "location_street": "Mill Lane"})
    assert slots["location"] == location
    assert messages == []  # no "from your message" note for an answer


@pytest.mark.parametrize("text, accepted", [("Deep hole, two feet wide", True),
                                            ("bad", False), ("......", False)])
def test_description_needs_a_few_words(text: str, accepted: bool, domain: dict) -> None:
    slots, _ = validate("description", {"description": text}, domain, text=text,
                        slots={"category": "pothole", "location": "1 High St",
                               "submission_id": "s"})
    assert slots["description"] == (text if accepted else None)


def test_followup_questions_are_asked_one_by_one(domain: dict) -> None:
    base = {k: FILLED[k] for k in ("category", "location", "description", "submission_id")}
    first, _ = validate("followup", {"followup": "bigger than a tyre"}, domain, slots=base)
    assert first["followup"] is None
    assert first["followup_answers"] == {"size": "bigger than a tyre"}
    assert first["requested_slot"] == "followup"
    second, _ = validate("followup", {"followup": "no"}, domain,
                         slots={**base, "followup_answers": first["followup_answers"]})
    assert second["followup"] == "done"
    assert second["followup_answers"] == {"size": "bigger than a tyre", "danger_to_traffic": "no"}
    assert second["requested_slot"] == "photos"


def test_skip_leaves_a_followup_answer_unknown(domain: dict) -> None:
    base = {k: FILLED[k] for k in ("location", "description", "submission_id")}
    slots, _ = validate("followup", {"followup": "skip"}, domain,
                        slots={**base, "category": "streetlight"})
    assert slots["followup_answers"] == {"pole_number": None}
    assert slots["followup"] is None


def test_photos_accumulate_and_are_counted(domain: dict) -> None:
    base = {**FILLED, "photos": None, "consent": None, "attachment_ids": ["a1"]}
    slots, messages = validate("photos", {"photos": ""}, domain, slots=base,
                               metadata={"attachments": ["a2", "a1"]})
    assert slots["attachment_ids"] == ["a1", "a2"]
    assert slots["photos"] == "2 photo(s)"
    assert responses(messages) == ["utter_photo_received"]
    assert messages[0]["count"] == 2


@pytest.mark.parametrize("text, intent, expected", [("skip", "inform", "none"),
                                                    ("no", "deny", "none"),
                                                    ("I'll send one later", "inform", None)])
def test_photos_can_be_skipped(text: str, intent: str, expected: Optional[str],
                               domain: dict) -> None:
    base = {**FILLED, "photos": None, "consent": None}
    slots, _ = validate("photos", {"photos": text}, domain, text=text, intent=intent, slots=base)
    assert slots["photos"] == expected


@pytest.mark.parametrize("text", ["no tengo foto", "I don't have a photo", "não tenho",
                                  "ik heb geen foto", "sin foto"])
def test_saying_there_is_no_photo_is_no_photo(text: str, domain: dict) -> None:
    """"no tengo foto" was told how to attach the photo, and asked for it again."""
    base = {**FILLED, "photos": None, "consent": None}
    slots, messages = validate("photos", {"photos": text}, domain, text=text, intent="inform",
                               slots=base)
    assert slots["photos"] == "none"
    assert messages == []


@pytest.mark.parametrize("text, intent", [("yes", "affirm"),
                                          ("I want to add a photo to my report", "add_to_report"),
                                          ("I can't take one now, I'll send it later", "inform"),
                                          ("I'll send one later", "inform")])
def test_yes_without_a_photo_is_told_how_to_send_one(domain: dict, text: str,
                                                     intent: str) -> None:
    base = {**FILLED, "photos": None, "consent": None}
    slots, messages = validate("photos", {"photos": text}, domain, text=text, intent=intent,
                               slots=base)
    assert slots["photos"] is None
    assert responses(messages) == ["utter_photo_how_to_send"]


@pytest.mark.parametrize("text", ["send it", "change the description"])
def test_words_that_are_no_photo_are_told_so(text: str, domain: dict) -> None:
    """The photo question came again without a word."""
    base = {**FILLED, "photos": None, "consent": None}
    slots, messages = validate("photos", {"photos": text}, domain, text=text, intent="inform",
                               slots=base)
    assert slots["photos"] is None
    assert responses(messages) == ["utter_photo_not_received"]


def test_followup_drops_out_of_required_slots_without_questions(domain: dict) -> None:
    import asyncio

    form = ValidateReportForm()
    tracker = make_tracker(slots={"category": "other", "followup": "done"})
    required = asyncio.run(form.required_slots(form.domain_slots(domain), None, tracker, domain))
    assert "followup" not in required
    tracker = make_tracker(slots={"category": "pothole", "followup": "done",
                                  "followup_answers": {"size": "big"}})
    required = asyncio.run(form.required_slots(form.domain_slots(domain), None, tracker, domain))
    assert "followup" in required


@pytest.mark.parametrize("earlier, now, expected", [
    # a note on "the pothole I reported" left the type in the slot: not this report's
    ("pothole", [], None),
    # the message that starts the report names its own type
    ("pothole", [classifier_entity("streetlight", 0.95)], "streetlight"),
])
def test_a_type_left_from_an_earlier_message_is_not_the_new_reports(
        earlier: str, now: list, expected: Optional[str], domain: dict) -> None:
    history = [user_event("the pothole I reported has got worse", "add_to_report"),
               slot_event("category", earlier)]
    candidates = {"category": now[0]["value"]} if now else {}
    slots, _ = validate(None, candidates, domain, text="I want to report a problem",
                        intent="report_problem", entities=now, history=history,
                        slots={"category": earlier, **candidates})
    assert slots["category"] == expected
    assert slots["requested_slot"] == ("category" if expected is None else "location")
