"""The outbox dispatcher's Telegram side: python-telegram-bot's Bot, within Telegram's limits.

The dispatcher's passes run in a worker thread (the database work blocks); the Bot and the
TelegramSender (rate limiter, 429 `retry_after` waits) live on the dispatcher's event loop,
and each send is handed to that loop and awaited from the thread.

Telegram has no way to list what a bot has sent, so there is no lookup: a dispatcher killed
after Telegram accepted a message and before the row was marked sent sends it again when the
claim's lease is over. That window (one HTTP answer and one commit long) is the one place a
Telegram notification can arrive twice; it can never be lost.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from telegram.error import BadRequest, Forbidden, TimedOut

from bot.logs import log_event
from bot.outbox_dispatch import OutcomeUnknown, PermanentSendFailure
from bot.shared_ratelimit import telegram_limiter
from bot.settings import Settings
from channels.telegram import OVERALL_PER_SECOND, PER_CHAT_PER_SECOND, make_bot
from channels.telegram_output import TelegramSender

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Telegram's answers that a retry cannot change: the citizen blocked the bot, the chat is gone.
PERMANENT_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "chat_id is empty")


@dataclass
class TelegramDispatch:
    """`send` for bot.outbox_dispatch, callable from a worker thread."""

    sender: TelegramSender
    loop: asyncio.AbstractEventLoop
    timeout_seconds: float = 240.0  # shorter than the claim's lease, 429 waits included
    read_timeout_seconds: float = 10.0  # one Bot API call

    def send(self, recipient: str, body: str, payload: Mapping[str, Any]) -> str:
        """Telegram's message_id; plain text (no parse mode: nothing is read as markup)."""
        future = asyncio.run_coroutine_threadsafe(self._send(recipient, body), self.loop)
        try:
            return future.result(self.timeout_seconds)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise OutcomeUnknown("telegram did not answer in time") from exc

    async def _send(self, chat_id: str, text: str) -> str:
        try:
            message = await self.sender.call(chat_id, lambda: self.sender.bot.send_message(
                chat_id=chat_id, text=text, read_timeout=self.read_timeout_seconds))
        except Forbidden as exc:
            raise PermanentSendFailure("telegram: the bot may not write to this chat") from exc
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in PERMANENT_MARKERS):
                raise PermanentSendFailure("telegram: the chat cannot be reached") from exc
            raise
        except TimedOut as exc:
            raise OutcomeUnknown("telegram timed out") from exc
        return str(message.message_id)

    async def close(self) -> None:
        """Close the Bot's HTTP connections."""
        await self.sender.bot.shutdown()


def telegram_dispatch(settings: Settings, loop: asyncio.AbstractEventLoop,
                      read_timeout_seconds: float = 10.0) -> Optional[TelegramDispatch]:
    """The Telegram side from settings, on `loop`; None (and one log line) without a token."""
    if not settings.telegram_token:
        log_event(log, "dispatcher.channel_skipped", logging.WARNING, channel=CHANNEL,
                  missing="TELEGRAM_TOKEN")
        return None
    bot = make_bot(settings.telegram_token, settings.telegram_api_base_url)
    limiter = telegram_limiter(OVERALL_PER_SECOND, PER_CHAT_PER_SECOND,
                               settings.rate_limit_redis_url)
    return TelegramDispatch(TelegramSender(bot, limiter), loop,
                            read_timeout_seconds=read_timeout_seconds)
