"""Citizens' data rights: a copy of everything we hold about them, and its deletion.

Both are run by the citizen in chat or by an admin in the console, by channel and
identifier. The case database and Rasa's tracker store are different databases, so a
deletion is: (1) one unit of work in the case database that anonymises/removes their rows
and writes a PrivacyRequest (identifier only as a hash), (2) their tracker events, (3)
photo files, (4) completed_at. A deletion that stops half-way stays visible as a request
without completed_at, and `complete_pending_deletions` finishes it (the job finds the
conversation by hashing the tracker's sender ids, so no identifier has to be kept).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from sqlalchemy import select

from bot import privacy_tracker
from bot.clock import utc_naive
from bot.db import session_scope
from bot.logs import log_event
from bot.models import InboundMessage, PrivacyRequest
from bot.privacy_erase import erase_subject, orphaned_files
from bot.privacy_export import build_export, counts
from bot.privacy_subject import CHANNELS, Subject
from bot.settings import get_settings

log = logging.getLogger(__name__)
PENDING_GRACE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class DeletionResult:
    request_id: int
    summary: Dict[str, int]
    completed: bool


def default_tracker_url() -> Optional[str]:
    """The tracker store's URL from settings (None: no tracker store to read or clean)."""
    return get_settings().tracker_store_url or None


def _conversation(subject: Subject, tracker_url: Optional[str]) -> List[Dict[str, Any]]:
    if not tracker_url:
        return []
    with session_scope(tracker_url) as session:
        return privacy_tracker.conversation(session, subject.identifier)


def export_data(subject: Subject, *, requested_by: str, database_url: Optional[str] = None,
                tracker_url: Optional[str] = None, now: Optional[dt.datetime] = None) -> Dict[str, Any]:
    """The full document; the export itself is recorded (hash and counts, no content)."""
    now = utc_naive(now)
    conversation = _conversation(subject, tracker_url)
    with session_scope(database_url) as session:
        document = build_export(session, subject, conversation, now)
        request = PrivacyRequest(kind="export", channel=subject.channel, subject_hash=subject.hash,
                                 requested_by=requested_by[:80], summary=counts(document),
                                 created_at=now, completed_at=now)
        session.add(request)
        session.flush()
        document["request_id"] = request.id
    log_event(log, "privacy.exported", channel=subject.channel, subject=subject.hash[:12],
              by=requested_by)
    return document


def delete_data(subject: Subject, *, requested_by: str, database_url: Optional[str] = None,
                tracker_url: Optional[str] = None, now: Optional[dt.datetime] = None,
                tracker_later: bool = False) -> DeletionResult:
    """Erase the citizen. `tracker_later` is for a deletion asked inside a conversation:
    Rasa saves the running turn's events after the action returns, so the caller removes
    the tracker rows once the turn is over (`finish_deletion`)."""
    now = utc_naive(now)
    said = [line.get("text") or "" for line in _conversation(subject, tracker_url)
            if line.get("from") == "citizen"]
    files: Set[str] = set()
    with session_scope(database_url) as session:
        summary = erase_subject(session, subject, said, now, files, keep_in_flight=tracker_later)
        unused = orphaned_files(session, files)
        summary["photos_removed"] = len(files)
        request = PrivacyRequest(kind="deletion", channel=subject.channel, subject_hash=subject.hash,
                                 requested_by=requested_by[:80], summary=summary, created_at=now)
        session.add(request)
        session.flush()
        request_id = request.id
    remove_files(unused)
    log_event(log, "privacy.deleted", channel=subject.channel, subject=subject.hash[:12],
              by=requested_by, request_id=request_id)
    if tracker_later:
        return DeletionResult(request_id, summary, completed=False)
    finish_deletion(request_id, subject, database_url=database_url, tracker_url=tracker_url, now=now)
    return DeletionResult(request_id, summary, completed=True)


def remove_files(paths: List[str]) -> None:
    """Photo files, once no row needs them (missing files are already gone: fine)."""
    for path in paths:
        Path(path).unlink(missing_ok=True)


def finish_deletion(request_id: int, subject: Subject, *, database_url: Optional[str] = None,
                    tracker_url: Optional[str] = None, now: Optional[dt.datetime] = None) -> int:
    """Remove the conversation from the tracker store, erase again what the deleting turn
    itself wrote (its inbound record and replies), and mark the request completed."""
    now = utc_naive(now)
    said = [line.get("text") or "" for line in _conversation(subject, tracker_url)
            if line.get("from") == "citizen"] if subject.identifier else []
    removed = 0
    if tracker_url and subject.identifier:
        with session_scope(tracker_url) as session:
            removed = privacy_tracker.delete_conversation(session, subject.identifier)
    files: Set[str] = set()
    with session_scope(database_url) as session:
        late = erase_subject(session, subject, said, now, files) if subject.identifier else {}
        unused = orphaned_files(session, files)
        request = session.get(PrivacyRequest, request_id)
        if request is not None:
            summary = dict(request.summary or {})
            for key, value in late.items():
                summary[key] = summary.get(key, 0) + value if key != "active_blocks_kept" else value
            summary["conversation_events_removed"] = removed
            request.summary, request.completed_at = summary, now
    remove_files(unused)
    return removed


def complete_pending_deletions(*, database_url: Optional[str] = None,
                               tracker_url: Optional[str] = None,
                               now: Optional[dt.datetime] = None) -> int:
    """Finish deletions whose last step never ran (a crash, a lost background task): the
    sender ids of the tracker store and of the inbound log are hashed per channel and matched
    against the requests, so no identifier had to be kept. Requests younger than
    PENDING_GRACE may still be finished by their own conversation."""
    cutoff = utc_naive(now) - PENDING_GRACE
    with session_scope(database_url) as session:
        pending = {(r.channel, r.subject_hash): r.id for r in session.execute(
            select(PrivacyRequest).where(PrivacyRequest.kind == "deletion",
                                         PrivacyRequest.created_at < cutoff,
                                         PrivacyRequest.completed_at.is_(None))).scalars()}
    if not pending:
        return 0
    finished = 0
    for subject in _candidates(database_url, tracker_url):
        request_id = pending.pop((subject.channel, subject.hash), None)
        if request_id is not None:
            finish_deletion(request_id, subject, database_url=database_url,
                            tracker_url=tracker_url, now=now)
            finished += 1
    for request_id in pending.values():  # nothing of theirs is left anywhere to find
        finish_deletion(request_id, Subject("", ""), database_url=database_url,
                        tracker_url=None, now=now)
        finished += 1
    return finished


def _candidates(database_url: Optional[str], tracker_url: Optional[str]) -> Set[Subject]:
    """Every (channel, sender id) that may belong to a pending deletion."""
    found: Set[Subject] = set()
    if tracker_url:
        with session_scope(tracker_url) as session:
            found |= {Subject(channel, sender) for sender in privacy_tracker.all_senders(session)
                      for channel in CHANNELS}
    with session_scope(database_url) as session:
        found |= {Subject(channel, sender) for channel, sender in session.execute(
            select(InboundMessage.channel, InboundMessage.sender_id).distinct())}
    return found


def conversation_mark(subject: Subject, tracker_url: Optional[str]) -> int:
    """Where the conversation's stored events end now (see `conversation_turn_saved`)."""
    if not tracker_url:
        return 0
    with session_scope(tracker_url) as session:
        return privacy_tracker.last_event_id(session, subject.identifier)


def conversation_turn_saved(subject: Subject, tracker_url: Optional[str], mark: int) -> bool:
    """Whether Rasa has stored the turn that was running when `mark` was taken."""
    if not tracker_url:
        return True
    with session_scope(tracker_url) as session:
        return privacy_tracker.turn_saved_after(session, subject.identifier, mark)


def preview_counts(subject: Subject, *, database_url: Optional[str] = None,
                   tracker_url: Optional[str] = None, now: Optional[dt.datetime] = None
                   ) -> Dict[str, int]:
    """What a deletion would touch, for the confirmation step (not recorded: nothing left)."""
    conversation = _conversation(subject, tracker_url)
    with session_scope(database_url) as session:
        return counts(build_export(session, subject, conversation, utc_naive(now)))


def recent_requests(limit: int = 50, database_url: Optional[str] = None) -> List[PrivacyRequest]:
    """The latest exports, deletions and retention runs, newest first (the proof they ran)."""
    with session_scope(database_url) as session:
        return list(session.execute(select(PrivacyRequest).order_by(PrivacyRequest.id.desc())
                                    .limit(limit)).scalars())
