"""Button payloads under short keys, in the case database that every replica shares.

A channel that limits button data (Telegram: 64 bytes of callback_data) gets a short key for a
longer payload. The press may reach any Rasa replica, or the same one after a restart, so the
key must be readable there: a process's memory is not enough. The key is derived from the
payload, so every replica that sends the same button writes the same row.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import ButtonPayload
from bot.clock import utc_naive


def remember(session: Session, key: str, payload: str, now: Optional[dt.datetime] = None) -> None:
    """Keep `payload` under `key` (idempotent: another replica may have written it already)."""
    if session.get(ButtonPayload, key) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ButtonPayload(key=key, payload=payload, created_at=utc_naive(now)))
    except IntegrityError:
        pass  # the same key from the same payload, written meanwhile by another process


def recall(session: Session, key: str) -> Optional[str]:
    """The payload kept under `key`; None for a key no process ever wrote."""
    row = session.get(ButtonPayload, key)
    return row.payload if row is not None else None
