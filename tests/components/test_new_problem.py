"""components.new_problem.NewProblemReader: a message the model read as adding to a report
that names a type of problem and points back at no report is a new report; notes, and
messages naming no type, are left alone."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.new_problem import NewProblemReader


def read(text: str, intent: str = "add_to_report", category: str = "water_leak",
         extractor: str = "CategoryClassifier") -> str:
    ranking: List[Dict[str, Any]] = [{"name": intent, "confidence": 0.95},
                                     {"name": "report_problem", "confidence": 0.05}]
    entities = [{"entity": "category", "value": category, "extractor": extractor}] \
        if category else []
    message = Message(data={TEXT: text, INTENT: dict(ranking[0]), INTENT_RANKING_KEY: ranking,
                            ENTITIES: entities})
    NewProblemReader({}).process([message])
    return message.get(INTENT)["name"]


@pytest.mark.parametrize("text", [
    "há uma fuga de água na Rua do Sol 22, a água corre pela rua desde manhã",  # 0.98
    "há uma fuga de água na Rua do Sol 22",  # 0.95
])
def test_a_problem_read_as_a_note_is_a_new_report(text: str) -> None:
    assert read(text) == "report_problem"


@pytest.mark.parametrize("text", [
    "the leak has got worse since this morning", "forgot to say it is by the school gates",
    "add this to C-2026-000012: water everywhere", "there's more water now",
    "la fuga de mi aviso sigue igual", "o que eu reportei está pior",
    "het lek dat ik gemeld heb is erger geworden",
])
def test_a_note_stays_a_note(text: str) -> None:
    assert read(text) == "add_to_report"


def test_without_a_type_named_it_stays_a_note() -> None:
    assert read("there's water everywhere on Sun Street", category="") == "add_to_report"
    assert read("something on Sun Street", category="other") == "add_to_report"
    assert read("a leak on Sun Street", extractor="DIETClassifier") == "add_to_report"


def test_other_readings_and_buttons_are_left_alone() -> None:
    assert read("há uma fuga de água na Rua do Sol 22", intent="ask_policy") == "ask_policy"
    assert read("/add_to_report") == "add_to_report"
