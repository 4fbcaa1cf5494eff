"""The duplicate offer inside report_form: an open case of the same problem nearby is offered
once type and place are known; following it makes no new case, declining carries on."""
from __future__ import annotations

import uuid
from typing import Any, Callable, Dict, Optional

import pytest
from sqlalchemy import func, select

import actions.report_duplicates as report_duplicates
from actions.report_duplicates import ActionAskFollowDuplicate
from actions.report_form import ValidateReportForm
from actions.report_submit import ActionSubmitReport
from actions.slots import REPORT_SLOTS
from bot.db import session_scope
from bot.errors import DatabaseUnavailable
from bot.models import Case, CaseFollower
from tests.actions.factories import (form_tracker, make_tracker, responses, run_action,
                                     slot_values)

FORM = "report_form"
KNOWN_TYPE = {"category": "pothole", "followup": None, "submission_id": "sub-dup"}


def validate(requested: Optional[str], candidates: Dict[str, Any], domain: dict,
             sender_id: str = "web-new", **kwargs: Any):
    tracker = form_tracker(FORM, requested, candidates, sender_id=sender_id, **kwargs)
    events, messages = run_action(ValidateReportForm(), tracker, domain)
    return slot_values(events), messages


def count(model: Any) -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_open_case_at_the_same_address_is_offered(open_test_case: Callable[..., str],
                                                     domain: dict) -> None:
    reference = open_test_case("web-first", address="12 High Street")
    slots, _ = validate("location", {"location": "12 high st."}, domain,
                        text="12 high st.", slots=KNOWN_TYPE)
    offer = slots["duplicate_case"]
    assert offer["reference"] == reference
    assert (offer["service"], offer["status"]) == ("Pothole", "received")
    assert offer["age"].endswith("ago")
    assert "follow_duplicate" not in slots
    assert slots["requested_slot"] == "follow_duplicate"


def test_the_offer_is_in_the_citizens_language(open_test_case: Callable[..., str],
                                               domain: dict) -> None:
    open_test_case("web-first", address="Calle Mayor 12")
    slots, _ = validate("location", {"location": "Calle Mayor 12"}, domain,
                        text="Calle Mayor 12", slots={**KNOWN_TYPE, "language": "es"})
    assert slots["duplicate_case"]["service"] == "Bache"
    assert slots["duplicate_case"]["age"].startswith("hace")


@pytest.mark.parametrize("address, service, reporter", [
    ("14 High Street", "pothole", "web-first"),  # another house
    ("12 High Street", "graffiti", "web-first"),  # another problem
])
def test_no_offer_without_an_open_match(address: str, service: str, reporter: str,
                                        open_test_case: Callable[..., str],
                                        domain: dict) -> None:
    open_test_case(reporter, address=address, service_code=service)
    slots, _ = validate("location", {"location": "12 High St"}, domain, text="12 High St",
                        slots=KNOWN_TYPE)
    assert slots["follow_duplicate"] is False and "duplicate_case" not in slots
    assert slots["requested_slot"] == "description"


def test_a_nearby_map_pin_finds_the_case(open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    reference = open_test_case("web-first", address=None, latitude=51.50000, longitude=-0.12000)
    pin = {"location": {"latitude": 51.50010, "longitude": -0.12010}}
    slots, _ = validate("location", {"location": "pin"}, domain, text="", metadata=pin,
                        slots=KNOWN_TYPE)
    assert slots["duplicate_case"]["reference"] == reference


def test_a_database_that_does_not_answer_never_blocks_the_report(
        monkeypatch: pytest.MonkeyPatch, domain: dict) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise DatabaseUnavailable("down")

    monkeypatch.setattr(report_duplicates, "find_duplicate", down)
    slots, _ = validate("location", {"location": "12 High St"}, domain, text="12 High St",
                        slots=KNOWN_TYPE)
    assert slots["follow_duplicate"] is False
    assert slots["requested_slot"] == "description"


def test_the_check_runs_once_per_place(monkeypatch: pytest.MonkeyPatch, domain: dict) -> None:
    calls = []
    monkeypatch.setattr(report_duplicates, "find_duplicate",
                        lambda session, **kwargs: calls.append(kwargs))
    validate("description", {"description": "a deep hole in the road"}, domain,
             slots={**KNOWN_TYPE, "location": "12 High St", "follow_duplicate": False})
    assert calls == []
    validate("location", {"location": "12 High St"}, domain, text="12 High St",
             slots=KNOWN_TYPE)
    assert calls == [{"service_code": "pothole", "latitude": None, "longitude": None,
                      "address": "12 High St", "mine": set()}]


OFFER = {"reference": "C-2026-000001", "service": "Pothole", "status": "New",
         "age": "3 days ago"}


@pytest.mark.parametrize("choice, requested", [(True, None), (False, "description")])
def test_following_ends_the_form_and_declining_carries_on(choice: bool, requested: Optional[str],
                                                          domain: dict) -> None:
    slots, _ = validate("follow_duplicate", {"follow_duplicate": choice}, domain,
                        slots={**KNOWN_TYPE, "location": "12 High St", "duplicate_case": OFFER})
    assert slots["follow_duplicate"] is choice
    assert slots["requested_slot"] == requested


@pytest.mark.parametrize("text, intent", [("skip", "nlu_fallback"), ("not sure", "help"),
                                          ("No sé", "deny"), ("I don’t know", "help"),
                                          ("geen idee", "out_of_scope")])
def test_skip_at_the_offer_carries_on_with_the_report(text: str, intent: str,
                                                       domain: dict) -> None:
    slots, messages = validate("follow_duplicate", {}, domain, text=text, intent=intent,
                               slots={**KNOWN_TYPE, "location": "12 High St",
                                      "duplicate_case": OFFER})
    assert slots["follow_duplicate"] is False and slots["requested_slot"] == "description"
    assert messages == []


def test_the_question_names_the_case_its_status_and_age(domain: dict) -> None:
    tracker = make_tracker(slots={"duplicate_case": OFFER}, active_loop=FORM)
    _, messages = run_action(ActionAskFollowDuplicate(), tracker, domain)
    assert responses(messages) == ["utter_ask_follow_duplicate"]
    assert {key: messages[0][key] for key in OFFER} == OFFER
    buttons = [variation["buttons"] for variation in domain["responses"][
        "utter_ask_follow_duplicate"]]
    assert len(buttons) == 4 and all([b["payload"] for b in row] == ["/affirm", "/deny"]
                                     for row in buttons)


def submit_following(domain: dict, reference: str, sender_id: str = "tg-555",
                     channel: str = "telegram"):
    slots = {**KNOWN_TYPE, "location": "12 High St", "follow_duplicate": True,
             "duplicate_case": {**OFFER, "reference": reference},
             "submission_id": uuid.uuid4().hex, "language": "pt"}
    tracker = make_tracker(text="yes", intent="affirm", slots=slots, sender_id=sender_id,
                           channel=channel)
    return run_action(ActionSubmitReport(), tracker, domain)


def test_following_makes_the_citizen_a_follower_and_no_new_case(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-first", address="12 High Street")
    cases_before = count(Case)
    events, messages = submit_following(domain, reference)
    assert responses(messages) == ["utter_following_case"]
    assert messages[0]["reference"] == reference
    assert count(Case) == cases_before
    with session_scope() as session:
        follower = session.execute(select(CaseFollower)).scalar_one()
        case = session.get(Case, follower.case_id)
        assert case.reference == reference
        assert (follower.channel, follower.sender_id, follower.contact, follower.language,
                follower.consent_updates) == ("telegram", "tg-555", "tg-555", "pt", True)
    values = slot_values(events)
    assert all(values[slot] is None for slot in REPORT_SLOTS)
    assert values["last_case_reference"] == reference


def test_following_twice_keeps_one_follower(open_test_case: Callable[..., str],
                                            domain: dict) -> None:
    reference = open_test_case("web-first")
    submit_following(domain, reference)
    submit_following(domain, reference)
    assert count(CaseFollower) == 1


def test_following_when_the_database_is_down_asks_again(database_down: str,
                                                        domain: dict) -> None:
    events, messages = submit_following(domain, "C-2026-000001")
    assert responses(messages) == ["utter_database_unavailable"]
    assert slot_values(events) == {"follow_duplicate": None}
    assert events[-1] == {"event": "followup", "name": FORM, "timestamp": None}


# --- the citizen's own open report, reported again ---------------------------------------

def test_the_citizens_own_open_report_is_offered_to_add_to(open_test_case: Callable[..., str],
                                                           domain: dict) -> None:
    """It used to be left out of the check, and a second case was opened for the caseworker
    to merge."""
    reference = open_test_case("web-new", address="12 High Street")
    slots, _ = validate("location", {"location": "12 High St"}, domain, text="12 High St",
                        slots=KNOWN_TYPE)
    assert slots["duplicate_case"]["reference"] == reference
    assert slots["duplicate_case"]["own"] is True
    assert slots["requested_slot"] == "follow_duplicate"


def test_the_citizens_own_report_wins_over_an_older_one_at_the_same_place(
        open_test_case: Callable[..., str], domain: dict) -> None:
    open_test_case("web-first", address="12 High Street")
    own = open_test_case("web-new", address="12 High Street")
    slots, _ = validate("location", {"location": "12 High St"}, domain, text="12 High St",
                        slots=KNOWN_TYPE)
    assert (slots["duplicate_case"]["reference"], slots["duplicate_case"]["own"]) == (own, True)


def test_a_report_the_citizen_follows_counts_as_their_own(open_test_case: Callable[..., str],
                                                          domain: dict) -> None:
    reference = open_test_case("web-first", address="12 High Street")
    submit_following(domain, reference, sender_id="web-new", channel="webchat")
    slots, _ = validate("location", {"location": "12 High St"}, domain, text="12 High St",
                        slots=KNOWN_TYPE)
    assert slots["duplicate_case"]["own"] is True


def test_the_question_about_an_own_report_offers_to_add_to_it(domain: dict) -> None:
    tracker = make_tracker(slots={"duplicate_case": {**OFFER, "own": True}}, active_loop=FORM)
    _, messages = run_action(ActionAskFollowDuplicate(), tracker, domain)
    assert responses(messages) == ["utter_ask_add_to_own_report"]
    assert {key: messages[0][key] for key in OFFER} == OFFER


def test_adding_to_an_own_report_hands_the_words_to_the_note_form(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-new", address="12 High Street")
    cases_before = count(Case)
    slots = {**KNOWN_TYPE, "location": "12 High St", "follow_duplicate": True,
             "description": "the pothole I reported is twice as big now",
             "attachment_ids": ["att-1"],
             "duplicate_case": {**OFFER, "reference": reference, "own": True}}
    tracker = make_tracker(text="yes", intent="affirm", slots=slots, sender_id="web-new")
    events, messages = run_action(ActionSubmitReport(), tracker, domain)
    assert messages == []  # the note form says where the words went
    values = slot_values(events)
    assert all(values[slot] is None for slot in REPORT_SLOTS)
    assert (values["note_case"], values["note_text"], values["note_photo_ids"]) == \
        (reference, "the pothole I reported is twice as big now", ["att-1"])
    assert events[-1] == {"event": "followup", "name": "case_note_form", "timestamp": None}
    assert count(Case) == cases_before and count(CaseFollower) == 0


# --- "the noise I reported...": their report, named before any place -----------------------

NOISE_AGAIN = "the noise I reported is even louder tonight"


def first_message(domain: dict, text: str, sender_id: str):  # type: ignore[no-untyped-def]
    """validate_report_form on the message that opens a noise report with no place."""
    return validate(None, {"category": "noise"}, domain, sender_id=sender_id, text=text,
                    intent="report_problem",
                    entities=[{"entity": "category", "value": "noise"}])


def test_a_first_message_about_their_report_offers_it_before_the_place(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-noise", service_code="noise", address="4 Elm Road")
    slots, _ = first_message(domain, NOISE_AGAIN, "web-noise")
    assert (slots["duplicate_case"]["reference"], slots["duplicate_case"]["own"]) == \
        (reference, True)
    assert slots["requested_slot"] == "follow_duplicate"  # the place can wait


@pytest.mark.parametrize("text, cases", [
    ("loud music from next door every night", 1),  # no word of their report: a new one
    (NOISE_AGAIN, 2),  # two of that type open: the place tells which
    (NOISE_AGAIN, 0),
])
def test_otherwise_the_place_comes_first(text: str, cases: int,
                                         open_test_case: Callable[..., str],
                                         domain: dict) -> None:
    sender = f"web-noise-{uuid.uuid4().hex[:6]}"
    for number in range(cases):
        open_test_case(sender, service_code="noise", address=f"{number + 1} Elm Road")
    slots, _ = first_message(domain, text, sender)
    assert "duplicate_case" not in slots and slots["requested_slot"] == "location"


def test_no_to_their_report_asks_the_place(open_test_case: Callable[..., str],
                                           domain: dict) -> None:
    reference = open_test_case("web-noise-no", service_code="noise")
    offer = {**OFFER, "reference": reference, "own": True}
    slots, _ = validate("follow_duplicate", {"follow_duplicate": False}, domain,
                        sender_id="web-noise-no", text="/deny", intent="deny",
                        slots={"category": "noise", "submission_id": "s",
                               "duplicate_case": offer})
    assert slots["requested_slot"] == "location"
