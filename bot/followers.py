"""Citizens who follow a case they did not open: a duplicate report they chose to follow
instead, or the reporter and followers of a case merged into this one.

Followers get the same updates as the reporter, on their own channel and in their own
language, so one fix closes the loop with everyone who told us about the problem.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.errors import InvalidInput
from bot.idempotency import insert_once
from bot.models import Case, CaseFollower

__all__ = ["follow_case", "followers_of", "follower_counts", "is_reporter", "follows",
           "cases_of_conversation",
           "carry_followers", "remember_follower_language"]


def follow_case(session: Session, case: Case, *, channel: str, sender_id: str,
                contact: Optional[str], language: str, consent_updates: bool = True,
                now: Optional[dt.datetime] = None) -> CaseFollower:
    """Make this conversation a follower of `case`, once.

    Following again (a retried action, a second duplicate report) returns the same row with
    the citizen's latest wishes: their language, their contact, whether they want updates.
    """
    if not channel or not sender_id:
        raise InvalidInput("a follower needs a channel and a conversation id")
    row = CaseFollower(case_id=case.id, channel=channel, sender_id=sender_id, contact=contact,
                       language=language, consent_updates=bool(consent_updates),
                       created_at=utc_naive(now))
    follower, created = insert_once(session, row, lambda: _find(session, case.id, channel,
                                                                sender_id))
    if not created:
        follower.language = language or follower.language
        follower.contact = contact or follower.contact
        follower.consent_updates = bool(consent_updates)
        session.flush()
    return follower


def followers_of(session: Session, case_id: int) -> List[CaseFollower]:
    """Everyone following the case, in the order they started following."""
    return list(session.execute(select(CaseFollower).where(CaseFollower.case_id == case_id)
                                .order_by(CaseFollower.created_at, CaseFollower.id)).scalars())


def follower_counts(session: Session, case_ids: List[int]) -> dict:
    """case id -> number of followers, for the case list (one query for a whole page)."""
    if not case_ids:
        return {}
    rows = session.execute(select(CaseFollower.case_id, func.count(CaseFollower.id))
                           .where(CaseFollower.case_id.in_(case_ids))
                           .group_by(CaseFollower.case_id))
    return {case_id: count for case_id, count in rows}


def is_reporter(case: Case, channel: str, sender_id: str) -> bool:
    """Whether this conversation opened the case (a reporter never needs to follow it too)."""
    return case.channel == channel and case.sender_id == sender_id


def follows(session: Session, case: Case, channel: str, sender_id: str) -> bool:
    """Whether this conversation follows the case."""
    return _find(session, case.id, channel, sender_id) is not None


def cases_of_conversation(session: Session, channel: str, sender_id: str,
                          limit: int) -> List[Case]:
    """The cases this conversation reported or follows, newest first: "what about my
    reports?" and "add to my report" mean the pothole they followed as much as their own."""
    followed = select(CaseFollower.case_id).where(CaseFollower.channel == channel,
                                                  CaseFollower.sender_id == sender_id)
    query = (select(Case).where(Case.anonymised_at.is_(None), or_(
        and_(Case.channel == channel, Case.sender_id == sender_id), Case.id.in_(followed)))
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))
    return list(session.execute(query).scalars())


def carry_followers(session: Session, source: Case, target: Case,
                    now: Optional[dt.datetime] = None) -> List[CaseFollower]:
    """On a merge, the source's reporter and followers follow the target from now on.

    Nobody is lost and nobody is added twice: the target's own reporter is skipped, and a
    citizen who already follows the target keeps one row; consent is never downgraded by
    the merge (a "yes, keep me posted" on either case stands).
    """
    people = [(source.channel, source.sender_id, source.contact, source.language,
               bool(source.consent_updates))]
    people += [(row.channel, row.sender_id, row.contact, row.language, bool(row.consent_updates))
               for row in followers_of(session, source.id)]
    carried = []
    for channel, sender_id, contact, language, consent in people:
        if is_reporter(target, channel, sender_id):
            continue
        existing = _find(session, target.id, channel, sender_id)
        if existing is not None:
            existing.consent_updates = existing.consent_updates or consent
            carried.append(existing)
            continue
        carried.append(follow_case(session, target, channel=channel, sender_id=sender_id,
                                   contact=contact, language=language, consent_updates=consent,
                                   now=now))
    session.flush()
    return carried


def remember_follower_language(session: Session, channel: str, sender_id: str,
                               language: str) -> int:
    """The citizen now talks to us in `language`: updates of cases they follow use it too."""
    rows = session.execute(select(CaseFollower).where(
        CaseFollower.channel == channel, CaseFollower.sender_id == sender_id,
        CaseFollower.language != language)).scalars().all()
    for row in rows:
        row.language = language
    return len(rows)


def _find(session: Session, case_id: int, channel: str, sender_id: str) -> Optional[CaseFollower]:
    return session.execute(select(CaseFollower).where(
        CaseFollower.case_id == case_id, CaseFollower.channel == channel,
        CaseFollower.sender_id == sender_id)).scalars().first()
