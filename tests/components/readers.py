"""Running a word reader (components.intent_override.WordReader) on one message the model
read as `intent`, with `runner_up` below it."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.intent_override import WordReader


def read_with(reader: WordReader, text: str, intent: str, runner_up: str,
              confidence: float = 0.9) -> Dict[str, Any]:
    """The message's intent and ranking after the reader."""
    ranking: List[Dict[str, Any]] = [{"name": intent, "confidence": confidence},
                                     {"name": runner_up, "confidence": 1 - confidence}]
    message = Message(data={TEXT: text, INTENT: dict(ranking[0]), INTENT_RANKING_KEY: ranking})
    reader.process([message])
    return {"intent": message.get(INTENT), "ranking": message.get(INTENT_RANKING_KEY)}
