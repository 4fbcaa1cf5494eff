"""Open311 through the console as `make run` starts it: an admin issues a key on the API keys
page, a client posts a request with it, the request is a case in the caseworkers' console,
and revoking the key stops it at once. Only admins reach the key pages; every change is audited.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from sqlalchemy import select

from bot.cases import find_case
from bot.db import session_scope
from bot.models import ApiKey, AuditEntry

NEW_KEY = re.compile(r'id="new-key" name="new_key" value="([^"]+)"')
POST_BODY = {"service_code": "streetlight", "address_string": "Outside 4 Elm Road",
             "description": "Lamp flickers all night", "attribute[how_many_lights]": "one",
             "email": "resident@example.org", "phone": "+44 7700 900555",
             "first_name": "Ada", "last_name": "Lovelace"}


def _create_key(admin: httpx.Client, name: str, limit: str = "60") -> httpx.Response:
    return admin.post("/admin/api-keys", data={"name": name, "rate_limit_per_minute": limit,
                                               "csrf_token": admin.csrf})


def _issue_key(admin: httpx.Client, name: str) -> str:
    """Create a key on the page; the plain key is on that page and never listed again."""
    page = _create_key(admin, name)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f"Key created for {name}" in page.text
    plain = NEW_KEY.search(page.text).group(1)
    listing = admin.get("/admin/api-keys")
    assert plain not in listing.text and plain[:12] in listing.text
    return plain


def _resolve_in_console(console, make_staff, staff_client,  # type: ignore[no-untyped-def]
                        reference: str) -> None:
    """A caseworker of the department sees the case and resolves it with a reason."""
    caseworker = staff_client(console, *make_staff(console.database_url, "caseworker",
                                                   "Street Lighting"))
    assert caseworker.get(f"/cases/{reference}").status_code == 200
    moved = caseworker.post(f"/cases/{reference}/status", data={
        "status": "resolved", "reason": "New lamp fitted", "csrf_token": caseworker.csrf})
    assert moved.status_code == 303


def test_admin_issues_a_key_a_client_reports_and_revoking_stops_it(
        console_server, make_staff, staff_client) -> None:
    admin = staff_client(console_server, *make_staff(console_server.database_url, "admin"))
    plain = _issue_key(admin, "FixMyStreet")
    api = httpx.Client(base_url=f"{console_server.url}/open311/v2", timeout=20)
    created = api.post("/requests.xml", data={"api_key": plain, **POST_BODY})
    assert created.status_code == 200, created.text
    request_id = ET.fromstring(created.content).findtext("request/service_request_id")
    with session_scope(console_server.database_url) as session:
        case = find_case(session, request_id)
        assert (case.channel, case.service.department) == ("open311", "Street Lighting")
        key_id = session.execute(select(ApiKey.id).where(ApiKey.name == "FixMyStreet")).scalar()
    read = api.get(f"/requests/{request_id}.json")
    assert read.json()[0]["address"] == "Outside 4 Elm Road"
    for private in ("resident@example.org", "7700", "Ada", "Lovelace"):
        assert private not in read.text

    _resolve_in_console(console_server, make_staff, staff_client, request_id)
    record = ET.fromstring(api.get(f"/requests/{request_id}.xml").content).find("request")
    assert (record.findtext("status"), record.findtext("status_notes")) == \
        ("closed", "New lamp fitted")

    revoked = admin.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": admin.csrf})
    assert revoked.status_code == 302
    assert "revoked" in admin.get(revoked.headers["location"]).text
    refused = api.post("/requests.json", data={"api_key": plain, **POST_BODY})
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    api.close()
    with session_scope(console_server.database_url) as session:
        audited = session.execute(select(AuditEntry.action, AuditEntry.after).where(
            AuditEntry.target_type == "api_key", AuditEntry.target_id == str(key_id))).all()
    assert [action for action, _ in audited] == ["api_key.created", "api_key.revoked"]
    assert all(plain not in repr(after) for _, after in audited)


@pytest.mark.parametrize("name, limit, message", [("", "60", "a key needs a name"),
                                                  ("App", "lots", "must be a whole number"),
                                                  ("App", "0", "between 1 and 10000")])
def test_bad_key_forms_are_refused_with_the_reason(
        console_server, make_staff, staff_client, name: str, limit: str, message: str) -> None:
    admin = staff_client(console_server, *make_staff(console_server.database_url, "admin"))
    page = _create_key(admin, name, limit)
    assert page.status_code == 400 and message in page.text and 'id="new-key"' not in page.text


@pytest.mark.parametrize("role", ["caseworker", "comms"])
def test_only_admins_reach_the_key_pages(
        console_server, make_staff, staff_client, role: str) -> None:
    other = staff_client(console_server, *make_staff(console_server.database_url, role))
    assert other.get("/admin/api-keys").status_code == 403
    assert _create_key(other, "sneaky").status_code == 403
    revoke = other.post("/admin/api-keys/1/revoke", data={"csrf_token": other.csrf})
    assert revoke.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(console_server) -> None:
    with httpx.Client(base_url=console_server.url, follow_redirects=False) as anonymous:
        response = anonymous.get("/admin/api-keys")
    assert response.status_code == 302 and response.headers["location"].startswith("/login")


def test_key_form_without_csrf_is_refused(console_server, make_staff, staff_client) -> None:
    admin = staff_client(console_server, *make_staff(console_server.database_url, "admin"))
    assert admin.post("/admin/api-keys", data={"name": "x"}).status_code == 403


def test_revoking_an_unknown_key_is_404(console_server, make_staff, staff_client) -> None:
    admin = staff_client(console_server, *make_staff(console_server.database_url, "admin"))
    revoke = admin.post("/admin/api-keys/999999/revoke", data={"csrf_token": admin.csrf})
    assert revoke.status_code == 404
