"""Rasa's SQL tracker store, seen from the privacy side: a citizen's conversation is the rows
of its `events` table under their sender id.

Rasa owns that table (it creates it on first use), so we only read, delete and never write.
A store that does not exist yet (Rasa never ran against it) simply holds nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List, Optional

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from bot.clock import as_utc

EVENTS_TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent.__tablename__
SPOKEN = ("user", "bot")  # the events that carry what the citizen and the bot said


def has_events_table(session: Session) -> bool:
    """False until Rasa has written its first conversation to this store."""
    return inspect(session.connection()).has_table(EVENTS_TABLE)


def _event_line(type_name: str, timestamp: Optional[float], data: Optional[str]) -> Dict[str, Any]:
    """What a person reading their export needs: who spoke, when, and the words."""
    try:
        payload = json.loads(data or "{}")
    except ValueError:
        payload = {}
    at = (dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()
          if timestamp is not None else None)
    line: Dict[str, Any] = {"from": "citizen" if type_name == "user" else "assistant",
                            "at": at, "text": payload.get("text")}
    intent = (payload.get("parse_data") or {}).get("intent") or {}
    if intent.get("name"):
        line["understood_as"] = intent["name"]
    return line


def conversation(session: Session, sender_id: str) -> List[Dict[str, Any]]:
    """The citizen's and the bot's messages of one conversation, oldest first."""
    if not has_events_table(session):
        return []
    rows = session.execute(text(
        f"SELECT type_name, timestamp, data FROM {EVENTS_TABLE} "
        "WHERE sender_id = :sender AND type_name IN ('user', 'bot') ORDER BY id"),
        {"sender": sender_id}).all()
    return [_event_line(*row) for row in rows]


def count_events(session: Session, sender_id: str) -> int:
    if not has_events_table(session):
        return 0
    return int(session.execute(text(f"SELECT COUNT(*) FROM {EVENTS_TABLE} WHERE sender_id = :s"),
                               {"s": sender_id}).scalar_one())


def delete_conversation(session: Session, sender_id: str) -> int:
    """Every event of the conversation (Rasa starts a fresh one if they write again)."""
    if not has_events_table(session):
        return 0
    result = session.execute(text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :s"),
                             {"s": sender_id})
    return int(result.rowcount or 0)


def quiet_conversations(session: Session, before: dt.datetime, limit: int) -> List[str]:
    """Sender ids whose newest event is older than `before` (naive UTC): whole conversations
    the retention job may remove without cutting a live one in half."""
    if not has_events_table(session):
        return []
    cutoff = as_utc(before).timestamp()
    rows = session.execute(text(
        f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
        "HAVING MAX(timestamp) < :cutoff ORDER BY MAX(timestamp) LIMIT :limit"),
        {"cutoff": cutoff, "limit": limit}).scalars().all()
    return list(rows)


def all_senders(session: Session) -> List[str]:
    """Every conversation id in the store (the pending-deletion sweep hashes them)."""
    if not has_events_table(session):
        return []
    return list(session.execute(text(f"SELECT DISTINCT sender_id FROM {EVENTS_TABLE}")).scalars())


def last_event_id(session: Session, sender_id: str) -> int:
    """The newest stored event's id (0 for none): a mark to recognise later saves."""
    if not has_events_table(session):
        return 0
    return int(session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {EVENTS_TABLE} "
                                     "WHERE sender_id = :s"), {"s": sender_id}).scalar_one())


def turn_saved_after(session: Session, sender_id: str, mark: int) -> bool:
    """True once Rasa has saved a turn that ended after `mark` (it saves a turn's events at
    its end, the last being action_listen)."""
    if not has_events_table(session):
        return True
    return session.execute(text(
        f"SELECT 1 FROM {EVENTS_TABLE} WHERE sender_id = :s AND id > :mark "
        "AND type_name = 'action' AND action_name = 'action_listen' LIMIT 1"),
        {"s": sender_id, "mark": mark}).first() is not None
