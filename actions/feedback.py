"""Feedback: a comment and an optional 1-5 rating, linked to a case when one is in play.

Linking closes the loop: a rating about C-2026-000123 reaches the team that handled it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.catalogue import named_service
from actions.common import channel_of, language_of, latest_entity, latest_intent, latest_text
from actions.common import log_event, says_cancel, set_by_the_last_reply
from actions.common import long_small_talk, statement_for_a_question
from actions.feedback_fixed import FIX_CONFIRMED, fix_told_in_feedback
from actions.fix_confirmation import PENDING_SLOT
from actions.next_problem import NEXT_PROBLEM_SLOT, held_problem, next_problem_events
from actions.replies import utter_core_error
from actions.slots import (FEEDBACK_FORM, FEEDBACK_SLOTS, NOTE_FORM, REQUESTED_SLOT,
                           UNPLACED_WORDS, reset)
from actions.waiting_question import after_form
from bot.announcements import announces_feedback
from bot.db import session_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, InvalidInput, MalformedReference
from bot.feedback import leading_rating, parse_rating, rating_meant, record_feedback
from bot.references import parse_reference

SUBSTANTIVE_WORDS = 5  # a first message longer than this is the feedback itself
FEEDBACK_BUTTON = "/give_feedback"
MIN_FEEDBACK_CHARS = 3
MAX_FEEDBACK_CHARS = 2000
SKIP = "skip"
CANCELLED = "cancelled"  # "cancel it" at the rating question: nothing is sent
# The words asked for describe a problem of a specific service ("the streetlight outside 4
# Elm Road has been out for weeks"): taken as a report, so a crew is sent; no feedback is sent.
REPORT_INSTEAD = "report_instead"
# At the rating question, a reply of this many words read as one of these intents is more
# feedback, not a rating: the form has no other use for it, and no rule answers it there.
MORE_FEEDBACK_INTENTS = frozenset({"give_feedback", "inform", "out_of_scope", "nlu_fallback"})
MORE_FEEDBACK_WORDS = 3
# At the rating question, a new problem ("there's a pothole outside 12 Mill Lane") or more
# about an earlier report: the feedback is complete without a rating, so it is sent as it is
# and the message is taken up next, instead of leaving the form and losing the feedback.
TAKEN_UP_AFTER = frozenset({"report_problem", "add_to_report"})


class ValidateFeedbackForm(FormValidationAction):
    """Slot extraction and validation for feedback_form."""

    def name(self) -> Text:
        return "validate_feedback_form"

    async def extract_feedback_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        """"The bin men were great today, thanks" needs no second question; "I'd like to give
        some feedback", as long, is not the feedback yet (bot.announcements). At the rating
        question, more words about the experience are added to the feedback (the rating is
        asked again) instead of being misunderstood. Asked for the words, a complaint the
        model reads as a policy question ("the bin men were really rude to my mum") is the
        feedback; a question asked as one is answered and the words are asked again. "Send it
        as feedback", offered under a statement the FAQ could not place, sends those words."""
        text = latest_text(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        starting = requested is None and not tracker.get_slot("feedback_text")
        if requested == "feedback_text" and (statement_for_a_question(tracker)
                                             or long_small_talk(tracker)):
            return {"feedback_text": text}
        offered = _words_offered(tracker) if starting else None
        if offered:  # "Send it as feedback", under the words it offered to send
            return {"feedback_text": offered}
        if (starting and latest_intent(tracker) == "give_feedback" and not text.startswith("/")
                and len(text.split()) > SUBSTANTIVE_WORDS and not announces_feedback(text)):
            return {"feedback_text": text}
        if requested == "feedback_rating" and _more_feedback(tracker):
            dispatcher.utter_message(response="utter_feedback_added")
            return {"feedback_text": f"{tracker.get_slot('feedback_text') or ''}\n{text}".strip()}
        return {}

    async def extract_feedback_rating(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        """A report at the rating question skips the rating (TAKEN_UP_AFTER). A rating in
        the opening message ("4 stars, the bot was fine") is not asked for again."""
        if _turns_to_a_report(tracker):
            return {"feedback_rating": SKIP}
        rating = latest_entity(tracker, "rating")
        opening = tracker.get_slot(REQUESTED_SLOT) is None \
            and not tracker.get_slot("feedback_rating")
        if opening and rating and rating.get("value") and rating_meant(latest_text(tracker)):
            return {"feedback_rating": rating["value"]}
        return {}

    def validate_feedback_text(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Some words; the text is kept whole up to a generous limit. A problem for a crew,
        described instead, ends the form for a report on those words (REPORT_INSTEAD). (An
        opening message asking how their report stands never gets here: the pipeline's
        components.report_enquiry sends it to the status action.)"""
        text = str(value or "").strip()
        if len(text) < MIN_FEEDBACK_CHARS or not any(char.isalpha() for char in text):
            return {"feedback_text": None}
        if _describes_a_problem(tracker):
            return {"feedback_text": text[:MAX_FEEDBACK_CHARS], "feedback_rating": REPORT_INSTEAD,
                    NEXT_PROBLEM_SLOT: held_problem(tracker)}
        return {"feedback_text": text[:MAX_FEEDBACK_CHARS]}

    def validate_feedback_rating(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """1-5 ("4", "4 stars", a button) or "skip"; anything else is asked again. A new
        problem that skipped it is kept for right after (actions.next_problem)."""
        if isinstance(value, list):
            value = value[0] if value else None
        if says_cancel(latest_text(tracker)):  # "no" skips the rating; "cancel it" stops
            return {"feedback_rating": CANCELLED}
        if _turns_to_a_report(tracker):  # the 5 of "Rua Verde 5" is no rating; "4, and..." is
            text, rating = latest_text(tracker), leading_rating(latest_text(tracker))
            problem = {**held_problem(tracker), "text": text.lstrip("12345 ,.;:-")} \
                if rating else held_problem(tracker)
            held = {NEXT_PROBLEM_SLOT: problem} if latest_intent(tracker) == "report_problem" \
                else {}
            return {"feedback_rating": rating or SKIP, **held}
        if _more_feedback(tracker):  # "...outside number 3": words added, the rating asked
            return {"feedback_rating": None}
        try:
            rating = parse_rating(value)
        except InvalidInput:
            return {"feedback_rating": None}
        return {"feedback_rating": SKIP if rating is None else rating}


def _more_feedback(tracker: Tracker) -> bool:
    """Whether a reply to the rating question says more about the experience ("the bot was
    great but slow", read as feedback or not understood) instead of giving a rating."""
    text = latest_text(tracker)
    if latest_intent(tracker) not in MORE_FEEDBACK_INTENTS or text.startswith("/") \
            or len(text.split()) < MORE_FEEDBACK_WORDS \
            or (latest_entity(tracker, "rating") and rating_meant(text)):
        return False
    if latest_entity(tracker, "rating"):  # "...outside number 3": a house number
        return True
    try:
        parse_rating(text)
    except InvalidInput:
        return True
    return False


def _words_offered(tracker: Tracker) -> Optional[str]:
    """The statement the bot's last reply offered to send as feedback, when this message is
    the press of that button (actions.policy); None for the button pressed any other time."""
    if latest_text(tracker) != FEEDBACK_BUTTON:
        return None
    return set_by_the_last_reply(tracker, UNPLACED_WORDS) or None


def _describes_a_problem(tracker: Tracker) -> bool:
    """Whether the words asked for report a problem of a specific service, in words."""
    return (tracker.get_slot(REQUESTED_SLOT) == "feedback_text"
            and latest_intent(tracker) == "report_problem" and named_service(tracker) is not None
            and not latest_text(tracker).startswith("/"))


def _turns_to_a_report(tracker: Tracker) -> bool:
    """Whether a reply to the rating question reports a problem or adds to a report, in words
    (a button is a rating). A digit in it is a house number ("há um buraco na Rua Verde 5"),
    not a rating: the rating regex finds one there."""
    text = latest_text(tracker)
    return (tracker.get_slot(REQUESTED_SLOT) == "feedback_rating"
            and latest_intent(tracker) in TAKEN_UP_AFTER and bool(text)
            and not text.startswith("/"))


class ActionSubmitFeedback(Action):
    """Store the feedback, linked to a case when a reference is in play, and thank."""

    def name(self) -> Text:
        return "action_submit_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        rating = tracker.get_slot("feedback_rating")
        if rating == REPORT_INSTEAD:
            log_event("feedback_became_report", tracker)
            return next_problem_events(dispatcher, tracker, reset(FEEDBACK_SLOTS),
                                       response="utter_report_instead_of_feedback") \
                or after_form(tracker, reset(FEEDBACK_SLOTS))
        if rating == CANCELLED:
            dispatcher.utter_message(response="utter_feedback_cancelled")
            log_event("feedback_cancelled", tracker, step="feedback_rating")
            return after_form(tracker, reset(FEEDBACK_SLOTS))
        try:
            linked, told = save_feedback(tracker, None if rating == SKIP else rating)
        except DatabaseUnavailable as error:
            utter_core_error(dispatcher, error)
            log_event("feedback_not_saved", tracker, reason="database_unavailable")
            # Keep the comment; answering the rating again retries.
            return [SlotSet("feedback_rating", None), FollowupAction(FEEDBACK_FORM)]
        log_event("feedback_recorded", tracker, case_reference=linked,
                  rated=rating not in (None, SKIP))
        ending = reset(FEEDBACK_SLOTS)
        reported = next_problem_events(dispatcher, tracker, ending,
                                       response="utter_feedback_sent_now_report")
        if reported is not None:  # a problem reported at the rating question
            return reported
        if latest_intent(tracker) == "add_to_report":
            dispatcher.utter_message(response="utter_feedback_sent_now_note")
            return ending + [FollowupAction(NOTE_FORM)]
        if told:  # it also said the problem is fixed: the case has heard it
            dispatcher.utter_message(response=told, reference=linked)
            ending += [SlotSet(PENDING_SLOT, None)] if told == FIX_CONFIRMED else []
        elif linked:
            dispatcher.utter_message(response="utter_feedback_thanks_case", reference=linked)
        else:
            dispatcher.utter_message(response="utter_feedback_thanks")
        return after_form(tracker, ending)


def save_feedback(tracker: Tracker, rating: Any) -> Tuple[Optional[str], Optional[str]]:
    """record_feedback in one unit of work: the linked case reference, if any, and the reply
    when the feedback also told that case its problem is fixed (actions.feedback_fixed).

    A reference that matches no case is dropped rather than losing the feedback.
    """
    reference = feedback_reference(tracker)
    values = dict(sender_id=tracker.sender_id, channel=channel_of(tracker),
                  text=tracker.get_slot("feedback_text"), rating=rating,
                  language=language_of(tracker))
    with session_scope() as session:
        try:
            feedback = record_feedback(session, case_reference=reference, **values)
        except (CaseNotFound, MalformedReference):
            record_feedback(session, case_reference=None, **values)
            return None, None
        told = fix_told_in_feedback(session, tracker, feedback)
    return reference, told


def feedback_reference(tracker: Tracker) -> Optional[str]:
    """The case the feedback is about: quoted in it, named in this message, or the last one."""
    try:
        quoted = parse_reference(str(tracker.get_slot("feedback_text") or ""))
    except MalformedReference:
        quoted = None
    entity = latest_entity(tracker, "case_reference")
    named = str(entity["value"]) if entity and entity.get("value") else None
    return quoted or named or tracker.get_slot(PENDING_SLOT) \
        or tracker.get_slot("last_case_reference")
