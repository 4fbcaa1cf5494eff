"""bot.feedback_inbox: staff read citizens' feedback, mark it handled, and answer it once on
the citizen's own channel, through the outbox, in their language. The databases are shared
by the session, so these tests look at their own rows and at changes in the totals; a test
that reads a list dates its rows far ahead, each test its own distance, so they are on its
first page whatever else the session wrote."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Optional

import pytest
from sqlalchemy import select

from bot import feedback_inbox as inbox
from bot.db import session_scope
from bot.errors import FeedbackNotFound, InvalidInput
from bot.feedback import record_feedback
from bot.models import AuditEntry, Feedback, OutboxMessage
from bot.optouts import opt_out
from bot.privacy_erase import ANONYMOUS

NOW = dt.datetime(2026, 11, 29, 9, 0)


def given(db: str, *, rating: Optional[int] = 2, channel: str = "webchat", language: str = "en",
          text: str = "the bin men were really rude to my mum",
          at: dt.datetime = NOW) -> tuple:
    """One piece of feedback from a new sender: (its id, the sender)."""
    sender = f"fb-inbox-{uuid.uuid4().hex[:10]}"
    if channel == "sms":
        sender = f"+4477009{uuid.uuid4().int % 100000:05d}"
    with session_scope(db) as session:
        row = record_feedback(session, sender_id=sender, channel=channel, text=text,
                              rating=rating, language=language, now=at)
        return row.id, sender


def outbox_for(db: str, sender: str) -> list:
    with session_scope(db) as session:
        rows = session.execute(select(OutboxMessage).where(
            OutboxMessage.recipient == sender)).scalars().all()
        return [(row.channel, row.kind, row.language, row.body) for row in rows]


def test_an_answer_goes_to_the_citizen_in_their_language_and_marks_it_handled(db: str) -> None:
    feedback_id, sender = given(db, language="es", text="los basureros fueron muy maleducados")
    with session_scope(db) as session:
        item = inbox.reply(session, feedback_id, "  Lo sentimos mucho.\nHablaremos con el equipo. ",
                           by="comms1", now=NOW)
    assert (item.reply, item.handled_by, item.handled_at) == (
        "Lo sentimos mucho. Hablaremos con el equipo.", "comms1", NOW)
    [(channel, kind, language, body)] = outbox_for(db, sender)
    assert (channel, kind, language) == ("webchat", "feedback_reply", "es")
    assert body.startswith("Gracias por su opinión.") and "Hablaremos con el equipo." in body
    with session_scope(db) as session:
        audited = session.execute(select(AuditEntry.action).where(
            AuditEntry.target_type == "feedback",
            AuditEntry.target_id == str(feedback_id))).scalars().all()
    assert audited == ["feedback.reply"]


def test_feedback_is_answered_once(db: str) -> None:
    feedback_id, sender = given(db)
    with session_scope(db) as session:
        inbox.reply(session, feedback_id, "Sorry about that.", by="comms1", now=NOW)
    with session_scope(db) as session, pytest.raises(InvalidInput, match="already answered"):
        inbox.reply(session, feedback_id, "Sorry again.", by="comms2", now=NOW)
    assert len(outbox_for(db, sender)) == 1


@pytest.mark.parametrize("answer, problem", [
    ("   ", "write the answer"),
    ("x" * (inbox.MAX_REPLY_CHARS + 1), "characters long"),
])
def test_an_empty_or_overlong_answer_is_refused(answer: str, problem: str, db: str) -> None:
    feedback_id, sender = given(db)
    with session_scope(db) as session, pytest.raises(InvalidInput, match=problem):
        inbox.reply(session, feedback_id, answer, by="comms1", now=NOW)
    assert outbox_for(db, sender) == []


def test_a_citizen_who_cannot_be_reached_is_not_answered(db: str) -> None:
    """Feedback through the REST test channel, from a sender who sent STOP, or whose details
    were erased: the console says why, and nothing is queued."""
    rest_id, _ = given(db, channel="rest")
    stopped_id, stopped = given(db, channel="sms")
    erased_id, _ = given(db)
    with session_scope(db) as session:
        opt_out(session, "sms", stopped, "STOP", now=NOW)
        session.get(Feedback, erased_id).sender_id = ANONYMOUS
    with session_scope(db) as session:
        assert "cannot carry a message back" in inbox.why_no_reply(session, rest_id)
        assert "STOP" in inbox.why_no_reply(session, stopped_id)
        assert "erased" in inbox.why_no_reply(session, erased_id)
        with pytest.raises(InvalidInput, match="STOP"):
            inbox.reply(session, stopped_id, "Sorry.", by="comms1", now=NOW)
    assert outbox_for(db, stopped) == []


def test_marked_handled_leaves_the_open_list_and_is_audited_once(db: str) -> None:
    feedback_id, _ = given(db, rating=5, text="the crew were lovely",
                           at=NOW + dt.timedelta(days=6000))  # on the first page
    with session_scope(db) as session:
        before = inbox.summary(session).open_count
        open_ids = {item.id for item in inbox.list_feedback(session, status=inbox.OPEN)}
        inbox.mark_handled(session, feedback_id, by="comms1", now=NOW)
        inbox.mark_handled(session, feedback_id, by="comms2", now=NOW)  # already handled
    with session_scope(db) as session:
        item = inbox.get_feedback(session, feedback_id)
        assert (item.handled_by, item.reply) == ("comms1", None)
        assert inbox.summary(session).open_count == before - 1
        assert feedback_id in open_ids
        assert feedback_id not in {row.id for row in inbox.list_feedback(session)}
        assert feedback_id in {row.id for row in inbox.list_feedback(session,
                                                                    status=inbox.HANDLED)}
        audited = session.execute(select(AuditEntry.action).where(
            AuditEntry.target_type == "feedback",
            AuditEntry.target_id == str(feedback_id))).scalars().all()
    assert audited == ["feedback.handled"]


def test_the_list_is_newest_first_and_filters_by_rating(db: str) -> None:
    """The shared database holds other tests' feedback: the newest rows of this test's own
    moments come first."""
    future = NOW + dt.timedelta(days=9000)
    low, _ = given(db, rating=1, at=future)
    unrated, _ = given(db, rating=None, at=future + dt.timedelta(minutes=1))
    high, _ = given(db, rating=5, at=future + dt.timedelta(minutes=2))
    with session_scope(db) as session:
        newest = [item.id for item in inbox.list_feedback(session, status=inbox.ALL)[:3]]
        assert newest == [high, unrated, low]
        ids = {name: {item.id for item in inbox.list_feedback(session, status=inbox.ALL,
                                                              rating=name)[:3]}
               for name in (inbox.LOW, inbox.HIGH, inbox.UNRATED)}
        total = inbox.count_feedback(session, status=inbox.ALL)
        parts = sum(inbox.count_feedback(session, status=inbox.ALL, rating=name)
                    for name in (inbox.LOW, inbox.HIGH, inbox.UNRATED))
        threes = inbox.summary(session).by_rating[3]
    assert low in ids[inbox.LOW] and high in ids[inbox.HIGH] and unrated in ids[inbox.UNRATED]
    assert total == parts + threes  # every piece is in exactly one group


def test_the_summary_averages_the_ratings_since_a_moment(db: str) -> None:
    """Other tests' feedback may be as recent: the change this test's ratings make."""
    later = NOW + dt.timedelta(days=8000)
    with session_scope(db) as session:
        before = inbox.summary(session, since=later)
    given(db, rating=2, at=later)
    given(db, rating=5, at=later)
    given(db, rating=None, at=later)
    given(db, rating=1, at=later - dt.timedelta(days=1))  # before the moment: not counted
    with session_scope(db) as session:
        after = inbox.summary(session, since=later)
    assert after.rated_count - before.rated_count == 2
    assert {stars: after.by_rating[stars] - before.by_rating[stars] for stars in range(1, 6)} \
        == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    if before.rated_count == 0:
        assert after.average_rating == 3.5


@pytest.mark.parametrize("status, rating", [("pending", None), ("open", "terrible")])
def test_an_unknown_filter_is_refused(status: str, rating: Optional[str], db: str) -> None:
    with session_scope(db) as session, pytest.raises(InvalidInput):
        inbox.list_feedback(session, status=status, rating=rating)


def test_unknown_feedback_is_not_found(db: str) -> None:
    with session_scope(db) as session:
        for call in (lambda: inbox.get_feedback(session, 987654321),
                     lambda: inbox.reply(session, 987654321, "hello", by="comms1"),
                     lambda: inbox.mark_handled(session, 987654321, by="comms1")):
            with pytest.raises(FeedbackNotFound):
                call()


def test_an_answer_after_handled_names_who_answered_and_when(db: str) -> None:
    feedback_id, _ = given(db)
    with session_scope(db) as session:
        inbox.mark_handled(session, feedback_id, by="comms1", now=NOW)
        item = inbox.reply(session, feedback_id, "Sorry about that.", by="comms2",
                           now=NOW + dt.timedelta(hours=2))
    assert (item.handled_by, item.handled_at) == ("comms2", NOW + dt.timedelta(hours=2))


def test_of_two_answers_at_once_only_the_first_is_kept_and_sent(db: str) -> None:
    """Both staff saw a reply form; the second answer to commit is refused, so what the
    record says was answered is what the citizen was sent. SQLite cannot interleave the two:
    every unit of work there takes the write lock first (BEGIN IMMEDIATE), so the second
    staff member's request waits for the first and then finds the answer."""
    if db.startswith("sqlite"):
        pytest.skip("SQLite runs one unit of work at a time")
    feedback_id, sender = given(db)
    with session_scope(db) as first, session_scope(db) as second:
        assert inbox.why_no_reply(second, feedback_id) is None  # both pages offer the form
        inbox.reply(first, feedback_id, "First answer.", by="comms1", now=NOW)
        first.commit()
        with pytest.raises(InvalidInput, match="already answered"):
            inbox.reply(second, feedback_id, "Second answer.", by="comms2", now=NOW)
    with session_scope(db) as session:
        assert inbox.get_feedback(session, feedback_id).reply == "First answer."
    assert [body for *_, body in outbox_for(db, sender)] == [
        "Thank you for your feedback. Our reply: First answer. You can reply here if you "
        "need anything else."]


def test_a_rating_without_words_is_not_waiting_to_be_read(db: str) -> None:
    """The 1-5 after "is it fixed?" is stored as feedback with no words: it counts in the
    ratings and shows under "all", but leaves nothing in the list of what to read."""
    moment = NOW + dt.timedelta(days=7000)  # on the first page of every list
    words_id, _ = given(db, rating=1, text="still broken and nobody came", at=moment)
    bare_id, _ = given(db, rating=1, text="", at=moment)
    with session_scope(db) as session:
        waiting = {item.id for item in inbox.list_feedback(session, status=inbox.OPEN)}
        everything = {item.id for item in inbox.list_feedback(session, status=inbox.ALL)}
    assert words_id in waiting and bare_id not in waiting and bare_id in everything
