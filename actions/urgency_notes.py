""""Can you hurry it up please, it's every night", right after a report's status: passed on
to the team working on that report.

The model reads such a plea as a policy question, and the FAQ answered with the noise rules.
When the assistant has just discussed a report this conversation made or follows
(actions.recent_report.report_just_discussed), and the message asks for it to be dealt
with sooner (bot.urgency_words), the words go into the case's history as the citizen's note:
the console shows the case as needing attention, as for any note. The citizen is told so,
with the date promised. Someone else's report is left to the FAQ's answer as before.
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, latest_text
from actions.passing_notes import keep_on_report
from actions.progress_questions import QUESTION_INTENTS
from actions.recent_report import report_just_discussed
from bot.urgency_words import asks_to_hurry


def pass_on_urgency(dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Optional[List[EventType]]:
    """The plea kept on the report just discussed, and the citizen told; None when this is
    no such plea, or the report is not theirs or no longer open."""
    reference = report_just_discussed(tracker)
    if reference is None or tracker.active_loop.get("name") \
            or latest_intent(tracker) not in QUESTION_INTENTS \
            or not asks_to_hurry(latest_text(tracker)):
        return None
    return keep_on_report(dispatcher, tracker, reference, "utter_urgency_passed_on",
                          "urgency_passed_on")
