"""Rasa's HTTP API as the console uses it: pause and resume a conversation, set a slot, say
whether the citizen is in the middle of a form, and make their next message the answer to a
caseworker's question.

Rasa runs with `--enable-api` (scripts/run_assistant.py); every call appends one event to the
conversation's tracker (POST /conversations/{sender_id}/tracker/events), which is what Rasa's
own human-handoff recipe does: while `ConversationPaused` is the latest pause/resume event the
bot predicts nothing, so only the caseworker answers; `ConversationResumed` gives it back.

Failures raise RasaUnavailable with a sentence staff can act on; callers decide whether the
change that needed Rasa is undone (a claim) or not made (a hand back).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import httpx

from bot.errors import CivicError
from bot.logs import log_event

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class RasaUnavailable(CivicError):
    """Rasa could not be reached, or refused the event; the conversation is unchanged."""

    def __init__(self, action: str, detail: str) -> None:
        super().__init__(f"the assistant could not {action}: {detail}")
        self.action = action
        self.detail = detail


class RasaClient:
    """A small async client; one per request (cheap), closed when the call ends."""

    def __init__(self, base_url: str, token: Optional[str] = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 transport: Optional[httpx.AsyncBaseTransport] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = transport  # tests may pass httpx.MockTransport

    async def pause(self, sender_id: str) -> None:
        """Stop the bot answering this conversation (a caseworker has taken it)."""
        await self._append(sender_id, {"event": "pause"}, "pause the conversation")

    async def resume(self, sender_id: str) -> None:
        """Let the bot answer this conversation again (handed back)."""
        await self._append(sender_id, {"event": "resume"}, "resume the conversation")

    async def set_slot(self, sender_id: str, name: str, value: Any) -> None:
        """Tell the dialogue something the console knows (e.g. the case awaiting a fix answer)."""
        await self._append(sender_id, {"event": "slot", "name": name, "value": value},
                           f"set the slot {name}")

    async def expect_answer(self, sender_id: str, events: List[Dict[str, Any]]) -> bool:
        """Append the events that make the next message an answer, unless the citizen is in
        the middle of another form (their report must not be cut short) or a caseworker holds
        the conversation; whether they were appended."""
        state = await self._state(sender_id)
        if state.get("paused") or _form_of(state):
            return False
        await self._append(sender_id, events, "expect the citizen's answer")
        return True

    async def in_a_form(self, sender_id: str) -> bool:
        """Whether the assistant is in the middle of a form with the citizen (a report, say)
        and no caseworker holds the conversation: their next messages belong to that form."""
        state = await self._state(sender_id)
        return not state.get("paused") and bool(_form_of(state))

    async def _state(self, sender_id: str) -> Dict[str, Any]:
        """The conversation's current state (slots, active form, paused), without its events."""
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/tracker"
        params = {"include_events": "NONE", **({"token": self.token} if self.token else {})}
        action = "read the conversation"
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                answer = await client.get(url, params=params)
        except httpx.HTTPError as error:
            raise RasaUnavailable(action, f"{type(error).__name__} reaching {self.base_url}") from error
        if answer.status_code >= 300:
            raise RasaUnavailable(action, f"Rasa answered HTTP {answer.status_code}")
        return dict(answer.json() or {})

    async def _append(self, sender_id: str, event: Any, action: str) -> None:
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/tracker/events"
        params = {"token": self.token} if self.token else None
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                answer = await client.post(url, json=event, params=params)
        except httpx.HTTPError as error:
            log_event(log, "rasa.event.unreachable", logging.WARNING, rasa_event=_kind(event),
                      error=type(error).__name__)
            raise RasaUnavailable(action, f"{type(error).__name__} reaching {self.base_url}") from error
        if answer.status_code >= 300:
            log_event(log, "rasa.event.refused", logging.WARNING, rasa_event=_kind(event),
                      status=answer.status_code)
            raise RasaUnavailable(action, f"Rasa answered HTTP {answer.status_code}")
        log_event(log, "rasa.event.appended", rasa_event=_kind(event))


def _form_of(state: Dict[str, Any]) -> Optional[str]:
    return (state.get("active_loop") or {}).get("name")


def _kind(event: Any) -> str:
    """The event's type for the log ("slot"), or the types of a list of them."""
    if isinstance(event, list):
        return ",".join(str(item.get("event")) for item in event)
    return str(event.get("event"))
