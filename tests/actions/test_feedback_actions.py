"""validate_feedback_form and action_submit_feedback: the comment, the rating, and the link
to the case the feedback is about."""
from __future__ import annotations

from typing import Any, Callable, Optional

import pytest
from sqlalchemy import select

from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm
from bot.db import session_scope
from bot.models import Case, Feedback
from tests.actions.factories import action_event, form_tracker, make_tracker, responses
from tests.actions.factories import run_action, slot_event, slot_values, user_event


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


RUDE = "the bin men were really rude to my mum"


@pytest.mark.parametrize("between, taken", [
    ([], True),  # "Send it as feedback" pressed under the offer
    ([user_event("what can you do?", "help"), action_event("utter_help")], False),
])
def test_send_it_as_feedback_sends_the_words_offered(between: list, taken: bool,
                                                     domain: dict) -> None:
    """The words under "Send it as feedback" (actions.policy) are the feedback: the citizen
    is asked for the rating, not to type them again. The same button pressed later, from
    the help menu, asks for new words."""
    history = [user_event(RUDE, "ask_policy"), action_event("action_answer_policy"),
               slot_event("unplaced_words", RUDE)] + between
    slots = validate(None, {}, domain, text="/give_feedback", intent="give_feedback",
                     history=history, slots={"unplaced_words": RUDE})
    assert slots.get("feedback_text") == (RUDE if taken else None)


@pytest.mark.parametrize("text, rating", [
    ("4 stars, the bot was fine", 4),
    ("5 stars from me, great service", 5),
    ("2", 2),
    ("the crew left rubbish outside number 3, not happy", None),  # a house number
])
def test_a_rating_in_the_opening_message_is_not_asked_again(text: str, rating: Optional[int],
                                                           domain: dict) -> None:
    """Before, "4 stars, the bot was fine" was taken as the feedback and the rating was asked
    for: "And how would you rate your experience?"."""
    digit = next(word for word in text.replace(",", " ").split() if word in "12345")
    slots = validate(None, {}, domain, text=text, intent="give_feedback", entities=[
        {"entity": "rating", "value": digit, "extractor": "RegexEntityExtractor"}])
    assert slots.get("feedback_rating") == rating


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
    ("the bin men left a mess outside number 3", "give_feedback", True),  # a house number
    ("4 stars, the bot was fine", "give_feedback", False),
])
def test_more_words_at_the_rating_question_are_added_to_the_feedback(
        text: str, intent: str, added: bool, domain: dict) -> None:
    """Before, "the bot was great but slow" at "how would you rate...?" had no rule: ten
    "Sorry, I didn't get that" replies. Now it joins the feedback and the rating comes again.
    The rating pattern finds the 3 of "number 3": it was stored as a 3-star rating."""
    digit = next((word for word in text.replace(",", " ").split() if word in "12345"), None)
    entities = [{"entity": "rating", "value": digit, "extractor": "RegexEntityExtractor"}] \
        if digit else []
    candidates = {"feedback_rating": digit} if digit else {}
    tracker = form_tracker("feedback_form", "feedback_rating", candidates, text=text,
                           intent=intent, entities=entities,
                           slots={"feedback_text": "the form was easy"})
    events, messages = run_action(ValidateFeedbackForm(), tracker, domain)
    slots = slot_values(events)
    if added:
        assert slots["feedback_text"] == f"the form was easy\n{text}"
        assert responses(messages) == ["utter_feedback_added"]
        assert slots.get("feedback_rating") is None
    else:
        assert "feedback_text" not in slots and messages == []
        assert slots.get("feedback_rating") == (int(digit) if digit else None)


@pytest.mark.parametrize("text, intent, language, taken", [
    ("the bin men were really rude to my mum", "ask_policy", "en", True),
    ("your website is impossible to use", "ask_policy", "en", True),
    ("my report from last week was never dealt with", "check_status", "en", True),
    ("el cartero del ayuntamiento fue muy maleducado", "ask_policy", "es", True),
    ("how do I complain about a council employee?", "ask_policy", "en", False),
    ("when is bin day", "ask_policy", "en", False),  # asked as a question, without "?"
    ("¿cuándo pasa el camión?", "ask_policy", "es", False),
    ("/ask_policy", "ask_policy", "en", False),
    ("what's the status of C-2026-000123?", "check_status", "en", False),
    ("thanks, the crew were polite but they left the gate open", "thank", "en", True),
    ("bye", "goodbye", "en", False),
])
def test_a_complaint_read_as_a_question_is_the_feedback(text: str, intent: str, language: str,
                                                        taken: bool, domain: dict) -> None:
    """Before, "the bin men were really rude to my mum" at "What would you like to tell us?"
    was read as a policy question (0.98): the citizen was offered a member of staff, asked
    the same question again, and the words were lost."""
    slots = validate("feedback_text", {}, domain, text=text, intent=intent,
                     slots={"language": language})
    assert slots.get("feedback_text") == (text if taken else None)


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
    text = f"{reference}: quick and friendly" if where == "text" else "friendly staff, thanks"
    slots = {"last_case_reference": reference} if where != "text" else {}
    events, messages = submit(domain, "web-fb", text, 5, **slots)
    assert responses(messages) == ["utter_feedback_thanks_case"]
    assert messages[0]["reference"] == reference
    feedback = stored_feedback("web-fb")
    with session_scope() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
    assert (feedback.case_id, feedback.rating, feedback.text) == (case.id, 5, text)
    assert slot_values(events) == {"feedback_text": None, "feedback_rating": None,
                                   "unplaced_words": None}


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


@pytest.mark.parametrize("text, intent, entities, held", [
    ("there's a big pothole outside 12 Mill Lane", "report_problem",
     [{"entity": "category", "value": "pothole"}], {"text": "there's a big pothole outside 12 Mill Lane",
                                                     "category": "pothole"}),
    ("my pothole report has got worse, it's twice the size now", "add_to_report", [], None),
    # the rating regex reads the house number as a rating
    ("há um buraco enorme na Rua Verde 5", "report_problem",
     [{"entity": "category", "value": "pothole"}, {"entity": "rating", "value": "5"}],
     {"text": "há um buraco enorme na Rua Verde 5", "category": "pothole"}),
    # a rating the reply opens with is kept
    ("4, and there's a pothole outside 9 Mill Lane", "report_problem",
     [{"entity": "category", "value": "pothole"}, {"entity": "rating", "value": "4"}],
     {"text": "and there's a pothole outside 9 Mill Lane", "category": "pothole"}),
    ("5 Mill Lane has a huge pothole", "report_problem",  # an address, not a rating
     [{"entity": "category", "value": "pothole"}, {"entity": "rating", "value": "5"}],
     {"text": "5 Mill Lane has a huge pothole", "category": "pothole"}),
])
def test_a_report_at_the_rating_question_sends_the_feedback_without_a_rating(
        text: str, intent: str, entities: list, held: Any, domain: dict) -> None:
    """Before, the report form took over and the feedback's words were never sent."""
    rated = next((e["value"] for e in entities if e["entity"] == "rating"), None)
    candidates = {"feedback_rating": rated} if rated else {}
    tracker = form_tracker("feedback_form", "feedback_rating", candidates, text=text,
                           intent=intent, entities=entities,
                           slots={"feedback_text": "the website is confusing"})
    events, messages = run_action(ValidateFeedbackForm(), tracker, domain)
    slots = slot_values(events)
    assert slots["feedback_rating"] == (4 if text.startswith("4") else "skip")
    assert messages == []
    assert slots.get("next_problem") == held


@pytest.mark.parametrize("text, intent, entities", [
    ("/report_problem", "report_problem", []),  # an old button: the rating is asked again
    ("there's a pothole on Mill Lane", "report_problem", []),  # at the words question
])
def test_not_a_report_at_the_rating_question(text: str, intent: str, entities: list,
                                             domain: dict) -> None:
    requested = "feedback_text" if "Mill" in text else "feedback_rating"
    tracker = form_tracker("feedback_form", requested, {}, text=text, intent=intent,
                           entities=entities, slots={"feedback_text": "slow"})
    events, _ = run_action(ValidateFeedbackForm(), tracker, domain)
    assert "next_problem" not in slot_values(events)
    assert slot_values(events).get("feedback_rating") != "skip"


def test_the_report_comes_right_after_the_feedback_is_sent(database: str, domain: dict) -> None:
    held = {"text": "there's a big pothole outside 12 Mill Lane", "category": "pothole"}
    tracker = make_tracker(text=held["text"], intent="report_problem", sender_id="web-fb-report",
                           slots={"feedback_text": "the website is confusing",
                                  "feedback_rating": "skip", "next_problem": held})
    events, messages = run_action(ActionSubmitFeedback(), tracker, domain)
    assert responses(messages) == ["utter_feedback_sent_now_report"]
    assert messages[0]["problem"] == held["text"]
    assert stored_feedback("web-fb-report").text == "the website is confusing"
    slots = slot_values(events)
    assert (slots["category"], slots["location"]) == ("pothole", "12 Mill Lane")
    assert slots["next_problem"] is None and slots["feedback_text"] is None
    assert [event["name"] for event in events if event["event"] == "followup"] == ["report_form"]


def test_more_about_a_report_comes_right_after_the_feedback_is_sent(database: str,
                                                                   domain: dict) -> None:
    tracker = make_tracker(text="my pothole report has got worse", intent="add_to_report",
                           sender_id="web-fb-note",
                           slots={"feedback_text": "slow crews", "feedback_rating": "skip"})
    events, messages = run_action(ActionSubmitFeedback(), tracker, domain)
    assert responses(messages) == ["utter_feedback_sent_now_note"]
    assert stored_feedback("web-fb-note").rating is None
    assert [event["name"] for event in events if event["event"] == "followup"] == [
        "case_note_form"]


@pytest.mark.parametrize("text, expected", [("cancel it", "cancelled"), ("Cancelar", "cancelled"),
                                            ("no", "skip")])
def test_cancel_it_at_the_rating_question_stops(text: str, expected: str, domain: dict) -> None:
    """The form says "Reply CANCEL IT to stop"; at the rating question it skipped the rating
    and sent the feedback."""
    slots = validate("feedback_rating", {"feedback_rating": "skip"}, domain, text=text,
                     intent="deny", slots={"feedback_text": "fine"})
    assert slots["feedback_rating"] == expected


def test_cancelled_feedback_is_not_sent(database: str, domain: dict) -> None:
    events, messages = submit(domain, "web-fb-cancel", "never mind", "cancelled")
    assert responses(messages) == ["utter_feedback_cancelled"]
    assert slot_values(events) == {"feedback_text": None, "feedback_rating": None,
                                   "unplaced_words": None}
    with session_scope() as session:
        assert session.execute(select(Feedback).where(
            Feedback.sender_id == "web-fb-cancel")).first() is None


@pytest.mark.parametrize("text, intent, entities, report", [
    ("the streetlight outside 4 Elm Road has been out for weeks", "report_problem",
     [{"entity": "category", "value": "streetlight"}], True),
    ("something is wrong with the website", "report_problem",
     [{"entity": "category", "value": "other"}], False),  # no service: feedback
    ("the crew that fixed the pothole was very rude", "give_feedback",
     [{"entity": "category", "value": "pothole"}], False),
])
def test_a_problem_for_a_crew_given_as_feedback_becomes_a_report(
        text: str, intent: str, entities: list, report: bool, domain: dict) -> None:
    """Before, "the streetlight outside 4 Elm Road has been out for weeks" at "What would you
    like to tell us?" went to the feedback team, and no crew was sent."""
    slots = validate("feedback_text", {"feedback_text": text}, domain, text=text,
                     intent=intent, entities=entities)
    assert slots["feedback_text"] == text
    assert (slots.get("feedback_rating") == "report_instead") is report
    assert ("next_problem" in slots) is report


def test_the_report_starts_instead_of_the_feedback(database: str, domain: dict) -> None:
    text = "the streetlight outside 4 Elm Road has been out for weeks"
    held = {"text": text, "category": "streetlight"}
    tracker = make_tracker(text=text, intent="report_problem", sender_id="web-fb-instead",
                           slots={"feedback_text": text, "feedback_rating": "report_instead",
                                  "next_problem": held})
    events, messages = run_action(ActionSubmitFeedback(), tracker, domain)
    assert responses(messages) == ["utter_report_instead_of_feedback"]
    slots = slot_values(events)
    assert (slots["category"], slots["location"]) == ("streetlight", "4 Elm Road")
    assert [event["name"] for event in events if event["event"] == "followup"] == ["report_form"]
    with session_scope() as session:
        assert session.execute(select(Feedback).where(
            Feedback.sender_id == "web-fb-instead")).first() is None


@pytest.mark.parametrize("typed", ["omitir", "Pular", "overslaan", "skip"])
def test_the_skip_button_typed_in_the_citizens_language_skips_the_rating(typed: str,
                                                                        domain: dict) -> None:
    """"Omitir" typed at "¿Y qué nota le das...?" (its button's title) asked again forever."""
    slots = validate("feedback_rating", {"feedback_rating": typed}, domain, text=typed,
                     slots={"feedback_text": "the bot was fine"})
    assert slots["feedback_rating"] == "skip"
