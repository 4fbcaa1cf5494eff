"""Web chat delivery: an outbox message to a web chat session, once the dispatcher has marked it
sent, appears on the citizen's open page without a reload (the page polls GET /updates), and
stays in the history, in order, after a reload. GET /updates shows a session only its own."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Iterator

import pytest

from bot.clock import utc_naive
from bot.db import session_scope
from bot.outbox_dispatch import dispatch_due
from channels.dispatcher import deliver_to_webchat
from tests.channels.chat_page import WAIT_MS, send, wait_bot_bubbles
from tests.channels.dispatcher_harness import queue

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.channels.conftest import ChannelServer

JOINED = "Sam from Highways has joined the conversation."
UPDATE = "Your pothole report C-2026-000123 is now in progress."


def dispatch_webchat() -> None:
    """One dispatcher pass over the web chat channel (what the dispatcher process does)."""
    dispatch_due(session_scope, {"webchat": deliver_to_webchat}, utc_naive(), lookups={})


@pytest.fixture
def page(chromium: "Browser", webchat: "ChannelServer") -> Iterator["Page"]:
    context = chromium.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(f"{webchat.base_url}/webhooks/webchat/")
    page.wait_for_selector("#message")
    yield page
    context.close()


@pytest.mark.browser
def test_outbox_messages_appear_on_the_open_page_and_after_a_reload(page: "Page") -> None:
    send(page, "pothole on Main Street")
    wait_bot_bubbles(page, 2)
    session_id = page.evaluate("localStorage.getItem('civic-webchat.session_id')")
    page.evaluate("window.__samePage = true")
    queue("webchat", session_id, JOINED, kind="handoff_joined")
    queue("webchat", session_id, UPDATE)
    queue("webchat", "someone-else-0001", "Not for this page")
    dispatch_webchat()
    page.wait_for_function("(n) => document.querySelectorAll('.msg--update').length >= n",
                           arg=2, timeout=WAIT_MS)
    assert page.evaluate("window.__samePage === true"), "shown without a reload"
    assert page.locator(".msg--update .msg__text").all_inner_texts() == [JOINED, UPDATE]
    assert page.locator("#log").get_attribute("aria-live") == "polite", "announced to screen readers"
    page.wait_for_timeout(3000)  # two more polls: nothing is shown twice
    assert page.locator(".msg--update").count() == 2
    page.reload()
    wait_bot_bubbles(page, 4)
    assert page.locator(".msg--bot .msg__text").all_inner_texts() == [
        "You said: pothole on Main Street", "Is that right?", JOINED, UPDATE]
    page.wait_for_timeout(3000)
    assert page.locator(".msg--update").count() == 2, "history and polling do not double up"


def test_updates_show_a_session_only_its_own_sent_messages_after_the_cursor(
        webchat: "ChannelServer") -> None:
    mine, theirs = f"session-{uuid.uuid4().hex[:12]}", f"session-{uuid.uuid4().hex[:12]}"
    first = queue("webchat", mine, "first")
    queue("webchat", theirs, "not yours")
    with webchat.client() as http:
        assert http.get("/updates", params={"session_id": mine}).json()["messages"] == [], \
            "nothing is visible before the dispatcher delivers it"
        dispatch_webchat()
        second = queue("webchat", mine, "second")
        dispatch_webchat()
        body = http.get("/updates", params={"session_id": mine, "after": "0"}).json()
        assert [(m["outbox_id"], m["text"]) for m in body["messages"]] == [(first, "first"), (second, "second")]
        assert body["cursor"] == second
        later = http.get("/updates", params={"session_id": mine, "after": str(first)}).json()
        assert [m["text"] for m in later["messages"]] == ["second"]
        assert http.get("/updates", params={"session_id": mine, "after": str(second)}).json() == {
            "session_id": mine, "messages": [], "cursor": second}
        assert http.get("/updates", params={"session_id": mine, "after": "-1"}).status_code == 400
        assert http.get("/updates", params={"session_id": "x"}).status_code == 400
        history = http.get("/history", params={"session_id": mine}).json()["lines"]
        assert [line["text"] for line in history] == ["first", "second"]


def test_history_puts_outbox_messages_between_the_turns_they_came_between(
        webchat: "ChannelServer") -> None:
    session_id = f"session-{uuid.uuid4().hex[:12]}"

    def say(text: str) -> None:
        reply = http.post("/message", json={"session_id": session_id, "text": text,
                                            "client_message_id": uuid.uuid4().hex})
        assert reply.status_code == 200

    with webchat.client() as http:
        say("first question")
        queue("webchat", session_id, JOINED, kind="handoff_joined")
        dispatch_webchat()
        say("second question")
        lines = http.get("/history", params={"session_id": session_id}).json()["lines"]
    assert [(line["role"], line["text"]) for line in lines] == [
        ("citizen", "first question"), ("assistant", "You said: first question"),
        ("assistant", "Is that right?"), ("assistant", JOINED),
        ("citizen", "second question"), ("assistant", "You said: second question"),
        ("assistant", "Is that right?")]
    assert "outbox_id" in lines[3] and "outbox_id" not in lines[1]
