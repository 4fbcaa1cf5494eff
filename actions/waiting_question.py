"""A caseworker's question that is waiting for the citizen, put to them when they are free.

The console asks a reporter a question (bot.case_questions) at any moment. When the citizen
is idle, the console arms the answer form at once. When they are in the middle of a report,
their next messages belong to that report, so the question waits, and so does its message
(bot.case_questions.HOLD_WHILE_BUSY): the action that ends their form puts it to them
(case_note_form asks it through action_ask_note_text) and withdraws the held message, and a new
session starts on it when they come back after leaving mid-form or after the question came.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.common import channel_of, log_event
from bot.case_questions import (answer_form_events, waiting_question,
                                 withdraw_held_questions)
from bot.clock import from_timestamp
from bot.db import read_scope, session_scope
from bot.errors import DatabaseUnavailable

LOOP_ENDING_EVENTS = ("session_started", "restart")
# A caseworker handing the conversation back: whatever was asked while they held it, they
# could ask themselves, and the citizen's replies reached them.
HANDED_BACK = "resume"


def free_since(tracker: Tracker) -> Optional[dt.datetime]:
    """When the citizen was last free to be asked something: the end of their last turn
    outside a form (the bot listening with no form active), or a caseworker handing the
    conversation back. None for a new conversation."""
    loop: Optional[str] = None
    free: Optional[float] = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "active_loop":
            loop = event.get("name")
        elif kind in LOOP_ENDING_EVENTS:
            loop = None
        elif kind == HANDED_BACK or (kind == "action" and loop is None
                                     and event.get("name") == "action_listen"):
            free = event.get("timestamp") or free
    return from_timestamp(free) if free else None


def waiting_question_events(tracker: Tracker, moment: str) -> List[EventType]:
    """The answer form on the report whose question is waiting for this citizen, if any
    (`moment` says when, for the log). Without the database nothing is armed: the question
    is still in the case's history and their message is handled as an ordinary one."""
    return _armed(tracker, _waiting_reference(tracker, moment), moment)


def after_form(tracker: Tracker, events: List[EventType]) -> List[EventType]:
    """The events of an action that ends a form, then the answer form when a question came
    while the citizen was busy with it. An action that keeps its form going (a retry asks the
    summary again through FollowupAction) is returned as it is.

    The answer form asks the question in the conversation (action_ask_note_text), so the
    message with it, held back while the citizen was busy, is withdrawn: they are asked once.
    """
    if any(event.get("event") == "followup" for event in events):
        return events
    reference = _waiting_reference(tracker, "form_end")
    if reference is not None:
        _withdraw_held_message(tracker, reference)
    return events + _armed(tracker, reference, "form_end")


def _armed(tracker: Tracker, reference: Optional[str], moment: str) -> List[EventType]:
    if reference is None:
        return []
    log_event("waiting_question_armed", tracker, moment=moment, case_reference=reference)
    return list(answer_form_events(reference))


def _waiting_reference(tracker: Tracker, moment: str) -> Optional[str]:
    try:
        with read_scope() as session:
            return waiting_question(session, channel_of(tracker), tracker.sender_id,
                                    free_since(tracker))
    except DatabaseUnavailable:
        log_event("waiting_question_check_skipped", tracker, moment=moment,
                  reason="database_unavailable")
        return None


def _withdraw_held_message(tracker: Tracker, reference: str) -> None:
    """Best effort: if the database fails here, the held message still goes out later and
    the citizen reads the question twice, which loses nothing."""
    try:
        with session_scope() as session:
            withdrawn = withdraw_held_questions(session, reference)
    except DatabaseUnavailable:
        log_event("held_question_not_withdrawn", tracker, case_reference=reference,
                  reason="database_unavailable")
        return
    if withdrawn:
        log_event("held_question_withdrawn", tracker, case_reference=reference,
                  messages=withdrawn)
