"""actions/waiting_question.py: a caseworker's question that came while the citizen was busy
is put to them when their form ends, or when they come back in a new session; one they have
had the chance to answer is not put again."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa_sdk.events import FollowupAction
from sqlalchemy import select

from actions.case_notes import ActionAskNoteText
from actions.feedback import ActionSubmitFeedback
from actions.report_submit import ActionCancelReport, ActionSubmitReport
from actions.session import ActionSessionStart
from actions.waiting_question import after_form, free_since
from bot.case_questions import answer_form_events, ask_reporter
from bot.cases import find_case
from bot.clock import utc_naive
from bot.db import session_scope
from bot.models import OutboxMessage
from tests.actions.factories import make_tracker, responses, run_action, user_event

Event = Dict[str, Any]


def at(moment: dt.datetime, event: Event) -> Event:
    return {**event, "timestamp": moment.replace(tzinfo=dt.timezone.utc).timestamp()}


def listen(moment: dt.datetime) -> Event:
    return at(moment, {"event": "action", "name": "action_listen"})


def loop(moment: dt.datetime, name: Optional[str]) -> Event:
    return at(moment, {"event": "active_loop", "name": name})


def ask(reference: str, moment: dt.datetime, question: str = "Which side of the road?") -> None:
    with session_scope() as session:
        ask_reporter(session, find_case(session, reference), question, by="ana", now=moment)


def armed(events: List[Event]) -> Optional[str]:
    """The report whose answer form the events start, if they start it."""
    loops = [event.get("name") for event in events if event.get("event") == "active_loop"]
    if not loops or loops[-1] != "case_note_form":
        return None
    return next(event["value"] for event in reversed(events)
                if event.get("event") == "slot" and event.get("name") == "note_case")


NOW = utc_naive()
MINUTES = [NOW - dt.timedelta(minutes=minutes) for minutes in range(31)]


def in_a_report(until: dt.datetime) -> List[Event]:
    """A turn outside any form at MINUTES[30], then a report form from MINUTES[29] to `until`."""
    return [listen(MINUTES[30]), at(MINUTES[29], user_event("pothole on Elm St", "report_problem")),
            loop(MINUTES[29], "report_form"), listen(MINUTES[28]), listen(MINUTES[20]),
            loop(until, None)]


def test_the_citizen_is_free_at_the_end_of_a_turn_outside_a_form() -> None:
    def free(history: List[Event]) -> Optional[dt.datetime]:
        return free_since(make_tracker(history=history))

    assert free([]) is None
    assert free(in_a_report(MINUTES[10])) == MINUTES[30]
    assert free(in_a_report(MINUTES[10]) + [listen(MINUTES[9])]) == MINUTES[9]
    # a new session ends the form; a caseworker handing back frees them too
    assert free(in_a_report(MINUTES[10])[:-1] + [at(MINUTES[8], {"event": "session_started"}),
                                                listen(MINUTES[7])]) == MINUTES[7]
    assert free([listen(MINUTES[30]), at(MINUTES[5], {"event": "resume"})]) == MINUTES[5]


FORM_ENDS = {
    "report cancelled mid-form": (ActionCancelReport(), {}),
    "report declined at the summary": (ActionSubmitReport(), {"confirmed": False}),
    "feedback sent": (ActionSubmitFeedback(), {"feedback_text": "The crew were very polite",
                                               "feedback_rating": "skip"}),
}


@pytest.mark.parametrize("ending", list(FORM_ENDS))
def test_a_question_asked_during_a_form_is_put_when_it_ends(
        open_test_case: Callable[..., str], domain: dict, ending: str) -> None:
    action, slots = FORM_ENDS[ending]
    sender = f"web-wait-{list(FORM_ENDS).index(ending)}"
    reference = open_test_case(sender)
    tracker = make_tracker(sender_id=sender, text="yes", intent="affirm", slots=slots,
                           history=in_a_report(MINUTES[1])[:-1])
    assert armed(run_action(action, tracker, domain)[0]) is None  # nothing asked: as before

    ask(reference, MINUTES[25])
    events, _ = run_action(action, tracker, domain)
    assert events[-len(answer_form_events(reference)):] == answer_form_events(reference)
    assert armed(events) == reference


def test_the_message_held_back_is_withdrawn_when_the_form_puts_the_question(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """The console held the message while the citizen was busy (bot.case_questions); the
    form's end asks the question here, so it is not sent as well."""
    reference = open_test_case("web-wait-held")
    with session_scope() as session:
        ask_reporter(session, find_case(session, reference), "Which side of the road?",
                     by="ana", now=MINUTES[25], hold=True)
    tracker = make_tracker(sender_id="web-wait-held", text="cancel", intent="deny",
                           history=in_a_report(MINUTES[1])[:-1])
    assert armed(run_action(ActionCancelReport(), tracker, domain)[0]) == reference
    with session_scope() as session:
        case_id = find_case(session, reference).id
        statuses = session.execute(select(OutboxMessage.status).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "case_question")).all()
    assert [status for status, in statuses] == ["suppressed"]


def test_a_question_the_citizen_was_free_to_answer_is_not_put_again(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-wait-old")
    ask(reference, MINUTES[30] - dt.timedelta(minutes=1))  # before their last free turn
    tracker = make_tracker(sender_id="web-wait-old", text="cancel", intent="deny",
                           history=in_a_report(MINUTES[1])[:-1])
    assert armed(run_action(ActionCancelReport(), tracker, domain)[0]) is None


def test_a_form_that_goes_on_is_not_interrupted(open_test_case: Callable[..., str]) -> None:
    reference = open_test_case("web-wait-retry")
    ask(reference, MINUTES[25])
    tracker = make_tracker(sender_id="web-wait-retry", history=in_a_report(MINUTES[1])[:-1])
    kept = [FollowupAction("report_form")]
    assert after_form(tracker, kept) == kept
    assert armed(after_form(tracker, [])) == reference


def start_session(domain: dict, sender: str, history: List[Event]) -> List[Event]:
    tracker = make_tracker(text="", intent="", sender_id=sender)
    tracker.events = history
    events, _ = run_action(ActionSessionStart(), tracker, domain)
    return events


def test_a_new_session_starts_on_a_question_the_citizen_has_not_answered(
        open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-answer")
    idle = [at(MINUTES[30], user_event("is it done yet", "check_status")), listen(MINUTES[30])]
    assert armed(start_session(domain, "web-answer", idle)) is None
    ask(reference, MINUTES[20])
    events = start_session(domain, "web-answer", idle)
    assert events[-len(answer_form_events(reference)) - 1:-1] == answer_form_events(reference)
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    # asked while they were in a report they then left: still put
    assert armed(start_session(domain, "web-answer", in_a_report(MINUTES[5])[:-1])) == reference
    # once they have finished a turn outside a form since, a new session is an ordinary one
    assert armed(start_session(domain, "web-answer", idle + [listen(MINUTES[10])])) is None
    # a caseworker held the conversation when it was asked, and handed it back since
    handed_back = idle + [at(MINUTES[15], {"event": "resume"})]
    assert armed(start_session(domain, "web-answer", handed_back)) is None


@pytest.mark.parametrize("answering, expected", [
    (True, "utter_ask_note_answer"), (False, "utter_ask_note_text")])
def test_the_answer_form_asks_the_question_again_in_the_caseworkers_words(
        open_test_case: Callable[..., str], domain: dict, answering: bool,
        expected: str) -> None:
    reference = open_test_case("web-wait-ask")
    ask(reference, MINUTES[3], "Is the lamp on the bus stop side?")
    tracker = make_tracker(sender_id="web-wait-ask", slots={
        "note_case": reference, "note_answers_question": answering or None})
    _, messages = run_action(ActionAskNoteText(), tracker, domain)
    assert responses(messages) == [expected]
    if answering:
        assert messages[0]["question"] == "Is the lamp on the bus stop side?"
        assert messages[0]["reference"] == reference


def test_without_the_database_the_plain_question_is_asked(database_down: str,
                                                          domain: dict) -> None:
    tracker = make_tracker(sender_id="web-wait-down", slots={
        "note_case": "C-2026-000001", "note_answers_question": True})
    _, messages = run_action(ActionAskNoteText(), tracker, domain)
    assert responses(messages) == ["utter_ask_note_text"]
    events, _ = run_action(ActionCancelReport(), make_tracker(
        sender_id="web-wait-down", history=in_a_report(MINUTES[1])[:-1]), domain)
    assert armed(events) is None

