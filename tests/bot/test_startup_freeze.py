"""bot/startup_freeze.py: what a server holds once it has started stays out of later GCs."""
from __future__ import annotations

import asyncio
import gc
from typing import Any, List, Tuple

from bot import startup_freeze


def test_the_objects_alive_at_start_are_frozen_out_of_collections() -> None:
    held = [{"n": n} for n in range(1000)]
    try:
        frozen = startup_freeze.freeze_startup_objects()
        # A frozen object can still be freed by reference counting (another thread's
        # temporary), so the count read afterwards can only be the same or lower.
        assert len(held) <= gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_the_freeze_happens_when_the_server_has_started_not_before() -> None:
    registered: List[Tuple[Any, str]] = []

    class App:
        def register_listener(self, listener: Any, event: str) -> None:
            registered.append((listener, event))

    startup_freeze.freeze_after_start(App())
    [(listener, event)] = registered
    assert event == "after_server_start" and gc.get_freeze_count() == 0
    try:
        asyncio.run(listener(App(), None))  # Sanic calls it with (app, loop)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
