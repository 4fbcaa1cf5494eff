"""The retention job: closed cases and old conversations are anonymised after a period.

Personal data is kept only as long as the city needs it to handle the report: once a case
has been closed (resolved, closed_not_fixed, duplicate, referred) for `days`, it is reduced
to its statistical facts exactly as a citizen's deletion would (bot.privacy_erase), and
conversations (inbound and sent messages, escalation transcripts, feedback comments, tracker
events, photos never linked to a case) older than `days` go. Opt-outs stay: they are the
record that a number must not be messaged. Idempotent and batched: each batch is one
unit of work, so a stopped run loses nothing and the next run continues where it stopped.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Dict, List, Optional, Set

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import privacy_tracker
from bot.clock import utc_naive
from bot.db import session_scope
from bot.logs import log_event
from bot.models import (Attachment, Case, Escalation, Feedback, InboundMessage, OutboxMessage,
                        PrivacyRequest)
from bot.privacy import complete_pending_deletions, remove_files
from bot.privacy_erase import ANONYMOUS, UNSENT, anonymise_case, orphaned_files

log = logging.getLogger(__name__)
CLOSED_STATUSES = ("resolved", "closed_not_fixed", "duplicate", "referred")


def _closed_cases(session: Session, cutoff: dt.datetime, limit: int) -> List[Case]:
    return list(session.execute(select(Case).where(
        Case.status.in_(CLOSED_STATUSES), Case.updated_at < cutoff, Case.anonymised_at.is_(None))
        .order_by(Case.id).limit(limit)).unique().scalars())


def _old_rows(session: Session, cutoff: dt.datetime, limit: int) -> Dict[str, int]:
    """One batch of old conversation rows; counts per kind (0 everywhere: nothing left)."""
    inbound = session.execute(select(InboundMessage.id).where(InboundMessage.received_at < cutoff)
                              .limit(limit)).scalars().all()
    session.execute(delete(InboundMessage).where(InboundMessage.id.in_(inbound)))
    sent = session.execute(select(OutboxMessage.id).where(
        OutboxMessage.created_at < cutoff, OutboxMessage.status.not_in(UNSENT)).limit(limit)).scalars().all()
    session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(sent)))
    escalations = session.execute(select(Escalation).where(
        Escalation.created_at < cutoff, Escalation.status == "closed",
        Escalation.sender_id != ANONYMOUS).limit(limit)).scalars().all()
    for escalation in escalations:
        escalation.sender_id, escalation.transcript = ANONYMOUS, []
    feedback = session.execute(select(Feedback).where(
        Feedback.created_at < cutoff, Feedback.sender_id != ANONYMOUS).limit(limit)).scalars().all()
    for item in feedback:  # the rating stays for statistics; the words and the sender go
        item.sender_id, item.text, item.reply = ANONYMOUS, "", None
    return {"messages_received_removed": len(inbound), "messages_sent_removed": len(sent),
            "escalations_anonymised": len(escalations), "feedback_anonymised": len(feedback)}


def _unlinked_photos(session: Session, cutoff: dt.datetime, limit: int, files: Set[str]) -> int:
    """Photos sent for a report that was never submitted."""
    rows = session.execute(select(Attachment).where(
        Attachment.case_id.is_(None), Attachment.created_at < cutoff).limit(limit)).scalars().all()
    for row in rows:
        files.add(row.storage_path)
        session.delete(row)
    return len(rows)


def _batch(database_url: Optional[str], cutoff: dt.datetime, now: dt.datetime,
           limit: int) -> Dict[str, int]:
    files: Set[str] = set()
    with session_scope(database_url) as session:
        cases = _closed_cases(session, cutoff, limit)
        for case in cases:
            anonymise_case(session, case, now, files)
        counts = {"cases_anonymised": len(cases), **_old_rows(session, cutoff, limit),
                  "photos_removed": _unlinked_photos(session, cutoff, limit, files)}
        unused = orphaned_files(session, files)
    remove_files(unused)
    return counts


def _tracker_batches(tracker_url: Optional[str], cutoff: dt.datetime, limit: int) -> int:
    """Whole conversations whose newest event is older than the cutoff."""
    if not tracker_url:
        return 0
    removed = 0
    while True:
        with session_scope(tracker_url) as session:
            senders = privacy_tracker.quiet_conversations(session, cutoff, limit)
            for sender in senders:
                privacy_tracker.delete_conversation(session, sender)
        removed += len(senders)
        if len(senders) < limit:
            return removed


def run_retention(*, days: int, batch_size: int = 200, database_url: Optional[str] = None,
                  tracker_url: Optional[str] = None, now: Optional[dt.datetime] = None,
                  on_batch: Optional[Callable[[Dict[str, int]], None]] = None) -> Dict[str, int]:
    """Anonymise everything past the retention period; returns the totals and records them
    as one PrivacyRequest of kind "retention" (no subject)."""
    now = utc_naive(now)
    cutoff = now - dt.timedelta(days=days)
    totals: Dict[str, int] = {}
    while True:
        counts = _batch(database_url, cutoff, now, batch_size)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if on_batch:
            on_batch(counts)
        if not any(value >= batch_size for value in counts.values()):
            break
    totals["conversations_removed"] = _tracker_batches(tracker_url, cutoff, batch_size)
    totals["pending_deletions_finished"] = complete_pending_deletions(
        database_url=database_url, tracker_url=tracker_url, now=now)
    with session_scope(database_url) as session:
        session.add(PrivacyRequest(kind="retention", channel=None, subject_hash=None,
                                   requested_by="retention", summary={"days": days, **totals},
                                   created_at=now, completed_at=utc_naive()))
    log_event(log, "retention.done", days=days, **totals)
    return totals
