"""The page's own behaviour in headless Chromium, against the channel with a fake assistant.

Fast (no model): buttons are real buttons, a reload redraws the conversation, an oversize photo
is refused before upload, a database outage keeps the unsent text and the retry reuses the same
client_message_id, and a shared location reaches the assistant as metadata.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest
from sqlalchemy import func, select

from bot.db import reset_engine, session_scope
from bot.models import Attachment, InboundMessage
from bot.settings import get_settings
from tests.channels.chat_page import WAIT_MS, send, wait_bot_bubbles

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.channels.conftest import ChannelServer

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
LONDON = {"latitude": 51.5072, "longitude": -0.1276}


@pytest.fixture
def page(chromium: "Browser", webchat: "ChannelServer") -> Iterator["Page"]:
    context = chromium.new_context(viewport=PHONE, geolocation=LONDON, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{webchat.base_url}/webhooks/webchat/")
    page.wait_for_selector("#message")
    yield page
    context.close()




def inbound_count() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()


def test_page_is_labelled_and_fits_a_phone(page: "Page") -> None:
    assert page.locator("#log").get_attribute("role") == "log"
    assert page.locator("#log").get_attribute("aria-live") == "polite"
    assert page.locator("label[for=message]").inner_text() == "Your message"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.title() == "Testville assistant"


def test_reply_buttons_send_their_payload_and_show_their_title(
    page: "Page", webchat: "ChannelServer"
) -> None:
    send(page, "pothole")
    wait_bot_bubbles(page, 2)
    assert page.evaluate("document.activeElement.classList.contains('choice')"), "focus on the first choice"
    page.get_by_role("button", name="Yes").click()
    wait_bot_bubbles(page, 4)
    assert page.locator(".msg--user .msg__text").all_inner_texts() == ["pothole", "Yes"]
    assert webchat.assistant.turns[-1].text == "/affirm"
    assert page.get_by_role("button", name="Yes").first.is_disabled(), "old choices cannot be sent again"
    page.get_by_role("button", name="Submit").last.click()  # the same payload as "Yes"
    wait_bot_bubbles(page, 6)
    page.reload()
    wait_bot_bubbles(page, 6)
    assert page.locator(".msg--user .msg__text").all_inner_texts() == ["pothole", "Yes", "Submit"]


def test_a_message_sent_while_the_conversation_loads_is_sent_after_it(
    chromium: "Browser", webchat: "ChannelServer"
) -> None:
    """On a busy machine, a message sent before the transcript was redrawn was refused with
    "Please wait for the answer to your last message", and never sent."""
    context = chromium.new_context(viewport=PHONE)
    held = []
    context.route("**/history?*", lambda route: held.append(route))  # held until released
    page = context.new_page()
    page.goto(f"{webchat.base_url}/webhooks/webchat/")
    page.wait_for_selector("#message")
    while not held:
        page.wait_for_timeout(20)
    send(page, "pothole")
    page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('Loading')",
        timeout=WAIT_MS)
    assert webchat.assistant.turns == []
    held[0].continue_()
    wait_bot_bubbles(page, 2)
    assert [turn.text for turn in webchat.assistant.turns] == ["pothole"]
    assert "Please wait" not in page.locator("#status").inner_text()
    context.close()


def test_reload_shows_the_conversation_again(page: "Page") -> None:
    send(page, "streetlight is out")
    wait_bot_bubbles(page, 2)
    session_id = page.evaluate("localStorage.getItem('civic-webchat.session_id')")
    page.reload()
    wait_bot_bubbles(page, 2)
    assert page.locator(".msg--user .msg__text").all_inner_texts() == ["streetlight is out"]
    assert page.evaluate("localStorage.getItem('civic-webchat.session_id')") == session_id


def test_shared_location_reaches_the_assistant_as_metadata(
    page: "Page", webchat: "ChannelServer"
) -> None:
    page.click("#share-location")
    try:
        wait_bot_bubbles(page, 2)
    except Exception as error:  # once a flake under CI load: keep what the page said
        raise AssertionError(
            f"no reply after sharing the location; status {page.text_content('#status')!r}, "
            f"error {page.text_content('#error-text')!r}, turns {webchat.assistant.turns!r}"
        ) from error
    assert webchat.assistant.turns[-1].metadata["location"] == LONDON


def test_oversize_photo_is_refused_before_upload(page: "Page") -> None:
    too_big = b"\x89PNG\r\n\x1a\n" + b"\x00" * get_settings().max_photo_bytes
    page.set_input_files("#photo", files=[{"name": "big.png", "mimeType": "image/png", "buffer": too_big}])
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert "limit" in page.locator("#error-text").inner_text()
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0


def test_database_outage_keeps_the_text_and_the_retry_reuses_the_message_id(
    page: "Page", webchat: "ChannelServer", webchat_db: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = tmp_path / "down.db"
    down.mkdir()  # a database path that cannot be opened
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{down}")
    get_settings.cache_clear()
    reset_engine()
    send(page, "there is graffiti on the bridge")
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert "nothing was recorded" in page.locator("#error-text").inner_text()
    assert page.input_value("#message") == "there is graffiti on the bridge"

    monkeypatch.setenv("DATABASE_URL", webchat_db)
    get_settings.cache_clear()
    reset_engine()
    page.click("#retry")
    wait_bot_bubbles(page, 2)
    assert page.input_value("#message") == ""
    assert inbound_count() == 1 and len(webchat.assistant.turns) == 1
    assert page.locator(".msg--failed").count() == 0
