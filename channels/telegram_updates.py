"""Telegram updates -> the message a Rasa turn needs (pure: no network, no database).

What the assistant understands from Telegram: text, a location pin ("My location" with
metadata.location), a photo (fetched later, in the background turn), /start and /help, and
presses of inline keyboard buttons (their payload becomes the citizen's text). Anything else
(edits, stickers, channel posts...) is acknowledged and ignored.

Provider-only details the turn still needs (the photo's file id, the callback query to
answer) travel under metadata["telegram"], which the channel removes before Rasa sees it.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from telegram import Bot, Message, Update

from bot.attachments import PHOTO_PLACEHOLDER_TEXT
from bot.errors import InvalidInput
from channels.turns import InboundTurn

CHANNEL = "telegram"
COMMANDS = {"/start": "/greet", "/help": "/help"}
PHOTO_TEXT = PHOTO_PLACEHOLDER_TEXT
LOCATION_TEXT = "My location"
PROVIDER_KEY = "telegram"
MAX_BODY_BYTES = 1024 * 1024
MAX_CALLBACK_CHARS = 64


MAX_ID = 2 ** 63  # Telegram ids fit in a signed 64-bit integer


def parse_turn(body: bytes, bot: Optional[Bot], max_text_chars: int) -> Optional[InboundTurn]:
    """The turn a webhook body asks for; None to ignore it; InvalidInput when malformed.

    de_json does not check field types, so a wrong type may surface only while reading the
    update: any error raised while reading this untrusted input means "malformed" (400).
    """
    update = load_update(body, bot)
    try:
        turn = turn_for(update, max_text_chars)
    except Exception as error:  # untrusted shapes: e.g. a string where a number belongs
        raise InvalidInput(f"malformed update: {type(error).__name__}") from error
    if turn is not None and not _is_id(turn.sender_id):
        raise InvalidInput("malformed update: chat id")
    return turn


def _is_id(value: str) -> bool:
    try:
        return abs(int(value)) < MAX_ID
    except ValueError:
        return False


def load_update(body: bytes, bot: Optional[Bot]) -> Update:
    """The JSON body as an Update; InvalidInput when it is not one (the webhook answers 400)."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput("update too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidInput("body is not JSON") from error
    if not isinstance(data, dict) or type(data.get("update_id")) is not int \
            or not 0 <= data["update_id"] < MAX_ID:
        raise InvalidInput("not a Telegram update (no integer update_id)")
    try:
        update = Update.de_json(data, bot)
    except Exception as error:  # de_json on untrusted shapes raises many kinds of error
        raise InvalidInput(f"malformed update: {type(error).__name__}") from error
    if update is None:
        raise InvalidInput("not a Telegram update")
    return update


def turn_for(update: Update, max_text_chars: int) -> Optional[InboundTurn]:
    """The turn an update asks for, or None for updates the assistant does not handle."""
    if update.callback_query is not None:
        return _callback_turn(update)
    message = update.message
    if message is None or message.chat is None:
        return None
    metadata = _language(update)
    text = _message_text(message, metadata, max_text_chars)
    if text is None:
        return None
    return InboundTurn(channel=CHANNEL, external_id=str(update.update_id),
                       sender_id=str(message.chat.id), text=text, metadata=metadata)


def _message_text(message: Message, metadata: Dict[str, Any], max_text_chars: int) -> Optional[str]:
    """The text for Rasa; fills metadata for pins and photos. None: nothing to answer."""
    if message.location is not None:
        metadata["location"] = {"latitude": float(message.location.latitude),
                                "longitude": float(message.location.longitude)}
        return LOCATION_TEXT
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        metadata[PROVIDER_KEY] = {"photo": {"file_id": largest.file_id,
                                            "file_size": largest.file_size}}
        return _clean(message.caption or PHOTO_TEXT, max_text_chars)
    if not message.text or not message.text.strip():
        return None
    command = message.text.strip().split(maxsplit=1)[0].split("@", 1)[0].lower()
    if command in COMMANDS:
        return COMMANDS[command]
    return _clean(message.text, max_text_chars)


def _callback_turn(update: Update) -> Optional[InboundTurn]:
    """A pressed inline button: its callback data (a payload or a short key) is the text."""
    query = update.callback_query
    assert query is not None
    chat = query.message.chat if query.message is not None else None
    sender = chat.id if chat is not None else (query.from_user.id if query.from_user else None)
    if sender is None or not query.data:
        return None
    metadata = _language(update)
    metadata[PROVIDER_KEY] = {"callback_query_id": query.id}
    return InboundTurn(channel=CHANNEL, external_id=str(update.update_id), sender_id=str(sender),
                       text=_clean(query.data, MAX_CALLBACK_CHARS), metadata=metadata)


def _language(update: Update) -> Dict[str, Any]:
    """The app's language as a hint ("pt-br" -> "pt"); the assistant decides what to use."""
    user = update.effective_user
    code = (user.language_code or "").strip().lower() if user is not None else ""
    primary = code.split("-", 1)[0]
    return {"language": primary} if primary.isalpha() and len(primary) <= 8 else {}


def _clean(text: str, max_chars: int) -> str:
    """Text as stored and given to Rasa: no NUL (PostgreSQL refuses it), at most max_chars."""
    if not isinstance(text, str):
        raise TypeError("text is not a string")
    return text.replace("\x00", "")[:max_chars]
