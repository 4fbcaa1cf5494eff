"""bot.logs: one line per event, and citizens' data never in clear."""
from __future__ import annotations

import logging

import pytest

from bot.logs import format_event, log_event, pseudonym


def test_sensitive_fields_are_hashed() -> None:
    line = format_event("case_created", case="C-2026-000001", sender_id="+447700900123",
                        text="my neighbour at 4 Elm Rd", channel="sms")
    assert "+447700900123" not in line and "Elm" not in line
    assert line.startswith("case_created ") and "case=C-2026-000001" in line
    assert f"sender_id={pseudonym('+447700900123')}" in line


def test_values_with_spaces_are_quoted_and_none_is_left_out() -> None:
    assert format_event("x", reason="two words", extra=None) == 'x reason="two words"'


def test_log_event_writes_one_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.bot.logs")
    with caplog.at_level(logging.INFO, logger="test.bot.logs"):
        log_event(logger, "escalated", reason="requested", contact="+447700900123")
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()
    assert "+447700900123" not in caplog.text
