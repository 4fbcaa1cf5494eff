"""bot.cases: one case per submission, references, status views and the sender's cases."""
from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Callable, List

import pytest
from sqlalchemy import func, select

from bot.cases import case_status_view, change_status, find_case, open_case
from bot.db import session_scope
from bot.errors import (CaseNotFound, DuplicateSubmission, InvalidInput, MalformedReference,
                        UnknownService)
from bot.models import Case, CaseEvent


def _count(db: str, submission_id: str) -> int:
    with session_scope(db) as session:
        return session.execute(select(func.count(Case.id))
                               .where(Case.submission_id == submission_id)).scalar_one()


def test_open_case_gives_a_reference_from_year_and_id(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        opened = open_case(session, **report())
        assert opened.created is True
        case = opened.case
        assert case.reference == f"C-2026-{case.id:06d}"
        assert re.fullmatch(r"C-\d{4}-\d{6}", case.reference)
        assert case.status == "new" and case.answers == {"size": "large"}
        assert [(event.kind, event.actor) for event in case.events] == [("created", "citizen")]


def test_expected_date_comes_from_the_service_target(db: str, report: Callable[..., dict]) -> None:
    # Monday 23 Nov 2026: pothole 5 working days -> Monday 30 Nov; traffic signal 1 -> Tuesday.
    with session_scope(db) as session:
        assert open_case(session, **report()).case.expected_by == dt.date(2026, 11, 30)
        signal = open_case(session, **report(service_code="traffic_signal")).case
        assert signal.expected_by == dt.date(2026, 11, 24)


def test_retried_confirmation_creates_one_case(db: str, report: Callable[..., dict]) -> None:
    values = report()
    with session_scope(db) as session:
        first = open_case(session, **values)
    with session_scope(db) as session:
        again = open_case(session, **values)
        assert again.created is False
        assert again.case.reference == first.case.reference
    assert _count(db, values["submission_id"]) == 1


def test_retry_in_the_same_transaction_keeps_the_transaction_usable(
        db: str, report: Callable[..., dict]) -> None:
    values = report()
    with session_scope(db) as session:
        first = open_case(session, **values)
        again = open_case(session, **values)
        other = open_case(session, **report())
        assert again.case.id == first.case.id and other.created
    assert _count(db, values["submission_id"]) == 1


def test_concurrent_submissions_create_one_case(db: str, report: Callable[..., dict]) -> None:
    values = report()
    barrier = threading.Barrier(6)
    references: List[str] = []
    errors: List[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(db) as session:
                references.append(open_case(session, **values).case.reference)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(references) == 6 and len(set(references)) == 1
    assert _count(db, values["submission_id"]) == 1


def test_a_case_is_not_saved_when_the_unit_of_work_fails(db: str, report: Callable[..., dict]) -> None:
    values = report()
    with pytest.raises(RuntimeError):
        with session_scope(db) as session:
            open_case(session, **values)
            raise RuntimeError("the reply could not be built")
    assert _count(db, values["submission_id"]) == 0


def test_submission_id_reused_by_another_sender_is_refused(db: str, report: Callable[..., dict]) -> None:
    values = report()
    with session_scope(db) as session:
        open_case(session, **values)
    with session_scope(db) as session:
        with pytest.raises(DuplicateSubmission):
            open_case(session, **{**values, "sender_id": "someone-else"})


def test_unknown_service_is_refused_and_nothing_is_saved(db: str, report: Callable[..., dict]) -> None:
    values = report(service_code="unicorn")
    with pytest.raises(UnknownService):
        with session_scope(db) as session:
            open_case(session, **values)
    assert _count(db, values["submission_id"]) == 0


def test_missing_submission_id_is_refused(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        with pytest.raises(InvalidInput):
            open_case(session, **report(submission_id=""))


@pytest.mark.parametrize("typed", ["{ref}", " {ref_lower} ", "{ref_loose}"])
def test_find_case_normalises_what_was_typed(db: str, report: Callable[..., dict], typed: str) -> None:
    with session_scope(db) as session:
        reference = open_case(session, **report()).case.reference
    year, number = reference[2:6], int(reference[7:])
    text = typed.format(ref=reference, ref_lower=reference.lower(), ref_loose=f"c {year} {number}")
    with session_scope(db) as session:
        assert find_case(session, text).reference == reference


def test_find_case_raises_not_found_and_malformed(db: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(CaseNotFound) as caught:
            find_case(session, "c-2099-999999")
        assert caught.value.reference == "C-2099-999999"
        with pytest.raises(MalformedReference):
            find_case(session, "C-20-12")


def test_status_view_shows_personal_details_only_to_the_sender(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        public = case_status_view(case, "en", for_sender=False)
        private = case_status_view(case, "en", for_sender=True)
    assert public.address is None and public.description is None
    assert set(public.placeholders()) == {"reference", "service", "status", "updated", "reason",
                                          "next_step"}
    assert public.service == "Pothole" and public.status_label == "received"
    assert public.updated == dt.date(2026, 11, 23) and public.next_step
    assert private.address == "12 High St" and private.description.startswith("Deep pothole")
    assert private.placeholders()["address"] == "12 High St"


def test_status_change_is_recorded_in_the_history(db: str, report: Callable[..., dict]) -> None:
    later = dt.datetime(2026, 11, 25, 9, 0)
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        change_status(session, case, "in_progress", "crew booked", by="alice", now=later)
        view = case_status_view(case, "en", for_sender=False)
        assert view.status_label == "being worked on" and view.updated == later.date()
        with pytest.raises(InvalidInput):
            change_status(session, case, "teleported", None, by="alice")
        kinds = session.execute(select(CaseEvent.kind, CaseEvent.actor)
                                .where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.id)).all()
    assert [tuple(row) for row in kinds] == [("created", "citizen"), ("status_changed", "alice")]
