"""The citizen's word that their problem is fixed (routed to action_check_status by
components.fixed_statement, then actions.problem_fixed and the note form): it answers a
waiting "is it fixed?", flags an open case for a caseworker to check and close, confirms a
resolved case's fix, and never opens a report or reopens a case."""
from __future__ import annotations

from typing import Callable, List, Optional

import pytest

from actions.case_notes import ActionSubmitCaseNote, ValidateCaseNoteForm
from actions.status import ActionCheckStatus
from bot.case_notes import NOTE_KIND, SAYS_FIXED_KIND, unanswered_note_kind
from bot.case_queries import attention_reason
from bot.cases import change_status, find_case
from bot.db import session_scope
from tests.actions.factories import (follow_on_webchat, form_tracker, make_tracker, responses,
                                     run_action, slot_values)

SENDER = "web-fixed"
WORKING_AGAIN = "the streetlight on Oak Avenue is working again"


def said_fixed(domain: dict, text: str = WORKING_AGAIN, sender_id: str = SENDER,
               active_loop: Optional[str] = None, **slots):
    tracker = make_tracker(text=text, intent="check_status", sender_id=sender_id, slots=slots,
                           active_loop=active_loop)
    return run_action(ActionCheckStatus(), tracker, domain)


def submit(domain: dict, reference: str, text: str, sender_id: str = SENDER, **slots):
    tracker = make_tracker(sender_id=sender_id, slots={
        "note_case": reference, "note_text": text, **slots})
    return run_action(ActionSubmitCaseNote(), tracker, domain)


def history(reference: str) -> List[tuple]:
    with session_scope() as session:
        return [(event.kind, event.reason) for event in find_case(session, reference).events
                if event.kind in (NOTE_KIND, SAYS_FIXED_KIND)]


def test_the_words_go_to_the_note_form(open_test_case: Callable[..., str], domain: dict) -> None:
    open_test_case(SENDER, service_code="streetlight")
    events, messages = said_fixed(domain)
    assert messages == []
    assert slot_values(events) == {"note_text": WORKING_AGAIN}
    assert [event["name"] for event in events if event["event"] == "followup"] == [
        "case_note_form"]


def test_the_note_form_takes_the_only_report_without_asking(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case(SENDER, service_code="streetlight")
    tracker = form_tracker("case_note_form", None, {}, text=WORKING_AGAIN,
                           intent="check_status", sender_id=SENDER,
                           slots={"note_text": WORKING_AGAIN})
    events, messages = run_action(ValidateCaseNoteForm(), tracker, domain)
    assert slot_values(events)["note_case"] == reference and responses(messages) == []


def test_during_a_report_it_is_a_status_question_as_before(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """A form running: the status is shown and the form goes on (data/rules.yml)."""
    reference = open_test_case(SENDER, service_code="streetlight")
    events, messages = said_fixed(domain, active_loop="report_form")
    assert responses(messages) == ["utter_case_status_private"]
    assert messages[0]["reference"] == reference
    assert not [event for event in events if event["event"] == "followup"]


def test_a_question_is_still_a_status_question(open_test_case: Callable[..., str],
                                               domain: dict) -> None:
    reference = open_test_case(SENDER, service_code="streetlight")
    _, messages = said_fixed(domain, "has the streetlight I reported been fixed?")
    assert responses(messages) == ["utter_case_status_private"]
    assert history(reference) == []


def test_without_a_report_in_this_chat_the_citizen_is_thanked_and_told_where(
        domain: dict) -> None:
    events, messages = said_fixed(domain, sender_id="web-fixed-none")
    assert responses(messages) == ["utter_fixed_no_report"] and events == []


def test_a_waiting_is_it_fixed_question_is_answered_yes(open_test_case: Callable[..., str],
                                                        domain: dict) -> None:
    reference = open_test_case(SENDER)
    with session_scope() as session:
        case = find_case(session, reference)
        change_status(session, case, "resolved", "Filled", "staff:ana")
    events, messages = said_fixed(domain, "ya lo arreglaron, gracias",
                                  pending_fix_case=reference)
    assert responses(messages) == ["utter_fix_confirmed", "utter_ask_fix_rating"]
    with session_scope() as session:
        case = find_case(session, reference)
        assert (case.status, case.fix_confirmation) == ("resolved", "confirmed")
    assert slot_values(events)["fix_rating_case"] == reference


def test_an_open_case_is_flagged_for_a_caseworker_to_close(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case(SENDER)
    events, messages = submit(domain, reference, "the pothole has been filled in, thanks")
    assert responses(messages) == ["utter_case_done_noted"]
    assert messages[0]["reference"] == reference
    assert history(reference) == [(SAYS_FIXED_KIND, "the pothole has been filled in, thanks")]
    with session_scope() as session:
        case = find_case(session, reference)
        assert case.status == "new"  # a caseworker closes it, having checked
        assert unanswered_note_kind(case.events) == SAYS_FIXED_KIND
        assert attention_reason(case, SAYS_FIXED_KIND) == "citizen says it is fixed"
    assert slot_values(events)["last_case_reference"] == reference


def test_a_follower_can_say_it_is_fixed_too(open_test_case: Callable[..., str],
                                            domain: dict) -> None:
    reference = open_test_case("web-fixed-reporter")
    follow_on_webchat(reference, "web-fixed-follower")
    _, messages = submit(domain, reference, "it's been fixed", sender_id="web-fixed-follower")
    assert responses(messages) == ["utter_case_done_noted"]
    assert history(reference) == [(SAYS_FIXED_KIND, "it's been fixed")]


def test_other_words_stay_an_ordinary_note(open_test_case: Callable[..., str],
                                          domain: dict) -> None:
    reference = open_test_case(SENDER)
    _, messages = submit(domain, reference, "they filled it in but it has sunk again")
    assert responses(messages) == ["utter_case_note_added"]
    assert history(reference) == [(NOTE_KIND, "they filled it in but it has sunk again")]


def test_an_answer_to_a_caseworkers_question_stays_an_answer(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case(SENDER)
    _, messages = submit(domain, reference, "it's fixed now", note_answers_question=True)
    assert responses(messages) == ["utter_case_question_answered"]
    assert history(reference) == [(NOTE_KIND, "it's fixed now")]


def test_a_resolved_case_of_theirs_has_its_fix_confirmed(open_test_case: Callable[..., str],
                                                         domain: dict) -> None:
    reference = open_test_case(SENDER)
    with session_scope() as session:
        change_status(session, find_case(session, reference), "resolved", "Filled",
                      "staff:ana")
    _, messages = submit(domain, reference, "yes they fixed it, thank you")
    assert responses(messages) == ["utter_fix_confirmed"]
    with session_scope() as session:
        assert find_case(session, reference).fix_confirmation == "confirmed"
    assert history(reference) == []


@pytest.mark.parametrize("status", ["closed_not_fixed", "resolved"])
def test_a_case_no_longer_open_is_not_flagged_again(open_test_case: Callable[..., str],
                                                   domain: dict, status: str) -> None:
    """Closed, or resolved and only followed: nothing for a caseworker to do."""
    reference = open_test_case("web-fixed-other")
    follow_on_webchat(reference, SENDER)
    with session_scope() as session:
        case = find_case(session, reference)
        change_status(session, case, status, "Done", "staff:ana")
    _, messages = submit(domain, reference, "it's been sorted")
    assert responses(messages) == ["utter_case_done_already"]
    assert messages[0]["status"] in ("closed without a fix", "fixed")
    assert history(reference) == []


def test_the_kind_named_in_words_picks_the_report_without_the_classifier(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """The model read "la farola ya funciona" as something other than a report, so the
    classifier named no service; the catalogue's words ("farola") still pick the report."""
    sender = "web-fixed-words"
    light = open_test_case(sender, service_code="streetlight")
    open_test_case(sender)  # a pothole report, newer
    text = "la farola ya funciona otra vez"
    tracker = form_tracker("case_note_form", None, {}, text=text, intent="check_status",
                           sender_id=sender, slots={"note_text": text})
    events, messages = run_action(ValidateCaseNoteForm(), tracker, domain)
    assert slot_values(events)["note_case"] == light and responses(messages) == []
