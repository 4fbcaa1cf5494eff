"""action_change_language and action_session_start: which language the assistant speaks."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.language import ActionChangeLanguage, ActionDetectLanguage
from actions.session import ActionSessionStart
from tests.actions.factories import (action_event, make_tracker, responses, run_action,
                                     slot_event, slot_values, user_event)


def language_entity(value: str) -> dict:
    return {"entity": "language", "value": value, "start": 0, "end": len(value)}


@pytest.mark.parametrize("value, expected", [("es", "es"), ("PT-br", "pt"), ("nl_BE", "nl"),
                                             ("en", "en")])
def test_a_named_language_is_set(value: str, expected: str, domain: dict) -> None:
    tracker = make_tracker(text=f'/change_language{{"language":"{value}"}}',
                           intent="change_language", entities=[language_entity(value)])
    events, messages = run_action(ActionChangeLanguage(), tracker, domain)
    assert slot_values(events) == {"language": expected}
    assert responses(messages) == []  # the rule's utter_language_changed confirms it


@pytest.mark.parametrize("value", ["fr", "klingon", ""])
def test_an_unsupported_language_keeps_the_current_one(value: str, domain: dict) -> None:
    tracker = make_tracker(text="in french please", intent="change_language",
                           entities=[language_entity(value)])
    events, messages = run_action(ActionChangeLanguage(), tracker, domain)
    assert events == []
    assert responses(messages) == []


@pytest.mark.parametrize("text, expected", [
    ("¿Puedes hablar conmigo en español, por favor?", "es"),
    ("can you speak another language please", None),
])
def test_without_a_name_the_message_language_decides(text: str, expected: Optional[str],
                                                      domain: dict) -> None:
    tracker = make_tracker(text=text, intent="change_language")
    events, messages = run_action(ActionChangeLanguage(), tracker, domain)
    if expected:
        assert slot_values(events) == {"language": expected}
    else:
        assert events == [] and responses(messages) == []


def start_session(domain: dict, metadata: Optional[dict] = None, history=None):
    slots = {"session_started_metadata": metadata} if metadata else {}
    tracker = make_tracker(text="", intent="", history=history, slots=slots)
    tracker.events = list(history or [])
    return run_action(ActionSessionStart(), tracker, domain)


@pytest.mark.parametrize("hint, expected", [("es-ES", "es"), ("pt", "pt"), ("fr-FR", "en"),
                                            (None, "en")])
def test_a_session_speaks_the_channels_language(hint: Optional[str], expected: str,
                                                domain: dict) -> None:
    events, _ = start_session(domain, {"language": hint} if hint else None)
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    assert slot_values(events)["language"] == expected


def test_a_chosen_language_outlives_the_session(domain: dict) -> None:
    history = [user_event("spanish please", "change_language"),
               action_event("action_change_language"), slot_event("language", "es")]
    events, _ = start_session(domain, {"language": "nl"}, history)
    assert slot_values(events)["language"] == "es"


def test_an_unfinished_report_is_not_carried_over(domain: dict) -> None:
    history = [slot_event("last_case_reference", "C-2026-000001"),
               slot_event("category", "pothole"), slot_event("submission_id", "abc"),
               slot_event("requested_slot", "location")]
    events, _ = start_session(domain, None, history)
    carried = slot_values(events)
    assert carried["last_case_reference"] == "C-2026-000001"
    assert not {"category", "submission_id", "requested_slot"} & set(carried)


def earlier_turn(text: str) -> list:
    """A session start and one earlier user message: the conversation's language is set."""
    return [{"event": "session_started"}, action_event("action_listen"), user_event(text)]


@pytest.mark.parametrize("text, slot, expected", [
    ("hola", "en", "es"),                  # the first message picks the language
    ("olá, bom dia", "en", "pt"),
    ("goedemorgen", "en", "nl"),
    ("ok", "es", None),                    # no clear words: the session start's choice stays
    ("hello", "en", None),
])
def test_the_first_message_of_a_session_sets_the_language(text: str, slot: str,
                                                          expected: Optional[str],
                                                          domain: dict) -> None:
    tracker = make_tracker(text=text, history=[{"event": "session_started"}],
                           slots={"language": slot})
    events, messages = run_action(ActionDetectLanguage(), tracker, domain)
    assert slot_values(events) == ({"language": expected} if expected else {})
    assert messages == []


@pytest.mark.parametrize("language, reply", [
    ("es", "si"), ("nl", "ja"), ("pt", "ok"), ("es", "2"), ("pt", "sim"), ("nl", "nee"),
    ("es", "no"), ("nl", "calle mayor 12"),
])
def test_one_word_replies_keep_the_conversations_language(language: str, reply: str,
                                                          domain: dict) -> None:
    tracker = make_tracker(text=reply, history=earlier_turn("first message"),
                           slots={"language": language})
    events, _ = run_action(ActionDetectLanguage(), tracker, domain)
    assert events == []


def test_a_long_clear_message_switches_the_conversation(domain: dict) -> None:
    tracker = make_tracker(text="hay una farola apagada delante de mi casa desde el lunes",
                           history=earlier_turn("hello"), slots={"language": "en"})
    events, _ = run_action(ActionDetectLanguage(), tracker, domain)
    assert slot_values(events) == {"language": "es"}


@pytest.mark.parametrize("text, intent", [
    ('/inform{"category":"pothole"}', "inform"),
    ("quiero hablar en holandés", "change_language"),
])
def test_buttons_and_explicit_switches_are_left_to_their_actions(text: str, intent: str,
                                                                 domain: dict) -> None:
    tracker = make_tracker(text=text, intent=intent, history=[{"event": "session_started"}])
    events, _ = run_action(ActionDetectLanguage(), tracker, domain)
    assert events == []


def test_the_language_slot_is_detected_on_every_message(domain: dict) -> None:
    mappings = domain["slots"]["language"]["mappings"]
    assert {"type": "custom", "action": "action_detect_language"} in mappings
    assert "action_detect_language" in domain["actions"]


def test_a_switch_is_remembered_for_updates_about_the_citizens_cases(
        domain: dict, open_test_case) -> None:
    from bot.cases import find_case
    from bot.db import session_scope

    reference = open_test_case("web-lang-memory", language="en")
    tracker = make_tracker(text='/change_language{"language":"pt"}', intent="change_language",
                           entities=[language_entity("pt")], sender_id="web-lang-memory")
    events, _ = run_action(ActionChangeLanguage(), tracker, domain)
    assert slot_values(events) == {"language": "pt"}
    with session_scope() as session:
        assert find_case(session, reference).language == "pt"


def test_a_conversation_a_caseworker_holds_stays_paused_in_a_new_session(domain: dict) -> None:
    from bot.db import session_scope
    from bot.escalations import escalate
    from bot.handoff import reserve

    history = [user_event("talk to a person", "request_human")]
    events, _ = start_session(domain, history=history)
    assert "pause" not in [event["event"] for event in events]
    with session_scope() as session:
        escalation = escalate(session, sender_id="held-citizen", channel="webchat",
                              language="en", reason="requested", transcript=[])
        reserve(session, escalation.id, "ana")
    tracker = make_tracker(text="", intent="", sender_id="held-citizen")
    tracker.events = list(history)
    events, _ = run_action(ActionSessionStart(), tracker, domain)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "session_started" and kinds[-2:] == ["pause", "action"]


def test_a_session_starts_even_when_the_database_does_not_answer(database_down: str,
                                                                 domain: dict) -> None:
    events, _ = start_session(domain)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "session_started" and "pause" not in kinds and kinds[-1] == "action"
