"""validate_report_form at the place question, for replies that give no place: not knowing
the house number sends the report with the street; a question, or not knowing where at
all, is told what the crew needs (actions.report_place)."""
from __future__ import annotations

import pytest

from actions.report_prompts import ActionAskLocation
from tests.actions.factories import bot_event, make_tracker, responses, run_action
from tests.actions.test_report_form_actions import validate
from tests.actions.test_report_form_replies import PLACE_ASKED

pytestmark = pytest.mark.usefixtures("database")


@pytest.mark.parametrize("reply", ["I'm not sure of the number", "no idea", "skip",
                                   "no sé el número", "weet ik niet"])
def test_not_knowing_the_number_sends_the_street(reply: str, domain: dict) -> None:
    """"I'm not sure of the number" was the place: "I'm not sure of the number, Station
    Road"."""
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots=PLACE_ASKED)
    assert slots["location"] == "Station Road"
    assert slots["requested_slot"] != "location"
    assert responses(messages)[0] == "utter_location_street_only"
    assert messages[0]["location"] == "Station Road"


@pytest.mark.parametrize("reply", ["I don't know", "can I send my location?",
                                   "how do I share where I am"])
def test_no_place_at_all_is_told_what_is_needed(reply: str, domain: dict) -> None:
    """"Can I send my location?" went into the description the crew reads."""
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={**PLACE_ASKED, "location_street": None})
    assert slots["location"] is None and slots["requested_slot"] == "location"
    assert "description" not in slots
    assert responses(messages) == ["utter_location_needed"]


@pytest.mark.parametrize("reply, street", [("no sé", None), ("no lo sé", "Calle Mayor")])
def test_not_knowing_read_as_no_does_not_cancel_the_report(reply: str, street,
                                                           domain: dict) -> None:
    """"no sé" is deny to the model (1.0), and a no mid-report cancelled it: the form now
    takes it as the answer it is."""
    slots, messages = validate("location", {}, domain, text=reply, intent="deny",
                               slots={**PLACE_ASKED, "location_street": street,
                                      "language": "es"})
    if street:
        assert slots["location"] == street
        assert responses(messages) == ["utter_location_street_only"]
    else:
        assert slots["location"] is None and slots["requested_slot"] == "location"
        assert responses(messages) == ["utter_location_needed"]


@pytest.mark.parametrize("reply, language", [("en mi calle", "es"),
                                             ("outside my house", "en"),
                                             ("na minha rua", "pt"), ("hier in de straat", "nl")])
def test_a_place_that_only_points_at_the_citizen_asks_which_street(
        reply: str, language: str, domain: dict) -> None:
    """"en mi calle" went to the crew as the report's place."""
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={**PLACE_ASKED, "location_street": None,
                                      "language": language})
    assert slots["location"] is None and slots["requested_slot"] == "location"
    assert responses(messages) == ["utter_location_which_street"]


@pytest.mark.parametrize("reply, street, place", [
    ("outside the school", None, "outside the school"),  # a landmark
    ("my street, the one by the bakery", None, "my street, the one by the bakery"),
    ("outside my house", "Station Road", "outside my house, Station Road"),  # street known
])
def test_a_place_with_something_to_find_it_by_is_taken(reply: str, street, place: str,
                                                       domain: dict) -> None:
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={**PLACE_ASKED, "location_street": street})
    assert slots["location"] == place
    assert "utter_location_which_street" not in responses(messages)


@pytest.mark.parametrize("reply, place", [("near the school?", "near the school?"),
                                          ("by the bus stop, I don't know the number",
                                           "by the bus stop, I don't know the number, "
                                           "Station Road"),  # the landmark was dropped
                                          ("12", "12 Station Road"),
                                          ("not sure, maybe 14",
                                           "not sure, maybe 14, Station Road")])
def test_a_place_said_with_a_doubt_is_a_place(reply: str, place: str, domain: dict) -> None:
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={**PLACE_ASKED,
                                      "location_street": None if "school" in reply
                                      else "Station Road"})
    assert slots["location"] == place
    assert not {"utter_location_needed", "utter_location_street_only"} & set(responses(messages))


# --- "Same place": a second problem held from the message before ------------------------

def place_reply(domain: dict, text: str, intent: str = "inform", entities=None,
                slots=None):  # type: ignore[no-untyped-def]
    """validate_report_form on `text` at the place question of a streetlight report."""
    return validate("location", {"location": text}, domain, text=text, intent=intent,
                    entities=entities or [],
                    slots={**PLACE_ASKED, "category": "streetlight", **(slots or {})})


BEFORE = {"location": "outside number 12, Mill Lane", "latitude": None, "longitude": None}
PINNED = {"location": "Pin at 51.50000, -0.12000", "latitude": 51.5, "longitude": -0.12}


@pytest.mark.parametrize("text, intent, entities, language", [
    ('/inform{"field":"same_place"}', "inform", [{"entity": "field", "value": "same_place"}], "en"),
    ("yes", "affirm", [], "en"),
    ("Same place", "inform", [], "en"),
    ("the same", "inform", [], "en"),
    ("en el mismo sitio", "inform", [], "es"),
    ("mesmo sítio", "inform", [], "pt"),
    ("dezelfde plek", "inform", [], "nl"),
])
def test_same_place_takes_the_place_of_the_report_just_made(
        text: str, intent: str, entities: list, language: str, domain: dict) -> None:
    slots, _ = place_reply(domain, text, intent=intent, entities=entities,
                           slots={"place_before": PINNED, "language": language})
    assert (slots["location"], slots["latitude"], slots["longitude"]) == \
        (PINNED["location"], 51.5, -0.12)


def test_another_place_is_taken_as_said(domain: dict) -> None:
    slots, _ = place_reply(domain, "7 Oak Road", slots={"place_before": BEFORE})
    assert slots["location"] == "7 Oak Road"


def test_yes_with_no_report_before_is_no_place(domain: dict) -> None:
    slots, _ = place_reply(domain, "yes", intent="affirm")
    assert slots["location"] is None


def test_the_question_offers_the_place_of_the_report_just_made(domain: dict) -> None:
    tracker = make_tracker(slots={"place_before": BEFORE, "location_street": "Mill Lane"})
    _, messages = run_action(ActionAskLocation(), tracker, domain)
    assert responses(messages) == ["utter_ask_location_same_place"]
    assert messages[0]["place"] == BEFORE["location"]


# --- A place the model took for a question or feedback ------------------------------------

@pytest.mark.parametrize("reply, intent, place", [
    ("behind the community centre, Mill Lane", "ask_policy",
     "behind the community centre, Mill Lane"),  # ask_policy at 1.0 in the shipped model
    ("it's outside the library", "ask_policy", "it's outside the library, Station Road"),
    ("en frente del ayuntamiento", "check_status", "en frente del ayuntamiento, Station Road"),
    ("Station Road 14, the council never fixes it", "give_feedback",
     "Station Road 14, the council never fixes it"),
])
def test_a_place_read_as_a_question_is_the_place(reply: str, intent: str, place: str,
                                                 domain: dict) -> None:
    """It got the FAQ's suggestions and "Where is it?" again."""
    slots, messages = validate("location", {}, domain, text=reply, intent=intent,
                               slots=PLACE_ASKED)
    assert slots["location"] == place and slots["requested_slot"] != "location"
    assert "utter_location_needed" not in responses(messages)


@pytest.mark.parametrize("reply, intent", [
    ("where is the community centre?", "ask_policy"),  # asked as a question: the FAQ's
    ("the council does nothing about anything", "give_feedback"),  # no place shown
    ("what's the status of my report", "check_status"),
    ("how do I complain about the council", "ask_policy"),
])
def test_a_question_or_a_statement_without_a_place_is_not_the_place(
        reply: str, intent: str, domain: dict) -> None:
    slots, _ = validate("location", {}, domain, text=reply, intent=intent, slots=PLACE_ASKED)
    assert "location" not in slots


@pytest.mark.parametrize("said, asked", [("utter_location_which_street", []),
                                         ("utter_location_needed", []),
                                         ("utter_location_street_only", ["utter_ask_location"])])
def test_the_question_is_not_put_again_right_after_saying_what_is_needed(
        said: str, asked: list, domain: dict) -> None:
    """"Which street is that?" was followed by "Where is it? Send the street address..."."""
    tracker = make_tracker(text="en mi calle", after=[bot_event("...", said)])
    _, messages = run_action(ActionAskLocation(), tracker, domain)
    assert responses(messages) == asked
