"""A button's title typed instead of pressed is that button (actions.typed_buttons): at the
report summary, "versturen" (the Dutch "Send" button, read as "no" at 0.98) cancelled the
report."""
from __future__ import annotations

from typing import List, Optional

import pytest

from actions.typed_buttons import button_typed, buttons_offered, payload_parts
from tests.actions.factories import make_tracker, user_event
from tests.actions.test_report_form_actions import FILLED, validate

SUMMARY_BUTTONS_NL = [
    {"title": "Versturen", "payload": "/affirm"},
    {"title": "Plaats wijzigen", "payload": '/inform{"field":"location"}'},
    {"title": "Annuleren", "payload": "/deny"},
]


def summary_shown(buttons: List[dict], text: str = "Zal ik hem versturen?") -> List[dict]:
    return [user_event("ja graag", "affirm"),
            {"event": "bot", "text": text, "data": {"buttons": buttons}, "metadata": {}}]


@pytest.mark.parametrize("typed, intent, confirmed", [
    ("versturen", "deny", True), ("Versturen.", "deny", True),
    ("annuleren", "affirm", False), ("plaats wijzigen", "inform", "location"),
])
def test_a_summary_button_typed_is_pressed(typed: str, intent: str, confirmed: object,
                                           domain: dict) -> None:
    candidate = {"confirmed": intent == "affirm"} if intent in ("affirm", "deny") else {}
    slots, _ = validate("confirmed", candidate, domain, text=typed, intent=intent,
                        history=summary_shown(SUMMARY_BUTTONS_NL),
                        slots={**FILLED, "language": "nl"})
    if confirmed == "location":
        assert slots["location"] is None and slots["confirmed"] is None
    else:
        assert slots["confirmed"] is confirmed


def test_other_words_are_read_as_before(domain: dict) -> None:
    """"nee" is no button's title: a no to the summary, as the model read it."""
    slots, _ = validate("confirmed", {"confirmed": False}, domain, text="nee", intent="deny",
                        history=summary_shown(SUMMARY_BUTTONS_NL),
                        slots={**FILLED, "language": "nl"})
    assert slots["confirmed"] is False


def tracker_after(buttons: Optional[List[dict]], text: str, earlier: List[dict] = ()):
    history = list(earlier) + (summary_shown(buttons) if buttons is not None else [])
    return make_tracker(text=text, history=history)


def test_only_the_buttons_of_the_last_reply_count() -> None:
    older = summary_shown([{"title": "Yes", "payload": "/affirm"}])
    tracker = tracker_after([{"title": "Submit", "payload": "/affirm"}], "yes", earlier=older)
    assert [button["title"] for button in buttons_offered(tracker.events)] == ["Submit"]
    assert button_typed(tracker) is None
    assert button_typed(tracker_after([{"title": "Submit", "payload": "/affirm"}],
                                      "SUBMIT")) == "/affirm"


def test_a_payload_or_a_message_without_buttons_is_no_typed_button() -> None:
    assert button_typed(tracker_after(SUMMARY_BUTTONS_NL, "/affirm")) is None
    assert button_typed(tracker_after(None, "versturen")) is None


@pytest.mark.parametrize("payload, parts", [
    ("/affirm", ("affirm", {})), ('/inform{"field":"location"}', ("inform", {"field": "location"})),
    ("/inform{broken", ("inform", {})), ("Weet ik niet", ("", {})),
])
def test_payloads_are_read_into_intent_and_entities(payload: str, parts: tuple) -> None:
    assert payload_parts(payload) == parts


@pytest.mark.parametrize("reply, intent", [
    ("send", "out_of_scope"), ("send it please", "nlu_fallback"), ("envíalo", "greet"),
    ("verstuur maar", "deny"), ("envia-o", "nlu_fallback"),
])
def test_send_in_words_sends_the_report(reply: str, intent: str, domain: dict) -> None:
    """"Shall I send it?" "send": out of scope to the model (1.0), and the summary came back
    after "Sorry, that's not something I can help with"."""
    slots, _ = validate("confirmed", {}, domain, text=reply, intent=intent,
                        history=summary_shown([{"title": "Submit", "payload": "/affirm"}]),
                        slots=FILLED)
    assert slots["confirmed"] is True


def test_send_with_more_words_is_read_as_before(domain: dict) -> None:
    slots, _ = validate("confirmed", {}, domain, text="send it to the police instead",
                        intent="inform", history=summary_shown([]), slots=FILLED)
    assert slots.get("confirmed") is not True
