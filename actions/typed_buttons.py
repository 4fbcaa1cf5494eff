"""A button's title typed instead of pressed is that button.

On web chat and Telegram a citizen can type what a button says, and on SMS the buttons are
only words. The model reads the words on their own: "versturen", the Dutch summary's
"Send" button, is a "no" to it at 0.98, and the report was cancelled. A message that is,
word for word (case and accents aside), the title of a button in the assistant's reply to
the message before is that button's payload, whatever the model made of it.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from actions.common import latest_text
from bot.options_in_text import folded_words


def button_typed(tracker: Tracker) -> Optional[str]:
    """The payload of the button whose title the latest message is; None when it is none."""
    text = latest_text(tracker)
    typed = folded_words(text)
    if not typed or text.startswith("/"):
        return None
    for button in buttons_offered(tracker.events):
        if folded_words(str(button.get("title") or "")) == typed and button.get("payload"):
            return str(button["payload"])
    return None


def buttons_offered(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The buttons of the assistant's messages between the last two user messages."""
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    start = users[-2] + 1 if len(users) > 1 else 0
    offered: List[Dict[str, Any]] = []
    for event in events[start:users[-1]]:
        if event.get("event") == "bot":
            offered.extend((event.get("data") or {}).get("buttons") or [])
    return offered


def payload_parts(payload: str) -> Tuple[str, Dict[str, Any]]:
    """("affirm", {}) for "/affirm"; ("inform", {"field": "location"}) for
    '/inform{"field":"location"}'; ("", {}) for a payload that is not an intent."""
    if not payload.startswith("/"):
        return "", {}
    intent, brace, rest = payload[1:].partition("{")
    try:
        entities = json.loads(brace + rest) if brace else {}
    except ValueError:
        entities = {}
    return intent.strip(), entities if isinstance(entities, dict) else {}
