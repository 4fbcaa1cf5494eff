"""The case console the case-route tests share: a console on its own database, a fake Rasa
that records the events the console appends, signed-in staff, and helpers to make and read
cases. Module-scoped fixtures: each test module that imports them gets its own console."""
from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import httpx
import pytest
from sqlalchemy import select

from bot.cases import find_case, open_case
from bot.db import session_scope
from bot.followers import follow_case
from bot.models import AuditEntry, Case, OutboxMessage
from tests.console.harness import (ConsoleServer, create_staff_account, seed_services_into,
                                   sign_in, start_console)
from tests.integration.databases import copy_sqlite_database


class FakeRasa(BaseHTTPRequestHandler):
    """Rasa's tracker-events endpoint: records each event; conversations whose id contains
    "rasa-down" get HTTP 500, as an overloaded Rasa would answer."""

    received: List[Tuple[str, Dict[str, Any]]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.received.append((self.path, body))
        self.send_response(500 if "rasa-down" in self.path else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """The tracker without events: "busy" conversations are in a report, "held" ones
        are paused for a caseworker."""
        state: Dict[str, Any] = {"paused": "held" in self.path}
        if "busy" in self.path:
            state["active_loop"] = {"name": "report_form"}
        self.send_response(500 if "rasa-down" in self.path else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(state).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def console(sqlite_template_url: str, tmp_path_factory: pytest.TempPathFactory,
            fake_rasa: str) -> Iterator[ConsoleServer]:
    """One console for the module (starting one takes seconds), on its own database."""
    workdir = tmp_path_factory.mktemp("case-console")
    database_url = copy_sqlite_database(sqlite_template_url, workdir / "civic.db")
    seed_services_into(database_url)
    server = start_console(database_url, workdir, {"RASA_URL": fake_rasa,
                                                   "ATTACHMENTS_DIR": str(workdir / "photos")})
    server.attachments_dir = workdir / "photos"  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture(scope="module")
def people(console: ConsoleServer) -> Dict[str, httpx.Client]:
    """Signed-in clients: a Highways caseworker, a Waste caseworker, an admin, comms."""
    accounts = {"highways": ("caseworker", "Highways"), "waste": ("caseworker", "Waste & Recycling"),
                "admin": ("admin", None), "comms": ("comms", None)}
    clients = {name: sign_in(console, *create_staff_account(console.database_url, role, dept))
               for name, (role, dept) in accounts.items()}
    yield clients
    for client in clients.values():
        client.close()


def new_case(console: ConsoleServer, **overrides: Any) -> Case:
    values = dict(submission_id=uuid.uuid4().hex, service_code="pothole",
                  description="Deep pothole by the bus stop", address="12 High St",
                  latitude=51.501234, longitude=-0.123456, channel="webchat",
                  sender_id=f"citizen-{uuid.uuid4().hex[:10]}", contact=None, language="en",
                  consent=True, answers={"size": "large"}, attachment_ids=[],
                  now=dt.datetime(2026, 11, 23, 12, 0))
    values.update(overrides)
    with session_scope(console.database_url) as session:
        return open_case(session, **values).case


def spanish_case_with_dutch_follower(console: ConsoleServer, chat_id: str) -> Case:
    """A Spanish reporter's case that a Dutch Telegram user (`chat_id`) follows."""
    case = new_case(console, language="es")
    with session_scope(console.database_url) as session:
        follow_case(session, session.get(Case, case.id), channel="telegram", sender_id=chat_id,
                    contact=chat_id, language="nl")
    return case


def reload(console: ConsoleServer, reference: str) -> Case:
    with session_scope(console.database_url) as session:
        return find_case(session, reference)


def outbox(console: ConsoleServer, case_id: int) -> List[OutboxMessage]:
    with session_scope(console.database_url) as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                    .order_by(OutboxMessage.id)).scalars())


def audits(console: ConsoleServer, reference: str) -> List[AuditEntry]:
    with session_scope(console.database_url) as session:
        return list(session.execute(select(AuditEntry).where(AuditEntry.target_id == reference)
                                    .order_by(AuditEntry.id)).scalars())


def post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": client.csrf, **data})  # type: ignore[attr-defined]
