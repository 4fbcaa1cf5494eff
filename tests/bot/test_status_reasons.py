"""Standard reasons for a status change (bot.status_reasons, content/services.yml `reasons:`):
the shipped reasons are complete in every language and fit real statuses; a broken block is
refused; a reason for another status, withdrawn or unknown is refused before anything changes;
each citizen told reads the standard reason in their own language with the caseworker's note
as typed; the case history, Open311 and a reopening by the citizen use them too."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import pytest
import yaml
from sqlalchemy import select

from bot.cases import case_status_view, change_status, change_status_by_staff, open_case
from bot.db import session_scope
from bot.errors import InvalidInput
from bot.fix_confirmation import record_fix_confirmation
from bot.followers import follow_case
from bot.models import CASE_STATUSES, OutboxMessage
from bot.open311 import get_request
from bot.settings import get_settings
from bot.status_reasons import checked_reason, load_reasons, offered_reasons, reason_text

LATER = dt.datetime(2026, 11, 25, 9, 0)


def write_reasons(tmp_path: Path, reasons: object) -> Path:
    file = tmp_path / "services.yml"
    file.write_text(yaml.safe_dump({"reasons": reasons}, allow_unicode=True), encoding="utf-8")
    return file


def test_every_shipped_reason_fits_real_statuses_and_is_in_every_language() -> None:
    reasons = load_reasons()
    assert reasons, "content/services.yml offers no standard reasons"
    for reason in reasons.values():
        assert set(reason.statuses) <= set(CASE_STATUSES)
        assert set(reason.texts) >= set(get_settings().supported_languages), reason.code


def test_the_statuses_caseworkers_close_or_refer_with_have_reasons() -> None:
    for status in ("resolved", "closed_not_fixed", "referred", "in_progress"):
        assert offered_reasons(status), status


def test_the_citizens_own_reopening_reason_exists() -> None:
    assert "in_progress" in load_reasons()["reported_not_fixed"].statuses


@pytest.mark.parametrize("reasons, problem", [
    ({"fixed": {"statuses": ["teleported"], "text": {"en": "x"}}}, "unknown"),
    ({"fixed": {"statuses": [], "text": {"en": "x"}}}, "must list the statuses"),
    ({"fixed": {"statuses": ["resolved"], "text": {"es": "arreglado"}}}, "no English text"),
    ({"Fixed!": {"statuses": ["resolved"], "text": {"en": "x"}}}, "lower-case"),
    (["fixed"], "must map"),
])
def test_a_broken_reasons_block_is_refused(tmp_path: Path, reasons: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        load_reasons(write_reasons(tmp_path, reasons))


def test_the_text_falls_back_to_english_and_a_dropped_code_still_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write_reasons(tmp_path, {"patched": {"statuses": ["resolved"],
                                                "text": {"en": "We patched it.", "es": "Parcheado."}}})
    monkeypatch.setattr(get_settings(), "services_file", file)
    assert reason_text("patched", None, "nl") == "We patched it."
    assert reason_text("patched", "  Crew 4  ", "es") == "Parcheado. Crew 4"
    assert reason_text("gone_from_the_file", None, "es") == "Gone from the file"
    assert reason_text(None, None, "en") == ""


def test_withdrawn_unknown_and_misfit_reasons_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write_reasons(tmp_path, {
        "patched": {"statuses": ["resolved"], "text": {"en": "We patched it."}},
        "old": {"statuses": ["resolved"], "text": {"en": "Old."}, "active": False}})
    monkeypatch.setattr(get_settings(), "services_file", file)
    assert checked_reason("resolved", " patched ") == "patched"
    assert checked_reason("resolved", "") is None
    assert [reason.code for reason in offered_reasons("resolved")] == ["patched"]
    for status, code, problem in (("referred", "patched", "does not fit"),
                                  ("resolved", "old", "no standard reason"),
                                  ("resolved", "nope", "no standard reason")):
        with pytest.raises(InvalidInput, match=problem):
            checked_reason(status, code)


def test_each_citizen_reads_the_reason_in_their_language_with_the_note_as_typed(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language="pt")).case
        follow_case(session, case, channel="telegram", sender_id="5550101", contact="5550101",
                    language="es")
        change_status_by_staff(session, case, "closed_not_fixed", "Rua Direita, 12",
                               by="alice", now=LATER, reason_code="not_found")
        case_id = case.id
    with session_scope(db) as session:
        bodies = {message.language: message.body for message in session.execute(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id)).scalars()}
    assert ("A nossa equipa não encontrou o problema no local indicado. Se continuar lá, volte "
            "a comunicá-lo com uma localização mais exata ou uma fotografia. Rua Direita, 12."
            ) in bodies["pt"]
    assert "Nuestro equipo no encontró el problema en el lugar indicado." in bodies["es"]
    assert "Rua Direita, 12." in bodies["es"]


def test_a_refused_reason_changes_nothing(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        with pytest.raises(InvalidInput, match="does not fit"):
            change_status(session, case, "referred", None, "alice", reason_code="repaired")
        assert case.status == "new"
        assert session.execute(select(OutboxMessage)
                               .where(OutboxMessage.case_id == case.id)).first() is None


def test_a_staff_change_needs_a_standard_reason_or_own_words(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        with pytest.raises(InvalidInput, match="a reason is required"):
            change_status_by_staff(session, case, "acknowledged", "  ", by="alice")
        event = change_status_by_staff(session, case, "acknowledged", "", by="alice",
                                       reason_code="inspection_booked")
        assert (event.reason_code, event.reason) == ("inspection_booked", None)


def test_open311_status_notes_carry_the_standard_reason_in_english(
        session_for, report: Callable[..., dict]) -> None:
    with session_for() as session:
        case = open_case(session, **report(language="nl")).case
        change_status(session, case, "resolved", "Ticket 7", "caseworker", now=LATER,
                      reason_code="repaired")
        record = get_request(session, case.reference)
    assert record["status_notes"] == "Our crew has repaired it. Ticket 7"


def test_a_follower_hears_of_the_citizens_reopening_in_their_own_language(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language="en")).case
        change_status(session, case, "resolved", "Filled", "alice", now=LATER)
        follow_case(session, case, channel="telegram", sender_id="5550102", contact="5550102",
                    language="nl")
        record_fix_confirmation(session, case, fixed=False, rating=None,
                                now=LATER + dt.timedelta(days=1))
        case_id = case.id
    with session_scope(db) as session:
        [reopened] = session.execute(select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.language == "nl")).scalars().all()
    assert "We hoorden dat het nog niet is opgelost, dus het team kijkt er opnieuw naar." \
        in reopened.body



def test_a_status_view_says_why_unless_it_is_for_a_list(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(language="nl")).case
        change_status(session, case, "resolved", None, "alice", now=LATER, reason_code="repaired")
        assert case_status_view(case, "nl", for_sender=True).reason == \
            "Onze ploeg heeft het gerepareerd."
        assert case_status_view(case, "nl", for_sender=True, with_reason=False).reason == ""
