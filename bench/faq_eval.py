"""FAQ retrieval benchmark: does a paraphrased question find its entry, in each language, and
how often is an unrelated question answered anyway?

Run: `python -m bench.faq_eval [--heldout PATH] [--faq PATH] [--threshold X] [--json out.json]`
(`make bench-faq`).

The held-out file (tests/faq/heldout.yml) was written before retrieval was tuned and is never
copied into content/faq.yml, so the figures measure generalisation. The seed FAQ is loaded
into a fresh, migrated SQLite database in a temp dir and asked through bot.faq.find_answer,
the same function the bot uses. Per language:
- top-1: the best entry is the expected topic (whatever its score);
- answered: top-1 AND the score reaches the threshold (what the citizen actually gets);
- wrong: a different topic above the threshold (a confident wrong answer);
- out-of-scope answered: an unrelated question scored above the threshold (should be 0).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

DEFAULT_HELDOUT = Path("tests/faq/heldout.yml")
LANGUAGES = ("en", "es", "pt", "nl")


@dataclass
class LanguageFigures:
    """One row of the table."""

    language: str
    questions: int
    top1: float
    answered: float
    wrong_confident: float
    out_of_scope: int
    out_of_scope_answered: float
    misses: List[str]


def load_heldout(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"paraphrases": data.get("paraphrases") or {}, "out_of_scope": data.get("out_of_scope") or {}}


def seeded_database(folder: Path, faq_file: Optional[Path]) -> str:
    """A migrated SQLite database holding exactly the seed FAQ, published."""
    from bot.db import session_scope
    from bot.faq import seed_faq
    from bot.schema import migrate

    url = f"sqlite:///{folder / 'faq_bench.db'}"
    migrate(url)
    with session_scope(url) as session:
        seed_faq(session, faq_file)
    return url


def evaluate_language(url: str, language: str, paraphrases: List[Dict[str, str]],
                      unrelated: List[str], threshold: float) -> LanguageFigures:
    from bot.db import session_scope
    from bot.faq import find_answer

    top1 = answered = wrong = 0
    misses: List[str] = []
    with session_scope(url) as session:
        for item in paraphrases:
            match = find_answer(session, item["q"], language)
            right = match is not None and match.topic == item["topic"]
            confident = match is not None and match.score >= threshold
            top1 += right
            answered += right and confident
            wrong += (not right) and confident
            if not (right and confident):
                got = f"{match.topic} {match.score:.2f}" if match else "nothing"
                misses.append(f"{item['q']!r}: want {item['topic']}, got {got}")
        false_answers = 0
        for question in unrelated:
            match = find_answer(session, question, language)
            if match is not None and match.score >= threshold:
                false_answers += 1
                misses.append(f"out of scope {question!r} answered by {match.topic} {match.score:.2f}")
    total = max(len(paraphrases), 1)
    return LanguageFigures(language=language, questions=len(paraphrases), top1=top1 / total,
                           answered=answered / total, wrong_confident=wrong / total,
                           out_of_scope=len(unrelated),
                           out_of_scope_answered=false_answers / max(len(unrelated), 1),
                           misses=misses)


def table(rows: List[LanguageFigures], threshold: float) -> str:
    lines = [f"FAQ retrieval, threshold faq_min_score = {threshold}",
             f"{'lang':<5}{'n':>4}{'top-1':>8}{'answered':>10}{'wrong>=thr':>12}"
             f"{'oos n':>7}{'oos answered':>14}"]
    for row in rows:
        lines.append(f"{row.language:<5}{row.questions:>4}{row.top1:>8.1%}{row.answered:>10.1%}"
                     f"{row.wrong_confident:>12.1%}{row.out_of_scope:>7}"
                     f"{row.out_of_scope_answered:>14.1%}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--faq", type=Path, default=None, help="seed FAQ (default: settings)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="score threshold (default: settings.faq_min_score)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    threshold = get_settings().faq_min_score if args.threshold is None else args.threshold
    heldout = load_heldout(args.heldout)
    with tempfile.TemporaryDirectory(prefix="faq-bench-") as folder:
        url = seeded_database(Path(folder), args.faq)
        rows = [evaluate_language(url, language, heldout["paraphrases"].get(language) or [],
                                  heldout["out_of_scope"].get(language) or [], threshold)
                for language in LANGUAGES]
        from bot.db import reset_engine
        reset_engine()
    print(table(rows, threshold))
    if args.misses:
        for row in rows:
            print(f"\n[{row.language}] misses:\n  " + "\n  ".join(row.misses or ["none"]))
    if args.json:
        args.json.write_text(json.dumps({"threshold": threshold,
                                         "languages": [asdict(row) for row in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
