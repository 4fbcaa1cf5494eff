"""The feedback inbox: what citizens told the city, read by staff and answered on the citizen's
own channel.

Feedback was stored, and shown only on the page of a case it named: a complaint about the bin
crew or the website, the most common kind, reached nobody, though the bot tells the citizen it
"goes to the team that runs this service". Here the team lists it, newest first, with what
needs reading first (not yet handled, low ratings), marks it handled, and may answer it once.
The answer goes through the outbox in the same unit of work as the record of it (as a case
update does), in the language the citizen wrote in, unless they have stopped our messages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.audit import record
from bot.clock import utc_naive
from bot.errors import FeedbackNotFound, InvalidInput
from bot.models import Case, Feedback
from bot.notifications import notification_template
from bot.optouts import is_opted_out
from bot.outbox import enqueue
from bot.privacy_erase import ANONYMOUS
from bot.sender_limits import CITIZEN_CHANNELS
from bot.sms_text import staff_words

MAX_REPLY_CHARS = 600  # with its wrapping, a reply stays within a few SMS segments
PAGE_SIZE = 50
REPLY_KIND = "feedback_reply"  # the outbox row, and its wording in content/channels.yml
# Which feedback a list shows: what is still to be read, what was read, or everything.
OPEN, HANDLED, ALL = "open", "handled", "all"
STATUSES = (OPEN, HANDLED, ALL)
# What is still to be read: not handled, and with words. A rating alone (the 1-5 after "is it
# fixed?", bot.fix_confirmation) counts in the averages and shows under "all", but there is
# nothing in it to read or answer; nor in feedback whose words were erased.
_TO_READ = (Feedback.handled_at.is_(None), Feedback.text != "")
# Ratings worth reading first, and the rest.
LOW, HIGH, UNRATED = "low", "high", "unrated"
RATING_GROUPS: Dict[str, tuple] = {LOW: (1, 2), HIGH: (4, 5)}
ALREADY_ANSWERED = "This feedback was already answered."


@dataclass(frozen=True)
class FeedbackItem:
    """One piece of feedback as the console shows it."""

    id: int
    created_at: dt.datetime
    channel: str
    language: str
    rating: Optional[int]
    text: str
    case_reference: Optional[str]
    handled_at: Optional[dt.datetime]
    handled_by: Optional[str]
    reply: Optional[str]
    erased: bool


@dataclass(frozen=True)
class FeedbackSummary:
    """The inbox at a glance: how much is waiting, and how citizens rated the service."""

    open_count: int
    rated_count: int
    average_rating: Optional[float]
    by_rating: Dict[int, int]


def list_feedback(session: Session, *, status: str = OPEN, rating: Optional[str] = None,
                  page: int = 1) -> List[FeedbackItem]:
    """A page of feedback, newest first; InvalidInput for a filter the inbox does not have."""
    query = select(Feedback, Case.reference).outerjoin(Case, Feedback.case_id == Case.id)
    query = _filtered(query, status, rating)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    rows = session.execute(query.order_by(Feedback.created_at.desc(), Feedback.id.desc())
                           .limit(PAGE_SIZE).offset(offset)).all()
    return [_item(feedback, reference) for feedback, reference in rows]


def count_feedback(session: Session, *, status: str = OPEN, rating: Optional[str] = None) -> int:
    """How many pieces of feedback the same filters hold (for the pages)."""
    query = _filtered(select(func.count(Feedback.id)), status, rating)
    return int(session.execute(query).scalar_one())


def summary(session: Session, since: Optional[dt.datetime] = None) -> FeedbackSummary:
    """Open feedback, and the ratings given since `since` (all time when None)."""
    open_count = session.execute(select(func.count(Feedback.id)).where(*_TO_READ)).scalar_one()
    ratings = select(Feedback.rating, func.count(Feedback.id)).where(Feedback.rating.is_not(None))
    if since is not None:
        ratings = ratings.where(Feedback.created_at >= utc_naive(since))
    by_rating = {rating: 0 for rating in range(1, 6)}
    for rating, count in session.execute(ratings.group_by(Feedback.rating)):
        by_rating[int(rating)] = int(count)
    rated = sum(by_rating.values())
    average = (sum(rating * count for rating, count in by_rating.items()) / rated
               if rated else None)
    return FeedbackSummary(int(open_count), rated, average, by_rating)


def get_feedback(session: Session, feedback_id: int) -> FeedbackItem:
    """One piece of feedback; FeedbackNotFound when there is none with that id."""
    row = session.execute(select(Feedback, Case.reference)
                          .outerjoin(Case, Feedback.case_id == Case.id)
                          .where(Feedback.id == feedback_id)).first()
    if row is None:
        raise FeedbackNotFound(feedback_id)
    return _item(*row)


def why_no_reply(session: Session, feedback_id: int) -> Optional[str]:
    """None when the citizen can be answered; otherwise why not, in the console's words."""
    feedback = _row(session, feedback_id)
    if feedback.reply:
        return ALREADY_ANSWERED
    if feedback.sender_id == ANONYMOUS:
        return "The citizen's details were erased, so they cannot be answered."
    if feedback.channel not in CITIZEN_CHANNELS:
        return (f"This feedback came through {feedback.channel!r}, which cannot carry a "
                "message back to the citizen.")
    if is_opted_out(session, feedback.channel, feedback.sender_id):
        return ("The citizen has stopped all messages from us (STOP), so they cannot be "
                "answered until they send START.")
    return None


def reply(session: Session, feedback_id: int, text: str, *, by: str, ip: Optional[str] = None,
          now: Optional[dt.datetime] = None) -> FeedbackItem:
    """Answer the feedback on the citizen's channel and mark it handled, in one unit of work.
    InvalidInput for an empty or overlong answer, or a citizen who cannot be answered."""
    words = staff_words(text, MAX_REPLY_CHARS, "answer", "the citizen")
    refused = why_no_reply(session, feedback_id)
    if refused:
        raise InvalidInput(refused)
    moment = utc_naive(now)
    # Only the first of two staff answering at once writes (and so sends) an answer.
    answered = session.execute(update(Feedback).where(
        Feedback.id == feedback_id, Feedback.reply.is_(None)).values(
        reply=words, handled_by=by[:80], handled_at=moment).execution_options(
        synchronize_session="fetch"))
    if answered.rowcount != 1:
        raise InvalidInput(ALREADY_ANSWERED)
    feedback = _row(session, feedback_id)
    body = notification_template(REPLY_KIND, feedback.language).format(reply=words)
    enqueue(session, channel=feedback.channel, recipient=feedback.sender_id,
            language=feedback.language, kind=REPLY_KIND, body=body,
            payload={"feedback_id": feedback.id}, dedupe_key=f"feedback-reply:{feedback.id}",
            case_id=feedback.case_id, now=moment)
    record(session, actor=by, action="feedback.reply", target_type="feedback",
           target_id=str(feedback.id), before=None, after={"reply": words}, ip=ip, now=moment)
    return get_feedback(session, feedback_id)


def mark_handled(session: Session, feedback_id: int, *, by: str, ip: Optional[str] = None,
                 now: Optional[dt.datetime] = None) -> FeedbackItem:
    """Mark feedback read without an answer (praise, or nothing to say back); idempotent."""
    feedback = _row(session, feedback_id)
    if feedback.handled_at is None:
        feedback.handled_at, feedback.handled_by = utc_naive(now), by[:80]
        record(session, actor=by, action="feedback.handled", target_type="feedback",
               target_id=str(feedback.id), before=None, after=None, ip=ip, now=now)
    return get_feedback(session, feedback_id)


def _filtered(query, status: str, rating: Optional[str]):  # type: ignore[no-untyped-def]
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if status == OPEN:
        query = query.where(*_TO_READ)
    elif status == HANDLED:
        query = query.where(Feedback.handled_at.is_not(None))
    if rating in RATING_GROUPS:
        query = query.where(Feedback.rating.in_(RATING_GROUPS[rating]))
    elif rating == UNRATED:
        query = query.where(Feedback.rating.is_(None))
    elif rating:
        raise InvalidInput(f"rating must be one of {LOW}, {HIGH}, {UNRATED}")
    return query


def _row(session: Session, feedback_id: int) -> Feedback:
    feedback = session.get(Feedback, feedback_id)
    if feedback is None:
        raise FeedbackNotFound(feedback_id)
    return feedback


def _item(feedback: Feedback, reference: Optional[str]) -> FeedbackItem:
    return FeedbackItem(id=feedback.id, created_at=feedback.created_at,
                        channel=feedback.channel, language=feedback.language,
                        rating=feedback.rating, text=feedback.text, case_reference=reference,
                        handled_at=feedback.handled_at, handled_by=feedback.handled_by,
                        reply=feedback.reply, erased=feedback.sender_id == ANONYMOUS)
