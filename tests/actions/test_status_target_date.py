"""action_check_status and the date promised when the report was made: "when will it be
fixed?" is answered, and a late case says so instead of "soon" (content/services.yml,
`target_date:`)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest
from babel.dates import format_date

from bot.case_queries import local_today
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.test_status_actions import check, render


def set_target(reference: str, day: dt.date) -> None:
    with session_scope() as session:
        find_case(session, reference).expected_by = day


@pytest.mark.parametrize("language, days, said", [
    ("en", 3, "We aim to deal with it by {date}."),
    ("en", 0, "We aim to deal with it by {date}."),  # the promised day itself is on time
    ("en", -2, "We aimed to deal with it by {date}, and it is taking longer than that: "
               "sorry for the wait."),
    ("es", 3, "Queremos resolverlo antes del {date}."),
    ("nl", -2, "We wilden het uiterlijk {date} oplossen en het duurt langer: excuses voor "
               "het wachten."),
])
def test_an_open_case_says_the_date_promised(language: str, days: int, said: str,
                                             open_test_case: Callable[..., str],
                                             domain: dict) -> None:
    reference = open_test_case("web-owner")
    day = local_today() + dt.timedelta(days=days)
    set_target(reference, day)
    _, messages = check(domain, text=reference, entity=reference, sender_id="web-owner",
                        slots={"language": language})
    line = said.replace("{date}", format_date(day, format="full", locale=language))
    assert messages[0]["next_step"].endswith(line)
    assert render(domain, messages[0], language).endswith(line)


@pytest.mark.parametrize("status", ["resolved", "closed_not_fixed", "referred"])
def test_a_closed_case_promises_nothing(status: str, open_test_case: Callable[..., str],
                                        domain: dict) -> None:
    reference = open_test_case("web-owner")
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, reference), status, "done",
                               by="alice")
    _, messages = check(domain, text=reference, entity=reference, sender_id="web-owner")
    assert "deal with it by" not in messages[0]["next_step"]
