"""POST a service request: an Open311 client's report becomes a case like any other
(reference, department, SLA date, console), created once per submission.

Submission id: the key's id plus the client's Idempotency-Key when it sends one (a client
that timed out can retry and gets the same request back), else a fresh uuid. It is also
the request's token for GET tokens.

Duplicates: a report near an open case of the same service is still created, as its own
request with its own reporter, because the spec promises the client a service_request_id
for what it sent and a caseworker, not a 50-metre radius, decides whether two reports are
one problem (bot.merges). The case gets a note naming the likely original and the client's
service_notice says so.

Location: lat & long, address_string or address_id. The city keeps no master address
repository here, so an address_id (e.g. a UPRN from the city's gazetteer) is kept verbatim
in the case's address for the caseworker to look up.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.api_keys import OPEN311_CHANNEL, check_rate_limit, sender_for_key, verify_key
from bot.cases import open_case
from bot.city import load_city
from bot.clock import utc_naive
from bot.duplicates import find_duplicate
from bot.errors import Open311Invalid
from bot.logs import log_event
from bot.models import ApiKey, Case, CaseEvent, Service
from bot.open311_attributes import validate_attributes
from bot.services import FALLBACK_LANGUAGE, get_service

log = logging.getLogger(__name__)
MAX_DESCRIPTION_CHARS = 4000
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "device_id", "account_id")
DUPLICATE_PREFIX = "Possibly the same problem as "
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()\-. ]{3,40}$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
Form = Mapping[str, Sequence[str]]


def _one(form: Form, name: str) -> str:
    values = form.get(name) or ()
    return str(values[0]).strip() if values else ""


def submission_for(key: ApiKey, idempotency_key: Optional[str]) -> str:
    """The case's submission id (and the request's token)."""
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.strip().encode("utf-8")).hexdigest()[:32]
        return f"o311-{key.id}-{digest}"
    return f"o311-{key.id}-{uuid.uuid4().hex}"


def create_request(session: Session, *, api_key: Optional[str], form: Form,
                   idempotency_key: Optional[str] = None,
                   now: Optional[dt.datetime] = None) -> dict:
    """POST requests: the spec's response record for the created (or retried) request.

    Raises ApiKeyRejected (403), ApiKeyRateLimited (429), UnknownService (404) and
    Open311Invalid (400) with every problem found."""
    key = verify_key(session, api_key, lock=True)
    if idempotency_key is not None and not 0 < len(idempotency_key.strip()) <= 200:
        raise Open311Invalid(["the Idempotency-Key header must be 1 to 200 characters"])
    submission_id = submission_for(key, idempotency_key)
    earlier = session.execute(select(Case).where(
        Case.submission_id == submission_id)).scalars().first()
    if earlier is not None:
        return response_record(earlier)
    check_rate_limit(session, key, now)
    code = _one(form, "service_code")
    if not code:
        raise Open311Invalid(["service_code was not provided"])
    service = get_service(session, code)  # UnknownService: 404
    values, problems = _read_report(service, form)
    if problems:
        raise Open311Invalid(problems)
    opened = open_case(session, submission_id=submission_id, service_code=service.code,
                       channel=OPEN311_CHANNEL, sender_id=sender_for_key(key), contact=None,
                       language=FALLBACK_LANGUAGE, consent=False, now=now, **values)
    duplicate_of = None
    if opened.created:
        opened.case.reporter = _reporter(form)
        opened.case.media_url = _one(form, "media_url") or None
        duplicate_of = _note_duplicate(session, opened.case, utc_naive(now))
    log_event(log, "open311.request_created", case=opened.case.reference, service=service.code,
              api_key_id=key.id, created=opened.created, duplicate_of=duplicate_of)
    return response_record(opened.case)


def _read_report(service: Service, form: Form) -> Tuple[dict, List[str]]:
    """open_case's keyword arguments from the form, and every problem with it."""
    latitude, longitude, address, problems = _location(form)
    description = _one(form, "description")
    if len(description) > MAX_DESCRIPTION_CHARS:
        problems.append(f"description is longer than {MAX_DESCRIPTION_CHARS} characters")
    answers, attribute_problems = validate_attributes(service, _attributes(form), load_city().zone)
    problems += attribute_problems + _contact_problems(form)
    return dict(description=description, address=address, latitude=latitude,
                longitude=longitude, answers=answers), problems


def _location(form: Form) -> Tuple[Optional[float], Optional[float], Optional[str], List[str]]:
    """(lat, long, address, problems): one full location parameter is required."""
    lat_text, long_text = _one(form, "lat"), _one(form, "long")
    address_string, address_id = _one(form, "address_string"), _one(form, "address_id")
    problems: List[str] = []
    latitude = longitude = None
    if lat_text or long_text:
        try:
            latitude, longitude = float(lat_text), float(long_text)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValueError("out of range")
        except ValueError:
            latitude = longitude = None
            problems.append("lat and long must both be sent, as WGS84 decimal degrees")
    elif not (address_string or address_id):
        problems.append("a location is required: lat and long, address_string or address_id")
    if len(address_string) > 500 or len(address_id) > 100:
        problems.append("address_string or address_id is too long")
    address = address_string or None
    if address_id:
        address = f"{address_string} (address_id {address_id})" if address_string \
            else f"address_id {address_id}"
    return latitude, longitude, address, problems


def _attributes(form: Form) -> Dict[str, List[str]]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, by code."""
    found: Dict[str, List[str]] = {}
    for name, values in form.items():
        match = _ATTRIBUTE.match(name)
        if match:
            found.setdefault(match.group(1), []).extend(str(value) for value in values)
    return found


def _contact_problems(form: Form) -> List[str]:
    problems = [f"{name} is longer than 200 characters"
                for name in CONTACT_FIELDS if len(_one(form, name)) > 200]
    email, phone, media_url = _one(form, "email"), _one(form, "phone"), _one(form, "media_url")
    if email and not _EMAIL.match(email):
        problems.append("email is not an email address")
    if phone and not _PHONE.match(phone):
        problems.append("phone is not a phone number")
    if media_url and (not re.match(r"^https?://\S+$", media_url) or len(media_url) > 2000):
        problems.append("media_url must be an http(s) URL")
    return problems


def _reporter(form: Form) -> dict:
    """Case.reporter: the contact fields the client sent (never shown on GET)."""
    reporter = {name: _one(form, name) for name in CONTACT_FIELDS}
    return {name: value for name, value in reporter.items() if value}


def _note_duplicate(session: Session, case: Case, now: dt.datetime) -> Optional[str]:
    """Tell the caseworker (and the client) when an open case looks like the same problem;
    the reference of that case, if any."""
    original = find_duplicate(session, service_code=case.service_code, latitude=case.latitude,
                              longitude=case.longitude, address=case.address,
                              exclude_case_id=case.id)
    if original is not None:
        reason = f"{DUPLICATE_PREFIX}{original.reference}, which is open"
        case.events.append(CaseEvent(kind="note", actor="system", created_at=now, reason=reason))
        session.flush()
        return original.reference
    return None


def response_record(case: Case) -> dict:
    """The POST response: the request id (realtime services never answer with a token)."""
    notice = (f"Received by {case.service.department} as {case.reference}; "
              f"expected to be dealt with by {case.expected_by:%d %B %Y}.")
    for event in case.events:
        if event.kind == "note" and (event.reason or "").startswith(DUPLICATE_PREFIX):
            notice += f" {event.reason}."
    account_id = (case.reporter or {}).get("account_id")
    return {"service_request_id": case.reference, "service_notice": notice,
            "account_id": account_id}
