"""bot/case_questions.py: a caseworker's question reaches the reporter in their language, is
kept in the history, and makes their next message the answer for a week."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

import pytest
from sqlalchemy import select

from bot.case_notes import add_citizen_note, has_unanswered_note, unanswered_question
from bot.case_questions import (ANSWER_WINDOW, HOLD_WHILE_BUSY, QUESTION_KIND, ask_reporter,
                                latest_question, waiting_question, withdraw_held_questions)
from bot.cases import find_case, open_case
from bot.db import session_scope
from bot.errors import InvalidInput
from bot.models import OutboxMessage
from bot.optouts import opt_out
from bot.outbox import due_messages, mark_sent
from tests.identities import unused_uk_mobile

MONDAY = dt.datetime(2026, 11, 23, 12, 0)


def opened(db: str, report: Callable[..., dict], **overrides: object) -> str:
    with session_scope(db) as session:
        return open_case(session, **report(**overrides)).case.reference


def ask(db: str, reference: str, question: str = "Which side of the road?",
        at: dt.datetime = MONDAY) -> None:
    with session_scope(db) as session:
        ask_reporter(session, find_case(session, reference), question, by="ana", now=at)


def test_the_question_is_queued_in_the_reporters_language_and_kept(
        db: str, report: Callable[..., dict], sender: str) -> None:
    reference = opened(db, report, language="pt", channel="sms", contact="+351910000000")
    with session_scope(db) as session:
        case = find_case(session, reference)
        asked = ask_reporter(session, case, " Fica  do lado\n da escola? ", by="ana", now=MONDAY)
        [message] = session.execute(select(OutboxMessage).where(
            OutboxMessage.case_id == case.id)).scalars().all()
        history = [(e.kind, e.actor, e.reason) for e in case.events][-1]
        message_fields = (message.kind, message.language, message.recipient, message.channel,
                          message.body)
    assert (asked.reference, asked.sender_id) == (reference, sender)
    assert history == (QUESTION_KIND, "ana", "Fica do lado da escola?")
    kind, language, recipient, channel, body = message_fields
    assert (kind, language, recipient, channel) == ("case_question", "pt", "+351910000000", "sms")
    assert body.startswith(f"Sobre o seu pedido {reference} (")
    assert "a nossa equipa pergunta: Fica do lado da escola? Responda aqui" in body


@pytest.mark.parametrize("consent, erased, stopped, question, refused", [
    (False, False, False, "Which side?", "did not agree"),
    (True, True, False, "Which side?", "erased"),
    (True, False, True, "Which side?", "stopped all messages"),
    (True, False, False, "  \n ", "write the question"),
    (True, False, False, "x" * 601, "under 600"),
])
def test_a_question_that_cannot_be_sent_changes_nothing(
        db: str, report: Callable[..., dict], consent: bool, erased: bool, stopped: bool,
        question: str, refused: str) -> None:
    number = unused_uk_mobile()
    reference = opened(db, report, consent=consent, channel="sms", sender_id=number,
                       contact=number)
    with session_scope(db) as session:
        case = find_case(session, reference)
        case.anonymised_at = MONDAY if erased else None
        if stopped:
            opt_out(session, "sms", number, "STOP", now=MONDAY)
    with session_scope(db) as session, pytest.raises(InvalidInput) as caught:
        ask_reporter(session, find_case(session, reference), question, by="ana", now=MONDAY)
    assert refused in str(caught.value)
    with session_scope(db) as session:
        case = find_case(session, reference)
        assert [e.kind for e in case.events] == ["created"]
        assert session.execute(select(OutboxMessage).where(
            OutboxMessage.case_id == case.id)).first() is None


def messages_of(db: str, reference: str) -> list:
    with session_scope(db) as session:
        case = find_case(session, reference)
        return [(m.status, m.next_attempt_at, m.last_error) for m in session.execute(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id)
            .order_by(OutboxMessage.id)).scalars()]


def test_a_question_for_a_reporter_busy_with_a_report_is_held_back(
        db: str, report: Callable[..., dict]) -> None:
    """"Reply here to answer" would put the answer into the report they are making."""
    reference = opened(db, report)
    with session_scope(db) as session:
        ask_reporter(session, find_case(session, reference), "Which side?", by="ana",
                     now=MONDAY, hold=True)
    [(status, due, _)] = messages_of(db, reference)
    assert (status, due) == ("pending", MONDAY + HOLD_WHILE_BUSY)
    with session_scope(db) as session:
        case_id = find_case(session, reference).id
        early = [m.case_id for m in due_messages(session, MONDAY + HOLD_WHILE_BUSY / 2, 1000)]
        on_time = [m.case_id for m in due_messages(session, MONDAY + HOLD_WHILE_BUSY, 1000)]
    assert case_id not in early and case_id in on_time


def test_a_question_asked_in_the_conversation_withdraws_the_unsent_message(
        db: str, report: Callable[..., dict]) -> None:
    reference = opened(db, report)
    ask(db, reference, "Which side?")                       # already sent: stays sent
    with session_scope(db) as session:
        [first] = [m for m in session.execute(select(OutboxMessage).where(
            OutboxMessage.case_id == find_case(session, reference).id)).scalars()]
        mark_sent(session, first.id, MONDAY)
        ask_reporter(session, find_case(session, reference), "Is it deep?", by="ana",
                     now=MONDAY, hold=True)
    with session_scope(db) as session:
        assert withdraw_held_questions(session, reference) == 1
    with session_scope(db) as session:
        assert withdraw_held_questions(session, reference) == 0  # once
    [(sent, _, _), (withdrawn, _, why)] = messages_of(db, reference)
    assert (sent, withdrawn) == ("sent", "suppressed")
    assert "asked in the conversation" in why


def awaited(db: str, sender: str, free_since: Optional[dt.datetime],
            now: dt.datetime, channel: str = "webchat") -> Optional[str]:
    with session_scope(db) as session:
        return waiting_question(session, channel, sender, free_since, now=now)


def test_a_question_waits_for_the_reporter_to_be_free_for_a_week(
        db: str, report: Callable[..., dict], sender: str) -> None:
    older, newer = opened(db, report), opened(db, report, address="14 Oak Avenue")
    assert awaited(db, sender, None, MONDAY) is None
    ask(db, older, at=MONDAY)
    ask(db, newer, "Is it near the school?", at=MONDAY + dt.timedelta(minutes=5))
    later = MONDAY + dt.timedelta(days=2)
    # the newest question is put first, in the caseworker's words
    assert awaited(db, sender, MONDAY - dt.timedelta(hours=1), later) == newer
    with session_scope(db) as session:
        assert latest_question(session, newer) == "Is it near the school?"
        assert latest_question(session, older) == "Which side of the road?"
        assert latest_question(session, "C-2026-999999") is None
    # a turn they finished outside a form since then settles it
    assert awaited(db, sender, MONDAY + dt.timedelta(minutes=10), later) is None
    # an answer settles it too, and the older question is next
    with session_scope(db) as session:
        add_citizen_note(session, find_case(session, newer), "Yes, opposite the gate",
                         now=MONDAY + dt.timedelta(minutes=20))
    assert awaited(db, sender, MONDAY - dt.timedelta(hours=1), later) == older
    # another conversation, or another channel, is not the reporter
    assert awaited(db, "someone-else", None, later) is None
    assert awaited(db, sender, None, later, channel="sms") is None
    # a week on, a message is a new conversation
    assert awaited(db, sender, None, MONDAY + ANSWER_WINDOW + dt.timedelta(hours=1)) is None


def test_the_answer_flags_the_case_again(db: str, report: Callable[..., dict]) -> None:
    reference = opened(db, report)
    with session_scope(db) as session:
        add_citizen_note(session, find_case(session, reference), "It is deep", now=MONDAY)
    ask(db, reference, at=MONDAY + dt.timedelta(hours=1))
    with session_scope(db) as session:
        events = find_case(session, reference).events
        assert not has_unanswered_note(events)
        assert unanswered_question(events).reason == "Which side of the road?"
        add_citizen_note(session, find_case(session, reference), "The left side",
                         now=MONDAY + dt.timedelta(hours=2))
    with session_scope(db) as session:
        events = find_case(session, reference).events
        assert has_unanswered_note(events) and unanswered_question(events) is None


def test_the_same_answer_to_two_questions_is_kept_twice(db: str,
                                                         report: Callable[..., dict]) -> None:
    reference = opened(db, report)
    for minutes in (0, 2):
        ask(db, reference, "Is it still there?", at=MONDAY + dt.timedelta(minutes=minutes))
        with session_scope(db) as session:
            add_citizen_note(session, find_case(session, reference), "no",
                             now=MONDAY + dt.timedelta(minutes=minutes + 1))
    with session_scope(db) as session:  # and "no" after other words is not their repeat
        add_citizen_note(session, find_case(session, reference), "nothing else",
                         now=MONDAY + dt.timedelta(minutes=4))
        add_citizen_note(session, find_case(session, reference), "no",
                         now=MONDAY + dt.timedelta(minutes=5))
        notes = [e.reason for e in find_case(session, reference).events
                 if e.kind == "citizen_note"]
    assert notes == ["no", "no", "nothing else", "no"]


def test_a_followers_note_does_not_answer_the_reporters_question(
        db: str, report: Callable[..., dict], sender: str) -> None:
    from bot.followers import follow_case

    reference = opened(db, report)
    ask(db, reference, at=MONDAY)
    with session_scope(db) as session:
        case = find_case(session, reference)
        follow_case(session, case, channel="webchat", sender_id="web-follower", contact=None,
                    language="en", now=MONDAY)
        add_citizen_note(session, case, "It is on the left", now=MONDAY + dt.timedelta(hours=1),
                         channel="webchat", sender_id="web-follower")
    later = MONDAY + dt.timedelta(hours=2)
    assert awaited(db, sender, MONDAY - dt.timedelta(hours=1), later) == reference
    with session_scope(db) as session:
        events = find_case(session, reference).events
        assert unanswered_question(events).reason == "Which side of the road?"
        assert has_unanswered_note(events)  # the caseworker still sees the follower's note
