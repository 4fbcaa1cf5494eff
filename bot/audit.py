"""The audit log: who did what to which record, when, with the before and after.

Every staff action that changes data calls `record` in the same unit of work as the change,
so an action and its audit entry are committed (or rolled back) together.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.models import AuditEntry

# Never written to before/after, whatever a caller passes: a hash in the log is a hash leaked.
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "csrf_token", "key", "key_hash",
                           "secret", "api_key"})


def _scrub(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """A JSON-safe copy without secret fields; datetimes as ISO text."""
    if values is None:
        return None
    clean: Dict[str, Any] = {}
    for name, value in values.items():
        if name.lower() in SECRET_FIELDS:
            continue
        if isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        elif isinstance(value, Mapping):
            value = _scrub(value)
        clean[name] = value
    return clean


def record(session: Session, *, actor: str, action: str, target_type: str, target_id: str,
           before: Optional[Mapping[str, Any]], after: Optional[Mapping[str, Any]],
           ip: Optional[str], now: Optional[dt.datetime] = None) -> AuditEntry:
    """Add one audit entry to the caller's unit of work (flushed, not committed)."""
    entry = AuditEntry(at=utc_naive(now), actor=actor[:80], action=action[:60],
                       target_type=target_type[:40], target_id=str(target_id)[:80],
                       before=_scrub(before), after=_scrub(after),
                       ip=ip[:64] if ip else None)
    session.add(entry)
    session.flush()
    return entry


def list_entries(session: Session, *, actor: Optional[str] = None, action: Optional[str] = None,
                 page: int = 1, per_page: int = 50) -> Tuple[Sequence[AuditEntry], int]:
    """One page of the log, newest first, optionally for one actor and/or action (an action
    ending in "." matches a family, e.g. "staff."); also the total count for the pager."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True)
                            if action.endswith(".") else AuditEntry.action == action)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = max(1, page)
    rows = session.execute(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return rows, int(total)


def known_actions(session: Session) -> List[str]:
    """Distinct actions in the log, for the filter's choices."""
    return list(session.execute(select(AuditEntry.action).distinct()
                                .order_by(AuditEntry.action)).scalars())


def known_actors(session: Session) -> List[str]:
    return list(session.execute(select(AuditEntry.actor).distinct()
                                .order_by(AuditEntry.actor)).scalars())
