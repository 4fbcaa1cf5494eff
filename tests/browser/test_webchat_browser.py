"""A citizen reports a pothole in the real page, in headless Chromium at phone size, against the
real Rasa and action servers (`assistant_servers` from tests/conftest.py, a temp SQLite DB).

The dialogue decides the order of questions (a descriptive first message already is the
description, for example), so the journey answers whatever the assistant asks, recognised by
its domain response, until the reply carries a case reference.
"""
from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import Case

if TYPE_CHECKING:
    from tests.browser.conftest import ChatPage
    from tests.integration.servers import AssistantServers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # gitignored
SCREENSHOT = "webchat-report-journey-375x667.png"
REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
FIRST_MESSAGE = "There's a big pothole outside my house"
ADDRESS = "12 High Street"
MAX_STEPS = 14

# What to do when asked: ("choose", button title) / ("type", text) / ("pin",) / ("photo",),
# and what to type instead when there is no such button, or when using only the keyboard.
Step = Tuple[str, Optional[str], str]
STEPS: Dict[str, Step] = {
    "utter_ask_category": ("choose", "Pothole", "a pothole"),
    "utter_ask_category_suggestion": ("choose", "Pothole", "yes"),
    "utter_ask_location": ("pin", None, ADDRESS),
    # The session's assistant is shared: another test's open case may be at the same place.
    "utter_ask_follow_duplicate": ("choose", "No, mine is different", "no"),
    "utter_ask_description": ("type", None, "A deep pothole in the left lane, about 30 cm wide."),
    # One reply for both of the pothole's questions (how big, and a danger? yes/no).
    "utter_ask_followup": ("type", None, "Yes, about 10 cm deep"),
    "utter_ask_photos": ("photo", None, "skip"),
    "utter_ask_consent": ("choose", "Yes", "yes"),
    "utter_ask_confirmed_summary": ("choose", "Submit", "yes"),
}


def small_png() -> bytes:
    """A 4x4 red PNG, built by hand from the PNG spec (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def answer_with_pointer(chat: "ChatPage", step: Step, times_asked: int) -> List[str]:
    """Tap buttons, share the location pin, upload a photo: the full set of page features."""
    kind, title, text = step
    if kind == "choose" and title and title in chat.choices():
        return chat.click_choice(title)
    if kind == "pin" and times_asked == 1:
        return chat.share_location()
    if kind == "photo" and times_asked == 1:
        return chat.upload_photo("pothole.png", small_png())
    return chat.send_text(text)


def answer_with_keyboard(chat: "ChatPage", step: Step, times_asked: int) -> List[str]:
    """Only Tab, Enter and typing; checks that focus lands where the next answer goes."""
    kind, title, text = step
    if kind == "choose" and title and title in chat.choices():
        return chat.press_choice(title)
    tab_to_text_box(chat)  # focus was on the offered choices, if any; the text box follows them
    return chat.type_and_enter(text)


def tab_to_text_box(chat: "ChatPage", limit: int = 25) -> None:
    for _ in range(limit):
        if chat.focused("el.id === 'message'"):
            return
        chat.page.keyboard.press("Tab")
    pytest.fail("Tab never reached the text box")


def run_report_journey(chat: "ChatPage", answer: Callable[["ChatPage", Step, int], List[str]],
                       first: Callable[[str], List[str]]) -> str:
    """Answer whatever the assistant asks until it gives a case reference; that reference."""
    bubbles = first(FIRST_MESSAGE)
    asked: Dict[str, int] = {}
    for _ in range(MAX_STEPS):
        ask = chat.last_ask(bubbles)
        found = [m.group(0) for m in map(REFERENCE.search, bubbles) if m]
        if found and ask != "utter_ask_follow_duplicate":  # that one names the other case
            return found[-1]
        assert ask in STEPS, f"unexpected reply {bubbles!r}; conversation so far:\n{chat.transcript()}"
        asked[ask] = asked.get(ask, 0) + 1
        assert asked[ask] <= 2, f"{ask} asked three times:\n{chat.transcript()}"
        bubbles = answer(chat, STEPS[ask], asked[ask])
    pytest.fail(f"no case reference after {MAX_STEPS} answers:\n{chat.transcript()}")


def assert_case_saved(database_url: str, reference: str, session_id: str, photos: int) -> None:
    with session_scope(database_url) as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        assert (case.channel, case.sender_id, case.service_code) == ("webchat", session_id, "pothole")
        assert len(case.attachments) == photos


def test_citizen_reports_a_pothole_and_sees_it_again_after_reload(
    chat: "ChatPage", chat_url: str, assistant_servers: "AssistantServers"
) -> None:
    chat.open(chat_url)
    assert "assistant" in chat.page.title()
    reference = run_report_journey(chat, answer_with_pointer, chat.send_text)
    assert_case_saved(assistant_servers.database_url, reference, chat.session_id(), photos=1)

    said, answered = chat.user_texts(), chat.bot_texts()
    chat.page.reload()
    chat.page.wait_for_function("(ref) => document.querySelector('#log').innerText.includes(ref)",
                                arg=reference, timeout=30_000)
    assert chat.user_texts() == said, "the citizen's side, button titles included, is redrawn"
    assert chat.bot_texts() == answered, "every reply is redrawn in order"

    assert chat.page.evaluate("(l => l.scrollTop + l.clientHeight >= l.scrollHeight - 2)"
                              "(document.querySelector('#log'))"), "the latest reply is in view"
    ARTIFACTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(ARTIFACTS / SCREENSHOT))
    assert chat.page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling"


def test_report_can_be_made_with_the_keyboard_only(
    chat: "ChatPage", chat_url: str, assistant_servers: "AssistantServers"
) -> None:
    chat.open(chat_url)
    tab_to_text_box(chat)
    reference = run_report_journey(chat, answer_with_keyboard, chat.type_and_enter)
    assert_case_saved(assistant_servers.database_url, reference, chat.session_id(), photos=0)
    assert chat.focused("el.id === 'message'")
