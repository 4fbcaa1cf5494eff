"""Prometheus metrics shared by every process (Rasa, actions, console, dispatcher).

Two kinds, on purpose:
- process counters and histograms (messages in, turn latency, outbox sends) count what THIS
  process did; Prometheus sums them over replicas;
- database gauges (cases, escalations waiting, outbox backlog and lag) are read from the case
  database at scrape time by `DatabaseGauges`, so every replica reports the same truth and no
  replica keeps a count another one would need.
Adapters expose `exposition()` on their own route and ask `may_read_metrics` who may see it:
metrics name no citizen, but they reveal load and backlog, so they are not public.
"""
from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
from typing import Callable, Iterable, Iterator, Optional, Tuple

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.clock import utc_naive
from bot.db import session_scope
from bot.models import Case, Escalation, OutboxMessage

log = logging.getLogger(__name__)

MESSAGES_IN = Counter("civic_messages_in", "Citizen messages handed to the assistant, per channel.",
                      ["channel"])
TURN_SECONDS = Histogram("civic_turn_seconds",
                         "Time from a message reaching Rasa to its replies being handed to the channel.",
                         ["channel"],
                         buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0))
OUTBOX_SENT = Counter("civic_outbox_sent", "Outbox messages this dispatcher delivered.")
OUTBOX_FAILED = Counter("civic_outbox_failed",
                        "Outbox send attempts that failed here (retried later with backoff, or given up).")
OUTBOX_SUPPRESSED = Counter("civic_outbox_suppressed",
                            "Outbox messages this dispatcher did not send on purpose (opt-out, no channel).")
OUTBOX_PASS_ERRORS = Counter("civic_outbox_pass_errors",
                             "Dispatcher passes that failed (e.g. the database was unreachable).")

UNSENT = ("pending", "sending")
Snapshot = Callable[[Session, dt.datetime], Iterable[Metric]]


def _age_seconds(oldest: Optional[dt.datetime], now: dt.datetime) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


def case_metrics(session: Session, now: dt.datetime) -> Iterator[Metric]:
    """Cases created so far, per channel: a counter that only the database can keep right."""
    family = CounterMetricFamily("civic_cases_created", "Cases in the case database, per channel.",
                                 labels=["channel"])
    for channel, count in session.execute(select(Case.channel, func.count()).group_by(Case.channel)):
        family.add_metric([channel], count)
    yield family


def escalation_metrics(session: Session, now: dt.datetime) -> Iterator[Metric]:
    """How many citizens wait for a person, and how long the longest has waited."""
    count, oldest = session.execute(select(func.count(), func.min(Escalation.created_at))
                                    .where(Escalation.status == "waiting")).one()
    yield GaugeMetricFamily("civic_escalations_waiting", "Escalations nobody has claimed yet.", count)
    yield GaugeMetricFamily("civic_escalations_oldest_wait_seconds",
                            "Age of the oldest unclaimed escalation (0 when none).",
                            _age_seconds(oldest, now))


def outbox_metrics(session: Session, now: dt.datetime) -> Iterator[Metric]:
    """Backlog per status and the outbox lag: age of the oldest message not yet sent."""
    backlog = GaugeMetricFamily("civic_outbox_messages", "Outbox messages per status.",
                                labels=["status"])
    for status, count in session.execute(select(OutboxMessage.status, func.count())
                                         .group_by(OutboxMessage.status)):
        backlog.add_metric([status], count)
    yield backlog
    # A message held back on purpose (a question waiting while the citizen finishes a report,
    # bot.case_questions) lags only from when it was due, not from when it was written.
    waiting_since = case((and_(OutboxMessage.status == "pending", OutboxMessage.attempts == 0),
                          OutboxMessage.next_attempt_at), else_=OutboxMessage.created_at)
    oldest = session.execute(select(func.min(waiting_since))
                             .where(OutboxMessage.status.in_(UNSENT))).scalar()
    yield GaugeMetricFamily("civic_outbox_lag_seconds",
                            "Age of the oldest outbox message not yet sent (0 when none).",
                            _age_seconds(oldest, now))


SNAPSHOTS: Tuple[Snapshot, ...] = (case_metrics, escalation_metrics, outbox_metrics)


class DatabaseGauges(Collector):
    """Reads the case database on every scrape; `civic_database_up` says whether it could."""

    def __init__(self, clock: Callable[[], dt.datetime] = utc_naive,
                 database_url: Optional[str] = None) -> None:
        self.clock, self.database_url = clock, database_url  # None: settings.database_url

    def collect(self) -> Iterator[Metric]:
        try:
            with session_scope(self.database_url) as session:
                families = [family for snapshot in SNAPSHOTS
                            for family in snapshot(session, self.clock())]
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the DB is down
            log.warning("metrics.database_unreachable error=%s", type(exc).__name__)
            families = []
        yield GaugeMetricFamily("civic_database_up",
                                "1 when this scrape could read the case database.",
                                1 if families else 0)
        yield from families


_installed = False


def install_database_gauges() -> None:
    """Register the database gauges once per process (idempotent: several adapters may ask)."""
    global _installed
    if not _installed:
        REGISTRY.register(DatabaseGauges())
        _installed = True


def exposition() -> Tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    install_database_gauges()
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def may_read_metrics(peer_ip: Optional[str], authorization: Optional[str],
                     token: Optional[str]) -> bool:
    """Loopback callers (a sidecar, an operator on the host) or a matching bearer token.

    `peer_ip` must be the TCP peer, never X-Forwarded-For: behind a proxy the peer is the proxy,
    which is why the shipped nginx.conf refuses /metrics from outside.
    """
    if token and authorization and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[len("Bearer "):].encode(), token.encode()):
            return True
    try:
        return peer_ip is not None and ipaddress.ip_address(peer_ip).is_loopback
    except ValueError:
        return False


def record_turn(channel: str, seconds: float) -> None:
    """One citizen message went through Rasa on `channel` in `seconds`."""
    MESSAGES_IN.labels(channel=channel or "unknown").inc()
    TURN_SECONDS.labels(channel=channel or "unknown").observe(seconds)


def record_dispatch(sent: int, failed: int, suppressed: int) -> None:
    """What one dispatcher pass did."""
    OUTBOX_SENT.inc(sent)
    OUTBOX_FAILED.inc(failed)
    OUTBOX_SUPPRESSED.inc(suppressed)
