"""Record-before-ack and background turns for provider webhooks (Telegram, SMS).

Contract, for every channel that uses it:

1. The webhook handler parses the provider payload into an `InboundTurn` (channel,
   external_id = the provider's message id, sender_id, text, metadata) and awaits
   `TurnRunner.accept(turn, on_new_message)`.
2. `accept` records the message durably (bot.inbound.record_inbound, in a worker thread) and
   only then returns; the handler answers 2xx. If the database is down, `accept` raises
   `bot.errors.DatabaseUnavailable` and nothing was written: the handler answers 503, so
   the provider retries and nothing is lost.
3. A new message's turn runs as a background task: Rasa's `on_new_message(UserMessage(text,
   output, sender_id, input_channel=channel, metadata=metadata))`, then
   bot.inbound.mark_processed with what the output channel sent (its `messages` list, if it
   keeps one); on any error the row is marked failed and the error logged. A duplicate
   (provider retry or replay) is acknowledged and never processed again.
4. Turns of one sender run one at a time in the order they were recorded (an asyncio.Lock
   per sender, dropped when the sender has nothing queued); different senders run
   concurrently.
5. Crash recovery: `recover(on_new_message)` re-runs rows of this channel still 'received'
   longer than `stale_after_seconds` (their process died mid-turn). `install_recovery`
   registers it on the channel's blueprint to run after the server starts (when Rasa's
   agent is loaded), and drains running turns before the server stops;
   `ensure_recovered` lets a channel trigger recovery on its first request.
   With several replicas a turn slower than `stale_after_seconds` may run twice, so keep it
   well above the slowest turn.

The output channel is built per turn by `output_for(turn)`, so replies go to the provider.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint

from bot.clock import utc_naive
from bot.errors import DatabaseUnavailable
from bot.logs import format_event, log_event
from channels import turns_store
from channels.turns_store import InboundTurn, Recorded

__all__ = ["InboundTurn", "Recorded", "TurnRunner", "OnNewMessage"]

log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
OutputFactory = Callable[[InboundTurn], OutputChannel]


class _SenderLocks:
    """One asyncio.Lock per sender, kept only while the sender has turns queued or running."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}

    def claim(self, sender_id: str) -> asyncio.Lock:
        """Called synchronously when a turn is scheduled, so queue order is record order."""
        self._users[sender_id] = self._users.get(sender_id, 0) + 1
        return self._locks.setdefault(sender_id, asyncio.Lock())

    def release(self, sender_id: str) -> None:
        self._users[sender_id] -= 1
        if self._users[sender_id] == 0:
            del self._users[sender_id], self._locks[sender_id]

    def __len__(self) -> int:
        return len(self._locks)


class TurnRunner:
    """Accepts provider messages durably and runs their turns in the background."""

    def __init__(self, channel: str, output_for: OutputFactory,
                 clock: Callable[[], datetime] = utc_naive,
                 stale_after_seconds: float = 300.0) -> None:
        self.channel = channel
        self.output_for = output_for
        self.clock = clock
        self.stale_after = timedelta(seconds=stale_after_seconds)
        self._locks = _SenderLocks()
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._running_ids: Set[int] = set()
        self._recovery_started = False

    async def accept(self, turn: InboundTurn, on_new_message: OnNewMessage) -> Recorded:
        """Record, then schedule the turn if new. Raises DatabaseUnavailable (answer 503)."""
        recorded = await asyncio.to_thread(turns_store.record, turn, self.clock())
        log_event(log, f"{self.channel}.message.recorded", external_id=turn.external_id,
                  inbound_id=recorded.inbound_id, new=recorded.is_new, status=recorded.status)
        if recorded.is_new:
            self.schedule(_with_id(turn, recorded.inbound_id), on_new_message)
        return recorded

    def schedule(self, turn: InboundTurn, on_new_message: OnNewMessage) -> None:
        """Queue the turn behind the sender's earlier ones; must run on the server's loop."""
        assert turn.inbound_id is not None, "only recorded turns run"
        lock = self._locks.claim(turn.sender_id)
        self._running_ids.add(turn.inbound_id)
        task = asyncio.get_running_loop().create_task(self._run(turn, lock, on_new_message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, turn: InboundTurn, lock: asyncio.Lock, on_new_message: OnNewMessage) -> None:
        try:
            async with lock:
                await self._run_turn(turn, on_new_message)
        finally:
            self._locks.release(turn.sender_id)
            self._running_ids.discard(turn.inbound_id or 0)

    async def _run_turn(self, turn: InboundTurn, on_new_message: OnNewMessage) -> None:
        """The turn itself; nothing raised here escapes the background task unlogged."""
        assert turn.inbound_id is not None
        output = self.output_for(turn)
        message = UserMessage(turn.text, output, sender_id=turn.sender_id,
                              input_channel=self.channel, metadata=dict(turn.metadata))
        try:
            await on_new_message(message)
        except Exception:  # the turn is Rasa's; whatever broke is logged and marked
            log.exception(format_event(f"{self.channel}.turn.failed", inbound_id=turn.inbound_id))
            await self._store(turns_store.mark_failed, turn.inbound_id, self.clock())
            return
        replies: List[Dict[str, Any]] = list(getattr(output, "messages", []) or [])
        await self._store(turns_store.mark_processed, turn.inbound_id, replies, self.clock())
        log_event(log, f"{self.channel}.turn.processed", inbound_id=turn.inbound_id,
                  replies=len(replies))

    async def _store(self, function: Callable[..., None], *args: Any) -> None:
        """Best effort after the turn: the row stays 'received' and recovery retries it."""
        try:
            await asyncio.to_thread(function, *args)
        except DatabaseUnavailable:
            log_event(log, f"{self.channel}.turn.outcome_not_stored", logging.ERROR,
                      inbound_id=args[0])

    async def recover(self, on_new_message: OnNewMessage) -> int:
        """Re-run turns a crash left 'received'; returns how many were scheduled."""
        try:
            stale = await asyncio.to_thread(turns_store.stale_received, self.channel,
                                            self.stale_after, self.clock())
        except DatabaseUnavailable:
            log_event(log, f"{self.channel}.recovery.database_unavailable", logging.ERROR)
            return 0
        fresh = [turn for turn in stale if turn.inbound_id not in self._running_ids]
        for turn in fresh:
            self.schedule(turn, on_new_message)
        log_event(log, f"{self.channel}.recovery.scheduled", turns=len(fresh))
        return len(fresh)

    def ensure_recovered(self, on_new_message: OnNewMessage) -> None:
        """Start recovery once per process (first request, or server start)."""
        if self._recovery_started:
            return
        self._recovery_started = True
        task = asyncio.get_running_loop().create_task(self.recover(on_new_message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def install_recovery(self, blueprint: Blueprint, on_new_message: OnNewMessage,
                         drain_seconds: float = 10.0) -> None:
        """Run recovery after the server has started (Rasa loads its agent before that), and
        let running turns finish before it stops (what is cut off, recovery re-runs)."""

        async def recover_after_start(_app: Any, _loop: Any) -> None:
            self.ensure_recovered(on_new_message)

        async def drain_before_stop(_app: Any, _loop: Any) -> None:
            await self.drain(timeout=drain_seconds)

        blueprint.listener("after_server_start")(recover_after_start)
        blueprint.listener("before_server_stop")(drain_before_stop)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued turn has finished (tests, and a graceful shutdown)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks and asyncio.get_running_loop().time() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - asyncio.get_running_loop().time()))

    @property
    def idle(self) -> bool:
        """No turn queued or running, and no sender lock left behind."""
        return not self._tasks and len(self._locks) == 0


def _with_id(turn: InboundTurn, inbound_id: int) -> InboundTurn:
    return InboundTurn(channel=turn.channel, external_id=turn.external_id, sender_id=turn.sender_id,
                       text=turn.text, metadata=dict(turn.metadata), inbound_id=inbound_id)
