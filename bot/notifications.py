"""The city reporting back: a status change becomes a message to every citizen who asked to
hear about the case, in the outbox.

Written in the same transaction as the change itself (cases.change_status calls it), so a
committed change always has its messages queued and a rolled-back one never does. The
reporter and each follower get their own message, in the language they last used with us,
each with its own dedupe key, and only when they consented to updates. When a case becomes
resolved the reporter's message also asks whether it is really fixed and for a 1-5 rating
(the dialogue records the answer, bot.fix_confirmation).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from sqlalchemy.orm import Session

from bot.followers import followers_of
from bot.models import Case, CaseEvent, OutboxMessage
from bot.outbox import enqueue
from bot.services import localized, service_name, status_text
from bot.settings import get_settings
from bot.status_reasons import as_sentence, event_reason

__all__ = ["Recipient", "recipients", "status_update_body", "notify_status_change",
           "notification_template"]


@dataclass(frozen=True)
class Recipient:
    """One citizen to tell about a case: its reporter or a follower."""

    channel: str
    sender_id: str
    address: str  # what the channel delivers to: the phone number / chat id, else the session
    language: str
    audience: str  # "reporter" or "follower"
    dedupe_suffix: str  # "" for the reporter, ":follower:<id>" for a follower


def recipients(session: Session, case: Case) -> List[Recipient]:
    """Who hears about a change: the reporter if they consented, then every consenting
    follower; one message per conversation even if someone is both."""
    found: List[Recipient] = []
    seen = set()
    if case.consent_updates:
        found.append(Recipient(case.channel, case.sender_id, case.contact or case.sender_id,
                               case.language, "reporter", ""))
        seen.add((case.channel, case.sender_id))
    for row in followers_of(session, case.id):
        if not row.consent_updates or (row.channel, row.sender_id) in seen:
            continue
        seen.add((row.channel, row.sender_id))
        found.append(Recipient(row.channel, row.sender_id, row.contact or row.sender_id,
                               row.language, "follower", f":follower:{row.id}"))
    return found


def status_update_body(case: Case, event: CaseEvent, language: str, audience: str = "reporter",
                       target_reference: Optional[str] = None) -> str:
    """The citizen-facing words for one status change, carrying the caseworker's reason (a
    standard one in `language`, their own words as typed)."""
    template = notification_template(
        _template_name(case, event, audience, target_reference), language)
    words = status_text(event.to_status or case.status, language)
    return template.format(reference=case.reference, service=service_name(case.service, language),
                           status=words.label, reason=as_sentence(event_reason(event, language)),
                           next_step=words.next_step, target=target_reference or "").strip()


def _template_name(case: Case, event: CaseEvent, audience: str,
                   target_reference: Optional[str]) -> str:
    """Which wording: a merge names the case that carries on; "resolved" asks the reporter
    whether it is really fixed, or thanks them when they told us it was (bot.cases);
    followers are told it is a report they follow."""
    if event.to_status == "duplicate" and target_reference:
        return "merged"
    if event.to_status == "resolved" and audience == "reporter":
        return "resolved_as_you_said" if case.fix_confirmation == "confirmed" \
            else "resolved_question"
    return "status_update_follower" if audience == "follower" else "status_update"


def notify_status_change(session: Session, case: Case, event: CaseEvent,
                         now: Optional[dt.datetime] = None) -> List[OutboxMessage]:
    """Queue this change's message for each consenting reporter and follower, once each."""
    target = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    target_reference = target.reference if target is not None else None
    queued = []
    for person in recipients(session, case):
        asks = event.to_status == "resolved" and person.audience == "reporter" \
            and case.fix_confirmation == "asked"
        queued.append(enqueue(
            session, channel=person.channel, recipient=person.address, language=person.language,
            kind="status_update",
            body=status_update_body(case, event, person.language, person.audience,
                                    target_reference),
            payload={"reference": case.reference, "status": event.to_status,
                     "audience": person.audience, "asks_fix_confirmation": asks,
                     "merged_into": target_reference},
            dedupe_key=f"case-event:{event.id}{person.dedupe_suffix}", case_id=case.id, now=now))
    return queued


def notification_template(name: str, language: str) -> str:
    """One wording of content/channels.yml's `notifications:`, in `language` (or the default)."""
    return str(localized(_templates().get(name), language))


def _templates() -> Dict[str, object]:
    """The `notifications:` section of content/channels.yml (staff edit the wording there)."""
    path = Path(get_settings().channels_file)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return raw.get("notifications") or {}
