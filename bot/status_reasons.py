"""Standard reasons for a status change: what a caseworker can pick so that every citizen told
about the change reads why in their own language.

A caseworker's own words reach each citizen exactly as typed, in whatever language they were
typed in; a Spanish-speaking reporter told "Filled and rolled" has not been answered in their
language. The standard reasons live in the `reasons:` block of content/services.yml, written
once in every language by the communications team, and a status change stores the reason's
code beside the caseworker's optional note. The text is looked up when it is read, so each
reader (a citizen's message, the console's history in English, Open311's status_notes) gets
its own language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union

from bot.errors import InvalidInput
from bot.models import CASE_STATUSES, CaseEvent
from bot.services import FALLBACK_LANGUAGE, localized, read_catalogue

__all__ = ["StandardReason", "load_reasons", "offered_reasons", "checked_reason",
           "reason_text", "event_reason", "latest_reason", "as_sentence"]

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class StandardReason:
    """One standard reason: the status changes it fits and its text per language."""

    code: str
    statuses: Tuple[str, ...]
    texts: Dict[str, str]
    active: bool = True

    def text(self, language: str) -> str:
        """The reason in `language`, English when it has not been translated yet."""
        return str(localized(self.texts, language))


def load_reasons(path: Optional[Union[str, Path]] = None) -> Dict[str, StandardReason]:
    """The `reasons:` block of the catalogue file, checked; a broken block raises ValueError
    (the seed runs this, so a typo fails the deploy rather than a caseworker's change)."""
    raw = read_catalogue(path).get("reasons") or {}
    if not isinstance(raw, dict):
        raise ValueError("`reasons:` must map each reason's code to its statuses and text")
    return {str(code): _reason(str(code), item or {}) for code, item in raw.items()}


def _reason(code: str, item: dict) -> StandardReason:
    if not _CODE.match(code):
        raise ValueError(f"reason code {code!r} must be lower-case letters, digits and _")
    statuses = tuple(str(status) for status in item.get("statuses") or ())
    unknown = sorted(set(statuses) - set(CASE_STATUSES))
    if not statuses or unknown:
        raise ValueError(f"reason {code!r} must list the statuses it fits; unknown: {unknown}")
    texts = {str(language): str(text).strip() for language, text in (item.get("text") or {}).items()
             if str(text or "").strip()}
    if FALLBACK_LANGUAGE not in texts:
        raise ValueError(f"reason {code!r} has no English text")
    return StandardReason(code, statuses, texts, bool(item.get("active", True)))


def offered_reasons(status: str) -> List[StandardReason]:
    """The active reasons that fit a change to `status`, in the file's order."""
    return [reason for reason in load_reasons().values()
            if reason.active and status in reason.statuses]


def checked_reason(to_status: str, code: Optional[str]) -> Optional[str]:
    """The code to store for a change to `to_status`, or None for no standard reason.

    Raises InvalidInput for a code that is unknown, withdrawn or meant for another status, so
    the caseworker can pick again with their note kept."""
    code = (code or "").strip()
    if not code:
        return None
    reason = load_reasons().get(code)
    if reason is None or not reason.active:
        raise InvalidInput(f"there is no standard reason {code!r}; pick one from the list")
    if to_status not in reason.statuses:
        raise InvalidInput(f"the standard reason \"{reason.text(FALLBACK_LANGUAGE)}\" does not "
                           f"fit the status {to_status!r}; pick one listed under that status")
    return code


def reason_text(code: Optional[str], note: Optional[str], language: str) -> str:
    """The standard reason in `language` followed by the caseworker's note as typed; "" for
    neither. A code no longer in the file reads as its words rather than failing the reader."""
    parts = []
    if code:
        reason = load_reasons().get(code)
        parts.append(reason.text(language) if reason else code.replace("_", " ").capitalize())
    if (note or "").strip():
        parts.append(str(note).strip())
    return " ".join(parts)


def event_reason(event: CaseEvent, language: str) -> str:
    """Why this change happened, in `language` as far as the standard reason goes."""
    return reason_text(event.reason_code, event.reason, language)


def latest_reason(events: Iterable[CaseEvent], language: str) -> str:
    """Why the case has its current status: the reason of its latest status change, in
    `language` as far as the standard reason goes. As public as the status itself: followers
    are sent it, Open311 shows it, and the console tells caseworkers whom it reaches."""
    for event in reversed(list(events)):
        if event.kind == "status_changed":
            return event_reason(event, language)
    return ""


def as_sentence(reason: str) -> str:
    """A reason ready to stand before the next sentence of a message: ending in a full stop
    and a space, or "" for none (the templates' {reason} placeholder)."""
    reason = reason.strip()
    if not reason:
        return ""
    return (reason if reason.endswith((".", "!", "?")) else reason + ".") + " "
