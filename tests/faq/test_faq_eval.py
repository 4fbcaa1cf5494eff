"""The FAQ benchmark (bench.faq_eval) run on the held-out questions, as a floor under what
citizens get: the bot's own rule (answer, offer, or say it is not sure) on paraphrases it
never saw, on unrelated questions, and on near misses that share words with an entry. The
floors sit under the figures of 2026-11-28 (docs/faq.md); retrieval is deterministic, so a
drop means a change to the content, the rule or its settings made answers worse."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import faq_eval

REACH_FLOOR = 0.80        # the right entry answered, or offered one tap away
WRONG_CEILING = 0.10      # a paraphrase answered outright with another entry
OUT_OF_SCOPE_CEILING = 0.10
NEAR_MISS_CEILING = 0.35  # a question no entry answers, answered outright anyway


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("faq-eval") / "figures.json"
    assert faq_eval.main(["--json", str(out)]) == 0
    return {row["language"]: row for row in json.loads(out.read_text())["languages"]}


def test_every_language_is_measured_on_every_kind_of_question(figures: dict) -> None:
    assert sorted(figures) == sorted(faq_eval.LANGUAGES)
    for row in figures.values():
        assert row["questions"] >= 30
        assert row["unanswerable"]["out_of_scope"]["n"] >= 15
        assert row["unanswerable"]["near_miss"]["n"] >= 15


@pytest.mark.parametrize("language", faq_eval.LANGUAGES)
def test_paraphrases_reach_their_answer(figures: dict, language: str) -> None:
    row = figures[language]
    assert row["answered"] + row["offered"] >= REACH_FLOOR, row["misses"]
    assert row["wrong_confident"] <= WRONG_CEILING, row["misses"]


@pytest.mark.parametrize("language", faq_eval.LANGUAGES)
def test_questions_the_faq_cannot_answer_are_rarely_answered(figures: dict,
                                                             language: str) -> None:
    unanswerable = figures[language]["unanswerable"]
    assert unanswerable["out_of_scope"]["answered"] <= OUT_OF_SCOPE_CEILING
    assert unanswerable["near_miss"]["answered"] <= NEAR_MISS_CEILING, \
        figures[language]["misses"]


def test_the_heldout_questions_are_not_in_the_seed_faq() -> None:
    """Held out means never trained on: no held-out question is an example of an entry."""
    import yaml

    root = Path(__file__).resolve().parents[2]
    seed = yaml.safe_load((root / "content" / "faq.yml").read_text(encoding="utf-8"))
    examples = {text.strip().lower() for item in seed["entries"]
                for texts in item["questions"].values() for text in texts}
    heldout = faq_eval.load_heldout(faq_eval.DEFAULT_HELDOUT)
    asked = [item["q"] for items in heldout["paraphrases"].values() for item in items]
    asked += [q for kind in faq_eval.UNANSWERABLE for items in heldout[kind].values()
              for q in items]
    assert not [q for q in asked if q.strip().lower() in examples]
