"""console/blocklist_routes.py over HTTP on the real console (`python -m console`): staff add,
list and lift blocks, with reasons and an audit trail; the escalation page's "block this
sender" form blocks exactly that conversation's sender."""
from __future__ import annotations

import re
from typing import Callable, Tuple

import httpx
import pytest
from sqlalchemy import select

from bot import blocklist
from bot.db import session_scope
from bot.escalations import escalate
from bot.models import AuditEntry, BlockedSender
from tests.console.harness import ConsoleServer

PHONE = "+447700900777"


@pytest.fixture
def console(console_factory: Callable[..., ConsoleServer]) -> ConsoleServer:
    return console_factory()


@pytest.fixture
def caseworker(console: ConsoleServer, make_staff: Callable[..., Tuple[str, str]],
               staff_client: Callable[..., httpx.Client]) -> httpx.Client:
    return staff_client(console, *make_staff(console.database_url, "caseworker"))


def post(client: httpx.Client, path: str, **form: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": client.csrf, **form})  # type: ignore[attr-defined]


def blocked(console: ConsoleServer, channel: str, sender: str) -> bool:
    with session_scope(console.database_url) as session:
        return blocklist.is_blocked(session, channel, sender)


def test_a_caseworker_blocks_a_number_and_lifts_the_block(console: ConsoleServer,
                                                          caseworker: httpx.Client) -> None:
    added = post(caseworker, "/blocklist", channel="sms", sender_id=PHONE,
                 reason="Abusive messages to staff", days="")
    assert added.status_code == 303 and added.headers["location"] == "/blocklist?done=blocked"
    assert blocked(console, "sms", PHONE)
    page = caseworker.get("/blocklist?done=blocked")
    assert page.status_code == 200 and PHONE in page.text and "Abusive messages to staff" in page.text
    block_id = re.search(r'action="/blocklist/(\d+)/remove"', page.text).group(1)  # type: ignore[union-attr]
    lifted = post(caseworker, f"/blocklist/{block_id}/remove")
    assert lifted.status_code == 303 and not blocked(console, "sms", PHONE)
    assert post(caseworker, f"/blocklist/{block_id}/remove").status_code == 404
    with session_scope(console.database_url) as session:
        actions = sorted(session.execute(select(AuditEntry.action).where(
            AuditEntry.target_type == "blocked_sender")).scalars())
    assert actions == ["sender.block", "sender.unblock"]


@pytest.mark.parametrize("form", [
    {"channel": "sms", "sender_id": PHONE, "reason": "", "days": ""},
    {"channel": "fax", "sender_id": PHONE, "reason": "spam", "days": ""},
    {"channel": "sms", "sender_id": "", "reason": "spam", "days": ""},
    {"channel": "sms", "sender_id": PHONE, "reason": "spam", "days": "-3"},
    {"channel": "sms", "sender_id": PHONE, "reason": "spam", "days": "1.5e9"},
    {"channel": "sms", "sender_id": PHONE, "reason": "x" * 5000, "days": ""},
], ids=["no reason", "unknown channel", "no sender", "negative days", "not a number", "huge reason"])
def test_a_block_staff_could_not_mean_is_refused_on_the_page(
        console: ConsoleServer, caseworker: httpx.Client, form: dict) -> None:
    answer = post(caseworker, "/blocklist", **form)
    assert answer.status_code == 400 and "was not blocked" in answer.text
    with session_scope(console.database_url) as session:
        assert session.execute(select(BlockedSender)).first() is None


def test_block_this_sender_from_an_escalation(console: ConsoleServer,
                                              caseworker: httpx.Client) -> None:
    with session_scope(console.database_url) as session:
        escalation_id = escalate(session, sender_id="31337", channel="telegram", language="en",
                                 reason="requested", transcript=[]).id
    page = caseworker.get(f"/escalations/{escalation_id}")
    assert f'action="/blocklist/escalation/{escalation_id}"' in page.text
    answer = post(caseworker, f"/blocklist/escalation/{escalation_id}", reason="Threats", days="7")
    assert answer.status_code == 303 and blocked(console, "telegram", "31337")
    assert post(caseworker, "/blocklist/escalation/999999", reason="x").status_code == 404
    assert post(caseworker, f"/blocklist/escalation/{escalation_id}", reason="").status_code == 400


def test_the_communications_team_may_not_block(console: ConsoleServer,
                                               make_staff: Callable[..., Tuple[str, str]],
                                               staff_client: Callable[..., httpx.Client]) -> None:
    comms = staff_client(console, *make_staff(console.database_url, "comms"))
    assert comms.get("/blocklist").status_code == 403
    assert post(comms, "/blocklist", channel="sms", sender_id=PHONE, reason="x").status_code == 403
    assert not blocked(console, "sms", PHONE)
