"""A second problem mentioned in the middle of a report: kept, and reported right after.

"And there's also a broken streetlight on Mill Lane", said at the consent question or the
summary, cannot go into the pothole report. The citizen is asked to finish this one first,
the words are kept (slot NEXT_PROBLEM_SLOT), and once the report is sent or cancelled the
report form starts again on them: the type, the place and the description the words give
are taken, as from any first message, so nothing has to be typed twice.

Two problems in the message that opens a report ("there's a pothole on Mill Lane and the
streetlight next to it is out too") are held the same way: the classifier marks the second
(components.problem_clauses), the first is reported now and the second straight after, its
place taken from its own words or else from the whole message. "It's all one problem",
while that first report is made, drops the second: the cut was wrong.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import report_fields as fields
from actions.catalogue import named_service, service_info
from actions.common import language_of, latest_text, log_event
from actions.slots import PLACE_BEFORE_SLOT, REPORT_FORM, REQUESTED_SLOT
from bot.errors import DatabaseUnavailable
from bot.options_in_text import says_a_phrase

NEXT_PROBLEM_SLOT = "next_problem"
# "It's one problem" in each language, folded (bot.options_in_text.says_a_phrase): words
# that name the problem or the report, so "just one" to "one light or several?" is no such.
ONE_PROBLEM_WORDS = {
    "en": ("one problem", "same problem", "one report", "not two", "all one", "one issue",
           "same issue", "same thing"),
    "es": ("un solo problema", "es un problema", "solo un problema", "mismo problema",
           "no son dos", "un solo aviso", "es lo mismo", "misma cosa"),
    "pt": ("um so problema", "e um problema", "so um problema", "mesmo problema",
           "nao sao dois", "um so pedido", "um unico problema", "e o mesmo"),
    "nl": ("is een probleem", "maar een probleem", "hetzelfde probleem", "geen twee",
           "een melding", "een en hetzelfde", "zelfde probleem"),
}


def held_problem(tracker: Tracker) -> Dict[str, Any]:
    """The latest message, kept to be reported next: its words and the type it names."""
    return {"text": latest_text(tracker)[:fields.MAX_DESCRIPTION_CHARS],
            "category": named_service(tracker)}


def next_problem_events(dispatcher: CollectingDispatcher, tracker: Tracker,
                        ending: List[EventType], response: str = "utter_next_problem_now",
                        ) -> Optional[List[EventType]]:
    """`ending` (the events that end a report, or feedback), then the report form on the
    problem kept during it, introduced by `response`: its type, place and description filled
    as from a first message. None when no problem was kept, or the form is not over (a retry
    asks again). A caseworker's question waiting for the citizen comes after that report
    (actions.waiting_question.after_form)."""
    held = tracker.get_slot(NEXT_PROBLEM_SLOT) or {}
    if not held.get("text") or any(event.get("event") == "followup" for event in ending):
        return None
    return report_on(dispatcher, tracker, held,
                     ending + [SlotSet(NEXT_PROBLEM_SLOT, None), *_place_before(tracker, held)],
                     response)


def _place_before(tracker: Tracker, held: Dict[str, Any]) -> List[EventType]:
    """The place of the report that just ended, to offer for the held problem when its own
    words name none ("the streetlight next to it is out too")."""
    location = tracker.get_slot("location")
    if not location or fields.place_in_first_message(str(held.get("text") or "")):
        return []
    return [SlotSet(PLACE_BEFORE_SLOT, {"location": location,
                                        "latitude": tracker.get_slot("latitude"),
                                        "longitude": tracker.get_slot("longitude")})]


def report_on(dispatcher: CollectingDispatcher, tracker: Tracker, problem: Dict[str, Any],
              ending: List[EventType], response: str) -> List[EventType]:
    """`ending`, then the report form started on `problem` (held_problem's words and type),
    introduced by `response`, which quotes the words."""
    text = str(problem.get("text") or "")
    dispatcher.utter_message(response=response, problem=text)
    log_event("next_problem_started", tracker, category=problem.get("category"))
    return ending + [*_first_message_slots(text, problem), FollowupAction(REPORT_FORM)]


def second_problem_held(dispatcher: CollectingDispatcher, tracker: Tracker,
                        entity: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The slot that holds the second of two problems the message opening a report names,
    said to the citizen; empty when it names one, or a problem is already held."""
    also = (entity or {}).get("also") or {}
    if not also.get("value") or not also.get("text") or tracker.get_slot(NEXT_PROBLEM_SLOT):
        return {}
    try:
        language = language_of(tracker)
        first, second = (service_info(code, language) for code in (entity["value"], also["value"]))
    except DatabaseUnavailable:
        first = second = None
    if first is None or second is None:
        return {}
    dispatcher.utter_message(response="utter_two_problems", first=first.name, second=second.name)
    log_event("second_problem_held", tracker, category=also["value"])
    text = latest_text(tracker)
    return {NEXT_PROBLEM_SLOT: {"text": str(also["text"])[:fields.MAX_DESCRIPTION_CHARS],
                                "category": also["value"],
                                "context": text[:fields.MAX_DESCRIPTION_CHARS]}}


def one_problem_after_all(dispatcher: CollectingDispatcher,
                          tracker: Tracker) -> Optional[List[EventType]]:
    """"It's all one problem", said while the first of two problems found in one message is
    reported: the second is dropped, and the question asked again. None otherwise (a
    problem held because the citizen named it mid-report is theirs, not a guess)."""
    held = tracker.get_slot(NEXT_PROBLEM_SLOT) or {}
    phrases = ONE_PROBLEM_WORDS.get(language_of(tracker), ONE_PROBLEM_WORDS["en"])
    if not held.get("context") or not says_a_phrase(latest_text(tracker), phrases):
        return None
    dispatcher.utter_message(response="utter_one_problem_after_all")
    log_event("second_problem_dropped", tracker, category=held.get("category"))
    return [SlotSet(NEXT_PROBLEM_SLOT, None),
            SlotSet(REQUESTED_SLOT, tracker.get_slot(REQUESTED_SLOT))]


def _first_message_slots(text: str, held: Dict[str, Any]) -> List[EventType]:
    """What the report form takes from a first message, taken from the kept one: its place
    from its own words, or from the message it was part of ("context")."""
    category: Optional[str] = held.get("category")
    slots = [SlotSet("category", category)] if category else []
    context = str(held.get("context") or "")
    place = fields.place_in_first_message(text) or \
        (fields.place_in_first_message(context) if context else None)
    if place is not None and place.complete:
        slots.append(SlotSet("location", place.text))
    elif place is not None and place.street:
        slots.append(SlotSet("location_street", place.street))
    if fields.descriptive(context or text, category is not None):
        slots.append(SlotSet("description", context or text))
    return slots


class ActionHoldNextProblem(Action):
    """A problem described where the report form has no use for it, naming no type the form
    could tell apart: keep it for after this report, and say so."""

    def name(self) -> Text:
        return "action_hold_next_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_finish_report_before_new")
        return [SlotSet(NEXT_PROBLEM_SLOT, held_problem(tracker))]
