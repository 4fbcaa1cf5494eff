"""Words about a report said in passing, outside the note form, kept on that report.

A plea to hurry (actions.urgency_notes), "it's happening again right now"
(actions.recurrence) or "please cancel that report" (actions.withdrawals), said after a
report, is meant for the team working on it, though the model reads it as a question, a
status check or nothing at all. Such words go into the case's history as the citizen's note
(the console shows the case as needing attention, as for any note) and the citizen is told
so, with the date promised. Only the reporter or a follower adds to a case, only while it is
open, and only words that name no other kind of problem ("the streetlight is out again" is
not about their noise report): anything else is left to the caller's usual reply.
"""
from __future__ import annotations

from typing import Callable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import channel_of, language_of, latest_text, log_event
from actions.recent_report import LAST_CASE_SLOT, report_just_discussed
from actions.which_report import named_in
from actions.replies import target_date_line, utter_core_error
from bot.case_notes import add_citizen_note, case_for_note
from bot.cases import OPEN_STATUSES, case_status_view
from bot.db import read_scope, session_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, MalformedReference, NotYourCase
from bot.models import Case
from bot.service_mentions import services_mentioned


def keep_if_said(dispatcher: CollectingDispatcher, tracker: Tracker, says: Callable[[str], bool],
                 response: str, event: str) -> Optional[List[EventType]]:
    """The latest message kept on the report it speaks of when `says` reads it so, outside a
    form (in one, such words answer its question); None otherwise (keep_on_report)."""
    if tracker.active_loop.get("name") or not says(latest_text(tracker)):
        return None
    reference = report_spoken_of(tracker)
    return keep_on_report(dispatcher, tracker, reference, response, event) if reference else None


def report_spoken_of(tracker: Tracker) -> Optional[str]:
    """The report words said in passing are about: one they name, else the one the
    conversation was just about, else the last one it named."""
    return (named_in(latest_text(tracker)) or report_just_discussed(tracker)
            or tracker.get_slot(LAST_CASE_SLOT))


def keep_on_report(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str,
                   response: str, event: str) -> Optional[List[EventType]]:
    """The latest message kept on case `reference` and the citizen told with `response`
    (placeholders: reference, target); None when the case is not theirs, not open, or of
    another kind than the message names."""
    text = latest_text(tracker)
    try:
        with session_scope() as session:
            case = case_for_note(session, reference, channel_of(tracker), tracker.sender_id)
            if case.status not in OPEN_STATUSES or names_another_kind(session, case, text):
                return None
            add_citizen_note(session, case, text, channel=channel_of(tracker),
                             sender_id=tracker.sender_id)
            view = case_status_view(case, language_of(tracker), for_sender=True,
                                    with_reason=False)
            target = target_date_line(view, language_of(tracker))
            reference = case.reference
    except (NotYourCase, CaseNotFound, MalformedReference):
        return None
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        return []
    dispatcher.utter_message(response=response, reference=reference, target=target)
    log_event(event, tracker, case_reference=reference)
    return [SlotSet(LAST_CASE_SLOT, reference)]


def names_another_kind(session: Session, case: Case, text: str) -> bool:
    """Whether the words name a kind of problem, and not the case's: "the streetlight is out
    again" is not about their noise report."""
    named = services_mentioned(session, text)
    return bool(named) and case.service_code not in named


def open_and_theirs(tracker: Tracker, reference: str) -> bool:
    """Whether this conversation made or follows case `reference` and it is still open;
    without the database, no."""
    try:
        with read_scope() as session:
            case = case_for_note(session, reference, channel_of(tracker), tracker.sender_id)
            return case.status in OPEN_STATUSES
    except (NotYourCase, CaseNotFound, MalformedReference, DatabaseUnavailable):
        return False
