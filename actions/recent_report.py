"""Which report the conversation was just about: the one the assistant last named.

"How long does it take?", "please hurry" and "what if it happens again?" name no report;
said within a few replies of a report being sent, followed or shown, they mean that one
(actions.progress_questions, actions.urgency_notes, actions.recurrence).
"""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

LAST_CASE_SLOT = "last_case_reference"
RECENT_REPLIES = 3  # the report was discussed in one of the assistant's last three replies


def report_just_discussed(tracker: Tracker) -> Optional[str]:
    """The reference the assistant last named (a report sent, a status shown), when that was
    in one of its last RECENT_REPLIES replies; else None."""
    replies = 0
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind == "user":
            replies += 1
            if replies > RECENT_REPLIES:
                return None
        elif kind == "slot" and event.get("name") == LAST_CASE_SLOT:
            return event.get("value") or None
    return None
