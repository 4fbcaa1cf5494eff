"""The assistant as `make run` starts it, on free loopback ports and a database of the test's own.

Tests (and the `assistant_servers` fixture in tests/conftest.py) start scripts/run_assistant.py
itself, so the launcher, the credentials and the endpoints are what ships. Each instance lives
in a work directory holding its SQLite case database, tracker store, endpoints file and log.
"""
from __future__ import annotations

import importlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Mapping, Optional

import yaml

from tests.integration.databases import migrate_database, seed_database

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.5
_PORTS = random.SystemRandom()  # free_port: not the seeded `random` module


def free_port() -> int:
    """A TCP port nobody uses right now, below the kernel's ephemeral range.

    A port the kernel hands out for bind(0) comes from the same range as the local ports of
    outgoing connections: in the seconds the Rasa server takes to load its model, a client
    connection elsewhere in the suite can take it ("address already in use", seen once on
    CI). A port below that range is never given to a connection by the kernel.

    Drawn from the operating system's randomness, not the `random` module: loading a Rasa
    model in a test seeds that module (random.seed(42), rasa.utils.tensorflow.models), so both
    test workers then drew the same "free" port, and the second console started answered
    through the first one's server, on another database (sign-in 401, seen on CI)."""
    low = _ephemeral_low()
    for _ in range(200):
        port = _PORTS.randrange(max(1024, low - 12000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux), 32768 where it cannot be read."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def http_json(url: str, payload: Optional[Mapping[str, Any]] = None, timeout: float = 60) -> Any:
    """GET (or POST `payload` as JSON) and decode the JSON answer."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if body else None


def write_endpoints(workdir: Path, action_port: int) -> Path:
    """endpoints.yml as shipped, pointed at this instance's action server and tracker file."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}
    config["action_endpoint"] = {**config["action_endpoint"],
                                 "url": f"http://localhost:{action_port}/webhook"}
    config["tracker_store"] = {**config["tracker_store"], "dialect": "sqlite",
                               "db": str(workdir / "tracker.db")}
    config["lock_store"] = {"type": "in_memory"}
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def load_script(name: str) -> ModuleType:
    """A module of scripts/, which is not a package: the scripts run as files and import
    their siblings by plain name, so the folder goes on sys.path."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)
    return importlib.import_module(name)


def project_environment(extra: Mapping[str, str]) -> Dict[str, str]:
    """scripts/project_env.py's child environment (the same one `make run` gives Rasa)."""
    return load_script("project_env").child_environment(extra)


def prepare_assistant(workdir: Path) -> "AssistantServers":
    """A migrated, seeded SQLite case database in `workdir`, ready to be served (not started)."""
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'civic.db'}"
    env = project_environment({"DATABASE_URL": database_url,
                               "ATTACHMENTS_DIR": str(workdir / "attachments"),
                               "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}"})
    migrate_database(database_url)
    seed_database(env)
    return AssistantServers(workdir=workdir, env=env)


@dataclass
class AssistantServers:
    """One running assistant: its URLs, its database, and the launcher process."""

    workdir: Path
    env: Dict[str, str]
    rasa_url: str = ""
    action_url: str = ""
    console_url: str = ""  # the staff console and Open311 API of this instance
    log_path: Path = field(init=False)
    process: Optional[subprocess.Popen] = None

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "assistant.log"

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> "AssistantServers":
        """Launch scripts/run_assistant.py on free ports and wait until both servers answer."""
        rasa_port, action_port, console_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://localhost:{rasa_port}"
        self.action_url = f"http://localhost:{action_port}"
        self.console_url = f"http://localhost:{console_port}"
        endpoints = write_endpoints(self.workdir, action_port)
        command = [sys.executable, str(ROOT / "scripts" / "run_assistant.py"),
                   "--rasa-port", str(rasa_port), "--action-port", str(action_port),
                   "--console-port", str(console_port),
                   "--endpoints", str(endpoints), "--start-timeout", str(timeout)]
        with self.log_path.open("ab") as log:
            # Its own session, so a crashed launcher's children can still be found and stopped.
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        checks = [f"{self.rasa_url}/status", f"{self.action_url}/health",
                  f"{self.console_url}/health"]
        is_healthy = load_script("run_assistant").is_healthy
        while not all(is_healthy(url) for url in checks):
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the assistant exited with {self.process.returncode} while "
                                   f"starting; log:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the assistant was not healthy after {timeout:.0f}s; "
                                   f"log:\n{self.log_tail()}")
            time.sleep(POLL_SECONDS)

    def stop(self) -> int:
        """SIGTERM the launcher (it stops its children) and wait; kill leftovers. Its exit code."""
        if self.process is None:
            return 0
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            code = -signal.SIGKILL
        try:
            os.killpg(process.pid, signal.SIGKILL)  # anything of the group still alive
        except ProcessLookupError:
            pass
        process.wait()
        return code

    def say(self, sender: str, text: str, metadata: Optional[Mapping[str, Any]] = None
            ) -> List[Dict[str, Any]]:
        """Send one message over the REST channel; the bot's replies, in order."""
        payload: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            payload["metadata"] = dict(metadata)
        replies = http_json(f"{self.rasa_url}/webhooks/rest/webhook", payload)
        return list(replies or [])

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation as Rasa's HTTP API reports it (slots, events)."""
        return http_json(f"{self.rasa_url}/conversations/{sender}/tracker")

    def log_tail(self, lines: int = 200) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
