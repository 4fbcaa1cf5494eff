"""scripts/run_rasa.py: Rasa's check of action server responses, with the schema compiled once."""
from __future__ import annotations

import time

import jsonschema
import pytest
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction

from tests.integration.servers import load_script


@pytest.fixture
def cached_validation(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # restored afterwards
    load_script("run_rasa").install_cached_validation()
    return jsonschema.validate


def test_a_bad_action_response_is_still_refused(cached_validation) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        cached_validation({"events": "not a list"}, RemoteAction.action_response_format_spec())


def test_a_good_response_passes_and_the_schema_is_checked_once(cached_validation) -> None:  # type: ignore[no-untyped-def]
    response = {"events": [{"event": "slot", "name": "x", "value": 1}],
                "responses": [{"text": "hi"}]}
    schema = RemoteAction.action_response_format_spec()
    started = time.process_time()
    for _ in range(200):
        cached_validation(response, schema)
    # jsonschema.validate re-checks the schema on every call (~70 ms each here): 200 calls
    # would take many seconds; compiled once they take a few milliseconds each at most.
    assert time.process_time() - started < 2.0
