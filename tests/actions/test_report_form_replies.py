"""validate_report_form and the replies that do not answer the question asked: more about the
problem at the place question or a closed follow-up question (kept in the description, the
question asked once more), and a bare option the model read as something else (bot.answer_fit)."""
from __future__ import annotations

import pytest

from tests.actions.factories import responses, slot_event
from tests.actions.test_report_form_actions import classifier_entity, validate

pytestmark = pytest.mark.usefixtures("database")


PLACE_ASKED = {"category": "pothole", "submission_id": "s", "location_street": "Station Road",
               "description": "there's a huge pothole on Station Road"}


def test_more_about_the_problem_at_the_place_question_goes_to_the_description(
        domain: dict) -> None:
    reply = "it's about 30cm wide and deep, cars swerve around it"
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots=PLACE_ASKED)
    assert slots["location"] is None
    assert slots["description"] == f"there's a huge pothole on Station Road\n{reply}"
    assert slots["asked_again"] == "location"
    assert slots["requested_slot"] == "location"
    assert responses(messages) == ["utter_detail_added"]


def test_the_second_reply_to_the_place_question_is_kept(domain: dict) -> None:
    reply = "it's about 30cm wide and deep, cars swerve around it"
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={**PLACE_ASKED, "asked_again": "location"})
    assert slots["location"] == f"{reply}, Station Road"
    assert messages == []


def test_words_about_the_problem_before_any_description_become_it(domain: dict) -> None:
    reply = "the bin men didn't take my recycling this week"
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots={"category": "missed_collection", "submission_id": "s"})
    assert slots["description"] == reply
    assert slots["location"] is None
    assert slots["requested_slot"] == "location"  # the description is not asked for again
    assert responses(messages) == ["utter_detail_added"]


@pytest.mark.parametrize("reply", ["near the school", "the big oak tree by the pond",
                                   "halfway up the hill past Tesco", "12"])
def test_a_place_at_the_place_question_is_a_place(reply: str, domain: dict) -> None:
    slots, messages = validate("location", {"location": reply}, domain, text=reply,
                               slots=PLACE_ASKED)
    assert slots["location"] is not None and "asked_again" not in slots
    assert messages == []


def test_a_place_in_the_first_message_is_not_judged_as_a_reply(domain: dict) -> None:
    text = "the light outside 14 Oak Avenue has been out for weeks"
    slots, _ = validate(None, {}, domain, text=text, intent="report_problem",
                        entities=[classifier_entity("streetlight", 0.95)])
    assert slots["location"] == "14 Oak Avenue"


FOLLOWUP_ASKED = {"category": "pothole", "location": "1 High St", "submission_id": "s",
                  "description": "Deep pothole by the bus stop",
                  "followup_answers": {"size": "bigger than a tyre"}}


def test_a_yes_no_question_answered_with_more_detail_is_asked_again(domain: dict) -> None:
    reply = "it's been there for weeks"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots=FOLLOWUP_ASKED)
    assert slots["followup"] is None
    assert "followup_answers" not in slots  # the question is still unanswered
    assert slots["description"] == f"Deep pothole by the bus stop\n{reply}"
    assert slots["asked_again"] == "danger_to_traffic"
    assert slots["requested_slot"] == "followup"
    assert responses(messages) == ["utter_detail_added"]
    again, _ = validate("followup", {"followup": reply}, domain, text=reply,
                        slots={**FOLLOWUP_ASKED, "asked_again": "danger_to_traffic"})
    assert again["followup_answers"]["danger_to_traffic"] == reply
    assert again["followup"] == "done"


@pytest.mark.parametrize("reply, intent", [
    ("yes", "affirm"), ("very dangerous", "inform"), ("not really, it is small", "inform"),
    ("people walk around it on the road", "inform"),
    ("definitely, a cyclist came off this morning", "inform"),
    ("it's been there for weeks", "affirm"),  # the model heard a yes
])
def test_answers_to_a_yes_no_question_are_kept(reply: str, intent: str, domain: dict) -> None:
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               intent=intent, slots=FOLLOWUP_ASKED)
    assert slots["followup_answers"]["danger_to_traffic"] == reply
    assert messages == []


@pytest.mark.parametrize("reply, intent", [
    ("yes it is dangerous", "ask_policy"),  # seen live: "...pass your question to staff?"
    ("no, it's only small", "give_feedback"), ("sí, es peligroso", "ask_policy"),
])
def test_a_yes_or_no_is_the_answer_whatever_the_model_made_of_it(reply: str, intent: str,
                                                                 domain: dict) -> None:
    slots, messages = validate("followup", {}, domain, text=reply, intent=intent,
                               slots=FOLLOWUP_ASKED)
    assert slots["followup_answers"]["danger_to_traffic"] == reply
    assert messages == []


@pytest.mark.parametrize("reply, intent", [
    ("yes, is it dangerous to drive over?", "ask_policy"),  # a question back
    ("no, I want to talk to a person", "request_human"),
])
def test_a_yes_or_no_that_asks_something_steps_aside(reply: str, intent: str,
                                                     domain: dict) -> None:
    slots, _ = validate("followup", {}, domain, text=reply, intent=intent, slots=FOLLOWUP_ASKED)
    assert "followup_answers" not in slots


def test_a_lamp_post_number_without_a_number_is_asked_again_in_spanish(domain: dict) -> None:
    reply = "lleva una semana sin luz"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots={"category": "streetlight", "location": "Calle Mayor 12",
                                      "description": "hay una farola rota", "language": "es",
                                      "submission_id": "s"})
    assert slots["description"] == f"hay una farola rota\n{reply}"
    assert slots["asked_again"] == "pole_number"
    # "una farola" answers the next question, so it will not be asked (test_report_form_options)
    assert slots["followup_answers"] == {"how_many_lights": "una sola farola"}
    assert responses(messages) == ["utter_detail_added", "utter_answers_from_message"]


def test_free_text_questions_take_any_reply(domain: dict) -> None:
    reply = "it's been there for weeks and getting worse"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots={**FOLLOWUP_ASKED, "followup_answers": None})
    assert slots["followup_answers"] == {"size": reply}  # "how big?" is a free-text question
    assert messages == []


BIN_ASKED = {"category": "missed_collection", "location": "22 Rose Avenue",
             "description": "the bin men didn't come this week", "submission_id": "s"}


@pytest.mark.parametrize("reply, intent", [
    ("recycling", "ask_policy"), ("general waste", "give_feedback"),
    ("garden waste", "ask_policy"),
])
def test_a_bare_option_is_the_answer_whatever_the_model_made_of_it(reply: str, intent: str,
                                                                   domain: dict) -> None:
    slots, messages = validate("followup", {}, domain, text=reply, intent=intent,
                               slots=BIN_ASKED)
    assert slots["followup_answers"] == {"bin_type": reply}
    assert slots["requested_slot"] == "followup"  # on to the collection day
    assert messages == []


@pytest.mark.parametrize("reply, intent", [
    ("what do you mean by recycling?", "ask_policy"),  # a question back, not an answer
    ("when is my bin day", "ask_policy"),  # no option named
    ("can I talk to someone about recycling", "request_human"),  # never an answer
])
def test_the_form_still_steps_aside_for_questions_and_requests(reply: str, intent: str,
                                                               domain: dict) -> None:
    slots, _ = validate("followup", {}, domain, text=reply, intent=intent, slots=BIN_ASKED)
    assert "followup" not in slots and "followup_answers" not in slots


SUMMARY_NEXT = {"category": "pothole", "location": "88 Quarry Road", "submission_id": "s",
                "description": "a deep hole in the middle of the road", "followup": "done",
                "followup_answers": {"size": None}, "photos": "none"}


@pytest.mark.parametrize("asked, named, told", [
    ("consent", "streetlight", True),  # another problem: heard, and asked to wait
    ("consent", "pothole", False),  # more about this one
    ("consent", "other", False),  # no type to tell it apart
    ("description", "streetlight", False),  # the words are used there
])
def test_another_problem_where_words_are_not_used_is_heard(asked: str, named: str,
                                                           told: bool, domain: dict) -> None:
    text = "and there's also a broken streetlight on Mill Lane"
    slots = {**SUMMARY_NEXT, "description": None} if asked == "description" else SUMMARY_NEXT
    found, messages = validate(asked, {"category": named}, domain, text=text,
                               intent="report_problem", slots=slots,
                               history=[slot_event("category", "pothole")],
                               entities=[classifier_entity(named, 0.95)])
    assert found["category"] == "pothole"  # this report keeps its type
    assert ("utter_finish_report_before_new" in responses(messages)) is told
    held = {"text": text, "category": named} if told else None
    assert found.get("next_problem") == held  # reported after this one (actions.next_problem)


@pytest.mark.parametrize("reply, intent, taken", [
    ("about the size of a dinner plate and getting deeper every day", "ask_policy", True),
    ("bigger than a tyre, the council should be ashamed", "give_feedback", True),
    ("how big does it need to be before you fix it?", "ask_policy", False),  # asked: answered
    ("I want to give feedback", "give_feedback", False),
])
def test_a_statement_to_a_free_text_question_is_its_answer(reply: str, intent: str,
                                                           taken: bool, domain: dict) -> None:
    """"Roughly how big is it?" takes any words; read as a policy question, "about the size of
    a dinner plate..." was answered from the FAQ and the question came again."""
    slots, _ = validate("followup", {}, domain, text=reply, intent=intent,
                        slots={**FOLLOWUP_ASKED, "followup_answers": None})
    assert ((slots.get("followup_answers") or {}).get("size") == reply) is taken
