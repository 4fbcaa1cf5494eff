"""The trained pipeline routes "¿cómo va lo mío?" to check_status in any wording the model
misreads (components.report_enquiry), and the words that do it pick out status checks only.

The model read the Spanish and Portuguese below as a greeting, feedback, a policy question or
a fallback. The reading is by words, so each must get check_status; and no training or
held-out example of another intent may match the words, or a citizen's question, greeting or
feedback would be answered with a report's status.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bench.nlu_eval import load_examples
from bot.report_enquiries import asks_after_a_problem, asks_after_a_report

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

MISREAD: List[str] = [
    "buenos días, ¿cómo va lo mío?",  # greet at 0.87
    "hola, ¿cómo va lo mío?",  # give_feedback at 0.70
    "hola, quería saber cómo está mi queja",  # give_feedback at 0.99
    "buenas tardes, ¿alguien ha mirado lo que avisé?",  # fell back
    "gracias, ¿y cómo va mi aviso?",  # give_feedback at 0.95
    "bom dia, o que se passa com a minha queixa?",  # ask_policy at 1.0
    "any news on the pothole?",  # report_problem at 1.0
    "hoe staat het met de kuil?",  # report_problem at 1.0
    "¿cómo va lo del bache?",  # give_feedback at 1.0
]


def test_misread_enquiries_are_status_checks(parse) -> None:  # type: ignore[no-untyped-def]
    read = {item["text"]: item["intent"]["name"] for item in parse(MISREAD)}
    assert read == {text: "check_status" for text in MISREAD}


def test_the_words_pick_out_status_checks_only() -> None:
    examples = [example for path in sorted((ROOT / "data/nlu").glob("*/*.yml"))
                + sorted((ROOT / "tests/nlu").glob("*/heldout.yml"))
                for example in load_examples(path)]
    matched = [(example.intent, example.text) for example in examples
               if asks_after_a_report(example.text) or asks_after_a_problem(example.text)]
    assert len(matched) > 50  # the words do find the status checks
    assert [item for item in matched if item[0] != "check_status"] == []
