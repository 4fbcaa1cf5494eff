""""Can I send you a photo of it?" just after a report opens the note form on that report
(actions.adding_after_report)."""
from __future__ import annotations

from typing import Callable

import pytest

from tests.actions.factories import responses, slot_values
from tests.actions.test_progress_questions import ask, discussed


@pytest.mark.parametrize("text, intent, language", [
    ("can I send you a photo of it?", "nlu_fallback", "en"),  # "Sorry, I didn't get that"
    ("can I add a photo?", "inform", "en"),
    ("¿puedo mandarte una foto?", "ask_policy", "es"),
])
def test_the_note_form_opens_on_the_report(text: str, intent: str, language: str,
                                           open_test_case: Callable[..., str],
                                           domain: dict) -> None:
    reference = open_test_case("web-photo-after", language=language)
    events, messages = ask(domain, text, discussed(reference), "web-photo-after",
                           language=language, intent=intent)
    assert messages == []
    assert slot_values(events)["note_case"] == reference
    assert events[-1] == {"event": "followup", "name": "case_note_form", "timestamp": None}


def test_not_for_someone_elses_report_or_long_after(open_test_case: Callable[..., str],
                                                    domain: dict) -> None:
    reference = open_test_case("web-photo-owner")
    for history, sender in ((discussed(reference), "web-photo-stranger"),
                            (discussed(reference, 4), "web-photo-owner")):
        events, messages = ask(domain, "can I send you a photo of it?", history, sender,
                               intent="nlu_fallback")
        assert "note_case" not in slot_values(events)
        assert responses(messages) == ["utter_default"]


def test_something_to_add_must_be_named(open_test_case: Callable[..., str],
                                        domain: dict) -> None:
    """"Can you update me?" is all words of asking, but names nothing to add."""
    reference = open_test_case("web-photo-update")
    events, _ = ask(domain, "can you update me", discussed(reference), "web-photo-update",
                    intent="nlu_fallback")
    assert "note_case" not in slot_values(events)
