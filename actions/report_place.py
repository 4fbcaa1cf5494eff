"""The report's place: taken from the first message, and what a reply to "Where is it?" that
gives none gets.

"There's a pothole on Mill Lane" names the street, and "Where on Mill Lane?" is asked.
"I'm not sure of the number" was kept as the place ("I'm not sure of the number, Mill
Lane"), and "can I send my location?" as more of the description. Not knowing the number
sends the report with the street, the citizen told; a question, or not knowing where at all,
is told what the crew needs, and the question comes again.

A report started on a second problem held from the message before (actions.next_problem)
is asked whether it is where the report just made was: the "Same place" button, "yes" or
"same place" in the citizen's words take that place.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import report_fields as fields
from actions.common import (language_of, latest_entity, latest_intent, latest_metadata,
                            latest_text, says_cancel, words_read_as_something_else)
from actions.slots import PLACE_BEFORE_SLOT, REQUESTED_SLOT
from bot.answer_fit import names_a_place
from bot.interrogatives import reads_as_question
from bot.options_in_text import folded_words
from bot.places_in_text import PlaceMention
from bot.vague_places import points_only_at_the_citizen

Validated = Dict[Text, Any]

SAME_PLACE_FIELD = "same_place"  # the button's payload: /inform{"field":"same_place"}
# "The same place" in each language, accents and punctuation aside.
SAME_PLACE_WORDS = {
    "en": {"same", "the same", "same place", "the same place", "same spot", "same address",
           "same as before", "same one", "there too", "same there"},
    "es": {"mismo", "el mismo", "mismo sitio", "el mismo sitio", "en el mismo sitio",
           "mismo lugar", "en el mismo lugar", "ahi mismo", "alli mismo", "igual"},
    "pt": {"mesmo", "o mesmo", "mesmo sitio", "no mesmo sitio", "mesmo local",
           "no mesmo local", "mesmo lugar", "no mesmo lugar", "ali mesmo"},
    "nl": {"zelfde", "dezelfde", "hetzelfde", "zelfde plek", "dezelfde plek",
           "op dezelfde plek", "zelfde adres", "hetzelfde adres", "daar ook"},
}


def same_place_again(tracker: Tracker, answer: str) -> Optional[Validated]:
    """The place of the report just made, when the reply to "Is it at the same place?"
    says it is; None otherwise."""
    before = tracker.get_slot(PLACE_BEFORE_SLOT) or {}
    if tracker.get_slot(REQUESTED_SLOT) != "location" or not before.get("location"):
        return None
    words = " ".join(folded_words(answer))
    pressed = (latest_entity(tracker, "field") or {}).get("value") == SAME_PLACE_FIELD
    said = pressed or latest_intent(tracker) == "affirm" or \
        words in SAME_PLACE_WORDS.get(language_of(tracker), SAME_PLACE_WORDS["en"])
    if not said:
        return None
    return {"location": before["location"], "latitude": before.get("latitude"),
            "longitude": before.get("longitude")}


def unknown_place(dispatcher: CollectingDispatcher, tracker: Tracker,
                  answer: str) -> Optional[Validated]:
    """What a reply to the place question that gives no place gets; None when it may be one
    (validate_location judges it). A first message's place is not judged here. "Same place"
    gets the place of the report just made."""
    again = same_place_again(tracker, answer)
    if again is not None:
        return again
    if tracker.get_slot(REQUESTED_SLOT) != "location" or fields.place_in_first_message(answer):
        return None
    street = tracker.get_slot("location_street")
    if any(char.isdigit() for char in answer):  # "not sure, maybe 14": a number is a start
        return None
    if street and names_a_place(answer):  # "by the bus stop, I don't know the number"
        return None  # kept with the street: the landmark is how the crew finds it
    if fields.says_not_known(answer) and street:
        dispatcher.utter_message(response="utter_location_street_only", location=street)
        return {"location": street, "latitude": None, "longitude": None}
    if not street and points_only_at_the_citizen(answer):  # "en mi calle": which street?
        dispatcher.utter_message(response="utter_location_which_street")
        return {"location": None}
    # "Near the school?" is a place said with a doubt; "can I send my location?" a question.
    asks = reads_as_question(answer.strip().rstrip("?"), language_of(tracker))
    if fields.says_not_known(answer) or asks:
        dispatcher.utter_message(response="utter_location_needed")
        return {"location": None}
    return None


def place_in_first_message(tracker: Tracker) -> Optional[PlaceMention]:
    """The place named in the message that opened the report, before anyone asked for it."""
    starting = tracker.get_slot(REQUESTED_SLOT) is None and not tracker.get_slot("location")
    if not starting or latest_intent(tracker) not in ("report_problem", "inform") \
            or latest_metadata(tracker).get("location") is not None:
        return None
    return fields.place_in_first_message(latest_text(tracker))


def street_in_first_message(tracker: Tracker) -> Optional[str]:
    """The street a first message named without a house number ("a pothole on Mill Lane")."""
    mention = place_in_first_message(tracker)
    return mention.street if mention and not mention.complete else None


def place_read_as_something_else(tracker: Tracker) -> bool:
    """Whether the answer to "Where is it?" was read as a question or feedback but plainly
    gives a place: "behind the community centre, Mill Lane" is a policy question to the
    model (1.0, "community centre" is in the FAQ's examples). It got the FAQ's suggestions
    and the question again. A question asked as one still goes to the FAQ, and a statement
    showing no place ("the council does nothing") is not made the address."""
    return (tracker.get_slot(REQUESTED_SLOT) == "location"
            and words_read_as_something_else(tracker) and names_a_place(latest_text(tracker)))


def place_not_known(tracker: Tracker) -> bool:
    """Whether the answer to "Where is it?" says the citizen does not know, in words the
    model reads as "no": "no sé" is deny at 1.0, and a "no" mid-report cancels it. The
    report was thrown away; the answer now gets what the crew needs (unknown_place)."""
    text = latest_text(tracker)
    return (tracker.get_slot(REQUESTED_SLOT) == "location" and latest_intent(tracker) == "deny"
            and fields.says_not_known(text) and not says_cancel(text))
