"""action_check_status when the citizen names the kind of problem ("has the pothole been fixed
yet?"): that report, not whichever one the chat discussed last; none of that kind is said."""
from __future__ import annotations

from typing import Callable

import pytest

from tests.actions.factories import follow_on_webchat, responses
from tests.actions.test_status_actions import check, render


def test_the_report_of_the_kind_named_not_the_last_one(open_test_case: Callable[..., str],
                                                       domain: dict) -> None:
    pothole = open_test_case("web-kinds")
    light = open_test_case("web-kinds", service_code="streetlight")
    _, messages = check(domain, text="has the pothole been fixed yet?", sender_id="web-kinds",
                        slots={"last_case_reference": light})
    assert responses(messages) == ["utter_case_status_private"]
    assert messages[0]["reference"] == pothole


def test_the_last_case_stands_when_it_is_of_the_kind_named(open_test_case: Callable[..., str],
                                                           domain: dict) -> None:
    """A pothole someone passed on by reference is "the pothole" the chat is about."""
    passed_on = open_test_case("web-neighbour")
    open_test_case("web-kinds-last")  # their own pothole report, older
    _, messages = check(domain, text="any news on the pothole?", sender_id="web-kinds-last",
                        slots={"last_case_reference": passed_on})
    assert messages[0]["reference"] == passed_on


def test_two_of_the_kind_named_are_listed(open_test_case: Callable[..., str],
                                          domain: dict) -> None:
    first = open_test_case("web-two-holes")
    second = open_test_case("web-two-holes")
    light = open_test_case("web-two-holes", service_code="streetlight")
    _, messages = check(domain, text="what about my potholes?", sender_id="web-two-holes")
    [message] = messages
    assert message["response"] == "utter_your_recent_cases"
    assert message["cases"].splitlines() == [f"{second} (Pothole): received",
                                             f"{first} (Pothole): received"]
    assert light not in message["cases"]


@pytest.mark.parametrize("language, text, expected", [
    ("en", "has the pothole been fixed yet?",
     'I can\'t find a report about "Pothole" from this chat. If you reported it another way, '
     "send me its reference (it looks like C-2026-000123). Your reports here:\n"
     "{light} (Street light fault): received"),
    ("es", "¿ya taparon el bache?",
     "No encuentro ningún aviso de «Bache» en este chat. Si lo enviaste por otra vía, mándame "
     "su referencia (tiene este formato: C-2026-000123). Tus avisos aquí:\n"
     "{light} (Avería de farola): recibido"),
])
def test_none_of_the_kind_named_is_said_with_the_reports_there_are(
        language: str, text: str, expected: str, open_test_case: Callable[..., str],
        domain: dict) -> None:
    """Before, the only report (a street light) was shown as if it were the pothole."""
    light = open_test_case("web-no-hole-" + language, service_code="streetlight")
    _, messages = check(domain, text=text, sender_id="web-no-hole-" + language,
                        slots={"last_case_reference": light, "language": language})
    [message] = messages
    assert message["response"] == "utter_no_report_of_that_kind"
    assert render(domain, message, language) == expected.format(light=light)


def test_a_followed_report_of_the_kind_named_counts(open_test_case: Callable[..., str],
                                                    domain: dict) -> None:
    followed = open_test_case("web-reporter-of-light", service_code="streetlight")
    follow_on_webchat(followed, "web-light-follower")
    open_test_case("web-light-follower")
    _, messages = check(domain, text="is the street light working again yet?",
                        sender_id="web-light-follower")
    assert messages[0]["reference"] == followed


def test_no_reports_at_all_asks_for_the_reference(database: str, domain: dict) -> None:
    _, messages = check(domain, text="has the pothole been fixed?", sender_id="web-nothing")
    assert responses(messages) == ["utter_ask_case_reference"]


def test_with_the_database_down(database_down: str, domain: dict) -> None:
    _, messages = check(domain, text="has the pothole been fixed?", sender_id="web-down")
    assert responses(messages) == ["utter_database_unavailable"]
