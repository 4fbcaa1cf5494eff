"""Which messages ask the city to hurry (bot.urgency_words)."""
from __future__ import annotations

import pytest

from bot.urgency_words import asks_to_hurry


@pytest.mark.parametrize("text", ["can you hurry it up please", "this is urgent",
                                  "please deal with it ASAP", "dense prisa, por favor",
                                  "é urgente, despachem isso", "kan het met spoed?"])
def test_pleas_to_hurry(text: str) -> None:
    assert asks_to_hurry(text)


@pytest.mark.parametrize("text", ["how long does it usually take", "thanks",
                                  "what happens next", "hoe lang duurt het nog"])
def test_other_messages(text: str) -> None:
    assert not asks_to_hurry(text)
