"""Turning core results and core errors into responses: dates in the citizen's language, and
the one mapping from each named core error to the reply that explains it.
"""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from rasa_sdk.executor import CollectingDispatcher

from bot.case_queries import local_today
from bot.cases import OPEN_STATUSES, StatusView
from bot.errors import CaseNotFound, CivicError, DatabaseUnavailable, MalformedReference
from bot.services import target_date_text


def format_day(day: dt.date, language: str, style: str = "full") -> str:
    """A date as people write it in `language` ("Thursday, December 3, 2026" in full)."""
    return format_date(day, format=style, locale=language)


def format_moment(moment: dt.datetime, language: str) -> str:
    """When a person is next on duty: weekday, date and local time ("Mon, July 27 8:30 AM")."""
    day = format_skeleton("MMMMEd", moment, locale=language)
    return f"{day} {format_time(moment, format='short', locale=language)}"


def format_ago(moment: dt.datetime, now: dt.datetime, language: str) -> str:
    """How long ago, as people say it in `language` ("3 days ago", "hace 3 días")."""
    return format_timedelta(moment - now, add_direction=True, locale=language)


def target_date_line(view: StatusView, language: str) -> str:
    """For an open case, the date promised when it was reported: "when will it be fixed?"
    has an answer, and a late case says so instead of repeating "soon" (content/services.yml,
    `target_date:`). The date is public (Open311 shows it), so anyone asking is told."""
    if view.status not in OPEN_STATUSES or view.expected_by is None:
        return ""
    text = target_date_text(view.expected_by < local_today(), language)
    return text.replace("{date}", format_day(view.expected_by, language)) if text else ""


def utter_core_error(dispatcher: CollectingDispatcher, error: CivicError) -> None:
    """Explain a core error to the citizen; errors without a citizen meaning are re-raised.

    The database reply is the honest one: nothing was saved, nothing was lost, try later.
    """
    if isinstance(error, DatabaseUnavailable):
        dispatcher.utter_message(response="utter_database_unavailable")
    elif isinstance(error, CaseNotFound):
        dispatcher.utter_message(response="utter_case_not_found", reference=error.reference)
    elif isinstance(error, MalformedReference):
        dispatcher.utter_message(response="utter_reference_malformed")
    else:
        raise error
