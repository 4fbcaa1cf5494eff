"""Token-bucket rate limits for sending to providers (Telegram: ~30/s overall, 1/s per chat).

Reservation style: `reserve()` takes a token now, even one not yet refilled, and says how long
the caller must wait before sending. Concurrent senders therefore queue fairly without a loop
of retries, and the limiter never sleeps itself: the clock is injected, so tests move time.
"""
from __future__ import annotations

import time
from typing import Callable, Dict, Hashable, Protocol

Clock = Callable[[], float]


class Limiter(Protocol):
    """What a sender needs: this process's RateLimiter or bot.shared_ratelimit's."""

    def reserve(self, key: Hashable) -> float:
        """Seconds to wait before sending to `key`, with the tokens reserved."""


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up for a burst."""

    def __init__(self, rate: float, capacity: float, clock: Clock = time.monotonic) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate, self.capacity, self.clock = float(rate), float(capacity), clock
        self._tokens = float(capacity)
        self._updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self) -> float:
        """Take one token; the seconds to wait before using it (0.0 when one was available)."""
        self._refill()
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def is_full(self) -> bool:
        """Nothing reserved or spent recently: the bucket can be forgotten."""
        self._refill()
        return self._tokens >= self.capacity


class RateLimiter:
    """An overall bucket plus one bucket per key (a chat); a send needs a token of both."""

    def __init__(self, overall_per_second: float, per_key_per_second: float,
                 clock: Clock = time.monotonic, overall_burst: float = 0.0,
                 per_key_burst: float = 1.0, max_idle_keys: int = 1000) -> None:
        self.clock = clock
        self.overall = TokenBucket(overall_per_second, overall_burst or overall_per_second, clock)
        self.per_key_per_second, self.per_key_burst = per_key_per_second, per_key_burst
        self.max_idle_keys = max_idle_keys
        self._keys: Dict[Hashable, TokenBucket] = {}

    def reserve(self, key: Hashable) -> float:
        """Seconds to wait before sending to `key`, with both tokens reserved."""
        bucket = self._keys.get(key)
        if bucket is None:
            self._forget_idle()
            bucket = self._keys[key] = TokenBucket(self.per_key_per_second, self.per_key_burst,
                                                   self.clock)
        return max(bucket.reserve(), self.overall.reserve())

    def _forget_idle(self) -> None:
        """Keep memory bounded: drop buckets of chats that have been quiet long enough."""
        if len(self._keys) >= self.max_idle_keys:
            for key in [key for key, bucket in self._keys.items() if bucket.is_full()]:
                del self._keys[key]

    def __len__(self) -> int:
        return len(self._keys)
