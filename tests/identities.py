"""Identifiers for tests that must not meet any other test's citizen in a shared database."""
from __future__ import annotations

import secrets


def unused_uk_mobile() -> str:
    """A number in Ofcom's drama range (+44 7700 900000-999999) that no fixed test number uses
    (those are all +447700900xxx), drawn with `secrets`: the process-wide `random` can be
    seeded by other code in the test process, and a seeded draw once gave +447700900002, the
    opted-out number of tests/bot/test_outbox_dispatch.py, on the same session database."""
    return f"+4477009{secrets.randbelow(90000) + 10000:05d}"
