"""The date an answer names in words: "yesterday" is kept as "Saturday, November 28, 2026",
"monday I think" as "monday I think (Monday, November 23, 2026)".

"Which day should it have been collected?" was answered "yesterday", and the crew read that
days later, when "yesterday" meant another day. An answer to a question that expects a day
(`expects: date` in content/services.yml) keeps the citizen's words and gets the date they
mean in the city (bot.day_words), in the citizen's language as the rest of their answers
are. A description that already says when ("no recogieron la basura ayer") answers the
question before it is asked.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from actions.replies import format_day
from bot.answer_fit import DATE
from bot.case_queries import local_today
from bot.day_words import BEFORE_A_DAY, DayNamed, day_named
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


def date_in_description(question: FollowupQuestion, description: str, language: str,
                        today: Optional[dt.date] = None) -> Optional[str]:
    """The date a description names for a question that asks a day ("ayer"), written out;
    None for any other question, or when the description names no one day."""
    if question.expects != DATE:
        return None
    named = day_named(description, today or local_today(), in_passing=True)
    return format_day(named.day, language) if named else None
