""""How long does it usually take?" right after a report: answered from that report.

A citizen who has just sent a report, or just been told how one stands, and then asks "how
long does it usually take?" or "what happens next?" means that report. The model reads such
a question as a policy question and the FAQ, which has nothing on "it", offered unrelated
entries. Such a short question (bot.progress_questions), asked within a few replies of the
report being discussed and naming no other kind of problem, gets the report's status with
the usual time for its kind of problem and the date promised: the city's own answer, where
a list of guesses was. One that names nothing else ("what happens now?") is answered so
before the FAQ is asked ("wat gebeurt er nu?" matched the missed-bin entry); one with words
of its own only when the FAQ has no clear answer. Anyone else who quoted the reference is
told only what the status reply tells them.
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, latest_text, log_event
from actions.recent_report import LAST_CASE_SLOT, report_just_discussed
from actions.replies import utter_core_error
from actions.status import Reply, status_reply
from bot.cases import OPEN_STATUSES, find_case
from bot.db import read_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, MalformedReference
from bot.progress_questions import (asks_about_progress, asks_only_about_progress,
                                    asks_whether_someone_comes)
from bot.service_mentions import services_mentioned

QUESTION_INTENTS = frozenset({"ask_policy", "nlu_fallback", "out_of_scope"})


def answer_about_progress(dispatcher: CollectingDispatcher, tracker: Tracker,
                          only_if_topic_free: bool = False) -> Optional[List[EventType]]:
    """The answer about the report just discussed; None when the message is not a question
    about its progress, no report was discussed lately, or it names another kind of problem
    (the caller goes on as before). The FAQ is asked first unless the question names no
    topic at all: `only_if_topic_free` is that first look."""
    reference = report_just_discussed(tracker)
    if reference is None or tracker.active_loop.get("name") \
            or not asks_after_progress(tracker, only_if_topic_free):
        return None
    try:
        reply = progress_reply(tracker, reference)
    except (CaseNotFound, MalformedReference):
        return None  # the case went (erased); the FAQ's reply stands
    except DatabaseUnavailable as error:
        utter_core_error(dispatcher, error)
        return []
    if reply is None:
        return None
    dispatcher.utter_message(response=reply.response, **reply.values)
    log_event("progress_shown", tracker, case_reference=reference, response=reply.response)
    return [SlotSet(LAST_CASE_SLOT, reference)]


def asks_after_progress(tracker: Tracker, only_if_topic_free: bool) -> bool:
    """Whether the latest message is such a question. "Will someone come round tonight?" is
    one too, though the model reads "someone" as asking for a person (actions.handoff)."""
    intent, text = latest_intent(tracker), latest_text(tracker)
    if intent == "request_human":
        return asks_whether_someone_comes(text)
    asks = asks_only_about_progress if only_if_topic_free else asks_about_progress
    return intent in QUESTION_INTENTS and asks(text)


def progress_reply(tracker: Tracker, reference: str) -> Optional[Reply]:
    """For an open case, its status with the usual time for its kind of problem; for a closed
    one, its status reply. None when the message names another kind of problem."""
    with read_scope() as session:
        case = find_case(session, reference)
        named = services_mentioned(session, latest_text(tracker))
        if named and case.service_code not in named:
            return None
        reply = status_reply(session, case, tracker)
        if case.status not in OPEN_STATUSES:
            return reply
        days = str(case.service.sla_working_days)
    return Reply(response="utter_report_progress", values={**reply.values, "days": days},
                 reference=reply.reference)
