"""bot.handoff: claiming a conversation, replying through the outbox, handing back, and never
leaving an unclaimed citizen in silence. Runs on SQLite and PostgreSQL (the `db` fixture)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable, List

import pytest
from sqlalchemy import select

from bot.clock import utc_naive
from bot.db import session_scope
from bot.errors import EscalationClaimed, EscalationNotFound, EscalationNotHeld, InvalidInput
from bot.escalations import escalate
from bot.handoff import (Cursor, announce_claim, claim, conversation, flag_overdue, hand_back,
                         release, reserve, staff_reply, with_caseworker)
from bot.inbound import record_inbound
from bot.models import Escalation, OutboxMessage, StaffUser

MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0)     # staffed (GMT in November)
MONDAY_17 = dt.datetime(2026, 11, 23, 17, 0)       # staffed, closes at 17:30
SATURDAY_14 = dt.datetime(2026, 11, 28, 14, 0)     # closed until Monday 08:30


@pytest.fixture
def staff(db: str) -> Callable[[str], str]:
    """Creates a caseworker with a display name; returns the username."""

    def create(display_name: str) -> str:
        username = f"cw-{uuid.uuid4().hex[:10]}"
        with session_scope(db) as session:
            session.add(StaffUser(username=username, display_name=display_name, password_hash="x",
                                  role="caseworker", department="Highways", active=True,
                                  created_at=MONDAY_NOON, password_changed_at=MONDAY_NOON))
        return username

    return create


@pytest.fixture
def waiting(db: str, sender: str) -> Callable[..., int]:
    """Raises an escalation for the test's conversation; returns its id."""

    def raise_escalation(language: str = "en", now: dt.datetime = MONDAY_NOON,
                         channel: str = "webchat") -> int:
        with session_scope(db) as session:
            return escalate(session, sender_id=sender, channel=channel, language=language,
                            reason="requested", transcript=[{"role": "citizen", "text": "a person"}],
                            now=now).id

    return raise_escalation


def outbox_of(db: str, escalation_id: int) -> List[OutboxMessage]:
    with session_scope(db) as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        return [row for row in rows if (row.payload or {}).get("escalation_id") == escalation_id]


@pytest.mark.parametrize("language, words", [
    ("en", "Ana Silva from the city has joined the conversation"),
    ("es", "Ana Silva, del Ayuntamiento de Riverton, se ha unido a la conversación"),
    ("pt", "Ana Silva, da Câmara de Riverton, juntou-se à conversa"),
    ("nl", "Ana Silva van de gemeente Riverton neemt nu deel aan het gesprek"),
])
def test_claim_tells_the_citizen_who_joined_in_their_language(
        db: str, sender: str, staff: Callable[[str], str], waiting: Callable[..., int],
        language: str, words: str) -> None:
    escalation_id, ana = waiting(language), staff("Ana Silva")
    with session_scope(db) as session:
        escalation = claim(session, escalation_id, ana, MONDAY_NOON)
        assert (escalation.status, escalation.claimed_by) == ("claimed", ana)
    [joined] = outbox_of(db, escalation_id)
    assert (joined.kind, joined.channel, joined.recipient) == ("handoff_joined", "webchat", sender)
    assert joined.body.startswith(words) and joined.language == language


def test_second_claim_by_someone_else_fails_and_the_first_keeps_it(
        db: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana, bob = waiting(), staff("Ana"), staff("Bob")
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
    with pytest.raises(EscalationClaimed, match=f"already being handled by {ana}"):
        with session_scope(db) as session:
            claim(session, escalation_id, bob, MONDAY_NOON)
    with session_scope(db) as session:
        assert session.get(Escalation, escalation_id).claimed_by == ana
    assert [row.kind for row in outbox_of(db, escalation_id)] == ["handoff_joined"]


def test_claiming_twice_yourself_tells_the_citizen_once(
        db: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana = waiting(), staff("Ana")
    for _ in range(2):
        with session_scope(db) as session:
            claim(session, escalation_id, ana, MONDAY_NOON)
    assert [row.kind for row in outbox_of(db, escalation_id)] == ["handoff_joined"]


def test_unknown_and_closed_escalations_cannot_be_claimed(
        db: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana, bob = waiting(), staff("Ana"), staff("Bob")
    with pytest.raises(EscalationNotFound):
        with session_scope(db) as session:
            claim(session, 10 ** 9, ana, MONDAY_NOON)
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
        hand_back(session, escalation_id, ana, MONDAY_NOON)
    with pytest.raises(EscalationNotHeld, match="is closed"):
        with session_scope(db) as session:
            claim(session, escalation_id, bob, MONDAY_NOON)


def test_release_returns_a_reservation_to_the_queue_untold(
        db: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana, bob = waiting(), staff("Ana"), staff("Bob")
    with session_scope(db) as session:
        reserve(session, escalation_id, ana, MONDAY_NOON)
    with session_scope(db) as session:
        assert release(session, escalation_id, bob) is False  # not Bob's to release
        assert release(session, escalation_id, ana) is True
    with session_scope(db) as session:
        escalation = session.get(Escalation, escalation_id)
        assert (escalation.status, escalation.claimed_by) == ("waiting", None)
        reserved = reserve(session, escalation_id, bob, MONDAY_NOON)
        announce_claim(session, reserved, MONDAY_NOON)
    assert [row.body.split(" from")[0] for row in outbox_of(db, escalation_id)] == ["Bob"]


def test_a_double_submitted_reply_is_sent_once(
        db: str, sender: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana = waiting(), staff("Ana")
    client_id = uuid.uuid4().hex
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
    results = []
    for _ in range(2):
        with session_scope(db) as session:
            results.append(staff_reply(session, escalation_id, ana, "  The crew comes Tuesday. ",
                                       MONDAY_NOON, client_message_id=client_id))
    assert [result.created for result in results] == [True, False]
    with session_scope(db) as session:
        staff_reply(session, escalation_id, ana, "Anything else?", MONDAY_NOON,
                    client_message_id=uuid.uuid4().hex)
    replies = [row for row in outbox_of(db, escalation_id) if row.kind == "handoff_reply"]
    assert [(row.body, row.recipient) for row in replies] == [
        ("The crew comes Tuesday.", sender), ("Anything else?", sender)]


@pytest.mark.parametrize("text, client_id, problem", [
    ("   ", "abcdefgh12", "empty"),
    ("x" * 2001, "abcdefgh12", "longer than 2000"),
    ("hello", "short", "client_message_id"),
    ("hello", "has spaces in it", "client_message_id"),
])
def test_invalid_replies_are_refused(db: str, staff: Callable[[str], str], waiting: Callable[..., int],
                                     text: str, client_id: str, problem: str) -> None:
    escalation_id, ana = waiting(), staff("Ana")
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
    with pytest.raises(InvalidInput, match=problem):
        with session_scope(db) as session:
            staff_reply(session, escalation_id, ana, text, MONDAY_NOON, client_message_id=client_id)


def test_only_the_holder_replies(db: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana, bob = waiting(), staff("Ana"), staff("Bob")
    with pytest.raises(EscalationNotHeld, match="is waiting"):
        with session_scope(db) as session:
            staff_reply(session, escalation_id, ana, "hi", MONDAY_NOON, client_message_id="abcdefgh12")
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
    with pytest.raises(EscalationNotHeld, match=f"claimed by {ana}"):
        with session_scope(db) as session:
            staff_reply(session, escalation_id, bob, "hi", MONDAY_NOON, client_message_id="abcdefgh12")


def test_with_caseworker_is_true_only_while_someone_holds_the_conversation(
        db: str, sender: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    escalation_id, ana = waiting(), staff("Ana")
    states = []
    for step in (None, claim, hand_back):
        with session_scope(db) as session:
            if step is not None:
                step(session, escalation_id, ana, MONDAY_NOON)
            states.append(with_caseworker(session, sender))
    assert states == [False, True, False]


@pytest.mark.parametrize("language, words", [
    ("en", "You are back with the assistant."), ("es", "Vuelves a hablar con el asistente."),
    ("pt", "Está de novo a falar com o assistente."), ("nl", "U praat weer met de assistent."),
])
def test_hand_back_closes_and_tells_the_citizen_once(
        db: str, staff: Callable[[str], str], waiting: Callable[..., int],
        language: str, words: str) -> None:
    escalation_id, ana, bob = waiting(language), staff("Ana"), staff("Bob")
    later = MONDAY_NOON + dt.timedelta(minutes=5)
    with session_scope(db) as session:
        claim(session, escalation_id, ana, MONDAY_NOON)
    with pytest.raises(EscalationNotHeld):
        with session_scope(db) as session:
            hand_back(session, escalation_id, bob, later)
    for _ in range(2):
        with session_scope(db) as session:
            escalation = hand_back(session, escalation_id, ana, later)
            assert (escalation.status, escalation.closed_at) == ("closed", later)
    returned = [row for row in outbox_of(db, escalation_id) if row.kind == "handoff_returned"]
    assert [row.body.split(" ")[:2] for row in returned] == [words.split(" ")[:2]]
    assert returned[0].body.startswith(words)
    with pytest.raises(EscalationNotHeld, match="is closed"):
        with session_scope(db) as session:
            staff_reply(session, escalation_id, ana, "late", later, client_message_id="abcdefgh12")


def test_unclaimed_escalations_are_flagged_after_the_limit(
        db: str, waiting: Callable[..., int], staff: Callable[[str], str]) -> None:
    old, fresh = waiting(now=MONDAY_NOON), None
    with session_scope(db) as session:  # a second conversation, raised 5 minutes later
        fresh = escalate(session, sender_id=f"test-{uuid.uuid4().hex[:12]}", channel="webchat",
                         language="en", reason="misunderstood", transcript=[],
                         now=MONDAY_NOON + dt.timedelta(minutes=5)).id
    at = MONDAY_NOON + dt.timedelta(minutes=11)
    with session_scope(db) as session:
        result = flag_overdue(session, at, minutes=10)
        assert old in result.flagged and fresh not in result.flagged
        assert old not in result.told  # staffed: a caseworker will see the flag
    with session_scope(db) as session:
        assert session.get(Escalation, old).flagged_at == at
        assert session.get(Escalation, fresh).flagged_at is None
        assert old not in flag_overdue(session, at + dt.timedelta(minutes=1), minutes=10).flagged
    assert outbox_of(db, old) == []


@pytest.mark.parametrize("language, when", [
    ("en", "Tue, November 24 8:30 AM"), ("es", "mar, 24 de noviembre 8:30"),
    ("pt", "ter., 24 de novembro 08:30"), ("nl", "di 24 november 08:30"),
])
def test_out_of_hours_the_waiting_citizen_is_told_once_when_someone_answers(
        db: str, waiting: Callable[..., int], language: str, when: str) -> None:
    escalation_id = waiting(language, now=MONDAY_17)  # raised in hours, nobody claimed it
    for minutes in (40, 50, 120):  # the office closed at 17:30
        with session_scope(db) as session:
            flag_overdue(session, MONDAY_17 + dt.timedelta(minutes=minutes), minutes=10)
    [told] = outbox_of(db, escalation_id)
    assert told.kind == "handoff_waiting" and told.language == language
    assert when in told.body
    assert told.dedupe_key == f"handoff:{escalation_id}:waiting"


def test_a_citizen_who_escalated_out_of_hours_is_not_told_the_same_thing_again(
        db: str, waiting: Callable[..., int]) -> None:
    escalation_id = waiting(now=SATURDAY_14)  # the bot itself said "from Monday 08:30"
    with session_scope(db) as session:
        result = flag_overdue(session, SATURDAY_14 + dt.timedelta(minutes=30), minutes=10)
    assert escalation_id in result.flagged and escalation_id not in result.told
    assert outbox_of(db, escalation_id) == []


def test_conversation_merges_citizen_and_city_messages_and_polls_by_cursor(
        db: str, sender: str, staff: Callable[[str], str], waiting: Callable[..., int]) -> None:
    now = utc_naive()
    ana = staff("Ana")
    with session_scope(db) as session:
        record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex, sender_id=sender,
                       text="long ago", now=now - dt.timedelta(hours=1))
        record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex, sender_id=sender,
                       text="I want a person", now=now - dt.timedelta(seconds=30))
    escalation_id = waiting(now=now)
    with session_scope(db) as session:
        claim(session, escalation_id, ana, now + dt.timedelta(seconds=10))
        staff_reply(session, escalation_id, ana, "Hello, how can I help?",
                    now + dt.timedelta(seconds=20), client_message_id=uuid.uuid4().hex)
        first = conversation(session, session.get(Escalation, escalation_id))
    assert [(line.role, line.kind) for line in first.lines] == [
        ("citizen", "message"), ("city", "handoff_joined"), ("staff", "handoff_reply")]
    assert first.lines[0].text == "I want a person" and first.lines[2].delivery == "pending"
    with session_scope(db) as session:
        record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex, sender_id=sender,
                       text="The bin was not collected", now=now + dt.timedelta(seconds=40))
        record_inbound(session, channel="telegram", external_id=uuid.uuid4().hex, sender_id=sender,
                       text="another channel", now=now + dt.timedelta(seconds=41))
        escalation = session.get(Escalation, escalation_id)
        newer = conversation(session, escalation, after=Cursor.parse(str(first.cursor)),
                             now=now + dt.timedelta(minutes=10))
        overlap = conversation(session, escalation, after=newer.cursor, now=now)
    assert [line.text for line in newer.lines] == ["The bin was not collected"]
    assert newer.cursor.outbox_id == first.cursor.outbox_id
    assert newer.cursor.inbound_id > first.cursor.inbound_id
    # The last 30 s come again (a PostgreSQL row may commit after a higher id); same ids.
    assert {line.id for line in first.lines} <= {line.id for line in overlap.lines}


@pytest.mark.parametrize("text", ["abc", "1.", ".2", "1.2.3", "-1.2"])
def test_malformed_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        Cursor.parse(text)
