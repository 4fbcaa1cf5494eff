"""Telegram: a Rasa input channel for the Bot API in webhook mode, at /webhooks/telegram/webhook.

Enable it in credentials.yml (token and secret default to the settings TELEGRAM_TOKEN and
TELEGRAM_WEBHOOK_SECRET; register the webhook with `python -m channels.telegram_cli set-webhook`):

    channels.telegram.TelegramInput:
      token: null            # optional (TELEGRAM_TOKEN)
      webhook_secret: null   # optional (TELEGRAM_WEBHOOK_SECRET)
      api_base_url: null     # optional (TELEGRAM_API_BASE_URL, default https://api.telegram.org)

Delivery promise (channels/turns.py): an update is recorded under its update_id before the
webhook answers 200; a replayed update is acknowledged and not processed again; the turn runs
in the background and its replies are sent through the Bot API within Telegram's rate
limits. A request without the right secret header gets 403 and nothing is recorded; a body
that is not an update gets 400, never a 5xx; a database outage gets 503 so Telegram retries.
"""
from __future__ import annotations

import hmac
import logging
import time
from datetime import datetime
from typing import Any, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot
from telegram.error import TelegramError

from bot.clock import utc_naive
from bot.errors import AttachmentRejected, DatabaseUnavailable, InvalidInput
from bot.logs import log_event, quiet_client_libraries
from bot.settings import get_settings
from bot.shared_ratelimit import telegram_limiter
from channels.readiness import assistant_ready
from channels.telegram_http import AiohttpRequest
from channels.telegram_output import (KEY_PREFIX, PayloadKeys, Sleep, TelegramOutput,
                                      TelegramSender)
from channels.telegram_photos import fetch_photo, rejection_reply, store_photo
from channels.telegram_updates import CHANNEL, PROVIDER_KEY, parse_turn
from channels.turns import InboundTurn, OnNewMessage, TurnRunner

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OVERALL_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
EXPIRED_BUTTON_MESSAGE = "That button has expired. Please type your answer instead."
TURN_FAILED_MESSAGE = "Sorry, I could not answer just now. Please send your message again."
PHOTO_NOT_FETCHED_MESSAGE = "Sorry, I could not receive that photo. Please send it again."


def make_bot(token: str, api_base_url: str) -> Bot:
    """A Bot talking to `api_base_url` (Telegram, or a local fake in tests)."""
    base = api_base_url.rstrip("/")
    return Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
               request=AiohttpRequest())


class TelegramInput(InputChannel):
    """The Telegram webhook; replies go back through the Bot API (TelegramOutput)."""

    def __init__(self, token: Optional[str] = None, webhook_secret: Optional[str] = None,
                 api_base_url: Optional[str] = None, sleep: Optional[Sleep] = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 clock: Callable[[], datetime] = utc_naive) -> None:
        settings = get_settings()
        self.token = token or settings.telegram_token
        self.webhook_secret = webhook_secret or settings.telegram_webhook_secret
        self.api_base_url = api_base_url or settings.telegram_api_base_url
        self.max_text_chars = settings.max_message_chars
        self.sleep, self.monotonic = sleep, monotonic
        self.keys = PayloadKeys(shared=True)
        self._sender: Optional[TelegramSender] = None  # created on the server's event loop
        self.runner = TurnRunner(CHANNEL, self._output_for, clock=clock,
                                 stale_after_seconds=settings.telegram_stale_turn_seconds)

    @classmethod
    def name(cls) -> str:
        """Routes live under /webhooks/telegram/."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TelegramInput":
        """credentials.yml values win; missing ones come from the settings."""
        credentials = credentials or {}
        quiet_client_libraries()
        return cls(token=credentials.get("token"), webhook_secret=credentials.get("webhook_secret"),
                   api_base_url=credentials.get("api_base_url"))

    @property
    def sender(self) -> TelegramSender:
        """The Bot and its rate limits, made on first use (never at import or start-up)."""
        if self._sender is None:
            if not self.token:
                raise RuntimeError("TELEGRAM_TOKEN is not set")
            limiter = telegram_limiter(OVERALL_PER_SECOND, PER_CHAT_PER_SECOND,
                                       get_settings().rate_limit_redis_url, clock=self.monotonic)
            bot = make_bot(self.token, self.api_base_url)
            self._sender = (TelegramSender(bot, limiter, self.sleep) if self.sleep
                            else TelegramSender(bot, limiter))
        return self._sender

    def _output_for(self, turn: InboundTurn) -> TelegramOutput:
        return TelegramOutput(self.sender, self.keys)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """POST /webhook for updates; GET / says whether the channel is configured."""
        bp = Blueprint("telegram_webhook", __name__)
        handler = self.turn_handler(on_new_message)
        self.runner.install_recovery(bp, handler)
        if not (self.token and self.webhook_secret):
            log_event(log, "telegram.not_configured", logging.WARNING,
                      token=bool(self.token), secret=bool(self.webhook_secret))

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token and self.webhook_secret
                                  else "not configured"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, handler)

        @bp.listener("after_server_stop")
        async def close_bot(_app: Any, _loop: Any) -> None:
            if self._sender is not None:  # close the connections kept to the Bot API
                await self._sender.bot.request.shutdown()

        return bp

    def secret_matches(self, request: Request) -> bool:
        """Constant-time check of the secret Telegram echoes from setWebhook."""
        given = request.headers.get(SECRET_HEADER)
        if not self.webhook_secret or given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.webhook_secret.encode("utf-8"))

    async def receive(self, request: Request, handler: OnNewMessage) -> HTTPResponse:
        """Check, parse, record; 200 only once the update is durably recorded."""
        if not self.token:
            return response.json({"error": "telegram is not configured"}, status=404)
        if not self.secret_matches(request):
            log_event(log, "telegram.webhook.forbidden", logging.WARNING)
            return response.json({"error": "forbidden"}, status=403)
        self.runner.ensure_recovered(handler)
        self.runner.watch_assistant(request.app)
        try:
            turn = parse_turn(request.body, self.sender.bot, self.max_text_chars)
        except InvalidInput as error:
            log_event(log, "telegram.webhook.malformed", logging.WARNING, reason=str(error))
            return response.json({"error": "not a Telegram update"}, status=400)
        if turn is None:
            log_event(log, "telegram.update.ignored")
            return response.json({})
        if not assistant_ready(request):
            log_event(log, "telegram.assistant_not_ready", logging.ERROR)
            return response.json({"error": "try again later"}, status=503)
        try:
            await self.runner.accept(await self._resolved(turn), handler)
        except DatabaseUnavailable:
            log_event(log, "telegram.database_unavailable", logging.ERROR)
            return response.json({"error": "try again later"}, status=503)
        return response.json({})

    async def _resolved(self, turn: InboundTurn) -> InboundTurn:
        """A pressed button's short key becomes its payload, wherever it was sent from."""
        payload = await self.keys.payload(turn.text or "") if (turn.text or "").startswith(KEY_PREFIX) else None
        if payload is None:
            return turn
        return InboundTurn(channel=turn.channel, external_id=turn.external_id,
                           sender_id=turn.sender_id, text=payload, metadata=turn.metadata)

    def turn_handler(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Telegram's part of a turn (callback answer, photo fetch), then Rasa's."""

        async def handle(message: UserMessage) -> None:
            metadata = dict(message.metadata or {})
            extra = metadata.pop(PROVIDER_KEY, None) or {}
            output = message.output_channel
            if extra.get("callback_query_id"):
                await self._answer_callback(str(extra["callback_query_id"]))
            if (message.text or "").startswith(KEY_PREFIX):
                await output.send_text_message(message.sender_id, EXPIRED_BUTTON_MESSAGE)
                return
            if extra.get("photo"):
                attachment_id = await self._photo_attachment(message.sender_id, extra["photo"], output)
                if attachment_id is None:
                    return
                metadata["attachments"] = [attachment_id]
            await self._assistant_turn(on_new_message, UserMessage(
                message.text, output, message.sender_id, input_channel=CHANNEL, metadata=metadata,
                message_id=message.message_id))

        return handle

    async def _assistant_turn(self, on_new_message: OnNewMessage, message: UserMessage) -> None:
        """Rasa's turn; if it breaks, the citizen is told before the runner marks it failed."""
        try:
            await on_new_message(message)
        except Exception:
            try:
                await message.output_channel.send_text_message(message.sender_id, TURN_FAILED_MESSAGE)
            except TelegramError as error:
                log_event(log, "telegram.apology.not_sent", logging.WARNING,
                          error=type(error).__name__)
            raise

    async def _answer_callback(self, query_id: str) -> None:
        """Stops the button's spinner; a stale query is not worth failing the turn for."""
        try:
            await self.sender.bot.answer_callback_query(query_id)
        except TelegramError as error:
            log_event(log, "telegram.callback.not_answered", logging.WARNING,
                      error=type(error).__name__)

    async def _photo_attachment(self, sender_id: str, photo: Dict[str, Any],
                                output: Any) -> Optional[str]:
        """The stored photo's id, or None after telling the citizen why it was not kept."""
        max_bytes = get_settings().max_photo_bytes
        file_id, size = str(photo.get("file_id")), photo.get("file_size")
        try:
            data = await fetch_photo(self.sender.bot, file_id,
                                     size if isinstance(size, int) else None, max_bytes)
            attachment_id = await store_photo(sender_id, data, file_id)
        except AttachmentRejected as error:
            log_event(log, "telegram.photo.rejected", reason=error.reason)
            await output.send_text_message(sender_id, rejection_reply(error, max_bytes))
            return None
        except TelegramError as error:  # the file expired or the Bot API failed to serve it
            log_event(log, "telegram.photo.not_fetched", logging.WARNING, error=type(error).__name__)
            await output.send_text_message(sender_id, PHOTO_NOT_FETCHED_MESSAGE)
            return None
        log_event(log, "telegram.photo.stored", attachment=attachment_id)
        return attachment_id
