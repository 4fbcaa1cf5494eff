"""No conversation text asks a citizen to send, on its own, a word that is an SMS keyword.
"Reply CANCEL to stop" over SMS would opt the citizen out of every message (CANCEL is one of
Twilio's and the carriers' STOP words, and bot/optouts.py honours it too), and the report
would not even be cancelled: the keyword never reaches the assistant."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import yaml

from bot import optouts

ROOT = Path(__file__).resolve().parents[2]
# What a prompt asks the citizen to type: a run of capitalised words ("SKIP", "CANCEL REPORT").
TYPED_WORDS = re.compile(r"\b[A-Z]{2,}(?: [A-Z]{2,})*\b")


def response_texts() -> Iterator[Tuple[str, str]]:
    """(response name, text) for every variation of every response in domain/."""
    for path in sorted((ROOT / "domain").glob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (domain.get("responses") or {}).items():
            for variation in variations:
                yield name, str(variation.get("text") or "")


@pytest.mark.parametrize("text, keyword", [("Reply CANCEL to stop.", "CANCEL"),
                                           ("or reply YES.", "YES"),
                                           ("Reply CANCEL REPORT to stop.", None)])
def test_a_keyword_in_a_prompt_is_found(text: str, keyword: str) -> None:
    found = [words for words in TYPED_WORDS.findall(text) if optouts.keyword_of(words)]
    assert found == ([keyword] if keyword else [])


def test_no_response_asks_the_citizen_to_type_an_sms_keyword() -> None:
    texts = list(response_texts())
    assert len(texts) > 100, "domain/*.yml responses were not read"
    asked = [(name, words) for name, text in texts for words in TYPED_WORDS.findall(text)
             if optouts.keyword_of(words)]
    assert asked == []
