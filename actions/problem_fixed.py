""""The streetlight is working again": the citizen's word that their problem is fixed.

components.fixed_statement routes these messages to action_check_status, which hands them
here (outside a form; in one, the status is shown as for any status question and the form
goes on). When the city has just asked "is it fixed?" (pending_fix_case), this is the yes
(actions.fix_confirmation). Otherwise case_note_form takes the words to the report they are
about (the one named, the one of the type named, the one just discussed, their only one, or
the one they pick), and action_submit_case_note marks them: an open case is flagged "citizen
says it is fixed" for a caseworker to check and close, instead of sending a crew; a resolved
case of theirs has its fix confirmed. A citizen with no report in this chat is thanked and
told where their report can be updated.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, latest_text, log_event
from actions.fix_confirmation import PENDING_SLOT, RATING_CASE_SLOT, ActionRecordFixConfirmation
from actions.fix_confirmation import with_slots_kept
from actions.slots import NOTE_FORM
from actions.which_report import conversation_cases
from bot.cases import OPEN_STATUSES
from bot.errors import InvalidTransition
from bot.fix_confirmation import record_fix_confirmation
from bot.followers import is_reporter
from bot.models import Case
from bot.problem_fixed import says_it_is_done
from bot.services import status_text


def says_fixed_outside_a_form(tracker: Tracker) -> bool:
    """Whether this turn is the citizen saying their problem is fixed, with no form running."""
    return not tracker.active_loop_name and says_it_is_done(latest_text(tracker))


def fixed_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Answer a waiting "is it fixed?", else take the words to the report they are about."""
    if tracker.get_slot(PENDING_SLOT):
        events = ActionRecordFixConfirmation().answer(dispatcher, tracker, said_fixed=True)
        return with_slots_kept(events, tracker, (PENDING_SLOT, RATING_CASE_SLOT))
    if conversation_cases(tracker, 1) == []:  # None: the database will say, in the form
        dispatcher.utter_message(response="utter_fixed_no_report")
        log_event("fixed_without_report", tracker)
        return []
    log_event("fixed_reported", tracker)
    return [SlotSet("note_text", latest_text(tracker)), FollowupAction(NOTE_FORM)]


def settle_closed_case(session: Any, case: Case, tracker: Tracker,
                       language: str) -> Optional[Tuple[str, Dict[str, str]]]:
    """The reply for "it's fixed" about a case no longer open, or None for an open one (or
    one merged into another), which takes the words as a note.

    Its reporter confirms a resolved case's fix (as "yes" to "is it fixed?" would); anything
    else is thanked, with the status it already has: there is nothing for a caseworker to do,
    so no note flags it."""
    if case.status in OPEN_STATUSES or case.merged_into_id is not None:
        return None  # a merged case's note points its caseworker to the case carrying on
    if case.status == "resolved" and is_reporter(case, channel_of(tracker), tracker.sender_id):
        try:
            record_fix_confirmation(session, case, fixed=True, rating=None,
                                    sender_id=tracker.sender_id, channel=channel_of(tracker))
            return "utter_fix_confirmed", {"reference": case.reference}
        except InvalidTransition:
            pass
    return "utter_case_done_already", {
        "reference": case.reference, "status": status_text(case.status, language).label}
