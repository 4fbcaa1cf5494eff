"""After "resolved": the citizen says whether it is really fixed, and rates us 1-5.

The console sets pending_fix_case (the case's reference) when it tells the reporter their
case is resolved, so the next "yes"/"no" answers that question. "It's still broken" also
works without the question: about a quoted reference, the case waiting for an answer, or
their latest resolved case (bot.fix_confirmation.case_for_fix_answer).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Text, Tuple, Union

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import report_fields as fields
from actions.catalogue import named_service
from actions.common import (STATUS_ACTION, channel_of, latest_entity, latest_intent, latest_text,
                            log_event)
from actions.next_problem import held_problem, report_on
from actions.replies import utter_core_error
from actions.slots import FIX_RATING_SLOTS, reset
from bot.cases import find_case
from bot.db import session_scope
from bot.errors import (CaseNotFound, DatabaseUnavailable, InvalidInput, InvalidTransition,
                        MalformedReference)
from bot.feedback import parse_rating, rating_meant
from bot.fix_confirmation import (FixAnswer, case_for_fix_answer, record_fix_confirmation,
                                  record_satisfaction)
from bot.problem_fixed import asks_whether_fixed
from bot.references import parse_reference

PENDING_SLOT = "pending_fix_case"
RATING_CASE_SLOT = "fix_rating_case"
EARLY_RATING_SLOT = "fix_rating"  # a rating given before the yes/no, kept until then
SKIP = "skip"


def rating_in_message(tracker: Tracker, whole_text: bool) -> Optional[Any]:
    """The 1-5 in this message, "skip", or None.

    The rating entity (a button, "4", "4 stars") counts where a rating was asked, and in a
    short or starred reply elsewhere (bot.feedback.rating_meant). The whole text ("skip", "no",
    "four") only where a rating was asked: "still broken after 2 weeks" is no rating.
    """
    entity = latest_entity(tracker, "rating")
    if not whole_text and (entity is None or not rating_meant(latest_text(tracker))):
        return None
    value = entity.get("value") if entity else latest_text(tracker)
    try:
        rating = parse_rating(value)
    except InvalidInput:
        return None
    if rating is not None:
        return rating
    return SKIP if entity or str(value or "").strip() else None



def quoted_reference(tracker: Tracker) -> Optional[str]:
    """A reference named in the message ("C-2026-000123 is still broken")."""
    entity = latest_entity(tracker, "case_reference")
    if entity and entity.get("value"):
        return str(entity["value"])
    try:
        return parse_reference(latest_text(tracker))
    except MalformedReference:
        return None


def with_slots_kept(events: List[EventType], tracker: Tracker,
                    slots: Tuple[str, ...]) -> List[EventType]:
    """Name every slot the rules look at after these actions, changed or not.

    Rasa's RulePolicy wants an action to set the same slots in all of its rules; the rules
    in data/rules.yml list each outcome (rating asked, settled, nothing changed), so the
    action says explicitly which one happened.
    """
    named = {event.get("name") for event in events if event.get("event") == "slot"}
    return events + [SlotSet(slot, tracker.get_slot(slot)) for slot in slots
                     if slot not in named]


@dataclass(frozen=True)
class StillOpen:
    """The answer was about a case still being worked on: there is nothing to confirm yet."""

    reference: str


class ActionRecordFixConfirmation(Action):
    """"Yes, it's fixed" / "no, still broken": record it, then ask for (or thank for) a rating."""

    def name(self) -> Text:
        return "action_record_fix_confirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        events = self.answer(dispatcher, tracker)
        return with_slots_kept(events, tracker, (PENDING_SLOT, RATING_CASE_SLOT))

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
               said_fixed: bool = False) -> List[EventType]:
        """Record the answer; the events for the slots it changed. `said_fixed`: the message
        says in words that it is fixed ("it's working again", actions.problem_fixed)."""
        pending = tracker.get_slot(PENDING_SLOT)
        rating = rating_in_message(tracker, whole_text=False)
        if latest_intent(tracker) == "inform":
            return self.early_rating(dispatcher, pending, rating)
        if not pending and latest_intent(tracker) == "report_not_fixed" \
                and asks_whether_fixed(latest_text(tracker)):
            log_event("not_fixed_question_as_status", tracker)
            return [FollowupAction(STATUS_ACTION)]  # an enquiry: nothing is reopened
        fixed = said_fixed or latest_intent(tracker) == "affirm"
        rating = rating if rating is not None else tracker.get_slot(EARLY_RATING_SLOT)
        try:
            answer = save_answer(tracker, pending, fixed, None if rating == SKIP else rating)
        except (CaseNotFound, MalformedReference, DatabaseUnavailable) as error:
            utter_core_error(dispatcher, error)
            log_event("fix_answer_not_saved", tracker, reason=type(error).__name__)
            return [] if isinstance(error, DatabaseUnavailable) else [SlotSet(PENDING_SLOT, None)]
        if isinstance(answer, StillOpen):
            dispatcher.utter_message(response="utter_fix_case_still_open",
                                     reference=answer.reference)
            return [SlotSet(PENDING_SLOT, None), *reset(FIX_RATING_SLOTS)]
        if answer is None:
            return self.no_case(dispatcher, tracker)
        return self.reply(dispatcher, tracker, answer, rating)

    @staticmethod
    def no_case(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """No resolved report of theirs to reopen. "The pothole on Elm Road is still not
        fixed, it's been months" already tells the problem: it becomes a new report on those
        words (the type and place in them taken), instead of "tell me about the problem"
        and a place given next that nothing understood. A bare "it's still broken" is asked
        for the reference or the problem."""
        closing = [SlotSet(PENDING_SLOT, None)]
        text = latest_text(tracker)
        if latest_intent(tracker) == "report_not_fixed" and not text.startswith("/") \
                and fields.descriptive(text, named_service(tracker) is not None):
            log_event("fix_answer_became_report", tracker)
            return report_on(dispatcher, tracker, held_problem(tracker), closing,
                             "utter_fix_no_case_new_report")
        dispatcher.utter_message(response="utter_fix_no_case")
        return closing

    @staticmethod
    def early_rating(dispatcher: CollectingDispatcher, pending: Optional[str],
                     rating: Any) -> List[EventType]:
        """A rating before the yes/no: keep it and ask the question again."""
        rated = rating not in (None, SKIP)
        if rated:
            dispatcher.utter_message(response="utter_fix_rating_noted")
        dispatcher.utter_message(response="utter_ask_fix_answer", reference=pending or "")
        return [SlotSet(EARLY_RATING_SLOT, rating)] if rated else []

    @staticmethod
    def reply(dispatcher: CollectingDispatcher, tracker: Tracker, answer: FixAnswer,
              rating: Any) -> List[EventType]:
        """Acknowledge the answer; thank for the rating, or ask for one."""
        if answer.fixed:
            dispatcher.utter_message(response="utter_fix_confirmed", reference=answer.reference)
        elif answer.reopened:
            dispatcher.utter_message(response="utter_fix_reopened", reference=answer.reference)
        else:
            dispatcher.utter_message(response="utter_fix_already_reopened",
                                     reference=answer.reference)
        log_event("fix_answer_recorded", tracker, case_reference=answer.reference,
                  fixed=answer.fixed, reopened=answer.reopened, rated=answer.rating is not None)
        events: List[EventType] = [SlotSet(PENDING_SLOT, None), SlotSet(EARLY_RATING_SLOT, None),
                                   SlotSet("last_case_reference", answer.reference)]
        if rating is not None:
            dispatcher.utter_message(response="utter_fix_rating_thanks")
            return events + [SlotSet(RATING_CASE_SLOT, None)]
        dispatcher.utter_message(response="utter_ask_fix_rating", reference=answer.reference)
        return events + [SlotSet(RATING_CASE_SLOT, answer.reference)]


def save_answer(tracker: Tracker, pending: Optional[str], fixed: bool,
                rating: Any) -> Union[FixAnswer, StillOpen, None]:
    """record_fix_confirmation in one unit of work; StillOpen when the case is not resolved
    (nothing to confirm yet), None when no case of theirs fits the answer."""
    with session_scope() as session:
        if pending:
            case = find_case(session, pending)
        else:
            case = case_for_fix_answer(session, channel_of(tracker), tracker.sender_id,
                                       quoted_reference(tracker))
        if case is None:
            return None
        try:
            return record_fix_confirmation(session, case, fixed=fixed, rating=rating,
                                           sender_id=tracker.sender_id,
                                           channel=channel_of(tracker))
        except InvalidTransition:
            return StillOpen(case.reference)


class ActionRecordFixRating(Action):
    """The 1-5 after the yes/no (or "skip"); anything else asks for the number again."""

    def name(self) -> Text:
        return "action_record_fix_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        return with_slots_kept(self.rate(dispatcher, tracker), tracker, (RATING_CASE_SLOT,))

    def rate(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Store the rating; the events for the slots it changed."""
        reference = tracker.get_slot(RATING_CASE_SLOT)
        rating = rating_in_message(tracker, whole_text=True)
        if rating == SKIP:
            dispatcher.utter_message(response="utter_fix_rating_skipped")
            return reset(FIX_RATING_SLOTS)
        if rating is None:
            dispatcher.utter_message(response="utter_ask_fix_rating", reference=reference or "")
            return []
        try:
            with session_scope() as session:
                record_satisfaction(session, find_case(session, reference), rating,
                                    sender_id=tracker.sender_id, channel=channel_of(tracker))
        except (CaseNotFound, MalformedReference, DatabaseUnavailable) as error:
            utter_core_error(dispatcher, error)
            log_event("fix_rating_not_saved", tracker, reason=type(error).__name__)
            return [] if isinstance(error, DatabaseUnavailable) else reset(FIX_RATING_SLOTS)
        dispatcher.utter_message(response="utter_fix_rating_thanks")
        log_event("fix_rating_recorded", tracker, case_reference=reference)
        return reset(FIX_RATING_SLOTS)
