"""The FAQ's editorial life: create a draft, save versions, publish one, archive, revert.

Versions are never changed or deleted: saving makes a new one, reverting copies an old one
into a new one, so the history shows who said what to citizens and when. Citizens are served
`published_version` only (bot.faq), so the team can save drafts of a live entry safely.
Every change is audited in the same unit of work (bot.audit.record).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import utc_naive
from bot.errors import FaqEntryNotFound, FaqInvalid
from bot.faq_content import (FaqContent, clean_content, content_problems, missing_parts,
                             topic_problems)
from bot.models import FaqEntry, FaqVersion

STATES = ("draft", "published", "archived")


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where, for the audit log and the version's created_by."""

    username: str
    ip: Optional[str] = None


@dataclass(frozen=True)
class EntrySummary:
    """A row of the console's list."""

    id: int
    topic: str
    state: str
    current_version: int
    published_version: Optional[int]
    updated_at: dt.datetime
    missing: Dict[str, List[str]]  # language -> ["questions", "answer"] still to write

    @property
    def unpublished_changes(self) -> bool:
        return self.state != "archived" and self.published_version != self.current_version


def get_entry(session: Session, entry_id: int) -> FaqEntry:
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise FaqEntryNotFound(f"no FAQ entry {entry_id}")
    return entry


def get_version(entry: FaqEntry, version: int) -> FaqVersion:
    for candidate in entry.versions:
        if candidate.version == version:
            return candidate
    raise FaqEntryNotFound(f"FAQ entry {entry.topic!r} has no version {version}")


def latest_version(entry: FaqEntry) -> FaqVersion:
    return get_version(entry, entry.current_version)


def find_by_topic(session: Session, topic: str) -> Optional[FaqEntry]:
    return session.execute(select(FaqEntry).where(FaqEntry.topic == topic)).scalar_one_or_none()


def _snapshot(entry: FaqEntry) -> Dict[str, Any]:
    return {"topic": entry.topic, "state": entry.state, "current_version": entry.current_version,
            "published_version": entry.published_version}


def _checked(content: FaqContent) -> FaqContent:
    content = clean_content(content.questions, content.answers, content.links)
    problems = content_problems(content)
    if problems:
        raise FaqInvalid(problems)
    return content


def create_entry(session: Session, topic: str, content: FaqContent, actor: Actor,
                 now: Optional[dt.datetime] = None) -> FaqEntry:
    """A new draft entry with its version 1; nothing is served until it is published."""
    topic = (topic or "").strip().lower()
    problems = topic_problems(topic)
    if not problems and find_by_topic(session, topic) is not None:
        problems.append(f"the topic {topic!r} already exists")
    try:
        content = _checked(content)
    except FaqInvalid as error:
        problems.extend(error.problems)
    if problems:
        raise FaqInvalid(problems)
    moment = utc_naive(now)
    entry = FaqEntry(topic=topic, state="draft", current_version=1, published_version=None,
                     created_at=moment, updated_at=moment)
    session.add(entry)
    _append_version(entry, 1, content, actor, moment)
    session.flush()
    audit.record(session, actor=actor.username, action="faq.create", target_type="faq_entry",
                 target_id=str(entry.id), before=None,
                 after={**_snapshot(entry), **content.as_dict()}, ip=actor.ip, now=moment)
    return entry


def _append_version(entry: FaqEntry, number: int, content: FaqContent, actor: Actor,
                    moment: dt.datetime) -> FaqVersion:
    version = FaqVersion(version=number, questions=dict(content.questions),
                         answers=dict(content.answers), links=list(content.links),
                         created_by=actor.username[:120], created_at=moment)
    entry.versions.append(version)
    return version


def save_version(session: Session, entry_id: int, content: FaqContent, actor: Actor,
                 now: Optional[dt.datetime] = None) -> FaqVersion:
    """A new version with `content`; a published entry keeps serving its published version."""
    entry = get_entry(session, entry_id)
    return _save(session, entry, _checked(content), actor, utc_naive(now), "faq.save")


def _save(session: Session, entry: FaqEntry, content: FaqContent, actor: Actor,
          moment: dt.datetime, action: str, extra: Optional[Dict[str, Any]] = None) -> FaqVersion:
    before = _snapshot(entry)
    number = (session.execute(select(func.max(FaqVersion.version))
                              .where(FaqVersion.entry_id == entry.id)).scalar_one() or 0) + 1
    version = _append_version(entry, number, content, actor, moment)
    entry.current_version, entry.updated_at = number, moment
    session.flush()
    audit.record(session, actor=actor.username, action=action, target_type="faq_entry",
                 target_id=str(entry.id), before=before,
                 after={**_snapshot(entry), **content.as_dict(), **(extra or {})},
                 ip=actor.ip, now=moment)
    return version


def publish(session: Session, entry_id: int, actor: Actor, version: Optional[int] = None,
            now: Optional[dt.datetime] = None) -> FaqEntry:
    """Serve `version` (default: the latest) to citizens from the next message on. Publishing
    an archived entry brings it back, deliberately and audited."""
    entry = get_entry(session, entry_id)
    chosen = get_version(entry, version if version is not None else entry.current_version)
    problems = content_problems(FaqContent(chosen.questions or {}, chosen.answers or {},
                                           chosen.links or []))
    if problems:
        raise FaqInvalid(problems)
    before, moment = _snapshot(entry), utc_naive(now)
    entry.state, entry.published_version, entry.updated_at = "published", chosen.version, moment
    session.flush()
    audit.record(session, actor=actor.username, action="faq.publish", target_type="faq_entry",
                 target_id=str(entry.id), before=before, after=_snapshot(entry), ip=actor.ip,
                 now=moment)
    return entry


def archive(session: Session, entry_id: int, actor: Actor,
            now: Optional[dt.datetime] = None) -> FaqEntry:
    """Never served again (retrieval reads published entries only); its history stays."""
    entry = get_entry(session, entry_id)
    before, moment = _snapshot(entry), utc_naive(now)
    entry.state, entry.updated_at = "archived", moment
    session.flush()
    audit.record(session, actor=actor.username, action="faq.archive", target_type="faq_entry",
                 target_id=str(entry.id), before=before, after=_snapshot(entry), ip=actor.ip,
                 now=moment)
    return entry


def revert(session: Session, entry_id: int, version: int, actor: Actor,
           now: Optional[dt.datetime] = None) -> FaqVersion:
    """A new latest version copying `version`; history is appended to, never rewritten.
    Like any saved version it goes live when published."""
    entry = get_entry(session, entry_id)
    old = get_version(entry, version)
    content = FaqContent(dict(old.questions or {}), dict(old.answers or {}), list(old.links or []))
    return _save(session, entry, content, actor, utc_naive(now), "faq.revert",
                 {"reverted_to": old.version})


def summaries(session: Session, state: Optional[str] = None) -> List[EntrySummary]:
    """Every entry with its latest version's completeness, topics in order."""
    query = (select(FaqEntry, FaqVersion)
             .join(FaqVersion, (FaqVersion.entry_id == FaqEntry.id)
                   & (FaqVersion.version == FaqEntry.current_version))
             .order_by(FaqEntry.topic))
    if state in STATES:
        query = query.where(FaqEntry.state == state)
    return [EntrySummary(entry.id, entry.topic, entry.state, entry.current_version,
                         entry.published_version, entry.updated_at,
                         missing_parts(version.questions or {}, version.answers or {}))
            for entry, version in session.execute(query).all()]
