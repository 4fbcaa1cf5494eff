"""Open311 GeoReport v2 over the case database, independent of any web framework or format.

Every function returns plain dicts and lists in the spec's field order; the console's
Open311 blueprint renders them as XML or JSON. Errors are the core's named exceptions
(bot.errors), which the blueprint maps to the spec's error documents and HTTP codes.

Service catalogue -> services and service definitions; cases -> service requests
(bot.open311_requests creates them, bot.open311_queries reads them).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

from sqlalchemy.orm import Session

from bot.city import load_city
from bot.errors import Open311NotFound, UnknownService
from bot.open311_attributes import service_attributes
from bot.open311_dates import format_w3c
from bot.open311_queries import get_request, query_requests, request_for_token
from bot.open311_requests import create_request
from bot.services import FALLBACK_LANGUAGE, get_service, list_services, localized
from bot.settings import get_settings

__all__ = ["SPECIFICATION", "API_PATH", "check_jurisdiction", "discovery_document",
           "service_list", "service_definition", "create_request", "query_requests",
           "get_request", "request_for_token"]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
API_PATH = "/open311/v2"
FORMATS = ["text/xml", "application/json"]


def check_jurisdiction(jurisdiction_id: Optional[str]) -> None:
    """This endpoint serves one jurisdiction, so the id is optional (the spec allows that);
    a different one is refused (404, "not found") rather than answered with our data."""
    given = (jurisdiction_id or "").strip()
    if given and given.lower() != get_settings().open311_jurisdiction_id.lower():
        raise Open311NotFound(f"jurisdiction_id {given!r} was not found; this endpoint serves "
                              f"{get_settings().open311_jurisdiction_id}")


def _changeset() -> str:
    """When the service list or definitions last changed: the catalogue file's time."""
    mtime = Path(get_settings().services_file).stat().st_mtime
    moment = dt.datetime.fromtimestamp(mtime, tz=dt.timezone.utc)
    return format_w3c(moment, load_city().zone) or ""


def discovery_document() -> dict:
    """Service discovery: where the API lives, its formats, and how to get a key."""
    city, settings = load_city(), get_settings()
    changeset = _changeset()
    return {
        "changeset": changeset,
        "contact": f"{city.name} council: {city.email}, {city.phone}",
        "key_service": f"API keys are issued by {city.name}'s console administrators; "
                       f"ask at {city.email}.",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": settings.console_public_url.rstrip("/") + API_PATH,
            "changeset": changeset,
            "type": "production",
            "formats": list(FORMATS),
        }],
    }


def service_list(session: Session, language: str = FALLBACK_LANGUAGE) -> List[dict]:
    """GET services: the active catalogue, grouped by the department that handles it."""
    records = []
    for view in list_services(session, language):
        service = get_service(session, view.code)
        keywords = localized(service.keywords, language) or []
        records.append({"service_code": view.code, "service_name": view.name,
                        "description": view.description,
                        "metadata": bool(service.questions), "type": "realtime",
                        "keywords": ", ".join(str(word) for word in keywords),
                        "group": view.department})
    return records


def service_definition(session: Session, service_code: str,
                       language: str = FALLBACK_LANGUAGE) -> dict:
    """GET a service definition; UnknownService (404) for a code not offered."""
    service = get_service(session, service_code)
    if not service.active:
        raise UnknownService(service_code)
    return {"service_code": service.code, "attributes": service_attributes(service, language)}
