"""What the citizen is told during a handoff, from the `handoff:` section of
content/channels.yml, so staff change the wording (and another city its tone) without code.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, Optional

import yaml
from babel.dates import format_skeleton, format_time

from bot.services import localized
from bot.settings import get_settings

KINDS = ("joined", "returned", "waiting")


def handoff_text(kind: str, language: str, *, name: str = "",
                 when: Optional[dt.datetime] = None) -> str:
    """The message of `kind` in `language` (English when the file has none for it).

    `when` is an aware moment in city time, written the way a citizen of that language reads
    a date ("Monday, November 30 8:30 AM", "lunes, 30 de noviembre 8:30").
    """
    if kind not in KINDS:
        raise KeyError(f"no handoff message {kind!r}; known: {', '.join(KINDS)}")
    template = str(localized(load_handoff_texts(get_settings().channels_file).get(kind), language))
    if not template:
        raise KeyError(f"content/channels.yml has no handoff.{kind} text")
    return template.format(name=name, city=get_settings().city_name,
                           when=format_moment(when, language) if when else "")


def format_moment(moment: dt.datetime, language: str) -> str:
    """Weekday, date and local time in the citizen's language (babel's CLDR patterns), with
    CLDR's narrow no-break spaces made plain: one of them would push an SMS out of GSM-7."""
    day = format_skeleton("MMMMEEEEd", moment, locale=language)
    text = f"{day} {format_time(moment, format='short', locale=language)}"
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def load_handoff_texts(path: Path) -> Dict[str, Any]:
    """The `handoff:` section; read on each use, so an edit applies without a restart."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    section = raw.get("handoff")
    if not isinstance(section, dict):
        raise KeyError(f"{path} has no handoff: section")
    return section
