"""scripts/run_rasa.py: the event type index (fix 2), the start-up freeze's timing (fix 7),
and which command lines are watched for having listened (fix 3). The action-call fixes are
tested in test_run_rasa_action_calls.py, the dialogue and NLU ones in
test_run_rasa_dialogue.py."""
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



@pytest.fixture
def indexed_events(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import Event

    stock = Event.resolve_by_type
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(stock))  # restored afterwards
    load_script("run_rasa").install_event_type_index()
    return stock


def test_every_event_type_resolves_to_the_class_rasa_picks(indexed_events) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for _ in range(2):  # the first lookup fills the index, the second answers from it
        for name in names:
            assert Event.resolve_by_type(name) is indexed_events(name)
    assert Event.resolve_by_type("no such event", UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")
    assert Event.resolve_by_type("no such event", UserUttered) is UserUttered


def test_stored_events_still_load_into_a_tracker(indexed_events) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_listen"), UserUttered("hole", {"name": "report_problem"}),
              SlotSet("category", "pothole"), ActionExecuted("report_form")]
    tracker = DialogueStateTracker.from_dict("citizen", [e.as_dict() for e in events], [])
    assert [type(event) for event in tracker.events] == [type(event) for event in events]
    assert tracker.latest_message.text == "hole"


@pytest.mark.parametrize("argv, port", [
    (["run_rasa.py", "run", "--port", "5010", "--enable-api"], 5010),
    (["run_rasa.py", "run", "--port=5011"], 5011),
    (["run_rasa.py", "run", "-p", "5012"], 5012),
    (["run_rasa.py", "run", "--enable-api"], 5005),
])
def test_the_port_named_when_the_server_cannot_listen_is_the_one_asked_for(
        argv: list, port: int) -> None:
    assert run_rasa.server_port(argv) == port


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
