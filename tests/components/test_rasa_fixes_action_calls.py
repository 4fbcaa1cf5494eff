"""components.rasa_fixes' fixes to Rasa's action calls: the response schema compiled once
(fix 1) with its event oneOf discriminated (fix 4), and request bodies written with ujson
(fix 5). Each is compared with stock Rasa, jsonschema and json."""
from __future__ import annotations

import asyncio
import json
import math
from typing import Any, List

import jsonschema
import jsonschema.validators
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction

from components.rasa_fixes import action_bodies, action_responses


@pytest.fixture
def cached_validation(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # restored afterwards
    action_responses.install_cached_validation()
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
    action_responses.install_cached_validation()
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
    assert action_responses.discriminator(
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
    assert action_responses.discriminator(branches) is None
    schema = {"oneOf": branches}
    for instance in ["x", 3, {"kind": "a"}, {"type": "b"}, {"kind": "c"}, None]:
        assert cached_verdict(instance, schema) == stock_verdict(instance, schema)


@pytest.fixture
def fast_json_bodies(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)  # restored afterwards
    action_bodies.install_fast_json_bodies()


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


