"""components/tracker_store.py against Rasa's own SQLTrackerStore, on SQLite and PostgreSQL.

The lean store must be a drop-in: the same rows for the same tracker, each store reading what
the other wrote, only the latest session on `retrieve`, every session on
`retrieve_full_tracker`, and only the events not yet stored written on each save.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, Event, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_store import LeanSQLTrackerStore, decoded

ROOT = Path(__file__).resolve().parents[2]
run = asyncio.run  # the stores' methods are coroutines


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kwargs(request: pytest.FixtureRequest, tmp_path: Path) -> Dict[str, Any]:
    """Connection keys for a fresh tracker database, as endpoints.yml would give them."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    url = sa.engine.make_url(request.getfixturevalue("postgres_url"))
    return {"dialect": "postgresql", "host": url.host, "port": url.port,
            "username": url.username, "password": url.password,
            "db": f"tracker_{uuid.uuid4().hex[:12]}", "login_db": url.database}


def stores(domain: Domain, kwargs: Dict[str, Any]) -> Tuple[SQLTrackerStore, LeanSQLTrackerStore]:
    return SQLTrackerStore(domain, **kwargs), LeanSQLTrackerStore(domain, **kwargs)


def session_events(text: str, start: float) -> List[Event]:
    """One conversation session: start, a message, a slot, a reply, back to listening."""
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.1),
        ActionExecuted("action_listen", timestamp=start + 0.2),
        UserUttered(text, {"name": "report_problem", "confidence": 0.93},
                    [{"entity": "category", "value": "pothole", "start": 0, "end": 4}],
                    timestamp=start + 1),
        SlotSet("category", "pothole", timestamp=start + 1.1),
        BotUttered("Where is it?", {"buttons": None}, timestamp=start + 1.2),
        ActionExecuted("action_listen", timestamp=start + 1.3),
    ]


def latest_session(events: List[Event]) -> List[Dict[str, Any]]:
    """What `retrieve` gives back: the events from the latest session_started on."""
    return [event.as_dict() for event in events[1:]]


def tracker_with(domain: Domain, sender: str, events: List[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def event_dicts(tracker: Any) -> List[Dict[str, Any]]:
    return [event.as_dict() for event in tracker.events]


def rows(store: SQLTrackerStore, sender: str) -> List[Tuple[Any, ...]]:
    table = store.SQLEvent.__table__
    columns = [table.c.sender_id, table.c.type_name, table.c.timestamp, table.c.intent_name,
               table.c.action_name, table.c.data]
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(*columns).where(table.c.sender_id == sender).order_by(table.c.id))]


def test_the_lean_store_writes_exactly_the_rows_rasa_writes(
        domain: Domain, store_kwargs: Dict[str, Any]) -> None:
    stock, lean = stores(domain, store_kwargs)
    events = session_events("hole on Elm Street", 1000.0)
    run(stock.save(tracker_with(domain, "by-stock", events)))
    run(lean.save(tracker_with(domain, "by-lean", events)))

    expected = [row[1:] for row in rows(stock, "by-stock")]
    assert len(expected) == len(events)
    assert [row[1:] for row in rows(lean, "by-lean")] == expected


def test_each_store_reads_what_the_other_wrote(domain: Domain,
                                                     store_kwargs: Dict[str, Any]) -> None:
    stock, lean = stores(domain, store_kwargs)
    first = session_events("hole on Elm Street", 1000.0)
    second = session_events("lamp out on Oak Road", 5000.0)
    run(stock.save(tracker_with(domain, "citizen-a", first + second)))
    run(lean.save(tracker_with(domain, "citizen-b", first + second)))

    for sender in ("citizen-a", "citizen-b"):
        by_stock, by_lean = run(stock.retrieve(sender)), run(lean.retrieve(sender))
        assert by_lean is not None and by_stock is not None
        assert event_dicts(by_lean) == event_dicts(by_stock) == latest_session(second)
        assert by_lean.get_slot("category") == "pothole"
        full_stock = run(stock.retrieve_full_tracker(sender))
        full_lean = run(lean.retrieve_full_tracker(sender))
        assert event_dicts(full_lean) == event_dicts(full_stock)
        assert len(full_lean.events) == len(first + second)


def test_a_save_writes_only_the_events_not_stored_yet(domain: Domain,
                                                            store_kwargs: Dict[str, Any]) -> None:
    stock, lean = stores(domain, store_kwargs)
    events = session_events("hole on Elm Street", 1000.0)
    run(lean.save(tracker_with(domain, "citizen", events[:4])))
    tracker = run(lean.retrieve("citizen"))
    assert tracker is not None
    for event in events[4:]:
        tracker.update(event)
    run(lean.save(tracker))
    run(lean.save(tracker))  # nothing new: nothing written

    assert len(rows(lean, "citizen")) == len(events)
    reloaded = run(stock.retrieve("citizen"))
    assert reloaded is not None and event_dicts(reloaded) == latest_session(events)


def test_an_unknown_conversation_is_none(domain: Domain,
                                               store_kwargs: Dict[str, Any]) -> None:
    _, lean = stores(domain, store_kwargs)
    assert run(lean.retrieve("nobody")) is None
    assert run(lean.retrieve_full_tracker("nobody")) is None


def test_a_conversation_written_elsewhere_is_read_again(domain: Domain,
                                                        store_kwargs: Dict[str, Any]) -> None:
    """Another replica (here stock Rasa on the same tables) saves a turn: the next load and
    save of this process see it, instead of what this process last remembered."""
    stock, lean = stores(domain, store_kwargs)
    events = session_events("hole on Elm Street", 1000.0)
    run(lean.save(tracker_with(domain, "citizen", events[:5])))
    assert len(run(lean.retrieve("citizen")).events) == 4

    elsewhere = run(stock.retrieve("citizen"))
    elsewhere.update(events[5])
    run(stock.save(elsewhere))
    mine = run(lean.retrieve("citizen"))
    assert event_dicts(mine) == latest_session(events[:6])

    mine.update(events[6])
    run(lean.save(mine))
    assert len(rows(lean, "citizen")) == len(events)
    assert event_dicts(run(stock.retrieve("citizen"))) == latest_session(events)


def test_an_erased_conversation_is_gone_for_the_store_too(domain: Domain,
                                                          store_kwargs: Dict[str, Any]) -> None:
    _, lean = stores(domain, store_kwargs)
    run(lean.save(tracker_with(domain, "citizen", session_events("hole on Elm Street", 1000.0))))
    assert run(lean.retrieve("citizen")) is not None
    with lean.engine.begin() as connection:  # what bot.privacy_tracker.delete_conversation does
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'citizen'"))
    assert run(lean.retrieve("citizen")) is None

    again = session_events("lamp out on Oak Road", 9000.0)
    run(lean.save(tracker_with(domain, "citizen", again)))
    assert event_dicts(run(lean.retrieve("citizen"))) == latest_session(again)


def test_a_new_session_is_read_back_from_the_database(domain: Domain,
                                                      store_kwargs: Dict[str, Any]) -> None:
    stock, lean = stores(domain, store_kwargs)
    first = session_events("hole on Elm Street", 1000.0)
    run(lean.save(tracker_with(domain, "citizen", first)))
    tracker = run(lean.retrieve("citizen"))
    second = session_events("lamp out on Oak Road", 5000.0)
    for event in second:
        tracker.update(event)
    run(lean.save(tracker))

    assert event_dicts(run(lean.retrieve("citizen"))) == latest_session(second)
    assert event_dicts(run(lean.retrieve("citizen"))) == event_dicts(run(stock.retrieve("citizen")))


def test_forgetting_is_bounded(domain: Domain, tmp_path: Path) -> None:
    """At most cache_size conversations in memory; with 0 nothing is kept and all still works."""
    for size in (2, 0):
        lean = LeanSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / f"t{size}.db"),
                                   cache_size=size)
        for index in range(5):
            run(lean.save(tracker_with(domain, f"citizen-{index}",
                                       session_events("hole", 1000.0 + index))))
            assert len(run(lean.retrieve(f"citizen-{index}")).events) == 6
        assert len(lean._sessions) == size
        for index in range(5):
            assert len(run(lean.retrieve(f"citizen-{index}")).events) == 6


def test_a_sqlite_file_keeps_its_connections_and_uses_wal(domain: Domain, tmp_path: Path) -> None:
    """Rasa opens a SQLite file with NullPool and the rollback journal: a connection per load
    and save, and a synced journal at every commit, on the event loop. The lean store uses
    bot.db's engine instead; stock Rasa still reads what it writes."""
    kwargs = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    stock, lean = stores(domain, kwargs)
    assert isinstance(stock.engine.pool, sa.pool.NullPool)
    assert isinstance(lean.engine.pool, sa.pool.QueuePool)
    events = session_events("there is a hole", 1000.0)
    run(lean.save(tracker_with(domain, "citizen", events)))
    with lean.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert event_dicts(run(stock.retrieve("citizen"))) == latest_session(events)


@pytest.mark.parametrize("events", [
    [],
    [{"event": "user", "text": "¿hay un bache? \"sí\", 3,5 m", "timestamp": 1764201600.123456789,
      "parse_data": {"intent": {"name": "inform", "confidence": 0.9999758005142212},
                     "entities": [], "intent_ranking": []}}],
    [{"event": "slot", "name": "rating", "value": 4}, {"event": "slot", "value": [1.5e-300, None]},
     {"event": "action", "name": "action_listen", "metadata": {"nested": {"deep": [{}]}}}],
])
def test_a_session_decodes_as_its_rows_one_by_one(events: List[Dict[str, Any]]) -> None:
    rows = tuple(json.dumps(event) for event in events)
    assert decoded(rows) == [json.loads(row) for row in rows]
