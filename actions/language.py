"""action_change_language: the citizen picks the language the assistant answers in.

The language entity comes from a button payload (/change_language{"language":"es"}) or a
language name mapped to its code by NLU synonyms; without one, the message itself may be
written in another supported language ("¿hablas español?").
"""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, latest_entity, latest_text, log_event
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
