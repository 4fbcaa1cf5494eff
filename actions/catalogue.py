"""The service catalogue as the report form needs it: a code or typed name -> the service's
name and follow-up questions in the citizen's language, as plain values (no live ORM rows
leave the unit of work).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.common import latest_entity
from bot.db import read_scope
from bot.errors import DatabaseUnavailable, UnknownService
from bot.service_mentions import services_mentioned
from bot.services import FollowupQuestion, followup_questions, get_service, list_services
from bot.services import service_name

OTHER = "other"  # the catalogue's catch-all service: it says nothing about which problem


def named_service(tracker: Tracker) -> Optional[str]:
    """The specific service the latest message names (the classifier's guess, or a button's),
    if it names one: "other" says nothing about which problem it is."""
    named = str((latest_entity(tracker, "category") or {}).get("value") or "")
    return named if named and named != OTHER else None


def service_in_words(text: str) -> Optional[str]:
    """The one service the catalogue's names and keywords find in `text` (bot.service_mentions),
    where the classifier named none; None for none, several, or no database to ask."""
    try:
        with read_scope() as session:
            named = services_mentioned(session, text)
    except DatabaseUnavailable:
        return None
    return named[0] if len(named) == 1 else None


@dataclass(frozen=True)
class ServiceInfo:
    """One active service in one language."""

    code: str
    name: str
    questions: List[FollowupQuestion]
    asks_for_photos: bool = True  # false where a photo shows nothing (noise)


def service_info(code: Optional[str], language: str) -> Optional[ServiceInfo]:
    """The active service `code`, or None when the catalogue does not offer it."""
    with read_scope() as session:
        return _info(session, code, language)


def find_service(text: str, language: str) -> Optional[ServiceInfo]:
    """A service by its code or by its name as typed ("pothole", "Street light fault")."""
    wanted = text.strip().casefold()
    with read_scope() as session:
        found = _info(session, wanted, language)
        if found is None:
            code = next((view.code for view in list_services(session, language)
                         if view.name.casefold() == wanted), None)
            found = _info(session, code, language)
        return found


def services_for(codes: Sequence[str], language: str) -> List[ServiceInfo]:
    """The active services among `codes`, in the given order, each once."""
    found: List[ServiceInfo] = []
    with read_scope() as session:
        for code in codes:
            info = _info(session, code, language)
            if info is not None and all(item.code != info.code for item in found):
                found.append(info)
    return found


def _info(session: Session, code: Optional[str], language: str) -> Optional[ServiceInfo]:
    if not code or not isinstance(code, str):
        return None
    try:
        service = get_service(session, code)
    except UnknownService:
        return None
    if not service.active:
        return None
    return ServiceInfo(code=service.code, name=service_name(service, language),
                       questions=followup_questions(service, language),
                       asks_for_photos=service.asks_for_photos)
