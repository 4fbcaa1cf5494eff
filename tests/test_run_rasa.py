"""scripts/run_rasa.py: Rasa's check of action server responses with the schema compiled once,
the event type index, and which command lines are watched for having listened."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction

from tests.integration.servers import load_script

run_rasa = load_script("run_rasa")


@pytest.fixture
def cached_validation(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # restored afterwards
    load_script("run_rasa").install_cached_validation()
    return jsonschema.validate


def test_a_bad_action_response_is_still_refused(cached_validation) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        cached_validation({"events": "not a list"}, RemoteAction.action_response_format_spec())


def test_a_good_response_passes_and_the_schema_is_checked_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema is checked and compiled on its first use only: 200 validations build one
    validator (jsonschema.validate re-checks the schema on every call, ~70 ms each here)."""
    import jsonschema.validators

    spec = RemoteAction.action_response_format_spec()
    built = []
    validator_for = jsonschema.validators.validator_for

    def counted(schema, *args, **kwargs):  # type: ignore[no-untyped-def]
        if schema == spec:  # jsonschema also calls it for the metaschema and its parts
            built.append(schema)
        return validator_for(schema, *args, **kwargs)

    monkeypatch.setattr(jsonschema.validators, "validator_for", counted)
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # restored afterwards
    load_script("run_rasa").install_cached_validation()
    response = {"events": [{"event": "slot", "name": "x", "value": 1}],
                "responses": [{"text": "hi"}]}
    for _ in range(200):
        jsonschema.validate(response, spec)
    assert len(built) == 1


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
