"""bot.language: detection limited to supported languages; short texts keep the conversation's."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.language import detect_language
from bot.settings import get_settings


@pytest.mark.parametrize("text, expected", [
    ("there is a big pothole on my street", "en"),
    ("my bin was not collected this morning", "en"),
    ("hay un bache enorme en mi calle", "es"),
    ("la farola de mi calle no funciona desde ayer", "es"),
    ("tem um buraco enorme na minha rua", "pt"),
    ("o lixo não foi recolhido hoje de manhã", "pt"),
    ("er is een groot gat in mijn straat", "nl"),
    ("de vuilnisbak is vandaag niet geleegd", "nl"),
])
def test_longer_messages_are_detected(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text, hint, current, expected", [
    ("hola", None, None, "en"),          # too short: default
    ("hola", "es", None, "es"),          # too short: the channel's hint
    ("ok thanks", "nl", "pt", "pt"),     # the conversation's language wins
    ("12 high st", None, "es", "es"),
    ("obrigado", "pt-BR", None, "pt"),   # regional hint
    ("merci", "fr", None, "en"),         # unsupported hint: default
    ("", None, "nl", "nl"),
    (None, None, None, "en"),
])
def test_short_texts_keep_the_current_language_or_hint(
        text: Optional[str], hint: Optional[str], current: Optional[str], expected: str) -> None:
    assert detect_language(text, hint=hint, current=current) == expected


def test_detection_is_deterministic_and_always_supported() -> None:
    text = "Ich möchte ein Schlagloch in meiner Straße melden bitte"
    results = {detect_language(text, current="es") for _ in range(5)}
    assert len(results) == 1 and results <= set(get_settings().supported_languages)


def test_a_confident_detection_switches_the_language() -> None:
    assert detect_language("I would like to report a broken street light", current="es") == "en"
