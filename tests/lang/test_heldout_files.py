"""The four-language held-out sets stay usable as benchmarks: every intent and service is
covered in each language, short messages are there, and none of it leaks into training."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.lang_eval import SHORT_WORDS, load_language_examples
from bench.nlu_eval import load_examples

ROOT = Path(__file__).resolve().parents[2]
INTENTS = {"greet", "goodbye", "affirm", "deny", "thank", "help", "bot_challenge", "report_problem",
           "check_status", "ask_policy", "give_feedback", "request_human", "change_language",
           "inform", "out_of_scope", "add_to_report"}
CODES = {"pothole", "streetlight", "traffic_signal", "graffiti", "litter", "illegal_dumping",
         "missed_collection", "noise", "illegal_parking", "abandoned_vehicle", "sidewalk", "tree",
         "water_leak", "park_maintenance", "animal", "other"}


def comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@pytest.mark.parametrize("language", ["es", "pt", "nl"])
def test_each_heldout_covers_every_intent_and_service(language: str) -> None:
    examples = load_examples(ROOT / f"tests/nlu/{language}/heldout.yml")
    assert len(examples) >= 80
    assert {example.intent for example in examples} == INTENTS
    assert {e.category for e in examples if e.intent == "report_problem" and e.category} == CODES


@pytest.mark.parametrize("language", ["es", "pt", "nl"])
def test_longer_heldout_messages_are_never_trained_on(language: str) -> None:
    trained = {comparable(example.text) for path in (ROOT / "data/nlu").glob("*/*.yml")
               if path.name != "regex.yml" for example in load_examples(path)}
    held = [e.text for e in load_examples(ROOT / f"tests/nlu/{language}/heldout.yml")
            if len(e.text.split()) > 2]
    assert [text for text in held if comparable(text) in trained] == []


def test_language_heldout_has_short_and_long_messages_per_language() -> None:
    rows = load_language_examples(ROOT / "tests/lang/heldout_language.tsv")
    for language in ("en", "es", "pt", "nl"):
        texts = [text for code, text in rows if code == language]
        short = [text for text in texts if len(text.split()) <= SHORT_WORDS]
        assert len(texts) >= 55 and len(short) >= 15 and len(texts) - len(short) >= 35
