"""Answer a citizen's policy question and log what was served, in one step.

Every question is logged (FaqQuery): answered ones with the entry, version and score, so the
team can see who was told what and which answers came from a version since replaced; and the
ones the bot was not sure about, so the team can write the missing entries. The threshold is
settings.faq_min_score; below it the adapter says it is not sure and offers a person.
An answered question can then be rated by the citizen ("did that answer your question?"),
so the team also sees the confident answers that missed (bot.faq_reports.missed_answers).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.faq import FaqMatch, find_answer
from bot.models import FaqQuery
from bot.settings import get_settings

MAX_LOGGED_QUESTION = 1000


@dataclass(frozen=True)
class PolicyAnswer:
    """What to tell the citizen: `match` when `answered`, else the offer of a person."""

    match: Optional[FaqMatch]
    answered: bool
    query_id: int


def answer_question(session: Session, question: str, language: str,
                    channel: Optional[str] = None, now: Optional[dt.datetime] = None
                    ) -> PolicyAnswer:
    """The best published answer if it is confident enough, logged either way."""
    match = find_answer(session, question, language)
    answered = match is not None and match.score >= get_settings().faq_min_score
    query = record_query(session, question=question, language=language, channel=channel,
                         match=match, answered=answered, now=now)
    return PolicyAnswer(match=match, answered=answered, query_id=query.id)


def record_query(session: Session, *, question: str, language: str, channel: Optional[str],
                 match: Optional[FaqMatch], answered: bool,
                 now: Optional[dt.datetime] = None) -> FaqQuery:
    """One row of the answer log. An unanswered row keeps the best guess's score (for tuning
    the threshold) but no entry, so reports never count it as served."""
    query = FaqQuery(asked_at=utc_naive(now), question=question.strip()[:MAX_LOGGED_QUESTION],
                     language=language[:8], channel=(channel or None) and channel[:20],
                     entry_id=match.entry_id if (match and answered) else None,
                     version=match.version if (match and answered) else None,
                     score=match.score if match else None, answered=answered)
    session.add(query)
    session.flush()
    return query


def rate_answer(session: Session, query_id: int, helpful: bool,
                now: Optional[dt.datetime] = None) -> bool:
    """Record whether an answer helped. Only answers served can be rated, and a later word
    replaces an earlier one ("yes"... then "actually no"); False when there is nothing to
    rate (an unanswered question, or a log row since erased)."""
    query = session.get(FaqQuery, query_id)
    if query is None or not query.answered:
        return False
    query.helpful, query.rated_at = helpful, utc_naive(now)
    session.flush()
    return True
