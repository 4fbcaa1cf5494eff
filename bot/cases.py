"""Cases: a citizen's report, created exactly once per submission, and what they may see of it.

A retried confirmation (provider retry, double tap, two replicas) must never make two cases,
so creation relies on the unique submission_id (see bot.idempotency), not on a prior read.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.attachments import link_attachments
from bot.case_event_kinds import reporter_said_fixed
from bot.city import load_city
from bot.clock import as_utc, utc_naive
from bot.errors import (CaseNotFound, DuplicateSubmission, InvalidInput, InvalidTransition,
                        UnknownService)
from bot.followers import remember_follower_language
from bot.idempotency import insert_once
from bot.models import CASE_STATUSES, Case, CaseEvent
from bot.notifications import notify_status_change
from bot.references import format_reference, parse_reference
from bot.services import get_service, service_name, status_text
from bot.status_reasons import as_sentence, checked_reason, latest_reason
from bot.working_days import expected_date

__all__ = ["OpenedCase", "StatusView", "open_case", "find_case", "change_status",
           "change_status_by_staff", "allowed_next_statuses", "OPEN_STATUSES",
           "ALLOWED_TRANSITIONS", "case_status_view", "expected_date"]

# The workflow, defined once. Open cases move forward (never back to "new"); every closing
# status (resolved, closed without a fix, duplicate, referred) can be reopened to in_progress,
# e.g. when the citizen says it is not fixed or the other organisation sends it back.
OPEN_STATUSES = ("new", "acknowledged", "in_progress")
_CLOSING = ("resolved", "closed_not_fixed", "duplicate", "referred")
ALLOWED_TRANSITIONS: Dict[str, tuple] = {
    "new": ("acknowledged", "in_progress") + _CLOSING,
    "acknowledged": ("in_progress",) + _CLOSING,
    "in_progress": _CLOSING,
    **{closing: ("in_progress",) for closing in _CLOSING},
}

_CANONICAL = re.compile(r"^C-\d{4}-\d{6}$")


@dataclass(frozen=True)
class OpenedCase:
    """The case for a submission; created is False when a retry found the earlier one."""

    case: Case
    created: bool


@dataclass(frozen=True)
class StatusView:
    """What a citizen is told about a case; address and description only for its reporter."""

    reference: str
    service: str
    status: str
    status_label: str
    updated: dt.date
    next_step: str
    expected_by: Optional[dt.date]
    address: Optional[str] = None
    description: Optional[str] = None
    reason: str = ""  # why it has this status, bot.status_reasons.latest_reason

    def placeholders(self) -> Dict[str, str]:
        """Values for utter_case_status / utter_case_status_private."""
        values = {"reference": self.reference, "service": self.service,
                  "status": self.status_label, "updated": self.updated.isoformat(),
                  "reason": as_sentence(self.reason), "next_step": self.next_step}
        if self.address is not None or self.description is not None:
            values.update(address=self.address or "", description=self.description or "")
        return values


def open_case(session: Session, *, submission_id: str, service_code: str, description: str,
              address: Optional[str], latitude: Optional[float], longitude: Optional[float],
              channel: str, sender_id: str, contact: Optional[str] = None, language: str = "en",
              consent: bool = False, answers: Optional[Mapping[str, str]] = None,
              attachment_ids: Sequence[str] = (), now: Optional[dt.datetime] = None) -> OpenedCase:
    """Create the case for a confirmed report, once per submission_id.

    Raises UnknownService for a code outside the catalogue (or deactivated), and
    DuplicateSubmission when the submission id was already used by another sender or service.
    """
    if not submission_id:
        raise InvalidInput("a submission id is required")
    service = get_service(session, service_code)
    if not service.active:
        raise UnknownService(service_code)
    created_at = utc_naive(now)
    case = Case(submission_id=submission_id, service_code=service.code, status="new",
                description=description or "", address=address, latitude=latitude,
                longitude=longitude, answers=dict(answers or {}), channel=channel,
                sender_id=sender_id, contact=contact, language=language,
                consent_updates=bool(consent), created_at=created_at, updated_at=created_at,
                expected_by=_expected_by(created_at, service.sla_working_days))
    case, created = insert_once(session, case, lambda: _by_submission(session, submission_id),
                                after_flush=_number_case)
    if not created:
        if case.sender_id != sender_id or case.service_code != service.code:
            raise DuplicateSubmission(f"submission {submission_id} belongs to another report")
        return OpenedCase(case=case, created=False)
    link_attachments(session, case, list(attachment_ids))
    return OpenedCase(case=case, created=True)


def _number_case(case: Case) -> None:
    """Give the flushed case its reference and its first history event (same savepoint)."""
    case.reference = format_reference(case.created_at.year, case.id)
    case.events.append(CaseEvent(kind="created", to_status="new", actor="citizen",
                                 created_at=case.created_at))


def _by_submission(session: Session, submission_id: str) -> Optional[Case]:
    return session.execute(
        select(Case).where(Case.submission_id == submission_id)
    ).scalars().first()


def _expected_by(created_at: dt.datetime, sla_days: int) -> dt.date:
    """The promised date, counted from the day of creation in the city's time zone."""
    city = load_city()
    local_day = as_utc(created_at).astimezone(city.zone).date()
    return expected_date(local_day, sla_days, city.holidays)


def find_case(session: Session, reference: str) -> Case:
    """The case a citizen or caseworker quoted; lenient about case, spaces and typing style.

    Raises CaseNotFound, or MalformedReference when the text cannot be a reference at all.
    """
    normalised = (reference or "").strip().upper()
    if not _CANONICAL.match(normalised):
        normalised = parse_reference(reference or "") or ""
    case = session.execute(select(Case).where(Case.reference == normalised)).scalars().first()
    if case is None:
        raise CaseNotFound(normalised or (reference or "").strip())
    return case


def allowed_next_statuses(status: str) -> tuple:
    """The statuses a case in `status` may move to (the console offers exactly these)."""
    return ALLOWED_TRANSITIONS.get(status, ())


def change_status(session: Session, case: Case, to: str, reason: Optional[str], by: str,
                  now: Optional[dt.datetime] = None,
                  reason_code: Optional[str] = None) -> CaseEvent:
    """Move a case to another status and keep the why and who in its history.

    `reason` is free text sent as written; `reason_code` names a standard reason
    (bot.status_reasons) that each citizen reads in their own language. Raises InvalidInput
    for an unknown status or a standard reason that does not fit it, and InvalidTransition
    for a move the workflow does not allow. The citizens' messages are queued in the same
    unit of work.
    """
    if to not in CASE_STATUSES:
        raise InvalidInput(f"unknown case status {to!r}")
    if to not in allowed_next_statuses(case.status):
        raise InvalidTransition(case.status, to)
    moment = utc_naive(now)
    said_fixed = reporter_said_fixed(case.events)
    event = CaseEvent(kind="status_changed", from_status=case.status, to_status=to,
                      reason=(reason or "").strip() or None,
                      reason_code=checked_reason(to, reason_code), actor=by, created_at=moment)
    case.events.append(event)
    if case.status == "duplicate":
        case.merged_into_id = None  # reopened: it stands on its own again
    case.status, case.updated_at = to, moment
    _update_fix_confirmation(case, to, said_fixed)
    session.flush()
    notify_status_change(session, case, event, now=moment)
    return event


def change_status_by_staff(session: Session, case: Case, to: str, reason: Optional[str],
                           by: str, now: Optional[dt.datetime] = None,
                           reason_code: Optional[str] = None) -> CaseEvent:
    """A caseworker's change: a reason is required (a standard one, their own words or both),
    because the citizen is told why."""
    if not (reason or "").strip() and not (reason_code or "").strip():
        raise InvalidInput("a reason is required for every status change: pick a standard "
                           "reason or write your own")
    return change_status(session, case, to, reason, by, now=now, reason_code=reason_code)


def _update_fix_confirmation(case: Case, to: str, said_fixed: bool) -> None:
    """Resolved asks the reporter (if they hear from us) whether it is really fixed, unless
    they told us so themselves (`said_fixed`): that is the confirmation. Any other change
    withdraws an unanswered question, and settles a "not fixed" unless the case is being
    worked on again (bot.fix_confirmation reopens it to in_progress)."""
    if case.fix_confirmation == "asked" or (case.fix_confirmation == "not_fixed"
                                            and to != "in_progress"):
        case.fix_confirmation = None
    if to == "resolved" and said_fixed:
        case.fix_confirmation = "confirmed"
    elif to == "resolved":
        case.fix_confirmation = "asked" if case.consent_updates else None


def remember_language(session: Session, channel: str, sender_id: str, language: str) -> int:
    """The citizen now talks to us in `language`: later updates about their cases use it too.

    Returns how many of their cases changed."""
    cases = session.execute(select(Case).where(
        Case.channel == channel, Case.sender_id == sender_id, Case.language != language)).scalars()
    changed = 0
    for case in cases:
        case.language = language
        changed += 1
    remember_follower_language(session, channel, sender_id, language)
    return changed


def case_status_view(case: Case, language: str, for_sender: bool,
                     with_reason: bool = True) -> StatusView:
    """The status in plain words and why; personal details only for the person who reported
    it. A list of cases shows no reason and passes `with_reason=False`, which spares reading
    each case's history."""
    words = status_text(case.status, language)
    updated = as_utc(case.updated_at).astimezone(load_city().zone).date()
    return StatusView(
        reference=case.reference, service=service_name(case.service, language),
        status=case.status, status_label=words.label, updated=updated,
        next_step=words.next_step, expected_by=case.expected_by,
        address=case.address if for_sender else None,
        description=case.description if for_sender else None,
        reason=latest_reason(case.events, language) if with_reason else "")
