"""Make a web server that never got to serve exit non-zero, saying why.

Sanic 21 logs a start-up failure (most often the port already in use) and then returns from
app.run as if the server had stopped normally, so the console, the action server and the
Rasa server all exited 0: `make run`, a container's restart policy or systemd then took a
server that never listened for one that finished its work. Each entry point asks Sanic to
tell it once the server listens, and exits 1 with a message naming the port if that never
happened.
"""
from __future__ import annotations

import sys
from typing import Any, Callable


def watch_serving(app: Any) -> Callable[[], bool]:
    """Register a listener on the Sanic `app`; the returned function says whether the
    server ever started listening."""
    started = []

    async def mark_started(*_args: Any) -> None:
        started.append(True)

    app.register_listener(mark_started, "after_server_start")
    return lambda: bool(started)


def exit_unless_served(served: Callable[[], bool], what: str, port: int) -> None:
    """After app.run returned: exit 1 with a plain message when the server never listened."""
    if not served():
        print(f"{what} could not start listening on port {port} (is another process using "
              f"it? see the error above); exiting with status 1", file=sys.stderr)
        sys.exit(1)
