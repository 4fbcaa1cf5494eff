"""Signing in to and out of the staff console in headless Chromium: the real login form, the
session cookie as the browser keeps it, sign-out by the header's POST form, and an axe-core
scan of the sign-in and account pages."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

from tests.console.harness import (console_factory, console_server, make_staff,  # noqa: F401
                                   staff_client)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser]
TIMEOUT_MS = 15_000


@pytest.fixture
def page(chromium: "Browser") -> Iterator["Page"]:
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _sign_in(page: "Page", url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _serious_violations(page: "Page") -> list:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["help"]) for v in violations if v["impact"] in ("serious", "critical")]


def test_staff_member_signs_in_and_out(page: "Page", console_server, make_staff) -> None:  # noqa: F811
    username, password = make_staff(console_server.database_url, "comms")
    page.goto(f"{console_server.url}/account")
    page.wait_for_url("**/login?next=%2Faccount")
    assert _serious_violations(page) == []
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Show password").check()
    assert page.get_by_label("Password", exact=True).get_attribute("type") == "text"
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{console_server.url}/account")
    assert "Signed in as" in page.locator("header").inner_text()
    assert _serious_violations(page) == []
    cookie = next(c for c in page.context.cookies() if c["name"] == "console_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("console_session") == -1

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{console_server.url}/login")
    page.goto(f"{console_server.url}/account")
    page.wait_for_url("**/login?next=%2Faccount")
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_wrong_password_shows_an_error_in_the_form(page: "Page", console_server, make_staff  # noqa: F811
                                                   ) -> None:
    username, _ = make_staff(console_server.database_url, "caseworker")
    _sign_in(page, console_server.url, username, "definitely not it")
    alert = page.get_by_role("alert")
    assert "Username or password is not correct." in alert.inner_text()
    assert page.get_by_label("Username").input_value() == username
    assert _serious_violations(page) == []


def test_admin_sees_admin_links_and_caseworker_does_not(page: "Page", console_server,  # noqa: F811
                                                        make_staff) -> None:
    admin, admin_password = make_staff(console_server.database_url, "admin")
    _sign_in(page, console_server.url, admin, admin_password)
    page.goto(f"{console_server.url}/admin/staff")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Staff").is_visible()
    assert nav.get_by_role("link", name="Audit log").is_visible()
    assert _serious_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{console_server.url}/login")

    worker, worker_password = make_staff(console_server.database_url, "caseworker")
    _sign_in(page, console_server.url, worker, worker_password)
    page.goto(f"{console_server.url}/account")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Audit log").count() == 0
    response = page.goto(f"{console_server.url}/admin/audit")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
