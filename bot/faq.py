"""Policy answers the communications team keeps current, found by what the citizen asked.

Entries are versioned in the database (the console edits them); only published entries are
ever answered, and of each only its published version (a saved draft of a published entry is
not served until the comms team publishes it). Retrieval is TF-IDF over that version's example
questions (word and character n-grams, so typos and plurals still match). The index lives in
this process and is rebuilt when the published set changes; the key that tells is read from
the database on every question, so a publish made by the console (another process) is used on
the next message without retraining or a restart.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.faq_text import content_text
from bot.models import FaqEntry, FaqVersion
from bot.services import FALLBACK_LANGUAGE, localized
from bot.settings import get_settings

# Tuned on half of tests/faq/heldout.yml (odd items) and checked on the other half; see
# bench/faq_eval.py. Words matter less than character n-grams (paraphrases share stems more
# than whole words), and the answer text is weaker evidence than the example questions.
WORD_WEIGHT = 0.3
ANSWER_WEIGHT = 0.3


@dataclass(frozen=True)
class FaqMatch:
    """The best entry for a question; the caller compares score with settings.faq_min_score."""

    entry_id: int
    topic: str
    version: int
    answer: str
    links: List[Dict[str, str]]
    score: float
    matched_question: str
    language: str  # the language of `answer` (English when the entry lacks the asked one)
    title: str  # the entry's first question, in the asked language: how a suggestion reads


@dataclass(frozen=True)
class _Document:
    entry_id: int
    topic: str
    version: int
    answer: str
    links: List[Dict[str, str]]
    language: str
    title: str


class _Index:
    """Vectorised example questions and answers of the published entries, for one language.

    An entry's score is its closest example question's similarity, blended with the
    similarity of its answer (which often holds the citizen's own words: "grass cuttings",
    "mattress"). Both are TF-IDF over words and character n-grams of the text with function
    words removed (bot.faq_text), fitted on the example questions.
    """

    def __init__(self, documents: List[_Document], phrasings: List[Tuple[int, str]],
                 language: str) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.documents = documents
        self.language = language
        self.owners = np.array([owner for owner, _ in phrasings])
        self.phrasings = [text for _, text in phrasings]
        prepared = [content_text(text, language) for text in self.phrasings]
        answers = [content_text(document.answer, language) for document in documents]
        self.word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.word_matrix = self.word.fit_transform(prepared)
        self.char_matrix = self.char.fit_transform(prepared)
        self.answer_word = self.word.transform(answers)
        self.answer_char = self.char.transform(answers)

    def _similarity(self, words, chars, question: str):  # type: ignore[no-untyped-def]
        word_scores = (words @ self.word.transform([question]).T).toarray().ravel()
        char_scores = (chars @ self.char.transform([question]).T).toarray().ravel()
        return WORD_WEIGHT * word_scores + (1 - WORD_WEIGHT) * char_scores

    def ranked(self, question: str, limit: int) -> List[Tuple[_Document, float, str]]:
        """The `limit` entries with the highest blended scores, best first, each with its
        closest phrasing."""
        import numpy as np

        prepared = content_text(question, self.language)
        phrasing_scores = self._similarity(self.word_matrix, self.char_matrix, prepared)
        closest = np.full(len(self.documents), -1.0)
        np.maximum.at(closest, self.owners, phrasing_scores)
        answer_scores = self._similarity(self.answer_word, self.answer_char, prepared)
        scores = (1 - ANSWER_WEIGHT) * closest + ANSWER_WEIGHT * answer_scores
        ranked = []
        for position in np.argsort(-scores, kind="stable")[:limit]:
            mine = np.flatnonzero(self.owners == position)
            phrasing = self.phrasings[int(mine[phrasing_scores[mine].argmax()])]
            ranked.append((self.documents[int(position)], float(scores[position]), phrasing))
        return ranked

    def document(self, entry_id: int) -> Optional[_Document]:
        """The published entry with this id, if this index holds it."""
        return next((item for item in self.documents if item.entry_id == entry_id), None)


_cache: Dict[Tuple[str, str], Tuple[tuple, Optional[_Index]]] = {}
_lock = threading.Lock()


def find_answer(session: Session, question: str, language: str) -> Optional[FaqMatch]:
    """The closest published answer with its score, or None when nothing is published."""
    candidates = find_candidates(session, question, language, limit=1)
    return candidates[0] if candidates else None


def find_candidates(session: Session, question: str, language: str,
                    limit: int = 3) -> List[FaqMatch]:
    """The `limit` closest published answers, best first (empty when nothing is published):
    bot.faq_log decides from them whether to answer, offer a choice, or say it is not sure."""
    if not (question or "").strip():
        return []
    index = _index_for(session, language)
    if index is None:
        return []
    return [_match(document, score, phrasing)
            for document, score, phrasing in index.ranked(question.strip(), limit)]


def published_match(session: Session, entry_id: int, language: str) -> Optional[FaqMatch]:
    """The published answer of one entry (the one a citizen picked from suggestions), or None
    when it is no longer published. Its score is 1: the citizen chose it."""
    index = _index_for(session, language)
    document = index.document(entry_id) if index is not None else None
    return _match(document, 1.0, document.title) if document is not None else None


def _match(document: _Document, score: float, phrasing: str) -> FaqMatch:
    return FaqMatch(entry_id=document.entry_id, topic=document.topic, version=document.version,
                    answer=document.answer, links=document.links, score=round(score, 4),
                    matched_question=phrasing, language=document.language,
                    title=document.title)


def _index_for(session: Session, language: str) -> Optional[_Index]:
    """The cached index, rebuilt when the published set has changed since it was built."""
    key = _published_key(session)
    cache_key = (str(session.get_bind().url), language)
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None and cached[0] == key:
            return cached[1]
        index = _build_index(session, language)
        _cache[cache_key] = (key, index)
        return index


def _published_key(session: Session) -> tuple:
    """Changes whenever an entry is published, archived or republished at another version:
    the set of (entry, published version) pairs is folded into sums that differ when it does,
    and updated_at catches an edit made in place. The topics' lengths tell apart two sets that
    reuse the same ids at the same moment (SQLite reuses the ids of deleted rows)."""
    row = session.execute(
        select(func.count(FaqEntry.id), func.max(FaqEntry.updated_at), func.sum(FaqEntry.id),
               func.sum(FaqEntry.published_version),
               func.sum(FaqEntry.id * FaqEntry.published_version),
               func.sum(func.length(FaqEntry.topic)))
        .where(FaqEntry.state == "published")
    ).one()
    return tuple(str(value) for value in row)


def _build_index(session: Session, language: str) -> Optional[_Index]:
    rows = session.execute(
        select(FaqEntry, FaqVersion)
        .join(FaqVersion, (FaqVersion.entry_id == FaqEntry.id)
              & (FaqVersion.version == FaqEntry.published_version))
        .where(FaqEntry.state == "published", FaqEntry.published_version.isnot(None))
        .order_by(FaqEntry.id)
    ).all()
    documents: List[_Document] = []
    phrasings: List[Tuple[int, str]] = []
    for entry, version in rows:
        answer_language = language if (version.answers or {}).get(language) else FALLBACK_LANGUAGE
        questions = (version.questions or {}).get(language) or \
            (version.questions or {}).get(FALLBACK_LANGUAGE) or []
        if not questions:
            continue
        documents.append(_Document(
            entry_id=entry.id, topic=entry.topic, version=version.version,
            answer=str(localized(version.answers, language)), links=list(version.links or []),
            language=answer_language, title=_title(questions)))
        phrasings.extend((len(documents) - 1, str(text)) for text in questions if str(text).strip())
    return _Index(documents, phrasings, language) if phrasings else None


def _title(questions: List[Any]) -> str:
    """The entry's first question (the comms team writes the full, plain one first), which is
    what a citizen sees when the entry is offered as a suggestion."""
    return next((" ".join(str(text).split()) for text in questions if str(text).strip()), "")


def load_faq_file(path: Optional[Union[str, Path]] = None) -> List[Dict[str, Any]]:
    """The seed entries; each needs a topic, English questions and an English answer."""
    file = Path(path or get_settings().faq_file)
    entries = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("entries") or []
    topics = set()
    for item in entries:
        topic = item.get("topic")
        if not topic or topic in topics:
            raise ValueError(f"FAQ topic missing or repeated: {topic!r}")
        topics.add(topic)
        if not (item.get("questions") or {}).get("en") or not (item.get("answer") or {}).get("en"):
            raise ValueError(f"FAQ topic {topic!r} needs English questions and answer")
    return entries


def seed_faq(session: Session, path: Optional[Union[str, Path]] = None,
             now: Optional[dt.datetime] = None) -> int:
    """Load topics that are not in the database yet, as version 1, published; then add the
    file's new translations to existing topics (see add_missing_languages).

    Existing content is never overwritten: after the first seed the communications team owns
    it, and re-running the seed must not undo their edits. Returns how many topics were added.
    """
    moment = utc_naive(now)
    items = load_faq_file(path)
    known = set(session.execute(select(FaqEntry.topic)).scalars())
    added = 0
    for item in items:
        if item["topic"] in known:
            continue
        entry = FaqEntry(topic=item["topic"], state="published", current_version=1,
                         published_version=1, created_at=moment, updated_at=moment)
        entry.versions.append(FaqVersion(
            version=1, questions=dict(item["questions"]), answers=dict(item["answer"]),
            links=list(item.get("links") or []), created_by="seed", created_at=moment))
        session.add(entry)
        added += 1
    session.flush()
    _add_missing_languages(session, items, moment)
    return added


def add_missing_languages(session: Session, path: Optional[Union[str, Path]] = None,
                          now: Optional[dt.datetime] = None) -> int:
    """Give topics already in the database the languages the seed file has and they lack.

    Translations arrive after the first seed, but seed_faq skips known topics. Each updated
    topic gets a new version (the console keeps every version) holding the current content
    plus the missing languages; nothing already there changes. A topic whose English answer
    the comms team has edited is left alone, since the file's translation is of the old text.
    The new version is published at once when the topic's published version was its latest
    (no pending draft of the comms team's is overtaken). Idempotent. Returns how many topics
    got a new version.
    """
    return _add_missing_languages(session, load_faq_file(path), utc_naive(now))


def _add_missing_languages(session: Session, items: List[Dict[str, Any]],
                           moment: dt.datetime) -> int:
    by_topic = {item["topic"]: item for item in items}
    entries = session.execute(select(FaqEntry).where(FaqEntry.topic.in_(by_topic))).scalars()
    updated = 0
    for entry in entries:
        item = by_topic[entry.topic]
        latest = max(entry.versions, key=lambda version: version.version)
        answers, questions = dict(latest.answers or {}), dict(latest.questions or {})
        if latest.version != entry.current_version or answers.get("en") != item["answer"]["en"]:
            continue
        missing = [language for language, text in item["answer"].items()
                   if text and language not in answers and (item["questions"].get(language))]
        if not missing:
            continue
        entry.versions.append(FaqVersion(
            version=latest.version + 1, links=list(latest.links or []),
            answers={**answers, **{language: item["answer"][language] for language in missing}},
            questions={**questions, **{language: list(item["questions"][language])
                                       for language in missing if language not in questions}},
            created_by="seed:translations", created_at=moment))
        if entry.state == "published" and entry.published_version == latest.version:
            entry.published_version = latest.version + 1
        entry.current_version, entry.updated_at = latest.version + 1, moment
        updated += 1
    session.flush()
    return updated
