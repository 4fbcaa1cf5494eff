"""A caseworker's question to the citizen who reported a case ("which side of the road?").

Half the back-and-forth on a report is the city needing one more fact. The question goes to
the reporter on their own channel, wrapped in their language (content/channels.yml,
`notifications: case_question`; the question itself is sent as typed), and is kept in the
case's history. Their reply becomes a citizen note on the case (bot.case_notes), which flags
the case for the caseworker again: the dialogue is told to expect it (console.rasa_client),
or, when the citizen is in the middle of a report, puts the question again once that report
is done (actions.waiting_question). Only a reporter who agreed to hear from us is asked.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from bot.case_notes import NOTE_KIND, QUESTION_KIND, REPORTER
from bot.clock import utc_naive
from bot.errors import InvalidInput
from bot.models import Case, CaseEvent, OutboxMessage
from bot.notifications import notification_template
from bot.optouts import is_opted_out
from bot.outbox import PENDING, enqueue, mark_suppressed
from bot.services import service_name
from bot.sms_text import staff_words

__all__ = ["QUESTION_KIND", "MAX_QUESTION_CHARS", "ANSWER_WINDOW", "AskedQuestion",
           "HOLD_WHILE_BUSY", "can_ask_reporter", "ask_reporter", "withdraw_held_questions",
           "waiting_question",
           "latest_question", "answer_form_events"]

MAX_QUESTION_CHARS = 600  # a question and its wrapping stay within a few SMS segments
ANSWER_WINDOW = dt.timedelta(days=7)  # a reply later than this is a new conversation
# How long the message with the question is held back while the reporter is in the middle of
# a report: "reply here to answer" would put their answer into that report. The assistant
# keeps an unfinished report for an hour (domain/core.yml, session_expiration_time); once
# the report is done it asks the question itself and the held message is withdrawn, and if
# they leave it, the message goes out and their next session starts on the answer.
HOLD_WHILE_BUSY = dt.timedelta(hours=1)
MESSAGE_KIND = "case_question"  # the outbox row, and its wording in content/channels.yml
WITHDRAWN = "asked in the conversation when the citizen finished their report"


@dataclass(frozen=True)
class AskedQuestion:
    """What the console needs after the commit: whose conversation expects the answer."""

    reference: str
    sender_id: str


def can_ask_reporter(session: Session, case: Case) -> Optional[str]:
    """None when the reporter can be asked; otherwise why not, in the console's words."""
    if case.anonymised_at is not None:
        return "The reporter's details were erased, so they cannot be asked anything."
    if not case.consent_updates:
        return ("The reporter did not agree to hear from us about this report, so they cannot "
                "be asked a question here.")
    if is_opted_out(session, case.channel, case.contact or case.sender_id):
        return ("The reporter has stopped all messages from us (STOP), so they cannot be asked "
                "anything until they send START.")
    return None


def ask_reporter(session: Session, case: Case, question: str, by: str,
                 now: Optional[dt.datetime] = None, hold: bool = False) -> AskedQuestion:
    """Queue the question to the reporter and keep it in the case's history, in one unit of
    work; `hold` (the reporter is busy with a report) delays the message by HOLD_WHILE_BUSY.
    Raises InvalidInput for an empty or overlong question or a reporter who cannot be
    asked."""
    text = staff_words(question, MAX_QUESTION_CHARS, "question", "the reporter")
    refused = can_ask_reporter(session, case)
    if refused:
        raise InvalidInput(refused)
    moment = utc_naive(now)
    event = CaseEvent(kind=QUESTION_KIND, actor=by, reason=text, created_at=moment)
    case.events.append(event)
    case.updated_at = moment
    session.flush()
    body = notification_template(MESSAGE_KIND, case.language).format(
        reference=case.reference, service=service_name(case.service, case.language),
        question=text)
    enqueue(session, channel=case.channel, recipient=case.contact or case.sender_id,
            language=case.language, kind=MESSAGE_KIND, body=body,
            payload={"reference": case.reference, "audience": "reporter"},
            dedupe_key=f"case-event:{event.id}", case_id=case.id, now=moment,
            not_before=moment + HOLD_WHILE_BUSY if hold else None)
    return AskedQuestion(case.reference, case.sender_id)


def withdraw_held_questions(session: Session, reference: str) -> int:
    """Withdraw the question messages on this report not yet sent to its reporter (held back,
    or waiting for a retry), who is being asked in the conversation instead; how many were
    withdrawn. Kept in the outbox as suppressed, with the reason."""
    held = (select(OutboxMessage.id).join(Case, OutboxMessage.case_id == Case.id)
            .where(Case.reference == reference, OutboxMessage.kind == MESSAGE_KIND,
                   OutboxMessage.status == PENDING))
    ids = list(session.execute(held).scalars())
    for message_id in ids:
        mark_suppressed(session, message_id, WITHDRAWN)
    return len(ids)


def waiting_question(session: Session, channel: str, sender_id: str,
                     free_since: Optional[dt.datetime],
                     now: Optional[dt.datetime] = None) -> Optional[str]:
    """The report whose question this reporter's next message should answer, if any.

    That is the newest question to them asked since they were last free to answer one
    (`free_since`: the end of their last turn outside a form; a question asked while they
    were in the middle of a report waits for the report to end), within ANSWER_WINDOW, and
    not answered since by a note of theirs on that report.
    """
    since = utc_naive(now) - ANSWER_WINDOW
    if free_since is not None:
        since = max(since, utc_naive(free_since))
    note = aliased(CaseEvent)
    answered = exists().where(note.case_id == CaseEvent.case_id, note.id > CaseEvent.id,
                              note.kind == NOTE_KIND, note.actor == REPORTER)
    query = (select(Case.reference).join(CaseEvent, CaseEvent.case_id == Case.id)
             .where(Case.channel == channel, Case.sender_id == sender_id,
                    Case.anonymised_at.is_(None), CaseEvent.kind == QUESTION_KIND,
                    CaseEvent.created_at > since, ~answered)
             .order_by(CaseEvent.id.desc()).limit(1))
    return session.execute(query).scalars().first()


def latest_question(session: Session, reference: str) -> Optional[str]:
    """The words of the latest question asked on this report, for asking it again."""
    query = (select(CaseEvent.reason).join(Case, CaseEvent.case_id == Case.id)
             .where(Case.reference == reference, CaseEvent.kind == QUESTION_KIND)
             .order_by(CaseEvent.id.desc()).limit(1))
    return session.execute(query).scalars().first()


def answer_form_events(reference: str) -> List[Dict[str, Any]]:
    """The tracker events (Rasa's JSON form) that make the conversation's next message the
    answer: the add-to-a-report form (domain/case_notes.yml), active, on this report, asking
    for the words. The console appends them when it asks; the actions return them when the
    citizen finishes what they were doing, or comes back later (actions.waiting_question)."""
    return [{"event": "slot", "name": "note_case", "value": reference},
            {"event": "slot", "name": "note_text", "value": None},
            {"event": "slot", "name": "note_photo_ids", "value": None},
            {"event": "slot", "name": "note_answers_question", "value": True},
            {"event": "active_loop", "name": "case_note_form"},
            {"event": "slot", "name": "requested_slot", "value": "note_text"}]
