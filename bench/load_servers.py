"""The assistant as `make run` starts it, with its providers faked, and memory of its processes.

Ours: scripts/run_assistant.py on free ports with its own SQLite case database (through
tests/integration/servers.py, the same launcher the end-to-end tests use), with the SMS and
Telegram channels pointed at the local fakes in tests/fakes. Memory: the peak resident set
(VmHWM in /proc) of every process under the launcher, read when the load is over. CPU: each
process's user + system time (/proc/<pid>/stat) read before and after the load, so a change's
cost per message can be compared across runs without the throughput noise of a shared machine.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio
from tests.integration.servers import (ROOT, START_TIMEOUT_SECONDS, AssistantServers, free_port,
                                      prepare_assistant, write_endpoints)

from bench.load_clients import SmsClient

HARNESS = "load harness"  # this process: clients and provider fakes
TELEGRAM_TOKEN = "123456:BENCH-token_abc"
TELEGRAM_SECRET = "bench-secret-Token"


@dataclass
class CivicStack:
    """Our running assistant and the fake providers it talks to."""

    servers: AssistantServers
    twilio: FakeTwilio
    telegram: FakeTelegramApi

    def stop(self) -> None:
        self.servers.stop()
        self.twilio.stop()
        self.telegram.stop()


class BenchAssistant(AssistantServers):
    """AssistantServers serving a given model file (a stable copy: models/ may be retrained
    while the bench runs, and a half-written model must not be what a variant is measured on)."""

    model: Path = ROOT / "models" / "civic.tar.gz"

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> "BenchAssistant":
        rasa_port, action_port, console_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://localhost:{rasa_port}"
        self.action_url = f"http://localhost:{action_port}"
        self.console_url = f"http://localhost:{console_port}"
        command = [sys.executable, str(ROOT / "scripts" / "run_assistant.py"),
                   "--rasa-port", str(rasa_port), "--action-port", str(action_port),
                   "--console-port", str(console_port), "--model", str(self.model),
                   "--endpoints", str(write_endpoints(self.workdir, action_port)),
                   "--start-timeout", str(timeout)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_healthy(timeout)
        return self


def stable_model_copy(target: Path, source: Path = ROOT / "models" / "civic.tar.gz") -> Path:
    """Copy the shipped model and check the copy is a complete archive (retry while the lead's
    training is rewriting it)."""
    for _ in range(60):
        shutil.copyfile(source, target)
        try:
            with tarfile.open(target) as archive:
                archive.getmembers()
            return target
        except (tarfile.TarError, EOFError, OSError):
            time.sleep(5)
    raise RuntimeError(f"{source} stayed incomplete for 5 minutes")


def start_civic(workdir: Path, extra_env: Optional[Dict[str, str]] = None,
                model: Optional[Path] = None) -> CivicStack:
    """Migrate + seed a fresh database in `workdir` and start every process on it."""
    twilio = FakeTwilio().start()
    telegram = FakeTelegramApi(TELEGRAM_TOKEN).start()
    prepared = prepare_assistant(workdir)
    instance = BenchAssistant(workdir=prepared.workdir, env=prepared.env)
    if model is not None:
        instance.model = model
    instance.env.update({
        "TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_FROM_NUMBER": SmsClient.CITY_NUMBER, "TWILIO_API_BASE_URL": twilio.base_url,
        "SMS_PUBLIC_URL": SmsClient.PUBLIC_URL,
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": telegram.base_url, **(extra_env or {})})
    try:
        instance.start()
    except Exception:
        twilio.stop()
        telegram.stop()
        raise
    return CivicStack(instance, twilio, telegram)


def _children(pid: int) -> List[int]:
    """Direct children of `pid`, from /proc/<pid>/task/*/children."""
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def process_tree(pid: int) -> List[int]:
    """`pid` and everything below it."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += _children(current)
    return tree


def _status_kb(pid: int, field_name: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def process_label(pid: int) -> str:
    """A short name from the command line: 'rasa run', 'rasa run actions', 'console'..."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    words = [os.path.basename(part.decode(errors="replace")) for part in argv if part]
    if ("actions" in words and "rasa" in words) or "run_actions.py" in words:
        return "action server"
    if "rasa" in words or "run_rasa.py" in words:
        return "rasa server"
    for name in ("console", "channels.dispatcher", "run_assistant.py"):
        if name in words:
            return {"channels.dispatcher": "dispatcher", "run_assistant.py": "launcher"}.get(name, name)
    return " ".join(words[:3])


def peak_memory_mb(pid: int) -> Dict[str, float]:
    """Peak RSS (MB) of every process under `pid`, by label (psutil is not installed)."""
    peaks: Dict[str, float] = {}
    for member in process_tree(pid):
        peak = _status_kb(member, "VmHWM")
        if peak is not None:
            label = process_label(member)
            peaks[label] = round(max(peaks.get(label, 0.0), peak / 1024), 1)
    return peaks


def cpu_seconds(pid: int) -> Dict[str, float]:
    """CPU seconds (user + system) used so far by every process under `pid`, by label."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: Dict[str, float] = {}
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        label = process_label(member)
        used[label] = used.get(label, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_seconds_with_harness(pid: int) -> Dict[str, float]:
    """cpu_seconds(pid), and this process's own as HARNESS: the load clients and the provider
    fakes, which share the machine's cores with the assistant under test."""
    own = os.times()
    return {**cpu_seconds(pid), HARNESS: own.user + own.system}


def cpu_ms_per_message(before: Dict[str, float], after: Dict[str, float],
                       messages: int) -> Dict[str, float]:
    """Each process's CPU milliseconds per answered message between two cpu_seconds readings."""
    if messages <= 0:
        return {}
    return {label: round((after[label] - before.get(label, 0.0)) * 1000 / messages, 1)
            for label in after}
