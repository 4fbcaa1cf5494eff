"""Which kinds of problem a message names: "has the pothole been fixed yet?".

A citizen asking after "the pothole" means their pothole report, not whichever report the
chat last discussed. The catalogue already lists, per service, its names and the keywords
citizens use (content/services.yml, four languages); a message naming one of them names the
service. Matching is by whole words, the longest phrase first ("traffic lights" is not a
street light), a plain plural counts ("potholes", bot.options_in_text), and a negated one does
not ("not the pothole, the street light"). The vague "other" service names nothing.
"""
from __future__ import annotations

from typing import List, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Service
from bot.options_in_text import QuestionOption, options_named

VAGUE_SERVICES = frozenset({"other"})


def services_mentioned(session: Session, text: str) -> List[str]:
    """The codes of the services `text` names, in catalogue order; inactive services too
    (an old report may be of one)."""
    rows = session.execute(select(Service).order_by(Service.sort_order, Service.code)).scalars()
    options = [QuestionOption(key=row.code, name=row.code, words=_phrases(row))
               for row in rows if row.code not in VAGUE_SERVICES]
    return [option.key for option in options_named(text, options)]


def _phrases(service: Service) -> Tuple[str, ...]:
    """Every name and keyword of the service, in every language."""
    texts: List[str] = []
    for by_language in (service.names or {}, service.keywords or {}):
        for value in by_language.values():
            texts.extend([value] if isinstance(value, str) else list(value or []))
    return tuple(sorted({text for text in texts if str(text).strip()}))
