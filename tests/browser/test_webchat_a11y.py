"""Accessibility of the chat page in headless Chromium: an axe-core scan, a phone-sized
viewport, and keyboard-only use of every control.

The page is served by the real channel blueprint with the scripted fake assistant of
tests/channels/conftest.py (no model needed), so each state is reached in seconds: empty, after
a reply with buttons, and with the error banner shown. axe-core's JS comes bundled with the
axe-playwright-python package (no network). Serious and critical violations fail the test;
the failure message lists every violation found, of any impact, so minor ones are seen too.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List

import pytest

from bot.db import reset_engine
from bot.settings import get_settings
from tests.browser.accessibility import assert_no_serious_violations
from tests.channels.chat_page import WAIT_MS, send, wait_bot_bubbles
# The fake-assistant page server lives in the channel tests' conftest; importing its fixtures
# here makes them fixtures of this module too.
from tests.channels.conftest import start_webchat, webchat, webchat_db  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.channels.conftest import ChannelServer

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
LONDON = {"latitude": 51.5072, "longitude": -0.1276}
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # gitignored
SCREENSHOT = "webchat-a11y-375x667.png"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # passes the magic-byte check, under the test limit
# What document.activeElement is, as a short name: the control's id, or "choice:<title>".
FOCUSED = """(() => { const el = document.activeElement;
  if (!el || el === document.body) return "body";
  if (el.classList.contains("choice")) return "choice:" + el.innerText.trim();
  return el.id || el.tagName; })()"""
# The outline that shows keyboard focus; for the hidden file input, its visible label's.
FOCUS_OUTLINE = """(() => { let el = document.activeElement;
  if (el.type === "file") el = document.querySelector("label[for='" + el.id + "']");
  const style = getComputedStyle(el);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)}; })()"""


@pytest.fixture
def page(chromium: "Browser", webchat: "ChannelServer") -> Iterator["Page"]:  # noqa: F811
    """The chat page on a phone-sized screen, allowed to share a location."""
    context = chromium.new_context(viewport=PHONE, geolocation=LONDON, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{webchat.base_url}/webhooks/webchat/")
    page.wait_for_selector("#message")
    yield page
    context.close()


def assert_accessible(page: "Page", state: str) -> None:
    """axe-core finds nothing serious or critical, and nothing scrolls sideways on a phone."""
    assert_no_serious_violations(page, state)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{state}: the page scrolls sideways ({width}px wide)"


def point_database_at(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()


def show_database_error(page: "Page", tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A send while the case database cannot be opened: the banner with "Try again"."""
    down = tmp_path / "down.db"
    down.mkdir()  # a database path that cannot be opened
    point_database_at(f"sqlite:///{down}", monkeypatch)
    send(page, "there is graffiti on the bridge")
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert page.locator("#retry").is_visible()


def tab_trail(page: "Page", presses: int, key: str = "Tab") -> List[str]:
    """Press `key` `presses` times; what had focus after each press, each with a visible outline."""
    trail = []
    for _ in range(presses):
        page.keyboard.press(key)
        name = page.evaluate(FOCUSED)
        outline = page.evaluate(FOCUS_OUTLINE)
        assert outline["style"] != "none" and outline["width"] >= 2, f"no visible focus on {name}"
        trail.append(name)
    return trail


# ---------- axe-core scans and the phone viewport ----------

def test_empty_page_has_no_serious_violations(page: "Page") -> None:
    assert_accessible(page, "empty page")


def test_reply_with_buttons_has_no_serious_violations(page: "Page") -> None:
    send(page, "pothole")
    wait_bot_bubbles(page, 2)
    assert page.locator("button.choice:not([disabled])").count() == 3
    assert_accessible(page, "after a reply with buttons")
    page.get_by_role("button", name="Yes").click()
    wait_bot_bubbles(page, 4)
    assert page.locator("button.choice[disabled]").count() == 3
    assert_accessible(page, "with answered (disabled) and new buttons")


def test_error_banner_has_no_serious_violations(
    page: "Page", webchat_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    show_database_error(page, tmp_path, monkeypatch)
    assert page.locator(".msg--failed").count() == 1
    assert_accessible(page, "with the error banner shown")


def test_phone_screenshot_of_a_conversation(page: "Page", tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    send(page, "a very long message without spaces " + "x" * 120)
    wait_bot_bubbles(page, 2)
    show_database_error(page, tmp_path, monkeypatch)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / SCREENSHOT
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000 and path.read_bytes().startswith(b"\x89PNG")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("window.innerWidth") == PHONE["width"]


# ---------- keyboard only ----------

def test_tab_order_reaches_every_control_with_a_visible_focus(page: "Page") -> None:
    assert tab_trail(page, 4) == ["message", "send", "share-location", "photo"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("pothole")
    page.keyboard.press("Enter")
    wait_bot_bubbles(page, 2)
    assert page.evaluate(FOCUSED) == "choice:Yes", "focus moves to the first offered choice"
    assert tab_trail(page, 6) == ["choice:No", "choice:Submit", "message", "send",
                                  "share-location", "photo"]
    assert tab_trail(page, 6, "Shift+Tab") == ["share-location", "send", "message",
                                               "choice:Submit", "choice:No", "choice:Yes"]


def test_every_control_works_from_the_keyboard(
    page: "Page", webchat: "ChannelServer",  # noqa: F811
) -> None:
    turns = webchat.assistant.turns
    # Playwright turns on Chromium's file-chooser interception only when a listener exists, and
    # asynchronously: registered inside expect_file_chooser, a loaded machine could deliver the
    # Space before it and the chooser opened unseen (about 1 run in 10). Listen from the start.
    page.on("filechooser", lambda chooser: None)
    tab_trail(page, 1)
    page.keyboard.type("pothole")
    page.keyboard.press("Tab")  # to Send
    page.keyboard.press("Space")
    wait_bot_bubbles(page, 2)
    assert turns[-1].text == "pothole"

    page.keyboard.press("Tab")  # from "Yes" to "No"
    page.keyboard.press("Enter")
    wait_bot_bubbles(page, 4)
    assert turns[-1].text == "/deny"
    assert page.evaluate(FOCUSED) == "choice:Yes", "focus on the new reply's first choice"

    assert tab_trail(page, 5)[-1] == "share-location"  # No, Submit, message, send, location
    page.keyboard.press("Enter")
    wait_bot_bubbles(page, 6)
    assert turns[-1].metadata["location"] == LONDON

    assert tab_trail(page, 6)[-1] == "photo"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=[{"name": "p.png", "mimeType": "image/png", "buffer": PNG_BYTES}])
    wait_bot_bubbles(page, 8)
    assert turns[-1].text == "Photo attached" and len(turns[-1].metadata["attachments"]) == 1
    assert len(turns) == 4


def test_retry_after_an_error_works_from_the_keyboard(
    page: "Page", webchat: "ChannelServer", webchat_db: str, tmp_path: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    show_database_error(page, tmp_path, monkeypatch)
    assert page.evaluate(FOCUSED) == "message", "the unsent text keeps the focus"
    point_database_at(webchat_db, monkeypatch)
    assert tab_trail(page, 1, "Shift+Tab") == ["retry"]
    page.keyboard.press("Enter")
    wait_bot_bubbles(page, 2)
    assert [t.text for t in webchat.assistant.turns] == ["there is graffiti on the bridge"]
    assert page.locator("#error").is_hidden()
