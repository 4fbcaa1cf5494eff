"""Two problems in the message that opens a report are both found by the trained model.

"There's a pothole on Mill Lane and the streetlight next to it is out too" was one report,
of the streetlight (the classifier's guess for the whole message, 0.64), and the pothole was
lost. components.problem_clauses ranks each clause on its own; the report form then reports
the problem named first and holds the other for straight after (actions.next_problem).

The two-problem messages below were written for this test, in the four languages, and the
thresholds (components.problem_clauses.CLAUSE_SURE, WHOLE_MESSAGE_CHANCE) were set on them,
so they are a floor that a retrain must keep, not a measure of unseen messages. The one-
problem side is measured on the held-out report examples, which were not used for that.
Shares rather than every message: one retrain may move a borderline clause.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bench.nlu_eval import load_examples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

TWO_PROBLEMS: List[Tuple[str, str, str]] = [
    ("there's a pothole on Mill Lane and the streetlight next to it is out too",
     "pothole", "streetlight"),
    ("the bins weren't collected and there's graffiti on the wall of the school",
     "missed_collection", "graffiti"),
    ("Streetlight out on Oak Road. Also someone has dumped a mattress by the gate",
     "streetlight", "illegal_dumping"),
    ("the traffic lights at the junction are stuck on red, and there's a huge pothole just "
     "before them", "traffic_signal", "pothole"),
    ("my bin wasn't emptied this week plus the street light outside is flickering",
     "missed_collection", "streetlight"),
    ("there's dog poo all over the park and the swings are broken", "litter",
     "park_maintenance"),
    ("loud music every night from number 4 and they leave rubbish bags on the pavement",
     "noise", "litter"),
    ("an abandoned car has been on our street for a month; the pavement next to it is "
     "cracked too", "abandoned_vehicle", "sidewalk"),
    ("hay un bache en la calle Mayor y la farola está apagada", "pothole", "streetlight"),
    ("no han recogido la basura y hay pintadas en la pared del colegio",
     "missed_collection", "graffiti"),
    ("la farola de mi calle no funciona. Además hay un coche abandonado desde hace semanas",
     "streetlight", "abandoned_vehicle"),
    ("hay un bache enorme en la avenida y también el semáforo no funciona", "pothole",
     "traffic_signal"),
    ("há um buraco na rua e o candeeiro está apagado", "pothole", "streetlight"),
    ("não recolheram o lixo e há grafitis na parede da escola", "missed_collection",
     "graffiti"),
    ("o semáforo está avariado e também há um carro abandonado na esquina",
     "traffic_signal", "abandoned_vehicle"),
    ("er is een gat in de weg en de lantaarnpaal is kapot", "pothole", "streetlight"),
    ("het afval is niet opgehaald en er staat graffiti op de muur van de school",
     "missed_collection", "graffiti"),
    ("de straatlantaarn doet het niet. Ook staat er al weken een verlaten auto",
     "streetlight", "abandoned_vehicle"),
]
# On the model of the commit that added this test: 17 of 18 found (DIET reads the Portuguese
# "... e também há um carro abandonado" as add_to_report, which is not split), and 1 of the
# 202 held-out one-problem reports split ("the pavement has sunk and there's a big dip full
# of water": a sunken pavement and standing water).
MIN_FOUND = 16
MAX_SPLIT_HELD_OUT = 2


def category(parsed: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    return next((entity for entity in parsed["entities"] if entity["entity"] == "category"),
                None)


def read_as(parsed: Dict[str, Any]) -> Tuple[Any, Any]:
    entity = category(parsed) or {}
    return entity.get("value"), (entity.get("also") or {}).get("value")


def test_both_problems_are_found_the_first_named_first(parse) -> None:  # type: ignore[no-untyped-def]
    parsed = parse([text for text, _, _ in TWO_PROBLEMS])
    found = {text: read_as(item) for (text, _, _), item in zip(TWO_PROBLEMS, parsed)}
    right = [text for text, first, second in TWO_PROBLEMS if found[text] == (first, second)]
    assert len(right) >= MIN_FOUND, found
    for (text, _, _), item in zip(TWO_PROBLEMS, parsed):
        also = (category(item) or {}).get("also")
        if also:  # the second problem's words are the message's own, from its clause on
            assert text[also["start"]:also["end"]] == also["text"] and also["end"] == len(text)


def test_one_problem_reported_in_many_words_stays_one(parse) -> None:  # type: ignore[no-untyped-def]
    held_out = [example.text for path in sorted((ROOT / "tests/nlu").glob("*/heldout.yml"))
                for example in load_examples(path) if example.intent == "report_problem"]
    split = [item["text"] for item in parse(held_out) if read_as(item)[1] is not None]
    assert len(split) <= MAX_SPLIT_HELD_OUT, split
