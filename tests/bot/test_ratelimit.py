"""Token buckets with an injected clock: waits are computed, never slept."""
from __future__ import annotations

import pytest

from bot.ratelimit import RateLimiter, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_gives_its_burst_then_spaces_reservations_by_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2.0, capacity=2, clock=clock)
    assert [bucket.reserve() for _ in range(4)] == [0.0, 0.0, 0.5, 1.0]


def test_bucket_refills_with_time_up_to_its_capacity() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1.0, capacity=1, clock=clock)
    assert bucket.reserve() == 0.0
    clock.now += 10
    assert bucket.reserve() == 0.0
    assert bucket.reserve() == pytest.approx(1.0)


def test_one_message_per_second_per_chat_and_chats_do_not_wait_for_each_other() -> None:
    clock = Clock()
    limiter = RateLimiter(overall_per_second=30, per_key_per_second=1, clock=clock)
    assert [limiter.reserve("a") for _ in range(3)] == [0.0, 1.0, 2.0]
    assert limiter.reserve("b") == 0.0


def test_overall_limit_of_thirty_a_second_across_chats() -> None:
    clock = Clock()
    limiter = RateLimiter(overall_per_second=30, per_key_per_second=1, clock=clock)
    waits = [limiter.reserve(f"chat{n}") for n in range(31)]
    assert waits[:30] == [0.0] * 30
    assert waits[30] == pytest.approx(1 / 30)


def test_idle_chats_are_forgotten_so_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(overall_per_second=1000, per_key_per_second=1, clock=clock, max_idle_keys=10)
    for n in range(10):
        limiter.reserve(n)
    clock.now += 5
    limiter.reserve("new")
    assert len(limiter) == 1


def test_invalid_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0, capacity=1)
