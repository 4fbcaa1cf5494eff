"""The Open311 API over real HTTP, every endpoint in XML and JSON, checked against the
GeoReport v2 page (open311/open311.github.io GeoReport_v2): element names, field lists,
error documents and HTTP codes.

The console app (console.app.create_app, every blueprint) runs in this process on a free
loopback port, on a database of this module's own built by the migrations; a few journeys
through `python -m console` and the admin pages are in test_open311_console.py.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import httpx
import pytest
from sanic import Sanic

from bot.api_keys import create_key, revoke_key
from bot.cases import change_status, find_case, open_case
from bot.db import reset_engine, session_scope
from bot.services import load_catalogue, seed_services
from bot.settings import get_settings
from tests.integration.databases import copy_sqlite_database
from tests.integration.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
API = "/open311/v2"
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description",
                    "order", "description"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
# The spec's example POST body, with our service code and attribute codes.
SPEC_EXAMPLE = ("jurisdiction_id=riverton.gov&service_code=pothole&lat=37.76524078"
                "&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
                "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
                "&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
                "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
                "&attribute[size]=bigger+than+a+tyre&attribute[danger_to_traffic]=yes")
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _serve(app: Sanic, port: int, started: threading.Event, stop: threading.Event) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def main() -> None:
        server = await app.create_server(host="127.0.0.1", port=port,
                                         return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.after_start()
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()
        for connection in list(server.connections):
            connection.abort()

    loop.run_until_complete(main())
    loop.close()


@pytest.fixture(scope="module")
def api(sqlite_template_url: str, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[httpx.Client]:
    """An HTTP client for the console app, serving a seeded database of this module's own."""
    from console.app import create_app

    url = copy_sqlite_database(sqlite_template_url, tmp_path_factory.mktemp("open311") / "civic.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setattr(Sanic, "test_mode", True)
        get_settings.cache_clear()
        with session_scope() as session:
            seed_services(session, load_catalogue(ROOT / "content" / "services.yml"))
        port, started, stop = free_port(), threading.Event(), threading.Event()
        thread = threading.Thread(target=_serve, daemon=True,
                                  args=(create_app(f"open311_test_{uuid.uuid4().hex[:8]}"),
                                        port, started, stop))
        thread.start()
        assert started.wait(20), "the console app did not start"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}{API}", timeout=20) as client:
            yield client
        stop.set()
        thread.join(10)
    reset_engine()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def key(api: httpx.Client) -> str:
    with session_scope() as session:
        return create_key(session, name="spec client", created_by="admin").plain


def xml_of(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_of(response: httpx.Response) -> object:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def children(element: ET.Element) -> List[str]:
    return [child.tag for child in element]


def errors_of(response: httpx.Response, fmt: str) -> List[Tuple[int, str]]:
    """The spec's errors document, in either format, as (code, description) pairs."""
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors" and set(children(root)) == {"error"}
        assert all(children(error) == ["code", "description"] for error in root)
        return [(int(error.findtext("code")), error.findtext("description")) for error in root]
    body = json_of(response)
    assert isinstance(body, list) and all(list(item) == ["code", "description"] for item in body)
    return [(item["code"], item["description"]) for item in body]


def post(api: httpx.Client, fmt: str, body: str, headers: Optional[Dict[str, str]] = None
         ) -> httpx.Response:
    return api.post(f"/requests.{fmt}", content=body.encode(), headers={**FORM, **(headers or {})})


# --- discovery, services, definitions -------------------------------------------------------

def test_discovery_in_xml_and_json(api: httpx.Client) -> None:
    root = xml_of(api.get("/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [fmt.text for fmt in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    body = json_of(api.get("/discovery.json"))
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert body["endpoints"][0]["url"].endswith("/open311/v2")


def test_services_in_xml_and_json(api: httpx.Client) -> None:
    root = xml_of(api.get("/services.xml", params={"jurisdiction_id": "riverton.gov"}))
    assert root.tag == "services" and set(children(root)) == {"service"}
    first = root[0]
    assert children(first) == SERVICE_FIELDS
    assert (first.findtext("service_code"), first.findtext("metadata"), first.findtext("type"),
            first.findtext("group")) == ("pothole", "true", "realtime", "Highways")
    body = json_of(api.get("/services.json"))
    assert [item["service_code"] for item in body] == [s.findtext("service_code") for s in root]
    assert list(body[0]) == SERVICE_FIELDS and body[0]["metadata"] is True


def test_service_definition_in_xml_and_json(api: httpx.Client) -> None:
    root = xml_of(api.get("/services/streetlight.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert set(children(attributes)) == {"attribute"}
    assert children(attributes[0]) == ATTRIBUTE_FIELDS
    assert [a.findtext("code") for a in attributes] == ["pole_number", "how_many_lights"]
    assert [a.findtext("required") for a in attributes] == ["false", "true"]
    assert [a.findtext("order") for a in attributes] == ["1", "2"]
    body = json_of(api.get("/services/streetlight.json"))
    assert body["service_code"] == "streetlight" and body["attributes"][1]["required"] is True


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_definition_is_404(api: httpx.Client, fmt: str) -> None:
    response = api.get(f"/services/unicorns.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "service_code 'unicorns' was not found")]


@pytest.mark.parametrize("path", ["/services.xml", "/requests.xml", "/discovery.xml",
                                  "/services/pothole.xml", "/requests/C-2026-000001.xml",
                                  "/tokens/abc.xml"])
def test_another_jurisdiction_is_404_on_every_endpoint(api: httpx.Client, path: str) -> None:
    response = api.get(path, params={"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    ((code, description),) = errors_of(response, "xml")
    assert code == 404 and "jurisdiction_id 'sfgov.org' was not found" in description


@pytest.mark.parametrize("method, path, status, fmt", [
    ("GET", "/services.html", 400, "xml"), ("GET", "/services", 400, "xml"),
    ("GET", "/nothing.json", 404, "json"), ("GET", "/requests/x/y.json", 404, "json"),
    ("GET", "/a/b/c", 404, "xml"), ("POST", "/services.json", 404, "json"),
    ("POST", "/requests/C-2026-000001.xml", 405, "xml"), ("POST", "/tokens/t.json", 405, "json")])
def test_bad_urls_get_spec_errors(api: httpx.Client, method: str, path: str, status: int,
                                  fmt: str) -> None:
    response = api.request(method, path)
    assert response.status_code == status
    assert errors_of(response, fmt)[0][0] == status


# --- POST and GET requests -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_spec_example_post_creates_a_case_readable_without_contact_details(
        api: httpx.Client, key: str, fmt: str) -> None:
    response = post(api, fmt, f"api_key={key}&{SPEC_EXAMPLE}")
    assert response.status_code == 200, response.text
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "service_requests" and children(root) == ["request"]
        assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
        request_id, account = root[0].findtext("service_request_id"), root[0].findtext("account_id")
    else:
        (created,) = json_of(response)
        assert list(created) == ["service_request_id", "service_notice", "account_id"]
        request_id, account = created["service_request_id"], created["account_id"]
    assert account == "123456"
    with session_scope() as session:
        case = find_case(session, request_id)
        assert (case.channel, case.service.department, case.reporter["phone"]) == \
            ("open311", "Highways", "111111111")
    for read in (f"/requests/{request_id}.{fmt}",
                 f"/requests.{fmt}?service_request_id={request_id}"):
        got = api.get(read)
        assert got.status_code == 200
        for secret in ("smit333", "tt222111", "111111111", "smith", "123456"):
            assert secret not in got.text
    record = (xml_of(got)[0] if fmt == "xml" else json_of(got)[0])
    if fmt == "xml":
        assert children(record) == REQUEST_FIELDS
        assert record.findtext("status") == "open" and record.findtext("lat") == "37.76524078"
        assert record.findtext("media_url") == \
            "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    else:
        assert list(record) == REQUEST_FIELDS
        assert record["status"] == "open" and record["long"] == -122.4212043
        assert record["address_id"] is None and record["agency_responsible"] == "Highways"


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("api_key", ["", "api_key=wrong&", "api_key=revoked&"])
def test_missing_wrong_or_revoked_key_is_403(api: httpx.Client, fmt: str, api_key: str) -> None:
    if api_key == "api_key=revoked&":
        with session_scope() as session:
            issued = create_key(session, name="revoked", created_by="admin")
            revoke_key(session, issued.key.id)
        api_key = f"api_key={issued.plain}&"
    response = post(api, fmt, api_key + SPEC_EXAMPLE)
    assert response.status_code == 403
    ((code, description),) = errors_of(response, fmt)
    assert code == 403 and "api_key" in description


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_rate_limited_key_gets_429_with_retry_after(api: httpx.Client, fmt: str) -> None:
    with session_scope() as session:
        plain = create_key(session, name="slow", created_by="admin", rate_limit_per_minute=1).plain
    assert post(api, fmt, f"api_key={plain}&{SPEC_EXAMPLE}").status_code == 200
    refused = post(api, fmt, f"api_key={plain}&{SPEC_EXAMPLE}")
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert errors_of(refused, fmt)[0][0] == 429


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("change, status, expected", [
    ("service_code=unicorns", 404, "service_code 'unicorns' was not found"),
    ("service_code=", 400, "service_code was not provided"),
    ("lat=&long=&address_string=", 400, "a location is required"),
    ("attribute[size]=", 400, "attribute[size] is required for service pothole"),
    ("jurisdiction_id=sfgov.org", 404, "jurisdiction_id 'sfgov.org' was not found"),
])
def test_bad_posts_get_the_specs_errors(api: httpx.Client, key: str, fmt: str, change: str,
                                        status: int, expected: str) -> None:
    names = {part.split("=")[0] for part in change.split("&")}
    body = "&".join(part for part in SPEC_EXAMPLE.split("&") if part.split("=")[0] not in names)
    response = post(api, fmt, f"api_key={key}&{body}&{change}")
    assert response.status_code == status
    assert any(expected in description for _, description in errors_of(response, fmt))


def test_several_problems_come_back_as_several_errors(api: httpx.Client, key: str) -> None:
    body = f"api_key={key}&service_code=pothole&email=nope&attribute[colour]=red"
    found = errors_of(post(api, "xml", body), "xml")
    assert len(found) == 5 and {code for code, _ in found} == {400}


def test_idempotency_key_makes_a_retry_return_the_same_request(api: httpx.Client, key: str) -> None:
    header = {"Idempotency-Key": uuid.uuid4().hex}
    first = json_of(post(api, "json", f"api_key={key}&{SPEC_EXAMPLE}", header))
    again = json_of(post(api, "json", f"api_key={key}&{SPEC_EXAMPLE}", header))
    assert first == again
    with session_scope() as session:
        token = find_case(session, first[0]["service_request_id"]).submission_id
    root = xml_of(api.get(f"/tokens/{token}.xml"))
    assert root.tag == "service_requests" and children(root[0]) == ["service_request_id", "token"]
    assert root[0].findtext("service_request_id") == first[0]["service_request_id"]
    assert json_of(api.get(f"/tokens/{token}.json")) == [
        {"service_request_id": first[0]["service_request_id"], "token": token}]
    assert api.get("/tokens/o311-0-none.json").status_code == 404


def _closed_chat_case() -> str:
    with session_scope() as session:
        case = open_case(session, submission_id=uuid.uuid4().hex, service_code="litter",
                         description="Bins overflowing <b>&amp; smelly</b>", address="9 Mill Rd",
                         latitude=51.5, longitude=-0.1, channel="sms", sender_id="+447700900111",
                         contact="+447700900111").case
        change_status(session, case, "resolved", "Emptied & cleaned <today>", "crew")
        return case.reference


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_query_maps_status_and_escapes_notes(api: httpx.Client, fmt: str) -> None:
    reference = _closed_chat_case()
    response = api.get(f"/requests.{fmt}", params={"status": "closed", "service_code": "litter"})
    assert response.status_code == 200
    if fmt == "xml":
        records = {r.findtext("service_request_id"): r for r in xml_of(response)}
        mine = records[reference]
        assert (mine.findtext("status"), mine.findtext("status_notes")) == \
            ("closed", "Emptied & cleaned <today>")
        assert mine.findtext("description") == "" and mine.findtext("address") == ""
    else:
        mine = {r["service_request_id"]: r for r in json_of(response)}[reference]
        assert mine["status_notes"] == "Emptied & cleaned <today>"
        assert mine["description"] is None and mine["lat"] is None
    assert "+4477" not in response.text
    opened = api.get(f"/requests.{fmt}", params={"status": "open", "service_code": "litter"})
    assert reference not in opened.text


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("params, expected", [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
     "may not span more than 90 days"),
    ({"start_date": "2026-01-01"[:7]}, "start_date must be a W3C date-time"),
    ({"end_date": "2026-01-01T00:00:00"}, "end_date must be a W3C date-time"),
    ({"status": "pending"}, "status must be open or closed"),
])
def test_bad_queries_are_400(api: httpx.Client, fmt: str, params: dict, expected: str) -> None:
    response = api.get(f"/requests.{fmt}", params=params)
    assert response.status_code == 400
    ((code, description),) = errors_of(response, fmt)
    assert code == 400 and expected in description


def test_query_defaults_to_the_last_90_days(api: httpx.Client) -> None:
    reference = _closed_chat_case()
    assert reference in api.get("/requests.json").text
    long_ago = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)
                ).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert reference not in api.get("/requests.json", params={"start_date": long_ago}).text


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_request_is_404(api: httpx.Client, fmt: str) -> None:
    response = api.get(f"/requests/C-1999-999999.{fmt}")
    assert response.status_code == 404 and errors_of(response, fmt)[0][0] == 404


def test_reads_allow_any_origin_but_posts_do_not(api: httpx.Client, key: str) -> None:
    assert api.get("/services.json").headers["access-control-allow-origin"] == "*"
    created = post(api, "json", f"api_key={key}&{SPEC_EXAMPLE}")
    assert "access-control-allow-origin" not in created.headers


def test_json_body_is_utf8_not_escaped(api: httpx.Client, key: str) -> None:
    body = SPEC_EXAMPLE.replace("description=A+large+sinkhole+is+destroying+the+street",
                                "description=Caf%C3%A9+%E2%80%94+hole")
    created = json_of(post(api, "json", f"api_key={key}&{body}"))
    body = api.get(f"/requests/{created[0]['service_request_id']}.json")
    assert "Café — hole" in body.content.decode("utf-8") and "\\u" not in body.text
    assert json.loads(body.content)[0]["description"] == "Café — hole"
