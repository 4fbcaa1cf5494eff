"""Fault: Twilio and the Telegram Bot API answer 500, 429 or time out while the Rasa server sends
its live replies. A failed live reply goes to the outbox and the dispatcher sends it with
backoff: every reply reaches the citizen once, none twice, in order.
(The dispatcher alone is covered by tests/channels/test_dispatcher_*.py.)
The dispatcher's backoff starts at about 30 s, so each of these takes a minute or two.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.faults.conftest import Faults
from tests.faults.journey import poll, query, wait_processed

pytestmark = pytest.mark.slow


def outbox_settled(faults: Faults, recipient: str) -> bool:
    return query(faults.assistant.database_url, "SELECT COUNT(*) AS n FROM outbox "
                 "WHERE recipient = :r AND status IN ('pending', 'sending')", r=recipient)[0]["n"] == 0


def replies_stored(faults: Faults, key: str) -> int:
    rows = query(faults.assistant.database_url,
                 "SELECT replies FROM inbound_messages WHERE external_id = :e", e=key.split(":")[1])
    replies = rows[0]["replies"]
    return len(json.loads(replies) if isinstance(replies, str) else replies or [])


def test_sms_replies_during_twilio_500_then_429_arrive_once(healed: Faults) -> None:
    number = "+447700900111"
    healed.twilio.fail_next(500, 20500)
    healed.twilio.fail_next(429, 20429)
    key = healed.hooks.sms(number, "what are the opening hours of the recycling centre?")
    wait_processed(healed.assistant, key)
    assert poll(lambda: healed.twilio.bodies_to(number) and outbox_settled(healed, number), 180)
    bodies = healed.twilio.bodies_to(number)
    assert bodies and max(Counter(bodies).values()) == 1, bodies
    assert len(bodies) >= replies_stored(healed, key)


def test_an_sms_reply_that_timed_out_but_went_is_not_sent_again(healed: Faults) -> None:
    number = "+447700900222"
    healed.twilio.slow_next(12.0, accept=True)  # the client gives up after 10 s; Twilio sent it
    key = healed.hooks.sms(number, "hello")
    wait_processed(healed.assistant, key, timeout=180)
    assert poll(lambda: healed.twilio.bodies_to(number) and outbox_settled(healed, number), 120)
    bodies = healed.twilio.bodies_to(number)
    assert bodies and max(Counter(bodies).values()) == 1, bodies


def test_telegram_replies_during_429_and_500_arrive_once(healed: Faults) -> None:
    chat = 63001
    healed.telegram.fail_next("sendMessage", 429, retry_after=1, times=2)
    healed.telegram.fail_next("sendMessage", 500, times=2)
    key = healed.hooks.telegram_text(chat, "hello")
    wait_processed(healed.assistant, key)
    assert poll(lambda: healed.telegram.accepted_texts(str(chat)) != []
                and outbox_settled(healed, str(chat)), 180)
    texts = healed.telegram.accepted_texts(str(chat))
    assert max(Counter(texts).values()) == 1, texts
