"""bot.feedback_words: asking to give feedback is not the feedback."""
from __future__ import annotations

import pytest

from bot.feedback_words import announces_feedback


@pytest.mark.parametrize("text", [
    "I'd like to give some feedback", "I want to complain about the service I got",
    "can I leave a comment about the chatbot please", "quiero dejar un comentario",
    "me gustaría dar mi opinión sobre el servicio", "quero fazer uma reclamação sobre o atendimento",
    "ik wil graag een klacht doorgeven over de gemeente",
])
def test_asking_to_give_feedback(text: str) -> None:
    assert announces_feedback(text)


@pytest.mark.parametrize("text", [
    "The crew fixed the pothole on my street really quickly, thank you",
    "I want to compliment the workers who fixed the light", "this bot is rubbish",
    "el servicio fue muy lento", "o bot nao percebe nada", "de chat werkt prima", "",
])
def test_feedback_itself(text: str) -> None:
    assert not announces_feedback(text)
