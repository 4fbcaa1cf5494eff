"""Sending the outbox: at least once, once per message as far as the provider lets us tell,
in order per recipient, never to an opted-out citizen.

The dispatcher is deliberately dumb about providers: it is given one `send` callable per
channel (Twilio's client, Telegram's Bot, a no-op for web chat), which returns the provider's
message id or raises, and optionally a `lookup` per channel that asks the provider how many
messages with a given text it accepted for a recipient since a moment (Twilio can list them;
Telegram cannot).

Each message goes: claim (pending -> sending, a compare-and-set with a lease, in the same unit
of work as the opt-out and order checks) -> send -> mark sent. Only the claimer sends, so two
dispatchers (or the SMS channel's own loop and this one) never send the same row. A process
killed after the claim leaves a "sending" row; when its lease is over, `reconcile_expired`
asks the channel's lookup whether the provider got it (mark sent) or not (send again). A
channel without a lookup is sent again: at least once, and at most one duplicate, only when
the process died in the instant between the provider's answer and the commit of mark_sent.
A failure backs off and holds back the recipient's later messages, so "your case is fixed"
never arrives before "we got your report".
"""
from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import utc_naive
from bot.errors import CivicError
from bot.logs import log_event
from bot.models import OutboxMessage
from bot.optouts import is_opted_out

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager]  # e.g. bot.db.session_scope
Send = Callable[[str, str, Mapping[str, Any]], Optional[str]]  # (recipient, body, payload) -> id
Lookup = Callable[[str, str, dt.datetime], int]  # (recipient, body, since) -> provider count
Checkpoint = Callable[[str, int], None]  # (stage, outbox id): claimed, accepted, marked
# Our side counts our sent rows from claim - OUR_MARGIN, the provider's from claim -
# PROVIDER_MARGIN: a provider clock up to a minute off never turns another row's message into
# a false "ours was delivered" (which would lose a message); the error left is a duplicate.
OUR_MARGIN = dt.timedelta(minutes=2)
PROVIDER_MARGIN = dt.timedelta(minutes=1)


class PermanentSendFailure(CivicError):
    """The provider refused the message for good (invalid number...): do not retry."""


class NotDeliverable(CivicError):
    """The channel has no way to push a message (REST): suppressed with this reason."""


class OutcomeUnknown(CivicError):
    """The request may have reached the provider (a read timeout): check before resending."""


@dataclass(frozen=True)
class _Due:
    """A due message, copied out of its unit of work (the send happens outside any transaction)."""

    id: int
    channel: str
    recipient: str
    body: str
    payload: Dict[str, Any]


@dataclass
class DispatchResult:
    """What one pass did, by outbox id."""

    sent: List[int] = field(default_factory=list)
    failed: List[int] = field(default_factory=list)
    suppressed: List[int] = field(default_factory=list)
    held: List[int] = field(default_factory=list)  # behind an earlier unsent message, or taken
    reconciled: List[int] = field(default_factory=list)  # expired claims the provider had got
    released: List[int] = field(default_factory=list)  # expired claims sent again


@dataclass(frozen=True)
class DispatchOptions:
    """How a pass behaves; the defaults suit production, tests shorten the lease and add hooks.

    `clock` stamps sent_at when each send is confirmed (not when the pass began), which the
    reconciliation's counting relies on; `checkpoint` lets the crash test kill the process at
    a chosen stage; `should_stop` ends a pass between two messages (SIGTERM).
    """

    lease: dt.timedelta = outbox.LEASE
    clock: Optional[Callable[[], dt.datetime]] = None
    checkpoint: Optional[Checkpoint] = None
    should_stop: Callable[[], bool] = lambda: False


def dispatch_due(session_factory: SessionFactory, senders: Mapping[str, Send],
                 now: dt.datetime, limit: int = 50, *, lookups: Optional[Mapping[str, Lookup]] = None,
                 options: DispatchOptions = DispatchOptions()) -> DispatchResult:
    """Reconcile abandoned claims, then send the messages due at `now` on our channels.

    Only a caller that passes `lookups` (even empty: the dispatcher process) reconciles; a
    caller without them (the SMS channel's older in-server loop) leaves expired claims to the
    dispatcher, which can ask Twilio before sending again.
    """
    result = DispatchResult()
    if lookups is not None:
        reconcile_expired(session_factory, senders, lookups, now, options, result)
    blocked: Set[Tuple[str, str]] = set()
    for message in _load_due(session_factory, senders, now, limit):
        if options.should_stop():
            break
        key = (message.channel, message.recipient)
        if key in blocked:
            result.held.append(message.id)
            continue
        outcome = _dispatch_one(session_factory, senders[message.channel], message, now,
                                message.channel in (lookups or {}), options)
        getattr(result, outcome).append(message.id)
        if outcome in ("failed", "held"):
            blocked.add(key)
    return result


def _load_due(session_factory: SessionFactory, senders: Mapping[str, Send],
              now: dt.datetime, limit: int) -> List[_Due]:
    """Due messages of our channels, oldest first by id (the order they were written), so a
    channel without a sender here never crowds the others out of `limit`."""
    with session_factory() as session:
        return [_Due(row.id, row.channel, row.recipient, row.body, dict(row.payload or {}))
                for row in outbox.due_messages(session, now, limit, channels=list(senders))]


def _claim(session_factory: SessionFactory, message: _Due, now: dt.datetime,
           lease: dt.timedelta) -> Optional[str]:
    """None when the message is ours to send now; else suppressed | held.

    The claim comes first, so only the dispatcher holding the row decides its fate.
    """
    with session_factory() as session:
        if _earlier_unsent(session, message) or not outbox.claim(session, message.id, now, lease):
            return "held"
        if is_opted_out(session, message.channel, message.recipient):
            outbox.mark_suppressed(session, message.id, "recipient opted out")
            log_event(log, "outbox.suppressed", outbox_id=message.id, channel=message.channel,
                      reason="opted_out")
            return "suppressed"
    return None


def _dispatch_one(session_factory: SessionFactory, send: Send, message: _Due, now: dt.datetime,
                  can_lookup: bool, options: DispatchOptions) -> str:
    """sent | failed | suppressed | held, with the outbox row updated accordingly. A row
    erased while it was being sent (the citizen deleted their data) is left erased, and the
    pass goes on to the other messages."""
    try:
        return _claim_and_send(session_factory, send, message, now, can_lookup, options)
    except outbox.MessageErased:
        log_event(log, "outbox.suppressed", outbox_id=message.id, channel=message.channel,
                  reason="erased")
        return "suppressed"


def _claim_and_send(session_factory: SessionFactory, send: Send, message: _Due,
                    now: dt.datetime, can_lookup: bool, options: DispatchOptions) -> str:
    refused = _claim(session_factory, message, now, options.lease)
    if refused:
        return refused
    _checkpoint(options, "claimed", message.id)
    try:
        provider_id = send(message.recipient, message.body, message.payload)
    except Exception as exc:  # any provider error: recorded on the row, retried with backoff
        return _record_failure(session_factory, message, exc, _now(options, now), can_lookup,
                               options.lease)
    _checkpoint(options, "accepted", message.id)
    with session_factory() as session:
        outbox.mark_sent(session, message.id, _now(options, now))
    _checkpoint(options, "marked", message.id)
    log_event(log, "outbox.sent", outbox_id=message.id, channel=message.channel,
              provider_id=provider_id)
    return "sent"


def _record_failure(session_factory: SessionFactory, message: _Due, exc: Exception,
                    now: dt.datetime, can_lookup: bool, lease: dt.timedelta) -> str:
    """Suppress, give up, check-before-resend or back off, by what the error says."""
    error = f"{type(exc).__name__}: {exc}"
    with session_factory() as session:
        if isinstance(exc, NotDeliverable):
            outbox.mark_suppressed(session, message.id, str(exc))
            log_event(log, "outbox.suppressed", outbox_id=message.id, channel=message.channel,
                      reason="not_deliverable")
            return "suppressed"
        if isinstance(exc, OutcomeUnknown) and can_lookup:
            row = outbox.mark_uncertain(session, message.id, error, now, lease)
        else:
            row = outbox.mark_failed(session, message.id, error, now,
                                     permanent=isinstance(exc, PermanentSendFailure))
        status, attempts = row.status, row.attempts
    log_event(log, "outbox.send_failed", logging.WARNING, outbox_id=message.id,
              channel=message.channel, error=type(exc).__name__, status=status, attempts=attempts)
    return "failed"


def reconcile_expired(session_factory: SessionFactory, senders: Mapping[str, Send],
                      lookups: Mapping[str, Lookup], now: dt.datetime,
                      options: DispatchOptions, result: DispatchResult) -> None:
    """Settle "sending" rows whose lease is over: delivered (the provider says so) -> sent;
    otherwise (or on a channel that cannot tell) -> pending, due now, in the same order slot."""
    with session_factory() as session:
        stale = [(row.id, row.channel, row.recipient, row.body, row.next_attempt_at)
                 for row in outbox.expired_claims(session, now, list(senders))]
    for message_id, channel, recipient, body, lease_until in stale:
        lookup = lookups.get(channel)
        try:
            delivered = lookup is not None and _provider_has_it(
                session_factory, lookup, message_id, channel, recipient, body,
                lease_until - options.lease)
        except Exception as exc:  # the provider cannot answer now: ask again next pass
            log_event(log, "outbox.reconcile_failed", logging.WARNING, outbox_id=message_id,
                      channel=channel, error=type(exc).__name__)
            continue
        with session_factory() as session:
            settled = outbox.settle_expired(session, message_id, lease_until, delivered=delivered,
                                            now=_now(options, now) if delivered else now)
        if not settled:  # another dispatcher settled it first
            continue
        (result.reconciled if delivered else result.released).append(message_id)
        log_event(log, "outbox.reconciled", logging.WARNING, outbox_id=message_id,
                  channel=channel, delivered=delivered, checked=lookup is not None)


def _provider_has_it(session_factory: SessionFactory, lookup: Lookup, message_id: int,
                     channel: str, recipient: str, body: str, claimed: dt.datetime) -> bool:
    """More messages with this text at the provider than our other rows account for."""
    at_provider = lookup(recipient, body, claimed - PROVIDER_MARGIN)
    with session_factory() as session:
        ours = outbox.sent_count_since(session, channel=channel, recipient=recipient, body=body,
                                       since=claimed - OUR_MARGIN, exclude_id=message_id)
    return at_provider > ours


def _earlier_unsent(session: Session, message: _Due) -> bool:
    """Is an older message to the same recipient still pending (backing off) or being sent?"""
    oldest = session.execute(
        select(func.min(OutboxMessage.id)).where(
            OutboxMessage.channel == message.channel,
            OutboxMessage.recipient == message.recipient,
            OutboxMessage.status.in_([outbox.PENDING, outbox.SENDING]))).scalar()
    return oldest is not None and oldest < message.id


def _now(options: DispatchOptions, now: dt.datetime) -> dt.datetime:
    return utc_naive(options.clock()) if options.clock is not None else now


def _checkpoint(options: DispatchOptions, stage: str, message_id: int) -> None:
    if options.checkpoint is not None:
        options.checkpoint(stage, message_id)
