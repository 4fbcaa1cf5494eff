"""Rasa makes a new aiohttp ClientSession for every request to an endpoint
(EndpointConfig.request: `async with self.session() as session`), so every action call
resolved the action server's host name, opened a TCP connection, and closed it again when the
answer came, on both sides. Each endpoint now keeps one session per event loop, so its
connections stay open between calls (HTTP keep-alive, which aiohttp and the action server's
Sanic both do by default; a connection the server has closed is not reused). The requests are
made as before, with the session Rasa configures (headers, auth, timeout).

close_kept_sessions() closes them when the server stops (scripts/run_rasa.py registers it).
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any, Callable

# every session kept, with its loop, to close when the server stops
_kept: "weakref.WeakKeyDictionary[Any, asyncio.AbstractEventLoop]" = weakref.WeakKeyDictionary()


def install_kept_sessions() -> None:
    """EndpointConfig.session giving the endpoint's kept session, which `async with` leaves
    open; outside a running event loop, a new session as before."""
    from rasa.utils.endpoints import EndpointConfig

    make = EndpointConfig.session

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return make(self)
        return KeptSession(kept_session(self, loop, make))

    session.__wrapped__ = make  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]


def kept_session(endpoint: Any, loop: asyncio.AbstractEventLoop,
                 make: Callable[[Any], Any]) -> Any:
    """The endpoint's session for `loop`, made (by Rasa's own session()) on first use, and
    again once closed or when another loop asks (a session belongs to one loop)."""
    kept = endpoint.__dict__.get("_kept_session")
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = endpoint.__dict__["_kept_session"] = (loop, make(endpoint))
        _kept[kept[1]] = loop
    return kept[1]


class KeptSession:
    """What Rasa enters with `async with`: the kept session, left open on the way out."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


async def close_kept_sessions() -> int:
    """Close the sessions kept on the running loop (the server is stopping); how many."""
    loop = asyncio.get_running_loop()
    mine = [session for session, its_loop in list(_kept.items())
            if its_loop is loop and not session.closed]
    for session in mine:
        await session.close()
    return len(mine)
