"""What the web chat page may send, checked before anything is written, and what it gets back.

Pure functions: no database, no Sanic. Every rejection is an `InvalidInput` whose message is
safe to show to the citizen, so the channel can answer 400 with it instead of failing later.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bot.errors import InvalidInput

CHANNEL = "webchat"
# Browser-made uuids; the pattern also keeps ids short enough for the inbound table's columns.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$")
MAX_ATTACHMENTS_PER_MESSAGE = 10
MAX_LANGUAGE_TAG_CHARS = 16
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
# Characters no database column should hold: NUL (PostgreSQL refuses it in text) and lone
# surrogates (JSON allows "\ud800", UTF-8 cannot encode it), plus other C0 controls but tab/newline.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class BodyTooLarge(InvalidInput):
    """A request body over the limit: answered 413, before anything is parsed or written."""


@dataclass(frozen=True)
class MessageRequest:
    """One validated message from the page."""

    session_id: str
    client_message_id: str
    text: str
    display_text: str
    metadata: Dict[str, Any] = field(default_factory=dict)

    @property
    def external_id(self) -> str:
        """The idempotency key of the inbound record: a resend maps to the same row."""
        return f"{self.session_id}:{self.client_message_id}"

    def payload(self) -> Dict[str, Any]:
        """What is kept with the inbound record so history can redraw the page's bubble."""
        return {
            "client_message_id": self.client_message_id,
            "display_text": self.display_text,
            "metadata": self.metadata,
        }


def load_json_body(body: bytes, max_bytes: int) -> Any:
    """Decode a JSON request body; anything unreadable is the client's error, not ours."""
    if not body:
        raise InvalidInput("The request body is empty; send a JSON object.")
    if len(body) > max_bytes:
        raise BodyTooLarge(f"The message is too large (limit {max_bytes} bytes).")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("The request body is not valid JSON.") from exc
    except RecursionError as exc:  # "[[[[..." deeper than Python's parser recurses
        raise InvalidInput("The request body is nested too deeply.") from exc


def parse_id(value: Any, name: str) -> str:
    """A session or message id as the page makes them (uuid-like)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"'{name}' is required.")
    if not ID_PATTERN.match(value):
        raise InvalidInput(f"'{name}' must be 8-64 letters, digits, '-' or '_'.")
    return value


def parse_session_id(value: Any) -> str:
    """A web chat conversation id. Rasa keeps every channel's conversations under one set of
    ids: an SMS citizen's is their "+" number, a Telegram citizen's their numeric chat id. A
    page that sent an id made only of digits would write into that Telegram citizen's
    conversation, so the web chat's ids always hold a letter or a dash (the page's uuids do)."""
    session_id = parse_id(value, "session_id")
    if session_id.isdigit():
        raise InvalidInput("'session_id' must contain a letter or a '-': reload the page.")
    return session_id


def parse_cursor(value: Any) -> int:
    """The page's position in its updates: the last outbox id it showed (0 or absent: none)."""
    if value is None or value == "":
        return 0
    if not isinstance(value, str) or not value.isdigit() or len(value) > 18:
        raise InvalidInput("'after' must be a non-negative whole number.")
    return int(value)


def _parse_text(value: Any, name: str, max_chars: int, required: bool) -> Optional[str]:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' is required and must be text.")
    if _UNSTORABLE.search(value):
        raise InvalidInput(f"'{name}' contains characters that are not text.")
    text = value.strip()
    if not text:
        raise InvalidInput(f"'{name}' must not be empty.")
    if len(text) > max_chars:
        raise InvalidInput(f"'{name}' is too long: {len(text)} characters, the limit is {max_chars}.")
    return text


def parse_location(value: Any) -> Dict[str, float]:
    """A map pin from the browser's geolocation: two finite numbers in range."""
    if not isinstance(value, dict):
        raise InvalidInput("'metadata.location' must be an object with latitude and longitude.")
    coords = {}
    for key, limit in (("latitude", 90.0), ("longitude", 180.0)):
        number = value.get(key)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise InvalidInput(f"'metadata.location.{key}' must be a number.")
        if abs(number) > limit:
            raise InvalidInput(f"'metadata.location.{key}' is out of range.")
        coords[key] = float(number)
    return coords


def parse_attachments(value: Any) -> List[str]:
    """Attachment ids returned by the upload route."""
    if not isinstance(value, list) or len(value) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput(
            f"'metadata.attachments' must be a list of at most {MAX_ATTACHMENTS_PER_MESSAGE} ids."
        )
    return [parse_id(item, "metadata.attachments[]") for item in value]


def parse_metadata(value: Any) -> Dict[str, Any]:
    """Keep only the hints the assistant understands; the page cannot inject anything else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput("'metadata' must be an object.")
    metadata: Dict[str, Any] = {}
    language = value.get("language")
    if (isinstance(language, str) and 0 < len(language) <= MAX_LANGUAGE_TAG_CHARS
            and LANGUAGE_TAG.match(language.strip())):
        metadata["language"] = language.strip().lower()
    if value.get("location") is not None:
        metadata["location"] = parse_location(value["location"])
    if value.get("attachments") is not None:
        metadata["attachments"] = parse_attachments(value["attachments"])
    return metadata


def parse_message_request(body: Any, max_chars: int) -> MessageRequest:
    """Validate the JSON of POST /message: {session_id, client_message_id, text, metadata?}."""
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    text = _parse_text(body.get("text"), "text", max_chars, required=True)
    display = _parse_text(body.get("display_text"), "display_text", max_chars, required=False)
    assert text is not None  # required=True never returns None
    return MessageRequest(
        session_id=parse_session_id(body.get("session_id")),
        client_message_id=parse_id(body.get("client_message_id"), "client_message_id"),
        text=text,
        display_text=display or text,
        metadata=parse_metadata(body.get("metadata")),
    )


def reply_view(message: Dict[str, Any]) -> Dict[str, Any]:
    """One bot reply in the page's shape, whatever Rasa's collector filled in."""
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in (message.get("buttons") or [])
        if isinstance(button, dict)
    ]
    return {
        "text": message.get("text"),
        "buttons": buttons,
        "image": message.get("image"),
        "custom": message.get("custom"),
    }
