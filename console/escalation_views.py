"""The escalation pages' data: each function is one unit of work over bot.handoff, returning
plain dicts that both the templates and the JSON endpoints use, so the page a browser without
JavaScript gets and the one the poller keeps fresh show the same things.

Synchronous on purpose (the routes run them in a thread): the database driver blocks.
Every change is audited in the same unit of work as the change itself.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from sqlalchemy.orm import Session

from bot import handoff
from bot.audit import record
from bot.case_access import can_see_case
from bot.clock import as_utc, utc_naive
from bot.db import session_scope
from bot.escalations import claimed_escalations, linked_case, waiting_escalations
from bot.models import Escalation
from console.auth import StaffIdentity
from console.languages import language_name

QUEUE_LIMIT = 200
REASON_LABELS = {"requested": "Asked for a person", "misunderstood": "Misunderstood twice",
                 "low_confidence": "Unsure answer"}


def escalation_view(session: Session, escalation: Escalation, staff: StaffIdentity,
                    now: dt.datetime) -> Dict[str, Any]:
    """One escalation as staff see it; the case only if this member of staff may see it."""
    case = linked_case(session, escalation)
    visible = case is not None and can_see_case(staff.role, staff.department, case)
    return {
        "id": escalation.id, "channel": escalation.channel, "language": escalation.language,
        "language_name": language_name(escalation.language),
        "reason": escalation.reason,
        "reason_label": REASON_LABELS.get(escalation.reason, escalation.reason), "status": escalation.status,
        "claimed_by": escalation.claimed_by, "mine": escalation.claimed_by == staff.username,
        "claimed_by_name": (handoff.staff_display_name(session, escalation.claimed_by)
                            if escalation.claimed_by else None),
        "created_at": _iso(escalation.created_at),
        "waiting_seconds": max(0, int((now - escalation.created_at).total_seconds())),
        "flagged": escalation.flagged_at is not None,
        "case_reference": case.reference if visible else None,
    }


def line_view(line: handoff.Line) -> Dict[str, Any]:
    return {"id": line.id, "role": line.role, "kind": line.kind, "text": line.text,
            "at": _iso(line.at), "delivery": line.delivery}


def load_queue(staff: StaffIdentity, now: Optional[dt.datetime] = None) -> Dict[str, Any]:
    """The live queue, oldest first, and who holds what; overdue ones are flagged on the way
    (idempotent, so every console replica and every poll may do it)."""
    moment = utc_naive(now)
    with session_scope() as session:
        handoff.flag_overdue(session, moment)
        waiting = [escalation_view(session, item, staff, moment)
                   for item in waiting_escalations(session, limit=QUEUE_LIMIT)]
        claimed = [escalation_view(session, item, staff, moment)
                   for item in claimed_escalations(session, limit=QUEUE_LIMIT)]
    return {"waiting": waiting, "claimed": claimed, "now": _iso(moment)}


def flag_overdue() -> handoff.FlagResult:
    """One overdue pass in its own unit of work (the console's background check)."""
    with session_scope() as session:
        return handoff.flag_overdue(session, utc_naive())


def load_escalation(staff: StaffIdentity, escalation_id: int,
                    after: Optional[handoff.Cursor] = None) -> Dict[str, Any]:
    """The escalation, its transcript when it was raised, and the live conversation since
    (only what is newer than `after` when polling)."""
    moment = utc_naive()
    with session_scope() as session:
        escalation = handoff.get_escalation(session, escalation_id)
        talk = handoff.conversation(session, escalation, after=after)
        delivery = handoff.delivery_states(session, escalation)
        return {"escalation": escalation_view(session, escalation, staff, moment),
                "transcript": [_transcript_line(line) for line in escalation.transcript or []],
                "lines": [line_view(line) for line in talk.lines], "cursor": str(talk.cursor),
                "delivery": delivery}


def reserve(staff: StaffIdentity, escalation_id: int, ip: str) -> str:
    """Take the escalation (step one of a claim); returns the conversation id to pause."""
    with session_scope() as session:
        before = _state(handoff.get_escalation(session, escalation_id))
        escalation = handoff.reserve(session, escalation_id, staff.username)
        if before != _state(escalation):
            _audit(session, staff, "escalation.claimed", escalation, before, ip)
        return escalation.sender_id


def announce(staff: StaffIdentity, escalation_id: int) -> None:
    """Step two, once the bot is paused: tell the citizen who joined."""
    with session_scope() as session:
        escalation = handoff.get_escalation(session, escalation_id)
        if escalation.status == "claimed" and escalation.claimed_by == staff.username:
            handoff.announce_claim(session, escalation)


def release(staff: StaffIdentity, escalation_id: int, ip: str, reason: str) -> None:
    """Undo step one (the bot could not be paused): back to the queue, audited with why."""
    with session_scope() as session:
        escalation = handoff.get_escalation(session, escalation_id)
        before = _state(escalation)
        if handoff.release(session, escalation_id, staff.username):
            escalation = handoff.get_escalation(session, escalation_id)
            _audit(session, staff, "escalation.claim_released", escalation, before, ip,
                   reason=reason)


def reply(staff: StaffIdentity, escalation_id: int, text: str, client_message_id: str,
          ip: str) -> Dict[str, Any]:
    """Queue a reply to the citizen (a double submit queues nothing new); the line to show."""
    with session_scope() as session:
        result = handoff.staff_reply(session, escalation_id, staff.username, text,
                                     client_message_id=client_message_id)
        message = result.message
        if result.created:
            record(session, actor=staff.username, action="escalation.replied",
                   target_type="escalation", target_id=str(escalation_id), before=None,
                   after={"outbox_id": message.id, "characters": len(message.body)}, ip=ip)
        return line_view(handoff.Line(f"out-{message.id}", "staff", message.kind, message.body,
                                      message.created_at, message.status))


def sender_of_held(staff: StaffIdentity, escalation_id: int) -> str:
    """The conversation id to resume, checking first that it is this person's to hand back."""
    with session_scope() as session:
        return handoff.held_by(session, escalation_id, staff.username,
                               or_handed_back=True).sender_id


def hand_back(staff: StaffIdentity, escalation_id: int, ip: str) -> None:
    """Close the escalation and tell the citizen (after the bot was resumed)."""
    with session_scope() as session:
        before = _state(handoff.get_escalation(session, escalation_id))
        escalation = handoff.hand_back(session, escalation_id, staff.username)
        if before != _state(escalation):
            _audit(session, staff, "escalation.handed_back", escalation, before, ip)


def _state(escalation: Escalation) -> Dict[str, Any]:
    return {"status": escalation.status, "claimed_by": escalation.claimed_by}


def _audit(session: Session, staff: StaffIdentity, action: str, escalation: Escalation,
           before: Dict[str, Any], ip: str, **extra: Any) -> None:
    record(session, actor=staff.username, action=action, target_type="escalation",
           target_id=str(escalation.id), before=before, after={**_state(escalation), **extra},
           ip=ip)


def _transcript_line(line: Dict[str, Any]) -> Dict[str, Any]:
    """Lines as actions/common.py writes them ({"from", "text", "at"}), older ones {"role"}."""
    return {"role": str(line.get("from") or line.get("role") or "citizen"),
            "text": str(line.get("text") or ""), "at": line.get("at")}


def _iso(moment: Optional[dt.datetime]) -> Optional[str]:
    return as_utc(moment).isoformat(timespec="seconds") if moment else None

