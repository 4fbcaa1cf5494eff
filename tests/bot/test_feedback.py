"""bot.feedback: ratings as citizens type them, optionally linked to their case."""
from __future__ import annotations

from typing import Callable, Optional, Union

import pytest

from bot.cases import open_case
from bot.db import session_scope
from bot.errors import CaseNotFound, InvalidInput
from bot.feedback import parse_rating, record_feedback


@pytest.mark.parametrize("value, expected", [
    (4, 4), ("4", 4), ("4 stars", 4), (" 5 ", 5), (1.0, 1), ("skip", None), ("", None), (None, None),
])
def test_ratings_are_read_as_citizens_type_them(value: Union[int, str, None], expected: Optional[int]) -> None:
    assert parse_rating(value) == expected


@pytest.mark.parametrize("value", [0, 6, "10", "great", "-3"])
def test_ratings_outside_one_to_five_are_refused(value: Union[int, str]) -> None:
    with pytest.raises(InvalidInput):
        parse_rating(value)


def test_feedback_about_a_case_is_linked_to_it(db: str, sender: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        feedback = record_feedback(session, sender_id=sender, channel="webchat", text=" Quick fix! ",
                                   rating="5", language="en", case_reference=case.reference.lower())
        assert feedback.case_id == case.id and feedback.text == "Quick fix!" and feedback.rating == 5


def test_general_feedback_needs_no_case(db: str, sender: str) -> None:
    with session_scope(db) as session:
        feedback = record_feedback(session, sender_id=sender, channel="sms", text="",
                                   rating=3, language="es")
        assert feedback.case_id is None and feedback.rating == 3


def test_empty_feedback_and_unknown_case_are_refused(db: str, sender: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(InvalidInput):
            record_feedback(session, sender_id=sender, channel="sms", text=" ", rating="skip", language="en")
        with pytest.raises(CaseNotFound):
            record_feedback(session, sender_id=sender, channel="sms", text="ok", rating=None,
                            language="en", case_reference="C-2099-999998")
