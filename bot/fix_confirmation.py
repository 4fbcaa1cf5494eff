"""The citizen's word on a resolved case: is it really fixed, and how satisfied are they (1-5)?

Closing the loop means the city does not get the last word: when a caseworker marks a case
resolved the reporter is asked (bot.notifications, fix_confirmation = "asked"), and a "no"
puts the case back in progress with a reason in its history, flagged "not_fixed" so the
console shows it as needing attention. A "yes" confirms the fix; a rating becomes the case's
satisfaction and a Feedback row, so it counts with the rest of the service's feedback.

Answers may be retried (a provider retry, a double tap): repeating one changes nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Union

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.cases import change_status, find_case
from bot.clock import utc_naive
from bot.errors import CaseNotFound, InvalidTransition
from bot.feedback import parse_rating, record_feedback
from bot.models import Case, Feedback

__all__ = ["FixAnswer", "NOT_FIXED", "NOT_FIXED_REASON", "pending_confirmation", "case_for_fix_answer",
           "record_fix_confirmation", "record_satisfaction"]

ASKED, CONFIRMED, NOT_FIXED = "asked", "confirmed", "not_fixed"
NOT_FIXED_REASON = "reported_not_fixed"  # a standard reason: each follower reads it in their language
REOPENED_STATUS = "in_progress"
CITIZEN = "citizen"


@dataclass(frozen=True)
class FixAnswer:
    """What the citizen's answer did, for the reply: whether the case went back to work."""

    reference: str
    fixed: bool
    reopened: bool
    rating: Optional[int]


def pending_confirmation(session: Session, channel: str, sender_id: str) -> Optional[Case]:
    """The latest case this conversation reported that still waits for "is it fixed?"."""
    return session.execute(
        select(Case).where(Case.channel == channel, Case.sender_id == sender_id,
                           Case.fix_confirmation == ASKED)
        .order_by(Case.updated_at.desc(), Case.id.desc())
    ).scalars().first()


def case_for_fix_answer(session: Session, channel: str, sender_id: str,
                        reference: Optional[str] = None) -> Optional[Case]:
    """The case a "yes, fixed" or "still broken" is about.

    A quoted reference counts only for the conversation that reported it (references are
    short and guessable: nobody reopens someone else's case). Without one: the case waiting
    for an answer, else the latest case of theirs that was resolved.
    """
    if reference:
        case = find_case(session, reference)
        if case.channel != channel or case.sender_id != sender_id:
            raise CaseNotFound(case.reference)
        return case
    waiting = pending_confirmation(session, channel, sender_id)
    if waiting is not None:
        return waiting
    return session.execute(
        select(Case).where(Case.channel == channel, Case.sender_id == sender_id,
                           or_(Case.status == "resolved", Case.fix_confirmation == NOT_FIXED))
        .order_by(Case.updated_at.desc(), Case.id.desc())
    ).scalars().first()


def record_fix_confirmation(session: Session, case: Case, *, fixed: bool,
                            rating: Union[int, str, None], now: Optional[dt.datetime] = None,
                            sender_id: Optional[str] = None,
                            channel: Optional[str] = None) -> FixAnswer:
    """Record "fixed" or "not fixed" (and a rating, when given with it).

    Not fixed: a resolved case goes back to in_progress through change_status (history,
    and the update to the citizen), flagged "not_fixed". Fixed: "confirmed". Raises
    InvalidTransition when the case is not resolved and the answer cannot apply to it.
    """
    moment = utc_naive(now)
    reopened = False
    if fixed:
        if case.status != "resolved":
            raise InvalidTransition(case.status, "resolved")
        case.fix_confirmation = CONFIRMED
    elif case.status == "resolved":
        change_status(session, case, REOPENED_STATUS, None, CITIZEN, now=moment,
                      reason_code=NOT_FIXED_REASON)
        case.fix_confirmation, reopened = NOT_FIXED, True
    elif case.fix_confirmation != NOT_FIXED:
        raise InvalidTransition(case.status, REOPENED_STATUS)
    session.flush()
    score = record_satisfaction(session, case, rating, now=moment, sender_id=sender_id,
                                channel=channel)
    return FixAnswer(reference=case.reference, fixed=fixed, reopened=reopened, rating=score)


def record_satisfaction(session: Session, case: Case, rating: Union[int, str, None], *,
                        now: Optional[dt.datetime] = None, sender_id: Optional[str] = None,
                        channel: Optional[str] = None) -> Optional[int]:
    """The 1-5 rating as the case's satisfaction and as feedback on it; None (skip) keeps
    nothing. InvalidInput for anything but 1-5 or a skip word."""
    score = parse_rating(rating)
    if score is None:
        return None
    who, where = sender_id or case.sender_id, channel or case.channel
    case.satisfaction = score
    if not _already_rated(session, case, who, score):
        record_feedback(session, sender_id=who, channel=where, text="", rating=score,
                        language=case.language, case_reference=case.reference, now=now)
    session.flush()
    return score


def _already_rated(session: Session, case: Case, sender_id: str, score: int) -> bool:
    """A retried rating: the sender's latest feedback on this case is this same bare rating."""
    latest = session.execute(
        select(Feedback).where(Feedback.case_id == case.id, Feedback.sender_id == sender_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    ).scalars().first()
    return latest is not None and latest.rating == score and not latest.text


def confirm_by_feedback(session: Session, case: Case, feedback: Feedback) -> bool:
    """The reporter's feedback, given when "is it fixed?" was waiting, says it is ("thank
    you, it's been fixed, great job"): the fix is confirmed, and the feedback's rating is
    the case's satisfaction. The feedback already carries that rating, so no bare rating is
    added beside it. False when the case is no longer resolved (a caseworker reopened it)."""
    try:
        record_fix_confirmation(session, case, fixed=True, rating=None,
                                sender_id=feedback.sender_id, channel=feedback.channel)
    except InvalidTransition:
        return False
    if feedback.rating is not None:
        case.satisfaction = feedback.rating
    return True
