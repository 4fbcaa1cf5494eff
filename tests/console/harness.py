"""The console as `make run` starts it (`python -m console`), on a free port and a database of
the test's own, plus helpers to create staff and sign them in.

Fixtures are defined here, not only in tests/console/conftest.py, so tests elsewhere (the
browser journeys) can use them with `from tests.console.harness import console_factory, ...`.
"""
from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest

from tests.integration.servers import free_port, project_environment

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.2
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ConsoleServer:
    """One running console: its base URL, its database and its log."""

    url: str
    database_url: str
    log_path: Path
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def stop(self) -> int:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); its exit code."""
        if self.process is None:
            return 0
        process, self.process = self.process, None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        return process.wait()

    def log_tail(self, lines: int = 100) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def seed_services_into(database_url: str) -> None:
    """The shipped service catalogue, so departments exist for caseworkers."""
    from bot.db import session_scope
    from bot.services import load_catalogue, seed_services

    with session_scope(database_url) as session:
        seed_services(session, load_catalogue(ROOT / "content" / "services.yml"))


def start_console(database_url: str, workdir: Path, env: Dict[str, str]) -> ConsoleServer:
    """`python -m console` on a free port; returns once /health answers 200."""
    port = free_port()
    child_env = project_environment({"DATABASE_URL": database_url, "CONSOLE_PORT": str(port),
                                     "CONSOLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
                                     "RASA_URL": "http://127.0.0.1:9", **env})
    server = ConsoleServer(url=f"http://127.0.0.1:{port}", database_url=database_url,
                           log_path=workdir / f"console-{port}.log")
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen([sys.executable, "-m", "console"], cwd=ROOT,
                                          env=child_env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _healthy(server.url):
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the console did not start; log:\n{server.log_tail()}")
        time.sleep(POLL_SECONDS)
    return server


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def console_factory(migrated_sqlite_url: str, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[Callable[..., ConsoleServer]]:
    """`console_factory(RASA_URL=..., **env) -> ConsoleServer` on this test's own database
    (migrated, service catalogue loaded); every console started is stopped afterwards."""
    seed_services_into(migrated_sqlite_url)
    started: List[ConsoleServer] = []
    workdir = tmp_path_factory.mktemp("console")

    def start(**env: str) -> ConsoleServer:
        server = start_console(migrated_sqlite_url, workdir, {k: str(v) for k, v in env.items()})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def console_server(console_factory: Callable[..., ConsoleServer]) -> ConsoleServer:
    """One console with default settings (Rasa pointed at a closed port)."""
    return console_factory()


def departments_of(database_url: str) -> List[str]:
    from bot.db import session_scope
    from bot.staff import departments

    with session_scope(database_url) as session:
        return departments(session)


def create_staff_account(database_url: str, role: str, department: Optional[str] = None,
                         ) -> Tuple[str, str]:
    """A new account through bot.staff (a caseworker gets the first department unless told);
    its (username, password)."""
    from bot.db import session_scope
    from bot.staff import create_staff

    if role == "caseworker" and department is None:
        department = departments_of(database_url)[0]
    username = f"{role}-{secrets.token_hex(4)}"
    password = f"Staff pass {secrets.token_urlsafe(12)}"
    with session_scope(database_url) as session:
        create_staff(session, username=username, display_name=f"Test {role.title()}",
                     password=password, role=role, department=department, actor="test")
    return username, password


@pytest.fixture
def make_staff() -> Callable[..., Tuple[str, str]]:
    """`make_staff(database_url, role, department=None) -> (username, password)`."""
    return create_staff_account


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    if match is None:
        raise AssertionError("no csrf_token field on the page")
    return match.group(1)


def sign_in(console: ConsoleServer, username: str, password: str) -> httpx.Client:
    """An httpx.Client signed in as `username` (cookies kept, redirects not followed), with
    `.csrf` holding the session's CSRF token for later POSTs."""
    client = httpx.Client(base_url=console.url, timeout=30, follow_redirects=False)
    form = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(form.text), "next": "/"})
    if response.status_code != 302:
        client.close()
        raise AssertionError(f"sign-in as {username} failed: {response.status_code}")
    client.csrf = csrf_from(client.get("/account").text)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def staff_client() -> Iterator[Callable[[ConsoleServer, str, str], httpx.Client]]:
    """`staff_client(console, username, password) -> httpx.Client` (closed after the test)."""
    clients: List[httpx.Client] = []

    def make(console: ConsoleServer, username: str, password: str) -> httpx.Client:
        client = sign_in(console, username, password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
