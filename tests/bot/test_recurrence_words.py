"""Which messages say the problem is happening again, and which ask what to do if it does
(bot.recurrence_words)."""
from __future__ import annotations

import pytest

from bot.recurrence_words import asks_what_if_again, says_it_happens_again


@pytest.mark.parametrize("text", [
    "it's happening again right now, really loud",
    "the music I reported is back on, it's 1am",
    "they're at it again",
    "the alarm has started up again",
    "está pasando otra vez",
    "ya están otra vez con la música",
    "o barulho voltou",
    "está a acontecer outra vez",
    "het is weer begonnen",
    "de muziek staat alweer hard",
])
def test_the_problem_back(text: str) -> None:
    assert says_it_happens_again(text)


@pytest.mark.parametrize("text", [
    "is it happening again?",
    "what if it happens again",
    "send me the status again",
    "thanks again!",
    "can you tell me my reference number again",
    "the streetlight is working again",
    "the light is back on, thanks",
    "de lantaarnpaal doet het weer",
    "la farola funciona otra vez",
    "hoe wordt het weer morgen",
    "loud music every night",
    "/check_status",
    "",
])
def test_not_the_problem_back(text: str) -> None:
    assert not says_it_happens_again(text)


@pytest.mark.parametrize("text, asks", [
    ("ok what if it happens again tomorrow?", True),
    ("what should I do if it happens again", True),
    ("¿y si vuelve a pasar esta noche?", True),
    ("e se voltar a acontecer?", True),
    ("wat als het weer gebeurt?", True),
    ("it's happening again", False),
    ("what happens next?", False),
])
def test_what_if_it_happens_again(text: str, asks: bool) -> None:
    assert asks_what_if_again(text) is asks
