"""Fuzz fixtures: the channel harnesses (tests/channels) and the console (tests/console),
plus a handler that collects every ERROR / traceback logged while a test runs."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.channels.conftest import start_webchat, webchat_db  # noqa: F401
from tests.channels.sms_harness import start_sms, twilio  # noqa: F401
from tests.channels.telegram_fixtures import start_telegram, telegram_api  # noqa: F401
from tests.console.harness import console_factory  # noqa: F401
from tests.fuzz.strategies import ErrorRecords, capture_errors


@pytest.fixture
def server_errors() -> Iterator[ErrorRecords]:
    yield from capture_errors()
