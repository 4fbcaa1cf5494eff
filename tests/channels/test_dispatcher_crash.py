"""`python -m channels.dispatcher` killed in the middle of a batch (os._exit at a checkpoint:
no cleanup, no commit, like kill -9), restarted, and every message reaches the fakes exactly
once, in order per citizen. SIGTERM ends it cleanly; its logs never hold numbers or bodies.

Crash points: before the send (claimed), between the provider's acceptance and the commit of
"sent" (accepted: SMS only, which Twilio's message list reconciles; Telegram cannot be asked,
and that instant is its documented at-most-one-duplicate window), and after the commit (marked).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tests.channels.dispatcher_harness import (CRASH_EXIT, Fakes, fakes, queue, start_dispatcher,
                                               statuses, wait_until)
from tests.channels.sms_harness import twilio

__all__ = ["fakes", "twilio"]

NUMBERS = ["+447700900201", "+447700900202"]
CHATS = ["6660001", "6660002"]
SESSION = "session-crash-0001"
LEASE_SECONDS = 1.5


def queue_batch() -> Dict[Tuple[str, str], List[Tuple[int, str]]]:
    """Three messages to each of two phones and two chats, one web chat, one REST client."""
    batch: Dict[Tuple[str, str], List[Tuple[int, str]]] = {}
    for index in range(3):
        for channel, recipients in (("sms", NUMBERS), ("telegram", CHATS)):
            for recipient in recipients:
                body = f"Update {index} on your report for {channel} {recipient[-1]}"
                batch.setdefault((channel, recipient), []).append((queue(channel, recipient, body), body))
    batch[("webchat", SESSION)] = [(queue("webchat", SESSION, "A caseworker replied"), "")]
    batch[("rest", "client")] = [(queue("rest", "client", "Not pushable"), "")]
    return batch


def crash_and_expect(fakes: Fakes, log: Path, crash_at: str) -> None:
    process = start_dispatcher(fakes, log, crash_at=crash_at, lease_seconds=LEASE_SECONDS)
    assert process.process.wait(60) == CRASH_EXIT, process.log()[-3000:]


def test_crashes_mid_batch_then_restart_send_every_message_exactly_once(
        fakes: Fakes, tmp_path: Path) -> None:
    batch = queue_batch()
    sms_a, sms_b = batch[("sms", NUMBERS[0])], batch[("sms", NUMBERS[1])]
    tg_a, tg_b = batch[("telegram", CHATS[0])], batch[("telegram", CHATS[1])]
    log = tmp_path / "dispatcher.log"
    crash_and_expect(fakes, log, f"claimed:{sms_a[0][0]}")     # before anything was sent
    crash_and_expect(fakes, log, f"accepted:{sms_b[1][0]}")    # Twilio has it, the row does not
    crash_and_expect(fakes, log, f"marked:{tg_a[1][0]}")       # committed, then killed
    crash_and_expect(fakes, log, f"claimed:{tg_b[2][0]}")      # claimed, never sent
    final = start_dispatcher(fakes, log, lease_seconds=LEASE_SECONDS)
    try:
        assert wait_until(lambda: all(status in ("sent", "suppressed")
                                      for status in statuses().values()), timeout=60), statuses()
    finally:
        assert final.stop() == 0, final.log()[-3000:]
    for (channel, recipient), messages in batch.items():
        expected = [body for _id, body in messages]
        if channel == "sms":
            assert fakes.twilio.bodies_to(recipient) == expected
        elif channel == "telegram":
            assert fakes.telegram.sent_texts(recipient) == expected
    by_id = statuses()
    assert by_id[batch[("webchat", SESSION)][0][0]] == "sent"
    assert by_id[batch[("rest", "client")][0][0]] == "suppressed"
    text = log.read_text()
    assert text.count("crash-hook: exiting") == 4 and "dispatcher.stopped" in text
    assert "outbox.reconciled" in text and "delivered=True" in text
    for secret in NUMBERS + CHATS + ["Update 0 on your report"]:
        assert secret not in text


@pytest.mark.parametrize("module", [True], ids=["python -m channels.dispatcher"])
def test_sigterm_stops_the_real_entry_point_cleanly(fakes: Fakes, tmp_path: Path, module: bool) -> None:
    message = queue("sms", NUMBERS[0], "Your report C-2026-000070 is fixed")
    process = start_dispatcher(fakes, tmp_path / "dispatcher.log", lease_seconds=300.0)
    try:
        assert wait_until(lambda: statuses()[message] == "sent", timeout=30), process.log()
    finally:
        assert process.stop() == 0, process.log()[-3000:]
    assert fakes.twilio.bodies_to(NUMBERS[0]) == ["Your report C-2026-000070 is fixed"]
    assert "dispatcher.started channels=rest,sms,telegram,webchat" in process.log()
