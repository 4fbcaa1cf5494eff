"""Outbound SMS through Twilio's REST API, and the Rasa output channel that uses it.

Replies never ride on the webhook's TwiML answer: the webhook is acknowledged at once and the
turn's replies are sent by `messages.create` from the background turn. Before every send the
number's opt-out is checked; a send that fails goes to the outbox (bot.outbox), whose
dispatcher retries it with backoff, in order, so a Twilio hiccup never loses a reply.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional

from rasa.core.channels.channel import OutputChannel
from requests.exceptions import ReadTimeout
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot import outbox, sms_text
from bot.clock import utc_naive
from bot.db import session_scope
from bot.logs import log_event
from bot.outbox_dispatch import PermanentSendFailure
from bot.settings import get_settings
from channels import sms_store

log = logging.getLogger(__name__)

CHANNEL = "sms"
# Twilio errors that will not go away on retry: invalid/unreachable "To", unsubscribed recipient.
PERMANENT_ERRORS = {21211, 21212, 21214, 21408, 21610, 21612, 21614}
OPTED_OUT_ERROR = 21610  # the carrier says the number sent STOP to us


@dataclass(frozen=True)
class TwilioConfig:
    """What sending needs; from settings (channels/sms.py builds it)."""

    account_sid: str
    auth_token: str
    from_number: str
    api_base_url: str = "https://api.twilio.com"
    timeout_seconds: float = 10.0


class TwilioSender:
    """`send(to, body, payload) -> MessageSid` over twilio's own Client; blocking (use a thread)."""

    def __init__(self, config: TwilioConfig, client: Optional[Client] = None) -> None:
        self.config = config
        self._client = client

    @property
    def client(self) -> Client:
        """Created on first use (never at import), pointed at the configured API base URL."""
        if self._client is None:
            http = TwilioHttpClient(timeout=self.config.timeout_seconds)
            client = Client(self.config.account_sid, self.config.auth_token, http_client=http)
            client.api.base_url = self.config.api_base_url.rstrip("/")
            self._client = client
        return self._client

    def __call__(self, to: str, body: str, payload: Optional[Mapping[str, Any]] = None) -> str:
        """Send one message; PermanentSendFailure for errors a retry cannot fix."""
        try:
            message = self.client.messages.create(to=to, from_=self.config.from_number, body=body)
        except TwilioRestException as exc:
            if exc.code in PERMANENT_ERRORS:
                if exc.code == OPTED_OUT_ERROR:
                    sms_store.record_carrier_opt_out(to)
                raise PermanentSendFailure(f"twilio error {exc.code}") from exc
            raise
        return str(message.sid)


Send = Callable[[str, str, Mapping[str, Any]], str]


class SmsOutput(OutputChannel):
    """Sends one turn's replies to one number; keeps them (with options) as `messages`.

    turns.TurnRunner stores `messages` on the inbound row: that is the transcript, and where
    the next message's "1" finds its options (bot.sms_options).
    """

    def __init__(self, send: Send, inbound_id: Optional[int], max_segments: int = 3) -> None:
        self.send = send
        self.inbound_id = inbound_id
        self.max_segments = max_segments
        self.messages: List[Dict[str, Any]] = []
        self._queued = False  # once a send failed, the rest go through the outbox, in order

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, [])

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        reply = self.as_sent(recipient_id, text, buttons)
        await self._deliver(recipient_id, reply["text"], text, reply["options"])

    async def send_quick_replies(self, recipient_id: str, text: str,
                                 quick_replies: List[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._deliver(recipient_id, image, image, [])

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._deliver(recipient_id, attachment, attachment, [])

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any],
                               **kwargs: Any) -> None:
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if text:
            await self.send_text_message(recipient_id, str(text))

    def as_sent(self, recipient: str, text: Optional[str],
                buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
        """The record of one reply as this output sends it (crash recovery rebuilds it from
        the tracker, without sending anything)."""
        body = sms_text.render_reply(text, buttons)
        options = [option.as_dict() for option in sms_text.numbered_options(buttons)]
        return {"recipient_id": recipient, "text": body, "options": options,
                "parts": len(sms_text.split_message(body, self.max_segments))}

    async def _deliver(self, recipient: str, body: str, text: str,
                       options: List[Dict[str, Any]]) -> None:
        """Split to fit SMS and send each part; remember what was said either way."""
        parts = sms_text.split_message(body, self.max_segments)
        self.messages.append({"recipient_id": recipient, "text": body, "options": options,
                              "parts": len(parts)})
        for index, part in enumerate(parts):
            await self._send_part(recipient, part, len(self.messages) - 1, index)

    async def _send_part(self, recipient: str, body: str, reply: int, part: int) -> None:
        key = f"sms-reply:{self.inbound_id}:{reply}:{part}"
        if self._queued:
            await asyncio.to_thread(sms_store.queue_reply, recipient, body, key)
            return
        if await asyncio.to_thread(sms_store.opted_out, recipient):
            log_event(log, "sms.reply.suppressed", inbound_id=self.inbound_id, reply=reply)
            return
        started = utc_naive()
        try:
            sid = await asyncio.to_thread(self.send, recipient, body, {})
        except ReadTimeout:  # the request left: Twilio may have taken (and sent) it
            log_event(log, "sms.reply.uncertain", logging.WARNING, inbound_id=self.inbound_id)
            self._queued = True
            await asyncio.to_thread(queue_uncertain_reply, recipient, body, key, started)
            return
        except PermanentSendFailure as exc:
            log_event(log, "sms.reply.refused", logging.WARNING, inbound_id=self.inbound_id,
                      error=str(exc))
            return
        except Exception as exc:  # transient (429, 5xx, network): the outbox retries it
            log_event(log, "sms.reply.deferred", logging.WARNING, inbound_id=self.inbound_id,
                      error=type(exc).__name__)
            self._queued = True
            await asyncio.to_thread(sms_store.queue_reply, recipient, body, key)
            return
        log_event(log, "sms.reply.sent", inbound_id=self.inbound_id, reply=reply, part=part,
                  message_sid=sid)


def queue_uncertain_reply(recipient: str, body: str, dedupe_key: str, started: datetime) -> None:
    """A live reply whose Twilio request timed out: queued as an expired "sending" claim, so
    the dispatcher asks Twilio (messages since about `started`) before it sends it again,
    instead of sending a second copy of a message Twilio already delivered."""
    with session_scope() as session:
        outbox.enqueue_uncertain(session, channel=CHANNEL, recipient=recipient,
                                 language=get_settings().default_language, kind="reply",
                                 body=body, dedupe_key=dedupe_key, attempted_at=started,
                                 error="live reply timed out")
