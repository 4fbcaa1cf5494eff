"""Rasa's SQL tracker store, with the same tables, rows and answers, and less work per turn.

Every message costs the Rasa server one tracker load and one save, both synchronous on its
event loop, which every other conversation waits on: about 11 ms of the event loop's time per
message with 50 citizens on SQLite, more than NLU (docs/performance.md).
Rasa 3.6's SQLTrackerStore loads the latest session as one ORM object per event (all seven
columns) and decodes each; to save, it first counts the stored events with a query selecting
every column of the session inside a subquery, then adds each new event as an ORM object.

This store writes the same rows and returns the same trackers, so stock Rasa (`type: SQL`)
reads what it wrote and the other way round, with less work:
- it remembers, per conversation, the latest session's stored rows (their JSON text) and the
  id of the conversation's newest row. A load first asks the database for that id, an indexed
  lookup; when it is the remembered one, nothing was written since (by this process, another
  replica, or an erasure) and the remembered rows are the answer. Otherwise it reads them
  again, asking only for the columns it uses;
- a save knows how many events are stored from the same check, and inserts the new rows with
  one statement, then extends what it remembers;
- on a SQLite file it uses bot.db's engine (connections kept, WAL) instead of the one Rasa
  makes (a new connection for every load and save, a synced rollback journal per commit).
Conversation text stays in memory for at most `cache_size` conversations, each forgotten
`cache_seconds` after it was last saved or read from the database (a turn does both).

Name it in endpoints.yml as `type: components.tracker_store.LeanSQLTrackerStore`, with the
usual SQL store keys (dialect, url, db, username, password...).
"""
from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.db import get_engine, is_sqlite_file

DEFAULT_CACHE_SIZE = 500
DEFAULT_CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class _Session:
    """What the database holds for one conversation's latest session, as of `last_id`."""

    last_id: int  # the conversation's newest row (any session)
    session_start: Optional[float]  # timestamp of its newest session_started, if any
    rows: Tuple[str, ...]  # the latest session's `data`, in id order
    seen_at: float


class LeanSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that reads and counts only what it needs, and remembers the latest
    session of recently active conversations, checked against the database on every use."""

    def __init__(self, domain: Optional[Domain] = None, *args: Any,
                 cache_size: int = DEFAULT_CACHE_SIZE,
                 cache_seconds: float = DEFAULT_CACHE_SECONDS, **kwargs: Any) -> None:
        super().__init__(domain, *args, **kwargs)
        if is_sqlite_file(self.engine.url):
            # Rasa gives a SQLite file SQLAlchemy's NullPool and the rollback journal: a new
            # connection for every load and save, and a synced journal file written and
            # deleted at every commit, on the event loop. bot.db's engine keeps connections
            # and uses WAL (0.7 -> 0.01 ms a commit here), as the case database does.
            self.engine.dispose()
            self.engine = get_engine(self.engine.url.render_as_string(hide_password=False))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        table = self.SQLEvent.__table__
        # Built once: building this statement and its cache key on every call took about
        # 120 us of CPU, running it about 20 (SQLite, an indexed max).
        self._newest_row = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)).where(
            table.c.sender_id == sa.bindparam("sender_id"))
        self._insert_rows = table.insert()
        self._sessions: "OrderedDict[Text, _Session]" = OrderedDict()
        self._cache_size = int(cache_size)
        self._cache_seconds = float(cache_seconds)

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            if fetch_events_from_all_sessions:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=True)
                rows = tuple(data for (data,) in query.with_entities(self.SQLEvent.data))
            else:
                rows = self._latest_session(session, sender_id).rows
        if not rows or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, decoded(rows), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            known = self._latest_session(session, sender_id)
            new_events = list(itertools.islice(tracker.events, len(known.rows), None))
            rows = [self._row(sender_id, event) for event in new_events]
            if rows:
                session.execute(self._insert_rows, rows)
            last_id = self._last_id(session, sender_id)
            session.commit()
        if any(isinstance(event, SessionStarted) for event in new_events):
            self._sessions.pop(sender_id, None)  # a new session: read it back from the database
        else:
            added = tuple(row["data"] for row in rows
                          if _in_session(row["timestamp"], known.session_start))
            self._remember(sender_id, _Session(last_id, known.session_start, known.rows + added,
                                               time.monotonic()))

    def _latest_session(self, session: Any, sender_id: Text) -> _Session:
        """The latest session's rows: remembered when the conversation's newest row is still
        the one remembered, else read (and remembered)."""
        last_id = self._last_id(session, sender_id)
        known = self._sessions.get(sender_id)
        if (known is not None and known.last_id == last_id
                and time.monotonic() - known.seen_at < self._cache_seconds):
            return known
        table = self.SQLEvent.__table__
        session_start = session.execute(
            sa.select(sa.func.max(table.c.timestamp)).where(
                table.c.sender_id == sender_id,
                table.c.type_name == SessionStarted.type_name)).scalar()
        query = sa.select(table.c.data).where(table.c.sender_id == sender_id)
        if session_start is not None:
            query = query.where(table.c.timestamp >= session_start)
        rows = tuple(session.execute(query.order_by(table.c.id)).scalars())
        fresh = _Session(last_id, session_start, rows, time.monotonic())
        self._remember(sender_id, fresh)
        return fresh

    def _last_id(self, session: Any, sender_id: Text) -> int:
        return int(session.execute(self._newest_row, {"sender_id": sender_id}).scalar())

    def _remember(self, sender_id: Text, known: _Session) -> None:
        if self._cache_size <= 0 or not known.rows:
            self._sessions.pop(sender_id, None)
            return
        self._sessions[sender_id] = known
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self._cache_size:
            self._sessions.popitem(last=False)

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
        """The row SQLTrackerStore.save writes for `event`."""
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}


def decoded(rows: Tuple[str, ...]) -> list:
    """The rows' events as dicts. Each row is one json.dumps'd event, so the rows joined with
    commas are one JSON array: one json.loads call for the session instead of one per event,
    0.8 -> 0.46 ms for a 220-event session (the per-call overhead was most of it)."""
    return json.loads("[" + ",".join(rows) + "]")


def _in_session(timestamp: Optional[float], session_start: Optional[float]) -> bool:
    """The database's test for "in the latest session" (`timestamp >= session_start`)."""
    if session_start is None:
        return True
    return timestamp is not None and timestamp >= session_start
