"""components.report_enquiry.ReportEnquiryReader: a message asking how the citizen's report
stands gets check_status when the model read it as small talk, feedback, a policy question or
fell back, and so does a reference sent alone; other readings, and messages that do not ask
after a report, are left alone."""
from __future__ import annotations

from typing import Any, Dict

import pytest

from components.report_enquiry import ReportEnquiryReader
from tests.components.readers import read_with


def read(text: str, intent: str, confidence: float = 0.9) -> Dict[str, Any]:
    return read_with(ReportEnquiryReader({}), text, intent, "affirm", confidence)


@pytest.mark.parametrize("text, model_read", [
    ("buenos días, ¿cómo va lo mío?", "greet"),  # the shipped model, 0.87
    ("hola, quería saber cómo está mi queja", "give_feedback"),  # 0.99
    ("bom dia, o que se passa com a minha queixa?", "ask_policy"),  # 1.0
    ("buenas tardes, ¿alguien ha mirado lo que avisé?", "nlu_fallback"),
    ("thanks, any news on my report?", "thank"),
    ("c 2026 26", "inform"),  # a reference alone: "Sorry, I didn't get that"
    ("#C-2026-000026.", "nlu_fallback"),
    # a problem named, read as a new report or as feedback
    ("any news on the pothole?", "report_problem"),
    ("hoe staat het met de kuil?", "report_problem"),
    ("¿cómo va lo del bache?", "give_feedback"),
])
def test_a_misread_enquiry_is_a_status_check(text: str, model_read: str) -> None:
    result = read(text, model_read)
    assert result["intent"] == {"name": "check_status", "confidence": 1.0}
    assert [item["name"] for item in result["ranking"]] == ["check_status", model_read,
                                                           "affirm"]


@pytest.mark.parametrize("text, model_read", [
    ("I want to talk to a person about my report, what's happening?", "request_human"),
    ("my report says fixed but nothing has happened, it's still broken", "report_not_fixed"),
    ("yes, what's the status of my report?", "affirm"),
    ("what happens to my report once I've sent it", "ask_policy"),  # how things work
    ("hola, buenos días", "greet"),
    ("the council is hopeless", "give_feedback"),
    ("/greet", "greet"),
    ("12", "inform"),  # a house number, not a reference
    ("C-2026-000026 is still not fixed", "report_not_fixed"),
    ("it's at C-2026 something", "inform"),  # not a valid reference
    ("how's the weather?", "out_of_scope"),  # a problem's words, but not a report's reading
    ("what's happening with the bins on Christmas day?", "ask_policy"),
    ("any news on the pothole? it's in front of the school at 12 Mill Lane and it's huge",
     "report_problem"),  # long: a report
])
def test_other_messages_keep_the_model_reading(text: str, model_read: str) -> None:
    assert read(text, model_read)["intent"]["name"] == model_read
