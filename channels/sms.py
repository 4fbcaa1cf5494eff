"""SMS (and MMS photos) through Twilio: a Rasa input channel with signed webhooks.

Enable it in credentials.yml (the Twilio account comes from settings / environment):

    channels.sms.SmsInput:

Twilio calls POST /webhooks/sms/webhook for each message and /webhooks/sms/status for
delivery reports. Both are checked against X-Twilio-Signature computed over the *public*
URL (settings.sms_public_url + path), so the check holds behind a TLS-terminating proxy;
a bad signature gets 403 and nothing is written. The message is recorded before the empty
TwiML answer (MessageSid is the idempotency key; channels/turns.py), its turn runs in the
background and the replies go out through the REST API (channels/sms_output.py).
STOP/START/HELP and their synonyms are handled here and never reach the assistant, except
"yes" from a number that has not opted out: that answers the assistant's question.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import optouts, sms_text
from bot.clock import utc_naive
from bot.errors import DatabaseUnavailable
from bot.logs import log_event, quiet_client_libraries
from bot.settings import get_settings
from channels.readiness import assistant_ready
from channels import sms_media, sms_store
from channels.sms_output import CHANNEL, SmsOutput, TwilioConfig, TwilioSender
from channels.sms_request import Params, language_hint, parse_form, signature_is_valid
from channels.turns import InboundTurn, OnNewMessage, TurnRunner

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_BODY_BYTES = 64 * 1024  # a Twilio webhook is a few KB; anything bigger is not Twilio
MAX_SID_CHARS = 64  # Twilio's are 34 ("SM" + 32 hex); the column holds 200
MAX_ADDRESS_CHARS = 120  # the width of inbound_messages.sender_id and opt_outs.address
WEBHOOK_PATH, STATUS_PATH = "/webhooks/sms/webhook", "/webhooks/sms/status"
Send = Callable[[str, str, Mapping[str, Any]], str]


def twiml() -> HTTPResponse:
    """The empty answer: the replies go through the REST API."""
    return response.text(EMPTY_TWIML, content_type="text/xml")


class SmsInput(InputChannel):
    """The SMS channel: webhook, status callbacks, keyword handling, background turns."""

    def __init__(self, auth_token: str, public_url: str, send: Send,
                 fetch_media: sms_media.Fetch, max_segments: int = 3,
                 clock: Callable[[], datetime] = utc_naive,
                 stale_after_seconds: float = 300.0) -> None:
        self.auth_token = auth_token
        self.public_url = public_url.rstrip("/")
        self.send = send
        self.fetch_media = fetch_media
        self.max_segments = max_segments
        self.clock = clock
        self.runner = TurnRunner(CHANNEL, self._output_for, clock=clock,
                                 stale_after_seconds=stale_after_seconds)
        self._background: set = set()
        self.enabled = bool(auth_token and public_url)

    @classmethod
    def name(cls) -> str:
        """Routes live under /webhooks/sms/."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "SmsInput":
        """The Twilio account and public URL come from settings (credentials may override).

        Without them the channel stays registered but disabled: its routes answer 404 and a
        warning says what is missing, so `make run` works without a Twilio account.
        """
        settings, credentials = get_settings(), credentials or {}
        quiet_client_libraries()
        config = TwilioConfig(
            account_sid=credentials.get("account_sid") or settings.twilio_account_sid or "",
            auth_token=credentials.get("auth_token") or settings.twilio_auth_token or "",
            from_number=credentials.get("from_number") or settings.twilio_from_number or "",
            api_base_url=settings.twilio_api_base_url)
        public_url = credentials.get("public_url") or settings.sms_public_url or ""
        missing = [name.upper() for name, value in (
            ("twilio_account_sid", config.account_sid), ("twilio_auth_token", config.auth_token),
            ("twilio_from_number", config.from_number), ("sms_public_url", public_url)) if not value]
        if missing:
            log_event(log, "sms.disabled", logging.WARNING, missing=",".join(missing))
            return cls.disabled()
        return cls(config.auth_token, public_url, TwilioSender(config),
                   sms_media.HttpMediaFetcher(config.account_sid, config.auth_token,
                                              settings.max_photo_bytes),
                   max_segments=settings.sms_max_segments,
                   stale_after_seconds=settings.sms_stale_turn_seconds)

    @classmethod
    def disabled(cls) -> "SmsInput":
        """A channel without a Twilio account: every route answers 404."""
        channel = cls("", "", _no_sender, _no_fetcher)
        channel.enabled = False
        return channel

    def _output_for(self, turn: InboundTurn) -> SmsOutput:
        return SmsOutput(self.send, turn.inbound_id, self.max_segments)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Two POST routes; each is a few lines over the methods below."""
        bp = Blueprint("sms_webhook", __name__)
        prepared = self._prepared(on_new_message)
        if self.enabled:
            # Deferred replies and notifications in the outbox are sent by the outbox
            # dispatcher (python -m channels.dispatcher), its own process, not from here.
            self.runner.install_recovery(bp, prepared)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, WEBHOOK_PATH, prepared)

        @bp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            return await self.receive_status(request, STATUS_PATH)

        return bp

    def verified_params(self, request: Request, path: str) -> Tuple[Optional[Params], int]:
        """(params, 200) for a genuine Twilio request, else (None, the status to answer)."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            return None, 413
        try:
            params = parse_form(request.body or b"")
        except (UnicodeDecodeError, ValueError):
            return None, 400
        url = self.public_url + path + (f"?{request.query_string}" if request.query_string else "")
        if not signature_is_valid(self.auth_token, url, params,
                                  request.headers.get("X-Twilio-Signature")):
            log_event(log, "sms.signature.rejected", logging.WARNING, path=path)
            return None, 403
        return params, 200

    async def receive(self, request: Request, path: str, on_new_message: OnNewMessage) -> HTTPResponse:
        """Verify, record, acknowledge; keywords are answered here, the rest by a turn."""
        if not self.enabled:
            return response.text("", status=404)
        params, status = self.verified_params(request, path)
        if params is None:
            return response.text("", status=status)
        sid, sender = params.first("MessageSid"), params.first("From")
        if not (0 < len(sid) <= MAX_SID_CHARS and 0 < len(sender) <= MAX_ADDRESS_CHARS):
            log_event(log, "sms.webhook.malformed", logging.WARNING)
            return response.text("", status=400)
        text = params.first("Body")
        self.runner.watch_assistant(request.app)
        if not assistant_ready(request):
            log_event(log, "sms.assistant_not_ready", logging.ERROR, message_sid=sid)
            return response.text("", status=503)  # Twilio retries; nothing was recorded
        try:
            keyword = await self._keyword_of(sender, text)
            if keyword is not None:
                await self._keyword(sid, sender, text, keyword)
            else:
                await self.runner.accept(self._turn(params, sid, sender, text), on_new_message)
        except DatabaseUnavailable:
            log_event(log, "sms.database_unavailable", logging.ERROR, message_sid=sid)
            return response.text("", status=503)  # Twilio retries; nothing was recorded
        return twiml()

    def _turn(self, params: Params, sid: str, sender: str, text: str) -> InboundTurn:
        """The message as the assistant gets it; media URLs are fetched when the turn runs."""
        metadata: Dict[str, Any] = {"media": sms_media.media_items(params)}
        hint = language_hint(sender)
        if hint:
            metadata["language"] = hint
        return InboundTurn(channel=CHANNEL, external_id=sid, sender_id=sender,
                           text=text, metadata=metadata)

    @staticmethod
    async def _keyword_of(sender: str, text: str) -> Optional[str]:
        """STOP/START/HELP, or None for a message the assistant answers. "yes" opts back in
        only a number that opted out; to anyone else it is an answer to the question asked."""
        keyword = optouts.keyword_of(text)
        if keyword is not None and optouts.is_also_an_answer(text) \
                and not await asyncio.to_thread(sms_store.opted_out, sender):
            return None
        return keyword

    async def _keyword(self, sid: str, sender: str, text: str, keyword: str) -> None:
        """STOP/START/HELP: recorded and applied before the ack, confirmed in the background."""
        language = language_hint(sender) or get_settings().default_language
        outcome = await asyncio.to_thread(sms_store.handle_keyword, sid, sender, text, keyword,
                                          language, self.clock())
        log_event(log, "sms.keyword", keyword=keyword, message_sid=sid, new=outcome.is_new,
                  replying=outcome.reply is not None)
        if outcome.reply:
            task = asyncio.get_running_loop().create_task(self._confirm(sender, outcome.reply, sid))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _confirm(self, sender: str, body: str, sid: str) -> None:
        """The one message a STOP gets (sent even though the number is now opted out)."""
        try:
            await asyncio.to_thread(self.send, sender, body, {})
        except Exception as exc:  # logged; the citizen's opt-out stands whatever happens here
            log_event(log, "sms.keyword.reply_failed", logging.WARNING, message_sid=sid,
                      error=type(exc).__name__)

    def _prepared(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Before Rasa sees a message: a reply "2" becomes the option's payload, MMS photos
        become attachments (in metadata, as the report form expects)."""

        async def prepared(message: UserMessage) -> Any:
            metadata = message.metadata or {}
            await self._resolve_option(message)
            media = metadata.pop("media", None) or []
            if media:
                ids, refused = await sms_media.fetch_and_store(
                    self.fetch_media, message.sender_id, media)
                metadata["attachments"] = ids
                log_event(log, "sms.media.stored", stored=len(ids), refused=refused)
            message.metadata = metadata
            return await on_new_message(message)

        return prepared

    async def _resolve_option(self, message: UserMessage) -> None:
        inbound_id = getattr(message.output_channel, "inbound_id", None)
        if not sms_text.might_pick_option(message.text):
            return
        options = await asyncio.to_thread(sms_store.offered_options, message.sender_id, inbound_id)
        payload = sms_text.pick_option(message.text, options)
        if payload:
            message.text = payload

    async def receive_status(self, request: Request, path: str) -> HTTPResponse:
        """Delivery reports: verified, logged; a carrier opt-out (21610) is remembered."""
        if not self.enabled:
            return response.text("", status=404)
        params, status = self.verified_params(request, path)
        if params is None:
            return response.text("", status=status)
        error_code = params.first("ErrorCode")
        log_event(log, "sms.status", message_sid=params.first("MessageSid"),
                  status=params.first("MessageStatus"), error_code=error_code or None)
        if error_code == "21610" and 0 < len(params.first("To")) <= MAX_ADDRESS_CHARS:
            try:
                await asyncio.to_thread(sms_store.record_carrier_opt_out, params.first("To"))
            except DatabaseUnavailable:
                return response.text("", status=503)
        return response.empty()


def _no_sender(to: str, body: str, payload: Mapping[str, Any]) -> str:
    raise RuntimeError("the SMS channel is disabled (no Twilio account configured)")


def _no_fetcher(url: str) -> Tuple[bytes, str]:
    raise RuntimeError("the SMS channel is disabled (no Twilio account configured)")
