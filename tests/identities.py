"""Identifiers for tests that must not meet any other test's citizen in a shared database."""
from __future__ import annotations

import secrets
from typing import Tuple


def unused_uk_mobile() -> str:
    """A number in Ofcom's drama range (+44 7700 900000-999999) that no fixed test number uses
    (those are all +447700900xxx), drawn with `secrets`: the process-wide `random` can be
    seeded by other code in the test process, and a seeded draw once gave +447700900002, the
    opted-out number of tests/bot/test_outbox_dispatch.py, on the same session database."""
    return f"+4477009{secrets.randbelow(90000) + 10000:05d}"


def unused_spanish_mobile() -> str:
    """A Spanish mobile number (+34 60x) drawn with `secrets`, for the same reason."""
    return f"+3460{secrets.randbelow(9000000) + 1000000}"


def unused_telegram_chat_id() -> int:
    """A ten-digit Telegram chat id drawn with `secrets` (fixed test chats are shorter)."""
    return 10**9 + secrets.randbelow(9 * 10**9)


def unused_spot() -> Tuple[float, float]:
    """(latitude, longitude) drawn with `secrets`: a point no other test reports at, so no
    duplicate is found and none is offered. About a metre apart in 10**12 draws."""
    scale = 10**6
    return (secrets.randbelow(120 * scale) / scale - 60, secrets.randbelow(340 * scale) / scale - 170)
