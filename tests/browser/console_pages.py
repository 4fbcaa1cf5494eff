"""The staff side of browser tests: a caseworker's (or comms officer's) own browser profile,
and signing in to the console the way a person does, through the login form."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

STAFF_WAIT_MS = 30_000  # pages and the dispatcher poll every 2-3 s; a deadline, not a sleep


@pytest.fixture
def staff_page(chromium: "Browser") -> Iterator["Page"]:
    """A desktop-sized page in its own context, so staff and citizen cookies never mix."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: "Page", console_url: str, username: str, password: str) -> None:
    """Fill in the login form and wait until the console has let us past it."""
    page.goto(f"{console_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url, timeout=STAFF_WAIT_MS)
