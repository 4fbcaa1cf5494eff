"""The report form's questions that depend on data: the type (with the classifier's
suggestion as buttons), the place (on the street already named), the service's follow-up
questions, and the summary read back before anything is sent.
"""
from __future__ import annotations

import json
from typing import Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import report_fields as fields
from actions.catalogue import (OTHER, ServiceInfo, service_in_words, service_info,
                               services_for)
from actions.common import language_of, latest_text, log_event, said_this_turn
from actions.replies import utter_core_error
from actions.slots import ANSWERS_FIELD, PLACE_BEFORE_SLOT, WHAT_TO_CHANGE_SLOT
from bot.errors import DatabaseUnavailable
from bot.services import FollowupQuestion

CONSENT_MARKS = {True: "✓", False: "✗"}  # language-neutral in the summary
# The last button of a question with fixed answers: each one is an explicit skip
# (actions.report_fields.EXPLICIT_SKIP), like the SKIP the question mentions.
NOT_SURE = {"en": "Not sure", "es": "No sé", "pt": "Não sei", "nl": "Weet ik niet"}
# The summary's button after the domain's changes when the service asked follow-up
# questions: an answer taken from the description, or given wrongly, can be changed.
CHANGE_ANSWERS = {"en": "Change answers", "es": "Cambiar respuestas", "pt": "Mudar respostas",
                  "nl": "Antwoorden wijzigen"}
# The summary's last button, after "Change answers" when there is one: on SMS the options are
# numbered in this order, and stopping reads best last. Its payload is the domain's "no".
CANCEL = {"en": "Cancel", "es": "Cancelar", "pt": "Cancelar", "nl": "Annuleren"}


def chosen_service(dispatcher: CollectingDispatcher,
                   tracker: Tracker) -> Tuple[bool, Optional[ServiceInfo]]:
    """The service the citizen chose, in their language; (False, None) after telling them the
    case database is unreachable, so the question is not asked half-blind."""
    try:
        return True, service_info(tracker.get_slot("category"), language_of(tracker))
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        return False, None


def category_button(service: ServiceInfo) -> Dict[str, str]:
    """A button that answers the type question with this service's code."""
    payload = json.dumps({"category": service.code}, separators=(",", ":"))
    return {"title": service.name, "payload": f"/inform{payload}"}


class ActionAskCategory(Action):
    """Ask the type: "Is this about <service>?" with the guess, its alternatives and
    "Something else" as buttons when the classifier was unsure, or named nothing where the
    catalogue's words name one service; else the common types."""

    def name(self) -> Text:
        return "action_ask_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        suggestion = tracker.get_slot("category_suggestion") or {}
        guess = suggestion.get("value") if isinstance(suggestion, dict) else None
        events: List[EventType] = []
        if not guess and (guess := words_guess(tracker)):  # "grofvuil op straat"
            suggestion = {"value": guess, "alternatives": []}
            events.append(SlotSet("category_suggestion", suggestion))  # "yes" takes it
        if guess:
            codes = [guess, *(suggestion.get("alternatives") or []), OTHER]
            try:
                services = services_for(codes, language_of(tracker))
            except DatabaseUnavailable:
                services = []  # the plain question still works; submission will tell
            if services and services[0].code == guess:
                dispatcher.utter_message(response="utter_ask_category_suggestion",
                                         service=services[0].name,
                                         buttons=[category_button(item) for item in services])
                return events
        dispatcher.utter_message(response="utter_ask_category")
        return []


def words_guess(tracker: Tracker) -> Optional[str]:
    """The one service the catalogue's keywords find in the message the type is asked after,
    offered like an unsure classifier's guess: "er ligt grofvuil op straat" names dumping
    in the catalogue's words, where the classifier named nothing."""
    text = latest_text(tracker)
    return None if not text or text.startswith("/") else service_in_words(text)


# What the place question's validation says when a reply gives no place it can use; each
# asks for the place in its own words (actions.report_place).
PLACE_EXPLAINED = frozenset({"utter_location_needed", "utter_location_which_street"})


class ActionAskLocation(Action):
    """Ask the place: "where on Mill Lane?" when the first message named only a street, or
    whether it is where the report just made was (a second problem held from its message)."""

    def name(self) -> Text:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if said_this_turn(tracker, PLACE_EXPLAINED):
            return []  # "Which street is that?" was just said: not "Where is it?" after it
        street = tracker.get_slot("location_street")
        before = tracker.get_slot(PLACE_BEFORE_SLOT) or {}
        if before.get("location"):  # the report just made was there: "Same place" answers
            dispatcher.utter_message(response="utter_ask_location_same_place",
                                     place=before["location"])
        elif street:
            dispatcher.utter_message(response="utter_ask_location_on_street", street=street)
        else:
            dispatcher.utter_message(response="utter_ask_location")
        return []


class ActionAskFollowup(Action):
    """Ask the chosen service's next unanswered follow-up question."""

    def name(self) -> Text:
        return "action_ask_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        found, service = chosen_service(dispatcher, tracker)
        if not found:
            return []
        answers = tracker.get_slot("followup_answers") or {}
        question = fields.next_question(service.questions if service else [], answers)
        if question is None:
            # Nothing left to ask (the catalogue changed under the form): move on.
            log_event("followup_nothing_to_ask", tracker, category=tracker.get_slot("category"))
            return [SlotSet("followup", fields.FOLLOWUP_DONE)]
        dispatcher.utter_message(response="utter_ask_followup", question=question.prompt,
                                 buttons=option_buttons(question, language_of(tracker)))
        return []


def option_buttons(question: FollowupQuestion, language: str) -> List[Dict[str, str]]:
    """A question's fixed answers as buttons (numbered on SMS), and "Not sure" (the question
    says SKIP works too). The payload is the title as plain text, so a press reads in the
    conversation, and in the case's answers, as if the citizen had typed it; a question
    without fixed answers gets no buttons."""
    if not question.options:
        return []
    not_sure = NOT_SURE.get(language, NOT_SURE["en"])
    return [{"title": title, "payload": title}
            for title in [option.name for option in question.options] + [not_sure]]


class ActionAskConfirmed(Action):
    """Read the report back with Submit and Change buttons (in the domain), "Change answers"
    after them when the service asked follow-up questions, and Cancel last. After "that's
    wrong" naming no part, only ask which part, with the same change buttons."""

    def name(self) -> Text:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        found, service = chosen_service(dispatcher, tracker)
        if not found:
            return []
        language = language_of(tracker)
        asked = service is not None and bool(service.questions)
        buttons = [change_answers_button(language)] if asked else []
        if tracker.get_slot(WHAT_TO_CHANGE_SLOT):  # "that's wrong": the summary is in view
            dispatcher.utter_message(response="utter_ask_what_to_change", buttons=buttons)
            return [SlotSet(WHAT_TO_CHANGE_SLOT, None)]
        cancel = {"title": CANCEL.get(language, CANCEL["en"]), "payload": "/deny"}
        dispatcher.utter_message(response="utter_ask_confirmed_summary",
                                 buttons=buttons + [cancel], **summary_values(tracker, service))
        return []


def change_answers_button(language: str) -> Dict[str, str]:
    """Asks the follow-up questions again (actions.slots.CORRECTABLE_FIELDS)."""
    payload = json.dumps({"field": ANSWERS_FIELD}, separators=(",", ":"))
    return {"title": CHANGE_ANSWERS.get(language, CHANGE_ANSWERS["en"]),
            "payload": f"/inform{payload}"}


def summary_values(tracker: Tracker, service: Optional[ServiceInfo]) -> Dict[str, str]:
    """The summary's placeholders; counts and marks instead of English words."""
    questions = service.questions if service else []
    answers = tracker.get_slot("followup_answers") or {}
    return {
        "service": service.name if service else str(tracker.get_slot("category") or ""),
        "location": str(tracker.get_slot("location") or ""),
        "description": str(tracker.get_slot("description") or ""),
        "photos": str(len(tracker.get_slot("attachment_ids") or [])),
        "consent": CONSENT_MARKS[tracker.get_slot("consent") is True],
        "answers": fields.format_answers(questions, answers),
    }
