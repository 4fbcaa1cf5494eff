"""bot.announcements: asking to give feedback, or to add to a report, is not the feedback or
the note."""
from __future__ import annotations

import pytest

from bot.announcements import announces_feedback, announces_note, announces_report


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


def test_a_reference_does_not_make_feedback_words_its_own() -> None:
    assert announces_feedback("I'd like to give feedback on C-2026-000123")


@pytest.mark.parametrize("text", [
    "I want to add a photo to my report", "can I add something to C-2026-000123?",
    "I forgot to mention something in my report", "one more thing about the report I made",
    "quiero añadir una foto a mi aviso", "queria acrescentar uma fotografia ao meu pedido",
    "ik wil een foto toevoegen aan mijn melding", "add info to #2026-4417",
    "can I add a photo later?",  # was itself added to the case as the note
    "puedo mandar una foto luego?", "posso enviar uma foto depois?",
    "kan ik straks nog een foto sturen?",
])
def test_asking_to_add_to_a_report(text: str) -> None:
    assert announces_note(text)


@pytest.mark.parametrize("text", [
    "forgot to put in my report that it's right by the school gates",
    "the pothole I reported has got worse", "C-2026-000123 it's twice the size now",
    "el bache que reporté está peor", "het lek is erger geworden", "",
])
def test_the_note_itself(text: str) -> None:
    assert not announces_note(text)


@pytest.mark.parametrize("text, only_the_wish", [
    ("I want to report a problem", True), ("how do I report a problem?", True),
    ("quero comunicar uma ocorrência", True), ("ik wil iets melden", True),
    ("I want to report a pothole", False), ("it is a big problem", False), ("", False),
    ("one", False), ("the other one", False), ("otro", False), ("uma", False), ("iets", False),
])
def test_asking_to_report(text: str, only_the_wish: bool) -> None:
    assert announces_report(text) is only_the_wish
