"""The bad input issue 9 names, each sent once to the console and the Open311 API: a clear 4xx
(413/415/400), never a 5xx, and nothing written for a refused request."""
from __future__ import annotations

from typing import Callable

import httpx
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import Case, LoginAttempt
from bot.settings import get_settings
from tests.console.harness import ConsoleServer
from tests.fuzz.strategies import unhandled_in_log

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def count(console: ConsoleServer, model: type) -> int:
    with session_scope(console.database_url) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_bad_input_gets_a_clear_4xx_and_writes_nothing(
        console_factory: Callable[..., ConsoleServer]) -> None:
    console = console_factory()
    with httpx.Client(base_url=console.url, timeout=30, follow_redirects=False) as client:
        open311_json = client.post("/open311/v2/requests.json", json={"service_code": "pothole"})
        open311_nul = client.post("/open311/v2/requests.json", headers=FORM,
                                  content=b"service_code=pothole&description=a%00b&api_key=k")
        query_nul = client.get("/open311/v2/requests.json", params={"service_code": "a\x00"})
        huge = client.post("/login", headers=FORM,
                           content=b"username=" + b"a" * (get_settings().max_photo_bytes + 2 * 1024 * 1024))
        bad_utf8 = client.post("/login", headers=FORM, content=b"username=\xff\xfe&password=x")
        form = client.get("/login")
        token = form.cookies  # the login form's CSRF cookie travels with the client
        csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        nul_login = client.post("/login", data={"csrf_token": csrf, "username": "ad\x00min",
                                                "password": "x"})
    assert token is not None
    assert open311_json.status_code == 415 and "form-urlencoded" in open311_json.text
    assert open311_nul.status_code == 400 and query_nul.status_code == 400
    assert huge.status_code == 413
    assert bad_utf8.status_code == 403  # the body cannot be read, so neither can its CSRF token
    assert nul_login.status_code == 400 and "Incorrect" in nul_login.text
    assert count(console, Case) == 0 and count(console, LoginAttempt) == 0
    assert unhandled_in_log(console.log_tail(2000)) == 0
