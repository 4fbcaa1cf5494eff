"""bot.escalations: handoff to a person, and staffed hours in the city's time zone."""
from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cases import open_case
from bot.db import session_scope
from bot.errors import InvalidInput
from bot.escalations import escalate, next_staffed_time, staffed_now, waiting_escalations
from bot.models import Escalation

LONDON = ZoneInfo("Europe/London")
TRANSCRIPT = [{"role": "citizen", "text": "I need a person"}]


@pytest.mark.parametrize("moment, staffed", [
    (dt.datetime(2026, 11, 23, 9, 0), True),                    # Mon 09:00 GMT
    (dt.datetime(2026, 11, 23, 8, 29), False),                  # before opening
    (dt.datetime(2026, 11, 23, 17, 30), False),                 # closing time itself
    (dt.datetime(2026, 11, 28, 12, 59), True),                  # Saturday morning
    (dt.datetime(2026, 11, 28, 13, 0), False),
    (dt.datetime(2026, 11, 29, 12, 0), False),                  # Sunday
    (dt.datetime(2026, 12, 25, 12, 0), False),                  # Christmas Day
    (dt.datetime(2026, 7, 6, 7, 45), True),                     # 08:45 BST in summer
    (dt.datetime(2026, 7, 6, 16, 45), False),                   # 17:45 BST
    (dt.datetime(2026, 7, 6, 10, 0, tzinfo=LONDON), True),      # aware input
])
def test_staffed_now_uses_local_hours_and_holidays(moment: dt.datetime, staffed: bool) -> None:
    assert staffed_now(moment) is staffed


@pytest.mark.parametrize("moment, expected", [
    (dt.datetime(2026, 11, 23, 10, 0), dt.datetime(2026, 11, 23, 10, 0)),  # staffed: now
    (dt.datetime(2026, 11, 27, 18, 0), dt.datetime(2026, 11, 28, 9, 0)),   # Fri evening -> Sat
    (dt.datetime(2026, 11, 28, 14, 0), dt.datetime(2026, 11, 30, 8, 30)),  # Sat afternoon -> Mon
    (dt.datetime(2026, 12, 24, 18, 0), dt.datetime(2026, 12, 29, 8, 30)),  # over Christmas
    (dt.datetime(2026, 11, 23, 6, 0), dt.datetime(2026, 11, 23, 8, 30)),   # early the same day
])
def test_next_staffed_time_is_the_next_opening(moment: dt.datetime, expected: dt.datetime) -> None:
    result = next_staffed_time(moment)
    assert result.tzinfo is not None
    assert result.replace(tzinfo=None) == expected  # November and December are GMT


def test_escalation_waits_with_its_transcript(db: str, sender: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        escalation = escalate(session, sender_id=sender, channel="webchat", language="en",
                              reason="requested", transcript=TRANSCRIPT,
                              case_reference=case.reference, now=dt.datetime(2026, 11, 23, 12))
        assert escalation.status == "waiting" and escalation.case_id == case.id
        assert escalation.transcript == TRANSCRIPT
        assert escalation.id in [item.id for item in waiting_escalations(session, limit=1000)]


def test_asking_twice_for_a_person_queues_once(db: str, sender: str) -> None:
    for reason in ("misunderstood", "requested"):
        with session_scope(db) as session:
            escalate(session, sender_id=sender, channel="sms", language="es", reason=reason,
                     transcript=TRANSCRIPT * 2, case_reference=None)
    with session_scope(db) as session:
        rows = session.execute(select(Escalation).where(Escalation.sender_id == sender)).scalars().all()
        assert len(rows) == 1 and rows[0].reason == "requested" and len(rows[0].transcript) == 2


def test_bad_case_reference_does_not_block_the_handoff(db: str, sender: str) -> None:
    with session_scope(db) as session:
        for reference in ("C-2099-999997", "C-20-12"):
            assert escalate(session, sender_id=sender, channel="sms", language="en",
                            reason="low_confidence", transcript=[],
                            case_reference=reference).case_id is None


def test_unknown_reason_is_refused(db: str, sender: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(InvalidInput):
            escalate(session, sender_id=sender, channel="sms", language="en", reason="bored",
                     transcript=[], case_reference=None)
        count = session.execute(select(func.count(Escalation.id))
                                .where(Escalation.sender_id == sender)).scalar_one()
        assert count == 0
