"""Rasa turns every stored or received event (a loaded tracker's, an action's) into its class
with Event.resolve_by_type, which walks the whole Event class tree, checking each class for
abstract methods, on every call: about 70 us per event, 5 ms of the event loop per message
with a 70-event tracker. The classes do not change once imported, so each type name's class
is looked up once and kept; unknown names still fall back (or raise) exactly as before.
"""
from __future__ import annotations

from typing import Any, Dict


def install_event_type_index() -> None:
    """Event.resolve_by_type answering from a dict filled by its first answer for each name."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    index: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = index.get(type_name)
        if found is None:
            found = resolve(type_name, default)  # unknown names: the default, None or ValueError
            if found is not None and found is not default:
                index[type_name] = found
        return found

    resolve_by_type.__wrapped__ = resolve  # type: ignore[attr-defined]  (what it wraps)
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]
