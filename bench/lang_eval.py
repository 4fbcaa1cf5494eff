"""Four-language benchmark: is the citizen's language detected, and understood, in each?

Run: `python -m bench.lang_eval [--model PATH] [--json out.json] [--no-nlu]` (`make bench-lang`).

1. Language detection on tests/lang/heldout_language.tsv (never tuned on), split short (at
   most SHORT_WORDS words) and long per language, for bot.language.detect_language on a
   conversation's first message (no hint, no current language: the hardest case) against plain
   langdetect, restricted to our languages and unrestricted, in the same run.
2. Intent and category macro-F1 per language on tests/nlu/<lang>/heldout.yml with the trained
   model, using bench.nlu_eval's functions so the figures compare with the English bench.
"""
from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

from bench.nlu_eval import (category_figures, intent_figures, latest_model, load_examples,
                            parse_all, quiet_rasa_logs)

DEFAULT_TSV = "tests/lang/heldout_language.tsv"
NLU_HELDOUT = "tests/nlu/{language}/heldout.yml"
LANGUAGES = ("en", "es", "pt", "nl")
SHORT_WORDS = 3
UNKNOWN = "??"


def load_language_examples(path: Path) -> List[Tuple[Text, Text]]:
    """(expected code, message) rows; lines starting with # are comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, text = line.split("\t", 1)
        rows.append((code.strip(), text.strip()))
    return rows


def detectors() -> Dict[Text, Callable[[Text], Text]]:
    """The methods compared, by name; each returns a language code (or UNKNOWN)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    from bot.language import _detect, detect_language

    DetectorFactory.seed = 0  # plain langdetect is random unless seeded

    def unrestricted(text: Text) -> Text:
        try:
            return detect(text)
        except LangDetectException:
            return UNKNOWN

    def restricted(text: Text) -> Text:
        probabilities = _detect(text, LANGUAGES)
        return max(probabilities, key=probabilities.__getitem__) if probabilities else UNKNOWN

    return {
        "ours (first message)": lambda text: detect_language(text, hint=None, current=None),
        "langdetect restricted": restricted,
        "langdetect unrestricted": unrestricted,
    }


def detection_figures(rows: Sequence[Tuple[Text, Text]]) -> Dict[Text, Any]:
    """Accuracy per method, language and length bucket, plus the overall figures."""
    figures: Dict[Text, Any] = {}
    for name, detect in detectors().items():
        cells: Dict[Text, List[int]] = {}
        for code, text in rows:
            bucket = "short" if len(text.split()) <= SHORT_WORDS else "long"
            right = int(detect(text) == code)
            for key in (f"{code}/{bucket}", f"{code}/all", f"all/{bucket}", "all/all"):
                tally = cells.setdefault(key, [0, 0])
                tally[0] += right
                tally[1] += 1
        figures[name] = {key: {"accuracy": round(r / n, 3), "n": n}
                         for key, (r, n) in sorted(cells.items())}
    return figures


def nlu_figures(model: Path, languages: Sequence[Text]) -> Dict[Text, Any]:
    """Intent and category figures per language; the model is loaded once for all files."""
    sets = {language: load_examples(Path(NLU_HELDOUT.format(language=language)))
            for language in languages
            if Path(NLU_HELDOUT.format(language=language)).exists()}
    texts = [example.text for examples in sets.values() for example in examples]
    parses = asyncio.run(parse_all(model, texts))
    figures: Dict[Text, Any] = {}
    start = 0
    for language, examples in sets.items():
        chunk = parses[start:start + len(examples)]
        start += len(examples)
        figures[language] = {"intent": intent_figures(examples, chunk),
                             "category": category_figures(examples, chunk)}
    return figures


def format_report(detection: Dict[Text, Any], nlu: Optional[Dict[Text, Any]]) -> Text:
    """Readable tables: detection accuracy by method, then NLU quality by language."""
    columns = [f"{code}/{bucket}" for code in LANGUAGES + ("all",) for bucket in ("short", "long")]
    lines = ["LANGUAGE DETECTION accuracy (short = at most %d words)" % SHORT_WORDS,
             f"{'method':<26}" + "".join(f"{c:>10}" for c in columns) + f"{'all':>8}"]
    for name, cells in detection.items():
        row = "".join(f"{cells.get(c, {}).get('accuracy', 0):>10.3f}" for c in columns)
        lines.append(f"{name:<26}{row}{cells['all/all']['accuracy']:>8.3f}")
    counts = next(iter(detection.values()))
    lines.append(f"{'n':<26}" + "".join(f"{counts.get(c, {}).get('n', 0):>10}" for c in columns))
    if nlu:
        lines += ["", "NLU on tests/nlu/<lang>/heldout.yml",
                  f"{'lang':<6}{'n':>5}{'intent F1':>11}{'intent acc':>12}{'fallback':>10}"
                  f"{'category F1':>13}{'category acc':>14}"]
        for language, figures in nlu.items():
            i, c = figures["intent"], figures["category"]
            lines.append(f"{language:<6}{i['n']:>5}{i['macro_f1']:>11.3f}{i['accuracy']:>12.3f}"
                         f"{i['fallback_rate']:>10.3f}{c['macro_f1'] or 0:>13.3f}"
                         f"{c['accuracy'] or 0:>14.3f}")
        for language, figures in nlu.items():
            mistakes = "; ".join(f"{g}->{p} x{n}" for g, p, n in figures["intent"]["confusions"][:6])
            lines.append(f"{language} intent confusions: {mistakes or 'none'}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[Text]] = None) -> int:
    """CLI entry point; prints the tables and optionally writes every figure as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="packed model; default: newest in models/")
    parser.add_argument("--tsv", type=Path, default=Path(DEFAULT_TSV))
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--no-nlu", action="store_true", help="language detection only")
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    args = parser.parse_args(argv)
    detection = detection_figures(load_language_examples(args.tsv))
    nlu = None
    if not args.no_nlu:
        quiet_rasa_logs()
        nlu = nlu_figures(args.model or latest_model(Path("models")), args.languages)
    print(format_report(detection, nlu))
    if args.json:
        args.json.write_text(json.dumps({"detection": detection, "nlu": nlu}, indent=2,
                                        ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
