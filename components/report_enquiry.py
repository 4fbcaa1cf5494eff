"""ReportEnquiryReader: "hola, ¿cómo va lo mío?" asks after the citizen's report, whatever
the intent model made of the greeting around it.

The model reads many of these as something else, most of all in Spanish and Portuguese,
where it has fewer examples: "buenos días, ¿cómo va lo mío?" is a greeting (0.87), "hola,
quería saber cómo está mi queja" feedback (0.99), "bom dia, o que se passa com a minha
queixa?" a policy question (1.0), "buenas tardes, ¿alguien ha mirado lo que avisé?" a
fallback. The citizen was greeted again, asked to rate the city, offered FAQ entries or
told "Sorry, I didn't get that". bot.report_enquiries reads such messages by their words (the
citizen's report named, with a word asking how it stands); this component, last in the
pipeline, gives them check_status, whose action shows the report. So does a reference
sent alone that the model did not read as a status check ("c 2026 26" is `inform` at 1.0,
and outside a form no rule answers that: "Sorry, I didn't get that"). So does a short
question of how a problem it names stands, read as a new report or as feedback ("any news on
the pothole?" and "hoe staat het met de kuil?" started reports; "¿cómo va lo del bache?" asked
for a rating); the status action finds the citizen's report of that kind.

Only readings that cannot be right for such a message are replaced (`misread_intents`):
small talk, feedback, a policy question, out of scope, a fallback. A request for a person,
a change of language, more about a report, "it's still not fixed" or a yes or no keep the
model's reading. On the training and held-out data the words pick out check_status
examples only (tests/rasa/test_report_enquiries.py). Like components.fixed_statement, it
learns nothing, adds no intent and leaves the trained model as it is.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.references import only_a_reference
from bot.report_enquiries import asks_after_a_problem, asks_after_a_report
from components.intent_override import WordReader


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ReportEnquiryReader(WordReader):
    """Sets the intent `intent` on a misread message that asks how the citizen's report
    stands."""

    READER = "report_enquiry"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The intent it sets and the readings it replaces."""
        return {"intent": "check_status",
                "misread_intents": ["greet", "goodbye", "thank", "give_feedback", "ask_policy",
                                    "out_of_scope", "bot_challenge", "help", "nlu_fallback"],
                "reference_intents": ["inform"],
                "problem_intents": ["report_problem", "give_feedback"]}

    def reads(self, message: Message) -> bool:
        """A reading it replaces (checked first: it costs nothing), on words that ask after
        the citizen's report or a problem named (bot.report_enquiries), or a reference alone
        ("c 2026 26" is `inform` to the model, which no rule answers outside a form). A
        button's payload is never read."""
        intent = (message.get(INTENT) or {}).get("name")
        text = message.get(TEXT) or ""
        if text.startswith("/"):
            return False
        if intent in self._config["misread_intents"] and asks_after_a_report(text):
            return True
        if intent in self._config["problem_intents"] and asks_after_a_problem(text):
            return True  # "any news on the pothole?" is no new report
        return (intent in self._config["misread_intents"]
                or intent in self._config["reference_intents"]) and only_a_reference(text)
