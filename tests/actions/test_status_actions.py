"""action_check_status: by reference (entity or free text), the reporter's private view,
and what happens without a reference."""
from __future__ import annotations

import asyncio
from typing import Callable, Optional

import pytest

from actions.status import ActionCheckStatus
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.factories import (follow_on_webchat, make_tracker, responses, run_action,
                                     slot_values)


def render(domain: dict, message: dict, language: str) -> str:
    """The text Rasa's own response generator makes of the action's message."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("citizen", [SlotSet("language", language)],
                                               slots=Domain.from_dict(domain).slots)
    values = {key: value for key, value in message.items() if key != "response"}
    generated = asyncio.run(TemplatedNaturalLanguageGenerator(domain["responses"]).generate(
        message["response"], tracker, "rest", **values))
    return generated["text"]


def check(domain: dict, text: str = "", entity: Optional[str] = None, **kwargs):
    entities = ([{"entity": "case_reference", "value": entity, "start": 0, "end": len(entity),
                  "extractor": "RegexEntityExtractor"}] if entity else [])
    tracker = make_tracker(text=text, intent="check_status", entities=entities, **kwargs)
    return run_action(ActionCheckStatus(), tracker, domain)


def test_the_reporter_sees_their_own_details(open_test_case: Callable[..., str],
                                             domain: dict) -> None:
    reference = open_test_case("web-owner")
    events, messages = check(domain, text=f"status of {reference}", entity=reference,
                             sender_id="web-owner")
    [message] = messages
    assert message["response"] == "utter_case_status_private"
    assert (message["reference"], message["address"]) == (reference, "12 High St")
    assert message["description"] == "Deep pothole by the bus stop"
    assert message["status"] == "received" and message["service"] == "Pothole"
    assert slot_values(events) == {"case_reference": None, "last_case_reference": reference}


@pytest.mark.parametrize("sender_id, channel", [("web-stranger", "webchat"),
                                                ("web-owner", "telegram")])
def test_anyone_else_sees_only_the_status(sender_id: str, channel: str,
                                          open_test_case: Callable[..., str],
                                          domain: dict) -> None:
    reference = open_test_case("web-owner")
    _, messages = check(domain, text=reference, entity=reference, sender_id=sender_id,
                        channel=channel)
    [message] = messages
    assert message["response"] == "utter_case_status"
    assert "address" not in message and "description" not in message
    # "your report... we will tell you" is not for them; the date promised is public
    assert message["next_step"].startswith("We aim to deal with it by ")


@pytest.mark.parametrize("language, opening, standard", [
    ("en", "Report", "It belongs to a utility company (water, gas, electricity or telecoms)."),
    ("es", "Aviso", "Pertenece a una compañía de suministros (agua, gas, electricidad o "
                    "telecomunicaciones)."),
])
def test_the_status_says_why_in_the_citizens_language(
        language: str, opening: str, standard: str, open_test_case: Callable[..., str],
        domain: dict) -> None:
    reference = open_test_case("web-owner")
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, reference), "referred", "Ref 88-41",
                               by="alice", reason_code="utility_company")
    _, messages = check(domain, text=reference, entity=reference, sender_id="web-stranger",
                        slots={"language": language})
    assert messages[0]["reason"] == f"{standard} Ref 88-41. "
    rendered = render(domain, messages[0], language)
    assert rendered.startswith(f"{opening} {reference}")
    assert f"{standard} Ref 88-41. " in rendered and rendered.endswith(messages[0]["next_step"])


def test_a_case_never_changed_has_no_reason(open_test_case: Callable[..., str],
                                            domain: dict) -> None:
    reference = open_test_case("web-owner")
    _, messages = check(domain, text=reference, entity=reference, sender_id="web-owner")
    assert messages[0]["reason"] == ""


@pytest.mark.parametrize("how", ["entity", "canonical text", "lenient text"])
def test_a_reference_is_found_however_it_is_typed(how: str, open_test_case: Callable[..., str],
                                                  domain: dict) -> None:
    reference = open_test_case("web-owner")
    year, number = reference.split("-")[1], int(reference.split("-")[2])
    if how == "entity":
        _, messages = check(domain, text=reference, entity=reference)
    elif how == "canonical text":
        _, messages = check(domain, text=f"what about {reference}?")
    else:
        _, messages = check(domain, text=f"any news on c {year} {number}")
    assert messages[0]["reference"] == reference


@pytest.mark.parametrize("text, response", [
    ("where is C-2026-999999", "utter_case_not_found"),
    ("where is C-20", "utter_reference_malformed"),
    ("what about c-1999-000001", "utter_reference_malformed"),
])
def test_unknown_and_malformed_references(text: str, response: str, database: str,
                                          domain: dict) -> None:
    events, messages = check(domain, text=text)
    assert responses(messages) == [response]
    if response == "utter_case_not_found":
        assert messages[0]["reference"] == "C-2026-999999"
    assert slot_values(events) == {"case_reference": None}


def test_without_a_reference_the_last_case_is_shown(open_test_case: Callable[..., str],
                                                    domain: dict) -> None:
    reference = open_test_case("web-owner")
    _, messages = check(domain, text="how is my report doing", sender_id="web-owner",
                        slots={"last_case_reference": reference})
    assert messages[0]["reference"] == reference


@pytest.mark.parametrize("text", ["and my other report?", "what about all my reports",
                                  "¿y mis otros avisos?", "en mijn andere meldingen?"])
def test_asking_about_the_others_lists_them_instead_of_the_last_again(
        text: str, open_test_case: Callable[..., str], domain: dict) -> None:
    """Before, "and my other report?" showed the report just discussed a second time."""
    first = open_test_case("web-others")
    last = open_test_case("web-others", service_code="graffiti")
    _, messages = check(domain, text=text, sender_id="web-others",
                        slots={"last_case_reference": last})
    [message] = messages
    assert message["response"] == "utter_your_recent_cases"
    assert first in message["cases"] and last in message["cases"]


def test_without_a_reference_the_senders_cases_are_listed(open_test_case: Callable[..., str],
                                                          domain: dict) -> None:
    older = open_test_case("web-lister")
    newer = open_test_case("web-lister", service_code="graffiti")
    open_test_case("web-someone-else")
    followed = open_test_case("web-reporter", service_code="streetlight")
    follow_on_webchat(followed, "web-lister")  # the open case they chose to follow is theirs too
    _, messages = check(domain, text="my reports", sender_id="web-lister")
    [message] = messages
    assert message["response"] == "utter_your_recent_cases"
    assert message["cases"].splitlines() == [f"{followed} (Street light fault): received",
                                             f"{newer} (Graffiti): received",
                                             f"{older} (Pothole): received"]


def test_without_a_reference_the_only_case_is_shown_straight_away(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """Before, a list of one ended "send a reference for more details"."""
    only = open_test_case("web-one-case")
    _, messages = check(domain, text="any news on my report?", sender_id="web-one-case")
    assert responses(messages) == ["utter_case_status_private"]
    assert messages[0]["reference"] == only
    _, listed = check(domain, text="all my reports", sender_id="web-one-case")
    assert responses(listed) == ["utter_your_recent_cases"]  # asked for the list: the list


def test_the_reporter_and_a_follower_get_the_next_step(open_test_case: Callable[..., str],
                                                       domain: dict) -> None:
    reference = open_test_case("web-owner")
    follow_on_webchat(reference, "web-follower")
    for sender_id in ("web-owner", "web-follower"):
        _, messages = check(domain, text=reference, entity=reference, sender_id=sender_id)
        assert messages[0]["next_step"].startswith(
            "Your report is in the queue. The team will look at it soon. We aim to deal with")
    assert messages[0]["response"] == "utter_case_status"  # a follower sees no details


def test_without_any_case_the_reference_is_asked_for(database: str, domain: dict) -> None:
    _, messages = check(domain, text="/check_status", sender_id="web-new")
    assert responses(messages) == ["utter_ask_case_reference"]


def test_status_with_the_database_down(database_down: str, domain: dict) -> None:
    _, messages = check(domain, text="C-2026-000001", entity="C-2026-000001")
    assert responses(messages) == ["utter_database_unavailable"]
