"""What the word readers at the end of the pipeline share: a component that gives a message
the intent its words make plain, whatever the model read, the model's own reading under a
fallback, and putting a reading first without losing the model's.

components.fixed_statement and components.report_enquiry are such readers. They learn
nothing, so the trained model stays as it is. The model's ranking stays below the new
reading, so logs, `rasa shell nlu` and bench.model_diff still show what the model thought.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"  # FallbackClassifier's, which runs before the readers
Reader = TypeVar("Reader", bound="WordReader")


class WordReader(GraphComponent):
    """Sets the intent `intent` (config) on each message `reads` picks out. Subclasses give
    `get_default_config` (with "intent") and `reads`; they are registered as intent
    classifiers that need no training."""

    READER = "word_reader"  # the name its log lines carry

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls: Type[Reader], config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> Reader:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Rewrites the intent of each message its words pick out."""
        for message in messages:
            if self.reads(message):
                put_first(message, self._config["intent"], self.READER)
        return messages

    def reads(self, message: Message) -> bool:
        raise NotImplementedError


def model_intent(message: Message) -> Text:
    """The intent model's own reading: under a fallback, the first below it in the ranking."""
    intent = (message.get(INTENT) or {}).get("name") or ""
    if intent != FALLBACK_INTENT:
        return intent
    below = [item.get("name") for item in message.get(INTENT_RANKING_KEY) or []
             if item.get("name") != FALLBACK_INTENT]
    return below[0] if below else intent


def is_fallback(message: Message) -> bool:
    """Whether the model was too unsure, or too torn, to be taken at its word."""
    return (message.get(INTENT) or {}).get("name") == FALLBACK_INTENT


def put_first(message: Message, intent: Text, reader: Text) -> None:
    """`intent` at 1.0 goes first in the ranking; the model's readings stay below it."""
    chosen = {"name": intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    others = [item for item in message.get(INTENT_RANKING_KEY) or []
              if item.get("name") != intent]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen] + others, add_to_output=True)
    logger.debug("%s.read model_intent_replaced", reader)
