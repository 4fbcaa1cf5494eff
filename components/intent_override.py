"""What the word readers at the end of the pipeline share: the intent model's own reading
under a fallback, and putting a reading first without losing the model's.

components.fixed_statement and components.report_enquiry each give a message the intent
its words make plain, whatever the model read. The model's ranking stays below the new
reading, so logs, `rasa shell nlu` and bench.model_diff still show what the model thought.
"""
from __future__ import annotations

import logging
from typing import Text

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"  # FallbackClassifier's, which runs before the readers


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
