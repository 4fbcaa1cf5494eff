"""Everything the city holds about one citizen, as one JSON-able document (the right of
access): their reports and the cases they follow (with what they added to them), what they
sent and what we sent them, feedback, escalations with transcripts, photos (metadata),
opt-outs and FAQ questions.

Each `*_rows` function is also what deletion walks, so export and deletion cannot drift
apart on what counts as "their" data.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Optional, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.faq_log import MAX_LOGGED_QUESTION
from bot.models import (Attachment, BlockedSender, Case, CaseEvent, CaseFollower, Escalation,
                        FaqQuery, Feedback, InboundMessage, OptOut, OutboxMessage)
from bot.privacy_subject import Subject
from bot.status_reasons import event_reason


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def reported_cases(session: Session, subject: Subject) -> Sequence[Case]:
    """Cases they opened (by conversation or by contact), not yet anonymised."""
    return session.execute(select(Case).where(
        Case.channel == subject.channel, Case.anonymised_at.is_(None),
        or_(Case.sender_id == subject.identifier, Case.contact == subject.identifier))
        .order_by(Case.id)).unique().scalars().all()


def followed(session: Session, subject: Subject) -> Sequence[CaseFollower]:
    return session.execute(select(CaseFollower).where(
        CaseFollower.channel == subject.channel,
        or_(CaseFollower.sender_id == subject.identifier, CaseFollower.contact == subject.identifier))
        .order_by(CaseFollower.id)).scalars().all()


def notes_on_others_cases(session: Session, subject: Subject,
                          reported_ids: Iterable[int]) -> Sequence[CaseEvent]:
    """What they added to cases they follow (their own reports' notes are in those cases'
    histories), found by the note's keyed author hash."""
    query = select(CaseEvent).where(CaseEvent.author_hash == subject.hash)
    ids = list(reported_ids)
    if ids:
        query = query.where(CaseEvent.case_id.notin_(ids))
    return session.execute(query.order_by(CaseEvent.id)).scalars().all()


def attachment_rows(session: Session, subject: Subject, case_ids: Iterable[int]) -> Sequence[Attachment]:
    """Photos they sent, whether or not a case was ever submitted with them."""
    ids = list(case_ids)
    mine = (Attachment.channel == subject.channel) & (Attachment.sender_id == subject.identifier)
    clause = or_(mine, Attachment.case_id.in_(ids)) if ids else mine
    return session.execute(select(Attachment).where(clause).order_by(Attachment.created_at)).scalars().all()


def by_sender(session: Session, model: Any, subject: Subject) -> Sequence[Any]:
    """Rows of a table keyed by (channel, sender_id): feedback, escalations, inbound, blocks."""
    return session.execute(select(model).where(
        model.channel == subject.channel, model.sender_id == subject.identifier)
        .order_by(model.id)).scalars().all()


def outbox_rows(session: Session, subject: Subject) -> Sequence[OutboxMessage]:
    return session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == subject.channel, OutboxMessage.recipient == subject.identifier)
        .order_by(OutboxMessage.id)).scalars().all()


def opt_out_rows(session: Session, subject: Subject) -> Sequence[OptOut]:
    return session.execute(select(OptOut).where(
        OptOut.channel == subject.channel, OptOut.address == subject.identifier)).scalars().all()


def faq_rows(session: Session, subject: Subject, said: Iterable[str]) -> Sequence[FaqQuery]:
    """FAQ questions are logged without a sender, so they are theirs when the same words came
    from them on the same channel (their inbound messages or their tracker conversation)."""
    texts = sorted({text.strip()[:MAX_LOGGED_QUESTION] for text in said if text and text.strip()})
    if not texts:
        return []
    return session.execute(select(FaqQuery).where(
        FaqQuery.channel == subject.channel, FaqQuery.question.in_(texts))
        .order_by(FaqQuery.id)).scalars().all()


def case_document(case: Case) -> Dict[str, Any]:
    return {
        "reference": case.reference, "service": case.service_code, "status": case.status,
        "description": case.description, "address": case.address,
        "latitude": case.latitude, "longitude": case.longitude, "answers": case.answers,
        "contact": case.contact, "language": case.language,
        "consent_to_updates": case.consent_updates, "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at), "expected_by": _iso(case.expected_by),
        "fix_confirmation": case.fix_confirmation, "satisfaction": case.satisfaction,
        "history": [{"at": _iso(e.created_at), "kind": e.kind, "from": e.from_status,
                     "to": e.to_status, "reason": event_reason(e, case.language),
                     "reason_code": e.reason_code} for e in case.events],
    }


def _sections(session: Session, subject: Subject, conversation: List[Dict[str, Any]]
              ) -> Dict[str, List[Dict[str, Any]]]:
    cases = reported_cases(session, subject)
    inbound = by_sender(session, InboundMessage, subject)
    said = [row.text for row in inbound] + [line.get("text") or "" for line in conversation
                                            if line.get("from") == "citizen"]
    return {
        "cases_reported": [case_document(case) for case in cases],
        "cases_followed": [{"reference": _ref(session, f.case_id),
                            "since": _iso(f.created_at), "language": f.language,
                            "consent_to_updates": f.consent_updates} for f in followed(session, subject)],
        "notes_on_followed_cases": [{"case": _ref(session, n.case_id), "at": _iso(n.created_at),
                                     "text": n.reason} for n in notes_on_others_cases(
                                         session, subject, [c.id for c in cases])],
        "photos": [{"id": a.id, "case": _ref(session, a.case_id), "content_type": a.content_type,
                    "size_bytes": a.size_bytes, "received_at": _iso(a.created_at)}
                   for a in attachment_rows(session, subject, [c.id for c in cases])],
        "feedback": [{"at": _iso(f.created_at), "text": f.text, "rating": f.rating,
                      "case": _ref(session, f.case_id), "our_reply": f.reply}
                     for f in by_sender(session, Feedback, subject)],
        "escalations": [{"at": _iso(e.created_at), "reason": e.reason, "status": e.status,
                         "transcript": e.transcript} for e in by_sender(session, Escalation, subject)],
        "messages_received": [{"at": _iso(m.received_at), "text": m.text} for m in inbound],
        "messages_sent": [{"at": _iso(m.created_at), "kind": m.kind, "text": m.body,
                           "status": m.status} for m in outbox_rows(session, subject)],
        "opt_outs": [{"keyword": o.keyword, "opted_out_at": _iso(o.opted_out_at),
                      "opted_in_at": _iso(o.opted_in_at)} for o in opt_out_rows(session, subject)],
        "blocks": [{"reason": b.reason, "since": _iso(b.created_at), "until": _iso(b.expires_at),
                    "removed_at": _iso(b.removed_at)} for b in by_sender(session, BlockedSender, subject)],
        "faq_questions": [{"at": _iso(q.asked_at), "question": q.question, "answered": q.answered}
                          for q in faq_rows(session, subject, said)],
        "conversation": conversation,
    }


def _ref(session: Session, case_id: Optional[int]) -> Optional[str]:
    if case_id is None:
        return None
    case = session.get(Case, case_id)
    return case.reference if case is not None else None


def build_export(session: Session, subject: Subject, conversation: List[Dict[str, Any]],
                 now: dt.datetime) -> Dict[str, Any]:
    """The whole document; `conversation` comes from the tracker store (another database)."""
    document: Dict[str, Any] = {"channel": subject.channel, "identifier": subject.identifier,
                                "generated_at": now.isoformat()}
    document.update(_sections(session, subject, conversation))
    return document


def counts(document: Dict[str, Any]) -> Dict[str, int]:
    """How many items each section holds: what a PrivacyRequest or a chat summary shows."""
    return {key: len(value) for key, value in document.items() if isinstance(value, list)}
