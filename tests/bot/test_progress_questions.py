"""Which short messages ask how long something takes or what comes next (bot.progress_questions)."""
from __future__ import annotations

import pytest

from bot.progress_questions import (asks_about_progress, asks_only_about_progress,
                                    asks_whether_someone_comes)


@pytest.mark.parametrize("text", [
    "how long does it usually take?", "When will it be done", "why is it taking so long",
    "what happens next?", "and now?", "¿cuánto suele tardar?", "¿y ahora qué?",
    "quanto tempo costuma demorar?", "e agora?", "hoe lang duurt dat meestal?",
    "wat gebeurt er nu?", "Wanneer wordt het gemaakt?",
])
def test_questions_of_time_or_next_steps(text: str) -> None:
    assert asks_about_progress(text)


@pytest.mark.parametrize("text", [
    "how are you", "what day is my bin collected", "can I report anonymously?", "",
    "how long can I leave a skip on the road outside my house before I need a licence?",
    "hoe laat gaat het stadhuis open",
])
def test_other_messages(text: str) -> None:
    assert not asks_about_progress(text)


@pytest.mark.parametrize("text, only", [
    ("wat gebeurt er nu?", True), ("how long does it usually take?", True),
    ("why is it taking so long", True), ("¿y ahora qué?", True),
    ("how long does a parking permit take?", False),
    ("when will the bins be collected", False), ("what happens now with the library?", False),
])
def test_a_question_naming_nothing_else(text: str, only: bool) -> None:
    assert asks_only_about_progress(text) is only


@pytest.mark.parametrize("text, asks", [
    ("thanks! will someone come round tonight?", True), ("is anyone coming out today?", True),
    ("¿va a venir alguien?", True), ("vem alguém ver isto?", True),
    ("komt er iemand kijken?", True), ("komt er vannacht iemand kijken?", True),
    ("can I talk to someone", False), ("I want to speak to a person", False),
    ("someone should come and look at this pothole on Mill Lane outside the school", False),
])
def test_whether_someone_comes(text: str, asks: bool) -> None:
    assert asks_whether_someone_comes(text) is asks
