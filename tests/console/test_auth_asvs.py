"""OWASP ASVS 4.0 level 1 items for passwords, sessions, CSRF and access control, checked on
the running console. Each test names its item; items tested elsewhere are listed here so the
whole set is visible in one place:

- V2.2.1 throttling: tests/console/test_auth.py::test_repeated_failures_throttle_even_the_correct_password
- V2.5.4 no default accounts: tests/console/test_auth.py::test_there_are_no_default_accounts
- V2.1.5/2.1.6 change password with the current one: test_auth.py::test_password_change_with_the_current_password_works
- V2.1.7 breached/common passwords: test_auth.py::test_password_change_follows_the_policy
- V2.1.12 show password: tests/browser/test_console_login.py::test_staff_member_signs_in_and_out
- V3.2.1 new session at sign-in: test_auth.py::test_sign_in_rotates_the_session_and_revokes_the_old_one
- V3.3.1 sign-out ends the session: test_auth.py::test_sign_out_invalidates_the_cookie_on_the_server
- V3.3.2 idle and absolute expiry: tests/bot/test_staff.py::test_session_*
- V3.4.1-3.4.5 cookie attributes and __Host- prefix: test_auth.py::test_session_cookie_*, test_cookies_are_secure_*
- V4.1.1-4.1.5, 4.2.1 server-side access control: tests/console/test_access_matrix.py
- V4.2.2 CSRF: test_auth.py::test_post_without_the_csrf_token_is_refused_and_changes_nothing
"""
from __future__ import annotations

import httpx
import pytest

from tests.console.harness import csrf_from, sign_in

COOKIE = "console_session"


def _change_password(client, current: str, new: str):  # type: ignore[no-untyped-def]
    return client.post("/account", data={"csrf_token": client.csrf, "current_password": current,
                                         "new_password": new, "confirm_password": new})


@pytest.mark.parametrize("new_password, accepted", [
    ("elevenchars", False),                        # V2.1.1 at least 12 characters
    ("twelve chars", True),
    ("a" + "long passphrase " * 4 + "end", True),  # V2.1.2 at least 64 characters permitted
    ("p" + "x9" * 64, False),                      # V2.1.2 more than 128 denied
    ("straße über café ünicode ☂", True),           # V2.1.4 any printable Unicode
    ("only lower case words here", True),          # V2.1.9 no composition rules
])
def test_v2_1_password_length_and_characters(console_server, make_staff, staff_client,
                                             new_password: str, accepted: bool) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    client = staff_client(console_server, username, password)
    response = _change_password(client, password, new_password)
    assert response.status_code == (200 if accepted else 400)
    if accepted:
        sign_in(console_server, username, new_password).close()


def test_v2_1_3_passwords_are_not_truncated(console_server, make_staff, staff_client) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    long_password = "truncation check " * 7  # 119 characters
    client = staff_client(console_server, username, password)
    assert _change_password(client, password, long_password).status_code == 200
    with pytest.raises(AssertionError, match="sign-in .* failed: 401"):
        sign_in(console_server, username, long_password[:-1])


def test_v2_1_11_password_fields_allow_paste_and_password_managers(console_server) -> None:
    """Password managers work (V2.1.11 paste allowed: no field blocks it; nothing disables it)."""
    page = httpx.get(f"{console_server.url}/login").text
    assert 'autocomplete="current-password"' in page and "onpaste" not in page


def test_v3_2_2_and_3_2_3_token_is_random_long_and_only_in_a_cookie(console_server, make_staff
                                                                   ) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    client = sign_in(console_server, username, password)
    try:
        token = client.cookies.get(COOKIE)
        assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
        for path in ("/", "/account"):
            response = client.get(path)
            assert token not in response.text and token not in response.headers.get("location", "")
    finally:
        client.close()


def test_v8_2_1_pages_are_not_cached_and_v14_4_headers_are_set(console_server, make_staff,
                                                                staff_client) -> None:
    username, password = make_staff(console_server.database_url, "admin")
    client = staff_client(console_server, username, password)
    response = client.get("/admin/staff")
    headers = response.headers
    assert headers["cache-control"] == "no-store"
    assert headers["content-type"] == "text/html; charset=utf-8"  # V14.4.1
    assert "default-src 'self'" in headers["content-security-policy"]  # V14.4.3
    assert "frame-ancestors 'none'" in headers["content-security-policy"]  # V14.4.7
    assert headers["x-content-type-options"] == "nosniff"  # V14.4.4
    assert headers["referrer-policy"] == "same-origin"  # V14.4.6
    assert "strict-transport-security" not in headers  # only when served over HTTPS (V14.4.5)


def test_v4_2_2_login_form_is_csrf_protected_too(console_server, make_staff) -> None:
    """Login CSRF: a form posted from another site has no matching token cookie."""
    username, password = make_staff(console_server.database_url, "comms")
    client = httpx.Client(base_url=console_server.url)
    try:
        token = csrf_from(client.get("/login").text)
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": token + "x"})
        assert response.status_code == 403 and client.cookies.get(COOKIE) is None
    finally:
        client.close()
