"""The case page: everything a caseworker needs to act on one case and answer the citizen.

History, photos, location, feedback, followers, and the conversations the reporter had with
us (escalations and their messages, and what the city sent them), read in one unit of work.
Contact details are masked: the console needs to know how a citizen is reached, not the
number itself.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.case_notes import unanswered_note_kind, unanswered_question
from bot.case_queries import attention_reason, is_overdue, local_today
from bot.cases import allowed_next_statuses
from bot.city import load_city
from bot.clock import as_utc
from bot.followers import followers_of
from bot.models import Attachment, Case, Escalation, Feedback, InboundMessage, OutboxMessage
from bot.services import service_name, status_text
from bot.status_reasons import event_reason

__all__ = ["CaseDetail", "TimelineEntry", "case_detail", "mask", "osm_url"]

MESSAGE_LIMIT = 60


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's history or of a conversation, in the city's time."""

    at: dt.datetime
    who: str  # the actor of an event; "citizen", "assistant" or "city" in a conversation
    kind: str
    text: str
    from_status: Optional[str] = None
    to_status: Optional[str] = None


@dataclass(frozen=True)
class CaseDetail:
    """The case page's content (the Case row itself is passed alongside for plain fields)."""

    case: Case
    service: str
    department: str
    status_label: str
    next_statuses: Tuple[str, ...]
    overdue: bool
    attention: str  # bot.case_queries.attention_reason: why a caseworker should look, or ""
    reporter: str  # "sms •••0123, es, wants updates"
    map_url: Optional[str]
    merged_into: Optional[str]
    merged_from: List[str]
    history: List[TimelineEntry]
    attachments: List[Attachment]
    feedback: List[Feedback]
    escalations: List[Escalation]
    messages: List[TimelineEntry]
    followers: List[Any]  # CaseFollower rows with a masked address, see _follower
    open_question: Optional[TimelineEntry] = None  # asked of the reporter, not yet answered


def case_detail(session: Session, case: Case, now: Optional[dt.datetime] = None) -> CaseDetail:
    """Read everything the case page shows (the caller has checked access)."""
    target = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    merged_from = list(session.execute(select(Case.reference).where(
        Case.merged_into_id == case.id).order_by(Case.id)).scalars())
    consent = "wants updates" if case.consent_updates else "no updates"
    return CaseDetail(
        case=case, service=service_name(case.service, "en"), department=case.service.department,
        status_label=status_text(case.status, "en").label,
        next_statuses=allowed_next_statuses(case.status),
        overdue=is_overdue(case, local_today(now)),
        attention=attention_reason(case, unanswered_note_kind(case.events)),
        reporter=f"{case.channel} {mask(case.contact or case.sender_id)}, {case.language}, {consent}",
        map_url=osm_url(case.latitude, case.longitude),
        merged_into=target.reference if target is not None else None, merged_from=merged_from,
        history=[_event(event) for event in case.events],
        attachments=sorted(case.attachments, key=lambda item: (item.created_at, item.id)),
        feedback=list(session.execute(select(Feedback).where(Feedback.case_id == case.id)
                                      .order_by(Feedback.created_at, Feedback.id)).scalars()),
        escalations=_escalations(session, case), messages=conversation(session, case),
        followers=[_follower(row) for row in followers_of(session, case.id)],
        open_question=_open_question(unanswered_question(case.events)))


def mask(address: Optional[str]) -> str:
    """The last four characters of a phone number, chat id or session id, the rest hidden."""
    text = str(address or "")
    return "•••" + text[-4:] if len(text) > 4 else "•••"


def osm_url(latitude: Optional[float], longitude: Optional[float]) -> Optional[str]:
    """A link to OpenStreetMap centred on the point (no map is loaded in the console)."""
    if latitude is None or longitude is None:
        return None
    return (f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
            f"#map=18/{latitude:.6f}/{longitude:.6f}")


def conversation(session: Session, case: Case) -> List[TimelineEntry]:
    """The reporter's latest messages, the assistant's replies and what the city sent them
    on the case's channel, oldest first."""
    inbound = session.execute(select(InboundMessage).where(
        InboundMessage.channel == case.channel, InboundMessage.sender_id == case.sender_id)
        .order_by(InboundMessage.id.desc()).limit(MESSAGE_LIMIT)).scalars()
    outbound = session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == case.channel,
        or_(OutboxMessage.case_id == case.id,
            OutboxMessage.recipient == (case.contact or case.sender_id)))
        .order_by(OutboxMessage.id.desc()).limit(MESSAGE_LIMIT)).scalars()
    entries: List[TimelineEntry] = []
    for message in inbound:
        entries.append(TimelineEntry(_local(message.received_at), "citizen", "message",
                                     message.text or "(no text: a photo or a button)"))
        for reply in message.replies or []:
            if isinstance(reply, dict) and reply.get("text"):
                entries.append(TimelineEntry(_local(message.processed_at or message.received_at),
                                             "assistant", "reply", str(reply["text"])))
    for message in outbound:
        entries.append(TimelineEntry(_local(message.created_at), "city",
                                     f"{message.kind} ({message.status})", message.body))
    entries.sort(key=lambda entry: entry.at)
    return entries[-MESSAGE_LIMIT:]


def _escalations(session: Session, case: Case) -> List[Escalation]:
    """Handoffs about this case, or from the reporter's conversation."""
    return list(session.execute(select(Escalation).where(or_(
        Escalation.case_id == case.id,
        (Escalation.channel == case.channel) & (Escalation.sender_id == case.sender_id)))
        .order_by(Escalation.created_at, Escalation.id)).scalars())


def _event(event: Any) -> TimelineEntry:
    if event.kind == "status_changed":
        text = (f"{status_text(event.from_status or '', 'en').label} -> "
                f"{status_text(event.to_status or '', 'en').label}")
    else:
        text = event.kind.replace("_", " ")
    reason = event_reason(event, "en")
    if reason:
        text = f"{text}: {reason}"
    return TimelineEntry(_local(event.created_at), event.actor, event.kind, text,
                         event.from_status, event.to_status)


def _open_question(event: Any) -> Optional[TimelineEntry]:
    """The question itself, who asked it and when (its history line says the same, labelled)."""
    if event is None:
        return None
    return TimelineEntry(_local(event.created_at), event.actor, event.kind, event.reason or "")


@dataclass(frozen=True)
class FollowerView:
    """A follower as the console shows it."""

    channel: str
    address: str
    language: str
    consent_updates: bool
    since: dt.datetime


def _follower(row: Any) -> FollowerView:
    return FollowerView(channel=row.channel, address=mask(row.contact or row.sender_id),
                        language=row.language, consent_updates=bool(row.consent_updates),
                        since=_local(row.created_at))


def _local(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(load_city().zone)
