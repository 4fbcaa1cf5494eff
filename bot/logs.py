"""One event per line, key=value, safe to ship to any log store.

Citizens' words, phone numbers and chat ids never reach INFO logs: fields named like them are
replaced by a short hash, which still lets an operator follow one conversation.
"""
from __future__ import annotations

import logging
from typing import Any

from bot.pseudonyms import keyed_digest

SENSITIVE = {"text", "body", "phone", "contact", "recipient", "sender_id", "chat_id",
             "description", "address", "transcript"}


def pseudonym(value: Any) -> str:
    """A stable tag for a personal value that cannot be reversed without the deployment's key
    (8 hex digits of its keyed hash, bot/pseudonyms.py); `python -m bot.cli pseudonym VALUE`
    gives an operator the tag to search the logs for."""
    return keyed_digest(str(value))[:8]


def format_event(event: str, **fields: Any) -> str:
    """`event key=value ...` with sensitive fields hashed and values quoted when needed."""
    parts = [event]
    for key in sorted(fields):
        value = fields[key]
        if value is None:
            continue
        text = pseudonym(value) if key in SENSITIVE else str(value)
        if not text or any(char.isspace() or char in "\"=" for char in text):
            text = '"' + text.replace('"', '\\"') + '"'
        parts.append(f"{key}={text}")
    return " ".join(parts)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event; sensitive fields are hashed whatever the level."""
    if logger.isEnabledFor(level):
        logger.log(level, format_event(event, **fields))


# Client libraries that log requests at INFO: twilio's http_client logs the To number and the
# body's parameters, httpx logs Bot API URLs (with the bot token in the path).
CHATTY_CLIENT_LOGGERS = ("twilio.http_client", "httpx", "httpcore", "telegram")


def quiet_client_libraries() -> None:
    """Keep provider client libraries at WARNING or above, so no INFO log line of any process
    that talks to Twilio or Telegram carries a phone number, a chat id or the bot token."""
    for name in CHATTY_CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
