"""Access control over every route of the console x every kind of visitor.

ROUTE_RULES is the single table of who may use which route. A route registered in the app
but missing from the table fails `test_every_registered_route_is_classified`, so whoever adds
a route must classify it here (and a removed route must leave the table). The matrix then
checks, against the running console, that:
- anonymous visitors are sent to /login (401 for JSON routes),
- a signed-in role not in the rule gets 403 (POSTs carry a valid CSRF token, so the refusal is
  the role's, not the token's),
- allowed roles get through (GET) and their POSTs without a CSRF token get 403,
- on a route holding a case, a caseworker of another department gets 403/404 and the case's
  own department and admins get the page.
Open311 (/open311/v2/) is public or API-key based and tested with H5's Open311 tests.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import httpx
import pytest

from bot.cases import open_case
from bot.db import session_scope
from bot.staff import departments
from tests.console.harness import (ConsoleServer, create_staff_account, seed_services_into,
                                   sign_in, start_console)
from tests.integration.databases import copy_sqlite_database

PUBLIC = ("public",)
STAFF = ("caseworker", "comms", "admin")
CASEWORK = ("caseworker", "admin")
ADMIN = ("admin",)
EXCLUDED_PREFIXES = ("/open311/v2/",)  # public API with its own keys: tests/console/test_open311*


@dataclass(frozen=True)
class Rule:
    roles: Tuple[str, ...]
    case_param: Optional[str] = None  # the path parameter that names a case (department-scoped)


ROUTE_RULES: Dict[str, Rule] = {
    # H1: sign-in, account, admin
    "GET /health": Rule(PUBLIC),
    "GET /login": Rule(PUBLIC),
    "POST /login": Rule(PUBLIC),
    "GET /static/<__file_uri__:path>": Rule(PUBLIC),
    "POST /logout": Rule(STAFF),
    "GET /": Rule(STAFF),
    "GET /account": Rule(STAFF),
    "POST /account": Rule(STAFF),
    "GET /admin/staff": Rule(ADMIN),
    "POST /admin/staff": Rule(ADMIN),
    "GET /admin/staff/<user_id:int>": Rule(ADMIN),
    "POST /admin/staff/<user_id:int>/role": Rule(ADMIN),
    "POST /admin/staff/<user_id:int>/password": Rule(ADMIN),
    "POST /admin/staff/<user_id:int>/deactivate": Rule(ADMIN),
    "GET /admin/audit": Rule(ADMIN),
    # H2: escalations (every department's queue; the case link is checked on the case page)
    "GET /escalations": Rule(CASEWORK),
    "GET /escalations/queue.json": Rule(CASEWORK),
    "GET /escalations/<escalation_id:int>": Rule(CASEWORK),
    "GET /escalations/<escalation_id:int>/messages.json": Rule(CASEWORK),
    "POST /escalations/<escalation_id:int>/claim": Rule(CASEWORK),
    "POST /escalations/<escalation_id:int>/reply": Rule(CASEWORK),
    "POST /escalations/<escalation_id:int>/hand-back": Rule(CASEWORK),
    # H3: cases (a caseworker sees only their department's)
    "GET /cases": Rule(CASEWORK),
    "GET /cases/<reference:str>": Rule(CASEWORK, case_param="reference"),
    "POST /cases/<reference:str>/status": Rule(CASEWORK, case_param="reference"),
    "POST /cases/<reference:str>/merge": Rule(CASEWORK, case_param="reference"),
    "POST /cases/<reference:str>/question": Rule(CASEWORK, case_param="reference"),
    "GET /cases/<reference:str>/photos/<attachment_id:str>": Rule(CASEWORK, case_param="reference"),
    # H5: Open311 API keys
    "GET /admin/api-keys": Rule(ADMIN),
    "POST /admin/api-keys": Rule(ADMIN),
    "POST /admin/api-keys/<key_id:int>/revoke": Rule(ADMIN),
    # H7: FAQ (the communications team and admins; caseworkers may not edit answers)
    "GET /faq": Rule(("comms", "admin")),
    "POST /faq": Rule(("comms", "admin")),
    "GET /faq/new": Rule(("comms", "admin")),
    "GET /faq/<entry_id:int>": Rule(("comms", "admin")),
    "POST /faq/<entry_id:int>": Rule(("comms", "admin")),
    "POST /faq/<entry_id:int>/publish": Rule(("comms", "admin")),
    "POST /faq/<entry_id:int>/archive": Rule(("comms", "admin")),
    "POST /faq/<entry_id:int>/revert": Rule(("comms", "admin")),
    "GET /faq/<entry_id:int>/versions": Rule(("comms", "admin")),
    "GET /faq/<entry_id:int>/preview": Rule(("comms", "admin")),
    "POST /faq/preview.json": Rule(("comms", "admin")),
    "GET /faq/export.yml": Rule(("comms", "admin")),
    "GET /faq/export.csv": Rule(("comms", "admin")),
    "GET /faq/import": Rule(("comms", "admin")),
    "POST /faq/import": Rule(("comms", "admin")),
    "GET /faq/unanswered": Rule(("comms", "admin")),
    "GET /faq/missed": Rule(("comms", "admin")),
    "GET /faq/replaced": Rule(("comms", "admin")),
    # Feedback inbox (the communications team and admins read and answer citizens' feedback)
    "GET /feedback": Rule(("comms", "admin")),
    "GET /feedback/<feedback_id:int>": Rule(("comms", "admin")),
    "POST /feedback/<feedback_id:int>/reply": Rule(("comms", "admin")),
    "POST /feedback/<feedback_id:int>/handled": Rule(("comms", "admin")),
    # H12: block list (caseworkers meet the abuse in escalations; admins oversee)
    "GET /blocklist": Rule(CASEWORK),
    "POST /blocklist": Rule(CASEWORK),
    "POST /blocklist/<block_id:int>/remove": Rule(CASEWORK),
    "POST /blocklist/escalation/<escalation_id:int>": Rule(CASEWORK),
    # H11: citizens' data rights (export and deletion by phone number / chat id)
    "GET /admin/privacy": Rule(ADMIN),
    "POST /admin/privacy/export": Rule(ADMIN),
    "POST /admin/privacy/delete": Rule(ADMIN),
    # H10: operations (no staff sign-in; /metrics is loopback or METRICS_TOKEN: tests/test_metrics_console.py)
    "GET /metrics": Rule(PUBLIC),
    "GET /ready": Rule(PUBLIC),
}

VISITORS = ("anonymous", "caseworker_a", "caseworker_b", "comms", "admin")
PARAM = re.compile(r"<([A-Za-z_]+)(?::([A-Za-z_]+))?>")
MISSING_ID = "999999"


def registered_routes() -> List[str]:
    """"METHOD /path" for every route of a freshly built app (its own name: Sanic keeps a
    registry of app names per process)."""
    from console.app import create_app

    app = create_app(name=f"console-matrix-{uuid.uuid4().hex[:8]}")
    keys = {f"{method} /{route.path}" for route in app.router.routes
            for method in route.methods if method not in ("HEAD", "OPTIONS")}
    return sorted(key for key in keys if not key.split(" ", 1)[1].startswith(EXCLUDED_PREFIXES))


def test_every_registered_route_is_classified() -> None:
    registered = set(registered_routes())
    unclassified = sorted(registered - set(ROUTE_RULES))
    stale = sorted(set(ROUTE_RULES) - registered)
    assert unclassified == [], f"add these routes to ROUTE_RULES: {unclassified}"
    assert stale == [], f"these ROUTE_RULES entries match no route any more: {stale}"


@dataclass
class World:
    console: ConsoleServer
    clients: Dict[str, httpx.Client]
    csrf: Dict[str, str]
    case_reference: str
    case_id: int
    admin_id: int


def _open_case_in(database_url: str, department: str) -> Tuple[int, str]:
    from bot.models import Service
    from sqlalchemy import select

    with session_scope(database_url) as session:
        code = session.execute(select(Service.code).where(Service.department == department)
                               .order_by(Service.code)).scalars().first()
        case = open_case(session, submission_id=uuid.uuid4().hex, service_code=code,
                         description="Broken thing by the library", address="1 Library Lane",
                         latitude=None, longitude=None, channel="webchat",
                         sender_id=f"matrix-{uuid.uuid4().hex[:8]}", now=dt.datetime(2026, 11, 23, 12))
        return case.case.id, case.case.reference


@pytest.fixture(scope="module")
def world(sqlite_template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One console for the whole matrix, with a case in department A and one account per role."""
    workdir = tmp_path_factory.mktemp("matrix")
    database_url = copy_sqlite_database(sqlite_template_url, workdir / "civic.db")
    seed_services_into(database_url)
    with session_scope(database_url) as session:
        dept_a, dept_b = departments(session)[:2]
    case_id, reference = _open_case_in(database_url, dept_a)
    console = start_console(database_url, workdir, {})
    accounts = {"caseworker_a": create_staff_account(database_url, "caseworker", dept_a),
                "caseworker_b": create_staff_account(database_url, "caseworker", dept_b),
                "comms": create_staff_account(database_url, "comms"),
                "admin": create_staff_account(database_url, "admin")}
    clients = {who: sign_in(console, *credentials) for who, credentials in accounts.items()}
    clients["anonymous"] = httpx.Client(base_url=console.url, timeout=30)
    from bot.staff import find_staff
    with session_scope(database_url) as session:
        admin_id = find_staff(session, accounts["admin"][0]).id
    try:
        yield World(console=console, clients=clients,
                    csrf={who: getattr(c, "csrf", "") for who, c in clients.items()},
                    case_reference=reference, case_id=case_id, admin_id=admin_id)
    finally:
        for client in clients.values():
            client.close()
        console.stop()


def concrete_path(pattern: str, rule: Rule, world: World) -> str:
    """The pattern with sample values: the department-A case for its case parameter, the
    admin's own id for a staff id, a missing id otherwise."""

    def value(match: re.Match) -> str:
        name, kind = match.group(1), match.group(2) or "str"
        if name == rule.case_param:
            return str(world.case_id) if kind == "int" else world.case_reference
        if name == "__file_uri__":
            return "console.css"
        if name == "user_id":
            return str(world.admin_id)
        return MISSING_ID if kind == "int" else "no-such-thing"

    return PARAM.sub(value, pattern)


def _call(world: World, who: str, method: str, path: str, with_csrf: bool) -> httpx.Response:
    client = world.clients[who]
    headers = {"X-CSRF-Token": world.csrf[who]} if with_csrf and world.csrf[who] else {}
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.request(method, path, headers=headers, data={}, follow_redirects=False)


def _role_of(who: str) -> str:
    return "caseworker" if who.startswith("caseworker") else who


def _to_login(response: httpx.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].startswith("/login")


CASES = [(key, who) for key, rule in ROUTE_RULES.items() if rule.roles != PUBLIC for who in VISITORS]


@pytest.mark.parametrize("key, who", CASES, ids=[f"{who}:{key}" for key, who in CASES])
def test_access_matrix(world: World, key: str, who: str) -> None:
    rule = ROUTE_RULES[key]
    method, pattern = key.split(" ", 1)
    path = concrete_path(pattern, rule, world)
    if who == "anonymous":
        response = _call(world, who, method, path, with_csrf=False)
        expected_json = path.endswith(".json")
        assert (response.status_code == 401) if expected_json else _to_login(response), \
            f"anonymous {key}: {response.status_code}"
        return
    allowed = _role_of(who) in rule.roles
    if not allowed:
        response = _call(world, who, method, path, with_csrf=True)
        assert response.status_code == 403, f"{who} {key}: {response.status_code}"
        return
    if rule.case_param and who == "caseworker_b":
        response = _call(world, who, method, path, with_csrf=True)
        assert response.status_code in (403, 404), f"{who} {key}: {response.status_code}"
        return
    if method == "GET":
        response = _call(world, who, method, path, with_csrf=False)
        assert response.status_code not in (401, 403) and not _to_login(response), \
            f"{who} {key}: {response.status_code}"
        if rule.case_param and "<" not in pattern.replace(f"<{rule.case_param}:", "", 1):
            assert response.status_code == 200, f"{who} {key}: {response.status_code}"
        return
    response = _call(world, who, method, path, with_csrf=False)
    assert response.status_code == 403, f"{who} {key} without CSRF: {response.status_code}"


@pytest.mark.parametrize("path, status", [("/health", 200), ("/login", 200),
                                          ("/static/console.css", 200)])
def test_public_routes_need_no_sign_in(world: World, path: str, status: int) -> None:
    assert world.clients["anonymous"].get(path).status_code == status


def test_a_caseworker_cannot_see_another_departments_case_in_the_list(world: World) -> None:
    own = world.clients["caseworker_a"].get("/cases")
    other = world.clients["caseworker_b"].get("/cases")
    assert own.status_code == other.status_code == 200
    assert world.case_reference in own.text and world.case_reference not in other.text
