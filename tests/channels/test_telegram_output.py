"""Sending through python-telegram-bot to the fake Bot API: 429 retries, per-chat rate limit,
buttons and their callback_data limit. Time is injected: a fake clock that sleeping advances."""
from __future__ import annotations

import asyncio
from typing import Iterator, List

import pytest
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import ButtonPayload
from bot.ratelimit import RateLimiter
from channels.telegram import make_bot
from channels.telegram_output import PayloadKeys, TelegramOutput, TelegramSender
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "42:output-test"


class VirtualTime:
    """A monotonic clock that only `sleep` moves; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: List[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def api() -> Iterator[FakeTelegramApi]:
    fake = FakeTelegramApi(TOKEN).start()
    yield fake
    fake.stop()


def output_for(api: FakeTelegramApi, time: VirtualTime) -> TelegramOutput:
    limiter = RateLimiter(30, 1, clock=time.clock)
    return TelegramOutput(TelegramSender(make_bot(TOKEN, api.base_url), limiter, time.sleep), PayloadKeys())


def test_429_is_waited_out_and_the_message_still_delivered(api: FakeTelegramApi) -> None:
    time = VirtualTime()
    api.fail_next("sendMessage", status=429, retry_after=7, times=2)
    output = output_for(api, time)
    asyncio.run(output.send_text_message("55", "Your reference is C-2026-000001"))
    assert api.sent_texts("55") == ["Your reference is C-2026-000001"] * 3  # two refused, one delivered
    assert time.sleeps.count(7.0) == 2
    assert output.messages == [{"text": "Your reference is C-2026-000001"}]


def test_one_message_a_second_per_chat(api: FakeTelegramApi) -> None:
    time = VirtualTime()
    output = output_for(api, time)

    async def send() -> List[float]:
        sent_at = []
        for n in range(4):
            await output.send_text_message("55", f"line {n}")
            sent_at.append(time.now)
        await output.send_text_message("66", "other chat")
        sent_at.append(time.now)
        return sent_at

    sent_at = asyncio.run(send())
    gaps = [later - earlier for earlier, later in zip(sent_at, sent_at[1:4])]
    assert all(gap >= 1.0 - 1e-9 for gap in gaps)
    assert sent_at[4] == sent_at[3]  # another chat does not wait for chat 55
    assert api.sent_texts("55") == [f"line {n}" for n in range(4)]


def test_concurrent_sends_to_one_chat_are_spaced_too(api: FakeTelegramApi) -> None:
    time = VirtualTime()
    output = output_for(api, time)

    async def send() -> None:
        await asyncio.gather(*(output.send_text_message("55", f"m{n}") for n in range(3)))

    start = time.now
    asyncio.run(send())
    assert time.now - start >= 2.0  # three messages to one chat span at least two seconds
    assert sorted(api.sent_texts("55")) == ["m0", "m1", "m2"]


def test_buttons_become_an_inline_keyboard_within_callback_limits(api: FakeTelegramApi) -> None:
    time = VirtualTime()
    output = output_for(api, time)
    long_payload = '/inform{"category":"' + "x" * 80 + '"}'
    buttons = [{"title": "Submit", "payload": "/affirm"}, {"title": "Long", "payload": long_payload}]
    asyncio.run(output.send_text_with_buttons("55", "Ready?", buttons))
    [call] = api.calls_of("sendMessage")
    data = [row[0]["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"]]
    assert data[0] == "/affirm"
    assert len(data[1].encode()) <= 64
    assert asyncio.run(output.keys.payload(data[1])) == long_payload


def test_image_url_is_sent_as_a_photo(api: FakeTelegramApi) -> None:
    output = output_for(api, VirtualTime())
    asyncio.run(output.send_image_url("55", "https://example.org/map.png"))
    [call] = api.calls_of("sendPhoto")
    assert call.params["photo"] == "https://example.org/map.png"


def test_payload_keys_are_bounded_and_a_payload_that_looks_like_a_key_is_mapped() -> None:
    async def scenario() -> None:
        keys = PayloadKeys(max_entries=2)  # not shared: memory only
        first = await keys.callback_data("a" * 100)
        await keys.callback_data("b" * 100)
        await keys.callback_data("c" * 100)
        assert await keys.payload(first) is None
        tricky = await keys.callback_data("k:short")
        assert tricky != "k:short" and await keys.payload(tricky) == "k:short"

    asyncio.run(scenario())


def test_a_key_made_by_one_replica_is_read_by_another_even_after_forgetting(webchat_db: str) -> None:
    """Shared keys live in the case database: the press may reach any replica, or a restart."""
    payload = '/inform{"category":"' + "y" * 80 + '"}'

    async def scenario() -> None:
        sender, receiver = PayloadKeys(shared=True), PayloadKeys(shared=True, max_entries=1)
        key = await sender.callback_data(payload)
        assert await sender.callback_data(payload) == key  # sent again: the same key, one row
        assert await receiver.payload(key) == payload
        await receiver.callback_data("z" * 100)  # pushes the key out of its memory
        assert await receiver.payload(key) == payload
        assert await receiver.payload("k:" + "0" * 32) is None

    asyncio.run(scenario())
    with session_scope(webchat_db) as session:
        assert session.execute(select(func.count()).select_from(ButtonPayload)).scalar_one() == 2
