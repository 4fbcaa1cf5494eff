"""Property-based tests of every console route and the Open311 API (issue 9, bad input).

One console runs as `make run` starts it (`python -m console`, tests/console/harness.py). The
routes are read from the app itself, so a route added later is fuzzed too. Each generated
request goes out anonymously and as a signed-in admin and caseworker with a valid CSRF token
(so the handlers run past the access check): never a 5xx, and the server log never holds a
traceback. Path parameters include huge integers and hostile strings; bodies include invalid
UTF-8, deep JSON, NUL bytes and wrong content types.
"""
from __future__ import annotations

import re
import uuid
from typing import Callable, Dict, List, Tuple
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.console.harness import ConsoleServer, create_staff_account, sign_in
from tests.fuzz.strategies import (CONTENT_TYPES, HEADERS, HOSTILE_BODIES, QUERY, TEXT,
                                   unhandled_in_log)

PARAM = re.compile(r"<([A-Za-z_]+)(?::([A-Za-z_]+))?>")
# A signed-in fuzzer must not sign itself out or change its own account mid-run; these still
# get the anonymous requests.
SELF_ENDING = ("POST /logout", "POST /account")
EXAMPLES = 250


def console_routes() -> List[Tuple[str, str]]:
    """(method, path pattern) of every route the console registers, Open311 included."""
    from console.app import create_app

    app = create_app(name=f"console-fuzz-{uuid.uuid4().hex[:8]}")
    found = {(method, "/" + route.path) for route in app.router.routes
             for method in route.methods if method not in ("HEAD", "OPTIONS")}
    return sorted(found)


def segment(kind: str, name: str) -> st.SearchStrategy:
    """A value for one path parameter: mostly plausible, often hostile."""
    if kind == "int":
        low = 1000 if name == "user_id" else 0  # never the fuzzer's own account
        # around the Integer column range (2**31-1 on PostgreSQL, 2**63-1 on SQLite) and far past it
        return st.one_of(st.integers(low, 10 ** 6), st.integers(2 ** 31 - 2, 2 ** 31 + 2),
                         st.integers(2 ** 62, 2 ** 80)).map(str)
    return st.one_of(TEXT, st.sampled_from(["requests.json", "services.xml", "x.yaml", "..",
                                            "%2e%2e", "RIV-2026-000001", "a" * 3000]))\
        .map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe=""))


def path_for(pattern: str) -> st.SearchStrategy:
    parts = PARAM.split(pattern)
    # re.split with 2 groups yields [text, name, kind, text, name, kind, ..., text]
    pieces: List[st.SearchStrategy] = []
    for index in range(0, len(parts), 3):
        pieces.append(st.just(parts[index]))
        if index + 1 < len(parts):
            pieces.append(segment(parts[index + 2] or "str", parts[index + 1]))
    return st.tuples(*pieces).map("".join) if pieces else st.just(pattern)


@pytest.fixture
def console(console_factory: Callable[..., ConsoleServer]) -> ConsoleServer:
    return console_factory()


def test_no_console_or_open311_request_is_a_server_error(console: ConsoleServer) -> None:
    routes = console_routes()
    clients: Dict[str, httpx.Client] = {
        "anonymous": httpx.Client(base_url=console.url, timeout=30, follow_redirects=False)}
    for role in ("admin", "caseworker"):
        clients[role] = sign_in(console, *create_staff_account(console.database_url, role))
    requests = st.sampled_from(routes).flatmap(lambda route: st.tuples(
        st.just(route[0]), st.just(route[1]), path_for(route[1])))
    seen: List[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=requests, who=st.sampled_from(sorted(clients)), query=QUERY,
           body=HOSTILE_BODIES, content_type=CONTENT_TYPES, headers=HEADERS,
           form=st.dictionaries(st.sampled_from(["reason", "status", "text", "name", "username",
                                                 "password", "channel", "sender_id", "days",
                                                 "service_code", "description", "api_key",
                                                 "lat", "long", "into", "role"]), TEXT, max_size=6),
           as_form=st.booleans())
    def send(request: Tuple[str, str, str], who: str, query: Dict[str, str], body: bytes,
             content_type: str, headers: Dict[str, str], form: Dict[str, str],
             as_form: bool) -> None:
        method, pattern, path = request
        if who != "anonymous" and f"{method} {pattern}" in SELF_ENDING:
            who = "anonymous"
        client = clients[who]
        params = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                  for k, v in query.items()}
        extra = {**headers, "X-CSRF-Token": getattr(client, "csrf", "none")}
        if method == "GET":
            response = client.get(path, params=params, headers=extra)
        elif as_form:
            data = {"csrf_token": getattr(client, "csrf", ""),
                    **{k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                       for k, v in form.items()}}
            response = client.request(method, path, params=params, data=data, headers=extra)
        else:
            response = client.request(method, path, params=params, content=body,
                                      headers={**extra, "Content-Type": content_type})
        seen.append(response.status_code)
        assert response.status_code < 500, (method, path, who, response.status_code,
                                             response.text[:300])

    try:
        send()
    finally:
        for client in clients.values():
            client.close()
    log = console.log_tail(20000)
    assert unhandled_in_log(log) == 0, log[-3000:]
    assert any(status < 400 for status in seen)  # some requests got past validation


def test_an_invalid_reply_to_a_missing_escalation_is_a_4xx(
        console: ConsoleServer) -> None:
    client = sign_in(console, *create_staff_account(console.database_url, "caseworker"))
    try:
        response = client.post("/escalations/999999/reply",
                               data={"csrf_token": client.csrf, "text": ""})  # type: ignore[attr-defined]
    finally:
        client.close()
    assert response.status_code in (400, 404), response.status_code


def test_an_id_past_the_column_range_is_a_404_on_every_int_route(console: ConsoleServer) -> None:
    client = sign_in(console, *create_staff_account(console.database_url, "admin"))
    statuses = {}
    try:
        for method, pattern in console_routes():
            if "int>" not in pattern or f"{method} {pattern}" in SELF_ENDING:
                continue
            path = PARAM.sub(lambda match: str(2 ** 64) if match.group(2) == "int" else "x", pattern)
            response = client.request(method, path, data={"csrf_token": client.csrf})  # type: ignore[attr-defined]
            statuses[f"{method} {pattern}"] = response.status_code
    finally:
        client.close()
    assert statuses and {key: code for key, code in statuses.items() if code != 404} == {}


def test_the_static_folder_itself_is_not_found(console: ConsoleServer) -> None:
    response = httpx.get(f"{console.url}/static/", timeout=30)
    assert response.status_code == 404
    assert unhandled_in_log(console.log_tail(200)) == 0


def test_a_malformed_accept_header_does_not_break_error_pages(console: ConsoleServer) -> None:
    for path in ("/no-such-page", "/static/no-such-file.css"):
        response = httpx.get(f"{console.url}{path}", headers={"Accept": "0"}, timeout=30)
        assert response.status_code < 500, (path, response.status_code)
