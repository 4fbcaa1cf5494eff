"""The trained pipeline reads "há uma fuga de água na Rua do Sol 22" as a new report
(components.new_problem), and leaves every training and held-out note a note.

The model read these as adding to a report, and a citizen with no report was asked which
one, round and round. The reader must change no example the model reads as a note: a
citizen adding to their report would be started on a new one.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bench.nlu_eval import load_examples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

MISREAD: List[str] = [
    "há uma fuga de água na Rua do Sol 22, a água corre pela rua desde manhã",  # 0.98
    "há uma fuga de água na Rua do Sol 22",  # add_to_report at 0.95
]


def test_a_problem_read_as_a_note_is_a_new_report(parse) -> None:  # type: ignore[no-untyped-def]
    read = {item["text"]: item["intent"]["name"] for item in parse(MISREAD)}
    assert read == {text: "report_problem" for text in MISREAD}


def test_every_note_in_the_data_stays_a_note(parse) -> None:  # type: ignore[no-untyped-def]
    notes = [example.text for path in sorted((ROOT / "data/nlu").glob("*/*.yml"))
             + sorted((ROOT / "tests/nlu").glob("*/heldout.yml"))
             for example in load_examples(path) if example.intent == "add_to_report"]
    assert len(notes) > 100
    taken = [item["text"] for item in parse(notes) if item["intent"]["name"] == "report_problem"
             and (item.get("intent_ranking") or [{}, {}])[1].get("name") == "add_to_report"]
    assert taken == []
