"""Answer a citizen's policy question and log what was served, in one step.

Every question is logged (FaqQuery): answered ones with the entry, version and score, so the
team can see who was told what and which answers came from a version since replaced; and the
ones the bot was not sure about, so the team can write the missing entries.

Retrieval is lexical, so a close score is weak evidence: "how do I report a stray dog" scores
high against dog fouling. The bot answers outright only when the best entry reaches
settings.faq_min_score AND leads the next by settings.faq_answer_margin. Otherwise, when some
entries reach settings.faq_suggest_min_score, it offers them ("did you mean...?") with "none
of these"; the citizen's pick is logged on the same row (choose_suggestion), and a question
none of them fits stays unanswered, in the team's list of gaps. Below that, it says it is not
sure and offers a person. tests/faq/heldout.yml and `make bench-faq` measure the three ways.
An answered question can then be rated by the citizen ("did that answer your question?"),
so the team also sees the confident answers that missed (bot.faq_reports.missed_answers).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.faq import FaqMatch, find_candidates, published_match
from bot.models import FaqQuery
from bot.settings import get_settings

MAX_LOGGED_QUESTION = 1000
MAX_SUGGESTIONS = 3
# Only entries this close to the best are offered with it: a list of one strong and two weak
# guesses reads as noise.
SUGGESTION_WINDOW = 0.15


@dataclass(frozen=True)
class PolicyAnswer:
    """What to tell the citizen: `match` when `answered`; else the `suggestions` to choose
    from, when there are any; else the offer of a person. `match` is the best guess either
    way (its score goes to the log)."""

    match: Optional[FaqMatch]
    answered: bool
    query_id: int
    suggestions: List[FaqMatch] = field(default_factory=list)


def answer_question(session: Session, question: str, language: str,
                    channel: Optional[str] = None, now: Optional[dt.datetime] = None
                    ) -> PolicyAnswer:
    """The best published answer if it is clearly the one, else the entries worth offering;
    logged either way."""
    decision = decide(session, question, language)
    query = record_query(session, question=question, language=language, channel=channel,
                         match=decision.best, answered=decision.answered, now=now,
                         suggested=[item.entry_id for item in decision.suggestions])
    return PolicyAnswer(match=decision.best, answered=decision.answered, query_id=query.id,
                        suggestions=decision.suggestions)


def answer_if_clear(session: Session, text: str, language: str, channel: Optional[str] = None,
                    now: Optional[dt.datetime] = None) -> Optional[PolicyAnswer]:
    """For a message the dialogue could not place (no intent fitted it): the answer, logged,
    only when one entry is clearly the one. A topic the comms team added after the model was
    trained can read as nothing the model knows ("posso estacionar no passeio?"). Nothing is
    logged otherwise: such messages are mostly not questions (an address, a typo, small
    talk), and would bury the team's list of unanswered ones."""
    decision = decide(session, text, language)
    if not decision.answered:
        return None
    query = record_query(session, question=text, language=language, channel=channel,
                         match=decision.best, answered=True, now=now)
    return PolicyAnswer(match=decision.best, answered=True, query_id=query.id)


@dataclass(frozen=True)
class Decision:
    """What the bot would do with a question: answer with `best` when `answered`, else offer
    the `suggestions` (possibly none). `best` is the closest entry either way."""

    best: Optional[FaqMatch]
    answered: bool
    suggestions: List[FaqMatch]


def decide(session: Session, question: str, language: str) -> Decision:
    """The rule, without logging: the bot's replies and `make bench-faq` both use it, so the
    benchmark measures exactly what citizens get."""
    candidates = find_candidates(session, question, language, limit=MAX_SUGGESTIONS)
    answered = clear_answer(candidates)
    return Decision(best=candidates[0] if candidates else None, answered=answered,
                    suggestions=[] if answered else worth_offering(candidates))


def clear_answer(candidates: Sequence[FaqMatch]) -> bool:
    """Whether the best entry is confident and well ahead of the next."""
    if not candidates:
        return False
    settings = get_settings()
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    return (candidates[0].score >= settings.faq_min_score
            and candidates[0].score - runner_up >= settings.faq_answer_margin)


def worth_offering(candidates: Sequence[FaqMatch]) -> List[FaqMatch]:
    """The entries to offer as "did you mean": from the suggestion floor, and near the best."""
    if not candidates:
        return []
    floor = max(get_settings().faq_suggest_min_score, candidates[0].score - SUGGESTION_WINDOW)
    return [item for item in candidates[:MAX_SUGGESTIONS] if item.score >= floor]


def record_query(session: Session, *, question: str, language: str, channel: Optional[str],
                 match: Optional[FaqMatch], answered: bool,
                 now: Optional[dt.datetime] = None,
                 suggested: Optional[List[int]] = None) -> FaqQuery:
    """One row of the answer log. An unanswered row keeps the best guess's score (for tuning
    the threshold) and the entries offered, but no entry, so reports never count it as
    served until the citizen picks one."""
    query = FaqQuery(asked_at=utc_naive(now), question=question.strip()[:MAX_LOGGED_QUESTION],
                     language=language[:8], channel=(channel or None) and channel[:20],
                     entry_id=match.entry_id if (match and answered) else None,
                     version=match.version if (match and answered) else None,
                     score=match.score if match else None, answered=answered,
                     suggested_entries=list(suggested) if suggested else None)
    session.add(query)
    session.flush()
    return query


def choose_suggestion(session: Session, query_id: int, entry_id: int,
                      language: str) -> Optional[FaqMatch]:
    """The entry a citizen picked from the suggestions of their question, now served: the log
    row records it as answered with that entry. None when the row is gone (erased), the entry
    was not among those offered on it (a forged or stale button), or it is no longer
    published; the caller then says it is not sure."""
    query = session.get(FaqQuery, query_id)
    if query is None or entry_id not in (query.suggested_entries or []):
        return None
    match = published_match(session, entry_id, language)
    if match is None:
        return None
    query.entry_id, query.version, query.answered = match.entry_id, match.version, True
    session.flush()
    return match


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
