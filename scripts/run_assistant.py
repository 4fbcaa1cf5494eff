"""Start the civic assistant: the Rasa server and the action server, as child processes.

`make run` migrates the database and trains the model first, then runs this. It waits until
both servers answer their health checks (polling with a deadline, never a fixed sleep), prints
where to reach them, forwards Ctrl-C/SIGTERM to both and waits for them, and exits non-zero
with a clear message when either dies. The tests start the assistant through this script too,
so what they check is what `make run` does.

The case database is whatever bot.settings says (DATABASE_URL, default var/civic.db); this
script only passes the environment through. Nothing is dropped or recreated, so cases survive
restarts.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Dict, List, Optional

import yaml

from project_env import ROOT, child_environment

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 30.0


@dataclass
class Child:
    """A process and the URL that answers 200 once it is ready (None: ready while it runs)."""

    name: str
    process: subprocess.Popen
    health_url: Optional[str]


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Start the Rasa server, the action server, the staff console and the outbox dispatcher.")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--console-port", type=int, default=None,
                        help="staff console and Open311 API (default: CONSOLE_PORT, 8000); 0: do not start")
    parser.add_argument("--no-dispatcher", action="store_true",
                        help="do not start the outbox dispatcher (citizens get no notifications)")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--endpoints", default="endpoints.yml",
                        help="its action_endpoint is pointed at --action-port when they differ")
    parser.add_argument("--model", default="models/civic.tar.gz")
    parser.add_argument("--start-timeout", type=float, default=300.0,
                        help="seconds to wait for both servers to become healthy")
    return parser.parse_args(argv)


def endpoints_for_port(endpoints: Path, action_port: int, scratch: Path) -> Path:
    """The endpoints file to use: the given one, or a copy whose action URL has our port.

    Rasa's endpoints.yml cannot take a port from the environment with a default, so a second
    instance (tests, or a busy 5055) gets its own file instead.
    """
    config = yaml.safe_load(endpoints.read_text()) or {}
    wanted = f"http://localhost:{action_port}/webhook"
    if (config.get("action_endpoint") or {}).get("url") == wanted:
        return endpoints
    config["action_endpoint"] = {**(config.get("action_endpoint") or {}), "url": wanted}
    derived = scratch / "endpoints.yml"
    derived.write_text(yaml.safe_dump(config, sort_keys=False))
    return derived


SQL_TRACKER_STORES = ("sql", "components.tracker_store.leansqltrackerstore")


def prepare_tracker_store(endpoints: Path) -> None:
    """Create the folder of a SQLite tracker store file (var/ on a fresh clone)."""
    tracker = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store") or {}
    if str(tracker.get("type", "")).lower() in SQL_TRACKER_STORES and tracker.get("dialect") == "sqlite":
        db_path = Path(str(tracker.get("db", "rasa.db")))
        (db_path if db_path.is_absolute() else ROOT / db_path).parent.mkdir(parents=True, exist_ok=True)


def start_children(args: argparse.Namespace, endpoints: Path) -> List[Child]:
    """Launch the action server and the Rasa server; both load in parallel."""
    env = child_environment()
    python = sys.executable
    # rasa_sdk's action server plus /ready and /metrics (scripts/run_actions.py)
    actions = subprocess.Popen(
        [python, str(ROOT / "scripts" / "run_actions.py"), "--port", str(args.action_port)],
        cwd=ROOT, env=env)
    origins = [f"http://localhost:{args.rasa_port}", f"http://127.0.0.1:{args.rasa_port}"]
    from bot.settings import get_settings

    # Sanic reads SANIC_* itself: the channels' server reads no body bigger than we accept
    # (its default is 100 MB).
    rasa_env = {**env, "SANIC_REQUEST_MAX_SIZE": str(get_settings().max_request_bytes)}
    rasa = subprocess.Popen(
        [python, str(ROOT / "scripts" / "run_rasa.py"), "run", "--enable-api",
         "--port", str(args.rasa_port),
         "--credentials", args.credentials, "--endpoints", str(endpoints),
         "--model", args.model, "--cors", *origins],
        cwd=ROOT, env=rasa_env)
    children = [
        Child("action server", actions, f"http://localhost:{args.action_port}/health"),
        # /status answers 409 until a model is loaded: "/" says 200 even with no agent
        Child("Rasa server", rasa, f"http://localhost:{args.rasa_port}/status"),
    ]
    return children + start_staff_side(args, env)


def start_staff_side(args: argparse.Namespace, env: Dict[str, str]) -> List[Child]:
    """The console (with the Open311 API) and the outbox dispatcher, each its own process, as
    in production; both talk to this Rasa server and the same case database."""
    env = {**env, "RASA_URL": f"http://localhost:{args.rasa_port}"}
    children = []
    if args.console_port:
        console = subprocess.Popen([sys.executable, "-m", "console"], cwd=ROOT,
                                   env={**env, "CONSOLE_PORT": str(args.console_port)})
        children.append(Child("staff console", console,
                              f"http://localhost:{args.console_port}/health"))
    if not args.no_dispatcher:
        dispatcher = subprocess.Popen([sys.executable, "-m", "channels.dispatcher"], cwd=ROOT, env=env)
        children.append(Child("outbox dispatcher", dispatcher, None))
    return children


def is_healthy(url: str) -> bool:
    """True when `url` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def first_dead(children: List[Child]) -> Optional[Child]:
    return next((child for child in children if child.process.poll() is not None), None)


def wait_until_healthy(children: List[Child], timeout: float, stopping: "StopFlag") -> str:
    """Poll until every child is healthy; returns "" or the reason it could not be."""
    deadline = time.monotonic() + timeout
    pending = list(children)
    while pending:
        if stopping.requested:
            return "stopped before the servers were ready"
        dead = first_dead(children)
        if dead is not None:
            return f"the {dead.name} exited with code {dead.process.returncode} while starting"
        pending = [child for child in pending
                   if child.health_url is not None and not is_healthy(child.health_url)]
        if pending and time.monotonic() > deadline:
            names = ", ".join(child.name for child in pending)
            return f"not healthy after {timeout:.0f}s: {names}"
        if pending:
            time.sleep(POLL_SECONDS)
    return ""


def stop_children(children: List[Child]) -> None:
    """SIGTERM every child still running, wait for them, and kill what will not stop."""
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"the {child.name} did not stop in {STOP_GRACE_SECONDS:.0f}s; killing it",
                  file=sys.stderr)
            child.process.kill()
            child.process.wait()


class StopFlag:
    """Set by SIGINT/SIGTERM; the main loop notices it and stops the children in order."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, _frame: Optional[FrameType]) -> None:
        self.requested = True


def print_banner(args: argparse.Namespace) -> None:
    """Where to reach the assistant, and which database it writes to (password hidden)."""
    from sqlalchemy.engine import make_url

    from bot.settings import get_settings

    database = make_url(get_settings().database_url).render_as_string(hide_password=True)
    rasa = f"http://localhost:{args.rasa_port}"
    print(
        "\nThe civic assistant is running:\n"
        f"  web chat page   {rasa}/webhooks/webchat/\n"
        f"  REST webhook    {rasa}/webhooks/rest/webhook  (POST {{\"sender\": ..., \"message\": ...}})\n"
        f"  Rasa HTTP API   {rasa}/  (e.g. {rasa}/status)\n"
        f"  action server   http://localhost:{args.action_port}/health\n"
        + (f"  staff console   http://localhost:{args.console_port}/  "
           "(first admin: python -m bot.cli create-admin)\n"
           f"  Open311 API     http://localhost:{args.console_port}/open311/v2/services.json\n"
           if args.console_port else "")
        + ("  outbox dispatcher running (notifications and caseworker replies)\n"
           if not args.no_dispatcher else "")
        + f"  case database   {database}\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


def supervise(children: List[Child], stopping: StopFlag) -> int:
    """Run until a signal (exit 0) or until a child dies (exit 1)."""
    while not stopping.requested:
        dead = first_dead(children)
        if dead is not None:
            print(f"error: the {dead.name} exited unexpectedly with code "
                  f"{dead.process.returncode}; stopping the assistant", file=sys.stderr)
            return 1
        time.sleep(POLL_SECONDS)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.console_port is None:
        from bot.settings import get_settings

        args.console_port = get_settings().console_port
    if not (ROOT / args.model).is_file():
        print(f"error: no model at {args.model}; run `make model` first", file=sys.stderr)
        return 1
    stopping = StopFlag()
    signal.signal(signal.SIGINT, stopping)
    signal.signal(signal.SIGTERM, stopping)
    with tempfile.TemporaryDirectory(prefix="civic-run-") as scratch:
        endpoints = endpoints_for_port(ROOT / args.endpoints, args.action_port, Path(scratch))
        prepare_tracker_store(endpoints)
        children = start_children(args, endpoints)
        try:
            problem = wait_until_healthy(children, args.start_timeout, stopping)
            if problem:
                print(f"error: {problem}; stopping the assistant", file=sys.stderr)
                return 0 if stopping.requested else 1
            print_banner(args)
            return supervise(children, stopping)
        finally:
            stop_children(children)


if __name__ == "__main__":
    sys.exit(main())
