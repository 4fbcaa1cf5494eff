"""The judgement calls behind validate_report_form, tested directly."""
from __future__ import annotations

import math

import pytest

from actions import report_fields as fields
from bot.services import FollowupQuestion


@pytest.mark.parametrize("text, skip", [("skip", True), ("SKIP.", True), ("No", True),
                                        ("saltar", True), ("overslaan", True),
                                        ("not today", False), ("a big one", False)])
def test_skip_words_in_every_language(text: str, skip: bool) -> None:
    assert fields.is_skip(text) is skip


@pytest.mark.parametrize("metadata, expected", [
    ({}, None),
    ({"location": {"latitude": 0, "longitude": 0}}, (0.0, 0.0)),
    ({"location": {"latitude": "51.5", "longitude": "-0.1"}}, (51.5, -0.1)),
    ({"location": {"latitude": -90, "longitude": 180}}, (-90.0, 180.0)),
])
def test_pins_in_range_are_read(metadata: dict, expected) -> None:
    assert fields.read_pin(metadata) == expected


@pytest.mark.parametrize("pin", ["here", {"latitude": math.nan, "longitude": 1},
                                 {"latitude": 90.1, "longitude": 0}, {"longitude": 3},
                                 {"latitude": None, "longitude": None}])
def test_broken_pins_are_refused(pin) -> None:
    with pytest.raises(fields.InvalidPin):
        fields.read_pin({"location": pin})


def test_attachment_ids_are_merged_once_in_order() -> None:
    new = fields.attachment_ids({"attachments": ["b", "", None, "a", 7]})
    assert new == ["b", "a", "7"]
    assert fields.merge_ids(["a"], new) == ["a", "b", "7"]
    assert fields.attachment_ids({"attachments": "a"}) == []


@pytest.mark.parametrize("text, expected", [("", (False, None)), ("skip", (True, None)),
                                            ("no", (True, "no")), ("x" * 600, (True, "x" * 500)),
                                            ("I want to report a problem", (False, None)),
                                            ("one", (True, "one")), ("otro", (True, "otro"))])
def test_followup_answers(text: str, expected) -> None:
    assert fields.followup_answer(text) == expected


@pytest.mark.parametrize("text", ["I can't see one", "I can’t see one", "no se ve",
                                  "não consigo ver", "ik zie geen nummer", "hard to tell",
                                  "No idea", "I can't see a number"])
def test_a_short_i_cannot_tell_skips_the_question(text: str) -> None:
    assert fields.says_cannot_tell(text)
    assert fields.followup_answer(text) == (True, None)


@pytest.mark.parametrize("text", ["I can't see the number but it is by the bus stop",
                                  "can't see it, maybe 4471", "not that I can see",
                                  "it's on the corner", "no"])
def test_an_answer_that_says_more_is_kept(text: str) -> None:
    """Words of their own, a digit, or a plain no (an answer to a yes/no question)."""
    assert not fields.says_cannot_tell(text)
    assert fields.followup_answer(text) == (True, text)


def test_summary_answers_leave_out_examples_and_skips() -> None:
    questions = [FollowupQuestion("size", "How big is it? (for example: a plate) Guess."),
                 FollowupQuestion("pole", "Pole number?", required=False)]
    assert fields.format_answers(questions, {"size": "huge", "pole": None}) == "How big is it? huge"
    assert fields.next_question(questions, {"size": "huge"}).code == "pole"
    assert fields.next_question(questions, {"size": "huge", "pole": None}) is None
    assert fields.known_answers({"size": "huge", "pole": None}) == {"size": "huge"}


@pytest.mark.parametrize("prompt, short", [
    ("Is the graffiti offensive or racist? (yes/no) We remove those faster.",
     "Is the graffiti offensive or racist?"),
    ("Please give the pole number (if any)", "Please give the pole number"),
    ("Which bin was missed: general waste, recycling, garden or food?", "Which bin was missed?"),
    ("¿Qué contenedor no se recogió: resto, reciclaje, poda u orgánico?",
     "¿Qué contenedor no se recogió?"),
])
def test_summary_questions_are_shortened(prompt: str, short: str) -> None:
    assert fields.short_prompt(prompt) == short


@pytest.mark.parametrize("text", ["I want to report a problem", "quiero reportar una incidencia",
                                  "ik wil een melding maken", "how do I report a problem?"])
def test_the_wish_to_report_is_no_place_and_no_description(text: str) -> None:
    """Said mid-report, at "Where is it?" it was kept as the place or as more about the
    problem; at the description question, as the description the crew reads."""
    assert fields.place_answer(text, None) is None
    assert not fields.plausible_description(text)


@pytest.mark.parametrize("text", ["I want to report a pothole on Mill Lane", "12 High St",
                                  "there is a problem with the light by the school"])
def test_a_report_that_says_something_is_not_only_the_wish(text: str) -> None:
    assert fields.plausible_description(text)


@pytest.mark.parametrize("text, field", [
    ("change the place", "location"), ("the address is wrong", "location"),
    ("the address", "location"), ("change the type", "category"),
    ("I want to change the description please", "description"), ("wrong answers", "answers"),
    ("cambiar el lugar", "location"), ("la dirección está mal", "location"),
    ("mudar a descrição", "description"), ("foto's wijzigen", "photos"),
    ("yes", None), ("cancel", None), ("the place is right, send it", None),
    ("yes, the place is correct", None),  # "correct" as a verb would make it a change
    ("change the place and the type", None),  # which one? the buttons say
])
def test_the_field_a_reply_to_the_summary_asks_to_change(text: str, field) -> None:
    assert fields.field_to_change(text) == field
