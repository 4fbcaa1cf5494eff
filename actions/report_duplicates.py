"""Inside report_form: "someone already reported this" and following that report instead.

Once the type and the place of a report are known, an open case of the same service nearby
(bot.duplicates.find_duplicate) is offered to the citizen. Following it (bot.followers) gives
them the same updates as its reporter and no second case for the caseworkers to merge; "mine
is different" carries on with the report as usual.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, language_of, log_event, now_utc, sender_contact
from actions.replies import format_ago, utter_core_error
from actions.slots import reset_report
from bot.cases import find_case
from bot.clock import as_utc
from bot.db import session_scope
from bot.duplicates import find_duplicate
from bot.errors import CaseNotFound, DatabaseUnavailable
from bot.followers import follow_case, is_reporter
from bot.models import Case
from bot.services import service_name, status_text

OFFER_SLOT = "duplicate_case"
CHOICE_SLOT = "follow_duplicate"
FORM = "report_form"


def duplicate_check(tracker: Tracker) -> Dict[Text, Any]:
    """Slot changes once the type and place are known: an offer of an open case of the same
    service nearby, or follow_duplicate False (nothing to offer, carry on).

    Runs once per type and place: a correction of either clears both slots (CORRECTABLE_FIELDS).
    A database that does not answer must not block the report, so it counts as no match.
    """
    category, location = tracker.get_slot("category"), tracker.get_slot("location")
    if not category or not location or tracker.get_slot(CHOICE_SLOT) is not None:
        return {}
    if tracker.get_slot(OFFER_SLOT):
        return {}
    try:
        offer = _find_offer(tracker, category, location)
    except DatabaseUnavailable:
        log_event("duplicate_check_skipped", tracker, reason="database_unavailable")
        offer = None
    if offer is None:
        return {CHOICE_SLOT: False}
    log_event("duplicate_offered", tracker, case_reference=offer["reference"])
    return {OFFER_SLOT: offer}


def _find_offer(tracker: Tracker, category: str, location: str) -> Optional[Dict[str, str]]:
    """What the citizen is told about a matching open case, in their language."""
    language = language_of(tracker)
    latitude, longitude = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    pinned = latitude is not None and longitude is not None
    with session_scope() as session:
        case = find_duplicate(session, service_code=category,
                              latitude=latitude if pinned else None,
                              longitude=longitude if pinned else None,
                              address=None if pinned else location)
        if case is None or is_reporter(case, channel_of(tracker), tracker.sender_id):
            return None
        return offer_values(case, language, now_utc())


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
        dispatcher.utter_message(response="utter_ask_follow_duplicate",
                                 **{key: str(offer.get(key, "")) for key in
                                    ("reference", "service", "status", "age")})
        return []


def follow_offered_case(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The citizen chose to follow the open case: no new case, the report is cleared.

    Called by action_submit_report, since following ends the form the same way a submission
    does. When the database does not answer the form asks again, so "yes" retries; a case
    that is gone (merged away and deleted) leaves the citizen with their own report.
    """
    reference = str((tracker.get_slot(OFFER_SLOT) or {}).get("reference") or "")
    try:
        with session_scope() as session:
            case = find_case(session, reference)
            follow_case(session, case, channel=channel_of(tracker), sender_id=tracker.sender_id,
                        contact=sender_contact(tracker), language=language_of(tracker),
                        consent_updates=True, now=now_utc())
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        log_event("duplicate_not_followed", tracker, reason="database_unavailable")
        return [SlotSet(CHOICE_SLOT, None), FollowupAction(FORM)]  # "yes" again retries
    except CaseNotFound:
        log_event("duplicate_not_followed", tracker, reason="case_gone")
        return [SlotSet(CHOICE_SLOT, None), SlotSet(OFFER_SLOT, None), FollowupAction(FORM)]
    dispatcher.utter_message(response="utter_following_case", reference=reference)
    log_event("duplicate_followed", tracker, case_reference=reference)
    return reset_report() + [SlotSet("last_case_reference", reference)]
