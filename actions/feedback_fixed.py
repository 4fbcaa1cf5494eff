"""Feedback that says the problem is fixed reaches the report as well as the staff's inbox.

"Thank you so much, it's been fixed and the crew did a great job" is praise, and the model
reads it as feedback; components.fixed_statement leaves it so, because the staff should read
it. But it also answers the city: sent when "is it fixed?" was waiting (pending_fix_case),
it is a yes, and the case stayed "asked" with no satisfaction although the citizen had said
it and rated it. Sent about a report still open, the caseworker never learnt the problem is
gone. Now the feedback linked to a case also confirms the fix the city asked about (its
rating is the case's satisfaction), or flags an open case "citizen says it is fixed" for a
caseworker to check and close, as the same words sent on their own would
(actions.problem_fixed). Feedback naming another kind of problem than the case's is only
feedback.
"""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.common import channel_of
from actions.fix_confirmation import PENDING_SLOT
from bot.case_notes import add_citizen_note, case_for_note
from bot.cases import OPEN_STATUSES
from bot.errors import NotYourCase
from bot.fix_confirmation import confirm_by_feedback
from bot.models import Case, Feedback
from bot.problem_fixed import says_it_is_done
from bot.service_mentions import services_mentioned

FIX_CONFIRMED = "utter_feedback_fix_confirmed"
FIX_NOTED = "utter_feedback_fix_noted"


def fix_told_in_feedback(session: Session, tracker: Tracker,
                         feedback: Feedback) -> Optional[str]:
    """The reply for feedback linked to a case that says its problem is fixed, once the case
    has heard it; None for any other feedback."""
    if feedback.case_id is None or not says_it_is_done(feedback.text or ""):
        return None
    case = session.get(Case, feedback.case_id)  # found once already, by record_feedback
    named = services_mentioned(session, feedback.text or "")
    if named and case.service_code not in named:
        return None  # "the streetlight was fixed so fast" is not about the pothole report
    if _answers_fix_question(tracker, case) and confirm_by_feedback(session, case, feedback):
        return FIX_CONFIRMED
    if case.status in OPEN_STATUSES and case.merged_into_id is None:
        return _flagged(session, tracker, case, feedback.text or "")
    return None


def _answers_fix_question(tracker: Tracker, case: Case) -> bool:
    """Whether "is it fixed?" about this case was waiting for the reply."""
    pending = str(tracker.get_slot(PENDING_SLOT) or "")
    return bool(pending) and pending.upper() == case.reference


def _flagged(session: Session, tracker: Tracker, case: Case, text: str) -> Optional[str]:
    """The words as a "says fixed" note, when this conversation reported or follows it."""
    channel = channel_of(tracker)
    try:
        case_for_note(session, case.reference, channel, tracker.sender_id)
    except NotYourCase:
        return None
    add_citizen_note(session, case, text, channel=channel, sender_id=tracker.sender_id,
                     says_fixed=True)
    return FIX_NOTED
