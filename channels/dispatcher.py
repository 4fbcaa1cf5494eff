"""The outbox dispatcher: `python -m channels.dispatcher`, its own long-running process.

Every `settings.outbox_poll_seconds` it sends the due outbox messages of every channel we have
(bot.outbox_dispatch does the claiming, ordering, opt-out checks, backoff and reconciliation):
- sms: Twilio's client (channels/dispatch_sms.py), which can also tell what it accepted;
- telegram: python-telegram-bot's Bot within Telegram's limits (channels/dispatch_telegram.py);
- webchat: delivery is making the message visible to the citizen's page, which polls the
  channel's GET /updates (channels/webchat.py); marking the row sent is the delivery;
- rest: a REST client has no push channel; its rows are suppressed with that reason, so an
  operator sees they were not delivered rather than a silent "sent".
A channel without credentials is skipped with one log line at start and its rows wait.
SIGTERM (or SIGINT) ends the process after the message in hand, never halfway through one.
The SMS channel's in-server loop is no longer needed: this process sends SMS notifications and
deferred replies, and reconciles a crashed send with Twilio's list of messages.
With DISPATCHER_HEALTH_PORT set it also serves /health, /ready and /metrics on that port
(channels/dispatch_health.py); several dispatchers may run, the claims keep sends single.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

from bot import metrics, outbox
from bot.clock import utc_naive
from bot.db import session_scope
from bot.logs import log_event, quiet_client_libraries
from bot.outbox_dispatch import (Checkpoint, DispatchOptions, DispatchResult, Lookup,
                                 NotDeliverable, Send, dispatch_due)
from bot.settings import Settings, get_settings
from channels.dispatch_health import Heartbeat, start_health_server
from channels.dispatch_sms import sms_dispatch
from channels.dispatch_telegram import telegram_dispatch

log = logging.getLogger(__name__)

BATCH = 50
STUCK_AFTER_SECONDS = 300.0  # /health fails when no pass has ended for this long
REST_REASON = "the rest channel has no push delivery; the client reads its replies itself"


def deliver_to_webchat(recipient: str, body: str, payload: Mapping[str, Any]) -> None:
    """Nothing to call: once the row is sent, the page's poll of GET /updates shows it."""
    return None


def refuse_rest(recipient: str, body: str, payload: Mapping[str, Any]) -> None:
    """REST callers get replies in their HTTP answer; a later message cannot reach them."""
    raise NotDeliverable(REST_REASON)


@dataclass
class ChannelSet:
    """What the dispatcher can send on, and how to let go of it at the end."""

    senders: Dict[str, Send] = field(default_factory=dict)
    lookups: Dict[str, Lookup] = field(default_factory=dict)
    closers: List[Callable[[], Awaitable[None]]] = field(default_factory=list)


def build_channels(settings: Settings, loop: asyncio.AbstractEventLoop) -> ChannelSet:
    """Every channel we have; those without credentials are left out (logged once)."""
    channels = ChannelSet(senders={"webchat": deliver_to_webchat, "rest": refuse_rest})
    sms = sms_dispatch(settings)
    if sms is not None:
        channels.senders["sms"], channels.lookups["sms"] = sms.send, sms.count_sent
    telegram = telegram_dispatch(settings, loop)
    if telegram is not None:
        channels.senders["telegram"] = telegram.send
        channels.closers.append(telegram.close)
    return channels


class Dispatcher:
    """The loop: one pass (in a worker thread), then wait for the next tick or a stop."""

    def __init__(self, channels: ChannelSet, poll_seconds: float,
                 lease: dt.timedelta = outbox.LEASE, checkpoint: Optional[Checkpoint] = None) -> None:
        self.channels, self.poll_seconds = channels, poll_seconds
        self.stopping = threading.Event()  # read by the worker thread between messages
        self.heartbeat = Heartbeat()
        self._wake = asyncio.Event()
        self.options = DispatchOptions(lease=lease, clock=utc_naive, checkpoint=checkpoint,
                                       should_stop=self.stopping.is_set)

    def stop(self) -> None:
        """Finish the message in hand, then end (the signal handler's job)."""
        self.stopping.set()
        self._wake.set()

    def pass_once(self) -> DispatchResult:
        """One pass: reconcile expired claims, then send what is due (blocking)."""
        return dispatch_due(session_scope, self.channels.senders, utc_naive(), BATCH,
                            lookups=self.channels.lookups, options=self.options)

    async def run(self) -> None:
        log_event(log, "dispatcher.started", channels=",".join(sorted(self.channels.senders)),
                  poll_seconds=self.poll_seconds)
        while not self.stopping.is_set():
            try:
                result = await asyncio.to_thread(self.pass_once)
                _log_pass(result)
                metrics.record_dispatch(len(result.sent), len(result.failed), len(result.suppressed))
            except Exception as exc:  # a database outage must not end the process
                metrics.OUTBOX_PASS_ERRORS.inc()
                log_event(log, "dispatcher.pass_failed", logging.ERROR, error=type(exc).__name__)
            self.heartbeat.beat()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass
        for close in self.channels.closers:
            await close()
        log_event(log, "dispatcher.stopped")


def _log_pass(result: DispatchResult) -> None:
    counts = {name: len(getattr(result, name)) for name in
              ("sent", "failed", "suppressed", "held", "reconciled", "released")}
    if any(counts.values()):
        log_event(log, "dispatcher.pass", **counts)


async def serve(settings: Settings, lease: dt.timedelta = outbox.LEASE,
                checkpoint: Optional[Checkpoint] = None) -> None:
    """Build the channels on this loop, stop on SIGTERM/SIGINT, run until stopped."""
    loop = asyncio.get_running_loop()
    dispatcher = Dispatcher(build_channels(settings, loop), settings.outbox_poll_seconds,
                            lease, checkpoint)
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, dispatcher.stop)
    port = settings.dispatcher_health_port
    runner = None
    if port:
        runner = await start_health_server(port, dispatcher.heartbeat,
                                           max(STUCK_AFTER_SECONDS, 10 * settings.outbox_poll_seconds),
                                           settings.metrics_token)
        log_event(log, "dispatcher.health_server", port=port)
    try:
        await dispatcher.run()
    finally:
        if runner is not None:
            await runner.cleanup()


def main(lease: dt.timedelta = outbox.LEASE, checkpoint: Optional[Checkpoint] = None) -> None:
    """Entry point; the crash test's wrapper passes a short lease and a checkpoint."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    quiet_client_libraries()
    asyncio.run(serve(settings, lease, checkpoint))


if __name__ == "__main__":
    main()
