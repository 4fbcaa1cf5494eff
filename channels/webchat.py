"""Citizen web chat: a Rasa input channel serving its own page under /webhooks/webchat/.

Enable it in credentials.yml:

    channels.webchat.WebChatInput:
      max_text_chars: 2000            # optional; default settings.max_message_chars
      in_flight_timeout_seconds: 60   # optional; how long a resend waits for the first attempt

Delivery promise: a message is recorded durably (bot.inbound) before the turn runs, and the
replies are stored with it; a resend with the same client_message_id gets the stored replies
and never runs the turn twice. The handlers only translate HTTP to these steps and back.

Messages the city sends later (a caseworker's reply, a case update) arrive through the outbox:
the dispatcher (channels/dispatcher.py) marks them sent, and the open page polls GET /updates
with its cursor (the last outbox id it showed) to show them without a reload; GET /history
includes them, in time order, after a reload.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clock import utc_naive
from bot.errors import AttachmentRejected, DatabaseUnavailable, InvalidInput
from bot.sender_limits import BLOCKED, LIMITED_DAY, SenderRefused, notice_text
from bot.logs import format_event, log_event
from bot.settings import get_settings
from channels import webchat_page, webchat_store
from channels.action_health import action_server_down, apology_text
from channels.readiness import assistant_ready
from channels.webchat_store import RecordedMessage
from channels.webchat_messages import (CHANNEL, BodyTooLarge, MessageRequest, load_json_body,
                                       parse_cursor, parse_message_request, parse_session_id,
                                       reply_view)
from channels.webchat_uploads import read_upload, rejection_message, rejection_status

log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Handler = Callable[..., Awaitable[HTTPResponse]]
DB_DOWN_MESSAGE = ("The service is temporarily unavailable and nothing was recorded. "
                   "Please try again in a few minutes.")
TURN_FAILED_MESSAGE = "The assistant could not answer just now. Please try again."
NOT_READY_MESSAGE = "The assistant is starting up. Please try again in a minute."
BLOCKED_MESSAGE = "This chat cannot take messages. Please contact the city by phone or email."


def json_error(message: str, status: int) -> HTTPResponse:
    """Every error the page can show: one JSON shape, a sentence a citizen can read."""
    return response.json({"error": message}, status=status)


def _mapped_errors(handler: Handler) -> Handler:
    """Map the core's named errors to HTTP statuses in one place; bad input is never a 5xx."""

    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except BodyTooLarge as exc:
            return json_error(str(exc), 413)
        except InvalidInput as exc:
            return json_error(str(exc), 400)
        except AttachmentRejected as exc:
            log_event(log, "webchat.photo.rejected", status=rejection_status(exc))
            return json_error(rejection_message(exc), rejection_status(exc))
        except DatabaseUnavailable:
            log_event(log, "webchat.database_unavailable", logging.ERROR, path=request.path)
            return json_error(DB_DOWN_MESSAGE, 503)
        except SenderRefused as exc:
            return refusal_response(exc)

    wrapped.__name__ = handler.__name__
    return wrapped


def refusal_response(exc: SenderRefused) -> HTTPResponse:
    """A refused message is the page's own request, so it is told every time (the page shows
    it as a notice, not as a bot message): 429 with Retry-After over a limit, 403 when blocked."""
    log_event(log, "webchat.message.refused", status=exc.status)
    if exc.status == BLOCKED:
        return json_error(BLOCKED_MESSAGE, 403)
    retry_after = "3600" if exc.status == LIMITED_DAY else "60"
    return response.json({"error": notice_text(exc.status, None)}, status=429,
                         headers={"Retry-After": retry_after})


class WebChatInput(InputChannel):
    """The web chat channel; its blueprint holds the page, the message API and uploads."""

    def __init__(self, max_text_chars: Optional[int] = None, in_flight_timeout_seconds: float = 60.0,
                 clock: Callable[[], datetime] = utc_naive) -> None:
        self.max_text_chars = int(max_text_chars or get_settings().max_message_chars)
        self.in_flight_timeout_seconds = float(in_flight_timeout_seconds)
        self.clock = clock
        self._in_flight: Set[str] = set()  # external ids whose turn runs in this process

    @classmethod
    def name(cls) -> str:
        """Routes live under /webhooks/webchat/."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WebChatInput":
        """Settings from credentials.yml; an empty entry uses the defaults."""
        credentials = credentials or {}
        return cls(
            max_text_chars=credentials.get("max_text_chars"),
            in_flight_timeout_seconds=credentials.get("in_flight_timeout_seconds", 60.0),
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The routes; each handler is a few lines over the functions below."""
        bp = Blueprint("webchat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return self.page_response(request.path.rstrip("/"))

        @bp.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return await self.static_response(name)

        @bp.route("/message", methods=["POST"])
        @_mapped_errors
        async def message(request: Request) -> HTTPResponse:
            body = load_json_body(request.body, max_bytes=self.max_text_chars * 8 + 8192)
            if not assistant_ready(request):
                return json_error(NOT_READY_MESSAGE, 503)  # nothing recorded; the page retries
            return await self.receive(parse_message_request(body, self.max_text_chars),
                                      on_new_message, request.app)

        @bp.route("/history", methods=["GET"])
        @_mapped_errors
        async def history(request: Request) -> HTTPResponse:
            session_id = parse_session_id(request.args.get("session_id"))
            lines = await asyncio.to_thread(webchat_store.load_transcript, session_id)
            return response.json({"session_id": session_id, "lines": lines})

        @bp.route("/updates", methods=["GET"])
        @_mapped_errors
        async def updates(request: Request) -> HTTPResponse:
            return await self.updates_response(request)

        @bp.route("/upload", methods=["POST"])
        @_mapped_errors
        async def upload(request: Request) -> HTTPResponse:
            photo = read_upload(request, get_settings().max_photo_bytes)
            attachment_id = await asyncio.to_thread(webchat_store.save_photo, *photo)
            log_event(log, "webchat.photo.stored", session=photo[0], attachment=attachment_id)
            return response.json({"attachment_id": attachment_id})

        return bp

    async def updates_response(self, request: Request) -> HTTPResponse:
        """Messages the city sent this session (outbox) after the page's cursor; polled."""
        session_id = parse_session_id(request.args.get("session_id"))
        after = parse_cursor(request.args.get("after"))
        messages = await asyncio.to_thread(webchat_store.load_updates, session_id, after)
        cursor = messages[-1]["outbox_id"] if messages else after
        return response.json({"session_id": session_id, "messages": messages, "cursor": cursor},
                             headers={"Cache-Control": "no-store"})

    def page_response(self, base: str) -> HTTPResponse:
        """The chat page for this deployment's city and limits."""
        settings = get_settings()
        page = webchat_page.render_page(base=base, city_name=settings.city_name,
                                        max_text_chars=self.max_text_chars,
                                        max_photo_bytes=settings.max_photo_bytes)
        return response.html(page, headers=webchat_page.SECURITY_HEADERS)

    async def static_response(self, name: str) -> HTTPResponse:
        """One of the page's own files, or 404."""
        try:
            path = webchat_page.static_file(name)
        except KeyError:
            return json_error("Not found.", 404)
        return await response.file(path, mime_type=webchat_page.STATIC_FILES[name],
                                   headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    async def receive(self, message: MessageRequest, on_new_message: OnNewMessage,
                      app: Any = None) -> HTTPResponse:
        """Record first, then answer: stored replies, 'still processing', or a new turn."""
        recorded = await asyncio.to_thread(webchat_store.record_message, message, self.clock())
        log_event(log, "webchat.message.received", session=message.session_id,
                  client_message_id=message.client_message_id, new=recorded.is_new,
                  status=recorded.status)
        if recorded.status == "processed":
            return response.json({"replies": recorded.replies or []})
        if not recorded.is_new and self._still_running(message.external_id, recorded):
            return response.json({"status": "processing"}, status=202)
        try:
            replies = await self.run_turn(message, on_new_message)
        except Exception:  # the turn is Rasa's; whatever broke, the citizen may resend
            log.exception(format_event("webchat.turn.failed", session=message.session_id,
                                       client_message_id=message.client_message_id))
            await self._mark_failed(message, recorded.inbound_id)
            return json_error(TURN_FAILED_MESSAGE, 500)
        if not replies and app is not None and await action_server_down(app):
            # Rasa swallowed a failed action call: say so instead of leaving the citizen waiting
            replies = [reply_view({"text": apology_text(message.text, message.metadata.get("language"))})]
        await self._store_replies(message, recorded.inbound_id, replies)
        return response.json({"replies": replies})

    def _still_running(self, external_id: str, recorded: RecordedMessage) -> bool:
        """Is an earlier attempt of this message probably still in its turn (here or elsewhere)?

        A failed attempt, or one older than the timeout (its replica died mid-turn), is rerun.
        """
        if external_id in self._in_flight:
            return True
        if recorded.status == "failed":
            return False
        age = (self.clock() - recorded.received_at).total_seconds()
        return age < self.in_flight_timeout_seconds

    async def run_turn(self, message: MessageRequest, on_new_message: OnNewMessage) -> List[Dict[str, Any]]:
        """Hand the message to Rasa and collect what the assistant says."""
        collector = CollectingOutputChannel()
        user_message = UserMessage(message.text, collector, sender_id=message.session_id,
                                   input_channel=CHANNEL, metadata=message.metadata)
        self._in_flight.add(message.external_id)
        try:
            await on_new_message(user_message)
        finally:
            self._in_flight.discard(message.external_id)
        return [reply_view(reply) for reply in collector.messages]

    async def _mark_failed(self, message: MessageRequest, inbound_id: int) -> None:
        """Best effort: if the database is gone too, the in-flight timeout still allows a rerun."""
        try:
            if not await asyncio.to_thread(webchat_store.mark_turn_failed, inbound_id,
                                           self.clock()):
                log_event(log, "webchat.failure.not_stored", reason="message_erased",
                          inbound_id=inbound_id)
        except DatabaseUnavailable:
            log_event(log, "webchat.failure.not_stored", logging.ERROR, session=message.session_id,
                      client_message_id=message.client_message_id)

    async def _store_replies(self, message: MessageRequest, inbound_id: int,
                             replies: List[Dict[str, Any]]) -> None:
        """The citizen still gets the answer if storing it fails; a resend would then rerun.
        A message erased during its own turn (it asked for the citizen's data to be deleted)
        has nowhere to keep the answer: the citizen still gets it, and nothing is written."""
        try:
            stored = await asyncio.to_thread(webchat_store.store_replies, inbound_id, replies,
                                             self.clock())
        except DatabaseUnavailable:
            log_event(log, "webchat.replies.not_stored", logging.ERROR, session=message.session_id,
                      client_message_id=message.client_message_id)
            return
        if not stored:
            log_event(log, "webchat.replies.not_stored", reason="message_erased",
                      inbound_id=inbound_id)
            return
        log_event(log, "webchat.message.answered", session=message.session_id,
                  client_message_id=message.client_message_id, replies=len(replies))
