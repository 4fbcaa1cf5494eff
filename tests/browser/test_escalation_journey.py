"""The human handoff end to end, in headless Chromium, against the real assistant as `make run`
starts it (`assistant_servers`: Rasa, the action server, the staff console and the outbox
dispatcher, on one temp SQLite database):

citizen asks for a person in the web chat -> caseworker signs in to the console and claims the
conversation (Rasa pauses it) -> the citizen's page shows who joined -> caseworker replies and
the citizen sees it -> the citizen answers and it appears on the caseworker's page without a
reload -> caseworker hands back (Rasa resumes it) -> the citizen is told, and the assistant
answers them again.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable, List

import pytest
from sqlalchemy import select

from bot.clock import utc_naive
from bot.db import session_scope
from bot.escalations import escalate
from bot.models import Escalation
from tests.console.harness import console_factory, create_staff_account  # noqa: F401 (fixture)
from tests.browser.console_pages import sign_in, staff_page  # noqa: F401 (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import ChatPage
    from tests.console.harness import ConsoleServer
    from tests.integration.servers import AssistantServers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 30_000  # the dispatcher and both pages poll every 2 s; this is a deadline, not a sleep
ESCALATED = ("utter_escalated", "utter_escalated_out_of_hours")
REPLY = "Hello, I am looking at your bin collection now."
CITIZEN_ANSWER = "Thank you, it is the blue bin on Elm Road."


def escalation_of(database_url: str, sender_id: str) -> int:
    with session_scope(database_url) as session:
        escalation_id = session.execute(select(Escalation.id).where(
            Escalation.sender_id == sender_id, Escalation.status == "waiting")).scalar()
    assert escalation_id, "asking for a person queued no escalation"
    return int(escalation_id)


def wait_citizen_update(chat: "ChatPage", words: str) -> None:
    """Until a message the city sent later (an outbox update) containing `words` is shown."""
    chat.page.wait_for_function(
        """(words) => Array.from(document.querySelectorAll('.msg--update'))
             .some((el) => el.innerText.includes(words))""", arg=words, timeout=WAIT_MS)


def send_while_paused(chat: "ChatPage", text: str) -> None:
    """The bot is paused, so no answer comes: wait only until the message is recorded."""
    before = len(chat.user_texts())
    chat.page.fill("#message", text)
    chat.page.click("#send")
    chat.page.wait_for_function(
        """(n) => document.querySelectorAll('.msg--user').length > n
             && !document.querySelector('.msg--pending')""", arg=before, timeout=WAIT_MS)
    assert chat.page.locator(".msg--failed").count() == 0


def tracker_events(servers: "AssistantServers", sender_id: str) -> List[str]:
    return [event["event"] for event in servers.tracker(sender_id)["events"]
            if event["event"] in ("pause", "resume")]


def test_citizen_and_caseworker_talk_then_the_bot_takes_over_again(
        assistant_servers: "AssistantServers", chat: "ChatPage", chat_url: str,
        staff_page: "Page") -> None:
    console_url = assistant_servers.console_url
    assert console_url, "assistant_servers must run the staff console (scripts/run_assistant.py)"
    username, password = create_staff_account(assistant_servers.database_url, "caseworker")

    chat.open(chat_url)
    said = chat.send_text("I want to talk to a person")
    assert any(chat.catalogue.name_of(text) in ESCALATED for text in said), said
    sender_id = chat.session_id()
    escalation_id = escalation_of(assistant_servers.database_url, sender_id)

    sign_in(staff_page, console_url, username, password)
    staff_page.goto(f"{console_url}/escalations")
    staff_page.click(f'#queue-waiting tr[data-id="{escalation_id}"] button:has-text("Claim")')
    staff_page.wait_for_url(f"{console_url}/escalations/{escalation_id}", timeout=WAIT_MS)
    assert tracker_events(assistant_servers, sender_id) == ["pause"]
    wait_citizen_update(chat, "Test Caseworker from the city has joined the conversation")

    staff_page.fill("#reply-text", REPLY)
    staff_page.click('#reply-form button[type=submit]')
    wait_citizen_update(chat, REPLY)

    staff_page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    send_while_paused(chat, CITIZEN_ANSWER)
    staff_page.wait_for_function(
        """(text) => Array.from(document.querySelectorAll('#conversation-lines .line--citizen'))
             .some((el) => el.innerText.includes(text))""", arg=CITIZEN_ANSWER, timeout=WAIT_MS)
    assert staff_page.evaluate("window.__sameDocument === true"), "the caseworker page reloaded"
    staff_page.wait_for_selector('#conversation-lines .line--staff .line-delivery[data-delivery="sent"]',
                                 timeout=WAIT_MS)

    staff_page.click('button:has-text("Hand back to the assistant")')
    staff_page.wait_for_url(f"{console_url}/escalations?notice=handed_back", timeout=WAIT_MS)
    assert tracker_events(assistant_servers, sender_id) == ["pause", "resume"]
    wait_citizen_update(chat, "You are back with the assistant")
    assert chat.send_text("hello"), "the assistant answers again after the hand back"


def test_the_queue_shows_new_and_overdue_escalations_without_a_reload(
        console_factory: Callable[..., "ConsoleServer"], staff_page: "Page") -> None:
    """The queue page alone (no assistant needed): what arrives appears by polling."""
    console = console_factory()
    sign_in(staff_page, console.url, *create_staff_account(console.database_url, "admin"))
    staff_page.goto(f"{console.url}/escalations")
    assert "Nobody is waiting" in staff_page.inner_text("#queue-waiting")
    staff_page.evaluate("window.__sameDocument = true")
    with session_scope(console.database_url) as session:
        ids = [escalate(session, sender_id=f"queue-{minutes}", channel="telegram", language="pt",
                        reason="low_confidence", transcript=[],
                        now=utc_naive() - dt.timedelta(minutes=minutes)).id for minutes in (2, 45)]
    staff_page.wait_for_selector(f'#queue-waiting tr[data-id="{ids[0]}"]', timeout=WAIT_MS)
    rows = staff_page.locator("#queue-waiting tr")
    assert [rows.nth(index).get_attribute("data-id") for index in range(2)] == [str(ids[1]), str(ids[0])]
    assert "Overdue" in rows.nth(0).inner_text() and "Overdue" not in rows.nth(1).inner_text()
    assert "Portuguese" in rows.nth(0).inner_text()
    assert staff_page.evaluate("window.__sameDocument === true"), "the queue page reloaded"
