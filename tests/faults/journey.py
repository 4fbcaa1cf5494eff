"""What the fault tests read back: inbound rows, cases and outbox rows of the case database,
and a citizen walked through the report form over Telegram up to a chosen question."""
from __future__ import annotations

import re
import time
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import create_engine, text

from bench.soak_citizens import Webhooks, external_id
from tests.faults.cluster import FaultyAssistant

TURN_TIMEOUT = 120.0
BUTTONS = {"category": '/inform{"category":"pothole"}',
           "category_suggestion": '/inform{"category":"pothole"}',
           "follow_duplicate": "/deny", "consent": "/affirm", "confirmed": "/affirm"}
# The confirmation, not any reference: the duplicate offer names another citizen's case.
REFERENCE = re.compile(r"saved as (C-\d{4}-\d{6})\b")
TEXTS = {"description": "A deep pothole about a metre wide in the middle of the road",
         "followup": "skip", "photos": "skip"}


def query(database_url: str, sql: str, **params: Any) -> List[Dict[str, Any]]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def inbound_status(database_url: str, key: str) -> Optional[str]:
    rows = query(database_url, "SELECT status FROM inbound_messages WHERE external_id = :id",
                 id=external_id(key))
    return rows[0]["status"] if rows else None


def cases_of(database_url: str, sender: str) -> List[str]:
    return [row["reference"] for row in query(
        database_url, "SELECT reference FROM cases WHERE sender_id = :s ORDER BY id", s=sender)]


def references(texts: List[str]) -> List[str]:
    """The case references a citizen was told were saved, in the order they were told."""
    return [found for text in texts for found in REFERENCE.findall(text)]


def poll(predicate: Callable[[], bool], timeout: float = TURN_TIMEOUT, step: float = 0.2) -> bool:
    """Poll with a deadline (never a fixed sleep); True if it held in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def wait_processed(assistant: FaultyAssistant, key: str, timeout: float = TURN_TIMEOUT) -> str:
    """Wait until the turn of delivery `key` is over; its final status."""
    done = poll(lambda: inbound_status(assistant.database_url, key) in ("processed", "failed"),
                timeout)
    assert done, f"{key} not processed in {timeout:.0f}s:\n{assistant.log_tail('rasa')}"
    return str(inbound_status(assistant.database_url, key))


def walk_report(assistant: FaultyAssistant, hooks: Webhooks, chat: int, stop_at: str,
                opening: str = "there's a huge pothole on Elm street") -> None:
    """Report a pothole over Telegram, answering every question until `stop_at` is asked."""
    wait_processed(assistant, hooks.telegram_text(chat, opening))
    for _ in range(14):
        requested = assistant.tracker(str(chat))["slots"].get("requested_slot")
        if requested == stop_at:
            return
        assert requested is not None, f"the form ended before {stop_at}"
        if requested == "location":
            key = hooks.telegram_location(chat, 51.5072, -0.1275)
        elif requested in BUTTONS:
            key = hooks.telegram_button(chat, BUTTONS[requested])
        else:
            key = hooks.telegram_text(chat, TEXTS.get(requested, "skip"))
        wait_processed(assistant, key)
    raise AssertionError(f"{stop_at} was never asked")
