"""scripts/run_assistant.py and scripts/find_python310.sh: what `make run` and `make venv` rely on."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.integration.servers import load_script, project_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_assistant() -> ModuleType:
    return load_script("run_assistant")


def test_shipped_endpoints_are_used_as_is_on_the_default_port(
        run_assistant: ModuleType, tmp_path: Path) -> None:
    shipped = ROOT / "endpoints.yml"
    assert run_assistant.endpoints_for_port(shipped, 5055, tmp_path) == shipped


def test_another_action_port_gets_its_own_endpoints_file(
        run_assistant: ModuleType, tmp_path: Path) -> None:
    derived = run_assistant.endpoints_for_port(ROOT / "endpoints.yml", 6123, tmp_path)

    config = yaml.safe_load(derived.read_text())
    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert config["action_endpoint"]["url"] == "http://localhost:6123/webhook"
    assert config["tracker_store"] == shipped["tracker_store"]
    assert config["lock_store"] == shipped["lock_store"]


def test_shipped_configuration_enables_rest_and_web_chat_and_persists_conversations() -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert {"rest", "channels.webchat.WebChatInput"} <= set(credentials)
    assert endpoints["action_endpoint"]["url"] == "http://localhost:5055/webhook"
    assert endpoints["tracker_store"] == {"type": "components.tracker_store.LeanSQLTrackerStore",
                                          "dialect": "sqlite", "db": "var/tracker.db"}


@pytest.mark.slow
def test_launcher_exits_non_zero_with_a_message_when_a_server_dies(tmp_path: Path) -> None:
    model = tmp_path / "unused.tar.gz"  # Rasa dies on the channel before it reads a model
    model.write_bytes(b"")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("no_such_module.NoSuchChannel:\n")
    env = project_environment({"DATABASE_URL": f"sqlite:///{tmp_path / 'civic.db'}"})
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}}))

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_assistant.py"), "--model", str(model),
         "--credentials", str(credentials), "--endpoints", str(endpoints),
         "--rasa-port", "0", "--action-port", "0",
         "--console-port", "0", "--no-dispatcher",  # this test is about Rasa and actions
         "--start-timeout", "240"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 1
    assert re.search(r"error: the (Rasa|action) server exited with code \d+", result.stderr), \
        result.stderr[-4000:]


def test_find_python310_prints_a_cpython_310_interpreter() -> None:
    result = subprocess.run([str(ROOT / "scripts" / "find_python310.sh")],
                            capture_output=True, text=True, check=True)
    interpreter = result.stdout.strip()
    version = subprocess.run([interpreter, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "(3, 10)"


def test_find_python310_explains_what_to_install_when_there_is_none(tmp_path: Path) -> None:
    result = subprocess.run(["/bin/bash", str(ROOT / "scripts" / "find_python310.sh")],
                            env={"PATH": str(tmp_path)}, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Rasa 3.6 needs CPython 3.8-3.10; install python3.10" in result.stderr
