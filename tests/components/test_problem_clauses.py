"""components.problem_clauses: two problems in one message are told apart clause by clause,
with a ranking given in the test (the trained model's own reading is in
tests/rasa/test_two_problems.py)."""
from __future__ import annotations

from typing import Dict, List, Tuple

import pytest

from components.problem_clauses import clauses, second_problem, with_second_problem

NOT_SPECIFIC = ("__none__", "other")
# What a classifier would say of each clause, and of the whole message.
READINGS: Dict[str, List[Tuple[str, float]]] = {
    "there's a pothole on Mill Lane": [("pothole", 0.96), ("sidewalk", 0.02)],
    "the streetlight next to it is out too": [("streetlight", 0.97), ("pothole", 0.01)],
    "it has been there for weeks": [("__none__", 0.8), ("pothole", 0.1)],
    "the hole is getting bigger": [("pothole", 0.9), ("sidewalk", 0.05)],
    "someone dumped a sofa": [("illegal_dumping", 0.6), ("litter", 0.3)],
    "the bench is broken": [("other", 0.9), ("park_maintenance", 0.05)],
}


def reader(whole: Dict[str, float]):  # type: ignore[no-untyped-def]
    calls: List[str] = []

    def rank(text: str) -> List[Tuple[str, float]]:
        calls.append(text)
        if text in READINGS:
            return READINGS[text]
        return sorted(whole.items(), key=lambda item: -item[1])
    rank.calls = calls  # type: ignore[attr-defined]
    return rank


WHOLE = {"streetlight": 0.64, "pothole": 0.29, "noise": 0.01}
BOTH = reader(WHOLE)
RANKED = sorted(WHOLE.items(), key=lambda item: -item[1])  # the whole message's ranking


@pytest.mark.parametrize("text, language, parts", [
    ("there's a pothole on Mill Lane and the streetlight next to it is out too", "en",
     ["there's a pothole on Mill Lane", "the streetlight next to it is out too"]),
    ("Light out on Oak Road. Also someone dumped a sofa", "en",
     ["Light out on Oak Road", "someone dumped a sofa"]),
    ("hay un bache en la calle Mayor y la farola está apagada", "es",
     ["hay un bache en la calle Mayor", "la farola está apagada"]),
    ("er is een gat in de weg en de lantaarnpaal is kapot", "nl",
     ["er is een gat in de weg", "de lantaarnpaal is kapot"]),
    ("o semáforo está avariado e também há um carro abandonado", "pt",
     ["o semáforo está avariado", "há um carro abandonado"]),
    # one word is no clause ("on and off"), and a comma before a number is not a new problem
    ("the light goes on and off", "en", ["the light goes on"]),
])
def test_a_message_is_cut_where_a_clause_may_start(text: str, language: str,
                                                    parts: List[str]) -> None:
    found = clauses(text, language)
    assert [part.text for part in found] == parts
    assert all(text[part.start:part.end] == part.text for part in found)


def test_the_words_that_join_are_the_messages_own_language() -> None:
    """"en" is Dutch "and" but Spanish "in": a Spanish message is not cut there."""
    assert len(clauses("hay un coche abandonado en la acera", "es")) == 1
    assert len(clauses("er staat een auto en de stoep is kapot", "nl")) == 2


def test_two_clauses_sure_of_two_services_make_a_second_problem() -> None:
    text = "there's a pothole on Mill Lane and the streetlight next to it is out too"
    (first, confidence), second = second_problem(text, "en", BOTH, RANKED, NOT_SPECIFIC)
    assert (first, confidence) == ("pothole", 0.96)
    assert (second.service, second.text) == ("streetlight", "the streetlight next to it is out too")
    assert text[second.start:second.end] == second.text


def test_the_second_problems_words_run_to_the_end_of_the_message() -> None:
    text = "there's a pothole on Mill Lane, the streetlight next to it is out too, it has been there for weeks"
    _, second = second_problem(text, "en", BOTH, RANKED, NOT_SPECIFIC)
    assert second.text == "the streetlight next to it is out too, it has been there for weeks"


@pytest.mark.parametrize("text", [
    "there's a pothole on Mill Lane and it has been there for weeks",  # names nothing else
    "there's a pothole on Mill Lane and the hole is getting bigger",  # the same service
    "there's a pothole on Mill Lane and someone dumped a sofa",  # a clause the model is unsure of
    "there's a pothole on Mill Lane and the bench is broken",  # a vague type is no problem of its own
    "there's a pothole on Mill Lane",
])
def test_one_problem_stays_one(text: str) -> None:
    assert second_problem(text, "en", BOTH, RANKED, NOT_SPECIFIC) is None


def test_a_service_the_whole_message_gives_no_chance_is_not_a_second_problem() -> None:
    """"a branch fell off a tree and is blocking the path": each part alone reads as a
    service, the message as one problem."""
    whole = [("pothole", 0.99), ("streetlight", 0.005)]
    text = "there's a pothole on Mill Lane and the streetlight next to it is out too"
    assert second_problem(text, "en", reader(dict(whole)), whole, NOT_SPECIFIC) is None


def entity(value: str = "streetlight") -> dict:
    return {"entity": "category", "value": value, "start": 0, "end": 70,
            "confidence_entity": 0.64, "extractor": "CategoryClassifier",
            "alternatives": [{"value": "pothole", "confidence": 0.29},
                             {"value": "noise", "confidence": 0.01}]}


def test_the_entity_names_the_first_problem_and_holds_the_second() -> None:
    text = "there's a pothole on Mill Lane and the streetlight next to it is out too"
    marked = with_second_problem(entity(), text, BOTH, RANKED, NOT_SPECIFIC)
    assert (marked["value"], marked["confidence_entity"]) == ("pothole", 0.96)
    assert [item["value"] for item in marked["alternatives"]] == ["noise"]
    assert marked["also"] == {"value": "streetlight", "confidence": 0.97,
                              "text": "the streetlight next to it is out too",
                              "start": 35, "end": 72}


def test_a_message_with_no_second_clause_is_not_ranked_again() -> None:
    rank = reader({"pothole": 0.9})
    assert with_second_problem(entity("pothole"), "pothole outside number 4", rank,
                               [("pothole", 0.9)], NOT_SPECIFIC) == entity("pothole")
    assert rank.calls == []  # type: ignore[attr-defined]
