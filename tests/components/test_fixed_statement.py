"""components.fixed_statement.FixedStatementReader: a message saying the problem is fixed gets
the intent check_status (its action takes the words to the report) whatever the model read,
except praise, a request for a person, a change of language, and a yes or no that answers a
question."""
from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.problem_fixed import says_it_is_done
from components.fixed_statement import FixedStatementReader
from tests.components.readers import read_with


def read(text: str, intent: str, confidence: float = 0.9) -> Dict[str, Any]:
    return read_with(FixedStatementReader({}), text, intent, "greet", confidence)


@pytest.mark.parametrize("text, model_read", [
    ("de lantaarnpaal doet het weer, bedankt", "report_problem"),
    ("ya está arreglado, podéis cerrar el aviso", "report_not_fixed"),
    ("actually it's been fixed already, you can close my report", "check_status"),
    ("the noise has stopped, no need to do anything", "deny"),
    ("já arranjaram o candeeiro, obrigado", "affirm"),
    ("it's fixed now thanks", "nlu_fallback"),
])
def test_the_model_reading_is_replaced(text: str, model_read: str) -> None:
    result = read(text, model_read)
    assert result["intent"] == {"name": "check_status", "confidence": 1.0}
    below = [name for name in (model_read, "greet") if name != "check_status"]
    assert [item["name"] for item in result["ranking"]] == ["check_status"] + below


@pytest.mark.parametrize("text, model_read", [
    ("the crew fixed the streetlight so quickly, thank you!", "give_feedback"),
    ("it's been fixed now, I'd like to speak to a person about the mess", "request_human"),
    ("no, it's fixed already", "deny"),
    ("yes it's fixed", "affirm"),
    ("Ja, het is opgelost", "affirm"),
    ("when will the pothole be fixed", "check_status"),
    ("there's a pothole on Mill Lane", "report_problem"),
])
def test_other_messages_keep_the_model_reading(text: str, model_read: str) -> None:
    assert read(text, model_read)["intent"]["name"] == model_read


def test_under_a_fallback_only_a_leading_yes_or_no_is_kept() -> None:
    """"They've fixed the light, thanks": the model's 0.28 for feedback fell back."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.6},
               {"name": "give_feedback", "confidence": 0.28},
               {"name": "deny", "confidence": 0.26}]
    for text, expected in [("no, it's fixed already", "nlu_fallback"),
                           ("they've fixed the light, thanks", "check_status")]:
        message = Message(data={TEXT: text, INTENT: dict(ranking[0]),
                                INTENT_RANKING_KEY: [dict(item) for item in ranking]})
        FixedStatementReader({}).process([message])
        assert message.get(INTENT)["name"] == expected, text


def test_the_kept_intents_are_kept_for_what_they_are_not_for_the_words() -> None:
    """Praise and a request for a person do say it is fixed: only the intent keeps them."""
    assert says_it_is_done("the crew fixed the streetlight so quickly, thank you!")
    assert says_it_is_done("it's been fixed now, I'd like to speak to a person about the mess")
