"""Thousands of generated webhook bodies, valid and broken: never a 5xx, never an unhandled error.

Runs over real HTTP against the live channel (fake assistant, fake Bot API, no rate-limit
sleeps); valid updates are recorded and processed in the background meanwhile.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.telegram_fixtures import (SECRET, TelegramServer, start_telegram,  # noqa: F401
                                              telegram_api)

EXAMPLES = 2000
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXT, inner, max_size=4)),
                    max_leaves=12)


def maybe(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right shape, sometimes any JSON value in its place (so most updates are
    broken in one or two places, deep inside, where de_json does not look)."""
    return st.integers(0, 7).flatmap(lambda pick: JSON if pick == 0 else valid)


def optional_fields(required: Dict[str, st.SearchStrategy], optional: Dict[str, st.SearchStrategy]
                    ) -> st.SearchStrategy:
    return st.fixed_dictionaries({k: maybe(v) for k, v in required.items()},
                                 optional={k: maybe(v) for k, v in optional.items()})


CHAT_IDS = st.integers(min_value=-(2 ** 40), max_value=2 ** 40)
USER = optional_fields({"id": CHAT_IDS, "is_bot": st.booleans(), "first_name": TEXT},
                       {"language_code": st.sampled_from(["en", "es", "pt-br", "nl", "", "x" * 20])})
CHAT = optional_fields({"id": CHAT_IDS, "type": st.sampled_from(["private", "group"])}, {})
PHOTO = optional_fields({"file_id": TEXT, "file_unique_id": TEXT, "width": st.integers(0, 5000),
                         "height": st.integers(0, 5000)}, {"file_size": st.integers(0, 2 ** 40)})
LOCATION = optional_fields({"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)}, {})
MESSAGE = optional_fields(
    {"message_id": st.integers(1, 2 ** 31), "date": st.integers(0, 2 ** 31), "chat": CHAT},
    {"from": USER, "text": st.one_of(TEXT, st.sampled_from(["/start", "/help", "/help@bot"])),
     "location": LOCATION, "photo": st.lists(PHOTO, max_size=3), "caption": TEXT})
CALLBACK = optional_fields({"id": TEXT, "from": USER, "chat_instance": TEXT},
                           {"data": TEXT, "message": MESSAGE})
UPDATE_ID = st.one_of(st.integers(0, 2 ** 31), st.integers(-5, 2 ** 64))
UPDATE = st.one_of(
    optional_fields({"update_id": UPDATE_ID, "message": MESSAGE}, {}),
    optional_fields({"update_id": UPDATE_ID, "callback_query": CALLBACK}, {}),
    optional_fields({"update_id": UPDATE_ID}, {"message": MESSAGE, "callback_query": CALLBACK,
                                               "edited_message": MESSAGE}),
)
UPDATE_BODIES = UPDATE.map(lambda update: json.dumps(update).encode())
BODIES = st.integers(0, 5).flatmap(lambda pick: {
    0: JSON.map(lambda value: json.dumps(value).encode()), 1: st.binary(max_size=200)
}.get(pick, UPDATE_BODIES))


def test_generated_updates_never_cause_a_server_error(
        start_telegram: Callable[..., TelegramServer], caplog: pytest.LogCaptureFixture) -> None:
    telegram = start_telegram()
    caplog.set_level(logging.ERROR, logger="sanic.error")
    caplog.set_level(logging.ERROR, logger="asyncio")
    statuses: List[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=BODIES)
    def deliver(body: bytes) -> None:
        response = telegram.post(raw=body)
        statuses.append(response.status_code)
        assert response.status_code in (200, 400), (response.status_code, body[:200])

    deliver()
    assert telegram.api.wait_for(lambda: telegram.channel.runner.idle, timeout=60)
    unhandled = [record for record in caplog.records if record.levelno >= logging.ERROR
                 and record.name.startswith(("sanic", "asyncio"))]
    assert unhandled == []
    # Both kinds were exercised (the exact split varies a little with how hypothesis shrinks).
    assert statuses.count(200) >= 50 and statuses.count(400) >= 50, (statuses.count(200),
                                                                     statuses.count(400))
