""""Can you hurry it up please, it's every night", right after a report's status: passed on
to the team working on that report.

The model reads such a plea as a policy question, and the FAQ answered with the noise rules.
When the assistant has just discussed a report this conversation made or follows
(actions.progress_questions.report_just_discussed), and the message asks for it to be dealt
with sooner (bot.urgency_words), the words go into the case's history as the citizen's note:
the console shows the case as needing attention, as for any note. The citizen is told so,
with the date promised. Someone else's report is left to the FAQ's answer as before.
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, language_of, latest_intent, latest_text, log_event
from actions.progress_questions import QUESTION_INTENTS, report_just_discussed
from actions.replies import utter_core_error
from actions.status import target_date_line
from bot.case_notes import add_citizen_note, case_for_note
from bot.cases import OPEN_STATUSES, case_status_view
from bot.db import session_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, MalformedReference, NotYourCase
from bot.urgency_words import asks_to_hurry


def pass_on_urgency(dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Optional[List[EventType]]:
    """The plea kept on the report just discussed, and the citizen told; None when this is
    no such plea, or the report is not theirs or no longer open."""
    reference = report_just_discussed(tracker)
    text = latest_text(tracker)
    if reference is None or tracker.active_loop.get("name") \
            or latest_intent(tracker) not in QUESTION_INTENTS or not asks_to_hurry(text):
        return None
    try:
        with session_scope() as session:
            case = case_for_note(session, reference, channel_of(tracker), tracker.sender_id)
            if case.status not in OPEN_STATUSES:
                return None
            add_citizen_note(session, case, text, channel=channel_of(tracker),
                             sender_id=tracker.sender_id)
            view = case_status_view(case, language_of(tracker), for_sender=True,
                                    with_reason=False)
            target = target_date_line(view, language_of(tracker))
    except (NotYourCase, CaseNotFound, MalformedReference):
        return None
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        return []
    dispatcher.utter_message(response="utter_urgency_passed_on", reference=reference,
                             target=target)
    log_event("urgency_passed_on", tracker, case_reference=reference)
    return []
