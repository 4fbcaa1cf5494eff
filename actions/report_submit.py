"""Sending a confirmed report to the case database, or dropping it.

The citizen is told "saved as C-..." only after the unit of work has committed: the reply
is built from values read inside the block but sent after it exits. When the database is
down the report stays in the slots and the summary is asked again, so "yes" retries the
same submission_id and can never make a second case.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (channel_of, language_of, latest_text, log_event, now_utc,
                            sender_contact)
from actions.recurrence import recurring_report
from actions.replies import format_day, utter_core_error
from actions.report_duplicates import CHOICE_SLOT, follow_offered_case
from actions.report_fields import known_answers
from actions.report_to_feedback import FEEDBACK_INSTEAD, NOTE_INSTEAD
from actions.slots import (FEEDBACK_FORM, NOTE_FORM, REPORT_FORM, REPORT_SLOTS, REQUESTED_SLOT,
                           reset, reset_report)
from actions.next_problem import next_problem_events
from actions.waiting_question import after_form
from bot.cases import open_case
from bot.db import session_scope
from bot.errors import DatabaseUnavailable, DuplicateSubmission, UnknownService
from bot.sender_limits import CaseQuotaExceeded, ensure_case_quota
from bot.services import service_name



@dataclass(frozen=True)
class SavedCase:
    """What the reply needs, copied out of the committed unit of work."""

    reference: str
    created: bool
    service: str
    expected_by: Optional[dt.date]


class ActionSubmitReport(Action):
    """After report_form: follow the open case the citizen chose, or open the case when
    confirmed, else cancel; then clear the report."""

    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        ending = submit_report(dispatcher, tracker)
        return next_problem_events(dispatcher, tracker, ending) or after_form(tracker, ending)


def submit_report(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Follow, cancel or save the report; the events that end the form or ask again."""
    if tracker.get_slot(CHOICE_SLOT) is True:
        return follow_offered_case(dispatcher, tracker)
    if tracker.get_slot("confirmed") == FEEDBACK_INSTEAD:
        dispatcher.utter_message(response="utter_feedback_instead_of_report")
        log_event("report_became_feedback", tracker)
        return reset_report() + [FollowupAction(FEEDBACK_FORM)]
    if tracker.get_slot("confirmed") == NOTE_INSTEAD:  # "it's happening again": their report
        reference = recurring_report(tracker)  # None (the database went): "Which report?"
        log_event("report_became_note", tracker, case_reference=reference)
        return reset_report() + [SlotSet("note_case", reference),
                                 SlotSet("note_text", latest_text(tracker)),
                                 FollowupAction(NOTE_FORM)]
    if tracker.get_slot("confirmed") is not True:
        dispatcher.utter_message(response="utter_report_cancelled")
        log_event("report_cancelled", tracker, step="confirmation")
        return reset_report()
    try:
        saved = save_report(tracker)
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        log_event("report_not_saved", tracker, reason="database_unavailable",
                  submission_id=tracker.get_slot("submission_id"))
        return ask_again([])
    except UnknownService:
        log_event("report_not_saved", tracker, reason="service_withdrawn")
        return ask_again(reset(("category", "followup", "followup_answers")))
    except DuplicateSubmission:
        log_event("report_not_saved", tracker, reason="submission_id_reused")
        return ask_again([SlotSet("submission_id", uuid.uuid4().hex)])
    except CaseQuotaExceeded:
        # spam never becomes cases: a sender past the daily limit is told, nothing is saved
        dispatcher.utter_message(response="utter_case_quota_reached")
        log_event("report_not_saved", tracker, reason="case_quota")
        return reset_report()
    language = language_of(tracker)
    if saved.created:
        expected = format_day(saved.expected_by, language) if saved.expected_by else ""
        dispatcher.utter_message(response="utter_case_created", reference=saved.reference,
                                 service=saved.service, expected_date=expected)
    else:
        dispatcher.utter_message(response="utter_case_saved_already",
                                 reference=saved.reference)
    log_event("case_submitted", tracker, case_reference=saved.reference,
              created=saved.created, submission_id=tracker.get_slot("submission_id"))
    return reset_report() + [SlotSet("last_case_reference", saved.reference)]


def save_report(tracker: Tracker) -> SavedCase:
    """open_case in one unit of work; returns only after the commit succeeded."""
    language = language_of(tracker)
    consent = tracker.get_slot("consent") is True
    with session_scope() as session:
        ensure_case_quota(session, channel=channel_of(tracker), sender_id=tracker.sender_id,
                          submission_id=tracker.get_slot("submission_id"), now=now_utc())
        opened = open_case(
            session, submission_id=tracker.get_slot("submission_id"),
            service_code=tracker.get_slot("category"),
            description=tracker.get_slot("description") or "",
            address=tracker.get_slot("location"), latitude=tracker.get_slot("latitude"),
            longitude=tracker.get_slot("longitude"), channel=channel_of(tracker),
            sender_id=tracker.sender_id, contact=sender_contact(tracker) if consent else None,
            language=language, consent=consent,
            answers=known_answers(tracker.get_slot("followup_answers")),
            attachment_ids=list(tracker.get_slot("attachment_ids") or []), now=now_utc())
        saved = SavedCase(reference=opened.case.reference, created=opened.created,
                          service=service_name(opened.case.service, language),
                          expected_by=opened.case.expected_by)
    return saved


def ask_again(changes: List[EventType]) -> List[EventType]:
    """Keep the report, reopen the form at the summary (after `changes`)."""
    return changes + [SlotSet("confirmed", None), FollowupAction(REPORT_FORM)]


class ActionCancelReport(Action):
    """"Cancel" in the middle of the form: stop it and forget the report."""

    def name(self) -> Text:
        return "action_cancel_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_report_cancelled")
        log_event("report_cancelled", tracker, step=tracker.get_slot(REQUESTED_SLOT))
        ending = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), *reset(REPORT_SLOTS)]
        return next_problem_events(dispatcher, tracker, ending) or after_form(tracker, ending)
