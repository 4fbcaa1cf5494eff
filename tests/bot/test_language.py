"""bot.language: detection limited to supported languages; a conversation keeps its language
over short replies, a first message is read from its words, a long clear one may switch."""
from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import language
from bot.language import LONG_WORDS, detect_language, language_evidence
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


@pytest.mark.parametrize("text, expected", [
    ("hola", "es"), ("sí", "es"), ("muchas gracias", "es"), ("¿y ahora?", "es"),
    ("obrigado", "pt"), ("não", "pt"), ("bom dia", "pt"),
    ("dank je", "nl"), ("ja", "nl"), ("nee bedankt", "nl"), ("goedemorgen", "nl"),
    ("thanks", "en"), ("hello", "en"),
    # a summary button's title typed into a new conversation ("Submit" was read as Spanish)
    ("Submit", "en"), ("Change place", "en"), ("Cambiar lugar", "es"), ("Mudar descrição", "pt"),
    ("Versturen", "nl"),
])
def test_a_first_short_message_is_read_from_its_words(text: str, expected: str) -> None:
    assert detect_language(text, hint=None, current=None) == expected


@pytest.mark.parametrize("text, hint, expected", [
    ("ok", "es", "es"), ("2", "pt-BR", "pt"), ("ok", None, "en"),
    ("no", None, "en"),          # English and Spanish alike: the default
    ("merci", "fr", "en"),       # unsupported hint: the default
    ("C-2026-000123", "nl", "nl"), ("", None, "en"), (None, "nl_BE", "nl"),
])
def test_a_first_message_without_clear_words_takes_the_hint_or_default(
        text: Optional[str], hint: Optional[str], expected: str) -> None:
    assert detect_language(text, hint=hint, current=None) == expected


@pytest.mark.parametrize("current", ["en", "es", "pt", "nl"])
@pytest.mark.parametrize("reply", ["si", "ja", "ok", "2", "sim", "nee", "yes", "gracias",
                                   "calle mayor 12", "C-2026-000123", "4 stars", "skip"])
def test_one_word_replies_keep_the_conversations_language(current: str, reply: str) -> None:
    assert detect_language(reply, hint="en", current=current) == current


@pytest.mark.parametrize("text, current, expected", [
    ("I would like to report a broken street light", "es", "en"),
    ("hay un coche abandonado en mi calle desde hace semanas", "en", "es"),
    ("de buren maken elke nacht heel veel lawaai", "pt", "nl"),
    ("o semáforo do cruzamento não funciona desde ontem", "nl", "pt"),
])
def test_a_long_clear_message_switches_the_language(text: str, current: str, expected: str) -> None:
    assert len(text.split()) >= LONG_WORDS
    assert detect_language(text, current=current) == expected


@pytest.mark.parametrize("text, current", [
    ("ok ok ok ok", "es"),
    ("12 high street 4b", "pt"),
    ("C-2026-000123 3 4 5 ok", "nl"),
])
def test_a_long_message_without_clear_language_keeps_it(text: str, current: str) -> None:
    assert detect_language(text, current=current) == current


def test_detection_is_deterministic_and_always_supported() -> None:
    text = "Ich möchte ein Schlagloch in meiner Straße melden bitte"
    results = {detect_language(text, current="es") for _ in range(5)}
    assert len(results) == 1 and results <= set(get_settings().supported_languages)


def test_evidence_only_names_supported_languages() -> None:
    supported = get_settings().supported_languages
    evidence = language_evidence("hay un bache en la calle", supported)
    assert set(evidence.scores) <= set(supported) and evidence.best[0] == "es"
    assert language_evidence("2", supported).best == (None, 0.0)


@pytest.mark.parametrize("text, expected", [
    ("hola, queria saber como va mi aviso C-2026-000005", "es"),
    ("o meu pedido vai demorar muito?", "pt"),
])
def test_a_long_first_message_is_never_read_as_a_language_it_shows_no_sign_of(
        text: str, expected: str) -> None:
    assert detect_language(text, hint=None, current=None) == expected


def everything_asked(text: str, supported: tuple) -> language.Evidence:
    """language_evidence as it was before it skipped langdetect where the answer does not
    count: langdetect asked for every text with words."""
    raw = (text or "").lower()
    words = [word for word in language._WORD.findall(raw) if word not in language.NEUTRAL]
    if not words:
        return language.Evidence(0, {})
    lexical = language._lexical_scores(raw, words, supported)
    statistical = language._detect(" ".join(words), supported)
    if not lexical:
        letters = sum(len(word) for word in words)
        if letters < language.MIN_LETTERS or max(statistical.values(),
                                                 default=0.0) < language.SHORT_CERTAINTY:
            return language.Evidence(len(words), {})
    total = sum(lexical.values())
    if not total:
        return language.Evidence(len(words), {code: statistical.get(code, 0.0)
                                              for code in supported})
    weight = 0.0 if not statistical or len(words) < LONG_WORDS else min(0.5, 0.08 * len(words))
    return language.Evidence(len(words), {
        code: (1 - weight) * lexical.get(code, 0.0) / total + weight * statistical.get(code, 0.0)
        for code in supported})


WORDS = sorted(set().union(*language.LEXICON.values())) + [
    "ok", "2", "C-2026-000123", "Elmstraat", "zj", "pothole", "farola", "buraco", "kapotte",
    "¿", "ñandú", "ção", "bijna", "straße", "xyzzyq", "lamppost", "ruas"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=9), st.sampled_from([" ", ", "]))
def test_evidence_is_the_same_as_when_langdetect_was_asked_every_time(words: list,
                                                                       gap: str) -> None:
    supported = tuple(get_settings().supported_languages)
    text = gap.join(words)
    assert language_evidence(text, supported) == everything_asked(text, supported)


def test_a_short_message_with_known_words_does_not_ask_langdetect(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list = []
    detect = language._detect
    monkeypatch.setattr(language, "_detect", lambda *args: asked.append(args) or detect(*args))
    assert detect_language("si gracias", current="es") == "es"
    assert asked == []
    detect_language("hola, quería saber cómo va mi aviso", current="es")
    assert len(asked) == 1
