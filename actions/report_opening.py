"""The words that opened a report, kept when the description is asked after them.

"Hi, my bin wasn't collected yesterday" names the problem but is too short to stand as the
description (report_fields.descriptive), so "Please describe the problem" is asked. The
reply ("recycling") then became the whole description: the crew never read "wasn't
collected yesterday". The opening message is now the description's first line and the
reply follows it, unless the opening only asked to report ("I want to report a pothole":
no words of its own) or a description was already given in this report (a change at the
summary replaces it, as asked).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions import report_fields as fields
from actions.slots import REPORT_FORM
from bot.announcements import REPORT_WORDS
from bot.greetings import without_greeting
from bot.options_in_text import folded_words

OPENING_INTENTS = frozenset({"report_problem"})
OWN_WORDS = 2  # "there's a pothole" says something; "report a pothole" does not


def description_with_opening(tracker: Tracker, answer: str) -> str:
    """The answer to "Please describe the problem", after the opening words when there are
    any to keep; the answer alone when it repeats them."""
    opening = opening_words(tracker)
    if not opening or opening.casefold() in answer.casefold():
        return answer[:fields.MAX_DESCRIPTION_CHARS]
    return fields.with_detail(opening, answer)


def opening_words(tracker: Tracker) -> Optional[str]:
    """The message that started the running report, when it says something of its own about
    the problem and no description has been given since."""
    events = tracker.applied_events()
    start = _form_start(events)
    if start is None:
        return None
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    opening = max((index for index in users if index < start), default=None)
    latest = users[-1] if users else len(events)
    if opening is None or _description_given(events[start:latest]):
        return None
    return _own_words(events[opening])


def _form_start(events: List[Dict[str, Any]]) -> Optional[int]:
    """Where the report form was last activated."""
    return max((index for index, event in enumerate(events)
                if event.get("event") == "active_loop" and event.get("name") == REPORT_FORM),
               default=None)


def _description_given(events: List[Dict[str, Any]]) -> bool:
    return any(event.get("event") == "slot" and event.get("name") == "description"
               and event.get("value") for event in events)


def _own_words(event: Dict[str, Any]) -> Optional[str]:
    """The opening text, when read as a report and more than a wish to report one."""
    text = str(event.get("text") or "").strip()
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    if intent not in OPENING_INTENTS or text.startswith("/"):
        return None
    own = [word for word in folded_words(text) if word not in REPORT_WORDS]
    kept = len(own) >= OWN_WORDS and fields.plausible_description(text)
    return without_greeting(text) if kept else None  # "Hi, my bin..." -> "My bin..."
