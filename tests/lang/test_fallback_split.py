"""bench/fallback_split.py's bookkeeping: what a fallback threshold does with a classifier's
own answers (the tool chose the threshold, so its counting must be right)."""
from __future__ import annotations

from bench.fallback_split import classifier_answer, outcomes


def test_the_classifier_s_answer_is_read_from_under_the_fallback() -> None:
    parse = {"intent": {"name": "nlu_fallback", "confidence": 0.6},
             "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.6},
                                {"name": "greet", "confidence": 0.45},
                                {"name": "goodbye", "confidence": 0.40}]}
    assert classifier_answer(parse) == ("greet", 0.45, 0.40)
    assert classifier_answer({"intent_ranking": []}) == ("", 0.0, 0.0)


def test_each_answer_lands_in_one_of_the_four_outcomes() -> None:
    answers = [("greet", 0.9, 0.05),    # right, confident: kept
               ("greet", 0.3, 0.05),    # right, below the threshold: sent to the fallback
               ("greet", 0.9, 0.85),    # right, but ambiguous: sent to the fallback
               ("thank", 0.3, 0.1),     # wrong, below the threshold: caught
               ("thank", 0.9, 0.05)]    # wrong, confident: let through
    gold = ["greet", "greet", "greet", "greet", "greet"]
    assert outcomes(answers, gold, threshold=0.6, ambiguity=0.1) == {
        "right kept": 1, "right to fallback": 2, "wrong caught": 1, "wrong through": 1}
