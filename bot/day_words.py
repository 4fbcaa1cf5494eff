"""Which day a citizen means by "yesterday", "on Monday", "ontem" or "afgelopen dinsdag".

"Which day should it have been collected?" was answered "yesterday", and the crew read
"yesterday" days later, when it meant another day. A day named in words is a day before or on
the day it was said: yesterday, today, the day before yesterday, or the last such weekday
(on a Monday, "Monday" is today; "last Monday" is a week before). The caller keeps the
citizen's words and adds the date (actions.answers_in_words.with_the_date), so the crew reads
both. Four languages, accents dropped; dates in figures are left as typed (12/11 is a
different day in Riverton's English than in its Spanish).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional

from bot.options_in_text import folded_words

# Days back from today, by phrase; longer phrases are looked for first.
RELATIVE: Dict[str, int] = {
    "today": 0, "this morning": 0, "tonight": 0, "day before yesterday": 2, "yesterday": 1,
    "last night": 1,
    "hoy": 0, "esta manana": 0, "anteayer": 2, "antes de ayer": 2, "ayer": 1, "anoche": 1,
    "hoje": 0, "esta manha": 0, "anteontem": 2, "antes de ontem": 2, "ontem": 1,
    "vandaag": 0, "vanochtend": 0, "vanmorgen": 0, "eergisteren": 2, "gisteren": 1,
    "gisteravond": 1, "vannacht": 0,
}

# Weekday names (Monday = 0), folded; Portuguese as said with or without "-feira".
WEEKDAYS: Dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tues": 1, "wed": 2, "thurs": 3, "fri": 4,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5,
    "domingo": 6,
    "segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4,
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
    "zondag": 6,
}
# "Last Monday": a week before when that weekday is today.
LAST = frozenset("last past previous pasado pasada passado passada ultimo ultima vorige "
                 "afgelopen".split())
# In a description a weekday counts only after one of these, or as "segunda-feira": "es la
# segunda vez" is not a Monday.
BEFORE_A_DAY = LAST | frozenset("on since this el este desde na no desde nesta neste op sinds "
                                "deze".split())


@dataclass(frozen=True)
class DayNamed:
    """The words that name the day, and the day they mean."""

    words: str
    day: dt.date


def day_named(text: str, today: dt.date, in_passing: bool = False) -> Optional[DayNamed]:
    """The one day `text` names, on or before `today`; None when it names none, or two.
    `in_passing`: the text is not an answer to "which day?" (a description), so a weekday
    needs a word before it that makes it one ("on Monday", "el lunes")."""
    words = folded_words(text)
    found = _relative(words, today) + _weekdays(words, today, in_passing)
    days = {named.day for named in found}
    return found[0] if len(days) == 1 else None


def names_a_day(text: str) -> bool:
    """Whether `text` names a day in words, whichever it is."""
    return day_named(text, dt.date(2000, 1, 3)) is not None  # any Monday will do


def _relative(words: List[str], today: dt.date) -> List[DayNamed]:
    plain = f" {' '.join(words)} "
    found = []
    for phrase in sorted(RELATIVE, key=len, reverse=True):
        if f" {phrase} " in plain:
            found.append(DayNamed(phrase, today - dt.timedelta(days=RELATIVE[phrase])))
            plain = plain.replace(f" {phrase} ", " ")
    return found


def _weekdays(words: List[str], today: dt.date, in_passing: bool) -> List[DayNamed]:
    found = []
    for index, word in enumerate(words):
        weekday = WEEKDAYS.get(word)
        before = words[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if weekday is None or (in_passing and before not in BEFORE_A_DAY and after != "feira"):
            continue
        back = (today.weekday() - weekday) % 7
        if back == 0 and before in LAST:
            back = 7
        found.append(DayNamed(word, today - dt.timedelta(days=back)))
    return found
