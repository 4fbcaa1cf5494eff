""""It's happening again right now", and "what if it happens again?", after a report.

An hour after reporting loud music at night, "it's happening again right now, really loud"
was a status check to the model: the report's status was shown and the words were kept
nowhere, though a noise team wants nothing more than to know when it happens; "het is weer
begonnen" was out of scope. Outside a form, a message saying the problem is back
(bot.recurrence_words), read as a status check, a question or nothing the model could
place, is kept on the report it names, or else the report this conversation was last
about, when the citizen made or follows it and it is still open (actions.passing_notes).
In a form such words are an answer to its question, and the form has them.

"What if it happens again?" right after a report is answered from it: tell us here, and it
goes on the report. The FAQ offered missed bins and anonymous reporting.

"Está pasando otra vez", read as a new report naming no kind of problem, from a citizen who
follows an open report, was asked "what kind of problem is it?". A report form opened by
such words, with nothing else in it, ends at once and the words go on that report through
the note form (`recurring_report`, actions.report_submit).
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import named_service
from actions.common import latest_intent, latest_text, log_event
from actions.passing_notes import keep_if_said, open_and_theirs
from actions.recent_report import report_just_discussed
from actions.slots import REQUESTED_SLOT
from actions.which_report import opening_guess
from bot.recurrence_words import asks_what_if_again, says_it_happens_again


def note_recurrence(dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Optional[List[EventType]]:
    """The words kept on the report they are about, and the citizen told; None when the
    message does not say the problem is back, a form is open, or no open report of theirs
    is known (the caller's usual reply follows)."""
    return keep_if_said(dispatcher, tracker, says_it_happens_again, "utter_recurrence_noted",
                        "recurrence_noted")


def recurring_report(tracker: Tracker) -> Optional[str]:
    """At the opening of a report: the open report of theirs that words saying the problem is
    back, naming no kind of problem, are about; None for a report like any other."""
    if tracker.get_slot(REQUESTED_SLOT) is not None or latest_intent(tracker) != "report_problem" \
            or named_service(tracker) or not says_it_happens_again(latest_text(tracker)):
        return None
    reference = opening_guess(tracker)
    return reference if reference and open_and_theirs(tracker, reference) else None


def answer_what_if_again(dispatcher: CollectingDispatcher,
                         tracker: Tracker) -> Optional[List[EventType]]:
    """"Tell us here and it goes on report C-...": None when this is not the question, no
    report was just discussed, or it is not theirs or no longer open (the FAQ answers)."""
    reference = report_just_discussed(tracker)
    if reference is None or tracker.active_loop.get("name") \
            or not asks_what_if_again(latest_text(tracker)):
        return None
    if not open_and_theirs(tracker, reference):
        return None
    dispatcher.utter_message(response="utter_report_if_it_recurs", reference=reference)
    log_event("recurrence_explained", tracker, case_reference=reference)
    return []


