"""Which held-out messages two trained models read differently, one by one.

Run: `python -m bench.model_diff OLD.tar.gz NEW.tar.gz [--json out.json]` (`make bench-diff
OLD=... NEW=...`).

A change to the training data, or a new intent in the rules, retrains the intent model, and
about one held-out message in twelve then changes reading, whatever the change was about.
Totals (bench.lang_eval) hide that: 25 messages put right and 15 put wrong look like a gain
of 10, while a citizen's report now read as a status check is lost. This parses
every held-out message of the four languages with both models and lists each message whose
intent or category changed, marked right->wrong or wrong->right, with counts per language.
"""
from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

from bench.lang_eval import LANGUAGES, NLU_HELDOUT
from bench.nlu_eval import Example, load_examples, parse_all, quiet_rasa_logs

FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Reading:
    """What a model made of one message: its intent and the category entity, if any."""

    intent: Text
    category: Optional[Text]


@dataclass(frozen=True)
class Change:
    """One held-out message read differently by the two models."""

    language: Text
    text: Text
    expected: Text
    before: Reading
    after: Reading

    @property
    def verdict(self) -> Text:
        """right->wrong, wrong->right, or the same verdict with a different reading."""
        was, now = self.before.intent == self.expected, self.after.intent == self.expected
        if was == now:
            return "still right" if was else "still wrong"
        return "wrong->right" if now else "right->wrong"


def reading(parsed: Dict[Text, Any]) -> Reading:
    category = next((entity.get("value") for entity in parsed.get("entities") or []
                     if entity.get("entity") == "category"), None)
    return Reading((parsed.get("intent") or {}).get("name") or FALLBACK, category)


def held_out(languages: Sequence[Text]) -> Dict[Text, List[Example]]:
    return {language: load_examples(Path(NLU_HELDOUT.format(language=language)))
            for language in languages if Path(NLU_HELDOUT.format(language=language)).exists()}


def changes(before: Path, after: Path, languages: Sequence[Text]) -> List[Change]:
    """Every held-out message whose intent or category differs between the two models."""
    sets = held_out(languages)
    texts = [example.text for examples in sets.values() for example in examples]
    first = [reading(item) for item in asyncio.run(parse_all(before, texts))]
    second = [reading(item) for item in asyncio.run(parse_all(after, texts))]
    labelled = [(language, example) for language, examples in sets.items()
                for example in examples]
    return [Change(language, example.text, example.intent, old, new)
            for (language, example), old, new in zip(labelled, first, second) if old != new]


def format_report(found: List[Change], total: int) -> Text:
    counts = Counter((change.language, change.verdict) for change in found)
    lines = [f"{len(found)} of {total} held-out messages read differently"]
    for language in sorted({change.language for change in found}):
        summary = ", ".join(f"{verdict} {counts[(language, verdict)]}" for verdict in
                            ("wrong->right", "right->wrong", "still wrong", "still right")
                            if counts[(language, verdict)])
        lines.append(f"  {language}: {summary}")
    for change in sorted(found, key=lambda item: (item.verdict, item.language)):
        lines.append(f"[{change.verdict}] {change.language} ({change.expected}) {change.text!r}: "
                     f"{change.before.intent}/{change.before.category} -> "
                     f"{change.after.intent}/{change.after.category}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="packed model, e.g. the one main ships")
    parser.add_argument("after", type=Path, help="packed model trained with the change")
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--json", type=Path, help="write the changes to this file")
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    found = changes(args.before, args.after, args.languages)
    total = sum(len(examples) for examples in held_out(args.languages).values())
    print(format_report(found, total))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(change), "verdict": change.verdict}
                                         for change in found], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
