"""What the answer log tells the communications team: the questions the bot could not answer
(grouped, so fifty ways of asking about the ferry read as one missing entry), the answers
citizens said did not answer their question, and the answers citizens got from a version that
has since been replaced or archived.

Grouping is average-linkage agglomerative clustering over TF-IDF vectors (character n-grams,
which survive typos, plus words), cosine distance, per language: no model to download, fast
for the few thousand recent questions it looks at.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.models import FaqEntry, FaqQuery

GROUP_SIMILARITY = 0.35  # cosine similarity two questions need (on average) to share a group
MAX_QUESTIONS = 3000  # the most recent unanswered questions considered
MAX_MISSED = 500  # the most recent answers rated unhelpful that are listed
EXAMPLES_PER_GROUP = 8


@dataclass(frozen=True)
class QuestionGroup:
    language: str
    representative: str  # the question most like the rest of its group
    count: int  # times asked, repeats included
    examples: List[str]  # distinct wordings, most asked first
    last_asked: dt.datetime
    # Topics the bot offered for these questions ("is it one of these?") and the citizen did
    # not pick, most often first: the entries whose wording draws this missing one.
    offered: List[Tuple[int, str]] = field(default_factory=list)  # (entry id, topic)


@dataclass(frozen=True)
class ReplacedServing:
    entry_id: int
    topic: str
    state: str
    version: int  # the version the citizens were served
    published_version: Optional[int]  # what is served now (None: never, or archived)
    times: int
    last_served: dt.datetime


@dataclass(frozen=True)
class MissedAnswer:
    """A question a citizen said the answer did not answer: what they asked, what they got."""

    entry_id: int
    topic: str
    version: int
    question: str
    language: str
    asked_at: dt.datetime


@dataclass(frozen=True)
class TopicRatings:
    entry_id: int
    topic: str
    helped: int
    missed: int


def missed_answers(session: Session, since: Optional[dt.datetime] = None
                   ) -> List[MissedAnswer]:
    """Answers rated "no, that's not it", newest first: each is a phrasing to add to the right
    topic (or the topic that is missing), or an answer that needs rewriting."""
    query = (select(FaqEntry.id, FaqEntry.topic, FaqQuery.version, FaqQuery.question,
                    FaqQuery.language, FaqQuery.asked_at)
             .join(FaqEntry, FaqEntry.id == FaqQuery.entry_id)
             .where(FaqQuery.helpful.is_(False)))
    if since is not None:
        query = query.where(FaqQuery.asked_at >= since)
    query = query.order_by(FaqQuery.asked_at.desc(), FaqQuery.id.desc()).limit(MAX_MISSED)
    return [MissedAnswer(*row) for row in session.execute(query).all()]


def ratings_by_topic(session: Session, since: Optional[dt.datetime] = None
                     ) -> List[TopicRatings]:
    """How often each topic's answer was said to help or to miss, most missed first."""
    helped = func.sum(case((FaqQuery.helpful.is_(True), 1), else_=0))
    missed = func.sum(case((FaqQuery.helpful.is_(False), 1), else_=0))
    query = (select(FaqEntry.id, FaqEntry.topic, helped, missed)
             .join(FaqEntry, FaqEntry.id == FaqQuery.entry_id)
             .where(FaqQuery.helpful.is_not(None))
             .group_by(FaqEntry.id, FaqEntry.topic))
    if since is not None:
        query = query.where(FaqQuery.asked_at >= since)
    rows = [TopicRatings(row[0], row[1], int(row[2]), int(row[3]))
            for row in session.execute(query).all()]
    return sorted(rows, key=lambda r: (-r.missed, r.helped, r.topic))


def unanswered_groups(session: Session, since: Optional[dt.datetime] = None,
                      similarity: float = GROUP_SIMILARITY) -> List[QuestionGroup]:
    """Unanswered questions grouped by similarity, biggest groups first."""
    query = select(FaqQuery.question, FaqQuery.language, FaqQuery.asked_at,
                   FaqQuery.suggested_entries).where(FaqQuery.answered.is_(False))
    if since is not None:
        query = query.where(FaqQuery.asked_at >= since)
    rows = session.execute(query.order_by(FaqQuery.asked_at.desc()).limit(MAX_QUESTIONS)).all()
    topics = _topics(session, {entry for row in rows for entry in row.suggested_entries or []})
    by_language: Dict[str, List[tuple]] = {}
    for question, language, asked_at, offered in rows:
        named = [(entry, topics[entry]) for entry in offered or [] if entry in topics]
        by_language.setdefault(language, []).append((question, asked_at, named))
    groups: List[QuestionGroup] = []
    for language, asked in by_language.items():
        groups.extend(_groups_for(language, asked, similarity))
    return sorted(groups, key=lambda group: (-group.count, group.language, group.representative))


def _topics(session: Session, entry_ids: set) -> Dict[int, str]:
    if not entry_ids:
        return {}
    return dict(session.execute(select(FaqEntry.id, FaqEntry.topic)
                                .where(FaqEntry.id.in_(sorted(entry_ids)))).all())


def _groups_for(language: str, asked: Sequence[tuple], similarity: float) -> List[QuestionGroup]:
    counts: Dict[str, int] = {}
    last: Dict[str, dt.datetime] = {}
    offered: Dict[str, Counter] = {}
    for question, asked_at, topics in asked:
        key = " ".join(question.lower().split())
        counts[key] = counts.get(key, 0) + 1
        last[key] = max(last.get(key, asked_at), asked_at)
        offered.setdefault(key, Counter()).update(topics)
    texts = sorted(counts)
    labels = cluster(texts, similarity)
    members: Dict[int, List[int]] = {}
    for position, label in enumerate(labels):
        members.setdefault(label, []).append(position)
    return [_group(language, [texts[i] for i in positions], counts, last, offered)
            for positions in members.values()]


def _group(language: str, texts: List[str], counts: Dict[str, int],
           last: Dict[str, dt.datetime], offered: Dict[str, Counter]) -> QuestionGroup:
    ordered = sorted(texts, key=lambda text: (-counts[text], text))
    topics = sum((offered[text] for text in texts), Counter())
    return QuestionGroup(language=language, representative=_medoid(ordered),
                         count=sum(counts[text] for text in texts),
                         examples=ordered[:EXAMPLES_PER_GROUP],
                         last_asked=max(last[text] for text in texts),
                         offered=[topic for topic, _ in sorted(
                             topics.items(), key=lambda item: (-item[1], item[0][1]))])


def _vectors(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                            strip_accents="unicode").fit_transform(texts)
    words = TfidfVectorizer(analyzer="word", sublinear_tf=True, strip_accents="unicode",
                            token_pattern=r"(?u)\b\w\w+\b").fit_transform(texts)
    return normalize(hstack([chars, words]).tocsr())


def cluster(texts: Sequence[str], similarity: float = GROUP_SIMILARITY) -> List[int]:
    """A group label per text: average linkage over cosine distance, cut at 1 - similarity."""
    if len(texts) < 2:
        return [0] * len(texts)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    vectors = _vectors(texts)
    distances = 1.0 - (vectors @ vectors.T).toarray()
    distances[distances < 0] = 0.0
    for i in range(len(texts)):
        distances[i, i] = 0.0
    tree = linkage(squareform(distances, checks=False), method="average")
    return [int(label) for label in fcluster(tree, t=1.0 - similarity, criterion="distance")]


def _medoid(texts: List[str]) -> str:
    """The text with the highest mean similarity to the others (the most asked on a tie)."""
    if len(texts) < 3:
        return texts[0]
    vectors = _vectors(texts)
    mean_similarity = (vectors @ vectors.T).toarray().mean(axis=1)
    best = max(range(len(texts)), key=lambda i: (round(float(mean_similarity[i]), 6), -i))
    return texts[best]


def served_from_replaced(session: Session, since: Optional[dt.datetime] = None
                         ) -> List[ReplacedServing]:
    """Answers served from a version that is no longer the one citizens get, per entry and
    version, most served first: these citizens may be acting on outdated information."""
    query = (select(FaqEntry.id, FaqEntry.topic, FaqEntry.state, FaqQuery.version,
                    FaqEntry.published_version, func.count(FaqQuery.id),
                    func.max(FaqQuery.asked_at))
             .join(FaqEntry, FaqEntry.id == FaqQuery.entry_id)
             .where(FaqQuery.answered.is_(True),
                    or_(FaqEntry.state != "published",
                        FaqEntry.published_version.is_(None),
                        FaqQuery.version != FaqEntry.published_version))
             .group_by(FaqEntry.id, FaqEntry.topic, FaqEntry.state, FaqQuery.version,
                       FaqEntry.published_version))
    if since is not None:
        query = query.where(FaqQuery.asked_at >= since)
    rows = session.execute(query).all()
    servings = [ReplacedServing(entry_id=row[0], topic=row[1], state=row[2], version=row[3],
                                published_version=row[4] if row[2] == "published" else None,
                                times=int(row[5]), last_served=row[6]) for row in rows]
    return sorted(servings, key=lambda s: (-s.times, s.topic, s.version))
