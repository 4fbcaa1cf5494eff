"""The city reporting back: a status change becomes a message to the citizen, in the outbox.

Written in the same transaction as the change itself (cases.change_status calls it), so a
committed change always has its message queued and a rolled-back one never does. Worded in
the language the citizen last used with us (cases.remember_language keeps it on their cases),
sent only to citizens who consented to updates.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Dict, Optional

import yaml
from sqlalchemy.orm import Session

from bot.models import Case, CaseEvent, OutboxMessage
from bot.outbox import enqueue
from bot.services import localized, service_name, status_text
from bot.settings import get_settings


def status_update_body(case: Case, event: CaseEvent, language: str) -> str:
    """The citizen-facing words for one status change, with the caseworker's reason."""
    template = str(localized(_templates().get("status_update"), language))
    words = status_text(event.to_status or case.status, language)
    reason = (event.reason or "").strip()
    if reason and not reason.endswith((".", "!", "?")):
        reason += "."
    return template.format(reference=case.reference, service=service_name(case.service, language),
                           status=words.label, reason=f"{reason} " if reason else "",
                           next_step=words.next_step).strip()


def notify_status_change(session: Session, case: Case, event: CaseEvent,
                         now: Optional[dt.datetime] = None) -> Optional[OutboxMessage]:
    """Queue the update for this change once (keyed by the event), if the citizen wants updates."""
    if not case.consent_updates:
        return None
    return enqueue(session, channel=case.channel, recipient=case.contact or case.sender_id,
                   language=case.language, kind="status_update",
                   body=status_update_body(case, event, case.language),
                   payload={"reference": case.reference, "status": event.to_status},
                   dedupe_key=f"case-event:{event.id}", case_id=case.id, now=now)


def _templates() -> Dict[str, object]:
    """The `notifications:` section of content/channels.yml (staff edit the wording there)."""
    path = Path(get_settings().channels_file)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return raw.get("notifications") or {}
