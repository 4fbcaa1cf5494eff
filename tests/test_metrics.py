"""bot.metrics: database gauges read at scrape time, turn/outbox counters, who may scrape."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Dict, Tuple

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics, outbox
from bot.cases import open_case
from bot.db import session_scope
from bot.escalations import escalate
from bot.services import load_catalogue, seed_services

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 23, 12, 0)
CLOSED_PORT_URL = "postgresql://civic:civic@127.0.0.1:9/civic"  # nothing listens on port 9


def scrape(collector: object) -> Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]:
    """Every sample of one collector, as Prometheus would parse it from the text format."""
    registry = CollectorRegistry()
    registry.register(collector)  # type: ignore[arg-type]
    text = generate_latest(registry).decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _report(channel: str) -> dict:
    return dict(submission_id=uuid.uuid4().hex, service_code="pothole", description="Deep hole",
                address="12 High St", latitude=51.5, longitude=-0.12, channel=channel,
                sender_id=f"s-{uuid.uuid4().hex[:8]}", language="en", consent=True, now=NOW)


@pytest.fixture
def busy_db(migrated_sqlite_url: str) -> str:
    """Three cases, one waiting escalation (10 min old), outbox: one pending 90 s old, one sent."""
    with session_scope(migrated_sqlite_url) as session:
        seed_services(session, load_catalogue(ROOT / "content" / "services.yml"))
    with session_scope(migrated_sqlite_url) as session:
        for channel in ("sms", "sms", "telegram"):
            open_case(session, **_report(channel))
        escalate(session, sender_id="esc-1", channel="webchat", language="en", reason="requested",
                 transcript=[], now=NOW - dt.timedelta(minutes=10))
        outbox.enqueue(session, channel="sms", recipient="+440000", language="en",
                       kind="status_update", body="x", dedupe_key="lag-1",
                       now=NOW - dt.timedelta(seconds=90))
        sent = outbox.enqueue(session, channel="sms", recipient="+440000", language="en",
                              kind="status_update", body="y", dedupe_key="sent-1",
                              now=NOW - dt.timedelta(hours=2))
        sent.status = "sent"
    return migrated_sqlite_url


def test_database_gauges_read_the_truth_at_scrape_time(busy_db: str) -> None:
    samples = scrape(metrics.DatabaseGauges(clock=lambda: NOW, database_url=busy_db))
    assert samples[("civic_database_up", ())] == 1
    assert samples[("civic_cases_created_total", (("channel", "sms"),))] == 2
    assert samples[("civic_cases_created_total", (("channel", "telegram"),))] == 1
    assert samples[("civic_escalations_waiting", ())] == 1
    assert samples[("civic_escalations_oldest_wait_seconds", ())] == 600
    assert samples[("civic_outbox_messages", (("status", "pending"),))] == 1
    assert samples[("civic_outbox_messages", (("status", "sent"),))] == 1
    assert samples[("civic_outbox_lag_seconds", ())] == 90  # the sent one does not count


def test_a_message_held_back_on_purpose_lags_only_from_when_it_is_due(
        migrated_sqlite_url: str) -> None:
    """A question held while the citizen finishes a report (bot.case_questions) is not a
    dispatcher falling behind: written 50 min ago, due in 10, it is no lag; overdue, it is."""
    with session_scope(migrated_sqlite_url) as session:
        outbox.enqueue(session, channel="sms", recipient="+440001", language="en",
                       kind="case_question", body="q", dedupe_key="held-1",
                       now=NOW - dt.timedelta(minutes=50),
                       not_before=NOW + dt.timedelta(minutes=10))

    def lag(at: dt.datetime) -> float:
        gauges = metrics.DatabaseGauges(clock=lambda: at, database_url=migrated_sqlite_url)
        return scrape(gauges)[("civic_outbox_lag_seconds", ())]

    assert lag(NOW) == 0
    assert lag(NOW + dt.timedelta(minutes=12)) == 120


def test_two_collectors_on_one_database_report_the_same(busy_db: str) -> None:
    """What replicas rely on: no per-process state in the gauges."""
    first = scrape(metrics.DatabaseGauges(clock=lambda: NOW, database_url=busy_db))
    second = scrape(metrics.DatabaseGauges(clock=lambda: NOW, database_url=busy_db))
    assert first == second


def test_an_empty_outbox_has_no_lag(migrated_sqlite_url: str) -> None:
    samples = scrape(metrics.DatabaseGauges(clock=lambda: NOW, database_url=migrated_sqlite_url))
    assert samples[("civic_outbox_lag_seconds", ())] == 0
    assert samples[("civic_escalations_waiting", ())] == 0


def test_an_unreachable_database_is_reported_not_raised() -> None:
    samples = scrape(metrics.DatabaseGauges(clock=lambda: NOW, database_url=CLOSED_PORT_URL))
    assert samples == {("civic_database_up", ()): 0}


def test_turns_are_counted_per_channel_with_their_latency() -> None:
    before = metrics.MESSAGES_IN.labels(channel="sms")._value.get()
    metrics.record_turn("sms", 0.25)
    metrics.record_turn("sms", 0.04)
    text = generate_latest().decode()
    assert metrics.MESSAGES_IN.labels(channel="sms")._value.get() == before + 2
    assert 'civic_turn_seconds_bucket{channel="sms",le="0.05"}' in text


@pytest.mark.parametrize("peer, authorization, token, allowed", [
    ("127.0.0.1", None, None, True),
    ("::1", None, None, True),
    ("10.1.2.3", None, None, False),
    ("10.1.2.3", "Bearer s3cret", None, False),        # no token configured: loopback only
    ("10.1.2.3", "Bearer s3cret", "s3cret", True),
    ("10.1.2.3", "Bearer wrong", "s3cret", False),
    ("10.1.2.3", "s3cret", "s3cret", False),          # not a bearer header
    ("not-an-ip", None, "s3cret", False),
    (None, None, None, False),
])
def test_who_may_read_metrics(peer: str, authorization: str, token: str, allowed: bool) -> None:
    assert metrics.may_read_metrics(peer, authorization, token) is allowed
