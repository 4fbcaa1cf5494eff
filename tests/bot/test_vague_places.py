"""Which answers to "Where is it?" only point at the citizen (bot.vague_places)."""
from __future__ import annotations

import pytest

from bot.vague_places import points_only_at_the_citizen


@pytest.mark.parametrize("text", ["en mi calle", "outside my house", "here", "Aquí.",
                                  "in front of my house", "na minha rua", "bij mij in de straat",
                                  "where I live"])
def test_words_that_only_point_at_the_citizen(text: str) -> None:
    assert points_only_at_the_citizen(text)


@pytest.mark.parametrize("text", ["Calle del Pez 14", "outside the school", "High Street",
                                  "my street, by the bakery", "la calle Mayor", "Mill Lane",
                                  "my house, number 4", ""])
def test_a_name_a_landmark_or_a_number_is_a_place(text: str) -> None:
    assert not points_only_at_the_citizen(text)
