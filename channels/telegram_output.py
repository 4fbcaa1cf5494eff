"""Sending to Telegram: the Rasa output channel, within Telegram's rate limits.

Telegram allows about 30 messages a second per bot and one a second per chat, and answers
429 with `retry_after` when a bot goes faster. `TelegramSender` reserves a token of both
(bot.ratelimit; bot.shared_ratelimit when several processes send) before each call and, on a
429, waits as told and sends the same message again: a reply is delayed, never dropped. Time
(`sleep`, `clock`) is injected for tests.

A live reply that still fails (a Bot API 5xx, a network error, a timeout, 429s beyond the
retries) goes to the outbox (bot.outbox), and so does every later reply of the same turn, in
order: the turn completes and the dispatcher sends them with backoff. Queued replies are plain
text (the dispatcher sends no keyboards): button titles are listed under the text. Telegram
cannot be asked what it received, so a reply whose send timed out after Telegram took it is
queued all the same and may arrive twice (at least once, like channels/dispatch_telegram.py).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import uuid
import warnings
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot import button_payloads, outbox
from bot.db import read_scope, session_scope
from bot.errors import DatabaseUnavailable
from bot.logs import log_event
from bot.ratelimit import Limiter
from bot.settings import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
MAX_RETRIES_AFTER_429 = 10
KEY_PREFIX = "k:"


class PayloadKeys:
    """Button payloads longer than callback_data allows, kept under a short stable key.

    With `shared` (the Telegram channel), keys are written to the case database
    (bot.button_payloads), so a press that reaches another replica, or this one after a
    restart, still finds its payload. Keys this process wrote or read are also kept in memory
    (at most `max_entries`), so a button sent again costs no database trip. A key nobody can
    read back is answered with "please choose again" by the input channel.
    """

    def __init__(self, max_entries: int = 10000, shared: bool = False) -> None:
        self._payloads: Dict[str, str] = {}
        self.max_entries, self.shared = max_entries, shared

    async def callback_data(self, payload: str) -> str:
        """The payload itself when it fits in 64 bytes, else a short key for it."""
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(KEY_PREFIX):
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
        if key not in self._payloads and self.shared:
            try:
                await asyncio.to_thread(_store_payload, key, payload)
            except DatabaseUnavailable:  # the button still works if pressed on this replica
                log_event(log, "telegram.button_key.not_shared", logging.WARNING)
        self._keep(key, payload)
        return key

    async def payload(self, callback_data: str) -> Optional[str]:
        """The button's payload; None for a key no replica wrote (or this one forgot, alone).
        Raises DatabaseUnavailable when the shared keys cannot be read (the webhook says 503:
        Telegram sends the press again)."""
        if not callback_data.startswith(KEY_PREFIX):
            return callback_data
        if callback_data in self._payloads:
            return self._payloads[callback_data]
        found = await asyncio.to_thread(_load_payload, callback_data) if self.shared else None
        if found is not None:
            self._keep(callback_data, found)
        return found

    def _keep(self, key: str, payload: str) -> None:
        if key not in self._payloads and len(self._payloads) >= self.max_entries:
            self._payloads.pop(next(iter(self._payloads)))  # oldest first (dicts keep order)
        self._payloads[key] = payload


def _store_payload(key: str, payload: str) -> None:
    with session_scope() as session:
        button_payloads.remember(session, key, payload)


def _load_payload(key: str) -> Optional[str]:
    with read_scope() as session:
        return button_payloads.recall(session, key)


def _retry_seconds(error: RetryAfter) -> float:
    """retry_after in seconds, whichever type this PTB release gives (int now, timedelta later)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class TelegramSender:
    """Every call to the Bot API that sends to a chat goes through `call`."""

    def __init__(self, bot: Bot, limiter: Limiter, sleep: Sleep = asyncio.sleep) -> None:
        self.bot, self.limiter, self.sleep = bot, limiter, sleep

    async def call(self, chat_id: str, send: Callable[[], Awaitable[T]]) -> T:
        """Send within the limits; on 429 wait `retry_after` and send again."""
        for attempt in range(MAX_RETRIES_AFTER_429 + 1):
            delay = self.limiter.reserve(chat_id)
            if delay > 0:
                await self.sleep(delay)
            try:
                return await send()
            except RetryAfter as error:
                if attempt == MAX_RETRIES_AFTER_429:
                    raise
                wait = _retry_seconds(error)
                log_event(log, "telegram.send.retry_after", logging.WARNING, chat_id=chat_id,
                          seconds=wait, attempt=attempt + 1)
                await self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


class TelegramOutput(OutputChannel):
    """Rasa's replies for one turn, sent to the chat; `messages` keeps what was said.

    `inbound_id` (the turn's inbound row; channels.turns sets it when the channel did not)
    makes the outbox dedupe key of a queued reply stable, so a re-run turn queues it once.
    """

    def __init__(self, sender: TelegramSender, keys: PayloadKeys,
                 inbound_id: Optional[int] = None) -> None:
        self.sender, self.keys = sender, keys
        self.inbound_id = inbound_id
        self.messages: List[Dict[str, Any]] = []
        self._queued = False  # once a send failed, the rest go through the outbox, in order

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text; no parse mode, so citizens' words are never read as markup."""
        entry = {"text": text}
        await self._deliver(recipient_id, entry, text, lambda: self.sender.bot.send_message(
            chat_id=recipient_id, text=text))

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        """One inline button per row; pressing one sends its payload back as a callback."""
        rows = [[InlineKeyboardButton(str(button.get("title", "")), callback_data=await
                                      self.keys.callback_data(str(button.get("payload", ""))))]
                for button in buttons]
        markup = InlineKeyboardMarkup(rows)
        entry = {"text": text, "buttons": [
            {"title": button.get("title"), "payload": button.get("payload")} for button in buttons]}
        plain = "\n".join([text] + [f"- {button.get('title', '')}" for button in buttons])
        await self._deliver(recipient_id, entry, plain, lambda: self.sender.bot.send_message(
            chat_id=recipient_id, text=text, reply_markup=markup))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Telegram fetches the image itself from the URL (queued: the URL as text)."""
        await self._deliver(recipient_id, {"image": image}, image, lambda: self.sender.bot.send_photo(
            chat_id=recipient_id, photo=image))

    async def _deliver(self, chat_id: str, entry: Dict[str, Any], plain: str,
                       send: Callable[[], Awaitable[Any]]) -> None:
        """Send now, or queue `plain` in the outbox once a send of this turn has failed."""
        index = len(self.messages)
        if not self._queued:
            try:
                await self.sender.call(chat_id, send)
                self.messages.append(entry)
                return
            except BadRequest:  # the request itself is wrong (or the chat is gone): not retried
                raise
            except (NetworkError, RetryAfter) as exc:  # 5xx, connection, timeout, 429 after retries
                log_event(log, "telegram.reply.deferred", logging.WARNING,
                          inbound_id=self.inbound_id, error=type(exc).__name__)
                self._queued = True
        await asyncio.to_thread(queue_reply, chat_id, plain, self._dedupe_key(index))
        self.messages.append({**entry, "queued": True})

    def _dedupe_key(self, index: int) -> str:
        """Stable per turn and reply; without an inbound id, unique (queued once regardless)."""
        turn = self.inbound_id if self.inbound_id is not None else f"u{uuid.uuid4().hex}"
        return f"telegram-reply:{turn}:{index}"


def queue_reply(chat_id: str, text: str, dedupe_key: str) -> None:
    """A reply that could not be sent now: the outbox dispatcher sends it with backoff."""
    with session_scope() as session:
        outbox.enqueue(session, channel="telegram", recipient=str(chat_id),
                       language=get_settings().default_language, kind="reply", body=text,
                       dedupe_key=dedupe_key)
