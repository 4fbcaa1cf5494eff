"""validate_report_form at the place question, for replies that give no place: not knowing
the house number sends the report with the street; a question, or not knowing where at
all, is told what the crew needs (actions.report_place)."""
from __future__ import annotations

import pytest

from tests.actions.factories import responses
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


@pytest.mark.parametrize("reply, place", [("near the school?", "near the school?"),
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
