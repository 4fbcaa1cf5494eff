"""The case pages' data and changes: each function is one unit of work over the core
(bot.case_queries, bot.case_detail, bot.cases, bot.merges), with the audit entry written in
the same unit of work as the change it records.

Synchronous on purpose (the routes run them in a thread): the database driver blocks.
A case the caller may not see raises CaseNotFound, exactly like a case that does not exist,
so a reference from another department reveals nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from bot.audit import record
from bot.case_access import can_see_case
from bot.case_detail import case_detail
from bot.case_queries import CaseFilters, filter_choices, list_cases
from bot.case_questions import AskedQuestion, ask_reporter, can_ask_reporter
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from bot.errors import (AttachmentRejected, CaseChangedMeanwhile, CaseNotFound, InvalidInput,
                        MalformedReference)
from bot.merges import merge_cases
from bot.models import Attachment, Case
from bot.notifications import Recipient, recipients
from bot.services import status_text
from bot.settings import get_settings
from bot.status_reasons import offered_reasons
from console.auth import StaffIdentity
from console.languages import language_name

FILTER_FIELDS = ("q", "service", "status", "department", "area", "older_than", "newer_than",
                 "overdue", "attention", "sort", "per_page")


@dataclass(frozen=True)
class StatusChanged:
    """What the route needs after the commit: whom to ask in Rasa about the fix."""

    reference: str
    sender_id: str
    asked_fix: bool
    messages_queued: int


def load_list(staff: StaffIdentity, args: Mapping[str, Sequence[str]]) -> Dict[str, Any]:
    """The list page: the filters as typed, one page of cases, and the pager's links."""
    filters = CaseFilters.from_query(args)
    if staff.role != "admin":
        filters = replace(filters, department=None)  # theirs is the only one they see
    with session_scope() as session:
        page = list_cases(session, staff.role, staff.department, filters)
        choices = filter_choices(session)
    kept = [(name, value) for name in FILTER_FIELDS for value in args.get(name) or [] if value]

    def link(number: int) -> str:
        return "/cases?" + urlencode(kept + [("page", str(number))])

    return {"page": page, "choices": choices, "args": {name: list(args.get(name) or [])
                                                       for name in FILTER_FIELDS},
            "previous_url": link(page.filters.page - 1) if page.filters.page > 1 else None,
            "next_url": link(page.filters.page + 1) if page.filters.page < page.pages else None}


def load_case(staff: StaffIdentity, reference: str) -> Dict[str, Any]:
    """The case page's content, for a case this member of staff may see."""
    with session_scope() as session:
        case = visible_case(session, staff, reference)
        detail = case_detail(session, case)
        labels = {status: status_text(status, "en").label for status in detail.next_statuses}
        return {"detail": detail, "case": case, "status_labels": labels,
                "reason_choices": reason_choices(detail.next_statuses),
                "merge_reasons": reason_choices(["duplicate"]),
                "told": who_is_told(recipients(session, case)),
                "cannot_ask": can_ask_reporter(session, case),
                "reporter_language": language_name(case.language)}


@dataclass(frozen=True)
class ReasonChoice:
    """The standard reasons offered for a change to one status (English, as staff read)."""

    status: str
    label: str
    reasons: Tuple[Tuple[str, str], ...]  # (code, English text)


def reason_choices(statuses: Sequence[str]) -> List[ReasonChoice]:
    """Per status the case may move to, the standard reasons that fit it (none: left out)."""
    choices = [ReasonChoice(status, status_text(status, "en").label,
                            tuple((reason.code, reason.text("en"))
                                  for reason in offered_reasons(status)))
               for status in statuses]
    return [choice for choice in choices if choice.reasons]


def who_is_told(people: Sequence[Recipient]) -> str:
    """Who a change on this case will message and the languages they read: a caseworker's own
    words reach each of them exactly as typed."""
    if not people:
        return ("Nobody is sent a message: the reporter did not ask for updates and nobody "
                "follows this case.")
    parts = [f"the reporter (reads {language_name(person.language)})"
             for person in people if person.audience == "reporter"]
    followers = [person for person in people if person.audience == "follower"]
    if followers:
        languages = ", ".join(sorted({language_name(person.language) for person in followers}))
        parts.append(f"1 follower (reads {languages})" if len(followers) == 1
                     else f"{len(followers)} followers (read {languages})")
    return f"Sent to {' and '.join(parts)}."


def visible_case(session: Session, staff: StaffIdentity, reference: str) -> Case:
    """The case by reference, or CaseNotFound when it does not exist or is not theirs to see."""
    try:
        case = find_case(session, reference)
    except MalformedReference as error:
        raise CaseNotFound((reference or "").strip()) from error
    if not can_see_case(staff.role, staff.department, case):
        raise CaseNotFound(case.reference)
    return case


def change_status(staff: StaffIdentity, reference: str, to: str, reason: str, reason_code: str,
                  seen_status: Optional[str], ip: str) -> StatusChanged:
    """A caseworker's status change, its citizens' messages and its audit entry, together.

    `seen_status` is the status the form was rendered with: if someone else changed the case
    meanwhile, nothing is changed (CaseChangedMeanwhile), so nobody overwrites a colleague.
    """
    with session_scope() as session:
        case = visible_case(session, staff, reference)
        if seen_status and seen_status != case.status:
            raise CaseChangedMeanwhile(case.reference, case.status)
        before = _audit_state(case)
        event = change_status_by_staff(session, case, to, reason, by=staff.username,
                                       reason_code=reason_code)
        queued = len(recipients(session, case))  # one message each, queued by the change
        record(session, actor=staff.username, action="case.status_changed", target_type="case",
               target_id=case.reference, before=before,
               after={**_audit_state(case), "reason": reason.strip(),
                      "reason_code": event.reason_code, "messages": queued}, ip=ip)
        return StatusChanged(reference=case.reference, sender_id=case.sender_id,
                             asked_fix=case.fix_confirmation == "asked" and case.status == "resolved",
                             messages_queued=queued)


def merge(staff: StaffIdentity, reference: str, target_reference: str, reason: str,
          reason_code: str, ip: str) -> str:
    """Merge this case into another one the caseworker can see; audited. Returns the target's
    reference."""
    with session_scope() as session:
        source = visible_case(session, staff, reference)
        try:
            target = visible_case(session, staff, target_reference)
        except CaseNotFound as error:
            raise InvalidInput(f"there is no case {target_reference.strip() or '(blank)'} "
                               "that you can open to merge into") from error
        before = _audit_state(source)
        result = merge_cases(session, source, target, actor=staff.username, reason=reason,
                             reason_code=reason_code)
        record(session, actor=staff.username, action="case.merged", target_type="case",
               target_id=source.reference, before=before,
               after={**_audit_state(source), "merged_into": target.reference,
                      "reason": reason.strip(), "reason_code": result.source_event.reason_code,
                      "followers_carried": len(result.followers)},
               ip=ip)
        return target.reference


def reporter_conversation(staff: StaffIdentity, reference: str) -> str:
    """The conversation (Rasa sender id) of a case the caller may see, to ask the assistant
    whether the reporter is free before a question is sent to them."""
    with session_scope() as session:
        return visible_case(session, staff, reference).sender_id


def ask(staff: StaffIdentity, reference: str, question: str, ip: str,
        hold: bool = False) -> AskedQuestion:
    """A caseworker's question to the reporter, queued to them (held back while they are busy
    with a report, `hold`) and kept in the case's history; audited in the same unit of work."""
    with session_scope() as session:
        case = visible_case(session, staff, reference)
        asked = ask_reporter(session, case, question, by=staff.username, hold=hold)
        record(session, actor=staff.username, action="case.question_asked", target_type="case",
               target_id=case.reference, before=None,
               after={"question": " ".join(question.split()), "language": case.language,
                      "held": hold},
               ip=ip)
        return asked


def photo(staff: StaffIdentity, reference: str, attachment_id: str) -> Tuple[bytes, str]:
    """A photo of a case the caller may see: its bytes and its (sniffed) content type."""
    with session_scope() as session:
        case = visible_case(session, staff, reference)
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.case_id != case.id:
            raise CaseNotFound(case.reference)
        path, content_type = Path(attachment.storage_path), attachment.content_type
    root = Path(get_settings().attachments_dir).resolve()
    resolved = path.resolve()
    if root not in resolved.parents or not resolved.is_file():
        raise AttachmentRejected("the photo is missing from storage")
    return resolved.read_bytes(), content_type


def _audit_state(case: Case) -> Dict[str, Any]:
    return {"status": case.status, "fix_confirmation": case.fix_confirmation,
            "merged_into_id": case.merged_into_id}

