"""FixedStatementReader: "the streetlight is working again" is read as being about the
citizen's own report, whatever the intent model made of it.

The intent model has no examples of a citizen saying their problem is fixed, and reads such a
message as whatever it resembles: a new report of the problem, "yes", "no", or "still not
fixed", which would reopen the case the citizen says is done. bot.problem_fixed reads these
messages by their words, in each language; this component, last in the pipeline (the
fallback would call 1.0 against the model's 0.99 "ambiguous"), gives them the intent
check_status, the one about the citizen's own report, whose action reads the words again
and takes them to the report (actions.problem_fixed). So the dialogue has one path for them
and no other action needs its own check.

Why not an intent of its own: a new intent in the rules changes the intent model's label
features: the model retrained with one read 53 of the 607 held-out messages differently (25
now right, 15 now wrong, bench.model_diff) and broke two tested behaviours. This component
learns nothing and the model stays as trained.

Left as the model read them: feedback ("the crew fixed the light so quickly, thank you!" is
praise for the staff's inbox), a request for a person, a change of language, and a message
opening with yes or no ("no, it's fixed already" cancels a report in progress; "yes, it's
fixed" answers "is it fixed?"). Where the model was unsure (a fallback), only the yes or no.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.problem_fixed import says_it_is_done
from components.intent_override import WordReader, is_fallback, model_intent

# A first word that makes the message an answer to a yes/no question, as typed (lower case):
# the Portuguese "já" (already) keeps its accent apart from the Dutch "ja" (yes).
YES_OR_NO = frozenset("yes yeah yep no nope sí si sim não nao ja jawel nee ok okay".split())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FixedStatementReader(WordReader):
    """Sets the intent `intent` on a message that says the problem is fixed."""

    READER = "fixed_statement"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The intent it sets, the intents it leaves alone, and those that keep a leading yes
        or no."""
        return {"intent": "check_status",
                "keep_intents": ["give_feedback", "request_human", "change_language"],
                "yes_no_intents": ["affirm", "deny"]}

    def reads(self, message: Message) -> bool:
        """Said to be fixed, and not an intent kept as the model read it. Under a fallback
        the model was unsure, so only a leading yes or no keeps it."""
        unsure = is_fallback(message)
        intent = model_intent(message)
        text = message.get(TEXT) or ""
        if (intent in self._config["keep_intents"] and not unsure) or not says_it_is_done(text):
            return False  # the intent first: it costs nothing, the words are read every turn
        words = text.lower().replace(",", " ").split()
        answers = words and words[0].strip(".!") in YES_OR_NO
        return not (answers and (unsure or intent in self._config["yes_no_intents"]))
