"""How long a message says something has lasted: "for 3 weeks", "hace dos semanas", "al een
maand".

"There's a car that's been parked on our street for 3 weeks" was followed, two questions
later, by "How long has it been there?": the citizen had said so, and was asked again. A
question that asks how long (`expects: duration` in content/services.yml) is answered by the
span a description names (actions.answers_in_words), and a reply naming one is an answer. A
span is a number, in figures or words, or "a"/"un"/"een", before a unit of time, in four
languages; the words are kept as the citizen wrote them.
"""
from __future__ import annotations

import re
from typing import Optional

NUMBER = r"""(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several|
couple\s+of|a\s+couple\s+of|un|una|unos|unas|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez
|varios|varias|um|uma|uns|umas|dois|duas|tres|três|quatro|cinco|seis|sete|oito|nove|dez
|alguns|algumas|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|paar|enkele)"""
UNIT = r"""(?:hours?|days?|nights?|weeks?|months?|years?|horas?|d[ií]as?|noches?|semanas?
|mes(?:es)?|a[ñn]os?|noites?|m[eê]s(?:es)?|anos?|uur|uren|dagen|dag|nachten|nacht|weken|week
|maanden|maand|jaren|jaar)"""
SPAN = re.compile(rf"\b{NUMBER}\s+{UNIT}\b".replace("\n", ""), re.IGNORECASE)
# "Twice a day", "tres veces por semana", "elke week": how often, not how long.
HOW_OFTEN = frozenset("""once twice times per every each vez veces vezes por cada keer elke
iedere""".split())
_WORD_BEFORE = re.compile(r"(\w+)\W*$")


def duration_named(text: str) -> Optional[str]:
    """The one span of time `text` names, as written ("3 weeks"); None for none, or two."""
    found = {match.group(0) for match in SPAN.finditer(text or "")
             if not _how_often(text[:match.start()])}
    return found.pop() if len(found) == 1 else None


def _how_often(before: str) -> bool:
    """Whether the words before a span make it a frequency ("twice a day")."""
    word = _WORD_BEFORE.search(before)
    return word is not None and word.group(1).lower() in HOW_OFTEN


def names_a_duration(text: str) -> bool:
    """Whether `text` names a span of time (a frequency is not one)."""
    return any(not _how_often(text[:match.start()]) for match in SPAN.finditer(text or ""))
