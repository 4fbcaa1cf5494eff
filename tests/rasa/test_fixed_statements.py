"""The trained pipeline routes "it's working again" to check_status, in each language.

The intent model has no examples of it and read these as a new report, "yes", "no", or "still
not fixed" (components.fixed_statement); check_status's action takes the words to the report
(actions.problem_fixed). The reading is by words, so every message below must get it; and no
held-out message of another intent may read as one, or a citizen's new report or question
would be taken for news that a problem is fixed.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bench.nlu_eval import load_examples
from bot.problem_fixed import says_it_is_done

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SAID_FIXED: List[str] = [
    "the streetlight on Oak Avenue is working again",  # was a streetlight report at 1.0
    "good news, the fly-tipping has been cleared",  # was a fly-tipping report
    "actually it's been fixed already, you can close my report",  # was a status check
    "the noise has stopped, no need to do anything",  # was "no"
    "they've fixed the light, thanks",  # fell back
    "la farola ya funciona, gracias",  # a streetlight report
    "ya está arreglado, podéis cerrar el aviso",  # "still not fixed", at 0.88
    "ya han tapado el bache que avisé",  # adding to a report
    "já arranjaram o candeeiro, obrigado",  # "yes"
    "o lixo já foi recolhido, podem fechar o pedido",  # fell back
    "de lantaarnpaal doet het weer, bedankt",  # a streetlight report at 1.0
    "mijn melding mag gesloten worden, het is opgelost",  # "still not fixed", at 0.96
]


def test_a_problem_said_to_be_fixed_is_read_so(parse) -> None:  # type: ignore[no-untyped-def]
    read = {item["text"]: (item["intent"]["name"], item["intent"]["confidence"])
            for item in parse(SAID_FIXED)}
    assert read == {text: ("check_status", 1.0) for text in SAID_FIXED}


def test_no_held_out_message_of_another_intent_reads_as_one() -> None:
    """Only "yes, it's fixed" answers say it in the held-out sets (the component leaves a
    leading yes alone, and without one it is the same yes to "is it fixed?")."""
    held_out = [example for path in sorted((ROOT / "tests/nlu").glob("*/heldout.yml"))
                for example in load_examples(path)]
    taken = [(example.intent, example.text) for example in held_out
             if says_it_is_done(example.text) and example.intent != "affirm"]
    assert taken == []
