"""Signing in and out of the running console (`python -m console`): sessions, throttling,
CSRF, cookie flags, password policy, and the create-admin command."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import AuditEntry, StaffSession, StaffUser
from bot.settings import get_settings
from bot.staff_sessions import token_digest
from tests.console.harness import ROOT, csrf_from, sign_in
from tests.integration.servers import project_environment

COOKIE = "console_session"


def _client(console) -> httpx.Client:
    return httpx.Client(base_url=console.url, timeout=30, follow_redirects=False)


def _login_token(client: httpx.Client) -> str:
    """The login form's CSRF token (and its cookie). A signed-in browser is redirected away
    from /login, so then the form comes from a fresh browser and its cookie is copied over."""
    form = client.get("/login")
    if form.status_code == 302:
        with httpx.Client(base_url=str(client.base_url)) as fresh:
            form = fresh.get("/login")
            client.cookies.set("console_login_csrf", form.cookies["console_login_csrf"],
                               domain="127.0.0.1")
    return csrf_from(form.text)


def _post_login(client: httpx.Client, username: str, password: str, next_path: str = "/"
                ) -> httpx.Response:
    token = _login_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token, "next": next_path})


def test_correct_password_signs_in_and_lands_on_the_role_start_page(console_server, make_staff
                                                                    ) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        response = _post_login(client, username, password)
        assert response.status_code == 302 and response.headers["location"] == "/"
        assert client.cookies.get(COOKIE)
        assert client.get("/").headers["location"] == "/account"
        assert username in client.get("/account").text


def test_wrong_password_is_refused_without_a_session(console_server, make_staff) -> None:
    username, _ = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        response = _post_login(client, username, "not the password at all")
        assert response.status_code == 401
        assert "Username or password is not correct." in response.text
        assert client.cookies.get(COOKIE) is None
        assert client.get("/account").status_code == 302


def test_repeated_failures_throttle_even_the_correct_password(console_server, make_staff) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        for _ in range(get_settings().console_login_max_failures):
            assert _post_login(client, username, "guessing wrongly").status_code == 401
        response = _post_login(client, username, password)
        assert response.status_code == 429
        assert "Too many failed sign-ins; try again in 15 minutes." in response.text
        assert client.cookies.get(COOKIE) is None


def test_sign_in_rotates_the_session_and_revokes_the_old_one(console_server, make_staff) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        client.cookies.set(COOKIE, "planted-by-an-attacker", domain="127.0.0.1")
        _post_login(client, username, password)
        first = client.cookies.get(COOKIE)
        assert first and first != "planted-by-an-attacker"
        _post_login(client, username, password)  # signed in again: a new session, old one ends
        second = client.cookies.get(COOKIE)
    assert second != first
    with _client(console_server) as replay:
        replay.cookies.set(COOKIE, first)
        response = replay.get("/account")
    assert response.status_code == 302 and response.headers["location"].startswith("/login")


def test_sign_out_invalidates_the_cookie_on_the_server(console_server, make_staff, staff_client
                                                       ) -> None:
    username, password = make_staff(console_server.database_url, "caseworker")
    client = staff_client(console_server, username, password)
    cookie = client.cookies.get(COOKIE)
    response = client.post("/logout", data={"csrf_token": client.csrf})
    assert response.status_code == 302 and response.headers["location"] == "/login"
    with _client(console_server) as replay:
        replay.cookies.set(COOKIE, cookie)
        response = replay.get("/account")
    assert response.status_code == 302 and response.headers["location"].startswith("/login")
    with session_scope(console_server.database_url) as session:
        assert session.get(StaffSession, token_digest(cookie)).revoked_at is not None


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_post_without_the_csrf_token_is_refused_and_changes_nothing(console_server, make_staff,
                                                                    staff_client, token) -> None:
    username, password = make_staff(console_server.database_url, "admin")
    client = staff_client(console_server, username, password)
    data = {"current_password": password, "new_password": "a different passphrase 9",
            "confirm_password": "a different passphrase 9"}
    if token:
        data["csrf_token"] = token
    assert client.post("/account", data=data).status_code == 403
    created = {"username": "new-person", "display_name": "New", "role": "comms",
               "password": "another fine passphrase", **({"csrf_token": token} if token else {})}
    assert client.post("/admin/staff", data=created).status_code == 403
    assert client.post("/logout", data={"csrf_token": token or ""}).status_code == 403
    with session_scope(console_server.database_url) as session:
        assert session.execute(select(StaffUser).where(StaffUser.username == "new-person")).first() is None
    sign_in(console_server, username, password).close()  # the old password still works
    assert client.get("/account").status_code == 200  # and the session was not ended


def test_the_csrf_header_is_accepted_like_the_form_field(console_server, make_staff,
                                                         staff_client) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    client = staff_client(console_server, username, password)
    response = client.post("/logout", headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 302 and client.get("/account").status_code == 302


def test_login_form_without_its_csrf_cookie_is_refused(console_server, make_staff) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        token = csrf_from(client.get("/login").text)
        client.cookies.clear()
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": token})
    assert response.status_code == 403 and COOKIE not in response.cookies


def _set_cookie_headers(response: httpx.Response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_session_cookie_is_httponly_samesite_and_not_secure_over_http(console_server, make_staff
                                                                      ) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        header = _set_cookie_headers(_post_login(client, username, password), COOKIE).lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header


def test_cookies_are_secure_and_host_prefixed_over_https(console_factory, make_staff) -> None:
    console = console_factory(CONSOLE_PUBLIC_URL="https://console.riverton.example")
    username, password = make_staff(console.database_url, "comms")
    with _client(console) as client:
        login_form = client.get("/login")
        assert "secure" in _set_cookie_headers(login_form, "__Host-console_login_csrf").lower()
        # A Secure cookie is not sent back over plain HTTP, so hand it over as a TLS proxy would.
        client.cookies.set("__Host-console_login_csrf",
                           login_form.cookies["__Host-console_login_csrf"], domain="127.0.0.1")
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": csrf_from(login_form.text)})
    header = _set_cookie_headers(response, f"__Host-{COOKIE}").lower()
    assert "secure" in header and "httponly" in header and "samesite=lax" in header
    assert "path=/" in header and "domain=" not in header
    assert response.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize("new_password, reason", [
    ("short one", "Use at least 12 characters."),
    ("password1234", "This password is too common"),
])
def test_password_change_follows_the_policy(console_server, make_staff, staff_client,
                                            new_password, reason) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    client = staff_client(console_server, username, password)
    response = client.post("/account", data={"csrf_token": client.csrf,
                                             "current_password": password,
                                             "new_password": new_password,
                                             "confirm_password": new_password})
    assert response.status_code == 400 and reason in response.text


def test_password_change_with_the_current_password_works(console_server, make_staff,
                                                         staff_client) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    client = staff_client(console_server, username, password)
    new = "a quieter evening by the river"
    assert client.post("/account", data={"csrf_token": client.csrf, "current_password": "nope",
                                         "new_password": new, "confirm_password": new}
                       ).status_code == 400
    response = client.post("/account", data={"csrf_token": client.csrf,
                                             "current_password": password,
                                             "new_password": new, "confirm_password": new})
    assert response.status_code == 200 and "Your password was changed." in response.text
    sign_in(console_server, username, new).close()


def test_next_only_redirects_within_the_console(console_server, make_staff) -> None:
    username, password = make_staff(console_server.database_url, "comms")
    with _client(console_server) as client:
        assert _post_login(client, username, password, "//evil.example/x").headers["location"] == "/"
        assert _post_login(client, username, password, "/account").headers["location"] == "/account"


def test_anonymous_json_caller_gets_401(console_server) -> None:
    with _client(console_server) as client:
        response = client.get("/account", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json() == {"error": "sign in required"}


def test_health_reports_ok(console_server) -> None:
    response = httpx.get(f"{console_server.url}/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-frame-options"] == "DENY"


def _create_admin(database_url: str, username: str, password: str) -> subprocess.CompletedProcess:
    env = project_environment({"DATABASE_URL": database_url})
    return subprocess.run([sys.executable, "-m", "bot.cli", "create-admin", "--username", username,
                           "--display-name", "First Admin", "--password-stdin"], cwd=ROOT, env=env,
                          input=password + "\n", capture_output=True, text=True, timeout=60)


def test_create_admin_command_makes_the_first_admin_once(console_server) -> None:
    password = "the first admin's passphrase"
    first = _create_admin(console_server.database_url, "Chief", password)
    assert first.returncode == 0, first.stderr
    assert "admin chief created" in first.stdout
    again = _create_admin(console_server.database_url, "chief", "another good passphrase")
    assert again.returncode == 1 and "taken" in again.stderr
    weak = _create_admin(console_server.database_url, "second", "password123")
    assert weak.returncode == 1 and "too common" in weak.stderr
    with session_scope(console_server.database_url) as session:
        admins = session.execute(select(StaffUser.username, StaffUser.role)).all()
        created = session.execute(select(AuditEntry).where(AuditEntry.action == "staff.created")
                                  ).scalar_one()
    assert admins == [("chief", "admin")] and created.actor == "cli"
    client = sign_in(console_server, "chief", password)
    try:
        assert client.get("/admin/staff").status_code == 200
    finally:
        client.close()


def test_there_are_no_default_accounts(console_server) -> None:
    with session_scope(console_server.database_url) as session:
        assert session.execute(select(StaffUser)).first() is None


def test_create_admin_prompts_twice_and_refuses_a_mismatch(migrated_sqlite_url, monkeypatch,
                                                           capsys) -> None:
    from bot import cli

    monkeypatch.setattr(get_settings(), "database_url", migrated_sqlite_url)
    answers = iter(["first try passphrase", "first try typo"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert cli.main(["create-admin", "--username", "ops", "--display-name", "Ops"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter(["a matching passphrase", "a matching passphrase"])
    assert cli.main(["create-admin", "--username", "ops", "--display-name", "Ops"]) == 0
    with session_scope(migrated_sqlite_url) as session:
        assert session.execute(select(StaffUser.username, StaffUser.role)).all() == [("ops", "admin")]
