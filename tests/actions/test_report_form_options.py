"""Follow-up questions with a fixed set of answers (content/services.yml, `values`): offered
as buttons, answered from the description when it names one, and a button pressed is the
answer whatever the model made of it."""
from __future__ import annotations

import pytest

from actions.report_prompts import ActionAskFollowup
from tests.actions.factories import make_tracker, responses, run_action
from tests.actions.test_report_form_actions import validate

pytestmark = pytest.mark.usefixtures("database")


def written_out(day: str, language: str = "en") -> str:
    """The date a day named in words means today, as the answers keep it."""
    from actions.replies import format_day
    from bot.case_queries import local_today
    from bot.day_words import day_named

    return format_day(day_named(day, local_today()).day, language)


def bin_report(description: str, **slots: object) -> dict:
    """A missed-bin report whose description has just been given."""
    return {"category": "missed_collection", "location": "22 Rose Avenue",
            "submission_id": "s", "description": description, **slots}


def test_a_description_naming_the_bin_answers_the_bin_question(domain: dict) -> None:
    text = "my recycling bin wasn't collected this week"
    slots, messages = validate("location", {"location": "22 Rose Avenue"}, domain,
                               text="22 Rose Avenue", slots=bin_report(text, location=None))
    assert slots["followup_answers"] == {"bin_type": "recycling"}
    assert slots["followup"] is None and slots["requested_slot"] == "followup"
    assert responses(messages) == ["utter_answers_from_message"]
    assert messages[0]["answers"] == "Which bin was missed? recycling"


@pytest.mark.parametrize("language, text, answer", [
    ("es", "no recogieron el contenedor de reciclaje", "reciclaje"),
    ("pt", "o caixote do lixo reciclável não foi recolhido esta semana", "reciclagem"),
    ("nl", "de gft container is niet geleegd", "gft"),
])
def test_the_option_is_named_in_the_citizens_language(language: str, text: str, answer: str,
                                                      domain: dict) -> None:
    slots, _ = validate("description", {"description": text}, domain, text=text,
                        slots={**bin_report(None), "language": language})
    assert slots["followup_answers"] == {"bin_type": answer}


def test_every_question_answered_ends_the_follow_up(domain: dict) -> None:
    text = "several street lights are out on Elm Road, pole 4471 is one of them"
    slots, messages = validate(
        "location", {"location": "4 Elm Road"}, domain, text="4 Elm Road",
        slots={"category": "streetlight", "submission_id": "s", "description": text,
               "followup_answers": {"pole_number": "4471"}})
    assert slots["followup_answers"] == {"pole_number": "4471", "how_many_lights":
                                         "several in a row"}
    assert slots["followup"] == "done" and slots["requested_slot"] == "photos"
    assert responses(messages) == ["utter_answers_from_message"]


@pytest.mark.parametrize("description", [
    "it wasn't the recycling, it was the general waste and the food caddy",  # two named
    "they did not take the bin in my front garden",  # "garden" alone is not the garden bin
    "the bin men didn't come this week",  # none named
])
def test_a_description_that_does_not_name_one_option_leaves_the_question(
        description: str, domain: dict) -> None:
    slots, messages = validate("location", {"location": "22 Rose Avenue"}, domain,
                               text="22 Rose Avenue",
                               slots=bin_report(description, location=None))
    assert "followup_answers" not in slots
    assert slots["requested_slot"] == "followup" and messages == []


def test_an_answer_already_given_is_not_replaced(domain: dict) -> None:
    slots, messages = validate(
        "followup", {"followup": "Tuesday"}, domain, text="Tuesday",
        slots=bin_report("my recycling bin wasn't collected",
                         followup_answers={"bin_type": "general waste"}))
    assert slots["followup_answers"] == {"bin_type": "general waste",
                                         "collection_day": written_out("Tuesday")}
    assert messages == []


def test_no_answer_is_taken_before_the_questions_are_next(domain: dict) -> None:
    """The place is asked first: "From your message..." comes right before the questions."""
    text = "my recycling bin wasn't collected"
    slots, messages = validate(None, {"description": text}, domain, text=text,
                               intent="report_problem",
                               slots={"category": "missed_collection", "submission_id": "s"})
    assert slots["requested_slot"] == "location"
    assert "followup_answers" not in slots and messages == []


@pytest.mark.parametrize("intent", ["check_status", "request_human", "help"])
def test_a_button_pressed_is_the_answer_whatever_the_intent(intent: str, domain: dict) -> None:
    reply = "crossing button not working"
    slots, _ = validate("followup", {}, domain, text=reply, intent=intent,
                        slots={"category": "traffic_signal", "location": "High St crossing",
                               "submission_id": "s", "description": "the lights are wrong"})
    assert slots["followup_answers"] == {"signal_state": reply}


def test_a_long_reply_naming_an_option_is_an_answer(domain: dict) -> None:
    """Not more about the problem: "...the food caddy" names one of the bins."""
    reply = "it was the food caddy they left behind"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots=bin_report("the bin men didn't come this week"))
    assert slots["followup_answers"] == {"bin_type": reply}
    assert messages == []


def test_a_singular_names_the_option_the_catalogue_lists_as_plural(domain: dict) -> None:
    """"o do plástico" (the catalogue says "plasticos") was read as a call for help."""
    reply = "o do plástico"
    slots, messages = validate("followup", {}, domain, text=reply, intent="help",
                               slots=bin_report("o caixote não foi recolhido", language="pt"))
    assert slots["followup_answers"] == {"bin_type": reply}
    assert messages == []


def test_a_question_with_options_offers_them_as_buttons(domain: dict) -> None:
    tracker = make_tracker(slots={"category": "missed_collection", "language": "nl"})
    _, messages = run_action(ActionAskFollowup(), tracker, domain)
    assert [(button["title"], button["payload"]) for button in messages[0]["buttons"]] == [
        ("restafval", "restafval"), ("papier/plastic", "papier/plastic"),
        ("tuinafval", "tuinafval"), ("gft", "gft"), ("Weet ik niet", "Weet ik niet")]


@pytest.mark.parametrize("language, not_sure", [("en", "Not sure"), ("es", "No sé"),
                                                ("pt", "Não sei")])
def test_not_sure_leaves_the_question_unanswered_whatever_the_intent(
        language: str, not_sure: str, domain: dict) -> None:
    slots, _ = validate("followup", {}, domain, text=not_sure, intent="help",
                        slots=bin_report("the bin men didn't come this week",
                                         language=language))
    assert slots["followup_answers"] == {"bin_type": None}  # skipped, as SKIP does


@pytest.mark.parametrize("reply, intent", [("I can't see one", "help"),
                                           ("can't tell", "help"),
                                           ("ik zie geen nummer", "give_feedback")])
def test_i_cannot_see_one_skips_the_lamp_post_number(reply: str, intent: str,
                                                     domain: dict) -> None:
    """"Is there a number on the lamp post?" "I can't see one" was read as a call for help:
    the help menu came, and the question again."""
    slots, messages = validate(
        "followup", {}, domain, text=reply, intent=intent,
        slots={"category": "streetlight", "location": "14 Orchard Road", "submission_id": "s",
               "description": "the streetlight has been out for a week",
               "followup_answers": {"how_many_lights": "one light"}})
    assert slots["followup_answers"] == {"how_many_lights": "one light", "pole_number": None}
    assert messages == []


def test_a_question_without_options_has_no_buttons(domain: dict) -> None:
    tracker = make_tracker(slots={"category": "pothole"})
    _, messages = run_action(ActionAskFollowup(), tracker, domain)
    assert messages[0]["buttons"] == []


def test_a_reply_added_to_the_description_can_answer_a_later_question(domain: dict) -> None:
    reply = "they have all been out for a week, the whole street"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots={"category": "streetlight", "location": "4 Elm Road",
                                      "submission_id": "s", "description": "lights out"})
    assert slots["asked_again"] == "pole_number"  # more about the problem, not a number
    assert slots["followup_answers"] == {"how_many_lights": "several in a row"}
    assert responses(messages) == ["utter_detail_added", "utter_answers_from_message"]


def test_the_description_is_not_read_again_between_answers(domain: dict) -> None:
    """Checked when the questions come and when the description grows, not on every answer."""
    slots, messages = validate("followup", {"followup": "4471"}, domain, text="4471",
                               slots={"category": "streetlight", "location": "4 Elm Road",
                                      "submission_id": "s",
                                      "description": "several lights out on Elm Road"})
    assert slots["followup_answers"] == {"pole_number": "4471"}
    assert messages == []


def test_after_change_answers_the_description_answers_nothing(domain: dict) -> None:
    """"Change answers" at the summary: "recycling" was taken from the description, wrongly;
    asked again, the question is not answered from the description a second time."""
    text = "my recycling bin wasn't collected, it was the garden one really"
    slots, messages = validate("confirmed", {"confirmed": "answers"}, domain,
                               slots=bin_report(text, followup="done", consent=True,
                                                photos="0",
                                                followup_answers={"bin_type": "recycling"}))
    assert slots["requested_slot"] == "followup" and slots["followup_answers"] is None
    assert messages == []


LAMP_NUMBER_ASKED = {"category": "streetlight", "location": "Calle Mayor 8", "submission_id": "s",
                     "description": "hay una farola apagada en la Calle Mayor 8"}


@pytest.mark.parametrize("language, reply, noted, told", [
    ("es", "solo una", "una sola farola",
     "¿Es una sola farola o varias seguidas? una sola farola"),
    ("en", "several actually", "several in a row",
     "Is it one light or several lights in a row? several in a row"),  # a correction
])
def test_an_answered_question_answered_again_is_not_the_next_ones_answer(
        language: str, reply: str, noted: str, told: str, domain: dict) -> None:
    """Seen live: after "I've noted: one light", "solo una" at "¿Tiene un número la farola?"
    was kept as the lamp post's number."""
    first = "una sola farola" if language == "es" else "one light"
    slots, messages = validate("followup", {"followup": reply}, domain, text=reply,
                               slots={**LAMP_NUMBER_ASKED, "language": language,
                                      "followup_answers": {"how_many_lights": first}})
    assert slots["followup_answers"] == {"how_many_lights": noted}
    assert slots["followup"] is None and slots["requested_slot"] == "followup"
    assert responses(messages) == ["utter_answers_from_message"]
    assert messages[0]["answers"] == told


@pytest.mark.parametrize("reply", ["12", "1042 one light"])
def test_a_reply_that_can_answer_the_next_question_answers_it(reply: str, domain: dict) -> None:
    slots, _ = validate("followup", {"followup": reply}, domain, text=reply,
                        slots={**LAMP_NUMBER_ASKED,
                               "followup_answers": {"how_many_lights": "one light"}})
    assert slots["followup_answers"] == {"how_many_lights": "one light", "pole_number": reply}


@pytest.mark.parametrize("category, text, answers", [
    ("animal", "there's a dead fox on the pavement outside 3 Oak Lane",
     {"condition": "dead", "animal_kind": "fox"}),
    ("graffiti", "someone sprayed graffiti all over the bus shelter",
     {"surface": "bus shelter"}),
    ("animal", "hay un perro herido en la calle", {"condition": "herido", "animal_kind": "perro"}),
])
def test_a_text_question_with_suggested_answers_is_answered_from_the_description(
        category: str, text: str, answers: dict, domain: dict) -> None:
    """"What kind of animal is it?" was asked after "there's a dead fox"; "What is it on?"
    after "the bus shelter" (content/services.yml suggests answers for both)."""
    language = "es" if "perro" in text else "en"
    slots, _ = validate("description", {"description": text}, domain, text=text,
                        slots={"category": category, "location": "3 Oak Lane",
                               "submission_id": "s", "description": None,
                               "language": language})
    assert slots["followup_answers"] == answers


def test_any_other_answer_to_a_text_question_with_suggestions_is_kept(domain: dict) -> None:
    """Suggestions, not a fixed set: "a badger" is the answer, not asked again."""
    slots, _ = validate("followup", {"followup": "a badger"}, domain, text="a badger",
                        slots={"category": "animal", "location": "3 Oak Lane", "submission_id": "s",
                               "description": "an injured animal by the road",
                               "followup_answers": {"condition": "injured"}})
    assert slots["followup_answers"] == {"condition": "injured", "animal_kind": "a badger"}


def test_a_size_given_as_a_likeness_is_the_answer(domain: dict) -> None:
    """"como una rueda" at "¿Qué tamaño tiene?" read as a question (the "como" of "¿cómo?"):
    the FAQ's suggestions came, and the next reply became the size."""
    slots, messages = validate(
        "followup", {}, domain, text="como una rueda", intent="ask_policy",
        slots={"category": "pothole", "location": "Calle Olivo 3", "submission_id": "s",
               "description": "hay un bache enorme en mi calle", "language": "es"})
    assert slots["followup_answers"] == {"size": "como una rueda"}


def test_a_day_in_the_description_answers_the_day_question(domain: dict) -> None:
    """"Ayer" in the description: the crew reads the date, and the question is not asked."""
    text = "no recogieron el contenedor de reciclaje ayer"
    slots, messages = validate("description", {"description": text}, domain, text=text,
                               slots={**bin_report(None), "language": "es"})
    assert slots["followup_answers"] == {"bin_type": "reciclaje",
                                         "collection_day": written_out("ayer", "es")}
    assert slots["followup"] == "done" and slots["requested_slot"] == "photos"
    assert messages[0]["answers"].endswith(
        f"¿Qué día tendría que haberse recogido? {written_out('ayer', 'es')}")


@pytest.mark.parametrize("answer, kept", [
    ("yesterday", lambda: written_out("yesterday")),  # the date alone says it
    ("monday I think", lambda: f"monday I think ({written_out('monday')})"),
    ("the blue one", lambda: "the blue one"),  # no day: kept as typed
])
def test_an_answer_naming_a_day_keeps_the_date(answer: str, kept, domain: dict) -> None:
    """"Yesterday" read days later by the crew meant another day."""
    slots, _ = validate("followup", {"followup": answer}, domain, text=answer,
                        slots=bin_report("my bin wasn't collected",
                                         followup_answers={"bin_type": "general waste"}))
    assert slots["followup_answers"]["collection_day"] == kept()


def test_how_long_in_the_description_answers_how_long(domain: dict) -> None:
    """"Parked on our street for 3 weeks", then "How long has it been there?" two questions
    later: the citizen had said so."""
    text = "there's a car that's been parked on our street for 3 weeks with flat tyres"
    slots, messages = validate("location", {"location": "9 Birch Close"}, domain,
                               text="9 Birch Close",
                               slots={"category": "abandoned_vehicle", "submission_id": "s",
                                      "description": text})
    assert slots["followup_answers"] == {"how_long": "3 weeks"}
    assert messages[0]["answers"] == "How long has it been there? 3 weeks"
