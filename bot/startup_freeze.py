"""Keep what a server loaded at start-up out of every later garbage collection.

A long-running server holds many objects that live as long as it does: the Rasa server's
model (TensorFlow, the domain, the NLU pipeline), the action server's modules and language
profiles. Python's full collections walk all of them again and again: in the Rasa server
under load that was a 0.27 s collection every ~6 s, 6% of its CPU (docs/performance.md).
Once the server has started (Rasa loads its model in a before_server_start listener), the
objects alive are collected once and frozen (gc.freeze): later collections skip them, and
objects made afterwards are collected as usual. Something loaded later (a model replaced
through Rasa's HTTP API) is not frozen.
"""
from __future__ import annotations

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)


def freeze_after_start(app: Any) -> None:
    """Freeze once the Sanic `app` has started serving (its model is loaded by then)."""
    app.register_listener(_freeze_now, "after_server_start")


async def _freeze_now(*_args: Any) -> None:
    freeze_startup_objects()


def freeze_startup_objects() -> int:
    """Collect once, then keep every surviving object out of later collections; how many."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("Froze %d start-up objects out of garbage collection", frozen)
    return frozen
