"""Which language the assistant answers in: detected on every message, or chosen explicitly.

action_detect_language runs after every user message: the language slot's custom mapping
names it, so Rasa's action_extract_slots calls it before any policy picks a reply (a rule's
utter_greet then answers "hola" in Spanish). It is cheap: the database is touched only when
the language actually changes, to word later updates about the citizen's cases in it. A conversation's first message picks the language (words, then the channel's hint); after
that only a long, clear message switches it, so "si", "ja", "ok" and "2" keep it.

action_change_language: the citizen picks the language. The language entity comes from a
button payload (/change_language{"language":"es"}) or a language name mapped to its code by
NLU synonyms; without one, the message itself may be written in another supported language
("¿hablas español?").
"""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (channel_of, language_of, latest_entity, latest_intent, latest_text,
                            log_event)
from bot.cases import remember_language
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.language import detect_language
from bot.settings import get_settings


class ActionChangeLanguage(Action):
    """Set the language slot; the rule's next step, utter_language_changed, confirms it in the
    new language (or, when none could be told, in the current one, offering the others)."""

    def name(self) -> Text:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        current = language_of(tracker)
        language = requested_language(tracker, current)
        if language is None:
            log_event("language_unclear", tracker, current=current)
            return []
        log_event("language_changed", tracker, language=language, previous=current)
        return switch_language(tracker, language)


def switch_language(tracker: Tracker, language: str) -> List[EventType]:
    """Answer in `language` from now on, and word later updates about this citizen's cases in it
    (the city reports back in the language the citizen last used)."""
    if language != language_of(tracker):
        try:
            with session_scope() as session:
                remember_language(session, channel_of(tracker), tracker.sender_id, language)
        except DatabaseUnavailable:
            log_event("language_not_remembered", tracker, language=language)
    return [SlotSet("language", language)]


def requested_language(tracker: Tracker, current: str) -> Optional[str]:
    """The supported language the citizen asked for, or None when it cannot be told."""
    entity = latest_entity(tracker, "language")
    if entity is not None:
        return supported_code(str(entity.get("value") or ""))
    detected = detect_language(latest_text(tracker), hint=None, current=current)
    return detected if detected != current else None


def supported_code(value: str) -> Optional[str]:
    """"es", "ES", "pt-BR" or "nl_BE" as a supported base code; None for anything else."""
    base = value.strip().split("-")[0].split("_")[0].lower()
    return base if base in get_settings().supported_languages else None


class ActionDetectLanguage(Action):
    """Keep the language slot in step with the language the citizen writes in."""

    def name(self) -> Text:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        text = latest_text(tracker)
        if not text or text.startswith("/") or latest_intent(tracker) == "change_language":
            return []  # buttons and explicit switches are not evidence (action_change_language)
        current = language_of(tracker)
        if _user_turns_this_session(tracker) > 1:
            detected = detect_language(text, hint=None, current=current)
        else:  # the session start already chose: explicit choice, else channel hint, else default
            detected = detect_language(text, hint=current, current=None)
        if detected == tracker.get_slot("language"):
            return []
        log_event("language_detected", tracker, language=detected, previous=current)
        return switch_language(tracker, detected)


def _user_turns_this_session(tracker: Tracker) -> int:
    """User messages since the session started (the latest one included)."""
    turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user":
            turns += 1
    return turns

