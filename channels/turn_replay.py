"""Has Rasa already taken this turn? Asked by crash recovery before it runs a turn again.

Every turn's message carries the id `inbound-<row id>` (UserMessage.message_id, which Rasa keeps
on the turn's UserUttered event). Rasa saves a turn's events together when the turn ends; a
process killed after that save but before the inbound row was marked processed leaves a row
that looks unfinished although the citizen was answered. Running it again would put the message
into the conversation twice and answer it twice (the soak saw it once in 200 kills). So
recovery first looks for the message id in the tracker store: if it is there, the turn ran,
and the bot utterances that followed it are what the citizen was told.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

MESSAGE_ID_PREFIX = "inbound-"


def message_id_of(inbound_id: int) -> str:
    """The Rasa message id of the turn of inbound row `inbound_id` (stable across re-runs)."""
    return f"{MESSAGE_ID_PREFIX}{inbound_id}"


async def replies_already_given(app: Any, sender_id: str, message_id: str
                                ) -> Optional[List[Dict[str, Any]]]:
    """What the bot said after the user event `message_id`, if that event is in the sender's
    conversation; None when it is not (the turn never reached Rasa's save: run it)."""
    store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
    if store is None:
        return None
    tracker = await store.retrieve_full_tracker(sender_id)
    events = list(tracker.events) if tracker is not None else []
    start = next((index for index, event in enumerate(events)
                  if isinstance(event, UserUttered) and event.message_id == message_id), None)
    if start is None:
        return None
    replies: List[Dict[str, Any]] = []
    for event in events[start + 1:]:
        if isinstance(event, UserUttered) or (
                isinstance(event, ActionExecuted) and event.action_name == "action_listen"):
            break
        if isinstance(event, BotUttered):
            replies.append({"text": event.text, "buttons": list(event.data.get("buttons") or []),
                            "recovered": True})
    return replies
