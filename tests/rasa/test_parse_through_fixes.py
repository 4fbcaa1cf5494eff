"""components.rasa_fixes' NLU fix (sparse features joined without scipy's block builder) must
leave every parse exactly as stock Rasa makes it: the same intents, confidences, rankings and
entities for the held-out messages of every language."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from components.rasa_fixes.sparse_joins import install_fast_sparse_joins

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PER_LANGUAGE = 40


def heldout_messages() -> List[str]:
    messages: List[str] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*/heldout.yml")):
        blocks = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
        texts = [line[2:].strip() for block in blocks if "intent" in block
                 for line in str(block["examples"]).splitlines() if line.startswith("- ")]
        messages += texts[::max(1, len(texts) // PER_LANGUAGE)][:PER_LANGUAGE]
    return messages


def parses(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    async def all_of() -> List[Dict[str, Any]]:
        found = []
        for text in texts:
            parse = await agent.parse_message(text)
            found.append({key: parse.get(key) for key in ("intent", "intent_ranking", "entities")})
        return found
    return asyncio.run(all_of())


def test_every_parse_is_the_stock_one(trained_model: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.features import Features

    agent = Agent.load(str(trained_model))
    texts = heldout_messages()
    assert len(texts) >= 4 * PER_LANGUAGE - 8
    stock = parses(agent, texts)
    monkeypatch.setattr(Features, "_combine_sparse_features",  # restored afterwards
                        Features._combine_sparse_features)
    install_fast_sparse_joins()
    assert Features._combine_sparse_features.__wrapped__  # the fix is what runs below
    assert parses(agent, texts) == stock

