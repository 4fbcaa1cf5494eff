"""Inside report_form: "someone already reported this" and following that report instead.

Once the type and the place of a report are known, an open case of the same service nearby
(bot.duplicates.find_duplicate) is offered to the citizen. Following it (bot.followers) gives
them the same updates as its reporter and no second case for the caseworkers to merge; "mine
is different" carries on with the report as usual.

When that case is the citizen's own (or one they follow), reporting it again usually means
it is still there or got worse ("the noise I reported is even louder tonight"): what they
said is added to it (case_note_form, actions.case_notes) instead of opening a second case
the caseworker would have to merge.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (channel_of, language_of, latest_text, log_event, now_utc,
                            sender_contact)
from actions.replies import format_ago, utter_core_error
from actions.slots import NOTE_FORM, REPORT_FORM, REQUESTED_SLOT, reset_report
from bot.cases import OPEN_STATUSES, find_case
from bot.clock import as_utc
from bot.db import session_scope
from bot.duplicates import find_duplicate
from bot.errors import CaseNotFound, DatabaseUnavailable
from bot.followers import cases_of_conversation, follow_case
from bot.models import Case
from bot.report_enquiries import mentions_their_report
from bot.services import service_name, status_text

OFFER_SLOT = "duplicate_case"
CHOICE_SLOT = "follow_duplicate"
MY_RECENT_CASES = 50  # the citizen's own and followed cases a new report may repeat


def duplicate_check(tracker: Tracker) -> Dict[Text, Any]:
    """Slot changes once the type and place are known: an offer of an open case of the same
    service nearby, or follow_duplicate False (nothing to offer, carry on).

    Runs once per type and place: a correction of either clears both slots (CORRECTABLE_FIELDS).
    A database that does not answer must not block the report, so it counts as no match.
    """
    category, location = tracker.get_slot("category"), tracker.get_slot("location")
    if not category or tracker.get_slot(CHOICE_SLOT) is not None or tracker.get_slot(OFFER_SLOT):
        return {}
    if not location:
        return _their_report_named(tracker, category)
    try:
        offer = _find_offer(tracker, category, location)
    except DatabaseUnavailable:
        log_event("duplicate_check_skipped", tracker, reason="database_unavailable")
        offer = None
    if offer is None:
        return {CHOICE_SLOT: False}
    log_event("duplicate_offered", tracker, case_reference=offer["reference"])
    return {OFFER_SLOT: offer}


def _their_report_named(tracker: Tracker, category: str) -> Dict[Text, Any]:
    """Before the place is asked: a first message that speaks of the citizen's own report of
    this type ("the noise I reported is even louder tonight"), with exactly one such report
    open, offers to add to it (the form asks that before the place)."""
    if tracker.get_slot(REQUESTED_SLOT) is not None or not mentions_their_report(
            latest_text(tracker)):
        return {}
    try:
        with session_scope() as session:
            open_ones = [case for case in cases_of_conversation(
                session, channel_of(tracker), tracker.sender_id, limit=MY_RECENT_CASES)
                if case.service_code == category and case.status in OPEN_STATUSES]
            offer = offer_values(open_ones[0], language_of(tracker), now_utc()) \
                if len(open_ones) == 1 else None
    except DatabaseUnavailable:
        return {}
    if offer is None:
        return {}
    log_event("duplicate_offered", tracker, case_reference=offer["reference"], own=True)
    return {OFFER_SLOT: {**offer, "own": True}}


def _find_offer(tracker: Tracker, category: str, location: str) -> Optional[Dict[str, str]]:
    """What the citizen is told about a matching open case, in their language."""
    language = language_of(tracker)
    latitude, longitude = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    pinned = latitude is not None and longitude is not None
    with session_scope() as session:
        mine = {case.id for case in cases_of_conversation(
            session, channel_of(tracker), tracker.sender_id, limit=MY_RECENT_CASES)}
        case = find_duplicate(session, service_code=category,
                              latitude=latitude if pinned else None,
                              longitude=longitude if pinned else None,
                              address=None if pinned else location, mine=mine)
        if case is None:
            return None
        own = {"own": True} if case.id in mine else {}
        return {**offer_values(case, language, now_utc()), **own}


def offer_values(case: Case, language: str, now: dt.datetime) -> Dict[str, str]:
    """Reference, service, status in plain words and how long ago it was reported."""
    return {"reference": case.reference, "service": service_name(case.service, language),
            "status": status_text(case.status, language).label,
            "age": format_ago(as_utc(case.created_at), now, language)}


class ActionAskFollowDuplicate(Action):
    """The form's question for follow_duplicate: the matching case and the two buttons."""

    def name(self) -> Text:
        return "action_ask_follow_duplicate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        offer = tracker.get_slot(OFFER_SLOT) or {}
        dispatcher.utter_message(response="utter_ask_add_to_own_report" if offer.get("own")
                                 else "utter_ask_follow_duplicate",
                                 **{key: str(offer.get(key, "")) for key in
                                    ("reference", "service", "status", "age")})
        return []


def follow_offered_case(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The citizen chose to follow the open case: no new case, the report is cleared.

    Called by action_submit_report, since following ends the form the same way a submission
    does. When the database does not answer the form asks again, so "yes" retries; a case
    that is gone (merged away and deleted) leaves the citizen with their own report.
    """
    offer = tracker.get_slot(OFFER_SLOT) or {}
    reference = str(offer.get("reference") or "")
    if offer.get("own"):
        return add_to_own_report(tracker, reference)
    try:
        with session_scope() as session:
            case = find_case(session, reference)
            follow_case(session, case, channel=channel_of(tracker), sender_id=tracker.sender_id,
                        contact=sender_contact(tracker), language=language_of(tracker),
                        consent_updates=True, now=now_utc())
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        log_event("duplicate_not_followed", tracker, reason="database_unavailable")
        return [SlotSet(CHOICE_SLOT, None), FollowupAction(REPORT_FORM)]  # "yes" again retries
    except CaseNotFound:
        log_event("duplicate_not_followed", tracker, reason="case_gone")
        return [SlotSet(CHOICE_SLOT, None), SlotSet(OFFER_SLOT, None), FollowupAction(REPORT_FORM)]
    dispatcher.utter_message(response="utter_following_case", reference=reference)
    log_event("duplicate_followed", tracker, case_reference=reference)
    return reset_report() + [SlotSet("last_case_reference", reference)]


def add_to_own_report(tracker: Tracker, reference: str) -> List[EventType]:
    """The citizen chose to add to their own open report: no new case; the report's words
    and photos go to it through case_note_form, which asks for words when there are none
    and says where they went."""
    log_event("own_report_added_to", tracker, case_reference=reference)
    words = tracker.get_slot("description")
    photos = list(tracker.get_slot("attachment_ids") or [])
    return reset_report() + [SlotSet("note_case", reference), SlotSet("note_text", words),
                             SlotSet("note_photo_ids", photos or None),
                             FollowupAction(NOTE_FORM)]
