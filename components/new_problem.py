"""NewProblemReader: "há uma fuga de água na Rua do Sol 22" is a new report, not a note.

The model reads some Portuguese problem descriptions as adding to a report (0.95). The
citizen, who had reported nothing, was asked which report to add to; describing the problem
again, as that question invites, was "not one of our references", round and round. A
message read as add_to_report in which the category classifier names the problem's type,
and whose words do not point back at a report (bot.new_problem_words: no reference, no "my
report", no "forgot", "also", "still", "worse"...), is given report_problem: the report form
starts, and its own check still offers a matching open report of theirs. Like the other
word readers it learns nothing and leaves the trained model as it is; on the training and
held-out notes it changes none (tests/rasa/test_new_problem.py).
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.new_problem_words import points_back_at_a_report
from components.category_classifier import EXTRACTOR_NAME
from components.intent_override import WordReader

VAGUE_TYPES = frozenset({"other"})  # "other" names no problem


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NewProblemReader(WordReader):
    """Sets the intent `intent` on a message read as adding to a report that names a type of
    problem and points back at no report."""

    READER = "new_problem"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The intent it sets and the reading it replaces."""
        return {"intent": "report_problem", "misread_intents": ["add_to_report"]}

    def reads(self, message: Message) -> bool:
        """The reading it replaces (checked first: it costs nothing), a type the classifier
        named, and words that point back at no report. A button's payload is never read."""
        intent = (message.get(INTENT) or {}).get("name")
        text = message.get(TEXT) or ""
        if intent not in self._config["misread_intents"] or text.startswith("/"):
            return False
        named = [entity for entity in message.get(ENTITIES) or []
                 if entity.get("extractor") == EXTRACTOR_NAME
                 and entity.get("value") not in VAGUE_TYPES]
        return bool(named) and not points_back_at_a_report(text)
