"""Deletion and anonymisation inside the case database (the right to erasure, and retention).

What is kept, for statistics only: a case's service, status, dates, SLA, satisfaction and a
coarse location (coordinates rounded to COARSE_DECIMALS, about a kilometre); feedback
ratings; escalation reasons and times. What goes: descriptions, addresses, exact
coordinates, follow-up answers, contacts, conversation ids, messages, transcripts, photos,
opt-outs, and staff reasons that may quote the citizen. Files on disk are removed by the
caller after the commit (`orphaned_files`), so a rolled-back deletion never loses a photo.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, Iterable, List, Optional, Set

from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.models import (Attachment, AuditEntry, BlockedSender, Case, CaseFollower, Escalation,
                        Feedback, InboundMessage, OutboxMessage)
from bot.privacy_export import (attachment_rows, by_sender, faq_rows, followed,
                                notes_on_others_cases, opt_out_rows, outbox_rows,
                                reported_cases)
from bot.privacy_subject import Subject

ANONYMOUS = "anonymised"
REMOVED = "[removed]"
COARSE_DECIMALS = 2
UNSENT = ("pending", "sending")


def _coarse(value: Optional[float]) -> Optional[float]:
    return round(value, COARSE_DECIMALS) if value is not None else None


def anonymise_case(session: Session, case: Case, now: dt.datetime, files: Set[str]) -> None:
    """Strip a case to its statistical facts, with everything linked to it that names or
    quotes the reporter or its followers. Photos' paths are added to `files`."""
    case.sender_id, case.contact, case.reporter, case.media_url = ANONYMOUS, None, None, None
    case.description, case.address, case.answers = "", None, {}
    case.latitude, case.longitude = _coarse(case.latitude), _coarse(case.longitude)
    case.anonymised_at = now
    for event in case.events:
        event.reason, event.author_hash = None, None
    for attachment in list(case.attachments):
        files.add(attachment.storage_path)
        session.delete(attachment)
    session.execute(delete(CaseFollower).where(CaseFollower.case_id == case.id))
    # An update still waiting about a case being anonymised would reach nobody we may keep;
    # only a message the dispatcher holds right now ("sending") is left to finish.
    session.execute(delete(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                OutboxMessage.status != "sending"))
    for feedback in session.execute(select(Feedback).where(Feedback.case_id == case.id)).scalars():
        feedback.sender_id, feedback.text, feedback.reply = ANONYMOUS, "", None
    for escalation in session.execute(select(Escalation).where(Escalation.case_id == case.id)).scalars():
        escalation.sender_id, escalation.transcript = ANONYMOUS, []


def orphaned_files(session: Session, paths: Iterable[str]) -> List[str]:
    """Of these stored photo paths, the ones no remaining attachment row uses (photos are
    stored once by content hash, so two people's identical photo shares one file)."""
    session.flush()
    return [path for path in sorted(set(paths)) if not session.execute(
        select(func.count()).select_from(Attachment).where(Attachment.storage_path == path)
    ).scalar_one()]


def _scrub_audit(session: Session, subject: Subject) -> int:
    """Audit entries keep what staff did, but not the identifier they did it to."""
    needle = subject.identifier
    rows = session.execute(select(AuditEntry).where(or_(
        AuditEntry.target_id == needle, cast(AuditEntry.before, Text).contains(needle),
        cast(AuditEntry.after, Text).contains(needle)))).scalars().all()
    for entry in rows:
        if entry.target_id == needle:
            entry.target_id = subject.hash[:16]
        entry.before = _replaced(entry.before, needle)
        entry.after = _replaced(entry.after, needle)
    return len(rows)


def _replaced(value: Any, needle: str) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value).replace(json.dumps(needle)[1:-1], REMOVED))


def erase_subject(session: Session, subject: Subject, said: List[str], now: dt.datetime,
                  files: Set[str], keep_in_flight: bool = False) -> Dict[str, int]:
    """Remove or anonymise everything the case database holds about one citizen; returns
    counts per kind. `said` are their words from the tracker store, to find FAQ questions.
    `keep_in_flight` keeps inbound messages still being processed (the very message that
    asked for deletion: its channel records the replies on it when the turn ends)."""
    cases = reported_cases(session, subject)
    inbound = by_sender(session, InboundMessage, subject)
    said = list(said) + [row.text or "" for row in inbound]
    if keep_in_flight:
        inbound = [row for row in inbound if row.status != "received"]
    summary: Dict[str, int] = {"cases_anonymised": len(cases)}
    for attachment in attachment_rows(session, subject, [case.id for case in cases]):
        files.add(attachment.storage_path)
        session.delete(attachment)
    for note in notes_on_others_cases(session, subject, [case.id for case in cases]):
        note.reason, note.author_hash = None, None
        summary["notes_removed"] = summary.get("notes_removed", 0) + 1
    for case in cases:
        anonymise_case(session, case, now, files)
    summary["follows_removed"] = _delete_all(session, followed(session, subject))
    summary["faq_questions_removed"] = _delete_all(session, faq_rows(session, subject, said))
    summary["messages_received_removed"] = _delete_all(session, inbound)
    summary["messages_sent_removed"] = _delete_all(session, outbox_rows(session, subject))
    summary["opt_outs_removed"] = _delete_all(session, opt_out_rows(session, subject))
    for feedback in by_sender(session, Feedback, subject):
        feedback.sender_id, feedback.text, feedback.reply = ANONYMOUS, "", None
        summary["feedback_anonymised"] = summary.get("feedback_anonymised", 0) + 1
    for escalation in by_sender(session, Escalation, subject):
        escalation.sender_id, escalation.transcript = ANONYMOUS, []
        summary["escalations_anonymised"] = summary.get("escalations_anonymised", 0) + 1
    summary.update(_blocks(session, subject, now))
    summary["audit_entries_scrubbed"] = _scrub_audit(session, subject)
    return summary


def _blocks(session: Session, subject: Subject, now: dt.datetime) -> Dict[str, int]:
    """An active block stays (abuse prevention outweighs erasure while it lasts); ended
    blocks go."""
    ended = [b for b in by_sender(session, BlockedSender, subject)
             if b.removed_at is not None or (b.expires_at is not None and b.expires_at <= now)]
    active = len(by_sender(session, BlockedSender, subject)) - len(ended)
    return {"blocks_removed": _delete_all(session, ended), "active_blocks_kept": active}


def _delete_all(session: Session, rows: Iterable[Any]) -> int:
    count = 0
    for row in rows:
        session.delete(row)
        count += 1
    return count
