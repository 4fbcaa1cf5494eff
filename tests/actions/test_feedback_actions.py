"""validate_feedback_form and action_submit_feedback: the comment, the rating, and the link
to the case the feedback is about."""
from __future__ import annotations

from typing import Any, Callable, Optional

import pytest
from sqlalchemy import select

from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm
from bot.db import session_scope
from bot.models import Case, Feedback
from tests.actions.factories import form_tracker, make_tracker, responses, run_action
from tests.actions.factories import slot_values


def validate(requested: Optional[str], candidates: dict, domain: dict, **kwargs: Any) -> dict:
    tracker = form_tracker("feedback_form", requested, candidates, **kwargs)
    events, _ = run_action(ValidateFeedbackForm(), tracker, domain)
    return slot_values(events)


@pytest.mark.parametrize("text, prefilled", [
    ("The crew fixed the pothole on my street really quickly, thank you", True),
    ("I want to give feedback", False),
    ("/give_feedback", False),
    ("I'd like to give some feedback about the service", False),  # says nothing yet
    ("quiero dejar un comentario sobre el chat", False),
])
def test_a_substantive_first_message_is_the_feedback(text: str, prefilled: bool,
                                                     domain: dict) -> None:
    slots = validate(None, {}, domain, text=text, intent="give_feedback")
    assert slots.get("feedback_text") == (text if prefilled else None)


@pytest.mark.parametrize("value, expected", [
    ("4", 4), ("4 stars", 4), (5, 5), (["2"], 2), ("skip", "skip"), ("no", "skip"),
    ("9", None), ("great", None), ("0", None),
])
def test_rating_is_one_to_five_or_skip(value: Any, expected: Any, domain: dict) -> None:
    slots = validate("feedback_rating", {"feedback_rating": value}, domain,
                     slots={"feedback_text": "fine"})
    assert slots["feedback_rating"] == expected


@pytest.mark.parametrize("text, intent, added", [
    ("the bot was great but slow", "give_feedback", True),
    ("the crew left a mess behind", "out_of_scope", True),
    ("4, the bot was fine", "give_feedback", False),  # a rating with words is the rating
    ("no thanks", "deny", False),  # skips the rating
    ("great", "give_feedback", False),  # too short to be more feedback
])
def test_more_words_at_the_rating_question_are_added_to_the_feedback(
        text: str, intent: str, added: bool, domain: dict) -> None:
    """Before, "the bot was great but slow" at "how would you rate...?" had no rule: ten
    "Sorry, I didn't get that" replies. Now it joins the feedback and the rating comes again."""
    tracker = form_tracker("feedback_form", "feedback_rating", {}, text=text, intent=intent,
                           slots={"feedback_text": "the form was easy"})
    events, messages = run_action(ValidateFeedbackForm(), tracker, domain)
    slots = slot_values(events)
    if added:
        assert slots["feedback_text"] == f"the form was easy\n{text}"
        assert responses(messages) == ["utter_feedback_added"]
        assert slots.get("feedback_rating") is None
    else:
        assert "feedback_text" not in slots and messages == []


@pytest.mark.parametrize("text, accepted", [("Friendly staff", True), ("ok", False),
                                            ("?!?!", False)])
def test_feedback_text_needs_words(text: str, accepted: bool, domain: dict) -> None:
    slots = validate("feedback_text", {"feedback_text": text}, domain, text=text)
    assert slots["feedback_text"] == (text if accepted else None)


def stored_feedback(sender_id: str) -> Feedback:
    with session_scope() as session:
        return session.execute(select(Feedback).where(Feedback.sender_id == sender_id)).scalar_one()


def submit(domain: dict, sender_id: str, text: str, rating: Any, **slots: Any):
    tracker = make_tracker(text="5", slots={"feedback_text": text, "feedback_rating": rating,
                                            **slots}, sender_id=sender_id)
    return run_action(ActionSubmitFeedback(), tracker, domain)


@pytest.mark.parametrize("where", ["text", "last_case_reference"])
def test_feedback_about_a_case_is_linked_to_it(where: str, open_test_case: Callable[..., str],
                                               domain: dict) -> None:
    reference = open_test_case("web-fb")
    text = f"{reference} was fixed fast" if where == "text" else "fixed fast, thanks"
    slots = {"last_case_reference": reference} if where != "text" else {}
    events, messages = submit(domain, "web-fb", text, 5, **slots)
    assert responses(messages) == ["utter_feedback_thanks_case"]
    assert messages[0]["reference"] == reference
    feedback = stored_feedback("web-fb")
    with session_scope() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
    assert (feedback.case_id, feedback.rating, feedback.text) == (case.id, 5, text)
    assert slot_values(events) == {"feedback_text": None, "feedback_rating": None}


def test_general_feedback_without_a_rating(database: str, domain: dict) -> None:
    _, messages = submit(domain, "web-general", "The website is hard to use", "skip")
    assert responses(messages) == ["utter_feedback_thanks"]
    feedback = stored_feedback("web-general")
    assert (feedback.case_id, feedback.rating) == (None, None)


def test_an_unknown_reference_does_not_lose_the_feedback(database: str, domain: dict) -> None:
    _, messages = submit(domain, "web-unknown", "about C-2026-999999: still broken", 1)
    assert responses(messages) == ["utter_feedback_thanks"]
    assert stored_feedback("web-unknown").rating == 1


def test_feedback_with_the_database_down_is_kept_for_a_retry(database_down: str,
                                                             domain: dict) -> None:
    events, messages = submit(domain, "web-down", "Great service", 4)
    assert responses(messages) == ["utter_database_unavailable"]
    assert slot_values(events) == {"feedback_rating": None}
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "feedback_form"
