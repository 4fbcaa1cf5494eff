"""bot.options_in_text: which of a question's options a message names, strictly."""
from __future__ import annotations

import pytest

from bot.options_in_text import (QuestionOption, folded_words, option_in_text, option_replied,
                                 options_named, says_a_phrase)

BINS = (
    QuestionOption("general_waste", "general waste", ("general waste", "household waste")),
    QuestionOption("recycling", "recycling", ("recycling", "paper", "cardboard")),
    QuestionOption("garden", "garden", ("garden waste", "garden bin")),
    QuestionOption("food", "food", ("food waste", "food caddy")),
)
LITTER = (
    QuestionOption("loose_litter", "loose litter", ("loose litter", "litter")),
    QuestionOption("full_bin", "a full public bin", ("full bin", "litter bin", "overflowing")),
    QuestionOption("glass_or_needles", "broken glass or needles", ("glass", "needles")),
)


@pytest.mark.parametrize("text, keys", [
    ("my recycling bin wasn't collected on Tuesday", ["recycling"]),
    ("they did not take the recycling", ["recycling"]),  # "not" is about taking
    ("it wasn't the recycling, it was the general waste", ["general_waste"]),
    ("not recycling but the food caddy", ["food"]),
    ("my bin in the front garden wasn't emptied", []),  # "garden" alone names no bin
    ("the Garden Bin and the cardboard", ["recycling", "garden"]),  # order of the options
    ("the bin men didn't come this week", []),
])
def test_options_named_in_a_description(text: str, keys: list) -> None:
    assert [option.key for option in options_named(text, BINS)] == keys


@pytest.mark.parametrize("text", ["o do plástico", "the plastic one", "papers and plastics",
                                  "los plasticos"])
def test_a_plain_plural_or_singular_names_what_the_other_does(text: str) -> None:
    """"o do plástico" at "Que contentor não foi recolhido?" named no bin (the words say
    "plasticos"): the help menu came, and the question again."""
    bins = BINS + (QuestionOption("pmd", "plastic", ("plasticos", "plastics")),)
    assert [option.key for option in options_named(text, bins)][-1] == "pmd"


def test_a_word_that_ends_in_s_still_names_itself() -> None:
    glass = (QuestionOption("glass", "glass", ("glass",)), QuestionOption("bus", "bus", ("bus",)))
    assert [o.key for o in options_named("broken glass by the bus stop", glass)] == ["glass", "bus"]


def test_a_longer_phrase_wins_over_a_shorter_one_inside_it() -> None:
    assert [o.key for o in options_named("the litter bin on the corner", LITTER)] == ["full_bin"]
    assert [o.key for o in options_named("litter everywhere", LITTER)] == ["loose_litter"]


def test_only_a_single_option_answers() -> None:
    assert option_in_text("the recycling was left", BINS).key == "recycling"
    assert option_in_text("recycling and garden waste both left", BINS) is None
    assert option_in_text("nothing here", BINS) is None


@pytest.mark.parametrize("reply, key", [
    ("recycling", "recycling"), ("Garden", "garden"), ("  Food waste! ", "food"),
    ("a full public bin", "full_bin"), ("the recycling one", None), ("", None),
])
def test_a_reply_is_an_option_word_for_word(reply: str, key: object) -> None:
    found = option_replied(reply, BINS + LITTER)
    assert (found.key if found else None) == key


def test_words_are_folded_without_accents_and_with_apostrophes() -> None:
    assert folded_words("¿Orgánico? Doesn’t") == ["organico", "doesn't"]


@pytest.mark.parametrize("text, said", [
    ("No, it's all ONE problem!", True), ("é o mesmo problema", True),
    ("someone is here", False), ("one problemo", False)])
def test_a_phrase_is_said_in_whole_words_accents_and_case_aside(text: str, said: bool) -> None:
    assert says_a_phrase(text, ["one problem", "mesmo problema"]) is said
