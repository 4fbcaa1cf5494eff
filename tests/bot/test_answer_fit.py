"""bot.answer_fit: which replies in the report form answer their question, and which say more
about the problem instead. Lenient on purpose: a place or an answer must never be taken for
detail, so most rows here are replies that count as answers."""
from __future__ import annotations

import pytest

from bot.answer_fit import (CHOICE, DATE, DIGITS, DURATION, TEXT, YES_NO, names_a_place,
                             names_an_option, off_question_answer, off_question_place)
from bot.options_in_text import QuestionOption

DANGER = "Is it a danger to cars, cyclists or people right now? (yes/no)"
POLE = "Is there a number on the lamp post? If you can see it, please type it."
LITTER = "Is it loose litter, a full public bin, or broken glass or needles?"
DANGER_ES = "¿Es un peligro para coches, ciclistas o personas ahora mismo? (sí/no)"


@pytest.mark.parametrize("reply", [
    "it's about 30cm wide and deep, cars swerve around it",
    "the bin men didn't take my recycling this week",
    "it's been there for weeks",
    "the lights have been flickering every evening",
    "it's 2 metres wide and very deep",
    "hay un agujero enorme muy peligroso",
    "é muito fundo e perigoso para carros",
    "het lawaai gaat elke nacht door tot drie uur",
    "it's been out since Monday morning at the kerb",
    "the light on the pole flickers in the evening",
])
def test_more_about_the_problem_is_not_a_place(reply: str) -> None:
    assert off_question_place(reply)


@pytest.mark.parametrize("reply", [
    "12", "near the school", "outside number 12", "the one opposite 14",
    "the big oak tree by the pond", "where the old cinema used to be",
    "halfway up the hill past Tesco", "Station Road by the co-op", "past the Red Lion pub",
    "at the bus stop on the main road", "frente al colegio de la calle",
    "in the alley behind the shops", "on the bridge over the river", "in the park near the pond",
    "ao pé da escola primária", "tegenover de bakker bij het plein",
    "corner of Oak and 5th", "14 Birch Grove", "Kerkstraat 12 in het centrum",
    "IT IS REALLY DEEP AND DANGEROUS",  # shouted: kept as given, as before
    "5 Elm Street and it is deep",  # a place and a detail: the place wins
])
def test_places_are_places(reply: str) -> None:
    assert not off_question_place(reply)


DAY_PROMPT = "Which day should it have been collected? (for example: yesterday, Monday)"
HOW_LONG = "How long has it been there?"


@pytest.mark.parametrize("reply, prompt, expects", [
    ("it's been there for weeks", DANGER, YES_NO),
    ("only at night when it's dark", DANGER, YES_NO),
    ("hace semanas que está así", DANGER_ES, YES_NO),
    ("lleva una semana sin luz", POLE, DIGITS),
    ("it has been dark for a week now", POLE, DIGITS),
    ("it went dark at the front last week", DANGER, YES_NO),  # "went", "front": no "n't"
    ("it was left by the school gates", LITTER, CHOICE),
    ("outside 22 Rose Avenue", "Which bin was missed: general waste, recycling, garden or food?",
     CHOICE),
    ("it was the blue recycling bin actually", DAY_PROMPT, DATE),
    ("it has flat tyres and a broken window", HOW_LONG, DURATION),
])
def test_replies_that_say_something_else(reply: str, prompt: str, expects: str) -> None:
    assert off_question_answer(reply, prompt, expects)


@pytest.mark.parametrize("reply, prompt, expects", [
    ("yes", DANGER, YES_NO), ("no", DANGER, YES_NO), ("a bit", DANGER, YES_NO),
    ("very dangerous", DANGER, YES_NO),  # picks up the question's word
    ("yes it is, a cyclist fell off", DANGER, YES_NO),
    ("it isn't that bad really", DANGER, YES_NO),  # a no in other words
    ("it isnt that bad really", DANGER, YES_NO), ("cannot see it from here", POLE, DIGITS),
    ("sí, es muy peligroso para las motos", DANGER_ES, YES_NO),
    ("cars swerve around it all the time", DANGER, YES_NO),
    ("it says RV 1234 on it", POLE, DIGITS), ("I can't see one from here", POLE, DIGITS),
    ("the number is worn off", POLE, DIGITS),
    ("mostly broken glass near the benches", LITTER, CHOICE),
    ("it's been there for weeks", "How big is it?", TEXT),  # free text takes anything
    ("it should have been emptied on Tuesday", DAY_PROMPT, DATE),
    ("at least three weeks I would say", HOW_LONG, DURATION),
])
def test_answers_are_answers(reply: str, prompt: str, expects: str) -> None:
    assert not off_question_answer(reply, prompt, expects)


BIN = "Which bin was missed: general waste, recycling, garden or food?"
SIGNAL = "What is wrong: all lights off, stuck on one colour, or the crossing button not working?"


@pytest.mark.parametrize("reply, prompt, names", [
    ("recycling", BIN, True), ("general waste", BIN, True), ("the food one", BIN, True),
    ("stuck on red", SIGNAL, True), ("button", SIGNAL, True),
    ("what do you mean by recycling?", BIN, False),  # a question back
    ("when is my bin day", BIN, False),  # a question with no "?"
    ("talk to a person", BIN, False), ("thanks", BIN, False),
    ("the recycling and the food caddy too", BIN, False),  # long: the usual rules apply
])
def test_a_bare_option_names_an_option(reply: str, prompt: str, names: bool) -> None:
    assert names_an_option(reply, prompt, "en") is names


LIGHTS = (QuestionOption("one", "one light", ("one light", "the street light")),
          QuestionOption("several", "several in a row", ("several", "street lights")))
HOW_MANY = "Is it one light or several lights in a row?"


def test_a_long_reply_naming_an_option_is_an_answer() -> None:
    reply = "I think it's the whole row of street lights"
    assert not off_question_answer(reply, HOW_MANY, CHOICE, LIGHTS)
    assert off_question_answer("it has been like that since Monday", HOW_MANY, CHOICE, LIGHTS)


def test_an_option_pressed_is_an_option_however_long_its_name() -> None:
    assert names_an_option("several in a row", HOW_MANY, "en", LIGHTS)
    assert not names_an_option("several in a row", HOW_MANY, "en")  # no options given


@pytest.mark.parametrize("text, named", [
    ("behind the community centre", True),
    ("it's outside the library", True),
    ("in front of the school gates", True),
    ("en la esquina de la plaza", True),
    ("naast de bakker", True),
    ("ao lado da farmácia", True),
    ("Mill Lane", True),
    ("number 12", True),
    ("the council does nothing", False),
    ("people keep tripping over it, it's right outside", False),  # not among the first words
    ("it's been 3 weeks", False),  # a time, not a house number
    ("bedankt voor de snelle hulp", False),  # "voor" is also "for"
])
def test_names_a_place(text: str, named: bool) -> None:
    assert names_a_place(text) is named
