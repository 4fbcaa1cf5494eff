"""The scaled-out assistant on this machine: 2 Rasa replicas, 1 action server, Debian nginx.

The replicas share what production shares (deploy/endpoints.production.yml, read by Rasa with
the same environment variables the deploy files set): the case database and the SQL tracker
store on one PostgreSQL cluster, the lock store on Redis. nginx runs deploy/nginx.conf itself,
only its upstream addresses and listen port rewritten for loopback. Telegram and Twilio are the
local fakes of tests/fakes/. Each process has its own log in the work directory.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

import httpx
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio
from tests.integration.databases import migrate_database, seed_database
from tests.integration.servers import free_port, project_environment

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
TELEGRAM_TOKEN = "424242:SCALE-test_token"
TELEGRAM_SECRET = "scale-Secret_token"
SMS_PUBLIC_URL = "https://sms.riverton.example.gov"
CITY_NUMBER = "+441632960001"
START_TIMEOUT = 240.0
RASA_UPSTREAM = "        server rasa:5005 max_fails=3 fail_timeout=10s;\n"
CONSOLE_UPSTREAM = "        server console:8000 max_fails=3 fail_timeout=10s;\n"
LISTEN = "        listen 8080;\n"


def render_nginx(template: str, rasa_ports: Sequence[int], console_port: int, listen_port: int) -> str:
    """deploy/nginx.conf with loopback upstreams; fails loudly if the shipped file drifted."""
    for expected in (RASA_UPSTREAM, CONSOLE_UPSTREAM, LISTEN):
        if expected not in template:
            raise AssertionError(f"deploy/nginx.conf no longer has {expected.strip()!r}")
    servers = "".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n"
                      for port in rasa_ports)
    return (template.replace(RASA_UPSTREAM, servers)
            .replace(CONSOLE_UPSTREAM, f"        server 127.0.0.1:{console_port};\n")
            .replace(LISTEN, f"        listen 127.0.0.1:{listen_port};\n"))


def nginx_command(workdir: Path, config: Path, *extra: str, foreground: bool = False) -> List[str]:
    """nginx on our config, with its pid and error log in the work directory."""
    globals_ = f"pid {workdir / 'nginx.pid'};" + (" daemon off;" if foreground else "")
    return [NGINX, "-p", str(workdir), "-c", str(config), "-e", str(workdir / "nginx-error.log"),
            "-g", globals_, *extra]


def create_database(server_url: str, name: str) -> str:
    """A fresh, empty database on the cluster of `server_url`; its URL."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def shipped_credentials() -> Path:
    """credentials.yml as shipped; it must open the metrics channel (health, readiness, metrics)."""
    path = ROOT / "credentials.yml"
    if "channels.metrics.MetricsInput" not in (yaml.safe_load(path.read_text()) or {}):
        raise AssertionError("credentials.yml does not list channels.metrics.MetricsInput")
    return path


def endpoint_environment(tracker_url: str, redis_url: str, action_port: int) -> Dict[str, str]:
    """The variables deploy/endpoints.production.yml reads."""
    tracker, redis = make_url(tracker_url), make_url(redis_url)
    return {"ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "TRACKER_DB_HOST": tracker.host or "127.0.0.1", "TRACKER_DB_PORT": str(tracker.port),
            "TRACKER_DB_NAME": tracker.database or "", "TRACKER_DB_USER": tracker.username or "",
            "TRACKER_DB_PASSWORD": tracker.password or "", "REDIS_HOST": redis.host or "127.0.0.1",
            "REDIS_PORT": str(redis.port), "REDIS_PASSWORD": "", "REDIS_LOCK_DB": "1"}


@dataclass
class Topology:
    """What the tests talk to, and every process to stop."""

    workdir: Path
    database_url: str
    telegram: FakeTelegramApi
    twilio: FakeTwilio
    rasa_urls: List[str] = field(default_factory=list)
    action_url: str = ""
    nginx_url: str = ""
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    def spawn(self, name: str, command: Sequence[str], env: Mapping[str, str]) -> None:
        with (self.workdir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(list(command), cwd=ROOT, env=dict(env),
                                                    stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def wait_ready(self, urls: Sequence[str], timeout: float = START_TIMEOUT) -> None:
        """Poll every readiness URL (never a fixed sleep); a dead process fails at once."""
        deadline, pending = time.monotonic() + timeout, list(urls)
        while pending:
            dead = [name for name, process in self.processes.items() if process.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead} exited while starting:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f}s: {pending}\n{self.log_tail()}")
            pending = [url for url in pending if not _answers_200(url)]
            if pending:
                time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL what is left after 30 s."""
        for process in reversed(list(self.processes.values())):  # nginx first, actions last
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.telegram.stop()
        self.twilio.stop()

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in sorted(self.workdir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)


def _answers_200(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start_topology(workdir: Path, postgres_url: str, redis_url: str, model: Path,
                   replicas: int = 2) -> Topology:
    """A case database of its own (other tests' unfinished inbound rows on the shared one would be
    recovered and answered by these replicas), seeded; start actions + replicas in parallel, then
    nginx; wait for all."""
    database_url = create_database(postgres_url, f"cases_{uuid.uuid4().hex[:10]}")
    migrate_database(database_url)
    base = project_environment({"DATABASE_URL": database_url,
                                "ATTACHMENTS_DIR": str(workdir / "attachments")})
    seed_database(base)
    tracker_url = create_database(postgres_url, f"tracker_{uuid.uuid4().hex[:10]}")
    topology = Topology(workdir, database_url, FakeTelegramApi(TELEGRAM_TOKEN).start(),
                        FakeTwilio().start())
    try:
        _start_servers(topology, base, tracker_url, redis_url, model, replicas)
    except BaseException:
        topology.stop()
        raise
    return topology


def _start_servers(topology: Topology, base: Dict[str, str], tracker_url: str, redis_url: str,
                   model: Path, replicas: int) -> None:
    action_port = free_port()
    topology.action_url = f"http://127.0.0.1:{action_port}"
    topology.spawn("actions", [sys.executable, "scripts/run_actions.py", "--port", str(action_port)], base)
    env = {**base, **endpoint_environment(tracker_url, redis_url, action_port),
           "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
           "TELEGRAM_API_BASE_URL": topology.telegram.base_url,
           "TWILIO_ACCOUNT_SID": topology.twilio.account_sid,
           "TWILIO_AUTH_TOKEN": topology.twilio.auth_token, "TWILIO_FROM_NUMBER": CITY_NUMBER,
           "TWILIO_API_BASE_URL": topology.twilio.base_url, "SMS_PUBLIC_URL": SMS_PUBLIC_URL,
           # Telegram's send limits shared by the replicas, as compose and Kubernetes set them
           "RATE_LIMIT_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/2"}
    credentials = shipped_credentials()
    ports = [free_port() for _ in range(replicas)]
    for index, port in enumerate(ports):
        topology.spawn(f"rasa-{index}", [
            sys.executable, str(ROOT / "scripts" / "run_rasa.py"), "run", "--enable-api",
            "--port", str(port),
            "--credentials", str(credentials), "--endpoints", "deploy/endpoints.production.yml",
            "--model", str(model)], env)
        topology.rasa_urls.append(f"http://127.0.0.1:{port}")
    topology.wait_ready([f"{topology.action_url}/ready"]
                        + [f"{url}/webhooks/metrics/ready" for url in topology.rasa_urls])
    _start_nginx(topology, ports)


def _start_nginx(topology: Topology, rasa_ports: Sequence[int]) -> None:
    listen = free_port()
    config = topology.workdir / "nginx.conf"
    config.write_text(render_nginx((ROOT / "deploy" / "nginx.conf").read_text(), rasa_ports,
                                   free_port(), listen))
    check = subprocess.run(nginx_command(topology.workdir, config, "-t"), capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t rejected the rendered deploy/nginx.conf:\n{check.stderr}")
    topology.spawn("nginx", nginx_command(topology.workdir, config, foreground=True), os.environ)
    topology.nginx_url = f"http://127.0.0.1:{listen}"
    topology.wait_ready([f"{topology.nginx_url}/healthz"], timeout=30)
