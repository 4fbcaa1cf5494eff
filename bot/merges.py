"""Merging two reports of the same problem: one case carries on, the other points at it.

Nobody who told us about the problem is dropped: the merged case's reporter and followers
follow the case that carries on, and hear about the merge once (the merged case's own
status change to "duplicate", worded with the other reference). Both histories record it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy.orm import Session

from bot.cases import allowed_next_statuses, change_status_by_staff
from bot.clock import utc_naive
from bot.errors import InvalidInput, InvalidTransition
from bot.followers import carry_followers
from bot.models import Case, CaseEvent, CaseFollower
from bot.status_reasons import event_reason

__all__ = ["MergeResult", "merge_cases"]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did, for the audit log and the caseworker's confirmation."""

    source_reference: str
    target_reference: str
    source_status_before: str
    followers: List[CaseFollower]
    source_event: CaseEvent
    target_event: CaseEvent


def merge_cases(session: Session, source: Case, target: Case, actor: str, reason: str,
                now: Optional[dt.datetime] = None,
                reason_code: Optional[str] = None) -> MergeResult:
    """Merge `source` into `target` (same unit of work as the caller's audit entry).

    The reason is a standard one for "duplicate" (`reason_code`, each citizen reads it in
    their language), the caseworker's own words, or both. Raises InvalidInput for a merge
    into itself, into a case that is itself merged away, or without a reason;
    InvalidTransition when the source cannot become a duplicate (it already is one).
    """
    _check(source, target, reason, reason_code)
    moment = utc_naive(now)
    before = source.status
    followers = carry_followers(session, source, target, now=moment)
    source.merged_into_id = target.id  # set first: the citizens' message names the target
    source_event = change_status_by_staff(session, source, "duplicate", reason, by=actor,
                                          now=moment, reason_code=reason_code)
    why = event_reason(source_event, "en")
    source.events.append(CaseEvent(kind="merged", actor=actor, created_at=moment,
                                   reason=f"Merged into {target.reference}: {why}"))
    target_event = CaseEvent(kind="merged", actor=actor, created_at=moment,
                             reason=f"{source.reference} merged into this case: {why}")
    target.events.append(target_event)
    target.updated_at = moment
    session.flush()
    return MergeResult(source_reference=source.reference, target_reference=target.reference,
                       source_status_before=before, followers=followers,
                       source_event=source_event, target_event=target_event)


def _check(source: Case, target: Case, reason: str, reason_code: Optional[str]) -> None:
    """Refuse merges that would lose track of a report."""
    if not (reason or "").strip() and not (reason_code or "").strip():
        raise InvalidInput("a reason is required to merge cases: pick a standard reason or "
                           "write your own")
    if source.id == target.id:
        raise InvalidInput("a case cannot be merged into itself")
    if target.status == "duplicate" or target.merged_into_id is not None:
        raise InvalidInput(f"{target.reference} is itself a duplicate; merge into the case it "
                           "points to instead")
    if "duplicate" not in allowed_next_statuses(source.status):
        raise InvalidTransition(source.status, "duplicate")

