"""Builders for the action tests: trackers shaped like the ones Rasa sends (metadata on the
user event, the form's candidate slots after its ActionExecuted), and a runner.
"""
from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

Messages = List[Dict[str, Any]]


def user_event(text: str, intent: str = "inform", entities: Optional[List[dict]] = None,
               metadata: Optional[dict] = None, channel: str = "webchat",
               timestamp: Optional[float] = None) -> Dict[str, Any]:
    """A user event as Rasa serialises it (metadata lives here, not in parse data)."""
    parse_data = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                  "entities": list(entities or [])}
    return {"event": "user", "text": text, "parse_data": parse_data, "input_channel": channel,
            "metadata": dict(metadata or {}), "timestamp": timestamp or time.time()}


def bot_event(text: str, response: Optional[str] = None) -> Dict[str, Any]:
    """A bot event as Rasa serialises it, with the response name in its metadata."""
    metadata = {"utter_action": response} if response else {}
    return {"event": "bot", "text": text, "data": {}, "metadata": metadata,
            "timestamp": time.time()}


def action_event(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": time.time()}


def slot_event(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": time.time()}


def make_tracker(*, text: str = "", intent: str = "inform", entities: Optional[List[dict]] = None,
                 metadata: Optional[dict] = None, slots: Optional[Dict[str, Any]] = None,
                 history: Optional[List[dict]] = None, after: Optional[List[dict]] = None,
                 sender_id: Optional[str] = None, channel: str = "webchat",
                 active_loop: Optional[str] = None) -> Tracker:
    """A tracker whose latest message is (text, intent, entities, metadata).

    `history` comes before that message, `after` after it (e.g. the form's candidate slots).
    """
    message = user_event(text, intent, entities, metadata, channel)
    events = list(history or []) + [message] + list(after or [])
    all_slots = {"language": "en", "handoff_offered": False}
    all_slots.update(slots or {})
    latest = dict(message["parse_data"])
    return Tracker(sender_id or f"citizen-{uuid.uuid4().hex[:10]}", all_slots, latest, events,
                   False, None, {"name": active_loop} if active_loop else {}, "action_listen")


def form_tracker(form: str, requested: Optional[str], candidates: Dict[str, Any],
                 **kwargs: Any) -> Tracker:
    """The temporary tracker Rasa's FormAction sends to validate_<form>: the message, then
    requested_slot, the form's ActionExecuted and the slot candidates."""
    slots = dict(kwargs.pop("slots", None) or {})
    slots["requested_slot"] = requested
    slots.update(candidates)
    after = [slot_event("requested_slot", requested), action_event(form)]
    after += [slot_event(name, value) for name, value in candidates.items()]
    return make_tracker(slots=slots, after=after, active_loop=form, **kwargs)


def run_action(action: Action, tracker: Tracker,
               domain: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], Messages]:
    """Run an action the way the SDK does; returns its events and its messages.

    The action gets the domain only if Rasa would send it (endpoints.yml enables selective
    domain), so an action that starts reading the domain fails here until domain/ marks it.
    Every message is checked against the domain: the response exists and each of its
    {placeholders} is given by the action or is a slot, as Rasa needs to fill it.
    """
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain_sent_to(action.name(), domain)))
    for message in dispatcher.messages:
        assert_fillable(message, domain)
    return list(events), dispatcher.messages


def domain_sent_to(action_name: str, domain: Dict[str, Any]) -> Dict[str, Any]:
    """What the action server receives as the domain for `action_name`: all of it for the
    actions Rasa sends it to (marked `send_domain: true`, or a validate_ action), else {}."""
    receivers = Domain._collect_actions_which_explicitly_need_domain(domain["actions"])
    return domain if action_name in receivers else {}


_PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")


def assert_fillable(message: Dict[str, Any], domain: Dict[str, Any]) -> None:
    """The response is in the domain and none of its placeholders would stay unfilled."""
    name = message.get("response")
    assert "template" not in message or message["template"] == name
    assert name in domain["responses"], f"{name} is not a response in domain/"
    for variation in domain["responses"][name]:
        for placeholder in _PLACEHOLDER.findall(variation.get("text") or ""):
            assert placeholder in message or placeholder in domain["slots"], (
                f"{name} needs {{{placeholder}}}, which the action did not give")


def responses(messages: Messages) -> List[str]:
    """The response names the action uttered, in order."""
    return [message.get("response") for message in messages]


def slot_values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The last value each SlotSet event gave, by slot."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def follow_on_webchat(reference: str, sender_id: str) -> None:
    """Make a web chat conversation follow a case, as accepting the duplicate offer does."""
    from bot.cases import find_case
    from bot.db import session_scope
    from bot.followers import follow_case

    with session_scope() as session:
        follow_case(session, find_case(session, reference), channel="webchat",
                    sender_id=sender_id, contact=None, language="en")
