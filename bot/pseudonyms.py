"""Keyed one-way tags for citizens' identifiers (phone numbers, chat ids, session ids).

Logs and privacy records must let an operator follow one citizen without holding who they are.
A plain sha256 of a phone number does not do that: there are few enough numbers to hash every
one of them and read the table backwards in minutes. HMAC-SHA256 under a key the city keeps
(`PSEUDONYM_KEY`) cannot be reversed without the key. Every process of one deployment must use
the same key (replicas, action server, console, dispatcher), or their tags will not match.

Without the setting, a random key is created once in `var/pseudonym.key` (readable by its owner
only), so `make run` works and its tags stay stable across restarts on one machine. Changing
the key unlinks old tags from new ones; it never exposes anyone.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from bot.settings import get_settings


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 of `value` under the deployment's pseudonym key, in hex."""
    return hmac.new(pseudonym_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def pseudonym_key() -> bytes:
    """The configured key, else the one in the key file (created on first use)."""
    settings = get_settings()
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode("utf-8")
    return _key_from_file(Path(settings.pseudonym_key_file))


def _key_from_file(path: Path) -> bytes:
    """Read the key file, creating it atomically if it is missing: processes started together
    race for it, and all of them must end up with the one key that won."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # fails if another process got there first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable pseudonym key; delete it or set PSEUDONYM_KEY")
    return key.encode("utf-8")
