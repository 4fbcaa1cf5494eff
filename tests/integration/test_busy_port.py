"""A server whose port is taken exits 1 and names the port (bot.serving).

Sanic logs the bind error and returns from app.run normally; before, the console, the action
server and the Rasa server then exited 0, and a supervisor took them for a clean stop. The Rasa
server checks its port before loading the model, so it says so within seconds, not after ~30.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process is listening on, on every interface as the servers bind."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def commands(port: int) -> List[List[str]]:
    return [
        [sys.executable, "-m", "console"],
        [sys.executable, "scripts/run_actions.py", "--port", str(port)],
        [sys.executable, "scripts/run_rasa.py", "run", "--port", str(port), "--credentials",
         "credentials.yml", "--endpoints", "endpoints.yml", "--model", "models/civic.tar.gz"],
    ]


@pytest.mark.parametrize("which", [0, 1, 2], ids=["console", "action server", "rasa server"])
def test_a_server_whose_port_is_taken_exits_1_and_says_which_port(
        which: int, taken_port: int, tmp_path: Path) -> None:
    env = {**os.environ, "CONSOLE_PORT": str(taken_port),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}"}
    result = subprocess.run(commands(taken_port)[which], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"could not start listening on port {taken_port}" in result.stderr


def test_the_check_before_loading_passes_a_free_port_and_stops_at_a_taken_one(
        taken_port: int, capsys: pytest.CaptureFixture) -> None:
    from bot.serving import exit_if_port_taken

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as free:
        free.bind(("127.0.0.1", 0))
        free_port = int(free.getsockname()[1])
    exit_if_port_taken("The Rasa server", free_port)  # returns: nothing listens there
    with pytest.raises(SystemExit) as stopped:
        exit_if_port_taken("The Rasa server", taken_port)
    assert stopped.value.code == 1
    assert f"could not start listening on port {taken_port}" in capsys.readouterr().err
