"""Two case rules are stated twice, once in Python over a loaded case's history (for the case
page) and once in SQL (for list filters and the dialogue's one-row reads), because each side
needs its own form. These properties hold them to the same answer on any history, on SQLite
and PostgreSQL, so a change made to one side only fails here:

- "a citizen added something since a caseworker last acted, and the case was not merged into
  another": bot.case_notes.has_unanswered_note (with bot.case_queries.attention_reason's
  merged check) against unanswered_note_clause (cases_with_unanswered_notes);
- "the caseworkers' latest question to the reporter has no note of the reporter's since":
  bot.case_notes.unanswered_question against bot.case_questions.waiting_question.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable, List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.case_notes import (FOLLOWER, MERGED_NOTE_KIND, NOTE_KIND, QUESTION_KIND, REPORTER,
                            cases_with_unanswered_notes, has_unanswered_note,
                            unanswered_question)
from bot.case_questions import waiting_question
from bot.cases import find_case, open_case
from bot.db import session_scope
from bot.models import CaseEvent

START = dt.datetime(2026, 11, 23, 12, 0)  # the report fixture's moment
EVENTS = st.lists(st.tuples(
    st.sampled_from([NOTE_KIND, MERGED_NOTE_KIND, QUESTION_KIND, "status_changed", "merged",
                     "photo_added", "fix_rated"]),
    st.sampled_from([REPORTER, FOLLOWER, "caseworker:ana"])), max_size=8)
RULES = settings(max_examples=80, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def _case_with(db: str, report: Callable[..., dict], history: List[Tuple[str, str]],
               merged: bool) -> Tuple[str, str]:
    """A new case whose history ends with `history`; (reference, sender)."""
    sender = f"rules-{uuid.uuid4().hex[:10]}"
    with session_scope(db) as session:
        case = open_case(session, **report(sender_id=sender)).case
        if merged:
            case.merged_into_id = open_case(session, **report()).case.id
        for step, (kind, actor) in enumerate(history, start=1):
            case.events.append(CaseEvent(kind=kind, actor=actor, reason="words",
                                         created_at=START + dt.timedelta(minutes=step)))
        return case.reference, sender


@RULES
@given(history=EVENTS, merged=st.booleans())
def test_the_needs_attention_rule_is_the_same_in_python_and_sql(
        db: str, report: Callable[..., dict], history: list, merged: bool) -> None:
    reference, _ = _case_with(db, report, history, merged)
    with session_scope(db) as session:
        case = find_case(session, reference)
        in_sql = case.id in cases_with_unanswered_notes(session, [case.id])
        in_python = has_unanswered_note(case.events) and case.merged_into_id is None
    assert in_sql == in_python


@RULES
@given(history=EVENTS)
def test_the_waiting_question_rule_is_the_same_in_python_and_sql(
        db: str, report: Callable[..., dict], history: list) -> None:
    reference, sender = _case_with(db, report, history, merged=False)
    with session_scope(db) as session:
        case = find_case(session, reference)
        in_python = unanswered_question(case.events) is not None
        in_sql = waiting_question(session, "webchat", sender, free_since=None,
                                  now=START + dt.timedelta(hours=1))
    assert (in_sql == reference) if in_python else in_sql is None
