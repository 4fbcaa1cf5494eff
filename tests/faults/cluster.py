"""The assistant's processes started one by one, so a fault test can kill -9 one and restart it.

scripts/run_assistant.py supervises its children and stops everything when one dies (right for
`make run`, useless for fault injection), so this starts the same command lines it uses (Rasa
server, action server, outbox dispatcher) on free ports, against a database prepared by
tests/integration/servers.py, with the Telegram and Twilio fakes configured by environment as
an operator would. Each process has its own log file and its own process group.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from tests.integration.databases import migrate_database, seed_database
from tests.integration.servers import (ROOT, AssistantServers, free_port, http_json,
                                       load_script, prepare_assistant, write_endpoints)

TOKEN = "123456:FAULT-token_abc"
SECRET = "fault-webhook-Secret_1"
SMS_PUBLIC_URL = "https://sms.fault.test"
CITY_NUMBER = "+15005550006"
START_TIMEOUT = 300.0
PROCESSES = ("actions", "rasa", "dispatcher")
# GET / answers 200 before the model is loaded, and a message handled then is dropped ("no
# agent to handle it") yet marked processed: readiness is GET /status, 409 until the agent is up.


@dataclass
class Process:
    """One child: how to start it, where it logs, and the URL that answers once it is ready."""

    name: str
    argv: List[str]
    health_url: Optional[str]
    log_path: Path
    popen: Optional[subprocess.Popen] = None
    starts: int = 0

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class FaultyAssistant:
    """Rasa, actions and dispatcher as separate processes on one case database."""

    servers: AssistantServers
    processes: Dict[str, Process] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return self.servers.rasa_url

    @property
    def database_url(self) -> str:
        return self.servers.database_url

    def start(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Start one process (again) and wait until it answers its health check."""
        process = self.processes[name]
        assert not process.running, f"{name} is already running"
        with process.log_path.open("ab") as log:
            process.popen = subprocess.Popen(process.argv, cwd=ROOT, env=self.servers.env,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        process.starts += 1
        self.wait_healthy([name], timeout)

    def start_all(self, timeout: float = START_TIMEOUT) -> "FaultyAssistant":
        """Launch every process at once (they load in parallel), then wait for all."""
        for process in self.processes.values():
            with process.log_path.open("ab") as log:
                process.popen = subprocess.Popen(process.argv, cwd=ROOT, env=self.servers.env,
                                                 stdout=log, stderr=subprocess.STDOUT,
                                                 start_new_session=True)
            process.starts += 1
        self.wait_healthy(list(self.processes), timeout)
        return self

    def wait_healthy(self, names: List[str], timeout: float) -> None:
        is_healthy = load_script("run_assistant").is_healthy
        deadline = time.monotonic() + timeout
        for name in names:
            process = self.processes[name]
            while process.health_url and not is_healthy(process.health_url):
                if not process.running:
                    raise RuntimeError(f"{name} exited while starting:\n{self.log_tail(name)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not healthy after {timeout:.0f}s:\n"
                                       f"{self.log_tail(name)}")
                time.sleep(0.25)

    def kill(self, name: str) -> None:
        """kill -9 the process (and anything it forked): no chance to clean up."""
        process = self.processes[name]
        if process.popen is None:
            return
        try:
            os.killpg(process.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.popen.wait()

    def stop_all(self) -> None:
        """SIGTERM everyone, wait a little, then SIGKILL what is left."""
        for process in self.processes.values():
            if process.running:
                assert process.popen is not None
                process.popen.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            self.kill(name)

    def pids(self) -> Dict[str, int]:
        return {name: p.popen.pid for name, p in self.processes.items() if p.running and p.popen}

    def tracker(self, sender: str) -> Dict:
        return http_json(f"{self.rasa_url}/conversations/{sender}/tracker")

    def log_tail(self, name: str, lines: int = 80) -> str:
        path = self.processes[name].log_path
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def fault_environment(telegram_api_url: str, twilio: "object", extra: Mapping[str, str]
                      ) -> Dict[str, str]:
    """The settings an operator would set for Telegram and SMS, pointed at the fakes."""
    return {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": telegram_api_url,
            "TWILIO_ACCOUNT_SID": getattr(twilio, "account_sid"),
            "TWILIO_AUTH_TOKEN": getattr(twilio, "auth_token"),
            "TWILIO_FROM_NUMBER": CITY_NUMBER,
            "TWILIO_API_BASE_URL": getattr(twilio, "base_url"),
            "SMS_PUBLIC_URL": SMS_PUBLIC_URL, "OUTBOX_POLL_SECONDS": "0.5", **extra}


def build_assistant(workdir: Path, env: Mapping[str, str], model: Path = ROOT / "models" / "civic.tar.gz",
                    database_url: Optional[str] = None,
                    tracker_store: Optional[Mapping[str, str]] = None) -> FaultyAssistant:
    """A migrated, seeded case database (SQLite in workdir unless `database_url`) and the
    three processes."""
    servers = prepare_assistant(workdir)
    servers.env.update(env)
    if database_url is not None:
        servers.env["DATABASE_URL"] = database_url
        migrate_database(database_url)
        seed_database(servers.env)
    rasa_port, action_port = free_port(), free_port()
    servers.rasa_url = f"http://localhost:{rasa_port}"
    servers.action_url = f"http://localhost:{action_port}"
    endpoints = write_endpoints(workdir, action_port)
    if tracker_store is not None:
        import yaml

        config = yaml.safe_load(endpoints.read_text())
        config["tracker_store"] = dict(tracker_store)
        endpoints.write_text(yaml.safe_dump(config, sort_keys=False))
    python = sys.executable
    argvs = {
        "actions": ([python, "-m", "rasa", "run", "actions", "--port", str(action_port),
                     "--actions", "actions"], f"{servers.action_url}/health"),
        "rasa": ([python, "-m", "rasa", "run", "--enable-api", "--port", str(rasa_port),
                  "--credentials", "credentials.yml", "--endpoints", str(endpoints),
                  "--model", str(model)], f"{servers.rasa_url}/status"),
        "dispatcher": ([python, "-m", "channels.dispatcher"], None),
    }
    processes = {name: Process(name, argv, health, workdir / f"{name}.log")
                 for name, (argv, health) in argvs.items()}
    return FaultyAssistant(servers=servers, processes=processes)
