"""Handing a conversation to a person, and telling the citizen when someone will be there.

One waiting escalation per conversation: asking twice for a human updates the transcript
instead of queueing the citizen twice.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, List, Mapping, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.city import City, load_city
from bot.cases import find_case
from bot.clock import utc_naive
from bot.errors import CaseNotFound, InvalidInput, MalformedReference
from bot.models import Case, Escalation

REASONS = ("requested", "misunderstood", "low_confidence")
SEARCH_DAYS = 21


def escalate(session: Session, *, sender_id: str, channel: str, language: str, reason: str,
             transcript: Sequence[Mapping[str, Any]], case_reference: Optional[str] = None,
             now: Optional[dt.datetime] = None) -> Escalation:
    """Queue the conversation for a caseworker (or refresh the one already waiting).

    An unknown or malformed case reference does not stop the handoff: the person is what
    matters; the reference is simply not linked.
    """
    if reason not in REASONS:
        raise InvalidInput(f"unknown escalation reason {reason!r}")
    case_id = _case_id(session, case_reference)
    waiting = session.execute(
        select(Escalation).where(Escalation.sender_id == sender_id, Escalation.channel == channel,
                                 Escalation.status == "waiting")
        .order_by(Escalation.id.desc())
    ).scalars().first()
    escalation = waiting or Escalation(sender_id=sender_id, channel=channel, status="waiting",
                                       created_at=utc_naive(now))
    escalation.language, escalation.reason = language, reason
    escalation.transcript = [dict(line) for line in transcript]
    escalation.case_id = case_id or escalation.case_id
    session.add(escalation)
    session.flush()
    return escalation


def _case_id(session: Session, reference: Optional[str]) -> Optional[int]:
    if not reference:
        return None
    try:
        return find_case(session, reference).id
    except (CaseNotFound, MalformedReference):
        return None


def staffed_now(now: dt.datetime, city: Optional[City] = None) -> bool:
    """Whether caseworkers are on duty at `now` (aware, or naive UTC) in the city's zone."""
    city = city or load_city()
    local = _local(now, city)
    span = city.staffed_hours[local.weekday()]
    if span is None or local.date() in city.holidays:
        return False
    return span[0] <= local.time().replace(tzinfo=None) < span[1]


def next_staffed_time(now: dt.datetime, city: Optional[City] = None) -> dt.datetime:
    """When a person can next answer: `now` if staffed, else the next opening (city time)."""
    city = city or load_city()
    local = _local(now, city)
    if staffed_now(now, city):
        return local
    for offset in range(SEARCH_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        span = city.staffed_hours[day.weekday()]
        if span is None or day in city.holidays:
            continue
        opening = dt.datetime.combine(day, span[0], tzinfo=city.zone)
        if opening > local:
            return opening
    raise ValueError("no staffed hours in the next three weeks; check content/city.yml")


def waiting_escalations(session: Session, limit: int = 50) -> List[Escalation]:
    """The queue caseworkers work through, oldest first."""
    return list(session.execute(
        select(Escalation).where(Escalation.status == "waiting")
        .order_by(Escalation.created_at, Escalation.id).limit(limit)
    ).scalars())


def claimed_escalations(session: Session, limit: int = 100) -> List[Escalation]:
    """Conversations a caseworker has taken and not yet handed back, longest-held first."""
    return list(session.execute(
        select(Escalation).where(Escalation.status == "claimed")
        .order_by(Escalation.claimed_at, Escalation.id).limit(limit)
    ).scalars())


def linked_case(session: Session, escalation: Escalation) -> Optional[Case]:
    """The case the citizen was talking about when they asked for a person, if any."""
    return session.get(Case, escalation.case_id) if escalation.case_id else None


def _local(now: dt.datetime, city: City) -> dt.datetime:
    return utc_naive(now).replace(tzinfo=dt.timezone.utc).astimezone(city.zone)
