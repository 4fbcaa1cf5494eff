"""Telegram send limits shared through a real Redis: two limiters stand for two processes
(a Rasa replica and the dispatcher), each with its own connection, as in production."""
from __future__ import annotations

import time
from typing import Callable, Iterator

import pytest
import redis

from bot.ratelimit import RateLimiter
from bot.settings import get_settings
from bot.shared_ratelimit import (FALLBACK_SECONDS, KEY_PREFIX, SharedRateLimiter,
                                  telegram_limiter)
from channels.dispatch_telegram import telegram_dispatch
from channels.telegram import TelegramInput
from tests.bot.test_ratelimit import Clock

WAIT_SLACK = 0.05  # Redis's clock moves on between two calls


@pytest.fixture
def shared_url(redis_url: str) -> Iterator[str]:
    """A Redis database of these tests' own, emptied before each."""
    url = redis_url.rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(url).flushdb()
    yield url


@pytest.fixture
def limiter(shared_url: str) -> Callable[..., SharedRateLimiter]:
    def make(overall: float = 30.0, per_chat: float = 1.0) -> SharedRateLimiter:
        made = telegram_limiter(overall, per_chat, shared_url)
        assert isinstance(made, SharedRateLimiter)
        return made
    return make


def test_two_senders_share_one_chat_s_budget(limiter) -> None:  # type: ignore[no-untyped-def]
    replica, dispatcher = limiter(), limiter()
    assert replica.reserve(42) == pytest.approx(0.0, abs=WAIT_SLACK)
    assert dispatcher.reserve(42) == pytest.approx(1.0, abs=WAIT_SLACK)
    assert replica.reserve(42) == pytest.approx(2.0, abs=WAIT_SLACK)


def test_two_senders_share_the_overall_budget_across_chats(limiter) -> None:  # type: ignore[no-untyped-def]
    replica, dispatcher = limiter(overall=5.0), limiter(overall=5.0)
    waits = [(replica if chat % 2 else dispatcher).reserve(chat) for chat in range(7)]
    assert waits[:5] == pytest.approx([0.0] * 5, abs=WAIT_SLACK)  # the burst of 5
    assert waits[5:] == pytest.approx([0.2, 0.4], abs=WAIT_SLACK)  # then one per 1/5 s


def test_other_chats_do_not_wait_for_a_busy_one(limiter) -> None:  # type: ignore[no-untyped-def]
    replica, dispatcher = limiter(), limiter()
    replica.reserve(1)
    replica.reserve(1)
    assert dispatcher.reserve(2) == pytest.approx(0.0, abs=WAIT_SLACK)


def test_a_chat_s_entry_expires_once_its_budget_is_full_again(limiter, shared_url: str) -> None:  # type: ignore[no-untyped-def]
    limiter().reserve(7)
    ttl_ms = redis.Redis.from_url(shared_url).pttl(KEY_PREFIX + "chat:7")
    assert 0 < ttl_ms <= 2000


def test_redis_down_falls_back_to_this_process_s_buckets_without_waiting_on_it() -> None:
    clock = Clock()
    nobody = redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.5, socket_connect_timeout=0.5)
    limiter = SharedRateLimiter(nobody, 30.0, 1.0, RateLimiter(30.0, 1.0, clock=clock), clock)
    started = time.monotonic()
    waits = [limiter.reserve(9) for _ in range(3)]
    assert time.monotonic() - started < 2.0, "every call waited on the dead Redis"
    assert waits == pytest.approx([0.0, 1.0, 2.0])  # the local buckets, still limiting
    assert limiter._redis_again_at == clock.now + FALLBACK_SECONDS


def test_without_a_redis_url_each_process_keeps_its_own_buckets() -> None:
    assert isinstance(telegram_limiter(30.0, 1.0, None), RateLimiter)


def test_the_live_replies_and_the_dispatcher_use_the_shared_limits_when_configured(
        shared_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("RATE_LIMIT_REDIS_URL", shared_url)
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:abc")
    get_settings.cache_clear()
    try:
        assert isinstance(TelegramInput().sender.limiter, SharedRateLimiter)
        loop = asyncio.new_event_loop()
        try:
            dispatch = telegram_dispatch(get_settings(), loop)
            assert dispatch is not None
            assert isinstance(dispatch.sender.limiter, SharedRateLimiter)
        finally:
            loop.close()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
