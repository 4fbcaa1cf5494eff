"""bench.model_diff: each held-out message two models read differently is named with its
verdict, so a retrain's losses are seen one by one and not netted against its gains."""
from __future__ import annotations

from bench.model_diff import Change, Reading, format_report, reading


def change(expected: str, before: str, after: str, language: str = "en") -> Change:
    return Change(language, f"a {expected} message", expected, Reading(before, None),
                  Reading(after, None))


def test_the_verdict_follows_the_expected_intent() -> None:
    assert change("greet", "greet", "thank").verdict == "right->wrong"
    assert change("greet", "thank", "greet").verdict == "wrong->right"
    assert change("greet", "thank", "help").verdict == "still wrong"
    right_with_new_category = Change("en", "pothole", "report_problem",
                                     Reading("report_problem", None),
                                     Reading("report_problem", "pothole"))
    assert right_with_new_category.verdict == "still right"


def test_a_parse_is_read_as_intent_and_category() -> None:
    parsed = {"intent": {"name": "report_problem", "confidence": 0.9},
              "entities": [{"entity": "language", "value": "en"},
                           {"entity": "category", "value": "pothole"}]}
    assert reading(parsed) == Reading("report_problem", "pothole")
    assert reading({"intent": None, "entities": []}) == Reading("nlu_fallback", None)


def test_the_report_counts_per_language_and_lists_each_message() -> None:
    found = [change("greet", "greet", "thank"), change("help", "thank", "help", "es"),
             change("greet", "thank", "help", "es")]
    report = format_report(found, total=100).splitlines()
    assert report[0] == "3 of 100 held-out messages read differently"
    assert report[1:3] == ["  en: right->wrong 1", "  es: wrong->right 1, still wrong 1"]
    assert "[right->wrong] en (greet) 'a greet message': greet/None -> thank/None" in report
