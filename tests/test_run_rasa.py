"""scripts/run_rasa.py: Rasa's check of action server responses with the schema compiled once
and its event oneOf discriminated, the event type index, action calls written with ujson, fast
slot copies, the start-up freeze, past states shared by the policies, sparse feature joins,
and which command lines are watched for having listened."""
from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any, List

import jsonschema
import jsonschema.validators
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction

from tests.integration.servers import load_script

run_rasa = load_script("run_rasa")
ROOT = Path(__file__).resolve().parents[1]


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


EVENT_NAMES = sorted(
    branch["properties"]["event"]["const"]
    for branch in RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6)
EVENT_FIELDS = ["timestamp", "metadata", "name", "value", "text", "parse_data", "entities",
                "policy", "confidence", "data"]
EVENTS = st.one_of(
    st.fixed_dictionaries(
        {"event": st.sampled_from(EVENT_NAMES) | st.text(max_size=6) | JSON_VALUES},
        optional={field: JSON_VALUES for field in EVENT_FIELDS}),
    JSON_VALUES)


def stock_verdict(instance: Any, schema: Any) -> Any:
    """None for a valid instance, else the message stock jsonschema.validate raises."""
    try:
        jsonschema.validators.validate(instance, schema)  # the function the fix replaces
    except ValidationError as error:
        return error.message
    return None


def cached_verdict(instance: Any, schema: Any) -> Any:
    try:
        jsonschema.validate(instance, schema)
    except ValidationError as error:
        return error.message
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENTS, max_size=4))
def test_action_responses_are_judged_as_stock_jsonschema_judges_them(
        cached_validation, events: List[Any]) -> None:  # type: ignore[no-untyped-def]
    """Every event name, unknown names, missing and mistyped fields: the discriminated check
    accepts exactly what the stock one accepts, and refuses with the same message."""
    spec = RemoteAction.action_response_format_spec()
    response = {"events": events, "responses": [{"text": "hi"}]}
    assert cached_verdict(response, spec) == stock_verdict(response, spec)


def test_every_event_rasa_writes_passes_and_only_its_own_branch_is_tried(
        cached_validation, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The speed comes from trying one branch per event instead of all 23."""
    from jsonschema import _validators

    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered,
                                         FollowupAction, SessionStarted, SlotSet, UserUttered)

    events = [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"}),
              SlotSet("category", "pothole"), BotUttered("hello", {"buttons": []}),
              ActiveLoop("report_form"), FollowupAction("action_listen"), SessionStarted()]
    response = {"events": [event.as_dict() for event in events], "responses": []}
    tried = []
    stock_one_of = _validators.oneOf
    monkeypatch.setattr(_validators, "oneOf", lambda *args: tried.append(args) or stock_one_of(*args))
    jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert tried == []  # no event went through the stock oneOf
    assert run_rasa.discriminator(
        RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"]
    ) == ("event", {name: index for index, name in enumerate(
        branch["properties"]["event"]["const"] for branch in
        RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"])})


@pytest.mark.parametrize("branches", [
    [{"type": "string"}, {"type": "integer"}],  # nothing pinned
    [{"properties": {"kind": {"const": "a"}}}, {"properties": {"kind": {"const": "a"}}}],  # twice
    [{"properties": {"kind": {"const": "a"}}}, {"properties": {"type": {"const": "b"}}}],  # two keys
])
def test_other_one_ofs_keep_the_stock_check(cached_validation, branches: list) -> None:  # type: ignore[no-untyped-def]
    assert run_rasa.discriminator(branches) is None
    schema = {"oneOf": branches}
    for instance in ["x", 3, {"kind": "a"}, {"type": "b"}, {"kind": "c"}, None]:
        assert cached_verdict(instance, schema) == stock_verdict(instance, schema)


@pytest.fixture
def fast_json_bodies(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)  # restored afterwards
    load_script("run_rasa").install_fast_json_bodies()


def bodies_received(payloads: List[Any]) -> List[bytes]:
    """POST each payload through Rasa's EndpointConfig to a loopback server; the raw bodies."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    received: List[bytes] = []

    async def handler(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({"events": []})

    async def run() -> None:
        app = web.Application()
        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            for payload in payloads:
                await EndpointConfig(f"http://127.0.0.1:{port}/webhook").request(json=payload)
        finally:
            await runner.cleanup()

    asyncio.run(run())
    return received


def test_action_calls_carry_the_same_json_written_by_ujson(fast_json_bodies) -> None:  # type: ignore[no-untyped-def]
    import ujson

    tracker = {"sender_id": "+34600000000", "events": [
        {"event": "user", "timestamp": 1795767993.4761677, "text": "¿hay un bache en la C/ Mayor?",
         "parse_data": {"intent": {"name": "report_problem", "confidence": 0.9534},
                        "intent_ranking": [{"name": "deny", "confidence": 2.39e-32}]}},
        {"event": "slot", "name": "photos", "value": None, "timestamp": None}]}
    payload = {"next_action": "validate_report_form", "tracker": tracker, "version": "3.6.21"}
    [body] = bodies_received([payload])
    assert json.loads(body) == payload
    assert body == ujson.dumps(payload, escape_forward_slashes=False).encode()


def test_what_json_cannot_write_still_fails_the_call_as_before(fast_json_bodies) -> None:  # type: ignore[no-untyped-def]
    """A set in a slot is a bug in the caller: the call fails with json's TypeError, and NaN is
    written as json writes it."""
    with pytest.raises(TypeError):
        bodies_received([{"value": {"a set"}}])
    assert math.isnan(json.loads(bodies_received([{"confidence": math.nan}])[0])["confidence"])


@pytest.fixture
def fast_slot_copies(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.core.slots import Slot

    # Stock Slot has no __copy__: monkeypatch notes that and deletes it again afterwards.
    monkeypatch.setattr(Slot, "__copy__", None, raising=False)
    load_script("run_rasa").install_fast_slot_copies()


def every_kind_of_slot() -> List[Any]:
    from rasa.shared.core.slots import (AnySlot, BooleanSlot, CategoricalSlot, FloatSlot,
                                        ListSlot, TextSlot)

    mappings = [{"type": "custom"}]
    slots = [TextSlot("t", mappings, initial_value="x"), BooleanSlot("b", mappings),
             FloatSlot("f", mappings, max_value=5.0), ListSlot("l", mappings),
             CategoricalSlot("c", mappings, values=["en", "es"]), AnySlot("a", mappings)]
    for slot, value in zip(slots, ["hello", True, 2.5, ["p1"], "es", {"k": 1}]):
        slot.value = value
    return slots


def test_a_slot_copy_is_the_shallow_copy_copy_would_make(fast_slot_copies,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import copy

    slow = []
    reconstruct = copy._reconstruct  # type: ignore[attr-defined]
    monkeypatch.setattr(copy, "_reconstruct", lambda *a, **k: slow.append(a) or reconstruct(*a, **k))
    for slot in every_kind_of_slot():
        clone = copy.copy(slot)
        assert type(clone) is type(slot) and clone is not slot
        assert clone.__dict__ == slot.__dict__ and clone.mappings is slot.mappings  # shallow
        clone.value = None
        assert slot.value is not None  # the original keeps its value
    assert slow == []  # none went the __reduce_ex__ way


def test_a_slot_class_that_customises_pickling_is_copied_its_own_way(fast_slot_copies) -> None:  # type: ignore[no-untyped-def]
    import copy

    from rasa.shared.core.slots import TextSlot

    class CountedSlot(TextSlot):
        def __getstate__(self) -> dict:
            return {**self.__dict__, "copied": True}

    clone = copy.copy(CountedSlot("n", [{"type": "custom"}]))
    assert clone.copied is True  # type: ignore[attr-defined]


def test_trackers_built_from_a_domain_keep_their_slots_apart(fast_slot_copies) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    slots = every_kind_of_slot()
    first = DialogueStateTracker.from_events("a", [SlotSet("t", "first")], slots)
    second = DialogueStateTracker.from_events("b", [], slots)
    assert first.get_slot("t") == "first" and second.get_slot("t") == "x"  # its initial value
    assert slots[0].value == "hello"  # the domain's own slot is untouched


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
def shared_past_states(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Rasa's own states_for_tracker_history, with the shared replay installed in its place."""
    from rasa.shared.core.domain import Domain

    stock = Domain.states_for_tracker_history
    monkeypatch.setattr(Domain, "states_for_tracker_history", stock)  # restored afterwards
    load_script("run_rasa").install_shared_past_states()
    return lambda tracker, domain, **arguments: stock(domain, tracker, **arguments)


def report_conversation() -> List[Any]:
    """A session with rule-only turns, a follow-up action, a form and slots: what the
    policies replay."""
    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered,
                                         FollowupAction, SessionStarted, SlotSet, UserUttered)

    def said(text: str, intent: str, entities: Any = ()) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 0.9}, list(entities))

    return [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("language", "en"),
            ActionExecuted("action_listen"), said("hi", "greet"),
            ActionExecuted("utter_greet", hide_rule_turn=True),  # a rule-only turn
            BotUttered("Hello"), ActionExecuted("action_listen", hide_rule_turn=True),
            said("thanks", "thank"), FollowupAction("utter_noworries"),
            ActionExecuted("utter_noworries", hide_rule_turn=True),
            ActionExecuted("action_listen", hide_rule_turn=True),
            said("there is a pothole", "report_problem",
                 [{"entity": "category", "value": "pothole", "start": 11, "end": 18}]),
            SlotSet("category", "pothole"), ActionExecuted("report_form"),
            ActiveLoop("report_form"), SlotSet("requested_slot", "location"),
            ActionExecuted("action_listen"), said("Elm Street 12", "inform"),
            SlotSet("location", "Elm Street 12"), ActionExecuted("report_form"),
            SlotSet("requested_slot", "description"), ActionExecuted("action_listen"),
            said("what are your opening hours?", "ask_policy")]


RULE_ONLY = {"rule_only_slots": ["handoff_offered"], "rule_only_loops": ["report_form"]}
VIEWS = ({}, {"omit_unset_slots": True}, {"ignore_rule_only_turns": True},
         {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY})


def test_past_states_are_the_stock_ones_for_every_prefix_and_view(shared_past_states) -> None:  # type: ignore[no-untyped-def]
    """One tracker grows event by event, as in a turn; after each event every view (in turn,
    and the same view again) equals what stock Rasa computes."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    for order in (VIEWS, VIEWS[::-1]):
        for view in order:  # the same view at every step: a stale replay would show
            tracker = DialogueStateTracker.from_events("citizen", [], domain.slots)
            for event in report_conversation():
                tracker.update(event, domain)
                expected = shared_past_states(tracker, domain, **view)
                assert tracker.past_states(domain, **view) == expected
                for other in order:  # every view from the same replay
                    assert tracker.past_states(domain, **other) == shared_past_states(
                        tracker, domain, **other)


def test_one_replay_serves_every_view_and_each_caller_gets_its_own_states(
        shared_past_states, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker.from_events("citizen", report_conversation(), domain.slots)
    expected = [shared_past_states(tracker, domain, **view) for view in VIEWS]
    replays = []
    stock_replay = DialogueStateTracker.generate_all_prior_trackers
    monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers",
                        lambda self: replays.append(1) or stock_replay(self))
    for view, states in zip(VIEWS, expected):
        got = tracker.past_states(domain, **view)
        assert got == states
        got[-1]["user"].clear()  # what a featurizer does to the last state
        got[-2]["prev_action"].clear()
    assert [tracker.past_states(domain, **view) for view in VIEWS] == expected
    assert len(replays) == 2  # one with unset slots, one without; both policies use the first


SPARSE = st.tuples(st.integers(1, 4), st.integers(0, 40), st.integers(0, 40),
                   st.sampled_from(["float32", "float64"]), st.sampled_from(["float32", "float64"]),
                   st.floats(0.0, 1.0), st.integers(0, 2 ** 16))


@settings(max_examples=200, deadline=None)
@given(case=SPARSE)
def test_sparse_features_side_by_side_are_what_hstack_makes(case: Any) -> None:
    import numpy as np
    from scipy.sparse import hstack, random

    rows, left_width, right_width, left_type, right_type, density, seed = case
    left = random(rows, left_width, density=density, format="coo", dtype=left_type,
                  random_state=seed)
    right = random(rows, right_width, density=density, format="coo", dtype=right_type,
                   random_state=seed + 1)
    expected, got = hstack([left, right]), run_rasa.side_by_side(left, right)
    assert got.format == expected.format == "coo" and got.shape == expected.shape
    for part in ("data", "row", "col"):
        assert getattr(got, part).dtype == getattr(expected, part).dtype
        assert np.array_equal(getattr(got, part), getattr(expected, part))


@pytest.fixture
def fast_sparse_joins(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.nlu.training_data.features import Features

    monkeypatch.setattr(Features, "_combine_sparse_features",  # restored afterwards
                        Features._combine_sparse_features)
    load_script("run_rasa").install_fast_sparse_joins()


def test_features_of_other_formats_or_row_counts_are_joined_the_stock_way(fast_sparse_joins) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from rasa.shared.nlu.training_data.features import Features
    from scipy.sparse import coo_matrix, csr_matrix

    def features(matrix: Any) -> Features:
        return Features(matrix, "sequence", "text", "CountVectorsFeaturizer")

    joined = features(csr_matrix(np.eye(2)))
    joined.combine_with_features(features(coo_matrix(np.ones((2, 3)))))
    assert joined.features.shape == (2, 5)
    assert np.array_equal(joined.features.toarray(), np.hstack([np.eye(2), np.ones((2, 3))]))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        features(coo_matrix(np.eye(2))).combine_with_features(features(coo_matrix(np.eye(3))))


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
