"""bot.fix_confirmation: the citizen's "is it really fixed?" answer and rating after resolved."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest
from sqlalchemy import select

from bot.cases import change_status, open_case
from bot.db import session_scope
from bot.errors import CaseNotFound, InvalidInput, InvalidTransition
from bot.fix_confirmation import (NOT_FIXED_REASON, case_for_fix_answer, pending_confirmation,
                                  record_fix_confirmation, record_satisfaction)
from bot.models import Case, CaseEvent, Feedback

LATER = dt.datetime(2026, 11, 25, 9, 0)


def resolved_case(session, report: Callable[..., dict], **overrides) -> Case:
    """A case a caseworker resolved, with the fix question asked (as bot.notifications does)."""
    case = open_case(session, **report(**overrides)).case
    change_status(session, case, "resolved", "Filled and sealed", "staff:ana", now=LATER)
    case.fix_confirmation = "asked"
    session.flush()
    return case


def feedback_on(session, case: Case):
    return session.execute(select(Feedback).where(Feedback.case_id == case.id)).scalars().all()


def test_not_fixed_puts_the_case_back_in_progress_with_the_reason(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        answer = record_fix_confirmation(session, case, fixed=False, rating=None)
        events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.id)).scalars().all()
        assert (case.status, case.fix_confirmation) == ("in_progress", "not_fixed")
        assert answer.reopened and not answer.fixed
        last = events[-1]
        assert (last.from_status, last.to_status, last.reason_code, last.reason, last.actor) == (
            "resolved", "in_progress", NOT_FIXED_REASON, None, "citizen")
        assert feedback_on(session, case) == []


def test_a_repeated_not_fixed_reopens_once(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        record_fix_confirmation(session, case, fixed=False, rating=None)
        again = record_fix_confirmation(session, case, fixed=False, rating=None)
        reopenings = [event for event in case.events if event.to_status == "in_progress"]
        assert not again.reopened and len(reopenings) == 1


def test_fixed_with_a_rating_confirms_and_keeps_the_satisfaction(
        db: str, report: Callable[..., dict], sender: str) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report, language="es")
        answer = record_fix_confirmation(session, case, fixed=True, rating="4")
        assert (case.status, case.fix_confirmation, case.satisfaction) == ("resolved",
                                                                           "confirmed", 4)
        assert answer.rating == 4 and not answer.reopened
        [feedback] = feedback_on(session, case)
        assert (feedback.rating, feedback.sender_id, feedback.language) == (4, sender, "es")


def test_a_retried_rating_is_stored_once(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        record_fix_confirmation(session, case, fixed=True, rating=None)
        record_satisfaction(session, case, 5)
        record_satisfaction(session, case, "5")
        assert case.satisfaction == 5 and len(feedback_on(session, case)) == 1


@pytest.mark.parametrize("rating", ["9", "great"])
def test_a_rating_outside_one_to_five_is_refused(db: str, report: Callable[..., dict],
                                                 rating: str) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        with pytest.raises(InvalidInput):
            record_satisfaction(session, case, rating)
        assert case.satisfaction is None


def test_fixed_cannot_apply_to_a_case_still_open(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        with pytest.raises(InvalidTransition):
            record_fix_confirmation(session, case, fixed=True, rating=None)
        with pytest.raises(InvalidTransition):
            record_fix_confirmation(session, case, fixed=False, rating=None)
        assert case.status == "new" and case.fix_confirmation is None


def test_pending_confirmation_is_the_latest_asked_case_of_that_conversation(
        db: str, report: Callable[..., dict], sender: str) -> None:
    with session_scope(db) as session:
        older = resolved_case(session, report)
        newer = resolved_case(session, report)
        newer.updated_at = LATER + dt.timedelta(hours=1)
        answered = resolved_case(session, report)
        answered.updated_at = LATER + dt.timedelta(hours=2)
        answered.fix_confirmation = "confirmed"
        session.flush()
        assert pending_confirmation(session, "webchat", sender) is newer
        assert pending_confirmation(session, "telegram", sender) is None
        assert older.reference != newer.reference


def test_the_case_for_an_answer_without_a_question_is_the_latest_resolved(
        db: str, report: Callable[..., dict], sender: str) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        case.fix_confirmation = "confirmed"
        open_case(session, **report())  # a newer case, not resolved
        session.flush()
        assert case_for_fix_answer(session, "webchat", sender) is case
        assert case_for_fix_answer(session, "webchat", "someone-else") is None


def test_a_quoted_reference_counts_only_for_its_reporter(db: str, report: Callable[..., dict],
                                                         sender: str) -> None:
    with session_scope(db) as session:
        case = resolved_case(session, report)
        assert case_for_fix_answer(session, "webchat", sender, case.reference) is case
        with pytest.raises(CaseNotFound):
            case_for_fix_answer(session, "webchat", "someone-else", case.reference)
