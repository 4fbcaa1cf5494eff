"""Driving the chat page in Chromium: shared by the page tests and the accessibility scan."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

WAIT_MS = 15_000


def send(page: "Page", text: str) -> None:
    """Type a message and press Enter, as a keyboard user does."""
    page.fill("#message", text)
    page.press("#message", "Enter")


def wait_bot_bubbles(page: "Page", count: int) -> None:
    """Wait until the assistant has said at least `count` things."""
    page.wait_for_function("(n) => document.querySelectorAll('.msg--bot').length >= n",
                           arg=count, timeout=WAIT_MS)
