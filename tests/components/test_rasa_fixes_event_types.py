"""components.rasa_fixes.event_types (fix 2): event classes looked up by type name from an
index must be the classes Rasa's own walk of the Event class tree picks."""
from __future__ import annotations

import pytest

from components.rasa_fixes.event_types import install_event_type_index


@pytest.fixture
def indexed_events(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import Event

    stock = Event.resolve_by_type
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(stock))  # restored afterwards
    install_event_type_index()
    return stock


def test_every_event_type_resolves_to_the_class_rasa_picks(indexed_events) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for _ in range(2):  # the first lookup fills the index, the second answers from it
        for name in names:
            assert Event.resolve_by_type(name) is indexed_events(name)
    assert Event.resolve_by_type("no such event", UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")
    assert Event.resolve_by_type("no such event", UserUttered) is UserUttered


def test_stored_events_still_load_into_a_tracker(indexed_events) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_listen"), UserUttered("hole", {"name": "report_problem"}),
              SlotSet("category", "pothole"), ActionExecuted("report_form")]
    tracker = DialogueStateTracker.from_dict("citizen", [e.as_dict() for e in events], [])
    assert [type(event) for event in tracker.events] == [type(event) for event in events]
    assert tracker.latest_message.text == "hole"
