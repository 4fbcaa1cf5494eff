"""action_submit_report and action_cancel_report: a case exactly once, and never a claim
that a report is saved unless it was committed."""
from __future__ import annotations

import re
import uuid
from typing import Any, Dict

import pytest
from sqlalchemy import select

from actions.report_submit import ActionCancelReport, ActionSubmitReport
from actions.slots import REPORT_SLOTS
from bot.attachments import store_attachment
from bot.db import session_scope
from bot.models import Attachment, Case
from bot.settings import get_settings
from tests.actions.factories import make_tracker, responses, run_action, slot_values

REFERENCE = re.compile(r"^C-\d{4}-\d{6}$")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def confirmed_report(**overrides: Any) -> Dict[str, Any]:
    slots = {"category": "pothole", "location": "12 High St", "latitude": None,
             "longitude": None, "description": "Deep pothole by the bus stop",
             "followup": "done", "followup_answers": {"size": "big", "danger_to_traffic": None},
             "photos": "none", "attachment_ids": [], "consent": True, "confirmed": True,
             "submission_id": uuid.uuid4().hex}
    slots.update(overrides)
    return slots


def submit(domain: dict, slots: Dict[str, Any], sender_id: str = "web-1",
           channel: str = "webchat"):
    tracker = make_tracker(text="yes", intent="affirm", slots=slots, sender_id=sender_id,
                           channel=channel)
    return run_action(ActionSubmitReport(), tracker, domain)


def cases_for(submission_id: str) -> list:
    with session_scope() as session:
        return list(session.execute(
            select(Case).where(Case.submission_id == submission_id)).scalars())


def test_a_confirmed_report_becomes_a_case(database: str, domain: dict) -> None:
    slots = confirmed_report()
    events, messages = submit(domain, slots)
    assert responses(messages) == ["utter_case_created"]
    reference = messages[0]["reference"]
    assert REFERENCE.match(reference)
    assert messages[0]["service"] == "Pothole"
    assert re.search(r"\b20\d\d\b", messages[0]["expected_date"])
    [case] = cases_for(slots["submission_id"])
    assert (case.reference, case.address, case.channel) == (reference, "12 High St", "webchat")
    assert case.answers == {"size": "big"}  # a skipped question is not an answer
    assert case.consent_updates is True and case.contact is None  # webchat has no address
    values = slot_values(events)
    assert values["last_case_reference"] == reference
    assert all(values[slot] is None for slot in REPORT_SLOTS)


def test_retried_confirmation_creates_one_case(database: str, domain: dict) -> None:
    slots = confirmed_report()
    _, first = submit(domain, slots)
    _, second = submit(domain, slots)
    assert responses(first) == ["utter_case_created"]
    assert responses(second) == ["utter_case_saved_already"]
    assert second[0]["reference"] == first[0]["reference"]
    assert len(cases_for(slots["submission_id"])) == 1


def test_database_down_never_claims_a_case(database_down: str, domain: dict) -> None:
    slots = confirmed_report()
    events, messages = submit(domain, slots)
    assert responses(messages) == ["utter_database_unavailable"]
    values = slot_values(events)
    assert "submission_id" not in values and "category" not in values  # the report is kept
    assert values["confirmed"] is None
    assert events[-1] == {"event": "followup", "name": "report_form", "timestamp": None}


def test_yes_after_an_outage_saves_the_same_submission_once(
        database: str, domain: dict, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    slots = confirmed_report()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")  # a directory: unreachable
    get_settings.cache_clear()
    _, failed = submit(domain, slots)
    monkeypatch.setenv("DATABASE_URL", database)
    get_settings.cache_clear()
    _, retried = submit(domain, slots)
    assert responses(failed) == ["utter_database_unavailable"]
    assert responses(retried) == ["utter_case_created"]
    assert len(cases_for(slots["submission_id"])) == 1


def test_a_declined_summary_cancels_without_a_case(database: str, domain: dict) -> None:
    slots = confirmed_report(confirmed=False)
    events, messages = submit(domain, slots)
    assert responses(messages) == ["utter_report_cancelled"]
    assert cases_for(slots["submission_id"]) == []
    assert slot_values(events)["submission_id"] is None


@pytest.mark.parametrize("channel, consent, contact", [
    ("telegram", True, "tg-4242"), ("telegram", False, None), ("webchat", True, None),
])
def test_contact_is_kept_only_with_consent(channel: str, consent: bool, contact: Any,
                                           database: str, domain: dict) -> None:
    slots = confirmed_report(consent=consent)
    submit(domain, slots, sender_id="tg-4242", channel=channel)
    [case] = cases_for(slots["submission_id"])
    assert case.contact == contact
    assert case.consent_updates is consent


def test_photos_are_linked_to_the_case(database: str, domain: dict,
                                       monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(get_settings(), "attachments_dir", tmp_path / "photos")
    with session_scope() as session:
        photo_id = store_attachment(session, sender_id="web-7", channel="webchat", data=PNG,
                                    content_type="image/png").id
    slots = confirmed_report(photos="1 photo(s)", attachment_ids=[photo_id])
    submit(domain, slots, sender_id="web-7")
    [case] = cases_for(slots["submission_id"])
    with session_scope() as session:
        assert session.get(Attachment, photo_id).case_id == case.id


def test_the_promised_date_is_written_in_the_citizens_language(database: str,
                                                                domain: dict) -> None:
    slots = confirmed_report()
    tracker = make_tracker(text="sí", intent="affirm", slots={**slots, "language": "es"})
    _, messages = run_action(ActionSubmitReport(), tracker, domain)
    assert " de 20" in messages[0]["expected_date"]


def test_an_unknown_service_goes_back_to_the_form(database: str, domain: dict) -> None:
    events, messages = submit(domain, confirmed_report(category="teleporter"))
    assert messages == []
    assert slot_values(events)["category"] is None
    assert events[-1]["name"] == "report_form"


def test_cancel_mid_form_stops_the_form_and_forgets_the_report(domain: dict) -> None:
    tracker = make_tracker(text="cancel", intent="deny", active_loop="report_form",
                           slots=confirmed_report(confirmed=None))
    events, messages = run_action(ActionCancelReport(), tracker, domain)
    assert responses(messages) == ["utter_report_cancelled"]
    assert events[0] == {"event": "active_loop", "name": None, "timestamp": None}
    assert events[1]["name"] == "requested_slot" and events[1]["value"] is None
    assert all(slot_values(events)[slot] is None for slot in REPORT_SLOTS)


def test_logs_name_the_case_but_never_the_citizen(database: str, domain: dict,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    phone = "+447700900123"
    slots = confirmed_report(description="My neighbour Jo Bloggs hit it on her bike")
    with caplog.at_level("INFO", logger="actions"):
        _, messages = submit(domain, slots, sender_id=phone, channel="twilio")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert messages[0]["reference"] in logged and "case_submitted" in logged
    assert phone not in logged and "Jo Bloggs" not in logged and "12 High St" not in logged


def test_a_sender_past_the_daily_case_limit_is_told_and_nothing_is_saved(
        database: str, domain: dict) -> None:
    sender = f"web-{uuid.uuid4().hex[:8]}"
    for _ in range(get_settings().sender_max_cases_per_day):
        _events, messages = submit(domain, confirmed_report(), sender_id=sender)
        assert responses(messages) == ["utter_case_created"]
    over = confirmed_report()
    _events, messages = submit(domain, over, sender_id=sender)

    assert responses(messages) == ["utter_case_quota_reached"]
    assert cases_for(over["submission_id"]) == []
    # a retried confirmation of a case already saved still gets its reference
    _events, again = submit(domain, confirmed_report(submission_id=over["submission_id"]),
                            sender_id=f"other-{sender}")
    assert responses(again) == ["utter_case_created"]
