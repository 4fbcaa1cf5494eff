"""The soak's account: every acknowledged message, case and notification, checked once.

- processed: acknowledged deliveries whose inbound row ended 'processed';
- lost: acknowledged deliveries with no row, or never processed by the end of the drain, plus
  deliveries Rasa never saw (fewer user turns in the tracker store than acknowledged messages);
- duplicated: user turns in the tracker store beyond the acknowledged messages of a sender
  (a turn run twice, e.g. re-run by crash recovery after Rasa had already saved it);
- cases: one per Telegram journey that pressed Submit;
- notifications: each queued outbox body must reach the provider fake exactly once.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List

from sqlalchemy import create_engine, text

from bench.soak_citizens import Ledger, keys_by_channel
from bench.soak_load import LoadTally
from tests.faults.cluster import FaultyAssistant
from tests.faults.journey import query


def rss_kb(pid: int) -> int:
    """Resident memory of a process (kB), from /proc; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


@dataclass
class Account:
    figures: Dict[str, Any] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _inbound(database_url: str, ledger: Ledger) -> Dict[str, Dict[str, Any]]:
    """Inbound rows of the acknowledged deliveries, by ledger key."""
    rows: Dict[str, Dict[str, Any]] = {}
    for channel, ids in keys_by_channel(ledger.acknowledged).items():
        for row in query(database_url, "SELECT external_id, sender_id, status FROM "
                         "inbound_messages WHERE channel = :c", c=channel):
            if row["external_id"] in ids:
                rows[f"{channel}:{row['external_id']}"] = row
    return rows


def _user_turns(tracker_db: str) -> Counter:
    """User turns per conversation in Rasa's SQL tracker store."""
    engine = create_engine(f"sqlite:///{tracker_db}", future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' GROUP BY sender_id"))
            return Counter({sender: count for sender, count in rows})
    finally:
        engine.dispose()


def _outstanding(assistant: FaultyAssistant, ledger: Ledger) -> int:
    """Work not yet done: outbox rows not sent, acknowledged turns not over."""
    rows = _inbound(assistant.database_url, ledger)
    pending = query(assistant.database_url, "SELECT COUNT(*) AS n FROM outbox "
                    "WHERE status IN ('pending', 'sending')")[0]["n"]
    unfinished = len(ledger.acknowledged) - sum(
        1 for row in rows.values() if row["status"] in ("processed", "failed"))
    return int(pending) + unfinished


def _drain(assistant: FaultyAssistant, ledger: Ledger, seconds: float) -> Dict[str, Dict[str, Any]]:
    """Wait until every acknowledged delivery's turn is over and the outbox is empty, for as
    long as the backlog keeps shrinking: the dispatcher sends at most about one message a
    second to one recipient (the providers' per-chat limits), so a long soak's notifications
    can take longer than `seconds` to drain, and still queued is not lost. Stops after
    `seconds` without progress."""
    best, last_progress = _outstanding(assistant, ledger), time.monotonic()
    while best and time.monotonic() - last_progress < seconds:
        time.sleep(1.0)
        now_outstanding = _outstanding(assistant, ledger)
        if now_outstanding < best:
            best, last_progress = now_outstanding, time.monotonic()
    return _inbound(assistant.database_url, ledger)


def _messages(account: Account, assistant: FaultyAssistant, ledger: Ledger, drain: float) -> None:
    rows = _drain(assistant, ledger, drain)
    statuses = Counter(row["status"] for row in rows.values())
    unrecorded = sorted(ledger.acknowledged - set(rows))
    acked_per_sender = Counter(row["sender_id"] for row in rows.values())
    turns = _user_turns(str(assistant.servers.workdir / "tracker.db"))
    duplicated = sum(max(0, turns[s] - n) for s, n in acked_per_sender.items())
    unseen = sum(max(0, n - turns[s]) for s, n in acked_per_sender.items())
    not_processed = sorted(k for k, row in rows.items() if row["status"] != "processed")
    account.figures.update({
        "messages sent": len(ledger.sent), "delivery attempts": ledger.attempts,
        "refused (status: count)": dict(ledger.refusals),
        "acknowledged": len(ledger.acknowledged), "processed": statuses.get("processed", 0),
        "failed turns": statuses.get("failed", 0), "duplicated": duplicated,
        "lost": len(unrecorded) + len(not_processed) + max(0, unseen - len(not_processed)),
        "lost detail": {"acknowledged_without_row": unrecorded[:10],
                        "not_processed": not_processed[:10], "never_reached_rasa": unseen}})
    if duplicated or unrecorded or not_processed or unseen:
        account.problems.append("acknowledged messages not processed exactly once")


def _cases(account: Account, assistant: FaultyAssistant, tally: LoadTally) -> None:
    per_sender = Counter(row["sender_id"] for row in query(
        assistant.database_url, "SELECT sender_id FROM cases WHERE channel = 'telegram'"))
    expected = set(tally.journeys_submitted)
    created = sum(per_sender[s] for s in expected)
    account.figures.update({
        "cases expected": len(expected), "cases created": created,
        "journeys abandoned (no Submit)": len(tally.journeys_abandoned),
        "cases duplicated": sum(max(0, per_sender[s] - 1) for s in expected),
        "cases missing": sorted(s for s in expected if per_sender[s] == 0)})
    if created != len(expected):
        account.problems.append("cases created differ from cases expected")


def _notifications(account: Account, tally: LoadTally, telegram: Any, twilio: Any) -> None:
    delivered = Counter(body for body in telegram.accepted_texts("700999999")
                        + twilio.bodies_to("+447700900999") if body.startswith("Soak notification"))
    queued = set(tally.notifications)
    account.figures.update({
        "outbox queued": len(queued),
        "outbox sent once": sum(1 for b in queued if delivered[b] == 1),
        "outbox duplicated": sum(max(0, delivered[b] - 1) for b in queued),
        "outbox lost": sum(1 for b in queued if delivered[b] == 0)})
    if any(delivered[b] != 1 for b in queued):
        account.problems.append("outbox messages not sent exactly once")


def account_for(assistant: FaultyAssistant, ledger: Ledger, tally: LoadTally, telegram: Any,
                twilio: Any, kills: List[Dict[str, Any]], memory_start: Dict[str, int],
                memory_end: Dict[str, int], drain: float, load_seconds: float) -> Account:
    account = Account()
    ledger = ledger.snapshot()
    account.figures.update({"load seconds": round(load_seconds), "kills": len(kills),
                            "kills by process": dict(Counter(k["victim"] for k in kills))})
    started = time.monotonic()
    _messages(account, assistant, ledger, drain)
    _cases(account, assistant, tally)
    _notifications(account, tally, telegram, twilio)
    account.figures.update({"drain seconds": round(time.monotonic() - started),
                            "memory kB at start": memory_start, "memory kB at end": memory_end,
                            "starts per process": {n: p.starts for n, p in assistant.processes.items()}})
    return account


def print_account(account: Account) -> None:
    width = max(len(name) for name in account.figures)
    print("\nsoak account")
    for name, value in account.figures.items():
        shown = json.dumps(value) if isinstance(value, (dict, list)) else value
        print(f"  {name:<{width}}  {shown}")
    print("RESULT: " + ("clean" if account.clean else "PROBLEMS: " + "; ".join(account.problems)),
          flush=True)
