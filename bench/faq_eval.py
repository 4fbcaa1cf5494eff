"""FAQ retrieval benchmark: does a paraphrased question find its entry, in each language, and
how often is a question the FAQ cannot answer answered anyway?

Run: `python -m bench.faq_eval [--heldout PATH] [--faq PATH] [--threshold X] [--json out.json]`
(`make bench-faq`).

The held-out file (tests/faq/heldout.yml) was written before retrieval was tuned and is never
copied into content/faq.yml, so the figures measure generalisation. The seed FAQ is loaded
into a fresh, migrated SQLite database in a temp dir, and each question is decided by the
bot's own rule (bot.faq_log: answer outright, offer suggestions, or say it is not sure).
Per language, for the paraphrases:
- top-1: the best entry is the expected topic (whatever its score);
- answered: answered outright with the expected topic (what the citizen gets at once);
- wrong: answered outright with another topic (a confident wrong answer);
- offered: the expected topic is among the suggestions (one tap away);
and for questions no entry answers (unrelated ones, and near misses that share words with
an entry): how many were answered outright (should be 0) and how many drew suggestions (the
citizen can say "none of these").
"""
from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

DEFAULT_HELDOUT = Path("tests/faq/heldout.yml")
LANGUAGES = ("en", "es", "pt", "nl")
UNANSWERABLE = ("out_of_scope", "near_miss")


@dataclass
class LanguageFigures:
    """One row of the table."""

    language: str
    questions: int
    top1: float
    answered: float
    wrong_confident: float
    offered: float
    unanswerable: Dict[str, Dict[str, float]] = field(default_factory=dict)
    misses: List[str] = field(default_factory=list)


def load_heldout(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"paraphrases": data.get("paraphrases") or {},
            **{kind: data.get(kind) or {} for kind in UNANSWERABLE}}


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


def decide(session: Any, question: str, language: str) -> Dict[str, Any]:
    """What the bot does with a question, by its own rule (bot.faq_log.decide): the entry it
    answers with (or None), the entries it offers, and its best guess with the score."""
    from bot.faq_log import decide as bot_decides

    decision = bot_decides(session, question, language)
    best = decision.best
    return {"answer": best.topic if decision.answered and best else None,
            "offered": [item.topic for item in decision.suggestions],
            "best": f"{best.topic} {best.score:.2f}" if best else "nothing"}


def evaluate_language(url: str, language: str, heldout: Dict[str, Any]) -> LanguageFigures:
    from bot.db import session_scope

    paraphrases = heldout["paraphrases"].get(language) or []
    top1 = answered = wrong = offered = 0
    misses: List[str] = []
    unanswerable: Dict[str, Dict[str, float]] = {}
    with session_scope(url) as session:
        for item in paraphrases:
            decision = decide(session, item["q"], language)
            top1 += decision["best"].split()[0] == item["topic"]
            answered += decision["answer"] == item["topic"]
            wrong += decision["answer"] not in (None, item["topic"])
            offered += item["topic"] in decision["offered"]
            if decision["answer"] != item["topic"]:
                misses.append(f"{item['q']!r}: want {item['topic']}, answered "
                              f"{decision['answer']}, offered {decision['offered']}, "
                              f"best {decision['best']}")
        for kind in UNANSWERABLE:
            questions = heldout[kind].get(language) or []
            said = suggested = 0
            for question in questions:
                decision = decide(session, question, language)
                said += decision["answer"] is not None
                suggested += bool(decision["offered"])
                if decision["answer"] is not None:
                    misses.append(f"{kind} {question!r} answered by {decision['best']}")
            unanswerable[kind] = {"n": len(questions),
                                  "answered": said / max(len(questions), 1),
                                  "offered": suggested / max(len(questions), 1)}
    total = max(len(paraphrases), 1)
    return LanguageFigures(language=language, questions=len(paraphrases), top1=top1 / total,
                           answered=answered / total, wrong_confident=wrong / total,
                           offered=offered / total, unanswerable=unanswerable, misses=misses)


def table(rows: List[LanguageFigures], threshold: float) -> str:
    from bot.settings import get_settings

    settings = get_settings()
    lines = [f"FAQ retrieval: answer from {threshold} with a lead of "
             f"{settings.faq_answer_margin}; suggest from {settings.faq_suggest_min_score}",
             f"{'':<5}{'paraphrases':^44}|{'out of scope':^18}|{'near miss':^18}",
             f"{'lang':<5}{'n':>4}{'top-1':>8}{'answered':>10}{'wrong':>8}{'offered':>10}    |"
             + f"{'n':>4}{'answered':>9}{'offered':>8}" * 2]
    for row in rows:
        line = (f"{row.language:<5}{row.questions:>4}{row.top1:>8.1%}{row.answered:>10.1%}"
                f"{row.wrong_confident:>8.1%}{row.offered:>10.1%}    |")
        for kind in UNANSWERABLE:
            figures = row.unanswerable[kind]
            line += f"{figures['n']:>4}{figures['answered']:>9.1%}{figures['offered']:>8.1%}"
        lines.append(line)
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
    if args.threshold is not None:
        get_settings().faq_min_score = args.threshold
    threshold = get_settings().faq_min_score
    heldout = load_heldout(args.heldout)
    with tempfile.TemporaryDirectory(prefix="faq-bench-") as folder:
        url = seeded_database(Path(folder), args.faq)
        rows = [evaluate_language(url, language, heldout) for language in LANGUAGES]
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
