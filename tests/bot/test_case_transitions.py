"""bot.cases status workflow: the allowed moves are defined once, staff must give a reason,
closed cases reopen to in_progress, and "resolved" puts the fix question to the reporter."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest

from bot.cases import ALLOWED_TRANSITIONS, change_status, change_status_by_staff, open_case
from bot.db import session_scope
from bot.errors import InvalidInput, InvalidTransition
from bot.models import CASE_STATUSES

LATER = dt.datetime(2026, 11, 25, 9, 0)


def test_every_status_has_its_moves_and_none_leads_back_to_new() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(CASE_STATUSES)
    assert all("new" not in moves and status not in moves
               for status, moves in ALLOWED_TRANSITIONS.items())
    for closing in ("resolved", "closed_not_fixed", "duplicate", "referred"):
        assert ALLOWED_TRANSITIONS[closing] == ("in_progress",)


@pytest.mark.parametrize("path, refused", [
    (["acknowledged"], "new"),
    (["in_progress"], "acknowledged"),
    (["resolved"], "closed_not_fixed"),
    (["referred"], "referred"),
])
def test_moves_outside_the_workflow_are_refused(db: str, report: Callable[..., dict],
                                                path: list, refused: str) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        for status in path:
            change_status_by_staff(session, case, status, "step", by="alice", now=LATER)
        with pytest.raises(InvalidTransition):
            change_status_by_staff(session, case, refused, "not allowed", by="alice", now=LATER)
        assert case.status == path[-1]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_staff_must_give_a_reason(db: str, report: Callable[..., dict], reason: object) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        with pytest.raises(InvalidInput):
            change_status_by_staff(session, case, "acknowledged", reason, by="alice")  # type: ignore[arg-type]
        assert case.status == "new" and len(case.events) == 1


def test_a_closed_case_reopens_and_the_not_fixed_flag_is_kept_until_dealt_with(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        change_status_by_staff(session, case, "resolved", "Filled", by="alice", now=LATER)
        assert case.fix_confirmation == "asked"
        case.fix_confirmation = "not_fixed"  # what bot.fix_confirmation records
        change_status(session, case, "in_progress", "The citizen says it is not fixed",
                      by="citizen", now=LATER)
        assert case.fix_confirmation == "not_fixed"
        change_status_by_staff(session, case, "resolved", "Re-filled", by="alice", now=LATER)
        assert case.fix_confirmation == "asked"
        change_status_by_staff(session, case, "in_progress", "Reopened by us", by="alice",
                               now=LATER)
        assert case.fix_confirmation is None  # the unanswered question no longer stands
