"""The citizen's data rights in chat: "what data do you have about me" and "delete my data".

Chat gets a short summary, never the full document: an SMS or Telegram message is no place
for a JSON file, and a chat id alone does not prove who is asking for a copy of a case
history, so the full copy comes from the city (the console's export) after an identity check.

Deletion runs after the citizen confirmed (rules). Rasa saves the running turn's events
after this action returns, so the conversation's tracker rows are removed by a background
task once that save happened (bot.privacy.complete_pending_deletions is the backstop).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, log_event
from actions.replies import utter_core_error
from bot import privacy
from bot.city import load_city
from bot.errors import CivicError
from bot.privacy_subject import CHANNELS, Subject

log = logging.getLogger("actions")
TURN_SAVE_DEADLINE_SECONDS = 60.0
TURN_SAVE_POLL_SECONDS = 0.5
_background: set = set()  # keeps the finishing tasks referenced until they end


def subject_of(tracker: Tracker) -> Optional[Subject]:
    """The citizen as their channel knows them; None on channels without data rights here."""
    channel = channel_of(tracker)
    return Subject(channel, tracker.sender_id) if channel in CHANNELS else None


def _contact() -> str:
    city = load_city()
    return city.phone or city.email or city.website


def _subject_or_refer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Any:
    """Whose data this conversation may ask about; when the channel cannot tell, the citizen
    is pointed to the city, which checks who is asking."""
    subject = subject_of(tracker)
    if subject is None:
        dispatcher.utter_message(response="utter_privacy_contact_city", contact=_contact())
    return subject


class ActionExportMyData(Action):
    """A short summary of what we hold, and how to get the full copy."""

    def name(self) -> Text:
        return "action_export_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        subject = _subject_or_refer(dispatcher, tracker)
        if subject is None:
            return []
        try:
            document = await asyncio.to_thread(
                privacy.export_data, subject, requested_by="citizen",
                tracker_url=privacy.default_tracker_url())
        except CivicError as error:
            utter_core_error(dispatcher, error)
            return []
        numbers = summary_numbers(document)
        log_event("privacy_export", tracker, request_id=document["request_id"])
        if not any(numbers.values()):
            dispatcher.utter_message(response="utter_my_data_nothing")
            return []
        dispatcher.utter_message(response="utter_my_data_summary", contact=_contact(),
                                 request=document["request_id"], **numbers)
        return []


def summary_numbers(document: Dict[str, Any]) -> Dict[str, int]:
    """The four numbers a citizen reads in chat."""
    return {"cases": len(document["cases_reported"]), "follows": len(document["cases_followed"]),
            "messages": len(document["messages_received"]) + len(document["messages_sent"]),
            "photos": len(document["photos"])}


class ActionDeleteMyData(Action):
    """Erase the citizen after they confirmed; the tracker rows go once this turn is saved."""

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        subject = _subject_or_refer(dispatcher, tracker)
        if subject is None:
            return []
        tracker_url = privacy.default_tracker_url()
        try:
            mark = await asyncio.to_thread(privacy.conversation_mark, subject, tracker_url)
            result = await asyncio.to_thread(privacy.delete_data, subject, requested_by="citizen",
                                             tracker_url=tracker_url, tracker_later=True)
        except CivicError as error:
            utter_core_error(dispatcher, error)
            return []
        log_event("privacy_deleted", tracker, request_id=result.request_id)
        task = asyncio.get_running_loop().create_task(
            finish_after_turn(result.request_id, subject, tracker_url, mark))
        _background.add(task)
        task.add_done_callback(_background.discard)
        dispatcher.utter_message(response="utter_my_data_deleted", request=result.request_id)
        return []


async def finish_after_turn(request_id: int, subject: Subject, tracker_url: Optional[str],
                            mark: int, deadline_seconds: float = TURN_SAVE_DEADLINE_SECONDS) -> None:
    """Wait (polling, bounded) until Rasa stored this turn, then remove the conversation."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline_seconds
    try:
        while loop.time() < give_up and not await asyncio.to_thread(
                privacy.conversation_turn_saved, subject, tracker_url, mark):
            await asyncio.sleep(TURN_SAVE_POLL_SECONDS)
        await asyncio.to_thread(privacy.finish_deletion, request_id, subject,
                                tracker_url=tracker_url)
    except CivicError as error:  # the sweep (bot.cli retention) finishes it later
        log.warning("privacy.finish_deferred request_id=%s error=%s", request_id,
                    type(error).__name__)
