"""action_record_fix_confirmation and action_record_fix_rating: after "resolved" the citizen's
yes/no reaches the case (a "no" reopens it) and their 1-5 becomes its satisfaction."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest
from sqlalchemy import select

from actions.fix_confirmation import ActionRecordFixConfirmation, ActionRecordFixRating
from bot.cases import change_status, find_case
from bot.db import session_scope
from bot.models import Case, Feedback
from tests.actions.factories import make_tracker, responses, run_action, slot_values

SENDER = "web-fix"


@pytest.fixture
def resolved(open_test_case: Callable[..., str]) -> Callable[..., str]:
    """A case of SENDER's that a caseworker resolved and asked about."""

    def resolve(sender_id: str = SENDER, asked: bool = True, **overrides: Any) -> str:
        reference = open_test_case(sender_id, **overrides)
        with session_scope() as session:
            case = find_case(session, reference)
            change_status(session, case, "resolved", "Filled", "staff:ana")
            case.fix_confirmation = "asked" if asked else None
        return reference

    return resolve


def rating_entity(value: str) -> List[dict]:
    return [{"entity": "rating", "value": value, "extractor": "RegexEntityExtractor"}]


def answer(domain: dict, text: str, intent: str, slots: Optional[Dict[str, Any]] = None,
           entities: Optional[List[dict]] = None, sender_id: str = SENDER):
    tracker = make_tracker(text=text, intent=intent, slots=slots, entities=entities,
                           sender_id=sender_id)
    return run_action(ActionRecordFixConfirmation(), tracker, domain)


def rate(domain: dict, text: str, reference: str, intent: str = "inform",
         entities: Optional[List[dict]] = None):
    tracker = make_tracker(text=text, intent=intent, entities=entities, sender_id=SENDER,
                           slots={"fix_rating_case": reference})
    return run_action(ActionRecordFixRating(), tracker, domain)


def stored(reference: str) -> Case:
    with session_scope() as session:
        case = find_case(session, reference)
        session.expunge(case)
        return case


def feedback_ratings(reference: str) -> List[int]:
    with session_scope() as session:
        case = find_case(session, reference)
        return list(session.execute(select(Feedback.rating)
                                    .where(Feedback.case_id == case.id)).scalars())


@pytest.mark.parametrize("text, intent", [("no", "deny"), ("still broken", "report_not_fixed"),
                                          ("sigue igual", "report_not_fixed")])
def test_not_fixed_reopens_the_case_and_asks_for_a_rating(text: str, intent: str, domain: dict,
                                                          resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = answer(domain, text, intent, slots={"pending_fix_case": reference})
    assert responses(messages) == ["utter_fix_reopened", "utter_ask_fix_rating"]
    case = stored(reference)
    assert (case.status, case.fix_confirmation) == ("in_progress", "not_fixed")
    values = slot_values(events)
    assert values["pending_fix_case"] is None and values["fix_rating_case"] == reference


def test_a_question_read_as_not_fixed_gets_the_status_and_reopens_nothing(
        domain: dict, resolved: Callable[..., str]) -> None:
    """"C-2026-000122 já resolveram?" asks how it stands; the model may read "not fixed"."""
    reference = resolved()
    events, messages = answer(domain, f"{reference.lower()} ja resolveram?", "report_not_fixed")
    assert messages == []
    assert [event["name"] for event in events if event["event"] == "followup"] == [
        "action_check_status"]
    assert stored(reference).status == "resolved"
    answer(domain, f"{reference} ainda está avariado?", "report_not_fixed")
    assert stored(reference).status == "in_progress"  # a complaint, asked as a question


def test_yes_with_a_rating_confirms_and_stores_it(domain: dict,
                                                  resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = answer(domain, "yes 5", "affirm", slots={"pending_fix_case": reference},
                              entities=rating_entity("5"))
    assert responses(messages) == ["utter_fix_confirmed", "utter_fix_rating_thanks"]
    case = stored(reference)
    assert (case.status, case.fix_confirmation, case.satisfaction) == ("resolved", "confirmed", 5)
    assert feedback_ratings(reference) == [5]
    values = slot_values(events)
    assert values["pending_fix_case"] is None and values["fix_rating_case"] is None


@pytest.mark.parametrize("text, intent, found, rated", [
    ("no, it's still broken outside number 3", "deny", "3", False),  # a house number
    ("no, 2 stars", "deny", "2", True), ("yes 5", "affirm", "5", True),
])
def test_a_number_ending_the_answer_is_a_rating_only_when_meant(
        text: str, intent: str, found: str, rated: bool, domain: dict,
        resolved: Callable[..., str]) -> None:
    """The rating pattern finds a 1-5 ending the message: "number 3" was stored as a 3-star
    rating of the fix, and no rating was asked."""
    reference = resolved()
    _, messages = answer(domain, text, intent, slots={"pending_fix_case": reference},
                         entities=rating_entity(found))
    assert ("utter_fix_rating_thanks" in responses(messages)) is rated
    assert ("utter_ask_fix_rating" in responses(messages)) is not rated


def test_a_rating_before_the_yes_is_kept_until_the_yes(domain: dict,
                                                       resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = answer(domain, "4", "inform", slots={"pending_fix_case": reference},
                              entities=rating_entity("4"))
    assert responses(messages) == ["utter_fix_rating_noted", "utter_ask_fix_answer"]
    assert slot_values(events) == {"fix_rating": 4, "pending_fix_case": reference,
                                   "fix_rating_case": None}
    assert stored(reference).fix_confirmation == "asked"
    _, messages = answer(domain, "yes", "affirm",
                         slots={"pending_fix_case": reference, "fix_rating": 4})
    assert responses(messages) == ["utter_fix_confirmed", "utter_fix_rating_thanks"]
    assert stored(reference).satisfaction == 4


def test_an_answer_that_is_neither_yes_no_nor_a_rating_repeats_the_question(
        domain: dict, resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = answer(domain, "the road", "inform", slots={"pending_fix_case": reference})
    assert responses(messages) == ["utter_ask_fix_answer"]
    assert slot_values(events) == {"pending_fix_case": reference, "fix_rating_case": None}
    assert messages[0]["reference"] == reference


@pytest.mark.parametrize("text, entities, expected", [
    ("3", rating_entity("3"), 3), ("five", rating_entity("5"), 5), ("2 stars", [], 2),
])
def test_the_rating_after_the_answer_is_stored(text: str, entities: list, expected: int,
                                               domain: dict,
                                               resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = rate(domain, text, reference, entities=entities)
    assert responses(messages) == ["utter_fix_rating_thanks"]
    assert stored(reference).satisfaction == expected
    assert feedback_ratings(reference) == [expected]
    assert slot_values(events) == {"fix_rating_case": None, "fix_rating": None}


@pytest.mark.parametrize("text, intent, entities", [
    ("skip", "inform", []), ("no", "deny", []), ("/inform", "inform", rating_entity("skip")),
])
def test_the_rating_can_be_skipped(text: str, intent: str, entities: list, domain: dict,
                                   resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = rate(domain, text, reference, intent=intent, entities=entities)
    assert responses(messages) == ["utter_fix_rating_skipped"]
    assert stored(reference).satisfaction is None and feedback_ratings(reference) == []
    assert slot_values(events)["fix_rating_case"] is None


def test_a_number_outside_one_to_five_asks_again(domain: dict,
                                                 resolved: Callable[..., str]) -> None:
    reference = resolved()
    events, messages = rate(domain, "9", reference)
    assert responses(messages) == ["utter_ask_fix_rating"]
    assert slot_values(events) == {"fix_rating_case": reference}
    assert stored(reference).satisfaction is None


@pytest.mark.parametrize("text, quoted", [("it's not fixed", False),
                                          ("{reference} is still broken", True)])
def test_still_broken_without_the_question_reopens_the_latest_resolved_case(
        text: str, quoted: bool, domain: dict, resolved: Callable[..., str]) -> None:
    reference = resolved(asked=False)
    entities = ([{"entity": "case_reference", "value": reference}] if quoted else [])
    _, messages = answer(domain, text.format(reference=reference), "report_not_fixed",
                         entities=entities)
    assert responses(messages) == ["utter_fix_reopened", "utter_ask_fix_rating"]
    assert stored(reference).status == "in_progress"


def test_nobody_reopens_someone_elses_case(domain: dict, resolved: Callable[..., str]) -> None:
    reference = resolved(sender_id="web-owner")
    _, messages = answer(domain, f"{reference} not fixed", "report_not_fixed",
                         entities=[{"entity": "case_reference", "value": reference}])
    assert responses(messages) == ["utter_case_not_found"]
    assert stored(reference).status == "resolved"


def test_still_broken_with_no_resolved_case(domain: dict,
                                            open_test_case: Callable[..., str]) -> None:
    open_test_case(SENDER)
    _, messages = answer(domain, "still broken", "report_not_fixed")
    assert responses(messages) == ["utter_fix_no_case"]


@pytest.mark.parametrize("text, category, slots", [
    ("the pothole on Elm Road is still not fixed, it's been months", "pothole",
     {"category": "pothole", "location_street": "Elm Road",
      "description": "the pothole on Elm Road is still not fixed, it's been months"}),
    ("nobody has fixed the street light outside 4 Mill Lane", "streetlight",
     {"category": "streetlight", "location": "4 Mill Lane",
      "description": "nobody has fixed the street light outside 4 Mill Lane"}),
])
def test_still_broken_with_no_case_to_reopen_becomes_a_new_report(
        text: str, category: str, slots: dict, domain: dict) -> None:
    """Seen live: "tell me about the problem and I'll take a new report", to a citizen who
    just had, and their next message, the place, was not understood."""
    entity = {"entity": "category", "value": category, "extractor": "CategoryClassifier",
              "confidence_entity": 0.8}
    events, messages = answer(domain, text, "report_not_fixed", entities=[entity])
    assert responses(messages) == ["utter_fix_no_case_new_report"]
    assert messages[0]["problem"] == text
    found = slot_values(events)
    assert {name: found[name] for name in slots} == slots
    assert found["pending_fix_case"] is None
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["report_form"]


def test_a_case_still_being_worked_on_has_nothing_to_confirm(
        domain: dict, open_test_case: Callable[..., str]) -> None:
    reference = open_test_case(SENDER)
    events, messages = answer(domain, "yes", "affirm", slots={"pending_fix_case": reference})
    assert responses(messages) == ["utter_fix_case_still_open"]
    assert messages[0]["reference"] == reference
    assert slot_values(events)["pending_fix_case"] is None
    assert stored(reference).status == "new"


def test_the_question_stays_open_when_the_database_is_down(database_down: str,
                                                           domain: dict) -> None:
    events, messages = answer(domain, "no", "deny", slots={"pending_fix_case": "C-2026-000001"})
    assert responses(messages) == ["utter_database_unavailable"]
    assert slot_values(events) == {"pending_fix_case": "C-2026-000001", "fix_rating_case": None}


@pytest.mark.parametrize("response", [
    "utter_ask_fix_answer", "utter_fix_rating_noted", "utter_fix_confirmed", "utter_fix_reopened",
    "utter_fix_already_reopened", "utter_fix_case_still_open", "utter_fix_no_case",
    "utter_fix_no_case_new_report",
    "utter_ask_fix_rating", "utter_fix_rating_thanks", "utter_fix_rating_skipped",
    "utter_ask_follow_duplicate", "utter_following_case",
])
def test_every_new_reply_speaks_all_four_languages(response: str, domain: dict) -> None:
    variations = domain["responses"][response]
    languages = [next((c["value"] for c in v.get("condition", []) if c["name"] == "language"),
                      "en") for v in variations]
    assert languages == ["es", "pt", "nl", "en"]
    texts = {v["text"] for v in variations}
    assert len(texts) == 4  # really translated, not copied
