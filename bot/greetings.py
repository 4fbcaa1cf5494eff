"""A report's words without the greeting they opened with.

"Goedemorgen, de boom voor mijn huis is half omgewaaid" is a fine first message and a fine
description, but the crew's work order and the city's Open311 feed should read "De boom voor
mijn huis is half omgewaaid". A greeting at the very start (in the four languages, with an
optional "there" or "team" and the punctuation after it) is dropped, and the next letter is
raised; a message that is nothing but a greeting is left as it was.
"""
from __future__ import annotations

import re

GREETINGS = (
    "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "morning",
    "dear council", "hola", "buenos días", "buenos dias", "buenas tardes", "buenas noches",
    "buenas", "olá", "ola", "oi", "bom dia", "boa tarde", "boa noite", "hallo", "hoi",
    "goedemorgen", "goedemiddag", "goedenavond", "dag", "beste",
)
_OPENING = re.compile(
    r"^\s*(?:" + "|".join(sorted((re.escape(g) for g in GREETINGS), key=len, reverse=True))
    + r")(?:\s+(?:there|all|team|everyone|a todos|equipo|equipa|allemaal))?\s*[,!.:;\-–]+\s*",
    re.IGNORECASE)


def without_greeting(text: str) -> str:
    """`text` without a greeting at its start, its next letter raised; `text` unchanged when
    there is none or nothing follows it."""
    match = _OPENING.match(text or "")
    if match is None:
        return text
    rest = text[match.end():]
    if not rest.strip():
        return text
    return rest[0].upper() + rest[1:]
