"""Liveness of the case database, for the health checks of the console and other servers."""
from __future__ import annotations

from sqlalchemy import text

from bot.db import session_scope


def database_is_reachable() -> bool:
    """True when a trivial query succeeds: a load balancer should stop sending staff to a
    console that cannot reach the database rather than let them fail on every page."""
    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; the caller reports it
        return False
    return True
