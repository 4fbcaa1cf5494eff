"""Make a web server that never got to serve exit non-zero, saying why.

Sanic 21 logs a start-up failure (most often the port already in use) and then returns from
app.run as if the server had stopped normally, so the console, the action server and the
Rasa server all exited 0: `make run`, a container's restart policy or systemd then took a
server that never listened for one that finished its work. Each entry point asks Sanic to
tell it once the server listens, and exits 1 with a message naming the port if that never
happened. The Rasa server also checks its port before it spends half a minute loading the
model (exit_if_port_taken), so an operator learns at once.
"""
from __future__ import annotations

import errno
import socket
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
        _exit_port_taken(what, port, "see the error above")


def exit_if_port_taken(what: str, port: int, host: str = "0.0.0.0") -> None:
    """Before a slow start-up: exit 1 with the same message when another process listens on
    `port`. Bound as the server binds (SO_REUSEADDR, like asyncio), so a port in TIME_WAIT
    passes. Any other bind error is left for the server to report, and a port taken after
    this check is still caught by exit_unless_served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                _exit_port_taken(what, port, "checked before loading")


def _exit_port_taken(what: str, port: int, how: str) -> None:
    print(f"{what} could not start listening on port {port} (is another process using "
          f"it? {how}); exiting with status 1", file=sys.stderr)
    sys.exit(1)
