"""Escalation pages over HTTP: `python -m console` as a subprocess (tests/console/harness.py)
talking to a small fake of Rasa's tracker-events endpoint on loopback, so the tests see exactly
which pause/resume events the console sent, and what it does when Rasa is down."""
from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from sqlalchemy import select

from bot.cases import open_case
from bot.clock import utc_naive
from bot.db import session_scope
from bot.escalations import escalate
from bot.inbound import record_inbound
from bot.models import AuditEntry, Escalation, OutboxMessage
from tests.console.harness import ConsoleServer

EVENTS = "/tracker/events"


# --- A fake of Rasa's POST /conversations/{sender_id}/tracker/events --------------------------

@dataclass
class FakeRasa:
    """Events received, in order, as (sender_id, event, token); `fail_with` an HTTP status."""

    url: str = ""
    received: List[Tuple[str, Dict[str, Any], Optional[str]]] = field(default_factory=list)
    fail_with: Optional[int] = None

    def events_for(self, sender_id: str) -> List[str]:
        return [event.get("event", "") for sender, event, _ in list(self.received) if sender == sender_id]


def _fake_handler(state: FakeRasa) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not (parts.path.startswith("/conversations/") and parts.path.endswith(EVENTS)):
                return self._answer(404, {"message": "no such endpoint"})
            if state.fail_with:
                return self._answer(state.fail_with, {"message": "told to fail"})
            sender = unquote(parts.path[len("/conversations/"):-len(EVENTS)])
            token = (parse_qs(parts.query).get("token") or [None])[0]
            state.received.append((sender, json.loads(body), token))
            return self._answer(200, {"sender_id": sender, "events": []})

        def _answer(self, status: int, payload: Dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            return

    return Handler


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    state = FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _fake_handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- Helpers ---------------------------------------------------------------------------------

@pytest.fixture
def console(console_factory: Callable[..., ConsoleServer], fake_rasa: FakeRasa) -> ConsoleServer:
    return console_factory(RASA_URL=fake_rasa.url)


@pytest.fixture
def caseworker(console: ConsoleServer, make_staff: Callable[..., Tuple[str, str]],
               staff_client: Callable[..., httpx.Client]) -> httpx.Client:
    """A Highways caseworker, signed in."""
    username, password = make_staff(console.database_url, "caseworker", "Highways")
    client = staff_client(console, username, password)
    client.username = username  # type: ignore[attr-defined]
    return client


def raise_escalation(database_url: str, *, minutes_ago: float = 0, language: str = "en",
                     case_service: Optional[str] = None) -> Tuple[int, str]:
    """A waiting escalation (optionally about a new case of `case_service`); (id, sender_id)."""
    sender = f"web-{uuid.uuid4().hex[:12]}"
    now = utc_naive() - dt.timedelta(minutes=minutes_ago)
    with session_scope(database_url) as session:
        reference = None
        if case_service:
            reference = open_case(session, submission_id=uuid.uuid4().hex, service_code=case_service,
                                  description="x", address="1 High St", latitude=None,
                                  longitude=None, channel="webchat", sender_id=sender,
                                  now=now).case.reference
        escalation = escalate(session, sender_id=sender, channel="webchat", language=language,
                              reason="requested", case_reference=reference, now=now,
                              transcript=[{"from": "citizen", "text": "<b>a person</b> please"}])
        return escalation.id, sender


def post(client: httpx.Client, path: str, data: Optional[Dict[str, str]] = None,
         as_json: bool = False) -> httpx.Response:
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(path, data={"csrf_token": client.csrf, **(data or {})},  # type: ignore[attr-defined]
                       headers=headers)


def stored(database_url: str, escalation_id: int) -> Tuple[Escalation, List[OutboxMessage], List[str]]:
    """The escalation, its outbox messages and its audit actions, as committed."""
    with session_scope(database_url) as session:
        escalation = session.get(Escalation, escalation_id)
        outbox = [row for row in session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
                  if (row.payload or {}).get("escalation_id") == escalation_id]
        audit = list(session.execute(select(AuditEntry.action).where(
            AuditEntry.target_type == "escalation", AuditEntry.target_id == str(escalation_id))
            .order_by(AuditEntry.id)).scalars())
        return escalation, outbox, audit


# --- The queue -------------------------------------------------------------------------------

def test_queue_is_oldest_first_flags_overdue_and_shows_only_visible_cases(
        console: ConsoleServer, caseworker: httpx.Client) -> None:
    newer, _ = raise_escalation(console.database_url, minutes_ago=1, case_service="litter")
    older, _ = raise_escalation(console.database_url, minutes_ago=30, case_service="pothole")
    queue = caseworker.get("/escalations/queue.json").json()
    rows = {item["id"]: item for item in queue["waiting"]}
    assert [item["id"] for item in queue["waiting"]] == [older, newer]
    assert rows[older]["flagged"] is True and rows[newer]["flagged"] is False
    assert rows[older]["case_reference"].startswith("C-")  # Highways: this caseworker's
    assert rows[newer]["case_reference"] is None           # Waste & Recycling: hidden
    assert rows[older]["waiting_seconds"] >= 29 * 60
    page = caseworker.get("/escalations")
    assert page.status_code == 200 and "Overdue" in page.text and 'src="/static/escalations.js"' in page.text
    assert page.text.index(f'data-id="{older}"') < page.text.index(f'data-id="{newer}"')


@pytest.mark.parametrize("role, status", [("comms", 403), (None, 401)])
def test_only_caseworkers_and_admins_see_the_queue(
        console: ConsoleServer, make_staff: Callable[..., Tuple[str, str]],
        staff_client: Callable[..., httpx.Client], role: Optional[str], status: int) -> None:
    if role is None:
        with httpx.Client(base_url=console.url, timeout=30) as anonymous:
            assert anonymous.get("/escalations/queue.json").status_code == status
            assert anonymous.get("/escalations").status_code == 302  # to the sign-in page
        return
    client = staff_client(console, *make_staff(console.database_url, role))
    assert client.get("/escalations/queue.json").status_code == status


# --- Claim -------------------------------------------------------------------------------------

def test_claim_pauses_the_bot_then_tells_the_citizen(
        console: ConsoleServer, caseworker: httpx.Client, fake_rasa: FakeRasa) -> None:
    escalation_id, sender = raise_escalation(console.database_url, language="es")
    response = post(caseworker, f"/escalations/{escalation_id}/claim")
    assert response.status_code == 303 and response.headers["location"] == f"/escalations/{escalation_id}"
    assert fake_rasa.events_for(sender) == ["pause"]
    escalation, outbox, audit = stored(console.database_url, escalation_id)
    assert (escalation.status, escalation.claimed_by) == ("claimed", caseworker.username)  # type: ignore[attr-defined]
    assert [(row.kind, row.recipient, row.language) for row in outbox] == [("handoff_joined", sender, "es")]
    assert "se ha unido a la conversación" in outbox[0].body
    assert audit == ["escalation.claimed"]
    page = caseworker.get(f"/escalations/{escalation_id}")
    assert 'id="reply-form"' in page.text and "&lt;b&gt;a person&lt;/b&gt; please" in page.text


def test_a_second_caseworker_cannot_claim(
        console: ConsoleServer, caseworker: httpx.Client, fake_rasa: FakeRasa,
        make_staff: Callable[..., Tuple[str, str]], staff_client: Callable[..., httpx.Client]) -> None:
    escalation_id, sender = raise_escalation(console.database_url)
    assert post(caseworker, f"/escalations/{escalation_id}/claim").status_code == 303
    other = staff_client(console, *make_staff(console.database_url, "admin"))
    refused = post(other, f"/escalations/{escalation_id}/claim")
    assert refused.status_code == 409
    assert f"already being handled by {caseworker.username}" in refused.text  # type: ignore[attr-defined]
    assert fake_rasa.events_for(sender) == ["pause"]
    assert stored(console.database_url, escalation_id)[0].claimed_by == caseworker.username  # type: ignore[attr-defined]


def test_a_claim_is_released_when_the_bot_cannot_be_paused(
        console: ConsoleServer, caseworker: httpx.Client, fake_rasa: FakeRasa) -> None:
    escalation_id, _ = raise_escalation(console.database_url)
    fake_rasa.fail_with = 500
    response = post(caseworker, f"/escalations/{escalation_id}/claim")
    assert response.status_code == 502
    assert "back in the queue" in response.text and "HTTP 500" in response.text
    escalation, outbox, audit = stored(console.database_url, escalation_id)
    assert (escalation.status, escalation.claimed_by, outbox) == ("waiting", None, [])
    assert audit == ["escalation.claimed", "escalation.claim_released"]
    fake_rasa.fail_with = None  # Rasa is back: trying again works
    assert post(caseworker, f"/escalations/{escalation_id}/claim").status_code == 303
    assert [row.kind for row in stored(console.database_url, escalation_id)[1]] == ["handoff_joined"]


def test_the_rasa_token_is_sent_when_configured(
        console_factory: Callable[..., ConsoleServer], fake_rasa: FakeRasa,
        make_staff: Callable[..., Tuple[str, str]], staff_client: Callable[..., httpx.Client]) -> None:
    server = console_factory(RASA_URL=fake_rasa.url, RASA_TOKEN="s3cret-token")
    client = staff_client(server, *make_staff(server.database_url, "admin"))
    escalation_id, sender = raise_escalation(server.database_url)
    assert post(client, f"/escalations/{escalation_id}/claim").status_code == 303
    assert [(event["event"], token) for who, event, token in fake_rasa.received if who == sender] == [
        ("pause", "s3cret-token")]


# --- Reply, live messages, hand back -------------------------------------------------------------

def test_a_double_submitted_reply_reaches_the_citizen_once(
        console: ConsoleServer, caseworker: httpx.Client) -> None:
    escalation_id, sender = raise_escalation(console.database_url)
    post(caseworker, f"/escalations/{escalation_id}/claim")
    form = {"text": "The crew comes on Tuesday.", "client_message_id": uuid.uuid4().hex}
    first = post(caseworker, f"/escalations/{escalation_id}/reply", form)
    again = post(caseworker, f"/escalations/{escalation_id}/reply", form, as_json=True)
    assert first.status_code == 303 and again.status_code == 200
    assert again.json()["line"]["text"] == "The crew comes on Tuesday."
    _, outbox, audit = stored(console.database_url, escalation_id)
    replies = [row for row in outbox if row.kind == "handoff_reply"]
    assert [(row.body, row.recipient) for row in replies] == [("The crew comes on Tuesday.", sender)]
    assert audit == ["escalation.claimed", "escalation.replied"]
    empty = post(caseworker, f"/escalations/{escalation_id}/reply",
                 {"text": " ", "client_message_id": uuid.uuid4().hex}, as_json=True)
    assert empty.status_code == 400 and "empty" in empty.json()["error"]


def test_replying_to_an_unclaimed_conversation_is_refused(
        console: ConsoleServer, caseworker: httpx.Client) -> None:
    escalation_id, _ = raise_escalation(console.database_url)
    response = post(caseworker, f"/escalations/{escalation_id}/reply",
                    {"text": "hi", "client_message_id": uuid.uuid4().hex}, as_json=True)
    assert response.status_code == 409 and "not claimed by you" in response.json()["error"]
    assert caseworker.get("/escalations/999999").status_code == 404


def test_messages_json_returns_only_lines_newer_than_the_cursor(
        console: ConsoleServer, caseworker: httpx.Client) -> None:
    escalation_id, sender = raise_escalation(console.database_url)
    post(caseworker, f"/escalations/{escalation_id}/claim")
    first = caseworker.get(f"/escalations/{escalation_id}/messages.json").json()
    assert [line["kind"] for line in first["lines"]] == ["handoff_joined"]
    assert first["escalation"]["status"] == "claimed" and first["escalation"]["mine"] is True
    with session_scope(console.database_url) as session:
        record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex, sender_id=sender,
                       text="Thank you! <script>x</script>")
    newer = caseworker.get(f"/escalations/{escalation_id}/messages.json",
                           params={"after": first["cursor"]}).json()
    # Lines of the last 30 s come again (the page skips ids it shows); nothing older does.
    assert [(line["role"], line["text"]) for line in newer["lines"] if line["role"] == "citizen"] == [
        ("citizen", "Thank you! <script>x</script>")]
    assert {line["id"] for line in newer["lines"]} - {line["id"] for line in first["lines"]} == {
        line["id"] for line in newer["lines"] if line["role"] == "citizen"}
    assert newer["delivery"] == {first["lines"][0]["id"]: "pending"}
    bad = caseworker.get(f"/escalations/{escalation_id}/messages.json", params={"after": "x"})
    assert bad.status_code == 400


def test_hand_back_resumes_the_bot_then_closes_and_tells_the_citizen(
        console: ConsoleServer, caseworker: httpx.Client, fake_rasa: FakeRasa) -> None:
    escalation_id, sender = raise_escalation(console.database_url, language="nl")
    post(caseworker, f"/escalations/{escalation_id}/claim")
    response = post(caseworker, f"/escalations/{escalation_id}/hand-back")
    assert response.status_code == 303 and response.headers["location"] == "/escalations?notice=handed_back"
    assert fake_rasa.events_for(sender) == ["pause", "resume"]
    escalation, outbox, audit = stored(console.database_url, escalation_id)
    assert escalation.status == "closed"
    assert [row.kind for row in outbox] == ["handoff_joined", "handoff_returned"]
    assert outbox[1].body.startswith("U praat weer met de assistent")
    assert audit == ["escalation.claimed", "escalation.handed_back"]
    assert "back with the assistant" in caseworker.get(response.headers["location"]).text


def test_hand_back_changes_nothing_when_the_bot_cannot_be_resumed(
        console: ConsoleServer, caseworker: httpx.Client, fake_rasa: FakeRasa) -> None:
    escalation_id, sender = raise_escalation(console.database_url)
    post(caseworker, f"/escalations/{escalation_id}/claim")
    fake_rasa.fail_with = 503
    response = post(caseworker, f"/escalations/{escalation_id}/hand-back", as_json=True)
    assert response.status_code == 502 and "still yours" in response.json()["error"]
    escalation, outbox, _ = stored(console.database_url, escalation_id)
    assert escalation.status == "claimed" and [row.kind for row in outbox] == ["handoff_joined"]
