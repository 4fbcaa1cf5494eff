"""A report's words without the greeting they opened with (bot.greetings)."""
from __future__ import annotations

import pytest

from bot.greetings import without_greeting


@pytest.mark.parametrize("text, kept", [
    ("Goedemorgen, de boom voor mijn huis is half omgewaaid",
     "De boom voor mijn huis is half omgewaaid"),
    ("hi, my bin wasn't collected yesterday", "My bin wasn't collected yesterday"),
    ("Hello there! There's a pothole on Elm Road", "There's a pothole on Elm Road"),
    ("Buenos días, hay un bache en la calle Mayor", "Hay un bache en la calle Mayor"),
    ("Olá. O caixote não foi recolhido", "O caixote não foi recolhido"),
])
def test_a_greeting_at_the_start_is_dropped(text: str, kept: str) -> None:
    assert without_greeting(text) == kept


@pytest.mark.parametrize("text", [
    "Hi", "Hi!", "Highway sign knocked over", "dagelijks lawaai van de bouwplaats",
    "hi there is a pothole",  # no mark after the greeting: left as typed
    "the man said hello, then drove off",
])
def test_anything_else_is_left_as_typed(text: str) -> None:
    assert without_greeting(text) == text
