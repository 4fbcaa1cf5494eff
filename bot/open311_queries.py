"""Reading service requests through Open311: every case, whatever channel it came from, as the
spec's request record, with the spec's defaults and limits.

What a GET never shows: the reporter's contact details (Case.contact, Case.reporter), ever.
What it shows only for public requests: description, address, lat/long and media_url. A
request posted through Open311 is public (the client publishes it under the API's terms, and
its media_url is a URL the client itself made public); a report made in a chat is not,
because the assistant tells citizens that only they see their address and description
(bot.cases.case_status_view), and a chat photo has no public URL. Status, service,
department, dates and the caseworker's status notes are shown for every case, so city apps
see the whole workload.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.api_keys import OPEN311_CHANNEL
from bot.cases import OPEN_STATUSES, find_case
from bot.city import load_city
from bot.clock import utc_naive
from bot.errors import CaseNotFound, MalformedReference, Open311Invalid, Open311NotFound
from bot.models import CASE_STATUSES, Case
from bot.open311_dates import end_of_day, format_w3c, parse_w3c
from bot.services import FALLBACK_LANGUAGE, service_name, status_text
from bot.status_reasons import latest_reason

CLOSED_STATUSES = tuple(status for status in CASE_STATUSES if status not in OPEN_STATUSES)
MAX_SPAN = dt.timedelta(days=90)
MAX_RESULTS = 1000


@dataclass(frozen=True)
class RequestQuery:
    """A parsed GET requests query; `ids` overrides everything else, as the spec says."""

    ids: Tuple[str, ...]
    service_codes: Tuple[str, ...]
    start: dt.datetime
    end: dt.datetime
    statuses: Tuple[str, ...]


def open311_status(status: str) -> str:
    """The spec knows only open and closed."""
    return "open" if status in OPEN_STATUSES else "closed"


def _listed(params: Mapping[str, Sequence[str]], name: str) -> Tuple[str, ...]:
    """A parameter that may be repeated and comma delimited; empty means not given."""
    parts = ",".join(params.get(name) or ()).split(",")
    return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))


def parse_query(params: Mapping[str, Sequence[str]], zone: ZoneInfo,
                now: Optional[dt.datetime] = None) -> RequestQuery:
    """The query's filters with the defaults: the last 90 days when no dates are given, 90
    days from the one date given, and never more than 90 days (400 otherwise)."""
    start_text, end_text = _listed(params, "start_date"), _listed(params, "end_date")
    start = parse_w3c(start_text[0], zone, "start_date") if start_text else None
    end = parse_w3c(end_text[0], zone, "end_date") if end_text else None
    if start is None and end is None:
        end = utc_naive(now)
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Invalid(["end_date is before start_date"])
    if end - start > MAX_SPAN:
        raise Open311Invalid(["start_date and end_date may not span more than 90 days"])
    statuses = tuple(status.lower() for status in _listed(params, "status"))
    wrong = [status for status in statuses if status not in ("open", "closed")]
    if wrong:
        raise Open311Invalid([f"status must be open or closed (got {', '.join(wrong)})"])
    ids = _listed(params, "service_request_id")
    if len(ids) > MAX_RESULTS:
        raise Open311Invalid([f"at most {MAX_RESULTS} service_request_id values at once"])
    codes = tuple(code.lower() for code in _listed(params, "service_code"))
    return RequestQuery(ids=tuple(value.upper() for value in ids), service_codes=codes,
                        start=start, end=end, statuses=statuses)


def query_requests(session: Session, params: Mapping[str, Sequence[str]],
                   now: Optional[dt.datetime] = None) -> List[dict]:
    """GET requests: newest first, at most 1000."""
    zone = load_city().zone
    query = parse_query(params, zone, now)
    statement = select(Case).options(selectinload(Case.events)).where(Case.reference.is_not(None))
    if query.ids:
        statement = statement.where(Case.reference.in_(query.ids))
    else:
        statement = statement.where(Case.created_at >= query.start, Case.created_at <= query.end)
        if query.service_codes:
            statement = statement.where(Case.service_code.in_(query.service_codes))
        if query.statuses:
            internal = [status for wanted in query.statuses
                        for status in (OPEN_STATUSES if wanted == "open" else CLOSED_STATUSES)]
            statement = statement.where(Case.status.in_(internal))
    statement = statement.order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_RESULTS)
    return [request_record(case, zone) for case in session.execute(statement).scalars()]


def get_request(session: Session, service_request_id: str) -> dict:
    """GET one request by its id (the case reference); Open311NotFound when there is none."""
    try:
        case = find_case(session, service_request_id)
    except (CaseNotFound, MalformedReference) as exc:
        raise Open311NotFound(f"service_request_id {service_request_id!r} was not found") from exc
    return request_record(case, load_city().zone)


def request_for_token(session: Session, token: str) -> dict:
    """GET tokens: a token is the submission id of a request posted through Open311."""
    case = session.execute(select(Case).where(
        Case.submission_id == (token or "").strip(), Case.channel == OPEN311_CHANNEL)
    ).scalars().first()
    if case is None or case.reference is None:
        raise Open311NotFound(f"token {token!r} was not found")
    return {"service_request_id": case.reference, "token": case.submission_id}


def _status_notes(case: Case) -> Optional[str]:
    """Why the case has its status: the reason of its latest status change."""
    return latest_reason(case.events or [], FALLBACK_LANGUAGE) or None


def request_record(case: Case, zone: ZoneInfo) -> Dict[str, object]:
    """One case as the spec's request, fields in the spec's order."""
    public = case.channel == OPEN311_CHANNEL
    return {
        "service_request_id": case.reference,
        "status": open311_status(case.status),
        "status_notes": _status_notes(case),
        "service_name": service_name(case.service, FALLBACK_LANGUAGE),
        "service_code": case.service_code,
        "description": (case.description or None) if public else None,
        "agency_responsible": case.service.department,
        "service_notice": status_text(case.status, FALLBACK_LANGUAGE).public_notice or None,
        "requested_datetime": format_w3c(case.created_at, zone),
        "updated_datetime": format_w3c(case.updated_at, zone),
        "expected_datetime": end_of_day(case.expected_by, zone),
        "address": case.address if public else None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude if public else None,
        "long": case.longitude if public else None,
        "media_url": case.media_url if public else None,
    }
