"""Handing the conversation to a person: on request, after an unsure answer, or when the
bot has misunderstood twice in a row. The caseworker gets the recent transcript, and the
citizen is told honestly when someone will be there.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (FALLBACK_INTENTS, bot_response, channel_of, language_of,
                            latest_intent, log_event, now_utc, transcript)
from actions.policy import second_look_in_faq
from actions.progress_questions import answer_about_progress
from actions.replies import format_moment, utter_core_error
from bot.city import describe_hours, load_city
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.escalations import escalate, next_staffed_time, staffed_now

MISUNDERSTANDING_ACTION = "action_handle_misunderstanding"
ESCALATED_RESPONSES = ("utter_escalated", "utter_escalated_out_of_hours")
MISSED_RESPONSES = ("utter_default", "utter_out_of_scope")  # "Sorry, I didn't get that"


def escalate_conversation(dispatcher: CollectingDispatcher, tracker: Tracker,
                          reason: str) -> List[EventType]:
    """Queue the conversation for a caseworker and tell the citizen when to expect them."""
    events: List[EventType] = [SlotSet("handoff_offered", False)]
    now = now_utc()
    try:
        with session_scope() as session:
            escalation = escalate(
                session, sender_id=tracker.sender_id, channel=channel_of(tracker),
                language=language_of(tracker), reason=reason, transcript=transcript(tracker),
                case_reference=tracker.get_slot("last_case_reference"), now=now)
            escalation_id = escalation.id
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        log_event("escalation_failed", tracker, reason=reason)
        return events
    city = load_city()
    if staffed_now(now, city):
        dispatcher.utter_message(response="utter_escalated",
                                 hours=describe_hours(city, language_of(tracker)))
    else:
        opening = next_staffed_time(now, city)
        dispatcher.utter_message(response="utter_escalated_out_of_hours",
                                 hours=format_moment(opening, language_of(tracker)))
    log_event("escalated", tracker, reason=reason, escalation_id=escalation_id,
              case_reference=tracker.get_slot("last_case_reference"))
    return events


class ActionEscalate(Action):
    """"Talk to a person", or "yes" to the offer made after an unsure policy answer. "Will
    someone come round tonight?" just after a report asks about the crew, not for a person:
    it gets the report's progress (actions.progress_questions)."""

    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        offered = tracker.get_slot("handoff_offered") is True
        reason = "low_confidence" if offered and latest_intent(tracker) == "affirm" else "requested"
        if reason == "requested":  # "will someone come round tonight?" after a report
            about_a_report = answer_about_progress(dispatcher, tracker)
            if about_a_report is not None:
                return about_a_report
        return escalate_conversation(dispatcher, tracker, reason)


class ActionHandleMisunderstanding(Action):
    """First misunderstanding: say so and suggest rephrasing; second in a row: a person.
    Before either, outside a form, the FAQ gets a second look (actions.policy
    .second_look_in_faq): a question on a topic the model was not trained on is answered
    when one entry clearly fits it, or offered the close ones when it reads as a question.

    Also RulePolicy's core_fallback_action_name, so it must not assume an NLU fallback.
    """

    def name(self) -> Text:
        return MISUNDERSTANDING_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if ran_this_turn(tracker):
            # The core fallback after a form rejected the message, with no rule to follow it:
            # Rasa would predict it again and again (ten "Sorry" replies). Once is enough;
            # the form stays active and waits for the next message.
            log_event("misunderstanding_repeated", tracker, intent=latest_intent(tracker))
            return [FollowupAction("action_listen")]
        answered = second_look_in_faq(dispatcher, tracker)
        if answered is not None:
            log_event("misunderstanding_answered_from_faq", tracker, intent=latest_intent(tracker))
            return answered
        if previous_turn_misunderstood(tracker):
            return escalate_conversation(dispatcher, tracker, "misunderstood")
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(response="utter_default")
        log_event("misunderstood", tracker, intent=latest_intent(tracker))
        return []


def ran_this_turn(tracker: Tracker) -> bool:
    """Whether this action already answered the latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == MISUNDERSTANDING_ACTION:
            return True
    return False


def previous_turn_misunderstood(tracker: Tracker) -> bool:
    """Whether the citizen's previous message was also not understood (and not already
    handed over: a third miss after an escalation does not queue them twice)."""
    events = tracker.applied_events()
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(users) < 2:
        return False
    previous, current = users[-2], users[-1]
    between = events[previous + 1:current]
    said = [bot_response(event) for event in between]
    if any(response in ESCALATED_RESPONSES for response in said):
        return False  # handed over already
    actions = [event.get("name") for event in between
               if event.get("event") == "action" and event.get("name") != "action_listen"]
    if MISUNDERSTANDING_ACTION in actions:
        # It said sorry, or answered after all: from the FAQ, or about the report just
        # discussed ("it's off again now" kept on the report is no misunderstanding).
        return any(response in MISSED_RESPONSES for response in said)
    if actions:  # a form that took an odd-looking answer did understand it
        return False
    intent = ((events[previous].get("parse_data") or {}).get("intent") or {}).get("name")
    return intent in FALLBACK_INTENTS
