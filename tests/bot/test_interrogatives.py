"""What reads as a question: the FAQ offers its close entries only to those, and logs only those
as questions the team has not answered (bot.interrogatives)."""
from __future__ import annotations

import pytest

from bot.interrogatives import asks_how_to_report, reads_as_question


@pytest.mark.parametrize("text, language", [
    ("what's the fine for parking on the footway", "en"),
    ("Whats the fine for parking on the footway", "en"),
    ("can I park on the pavement", "en"),
    ("is there a charge for a second bin", "en"),
    ("parking on the footway allowed?", "en"),
    ("¿multa por aparcar en la acera", "es"),
    ("cuánto cuesta recoger un sofá", "es"),
    ("cuanto cuesta recoger un sofa", "es"),
    ("se puede aparcar en la acera", "es"),
    ("o que acontece se estacionar no passeio", "pt"),
    ("é proibido estacionar no passeio", "pt"),
    ("posso levar o cão ao parque", "pt"),
    ("hoeveel kost een parkeervergunning", "nl"),
    ("mag ik op de stoep parkeren", "nl"),
    ("waar kan ik mijn grofvuil kwijt", "nl"),
    ("what", "en"),
    ("como va lo mio", "es"), ("cómo se pide un contenedor", "es"),
    ("como posso pedir um contentor", "pt"), ("¿como una rueda?", "es"),
])
def test_questions_read_as_questions(text: str, language: str) -> None:
    assert reads_as_question(text, language)


@pytest.mark.parametrize("text, language", [
    ("12 Birch Grove", "en"),
    ("blorp", "en"),
    ("stray dog Birch Grove", "en"),
    ("whatever", "en"),         # an opener must be a whole word
    ("island road", "en"),      # "is" inside a word is not "is"
    ("thanks!", "en"),
    ("hay un perro suelto en la plaza", "es"),
    ("o candeeiro da rua 5", "pt"),  # "o" alone is an article, not "o que"
    ("de lantaarnpaal in de Dorpsstraat", "nl"),
    ("como una rueda", "es"),  # "like a wheel": a size, at "¿Qué tamaño tiene?"
    ("como 20 cm de hondo", "es"), ("como um prato", "pt"), ("como el otro día", "es"),
    ("", "en"),
    ("   ", "nl"),
])
def test_other_messages_do_not(text: str, language: str) -> None:
    assert not reads_as_question(text, language)


def test_an_unknown_language_is_read_with_englishs_openers() -> None:
    assert reads_as_question("how much is a parking permit", "fr")
    assert not reads_as_question("12 Birch Grove", "fr")


@pytest.mark.parametrize("text, language", [
    ("how do I report a pothole", "en"),
    ("who do I tell about a broken streetlight?", "en"),
    ("is there a way to log a missed bin collection", "en"),
    ("¿Dónde se avisa de una farola rota?", "es"),
    ("como puedo denunciar un bache", "es"),
    ("como posso comunicar um buraco na minha rua", "pt"),
    ("onde se reporta um candeeiro avariado", "pt"),
    ("waar kan ik een kapotte lantaarn melden", "nl"),
    ("kan ik hier een melding maken?", "nl"),
])
def test_questions_about_reporting(text: str, language: str) -> None:
    assert asks_how_to_report(text, language)


@pytest.mark.parametrize("text, language", [
    ("I want to report a pothole on Mill Lane", "en"),  # a report, not a question
    ("can you fix the streetlight on Elm Road?", "en"),  # a question, not about reporting
    ("quiero denunciar un bache en la calle Mayor", "es"),
    ("quando vão arranjar o buraco?", "pt"),
    ("ik wil een kapotte lantaarn melden", "nl"),
])
def test_other_messages_are_not_about_reporting(text: str, language: str) -> None:
    assert not asks_how_to_report(text, language)
