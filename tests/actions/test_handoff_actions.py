"""action_escalate and action_handle_misunderstanding: the caseworker gets the transcript,
the citizen gets an honest time, and a second misunderstanding in a row reaches a person."""
from __future__ import annotations

import datetime as dt
from typing import List

import pytest
from sqlalchemy import select

from actions import handoff
from actions.handoff import ActionEscalate, ActionHandleMisunderstanding
from bot.db import session_scope
from bot.models import Escalation
from tests.actions.factories import (action_event, bot_event, make_tracker, responses,
                                     run_action, slot_values, user_event)

MONDAY_10_UTC = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # staffed
SUNDAY_10_UTC = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)  # closed


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(handoff, "now_utc", lambda: moment)

    set_now(MONDAY_10_UTC)
    return set_now


def escalations(sender_id: str) -> List[Escalation]:
    with session_scope() as session:
        return list(session.execute(
            select(Escalation).where(Escalation.sender_id == sender_id)).scalars())


def conversation(turns: int) -> list:
    history = []
    for number in range(turns):
        history += [user_event(f"message {number}"), action_event("action_x"),
                    bot_event(f"reply {number}", "utter_default"), action_event("action_listen")]
    return history


def test_a_request_for_a_person_is_queued_with_the_transcript(database: str, domain: dict,
                                                              clock) -> None:
    tracker = make_tracker(text="talk to a person", intent="request_human",
                           history=conversation(15), sender_id="web-esc",
                           slots={"last_case_reference": None})
    events, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages) == ["utter_escalated"]
    assert messages[0]["hours"] == "Mon-Fri 08:30-17:30, Sat 09:00-13:00"
    assert slot_values(events) == {"handoff_offered": False}
    [escalation] = escalations("web-esc")
    assert (escalation.reason, escalation.channel, escalation.status) == (
        "requested", "webchat", "waiting")
    transcript = escalation.transcript
    assert len(transcript) == 20
    assert transcript[-1] == {**transcript[-1], "from": "citizen", "text": "talk to a person",
                              "intent": "request_human"}
    assert transcript[-2]["from"] == "assistant" and transcript[-2]["text"] == "reply 14"


@pytest.mark.parametrize("language, hours", [("es", "lun-vie 08:30-17:30, sáb 09:00-13:00"),
                                             ("nl", "ma-vr 08:30-17:30, za 09:00-13:00")])
def test_staffed_hours_are_given_in_the_citizens_language(language: str, hours: str,
                                                          database: str, domain: dict,
                                                          clock) -> None:
    tracker = make_tracker(text="persona", intent="request_human", sender_id=f"web-{language}",
                           slots={"last_case_reference": None, "language": language})
    _, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages) == ["utter_escalated"]
    assert messages[0]["hours"] == hours


def test_out_of_hours_the_citizen_is_told_when_we_reopen(database: str, domain: dict,
                                                         clock) -> None:
    clock(SUNDAY_10_UTC)
    tracker = make_tracker(text="human please", intent="request_human", sender_id="web-sun")
    _, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages) == ["utter_escalated_out_of_hours"]
    assert messages[0]["hours"].startswith("Mon, November 23")
    assert "8:30" in messages[0]["hours"]


def test_yes_to_the_offer_after_an_unsure_answer_is_low_confidence(database: str, domain: dict,
                                                                   clock) -> None:
    tracker = make_tracker(text="yes", intent="affirm", sender_id="web-offer",
                           slots={"handoff_offered": True})
    run_action(ActionEscalate(), tracker, domain)
    assert escalations("web-offer")[0].reason == "low_confidence"


def test_escalation_links_the_case_in_play(open_test_case, domain: dict, clock) -> None:
    reference = open_test_case("web-case")
    tracker = make_tracker(text="talk to someone", intent="request_human", sender_id="web-case",
                           slots={"last_case_reference": reference})
    run_action(ActionEscalate(), tracker, domain)
    assert escalations("web-case")[0].case_id is not None


def test_escalation_with_the_database_down(database_down: str, domain: dict, clock) -> None:
    tracker = make_tracker(text="talk to a person", intent="request_human")
    events, messages = run_action(ActionEscalate(), tracker, domain)
    assert responses(messages) == ["utter_database_unavailable"]
    assert slot_values(events) == {"handoff_offered": False}


@pytest.mark.parametrize("intent, response", [("nlu_fallback", "utter_default"),
                                              ("out_of_scope", "utter_out_of_scope"),
                                              ("inform", "utter_default")])
def test_a_first_misunderstanding_asks_to_rephrase(intent: str, response: str, database: str,
                                                   domain: dict) -> None:
    history = [user_event("hello", "greet"), action_event("utter_greet"),
               bot_event("Hi", "utter_greet"), action_event("action_listen")]
    tracker = make_tracker(text="blorp", intent=intent, history=history, sender_id="web-first")
    events, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == [response]
    assert events == [] and escalations("web-first") == []


def misunderstood_turn(text: str, intent: str = "nlu_fallback") -> list:
    return [user_event(text, intent), action_event("action_handle_misunderstanding"),
            bot_event("Sorry, I didn't get that.", "utter_default"), action_event("action_listen")]


def test_the_core_fallback_answers_a_message_once(database: str, domain: dict) -> None:
    """Inside a form that rejected the message, with no rule after it, Rasa predicts the
    core fallback again: the second time it only listens, instead of ten "Sorry" replies."""
    after = [action_event("feedback_form"), {"event": "action_execution_rejected",
                                             "name": "feedback_form"},
             action_event("action_handle_misunderstanding"),
             bot_event("Sorry, I didn't get that.", "utter_default")]
    tracker = make_tracker(text="hmm", intent="affirm", after=after, sender_id="web-loop",
                           active_loop="feedback_form")
    events, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert messages == [] and events == [{"event": "followup", "timestamp": None,
                                          "name": "action_listen"}]


def test_a_second_misunderstanding_in_a_row_reaches_a_person(database: str, domain: dict,
                                                             clock) -> None:
    tracker = make_tracker(text="qwerty", intent="out_of_scope", sender_id="web-twice",
                           history=misunderstood_turn("blorp"))
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_escalated"]
    assert escalations("web-twice")[0].reason == "misunderstood"


def test_a_previous_message_the_form_understood_does_not_count(database: str,
                                                               domain: dict) -> None:
    history = [user_event("12 elm st", "nlu_fallback"), action_event("report_form"),
               bot_event("Please describe it", "utter_ask_description"),
               action_event("action_listen")]
    tracker = make_tracker(text="blorp", intent="nlu_fallback", history=history,
                           sender_id="web-form")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]


def test_after_a_handover_the_next_miss_does_not_queue_again(database: str, domain: dict,
                                                            clock) -> None:
    history = misunderstood_turn("blorp") + [
        user_event("qwerty", "nlu_fallback"), action_event("action_handle_misunderstanding"),
        bot_event("I've passed this conversation to our team.", "utter_escalated"),
        action_event("action_listen")]
    tracker = make_tracker(text="asdf", intent="nlu_fallback", history=history,
                           sender_id="web-thrice")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]
    assert escalations("web-thrice") == []


# --- the FAQ's second look at a message the NLU could not place ------------------------


def faq_log(text: str) -> list:
    from bot.models import FaqQuery

    with session_scope() as session:
        return [(row.answered, row.entry_id is not None) for row in session.execute(
            select(FaqQuery).where(FaqQuery.question == text)).scalars()]


@pytest.mark.parametrize("text, intent, language, start", [
    ("posso estacionar no passeio?", "inform", "pt", "Não pode estacionar no passeio"),
    ("parking on the pavement fine", "nlu_fallback", "en",
     "Parking on the pavement is not allowed")])
def test_a_question_the_nlu_missed_is_answered_when_the_faq_clearly_has_it(
        text: str, intent: str, language: str, start: str, database: str,
        domain: dict) -> None:
    tracker = make_tracker(text=text, intent=intent, slots={"language": language},
                           sender_id=f"web-faq-{language}")
    events, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_policy_answer_ask_rating"]
    assert messages[0]["answer"].startswith(start)
    assert slot_values(events)["faq_rating_open"] is True  # "did that answer?" as for any
    assert faq_log(text) == [(True, True)]


@pytest.mark.parametrize("text", ["blorp", "12 Birch Grove", "stray dog Birch Grove"])
def test_no_clear_answer_is_a_misunderstanding_and_is_not_logged(text: str, database: str,
                                                                 domain: dict) -> None:
    tracker = make_tracker(text=text, intent="nlu_fallback", sender_id="web-no-faq")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]
    assert faq_log(text) == []  # not a gap for the comms team: most such texts are no question


def suggestion_log(text: str) -> list:
    from bot.models import FaqEntry, FaqQuery

    with session_scope() as session:
        row = session.execute(select(FaqQuery).where(FaqQuery.question == text)).scalar_one()
        topics = [session.get(FaqEntry, entry_id).topic for entry_id in row.suggested_entries]
        return [row.answered, topics]


@pytest.mark.parametrize("text, language", [
    ("what's the fine for parking on the footway", "en"),
    ("whats the fine for parking on the footway", "en"),
    ("fine for parking on the footway?", "en")])
def test_a_question_the_nlu_missed_is_offered_the_close_entries(text: str, language: str,
                                                                database: str,
                                                                domain: dict) -> None:
    tracker = make_tracker(text=text, intent="nlu_fallback", slots={"language": language},
                           sender_id=f"web-faq-offer-{language}")
    events, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_policy_suggestions"]
    answered, offered = suggestion_log(text)  # a gap for the team, with what was offered
    assert answered is False and "pavement-parking" in offered
    assert [button["payload"] for button in messages[0]["buttons"]][-1] == '/ask_policy{"faq_entry":"none"}'
    assert slot_values(events)["faq_suggestion_query"] is not None  # so a tap is honoured


def test_an_off_topic_question_gets_no_suggestions(database: str, domain: dict) -> None:
    text = "why is the sky blue?"
    tracker = make_tracker(text=text, intent="out_of_scope", sender_id="web-faq-sky")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_out_of_scope"] and faq_log(text) == []


def test_a_question_nothing_comes_close_to_is_logged_for_the_team(database: str,
                                                                  domain: dict) -> None:
    text = "is there a fee for the zorblax"
    tracker = make_tracker(text=text, intent="nlu_fallback", sender_id="web-faq-gap")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]
    assert faq_log(text) == [(False, False)]  # in the team's list of unanswered questions


def test_in_a_form_the_faq_is_not_looked_at(database: str, domain: dict) -> None:
    text = "parking on the pavement fine"
    tracker = make_tracker(text=text, intent="nlu_fallback", active_loop="report_form",
                           sender_id="web-faq-form")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"] and faq_log(text) == []


@pytest.mark.parametrize("response", ["utter_policy_answer_ask_rating",
                                      "utter_policy_suggestions",
                                      # "it's off again now", kept on the report
                                      "utter_recurrence_noted", "utter_report_progress"])
def test_a_miss_after_an_faq_answer_is_a_first_miss(response: str, database: str, domain: dict,
                                                    clock) -> None:
    history = [user_event("parking on the pavement fine", "nlu_fallback"),
               action_event("action_handle_misunderstanding"),
               bot_event("Parking on the pavement is not allowed...", response),
               action_event("action_listen")]
    tracker = make_tracker(text="blorp", intent="nlu_fallback", history=history,
                           sender_id="web-faq-then-miss")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]
    assert escalations("web-faq-then-miss") == []


def test_the_faq_look_with_the_database_down_is_a_misunderstanding(
        database_down: str, domain: dict) -> None:
    tracker = make_tracker(text="parking on the pavement fine",
                           intent="nlu_fallback", sender_id="web-faq-down")
    _, messages = run_action(ActionHandleMisunderstanding(), tracker, domain)
    assert responses(messages) == ["utter_default"]
