"""Telegram send limits shared by every process that sends, through Redis.

Telegram allows a bot about 30 messages a second overall and one a second per chat. Each Rasa
replica (live replies) and the outbox dispatcher used to hold their own buckets
(bot.ratelimit.RateLimiter), so N senders could together go N times over and meet 429s. With
RATE_LIMIT_REDIS_URL set, every sender reserves from the same two budgets in Redis.

The budgets are kept as GCRA "theoretical arrival times" (one number per budget, computed on
Redis's own clock so every host agrees), updated by one Lua script for the overall budget and
the chat's together: the same reservation semantics as RateLimiter (both tokens are taken now,
and the caller is told how long to wait before sending). A chat's entry expires once it would
be full again, so Redis holds only chats that sent in the last second or so.

reserve() is a synchronous call on the sender's event loop, as RateLimiter's is: one loopback
or in-cluster round trip per message sent, bounded by SOCKET_TIMEOUT_SECONDS. The chat id is
part of the key for those seconds only, as Rasa's Redis lock store keys by sender.

Redis down must never stop a reply: a failed call falls back to a per-process RateLimiter
for FALLBACK_SECONDS (no call waits on a dead Redis more than once in that window), and
Telegram's own 429 `retry_after`, which every sender obeys, stays the last guard.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Hashable, Optional

import redis

from bot.logs import log_event
from bot.ratelimit import Limiter, RateLimiter

log = logging.getLogger(__name__)
Clock = Callable[[], float]
FALLBACK_SECONDS = 30.0
SOCKET_TIMEOUT_SECONDS = 0.5
KEY_PREFIX = "civic:telegram-rate:"

# KEYS: overall budget, chat budget. ARGV: overall interval, overall burst, chat interval,
# chat burst (microseconds between tokens, tokens saved up). Returns the wait in microseconds.
RESERVE_BOTH = """
pcall(redis.replicate_commands)  -- Redis < 7: allow writes after TIME (7 always allows them)
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local wait = 0
for index = 1, 2 do
  local interval = tonumber(ARGV[2 * index - 1])
  local burst = tonumber(ARGV[2 * index])
  local tat = tonumber(redis.call('GET', KEYS[index]) or now)
  if tat < now then tat = now end
  local new_tat = math.floor(tat + interval)
  local allowed_at = new_tat - burst * interval
  if allowed_at - now > wait then wait = allowed_at - now end
  redis.call('SET', KEYS[index], string.format('%d', new_tat), 'PX',
             math.floor((new_tat - now) / 1000) + 1000)
end
return string.format('%d', math.floor(wait))
"""


class SharedRateLimiter:
    """RateLimiter's reserve(), against budgets in Redis that every sender shares."""

    def __init__(self, client: "redis.Redis", overall_per_second: float,
                 per_key_per_second: float, fallback: RateLimiter,
                 clock: Clock = time.monotonic) -> None:
        self.client, self.fallback, self.clock = client, fallback, clock
        self._arguments = [1e6 / overall_per_second, overall_per_second,
                           1e6 / per_key_per_second, 1.0]
        self._script = client.register_script(RESERVE_BOTH)
        self._redis_again_at = 0.0

    def reserve(self, key: Hashable) -> float:
        """Seconds to wait before sending to `key`, with both tokens reserved."""
        if self.clock() >= self._redis_again_at:
            try:
                waited = self._script(keys=[KEY_PREFIX + "overall", KEY_PREFIX + f"chat:{key}"],
                                      args=self._arguments)
                return int(waited) / 1e6
            except redis.RedisError as exc:
                self._redis_again_at = self.clock() + FALLBACK_SECONDS
                log_event(log, "ratelimit.redis_unavailable", logging.WARNING,
                          error=type(exc).__name__, fallback_seconds=FALLBACK_SECONDS)
        return self.fallback.reserve(key)


def telegram_limiter(overall_per_second: float, per_key_per_second: float,
                     redis_url: Optional[str], clock: Clock = time.monotonic) -> Limiter:
    """Shared budgets when a Redis URL is configured, else this process's own buckets."""
    local = RateLimiter(overall_per_second, per_key_per_second, clock=clock)
    if not redis_url:
        return local
    client = redis.Redis.from_url(redis_url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                  socket_connect_timeout=SOCKET_TIMEOUT_SECONDS)
    return SharedRateLimiter(client, overall_per_second, per_key_per_second, local, clock)
