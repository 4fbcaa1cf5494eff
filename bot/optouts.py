"""Opt-outs: a number that says STOP gets one confirmation and then nothing more until START.

The keywords are the carriers' and Twilio's standard set, matched on the whole trimmed message
in any case, so "stop" opts out but "stop the report" is a normal message for the assistant.
"Yes" opts in only a number that opted out; from anyone else it is an answer (ANSWER_WORDS).
They take effect before any conversation logic: a citizen halfway through a report who sends
STOP is opted out at once. Every sender of messages (replies and outbox notifications) asks
`is_opted_out` first.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Dict, Optional, Union

import yaml
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.city import City
from bot.clock import utc_naive
from bot.idempotency import insert_once
from bot.models import OptOut
from bot.settings import get_settings

STOP, START, HELP = "stop", "start", "help"
KEYWORDS: Dict[str, str] = {
    **{word: STOP for word in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                               "REVOKE", "OPTOUT")},
    **{word: START for word in ("START", "YES", "UNSTOP")},
    **{word: HELP for word in ("HELP", "INFO")},
}
# Opt-in words that are also everyday answers: from a number that opted out, "yes" opts it
# back in; from anyone else it answers the question they were just asked ("Did that answer
# your question?"), so it goes to the assistant like any other message.
ANSWER_WORDS = frozenset({"YES"})
# Asked before every SMS reply and notification: built once, with bound parameters.
_BY_ADDRESS = select(OptOut).where(OptOut.channel == bindparam("channel"),
                                   OptOut.address == bindparam("address"))


def keyword_of(text: Optional[str]) -> Optional[str]:
    """STOP, START or HELP when the whole message (trimmed, any case) is one of their words."""
    return KEYWORDS.get((text or "").strip().upper())


def is_also_an_answer(text: Optional[str]) -> bool:
    """Whether this opt-in word is an answer too, unless the sender opted out."""
    return (text or "").strip().upper() in ANSWER_WORDS


def _find(session: Session, channel: str, address: str) -> Optional[OptOut]:
    return session.execute(_BY_ADDRESS, {"channel": channel, "address": address}
                           ).scalars().first()


def opt_out(session: Session, channel: str, address: str, keyword: str,
            now: Optional[dt.datetime] = None) -> bool:
    """Stop all messages to `address`; True when it was not opted out before (confirm once)."""
    moment = utc_naive(now)
    row, created = insert_once(
        session, OptOut(channel=channel, address=address, keyword=keyword.upper()[:20],
                        opted_out_at=moment, opted_in_at=None),
        lambda: _find(session, channel, address))
    if created:
        return True
    was_in = row.opted_in_at is not None
    if was_in:
        row.keyword, row.opted_out_at, row.opted_in_at = keyword.upper()[:20], moment, None
        session.flush()
    return was_in


def opt_in(session: Session, channel: str, address: str,
           now: Optional[dt.datetime] = None) -> bool:
    """Allow messages to `address` again; True when it was opted out until now."""
    row = _find(session, channel, address)
    if row is None or row.opted_in_at is not None:
        return False
    row.opted_in_at = utc_naive(now)
    session.flush()
    return True


def is_opted_out(session: Session, channel: str, address: str) -> bool:
    """Must nothing be sent to `address` on `channel`?"""
    row = _find(session, channel, address)
    return row is not None and row.opted_in_at is None


def keyword_reply(kind: str, language: str, city: City,
                  path: Optional[Union[str, Path]] = None) -> str:
    """The fixed reply to STOP/START/HELP in `language` (English when not translated)."""
    texts = _load_texts(path)
    programme_texts = texts.get("programme") or {}
    keyword_texts = texts.get("keywords") or {}
    default = get_settings().default_language
    template = (keyword_texts.get(language) or keyword_texts.get(default) or {}).get(kind)
    if not template:
        raise KeyError(f"no SMS keyword reply for {kind!r} in content/channels.yml")
    programme = (programme_texts.get(language) or programme_texts.get(default)
                 or "{city}").format(city=city.name)
    return template.format(programme=programme, city=city.name, phone=city.phone,
                           email=city.email, website=city.website)


def _load_texts(path: Optional[Union[str, Path]]) -> dict:
    file = Path(path or get_settings().channels_file)
    raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return raw.get("sms") or {}
