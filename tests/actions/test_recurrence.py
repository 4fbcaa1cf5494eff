""""It's happening again right now" after a report is kept on that report, and "what if it
happens again?" is answered from it (actions.recurrence)."""
from __future__ import annotations

from typing import Callable

import pytest

from actions.report_submit import ActionSubmitReport
from bot.cases import change_status_by_staff, find_case
from bot.db import session_scope
from tests.actions.factories import make_tracker, responses, run_action, slot_values
from tests.actions.test_progress_questions import ask, discussed
from tests.actions.test_report_form_actions import validate
from tests.actions.test_status_actions import check, render
from tests.actions.test_urgency_notes import notes_on

AGAIN = "it's happening again right now, really loud"
STREETLIGHT = {"entity": "category", "value": "streetlight", "start": 0, "end": 6,
               "extractor": "CategoryClassifier"}


def test_read_as_a_status_check_it_goes_on_the_report(open_test_case: Callable[..., str],
                                                      domain: dict) -> None:
    """The status was shown and the words kept nowhere."""
    reference = open_test_case("web-again", service_code="noise")
    events, messages = check(domain, AGAIN, sender_id="web-again",
                             slots={"last_case_reference": reference})
    [message] = messages
    assert message["response"] == "utter_recurrence_noted"
    assert render(domain, message, "en").startswith(
        f"Thanks for telling us. I've added that to report {reference}, so the team can see "
        f"it's happening again and when. We aim to deal with it by ")
    assert notes_on(reference) == [AGAIN]
    assert slot_values(events)["last_case_reference"] == reference


def test_a_reference_named_says_which_report(open_test_case: Callable[..., str],
                                             domain: dict) -> None:
    first = open_test_case("web-again-two", service_code="noise")
    second = open_test_case("web-again-two", service_code="noise")
    text = f"{first} they are at it again"
    _, messages = check(domain, text, sender_id="web-again-two",
                        slots={"last_case_reference": second})
    assert responses(messages) == ["utter_recurrence_noted"]
    assert notes_on(first) == [text] and notes_on(second) == []


def test_out_of_scope_in_dutch_goes_on_the_report(open_test_case: Callable[..., str],
                                                  domain: dict) -> None:
    reference = open_test_case("web-weer", language="nl", service_code="noise")
    _, messages = ask(domain, "het is weer begonnen", discussed(reference), "web-weer",
                      language="nl", intent="out_of_scope")
    assert responses(messages) == ["utter_recurrence_noted"]
    assert notes_on(reference) == ["het is weer begonnen"]


def test_someone_elses_closed_or_no_report_keeps_the_status(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """No note where the citizen may not add one: the status, as before."""
    theirs = open_test_case("web-again-owner")
    _, messages = check(domain, AGAIN, sender_id="web-again-stranger",
                        slots={"last_case_reference": theirs})
    assert "utter_recurrence_noted" not in responses(messages)
    closed = open_test_case("web-again-closed")
    with session_scope() as session:
        change_status_by_staff(session, find_case(session, closed), "resolved", "Quiet now",
                               by="crew")
    _, messages = check(domain, AGAIN, sender_id="web-again-closed",
                        slots={"last_case_reference": closed})
    assert "utter_recurrence_noted" not in responses(messages)
    assert notes_on(theirs) == [] and notes_on(closed) == []


def test_in_a_form_the_words_are_its_answer(open_test_case: Callable[..., str],
                                            domain: dict) -> None:
    reference = open_test_case("web-again-form")
    _, messages = check(domain, AGAIN, sender_id="web-again-form", active_loop="report_form",
                        slots={"last_case_reference": reference})
    assert "utter_recurrence_noted" not in responses(messages)
    assert notes_on(reference) == []


def test_what_if_it_happens_again_is_answered_from_the_report(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """The FAQ offered missed bins and anonymous reporting."""
    reference = open_test_case("web-what-if", service_code="noise")
    _, messages = ask(domain, "ok what if it happens again tomorrow?", discussed(reference),
                      "web-what-if", intent="out_of_scope")
    [message] = messages
    assert message["response"] == "utter_report_if_it_recurs"
    assert render(domain, message, "en").startswith(
        f"If it happens again, just tell me here (for example \"it's happening again\") and "
        f"I'll add it to report {reference}")
    assert notes_on(reference) == []
    _, messages = ask(domain, "what if it happens again?", discussed(reference, 4),
                      "web-what-if")
    assert "utter_report_if_it_recurs" not in responses(messages)


def test_read_as_a_new_report_naming_no_type_it_goes_on_their_report(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """"Está pasando otra vez" from a citizen following an open report was asked what kind
    of problem it was: the form ends at once and the note form takes the words."""
    reference = open_test_case("web-otra-vez", language="es", service_code="noise")
    slots, messages = validate(None, {}, domain, text="está pasando otra vez",
                               intent="report_problem", sender_id="web-otra-vez",
                               slots={"last_case_reference": reference, "language": "es"})
    assert slots["confirmed"] == "note_instead"
    assert slots["requested_slot"] is None and messages == []
    tracker = make_tracker(text="está pasando otra vez", intent="report_problem",
                           sender_id="web-otra-vez",
                           slots={"confirmed": "note_instead", "last_case_reference": reference})
    events, messages = run_action(ActionSubmitReport(), tracker, domain)
    assert messages == []
    assert slot_values(events)["note_text"] == "está pasando otra vez"
    assert slot_values(events)["note_case"] == reference
    assert events[-1] == {"event": "followup", "name": "case_note_form", "timestamp": None}


@pytest.mark.parametrize("text, entities, sender", [
    ("está pasando otra vez", [], "web-otra-vez-stranger"),  # not their report
    ("hay un bache en la calle Mayor", [], "web-otra-vez-2"),  # a new problem
    ("la farola está apagada otra vez", [STREETLIGHT], "web-otra-vez-2"),  # a kind named
])
def test_otherwise_the_report_goes_on(text: str, entities: list, sender: str,
                                      open_test_case: Callable[..., str], domain: dict) -> None:
    reference = open_test_case("web-otra-vez-2", language="es", service_code="noise")
    slots, _ = validate(None, {}, domain, text=text, intent="report_problem", sender_id=sender,
                        entities=entities, slots={"last_case_reference": reference})
    assert slots.get("confirmed") != "note_instead"


def test_another_kind_of_problem_named_is_not_put_on_the_report(
        open_test_case: Callable[..., str], domain: dict) -> None:
    """"The streetlight is out again" is not about their noise report."""
    reference = open_test_case("web-again-kind", service_code="noise")
    _, messages = check(domain, "the streetlight is out again", sender_id="web-again-kind",
                        slots={"last_case_reference": reference})
    assert "utter_recurrence_noted" not in responses(messages)
    _, messages = check(domain, "the loud music is on again", sender_id="web-again-kind",
                        slots={"last_case_reference": reference})
    assert responses(messages) == ["utter_recurrence_noted"]
    assert notes_on(reference) == ["the loud music is on again"]
