"""What the tests of the trained model share."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest


@pytest.fixture(scope="module")
def parse(trained_model: Path):  # type: ignore[no-untyped-def]
    """parse(texts): the trained model's parse of each text, as Rasa's HTTP API returns it."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))

    def parse_all(texts: List[str]) -> List[Dict[str, Any]]:
        async def all_of() -> List[Dict[str, Any]]:
            return [await agent.parse_message(text) for text in texts]
        return asyncio.run(all_of())

    return parse_all
