"""bot/notifications.py: a status change reaches the citizen through the outbox, in the
language they last used, once per change, and only when they asked for updates."""
from __future__ import annotations

import datetime as dt
from typing import Callable, List

import pytest
from sqlalchemy import select

from bot.cases import change_status, open_case, remember_language
from bot.db import session_scope
from bot.models import OutboxMessage

LATER = dt.datetime(2026, 11, 25, 9, 0)


def outbox_for(db: str, case_id: int) -> List[OutboxMessage]:
    with session_scope(db) as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                    .order_by(OutboxMessage.id)).scalars())


def test_status_change_queues_an_update_with_the_reason(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(contact="+441632960123", channel="sms")).case
        change_status(session, case, "referred", "This road belongs to the county; call 0300 123",
                      by="alice", now=LATER)
    [message] = outbox_for(db, case.id)
    assert (message.channel, message.recipient, message.kind) == ("sms", "+441632960123",
                                                                  "status_update")
    assert case.reference in message.body and "belongs to the county" in message.body
    assert message.status == "pending" and message.language == "en"


def test_update_uses_the_language_the_citizen_last_used(db: str, report: Callable[..., dict],
                                                         sender: str) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language="en")).case
    with session_scope(db) as session:
        assert remember_language(session, "webchat", sender, "es") == 1
    with session_scope(db) as session:
        case = session.get(type(case), case.id)
        change_status(session, case, "in_progress", "Cuadrilla asignada", by="alice", now=LATER)
    [message] = outbox_for(db, case.id)
    assert message.language == "es"
    assert message.body.startswith(f"Novedades de su aviso {case.reference} (Bache): en curso. "
                                   "Cuadrilla asignada.")
    assert message.recipient == sender  # web chat: the session is the address


def test_no_update_without_consent(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(consent=False)).case
        change_status(session, case, "in_progress", None, by="alice", now=LATER)
    assert outbox_for(db, case.id) == []


def test_a_rolled_back_change_queues_nothing(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
    case_id = case.id
    with pytest.raises(RuntimeError):
        with session_scope(db) as session:
            change_status(session, session.get(type(case), case_id), "in_progress", None,
                          by="alice", now=LATER)
            raise RuntimeError("the caseworker's save failed after the change")
    assert outbox_for(db, case_id) == []


def test_each_change_is_one_message(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        change_status(session, case, "acknowledged", None, by="alice", now=LATER)
        change_status(session, case, "in_progress", "crew booked", by="alice", now=LATER)
    bodies = [message.body for message in outbox_for(db, case.id)]
    assert len(bodies) == 2 and "seen by the team" in bodies[0] and "crew booked." in bodies[1]


@pytest.mark.parametrize("who, asked", [("reporter", False), ("follower", True)])
def test_resolved_after_the_reporter_said_it_was_fixed_asks_nothing(
        db: str, report: Callable[..., dict], who: str, asked: bool) -> None:
    """They told us it was fixed: the case is confirmed and they are thanked, not asked
    "is it really fixed?" (their follower's word is not theirs, so they are still asked)."""
    from bot.case_notes import add_citizen_note
    from bot.followers import follow_case

    with session_scope(db) as session:
        case = open_case(session, **report(contact="+441632960124", channel="sms")).case
        if who == "follower":
            follow_case(session, case, channel="webchat", sender_id="web-neighbour",
                        contact=None, language="en")
        add_citizen_note(session, case, "the pothole has been filled", now=LATER,
                         channel="webchat" if who == "follower" else None,
                         sender_id="web-neighbour" if who == "follower" else None,
                         says_fixed=True)
        change_status(session, case, "resolved", "Checked and closed", by="alice",
                      now=LATER + dt.timedelta(hours=1))
        confirmation = case.fix_confirmation
    reporter = [message for message in outbox_for(db, case.id) if message.channel == "sms"]
    assert confirmation == ("asked" if asked else "confirmed")
    assert reporter[0].payload["asks_fix_confirmation"] is asked
    assert ("Is it really fixed?" in reporter[0].body) is asked
    assert ("closed as fixed, as you told us" in reporter[0].body) is not asked
