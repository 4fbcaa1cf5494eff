"""When to trust the category classifier, and what to offer the citizen when not to.

A wrong type sends the report to the wrong department, so a guess below
settings.category_confirm_below is not taken: it becomes a suggestion (with the
classifier's alternatives) that the citizen confirms with one tap. A tapped button comes
back as a payload entity without extractor or confidence, and is taken as given.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions import report_fields as fields
from actions.catalogue import ServiceInfo
from bot.settings import get_settings

MAX_ALTERNATIVES = 3


def classifier_doubt(entity: Optional[Dict[str, Any]], value: Any) -> Optional[Dict[str, Any]]:
    """The suggestion to confirm when `value` is an unsure classifier guess, else None."""
    if entity is None or not entity.get("extractor") or entity.get("value") != value:
        return None
    confidence = entity.get("confidence_entity")
    if confidence is None or float(confidence) >= get_settings().category_confirm_below:
        return None
    return {"value": value, "alternatives": alternatives(entity, value)}


def alternatives(entity: Dict[str, Any], value: Any) -> List[str]:
    """The classifier's runner-up codes, best first, without the guess itself."""
    codes: List[str] = []
    for item in entity.get("alternatives") or []:
        code = item.get("value") if isinstance(item, dict) else None
        if isinstance(code, str) and code != value and code not in codes:
            codes.append(code)
    return codes[:MAX_ALTERNATIVES]


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message was processed.

    Inside a validation the tracker already holds this turn's candidates; this tells a
    change of mind from a value that was there all along.
    """
    events = tracker.applied_events()
    value = None
    for event in events[:_latest_user_index(events, default=len(events))]:
        if event.get("event") == "reset_slots":
            value = None
        elif event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value


def set_before_latest_message(tracker: Tracker, slot: str) -> bool:
    """Whether the slot holds a value no event since the latest user message gave it: left
    from an earlier turn. The category mapping fills the type from any message naming one
    ("the pothole I reported has got worse", a note), so a new report checks this."""
    events = tracker.applied_events()
    set_since = any(event.get("event") == "slot" and event.get("name") == slot
                    for event in events[_latest_user_index(events, default=-1) + 1:])
    return tracker.get_slot(slot) is not None and not set_since


def _latest_user_index(events: List[Dict[str, Any]], default: int) -> int:
    """Where the latest user message is among `events`; `default` without one."""
    return max((index for index, event in enumerate(events) if event.get("event") == "user"),
               default=default)


def accepted_category(service: ServiceInfo, previous: Optional[str],
                      photos: Optional[str] = None) -> Dict[str, Any]:
    """The slots for an accepted `service`; a changed type restarts its follow-up questions.
    A service a photo does not help (noise) answers the photo question with none, unless
    photos came already; one sent later is still added (validate_photos)."""
    result: Dict[str, Any] = {"category": service.code, "category_suggestion": None}
    if service.code != previous:
        result.update(followup=None, followup_answers=None)
    if not service.questions:
        result["followup"] = fields.FOLLOWUP_DONE
    if not service.asks_for_photos and photos is None:
        result["photos"] = fields.PHOTOS_NONE
    return result
