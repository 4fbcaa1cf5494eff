"""validate_report_form and more about the problem said where the form asked for no words:
at the summary, the updates question, the photo question and the offer to follow a similar
report, the words go into the description and the question comes again
(actions.report_details)."""
from __future__ import annotations

from typing import Any, Dict

import pytest

from bot.greetings import without_greeting
from tests.actions.factories import responses, slot_event
from tests.actions.test_report_form_actions import FILLED, classifier_entity, validate

pytestmark = pytest.mark.usefixtures("database")

MORE = "it's about 30cm wide and deep"
OFFER = {"reference": "C-2026-000001", "service": "Pothole", "status": "received",
         "age": "2 hours ago"}
# The slots as each wordless question is asked, and what the form holds for the reply there
# (the photo question's mapping takes any text).
ASKED: Dict[str, Dict[str, Any]] = {
    "confirmed": {**FILLED},
    "consent": {**FILLED, "consent": None},
    "photos": {**FILLED, "photos": None, "consent": None},
    "follow_duplicate": {"category": "pothole", "location": "12 High St", "description": None,
                         "submission_id": "sub-1", "duplicate_case": OFFER,
                         "follow_duplicate": None},
}


@pytest.mark.parametrize("asked", sorted(ASKED))
def test_more_about_the_problem_where_no_words_were_asked_goes_to_the_description(
        asked: str, domain: dict) -> None:
    """"Sorry, I didn't get that" met these words, and they were lost."""
    before = ASKED[asked]
    candidates = {"photos": MORE} if asked == "photos" else {}
    slots, messages = validate(asked, candidates, domain, text=MORE, intent="inform",
                               slots=before)
    expected = f"{before['description']}\n{MORE}" if before["description"] else MORE
    assert slots["description"] == expected
    assert slots["requested_slot"] == asked
    assert responses(messages) == ["utter_detail_added"]


@pytest.mark.parametrize("text, intent", [
    ("no, I don't have a photo of it", "inform"),  # a no: an answer, not a detail
    ("what happens to my details after?", "inform"),  # a question
    ("the place is wrong, change it", "inform"),  # a change asked at the summary
    ("cancel report, I changed my mind", "deny"),
    ("/inform{\"field\":\"location\"}", "inform"),  # a button
    ("hello there how are you", "greet"),
    ("what is the fine for dog fouling", "ask_policy"),  # asked as a question: answered
])
def test_what_is_not_more_about_the_problem_is_left_alone(text: str, intent: str,
                                                          domain: dict) -> None:
    slots, messages = validate("confirmed", {}, domain, text=text, intent=intent,
                               slots=FILLED)
    assert "description" not in slots or slots["description"] == FILLED["description"]
    assert "utter_detail_added" not in responses(messages)


def said_in_a_pothole_report(asked: str, text: str, named: str, domain: dict,
                             confidence: float = 0.9, **candidates: Any):
    """The form's run on a problem described at `asked`, the classifier naming `named`."""
    return validate(asked, {"category": named, **candidates}, domain, text=text,
                    intent="report_problem", entities=[classifier_entity(named, confidence)],
                    history=[slot_event("category", "pothole")], slots=ASKED[asked])


def test_another_problem_is_held_for_after_not_added(domain: dict) -> None:
    text = "and the street light on Mill Lane has been out all week"
    slots, messages = said_in_a_pothole_report("consent", text, "streetlight", domain)
    assert slots.get("description", FILLED["description"]) == FILLED["description"]
    assert slots["next_problem"]
    assert responses(messages) == ["utter_finish_report_before_new"]


def test_the_same_problem_described_again_is_added(domain: dict) -> None:
    text = "the pothole is getting bigger every day now"
    slots, messages = said_in_a_pothole_report("consent", text, "pothole", domain)
    assert slots["description"] == f"{FILLED['description']}\n{text}"
    assert slots["requested_slot"] == "consent"
    assert responses(messages) == ["utter_detail_added"]


def test_a_type_the_classifier_is_unsure_of_is_more_about_this_problem(domain: dict) -> None:
    """Seen live at the photo question: noise at 0.52 held these words as another report."""
    text = "cars keep swerving around it at night"
    slots, messages = said_in_a_pothole_report("photos", text, "noise", domain,
                                               confidence=0.52, photos=text)
    assert slots["category"] == "pothole" and not slots.get("next_problem")
    assert slots["description"] == f"{FILLED['description']}\n{text}"
    assert responses(messages) == ["utter_detail_added"]


@pytest.mark.parametrize("text, told", [
    ("it has been there for three weeks now", "utter_detail_added"),
    ("I'll send a picture of it in a minute", "utter_photo_how_to_send"),
    ("I'll do it tomorrow from my phone", "utter_photo_how_to_send"),
    ("I want to add a photo to my report", "utter_photo_how_to_send"),
])
def test_adding_at_the_photo_question(text: str, told: str, domain: dict) -> None:
    """The model reads both as adding to a report: the photo is coming, the rest is detail."""
    slots, messages = validate("photos", {"photos": text}, domain, text=text,
                               intent="add_to_report", slots=ASKED["photos"])
    assert responses(messages) == [told]
    assert slots["photos"] is None and slots["requested_slot"] == "photos"


def test_more_about_the_problem_read_as_a_policy_question_is_added(domain: dict) -> None:
    """Seen live at the summary: three unrelated FAQ entries were offered instead."""
    text = "people trip over it when it's dark"
    slots, messages = validate("confirmed", {}, domain, text=text, intent="ask_policy",
                               slots=FILLED)
    assert slots["description"] == f"{FILLED['description']}\n{text}"
    assert slots["requested_slot"] == "confirmed"
    assert responses(messages) == ["utter_detail_added"]


@pytest.mark.parametrize("asked", ["confirmed", "consent", "photos"])
@pytest.mark.parametrize("text", ["sorry, I meant 7 Quarry Road", "Calle Mayor 10",
                                  "the right address is 12 Elm Street"])
def test_a_place_said_where_no_words_were_asked_corrects_the_place(asked: str, text: str,
                                                                   domain: dict) -> None:
    """Seen live: "outside 7 Quarry Road actually" at the summary went into the description,
    and the report to the old place."""
    candidates = {"photos": text} if asked == "photos" else {}
    slots, messages = validate(asked, candidates, domain, text=text, intent="inform",
                               slots=ASKED[asked])
    place = text.split("meant ")[-1].split("is ")[-1]
    assert slots["location"] == place and "description" not in slots
    assert responses(messages) == ["utter_location_from_message"]
    assert slots["follow_duplicate"] is False  # looked for again at the new place: none


@pytest.mark.parametrize("asked", ["confirmed", "photos"])
@pytest.mark.parametrize("text, intent, place", [
    ("no, it's number 14, not 12", "deny", "14 High St"),
    ("actually it's outside number 32", "inform", "32 High St"),
    ("no, el número es 47, no 12", "deny", "47 High St"),
])
def test_a_house_number_given_where_no_words_were_asked_corrects_it(
        asked: str, text: str, intent: str, place: str, domain: dict) -> None:
    """Seen live: at the summary it asked "What should I change?"; at the photo question it
    said no photo came."""
    if asked == "photos" and intent == "deny":
        intent = "inform"  # at the photo question a "no" is an answer; the words are enough
    candidates = {"photos": text} if asked == "photos" else {}
    slots, messages = validate(asked, candidates, domain, text=text, intent=intent,
                               slots=ASKED[asked])
    assert slots["location"] == place and "description" not in slots
    assert responses(messages) == ["utter_location_from_message"]


def test_a_number_on_a_street_named_alone_keeps_the_street(domain: dict) -> None:
    slots, _ = validate("confirmed", {}, domain, text="it's number 5 actually", intent="inform",
                        slots={**FILLED, "location": "outside the school, Mill Lane"})
    assert slots["location"] == "5 Mill Lane"


@pytest.mark.parametrize("text", ["there's another one at number 5",  # another problem
                                  "there are about 5 bags",  # a count: no word for a number
                                  "number 3 bin collection was missed for 2 weeks",
                                  ])
def test_a_number_that_is_not_a_new_house_number(text: str, domain: dict) -> None:
    slots, _ = validate("confirmed", {}, domain, text=text, intent="inform", slots=FILLED)
    assert "location" not in slots


@pytest.mark.parametrize("text", ["there's also one on 3 Mill Lane", "it's at 12 High St",
                                  "my neighbour at 9 Elm Street saw it happen last night"])
def test_a_place_among_other_words_is_not_a_correction(text: str, domain: dict) -> None:
    slots, _ = validate("confirmed", {}, domain, text=text, intent="inform", slots=FILLED)
    assert "location" not in slots


@pytest.mark.parametrize("asked, text, intent, again", [
    ("consent", "I'll send a photo later", "inform", True),
    ("confirmed", "I'll send a photo later", "inform", True),
    ("confirmed", "can I still add a picture", "add_to_report", True),
    ("consent", "no, and I have no photo either", "deny", False),  # a "no" to the updates
    ("confirmed", "I don't have a photo, sorry", "inform", False),  # says there is none
])
def test_a_photo_offered_after_the_photo_question_asks_it_again(
        asked: str, text: str, intent: str, again: bool, domain: dict) -> None:
    """It was "Sorry, I didn't get that"; the photos already sent are kept."""
    before = {**ASKED[asked], "attachment_ids": ["photo-1"], "photos": "1 photo"}
    slots, _ = validate(asked, {}, domain, text=text, intent=intent, slots=before)
    assert (slots.get("requested_slot") == "photos") is again
    assert "attachment_ids" not in slots and "description" not in slots


def test_no_and_a_place_at_the_summary_corrects_the_place_not_cancels(domain: dict) -> None:
    """The model reads "no, it's 7 Quarry Road" as "no": the report was cancelled."""
    text = "no, it's 7 Quarry Road"
    slots, messages = validate("confirmed", {"confirmed": False}, domain, text=text,
                               intent="deny", slots={**FILLED, "confirmed": False})
    assert slots["confirmed"] is None and slots["location"] == "7 Quarry Road"
    assert slots["requested_slot"] == "confirmed"
    assert responses(messages) == ["utter_location_from_message"]


ASKED_FOR_THE_DESCRIPTION = {"category": "pothole", "location": "12 High St",
                             "description": None}


@pytest.mark.parametrize("text, intent, taken", [
    ("people keep tripping over it and the council does nothing", "ask_policy", True),
    ("the council never fixes anything round here", "give_feedback", True),
    ("it has been like this since the roadworks in March", "check_status", True),
    ("is it dangerous to drive over it?", "ask_policy", False),  # asked: the FAQ answers
    ("how long do potholes take to fix", "ask_policy", False),
    ("I want to give feedback", "give_feedback", False),  # the wish: it waits
    ("what's happening with C-2026-000123", "check_status", False),
    ("C-2026-000123 is the same pothole", "check_status", False),  # a reference
])
def test_a_description_read_as_a_question_or_feedback_is_the_description(
        text: str, intent: str, taken: bool, domain: dict) -> None:
    """Before, "people keep tripping over it and the council does nothing" at "Please
    describe the problem" got three unrelated FAQ answers, the question came again, and the
    words were lost: the model reads it as a policy question at 1.0."""
    entities = [{"entity": "case_reference", "value": "C-2026-000123"}] \
        if "C-2026" in text else []
    slots, _ = validate("description", {}, domain, text=text, intent=intent,
                        entities=entities, slots=ASKED_FOR_THE_DESCRIPTION)
    assert (slots.get("description") == text) is taken


@pytest.mark.parametrize("text, intent, taken", [
    ("it goes on until 3am most nights and it's very loud", "goodbye", True),  # seen live
    ("hello, water has been pouring out of the pipe since Monday", "greet", True),
    ("thanks, it is about as wide as a car tyre", "thank", True),
    ("ok I have to go now, I'll finish this later", "goodbye", False),  # takes leave
    ("bye for now", "goodbye", False),  # short: small talk
])
def test_a_long_description_read_as_small_talk_is_the_description(
        text: str, intent: str, taken: bool, domain: dict) -> None:
    """Before, "it goes on until 3am most nights and it's very loud" (goodbye, 0.76) got "Your
    report isn't sent yet. I'll keep it for an hour", and the words were lost."""
    slots, _ = validate("description", {}, domain, text=text, intent=intent,
                        slots=ASKED_FOR_THE_DESCRIPTION)
    assert (slots.get("description") == without_greeting(text)) is taken
