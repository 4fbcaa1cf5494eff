"""action_session_start: a new session keeps what still matters and picks the reply language.

A language the citizen chose explicitly (action_change_language) outlives the session; else
the channel's hint (browser locale, Telegram language_code) decides; else the city's default.
An unfinished report or feedback is not carried over: its form is no longer active.
A conversation a caseworker holds stays paused: Rasa unpauses on a new session, and a citizen
quiet for an hour must not get the bot back while a person still has them.
A caseworker's question they have not had the chance to answer (asked since they were last
free, actions.waiting_question) makes their first message of the new session its answer: the
add-to-a-report form starts on that report.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (ActionExecuted, ConversationPaused, EventType, SessionStarted,
                             SlotSet)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_metadata, log_event
from actions.slots import NOT_CARRIED_OVER
from actions.waiting_question import waiting_question_events
from bot.db import read_scope
from bot.errors import DatabaseUnavailable
from bot.handoff import with_caseworker
from bot.language import detect_language
from bot.settings import get_settings

METADATA_SLOT = "session_started_metadata"
CHANGE_LANGUAGE_ACTION = "action_change_language"


class ActionSessionStart(Action):
    """Start a session: SessionStarted, carried-over slots, language, then listen."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if _carry_over(domain):
            events.extend(_carried_over_slots(tracker))
        metadata = _session_metadata(tracker)
        if metadata:
            events.append(SlotSet(METADATA_SLOT, metadata))
        language = _chosen_language(tracker) or detect_language(
            None, hint=_hint(metadata), current=None)
        events.append(SlotSet("language", language))
        if _held_by_caseworker(tracker):
            events.append(ConversationPaused())
        else:
            events.extend(waiting_question_events(tracker, moment="session_start"))
        events.append(ActionExecuted("action_listen"))
        log_event("session_started", tracker, language=language)
        return events


def _held_by_caseworker(tracker: Tracker) -> bool:
    """Whether a caseworker holds the conversation; a database that does not answer cannot
    say so, and the session still starts (the bot answering beats a silent citizen)."""
    try:
        with read_scope() as session:
            return with_caseworker(session, tracker.sender_id)
    except DatabaseUnavailable:
        log_event("session_pause_check_skipped", tracker, reason="database_unavailable")
        return False


def _carry_over(domain: DomainDict) -> bool:
    config = domain.get("session_config") or {}
    return bool(config.get("carry_over_slots_to_new_session", True))


def _carried_over_slots(tracker: Tracker) -> List[EventType]:
    """The latest value of each slot set before, except the transient form slots."""
    latest: Dict[str, Any] = {}
    for event in tracker.applied_events():
        if event.get("event") == "slot" and event.get("name") not in NOT_CARRIED_OVER:
            latest[event["name"]] = event.get("value")
    return [SlotSet(name, value) for name, value in latest.items()]


def _session_metadata(tracker: Tracker) -> Dict[str, Any]:
    metadata = tracker.get_slot(METADATA_SLOT)
    if isinstance(metadata, dict) and metadata:
        return metadata
    return latest_metadata(tracker)


def _hint(metadata: Dict[str, Any]) -> Optional[str]:
    hint = metadata.get("language")
    return hint if isinstance(hint, str) else None


def _chosen_language(tracker: Tracker) -> Optional[str]:
    """The language last set by action_change_language, if it is still supported."""
    chosen: Optional[str] = None
    last_action: Optional[str] = None
    for event in tracker.applied_events():
        kind = event.get("event")
        if kind == "action":
            last_action = event.get("name")
        elif kind == "user":
            last_action = None
        elif kind == "slot" and event.get("name") == "language":
            if last_action == CHANGE_LANGUAGE_ACTION:
                chosen = event.get("value")
    return chosen if chosen in get_settings().supported_languages else None
