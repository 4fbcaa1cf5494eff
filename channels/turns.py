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
5. Abuse (bot.sender_limits, bot.blocklist): a new message from a blocked sender, or one over
   the sender's per-minute/per-day limit, is recorded with status blocked/limited/limited_day
   and acknowledged like any other, but no turn runs; a limited sender gets one polite notice
   per window through the outbox (the dispatcher sends it), a blocked one gets nothing.
6. Crash recovery: `recover(on_new_message)` re-runs rows of this channel still 'received'
   longer than `stale_after_seconds` (their process died mid-turn, or their outcome could not
   be stored). `install_recovery` registers it on the channel's blueprint to run after the
   server starts (when Rasa's agent is loaded) and then every `recovery_interval_seconds`
   while it runs, so a row cut short is re-run without waiting for a restart; it drains
   running turns before the server stops. `ensure_recovered` lets a channel trigger it on
   its first request. Each re-run first claims the row (turns_store.claim_stale, a
   compare-and-set), so with several replicas one recovery runs it, not all of them. Only a
   live turn slower than `stale_after_seconds` may still run twice (recovery cannot tell it
   from a dead one), so keep it well above the slowest turn. A re-run whose message Rasa had
   already saved (the process died after the turn, before the row was marked) is not run
   again: it is marked processed with the replies the tracker shows (channels.turn_replay).

The output channel is built per turn by `output_for(turn)`, so replies go to the provider.
"""
from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint

from bot.clock import utc_naive
from bot.errors import DatabaseUnavailable
from bot.logs import format_event, log_event
from channels import turns_store
from channels.action_health import action_server_down, apology_text
from channels.turn_replay import message_id_of, replies_already_given
from channels.turns_store import InboundTurn, Recorded

__all__ = ["InboundTurn", "Recorded", "TurnRunner", "OnNewMessage"]

log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# NUL (PostgreSQL refuses it in text), other C0 controls but tab/newline, and lone surrogates
# (a JSON "\ud800" escape decodes to one; UTF-8 cannot encode it): never written to a column.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
OutputFactory = Callable[[InboundTurn], OutputChannel]
ORDER_POLL_SECONDS = 0.05  # how often a turn checks whether the sender's earlier ones are done
ORDER_MAX_WAIT_SECONDS = 30.0  # longest a turn waits for the sender's earlier ones
RECOVERY_INTERVAL_SECONDS = 30.0  # the longest gap between two recovery passes


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
                 stale_after_seconds: float = 300.0,
                 recovery_interval_seconds: Optional[float] = None) -> None:
        self.channel = channel
        self.output_for = output_for
        self.clock = clock
        self.stale_after = timedelta(seconds=stale_after_seconds)
        # How often recovery looks again; by default every half stale period, at most 30 s.
        self.recovery_interval = (recovery_interval_seconds if recovery_interval_seconds is not None
                                  else max(1.0, min(RECOVERY_INTERVAL_SECONDS, stale_after_seconds / 2)))
        self._recovery_task: Optional["asyncio.Task[None]"] = None
        self._locks = _SenderLocks()
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._running_ids: Set[int] = set()
        self._recovery_started = False
        # Set by the channel from the Rasa app (channels.action_health): asked only when a
        # turn ends with no reply, to apologise instead of leaving the citizen in silence.
        self.assistant_down: Optional[Callable[[], Awaitable[bool]]] = None
        # Also from the Rasa app: did a recovered turn already run before the crash?
        self.replies_already_given: Optional[Callable[[str, str], Awaitable[Any]]] = None
        self._recovering: Set[int] = set()  # inbound ids scheduled by recovery, until they end

    async def accept(self, turn: InboundTurn, on_new_message: OnNewMessage) -> Recorded:
        """Record, then schedule the turn if new. Raises DatabaseUnavailable (answer 503)."""
        turn = storable(turn)
        recorded = await asyncio.to_thread(turns_store.record, turn, self.clock())
        log_event(log, f"{self.channel}.message.recorded", external_id=turn.external_id,
                  inbound_id=recorded.inbound_id, new=recorded.is_new, status=recorded.status)
        if recorded.is_new and recorded.admitted:
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
            self._recovering.discard(turn.inbound_id or 0)

    async def _run_turn(self, turn: InboundTurn, on_new_message: OnNewMessage) -> None:
        """The turn itself; nothing raised here escapes the background task unlogged."""
        assert turn.inbound_id is not None
        output = self.output_for(turn)
        if getattr(output, "inbound_id", 0) is None:  # e.g. TelegramOutput: stable outbox keys
            output.inbound_id = turn.inbound_id
        message = UserMessage(turn.text, output, sender_id=turn.sender_id,
                              input_channel=self.channel, metadata=dict(turn.metadata),
                              message_id=message_id_of(turn.inbound_id))
        await self._after_earlier_turns(turn)
        if turn.inbound_id in self._recovering and await self._ran_before_crash(turn, message,
                                                                                output):
            return
        try:
            await on_new_message(message)
        except Exception:  # the turn is Rasa's; whatever broke is logged and marked
            log.exception(format_event(f"{self.channel}.turn.failed", inbound_id=turn.inbound_id))
            await self._store(turns_store.mark_failed, turn.inbound_id, self.clock())
            return
        replies: List[Dict[str, Any]] = list(getattr(output, "messages", []) or [])
        if not replies:
            replies = await self._apologise_if_down(turn, output)
        await self._store(turns_store.mark_processed, turn.inbound_id, replies, self.clock())
        log_event(log, f"{self.channel}.turn.processed", inbound_id=turn.inbound_id,
                  replies=len(replies))

    async def _ran_before_crash(self, turn: InboundTurn, message: UserMessage,
                                output: Any) -> bool:
        """A recovered turn that Rasa had already saved (channels.turn_replay) is marked
        processed with what was said, not run again. An output that keeps its own shape of
        reply (SMS: the numbered options a later "2" refers to) gives it with `as_sent`."""
        if self.replies_already_given is None:
            return False
        try:
            replies = await self.replies_already_given(turn.sender_id, str(message.message_id))
        except Exception:  # cannot tell: running it again beats leaving it unanswered
            log.exception(format_event(f"{self.channel}.recovery.tracker_check_failed",
                                       inbound_id=turn.inbound_id))
            return False
        if replies is None:
            return False
        if hasattr(output, "as_sent"):
            replies = [{**output.as_sent(turn.sender_id, reply["text"], reply["buttons"]),
                        "recovered": True} for reply in replies]
        await self._store(turns_store.mark_processed, turn.inbound_id, replies, self.clock())
        log_event(log, f"{self.channel}.recovery.already_answered", inbound_id=turn.inbound_id,
                  replies=len(replies))
        return True

    def watch_assistant(self, app: Any) -> None:
        """Called on each request and when the server starts: on a Rasa server (an app with an
        `agent`), empty turns are checked against the action server's health
        (channels.action_health), and recovered turns against the tracker store
        (channels.turn_replay)."""
        if self.assistant_down is None and hasattr(app.ctx, "agent"):
            self.assistant_down = lambda: action_server_down(app)
            self.replies_already_given = (
                lambda sender_id, message_id: replies_already_given(app, sender_id, message_id))

    async def _apologise_if_down(self, turn: InboundTurn, output: Any) -> List[Dict[str, Any]]:
        """No reply and the action server is down: say so, honestly, on the citizen's channel."""
        if not turn.text or self.assistant_down is None or not await self.assistant_down():
            return []
        text = apology_text(turn.text, (turn.metadata or {}).get("language"))
        try:
            await output.send_text_message(turn.sender_id, text)
        except Exception:  # the provider failed too; the row is still marked processed
            log_event(log, f"{self.channel}.turn.apology_failed", logging.WARNING,
                      inbound_id=turn.inbound_id)
            return []
        log_event(log, f"{self.channel}.turn.apologised", logging.WARNING, inbound_id=turn.inbound_id)
        return list(getattr(output, "messages", []) or [])

    async def _after_earlier_turns(self, turn: InboundTurn) -> None:
        """Wait until the sender's earlier messages have had their turns, wherever they were
        recorded: the per-sender lock orders turns within this process only, and Rasa's lock
        store serialises turns in the order replicas ask, not the order citizens wrote. A row
        left 'received' by a dead process (or whose outcome could not be stored) stops blocking
        after ORDER_MAX_WAIT_SECONDS: order matters, but not more than answering at all."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(self.stale_after.total_seconds(), ORDER_MAX_WAIT_SECONDS)
        while loop.time() < deadline:
            try:
                if not await asyncio.to_thread(turns_store.has_earlier_unprocessed, turn):
                    return
            except DatabaseUnavailable:
                return  # the turn itself will report the outage
            await asyncio.sleep(ORDER_POLL_SECONDS)

    async def _store(self, function: Callable[..., bool], *args: Any) -> None:
        """Best effort after the turn: the row stays 'received' and recovery retries it. A
        row erased during its own turn (the citizen deleted their data) is left erased."""
        try:
            stored = await asyncio.to_thread(function, *args)
        except DatabaseUnavailable:
            log_event(log, f"{self.channel}.turn.outcome_not_stored", logging.ERROR,
                      inbound_id=args[0])
            return
        if not stored:
            log_event(log, f"{self.channel}.turn.outcome_not_stored", reason="message_erased",
                      inbound_id=args[0])

    async def recover(self, on_new_message: OnNewMessage) -> int:
        """Re-run turns a crash left 'received'; returns how many were scheduled."""
        now = self.clock()
        try:
            stale = await asyncio.to_thread(turns_store.stale_received, self.channel,
                                            self.stale_after, now)
            fresh = [turn for turn in stale if turn.inbound_id not in self._running_ids
                     and await asyncio.to_thread(turns_store.claim_stale, turn.inbound_id,
                                                 self.stale_after, now)]
        except DatabaseUnavailable:
            log_event(log, f"{self.channel}.recovery.database_unavailable", logging.ERROR)
            return 0
        for turn in fresh:
            if turn.inbound_id not in self._running_ids:
                self._recovering.add(turn.inbound_id)
                self.schedule(turn, on_new_message)
        log_event(log, f"{self.channel}.recovery.scheduled", turns=len(fresh))
        return len(fresh)

    def ensure_recovered(self, on_new_message: OnNewMessage) -> None:
        """Start recovery once per process (first request, or server start): a pass now,
        then one every `recovery_interval` until `stop_recovery`."""
        if self._recovery_started:
            return
        self._recovery_started = True
        self._recovery_task = asyncio.get_running_loop().create_task(
            self._recover_periodically(on_new_message))

    async def _recover_periodically(self, on_new_message: OnNewMessage) -> None:
        """A row cut short while this server stays up (a killed replica, an outcome the
        database could not store) is re-run within stale_after + recovery_interval."""
        while True:
            try:
                await self.recover(on_new_message)
            except Exception:  # one bad pass must not end recovery for good
                log.exception(format_event(f"{self.channel}.recovery.failed"))
            await asyncio.sleep(self.recovery_interval)

    async def stop_recovery(self) -> None:
        """Stop the periodic passes (server stop, tests)."""
        task, self._recovery_task = self._recovery_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def install_recovery(self, blueprint: Blueprint, on_new_message: OnNewMessage,
                         drain_seconds: float = 10.0) -> None:
        """Run recovery after the server has started (Rasa loads its agent before that), and
        let running turns finish before it stops (what is cut off, recovery re-runs)."""

        async def recover_after_start(app: Any, _loop: Any) -> None:
            self.watch_assistant(app)  # before the first pass: it asks the tracker store
            self.ensure_recovered(on_new_message)

        async def drain_before_stop(_app: Any, _loop: Any) -> None:
            await self.stop_recovery()
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


def storable(turn: InboundTurn) -> InboundTurn:
    """The turn with characters no database accepts replaced by U+FFFD, so a provider's odd
    text is answered (politely, by the assistant) instead of failing to record with a 5xx."""
    text, sender = turn.text, turn.sender_id
    if not any(_UNSTORABLE.search(value) for value in (text or "", sender, turn.external_id)):
        return turn
    return InboundTurn(channel=turn.channel, external_id=_UNSTORABLE.sub("\ufffd", turn.external_id),
                       sender_id=_UNSTORABLE.sub("\ufffd", sender),
                       text=_UNSTORABLE.sub("\ufffd", text) if text else text,
                       metadata=dict(turn.metadata), inbound_id=turn.inbound_id)


def _with_id(turn: InboundTurn, inbound_id: int) -> InboundTurn:
    return InboundTurn(channel=turn.channel, external_id=turn.external_id, sender_id=turn.sender_id,
                       text=turn.text, metadata=dict(turn.metadata), inbound_id=inbound_id)
