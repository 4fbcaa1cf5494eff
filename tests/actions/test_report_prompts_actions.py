"""action_ask_category, action_ask_followup, action_ask_confirmed: questions built from the
catalogue in the citizen's language."""
from __future__ import annotations

import json

import pytest

from actions.report_prompts import (ActionAskCategory, ActionAskConfirmed, ActionAskFollowup,
                                    ActionAskLocation)
from tests.actions.factories import make_tracker, responses, run_action, slot_values

pytestmark = pytest.mark.usefixtures("database")


def payload_codes(message: dict) -> list:
    return [json.loads(button["payload"][len("/inform"):])["category"]
            for button in message["buttons"]]


def test_an_unsure_guess_is_offered_with_its_alternatives(domain: dict) -> None:
    suggestion = {"value": "streetlight", "alternatives": ["traffic_signal", "no_such_code"]}
    tracker = make_tracker(slots={"category_suggestion": suggestion})
    _, messages = run_action(ActionAskCategory(), tracker, domain)
    assert responses(messages) == ["utter_ask_category_suggestion"]
    assert messages[0]["service"] == "Street light fault"
    assert payload_codes(messages[0]) == ["streetlight", "traffic_signal", "other"]
    assert messages[0]["buttons"][0]["payload"] == '/inform{"category":"streetlight"}'
    assert messages[0]["buttons"][-1]["title"] == "Something else"


@pytest.mark.parametrize("suggestion", [None, {}, {"value": "no_such_code", "alternatives": []}])
def test_without_a_usable_guess_the_common_types_are_offered(suggestion, domain: dict) -> None:
    tracker = make_tracker(slots={"category_suggestion": suggestion})
    _, messages = run_action(ActionAskCategory(), tracker, domain)
    assert responses(messages) == ["utter_ask_category"]
    assert messages[0]["buttons"] == []  # the domain's own buttons are used


@pytest.mark.parametrize("text, language, code, name", [
    ("Goedemiddag, er ligt al drie dagen grofvuil op straat bij de Kerkstraat 12", "nl",
     "illegal_dumping", "Illegale afvaldump"),
    ("someone left a mattress by the bins", "en", "illegal_dumping", "Fly-tipping"),
])
def test_without_a_guess_the_catalogues_words_offer_one(text: str, language: str, code: str,
                                                       name: str, domain: dict) -> None:
    """The classifier named nothing, and the citizen had to pick from the common types
    though their words are a keyword of the service ("grofvuil op straat")."""
    tracker = make_tracker(text=text, intent="report_problem", slots={"language": language})
    events, messages = run_action(ActionAskCategory(), tracker, domain)
    assert responses(messages) == ["utter_ask_category_suggestion"]
    assert messages[0]["service"] == name
    assert payload_codes(messages[0]) == [code, "other"]
    assert slot_values(events) == {"category_suggestion": {"value": code, "alternatives": []}}


@pytest.mark.parametrize("text", ["I want to report a problem", "/report_problem",
                                  "a pothole and a broken streetlight"])  # none, or two
def test_words_naming_no_one_service_offer_the_common_types(text: str, domain: dict) -> None:
    _, messages = run_action(ActionAskCategory(), make_tracker(text=text), domain)
    assert responses(messages) == ["utter_ask_category"]


@pytest.mark.parametrize("street, response", [
    ("Mill Lane", "utter_ask_location_on_street"), (None, "utter_ask_location"),
])
def test_the_place_question_names_the_street_already_given(street, response: str,
                                                           domain: dict) -> None:
    tracker = make_tracker(slots={"category": "pothole", "location_street": street})
    events, messages = run_action(ActionAskLocation(), tracker, domain)
    assert responses(messages) == [response]
    assert messages[0].get("street") == street
    assert events == []


@pytest.mark.parametrize("answers, question", [
    ({}, "Roughly how big is it?"),
    ({"size": "big"}, "Is it a danger to cars"),
])
def test_followup_asks_the_next_unanswered_question(answers: dict, question: str,
                                                    domain: dict) -> None:
    tracker = make_tracker(slots={"category": "pothole", "followup_answers": answers})
    events, messages = run_action(ActionAskFollowup(), tracker, domain)
    assert responses(messages) == ["utter_ask_followup"]
    assert messages[0]["question"].startswith(question)
    assert events == []


def test_followup_moves_on_when_nothing_is_left_to_ask(domain: dict) -> None:
    tracker = make_tracker(slots={"category": "other"})
    events, messages = run_action(ActionAskFollowup(), tracker, domain)
    assert messages == []
    assert slot_values(events) == {"followup": "done"}


def test_the_summary_reads_the_report_back(domain: dict) -> None:
    tracker = make_tracker(slots={
        "category": "pothole", "location": "12 High St", "description": "Deep hole",
        "followup_answers": {"size": "bigger than a tyre", "danger_to_traffic": None},
        "attachment_ids": ["a1", "a2"], "consent": False})
    _, messages = run_action(ActionAskConfirmed(), tracker, domain)
    [message] = messages
    assert message["response"] == "utter_ask_confirmed_summary"
    assert (message["service"], message["location"], message["description"]) == (
        "Pothole", "12 High St", "Deep hole")
    assert message["photos"] == "2"
    assert message["consent"] == "✗"
    assert message["answers"] == "Roughly how big is it? bigger than a tyre"
    # Submit and Change come from the domain; a pothole report asked questions; Cancel last
    assert message["buttons"] == [{"title": "Change answers",
                                   "payload": '/inform{"field":"answers"}'},
                                  {"title": "Cancel", "payload": "/deny"}]


@pytest.mark.parametrize("category, language, buttons", [
    ("pothole", "es", ["Cambiar respuestas", "Cancelar"]), ("other", "en", ["Cancel"]),
    ("pothole", "nl", ["Antwoorden wijzigen", "Annuleren"])])
def test_change_answers_only_when_questions_were_asked(category: str, language: str,
                                                       buttons: list, domain: dict) -> None:
    tracker = make_tracker(slots={"category": category, "location": "12 High St",
                                  "description": "x", "language": language})
    _, [message] = run_action(ActionAskConfirmed(), tracker, domain)
    assert [button["title"] for button in message["buttons"]] == buttons


def test_the_domain_summary_has_the_contract_buttons(domain: dict) -> None:
    from rasa.core.nlg.interpolator import interpolate_text

    buttons = domain["responses"]["utter_ask_confirmed_summary"][-1]["buttons"]
    # As the citizen's button sends them, once Rasa has filled the response's placeholders.
    assert [interpolate_text(button["payload"], {"language": "en"}) for button in buttons] == [
        "/affirm", '/inform{"field":"category"}', '/inform{"field":"location"}',
        '/inform{"field":"description"}']  # then the action's "Change answers" and Cancel


@pytest.mark.parametrize("category, added", [("pothole", ["Change answers"]), ("other", [])])
def test_after_thats_wrong_only_which_part_is_asked(category: str, added: list,
                                                    domain: dict) -> None:
    """The summary is still in view: asking which part is shorter than reading it again."""
    tracker = make_tracker(slots={"category": category, "location": "12 High St",
                                  "description": "x", "what_to_change_asked": True})
    events, [message] = run_action(ActionAskConfirmed(), tracker, domain)
    assert message["response"] == "utter_ask_what_to_change"
    assert [button["title"] for button in message["buttons"]] == added
    assert slot_values(events) == {"what_to_change_asked": None}
    for variation in domain["responses"]["utter_ask_what_to_change"]:
        assert len(variation["buttons"]) == 3  # type, place, description, in every language
