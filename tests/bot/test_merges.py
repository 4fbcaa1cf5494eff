"""bot/merges.py: the merged case becomes a duplicate pointing at the other, its reporter
and followers follow the other case, both histories say so, and the citizens of the merged
case are told once, naming the case that carries on."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable, List, Tuple

import pytest
from sqlalchemy import select

from bot.cases import change_status, open_case
from bot.db import session_scope
from bot.errors import InvalidInput, InvalidTransition
from bot.followers import follow_case, followers_of
from bot.merges import merge_cases
from bot.models import Case, OutboxMessage

LATER = dt.datetime(2026, 11, 25, 9, 0)
EVEN_LATER = dt.datetime(2026, 11, 26, 9, 0)


def outbox(db: str, case_id: int) -> List[OutboxMessage]:
    with session_scope(db) as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                    .order_by(OutboxMessage.id)).scalars())


def two_reports_one_followed(session, report: Callable[..., dict], language: str,
                             follower: str) -> Tuple[Case, Case]:
    """A report to merge into, and a report in `language` that a Dutch Telegram user follows."""
    target = open_case(session, **report(sender_id=f"test-{uuid.uuid4().hex[:12]}")).case
    source = open_case(session, **report(language=language)).case
    follow_case(session, source, channel="telegram", sender_id=follower, contact=follower,
                language="nl")
    return target, source


def test_merge_moves_people_records_history_and_tells_each_citizen_once(
        db: str, report: Callable[..., dict], sender: str) -> None:
    follower = f"test-{uuid.uuid4().hex[:12]}"
    with session_scope(db) as session:
        target, source = two_reports_one_followed(session, report, "pt", follower)
        result = merge_cases(session, source, target, actor="alice",
                             reason="Same hole, reported twice", now=LATER)
        assert result.source_status_before == "new"
        assert (source.status, source.merged_into_id) == ("duplicate", target.id)
        moved = {(row.channel, row.sender_id) for row in followers_of(session, target.id)}
        source_history = [(event.kind, event.reason) for event in source.events]
        target_history = [(event.kind, event.reason) for event in target.events]
    assert moved == {("webchat", sender), ("telegram", follower)}
    assert ("merged", f"Merged into {target.reference}: Same hole, reported twice") in source_history
    assert ("status_changed", "Same hole, reported twice") in source_history
    assert target_history[-1] == ("merged", f"{source.reference} merged into this case: "
                                            "Same hole, reported twice")
    told = {message.recipient: message for message in outbox(db, source.id)}
    assert set(told) == {sender, follower}
    assert told[sender].body.startswith(f"O pedido {source.reference} (Buraco na estrada) é sobre "
                                        f"o mesmo problema que o pedido {target.reference}.")
    assert f"melding {target.reference}" in told[follower].body
    assert outbox(db, target.id) == []  # the target's citizens hear nothing about the merge


def test_a_merge_with_a_standard_reason_tells_each_citizen_in_their_language(
        db: str, report: Callable[..., dict]) -> None:
    follower = f"test-{uuid.uuid4().hex[:12]}"
    with session_scope(db) as session:
        target, source = two_reports_one_followed(session, report, "es", follower)
        merge_cases(session, source, target, actor="alice", reason="", now=LATER,
                    reason_code="same_spot")
        target_history = [(event.kind, event.reason) for event in target.events]
    assert target_history[-1] == ("merged", f"{source.reference} merged into this case: "
                                            "Both reports are about the same spot.")
    told = {message.language: message.body for message in outbox(db, source.id)}
    assert "Los dos avisos son del mismo lugar." in told["es"]
    assert "Beide meldingen gaan over dezelfde plek." in told["nl"]


def test_after_a_merge_the_merged_reporter_hears_about_the_target(
        db: str, report: Callable[..., dict], sender: str) -> None:
    with session_scope(db) as session:
        target = open_case(session, **report(sender_id=f"test-{uuid.uuid4().hex[:12]}")).case
        source = open_case(session, **report(language="es")).case
        merge_cases(session, source, target, actor="alice", reason="Same hole", now=LATER)
        change_status(session, target, "resolved", "Filled", by="alice", now=EVEN_LATER)
    to_source_reporter = [message for message in outbox(db, target.id)
                          if message.recipient == sender]
    [message] = to_source_reporter
    assert message.language == "es" and "que usted sigue" in message.body
    assert message.payload["asks_fix_confirmation"] is False  # only the reporter is asked


def test_merged_case_reopened_stands_on_its_own(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        target = open_case(session, **report()).case
        source = open_case(session, **report()).case
        merge_cases(session, source, target, actor="alice", reason="Same", now=LATER)
        change_status(session, source, "in_progress", "Not the same after all", by="alice",
                      now=EVEN_LATER)
        assert source.merged_into_id is None and source.status == "in_progress"


@pytest.mark.parametrize("problem", ["itself", "target_is_duplicate", "no_reason",
                                     "source_is_duplicate"])
def test_merges_that_would_lose_track_are_refused(db: str, report: Callable[..., dict],
                                                  problem: str) -> None:
    with session_scope(db) as session:
        source = open_case(session, **report()).case
        target = open_case(session, **report()).case
        third = open_case(session, **report()).case
        reason = "Same"
        if problem == "itself":
            target = source
        elif problem == "target_is_duplicate":
            merge_cases(session, target, third, actor="alice", reason="Same")
        elif problem == "no_reason":
            reason = " "
        else:
            merge_cases(session, source, third, actor="alice", reason="Same")
        error = InvalidTransition if problem == "source_is_duplicate" else InvalidInput
        with pytest.raises(error):
            merge_cases(session, source, target, actor="alice", reason=reason)
        assert session.get(Case, target.id).status in ("new", "duplicate")
