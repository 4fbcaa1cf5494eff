"""scripts/run_rasa.py's own fixes: the start-up freeze's timing (fix 7), and which command
lines are watched for having listened (fix 3). The fixes to Rasa itself (components.rasa_fixes)
are tested in tests/components/test_rasa_fixes_*.py."""
from __future__ import annotations

from typing import Any

import pytest

from tests.integration.servers import load_script

run_rasa = load_script("run_rasa")


def test_the_freeze_waits_until_the_server_has_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model is loaded in a before_server_start listener: freezing any earlier would
    leave the model's objects in every later collection."""
    import rasa.core.run

    registered = []

    class App:
        def register_listener(self, listener: Any, event: str) -> None:
            registered.append((listener, event))

    monkeypatch.setattr(rasa.core.run, "configure_app", lambda *args, **kwargs: App())
    script = load_script("run_rasa")
    script.install_startup_freeze()
    rasa.core.run.configure_app()
    assert [(listener.__name__, event) for listener, event in registered] == [
        ("_freeze_now", "after_server_start")]


@pytest.mark.parametrize("argv, port", [
    (["run_rasa.py", "run", "--port", "5010", "--enable-api"], 5010),
    (["run_rasa.py", "run", "--port=5011"], 5011),
    (["run_rasa.py", "run", "-p", "5012"], 5012),
    (["run_rasa.py", "run", "--enable-api"], 5005),
])
def test_the_port_named_when_the_server_cannot_listen_is_the_one_asked_for(
        argv: list, port: int) -> None:
    assert run_rasa.server_port(argv) == port


@pytest.mark.parametrize("argv, interface", [
    (["run_rasa.py", "run", "--interface", "127.0.0.1", "--port", "5010"], "127.0.0.1"),
    (["run_rasa.py", "run", "-i", "::1"], "::1"),
    (["run_rasa.py", "run", "--port", "5010"], "0.0.0.0"),
])
def test_the_port_is_checked_on_the_interface_asked_for(argv: list, interface: str) -> None:
    assert run_rasa.server_interface(argv) == interface


@pytest.mark.parametrize("argv, environment, watched", [
    (["run_rasa.py", "run", "--enable-api"], {}, True),
    (["run_rasa.py", "run"], {"SANIC_WORKERS": "1"}, True),
    (["run_rasa.py", "run"], {"SANIC_WORKERS": "2"}, False),  # workers are child processes
    (["run_rasa.py", "run", "actions"], {}, False),
    (["run_rasa.py", "train"], {}, False),
])
def test_only_a_one_process_rasa_server_is_watched_for_having_listened(
        argv: list, environment: dict, watched: bool) -> None:
    assert run_rasa.watches_serving(argv, environment) is watched
