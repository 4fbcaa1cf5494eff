"""Who a privacy request is about: a channel and the identifier that channel knows them by
(an E.164 phone number on SMS, a chat id on Telegram, a session id in web chat).

The identifier itself is personal data, so the record that a request happened keeps only a
keyed one-way hash of it (`subject_hash`, bot/pseudonyms.py), never the value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.pseudonyms import keyed_digest

CHANNELS = ("sms", "telegram", "webchat")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")
_SESSION = re.compile(r"^[A-Za-z0-9_\-:.]{1,120}$")


@dataclass(frozen=True)
class Subject:
    """One citizen as one channel knows them."""

    channel: str
    identifier: str

    @property
    def hash(self) -> str:
        """Keyed hash of "channel:identifier", for records that must not hold the identifier."""
        return subject_hash(self.channel, self.identifier)


def subject_hash(channel: str, identifier: str) -> str:
    return keyed_digest(f"{channel}:{identifier}")


def subject_from_input(channel: str, identifier: str) -> Subject:
    """A subject from what a member of staff typed: the phone number as people write it
    (spaces, dashes, 00 for +), a Telegram chat id, or a web chat session id.

    Raises InvalidInput when it cannot be an identifier of that channel, so a typo never
    runs a search (or a deletion) for something else.
    """
    channel = (channel or "").strip().lower()
    value = (identifier or "").strip()
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}")
    if channel == "sms":
        value = _PHONE_PUNCTUATION.sub("", value)
        if value.startswith("00"):
            value = "+" + value[2:]
        if not _PHONE.match(value):
            raise InvalidInput("a phone number in international form, e.g. +44 7700 900123")
    elif channel == "telegram" and not _CHAT_ID.match(value):
        raise InvalidInput("a Telegram chat id is a number")
    elif channel == "webchat" and not _SESSION.match(value):
        raise InvalidInput("a web chat session id has letters, digits and -_:. only")
    return Subject(channel, value)
