"""Answers said in words of time: the date "yesterday" means, and a day or a span of time
the description already gave.

"Yesterday" is kept as "Saturday, November 28, 2026", "monday I think" as "monday I think
(Monday, November 23, 2026)".

"Which day should it have been collected?" was answered "yesterday", and the crew read that
days later, when "yesterday" meant another day. An answer to a question that expects a day
(`expects: date` in content/services.yml) keeps the citizen's words and gets the date they
mean in the city (bot.day_words), in the citizen's language as the rest of their answers
are. A description that already says when ("no recogieron la basura ayer") answers the
question before it is asked; so does one that says how long ("parked on our street for 3
weeks") for a question that asks how long (`expects: duration`, bot.duration_words).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from actions.replies import format_day
from bot.answer_fit import DATE, DURATION
from bot.case_queries import local_today
from bot.day_words import BEFORE_A_DAY, DayNamed, day_named
from bot.duration_words import duration_named
from bot.options_in_text import folded_words
from bot.services import FollowupQuestion


def with_the_date(question: FollowupQuestion, answer: Optional[str], language: str,
                  today: Optional[dt.date] = None) -> Optional[str]:
    """The answer as typed, with the date it names after it when the question asks a day."""
    if question.expects != DATE or not answer:
        return answer
    named = day_named(answer, today or local_today())
    if named is None:
        return answer
    date = format_day(named.day, language)
    return date if says_only_the_day(answer, named) else f"{answer} ({date})"


def says_only_the_day(answer: str, named: DayNamed) -> bool:
    """"Tuesday", "yesterday", "last Tuesday": the date says it all."""
    words = [word for word in folded_words(answer) if word not in BEFORE_A_DAY]
    return " ".join(words) == named.words


def answer_in_description(question: FollowupQuestion, description: str, language: str,
                          today: Optional[dt.date] = None) -> Optional[str]:
    """For a question of which day, the date a description names ("ayer"), written out; for
    one of how long, the span it names ("3 weeks"); None otherwise, or when it names none."""
    if question.expects == DURATION:
        return duration_named(description)
    if question.expects != DATE:
        return None
    named = day_named(description, today or local_today(), in_passing=True)
    return format_day(named.day, language) if named else None
