"""Choose the NLU fallback threshold on a split of the training data, never on the held-out files.

    python -m bench.fallback_split [--config config.yml ...] [--seed 42] [--fraction 0.8]

Splits data/nlu (every language) into training and test parts stratified by intent (Rasa's own
train_test_split), trains an NLU-only model on the training part for each --config, parses the
test part, and prints, for each FallbackClassifier threshold, what the threshold would do with
the classifier's own answers: right answers kept, right answers sent to the fallback, wrong
answers caught by it and wrong answers let through (a citizen sent down the wrong path). The
ambiguity threshold stays the config's. Compare classifiers at the threshold each needs for
the same trade-off; only then look at the held-out files (`python -m bench.lang_eval --model`).
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bench.nlu_eval import parse_all, quiet_rasa_logs

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "nlu_fallback"
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(13)]  # 0.20 .. 0.80


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", action="append", type=Path,
                        help="a Rasa config to compare (repeatable; default config.yml)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fraction", type=float, default=0.8, help="share used for training")
    args = parser.parse_args(argv)
    args.config = args.config or [ROOT / "config.yml"]
    return args


def split_data(folder: Path, fraction: float, seed: int) -> Tuple[Path, List[Tuple[str, str]]]:
    """The training part as a file; the test part as (text, intent) pairs."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    train, test = data.train_test_split(train_frac=fraction, random_seed=seed)
    path = folder / "train.yml"
    path.write_text(train.nlu_as_yaml(), encoding="utf-8")
    return path, [(message.get("text"), message.get("intent")) for message in test.intent_examples]


def train_nlu(config: Path, nlu: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config),
                    "--nlu", str(nlu), "--domain", str(ROOT / "domain"), "--out", str(out),
                    "--fixed-model-name", "split"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return out / "split.tar.gz"


def classifier_answer(parse: Dict[str, Any]) -> Tuple[str, float, float]:
    """The classifier's own (intent, confidence, runner-up confidence), before the fallback."""
    ranking = [entry for entry in parse.get("intent_ranking") or [] if entry["name"] != FALLBACK]
    if not ranking:
        return "", 0.0, 0.0
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return ranking[0]["name"], float(ranking[0]["confidence"]), float(second)


def outcomes(answers: Sequence[Tuple[str, float, float]], gold: Sequence[str],
             threshold: float, ambiguity: float) -> Dict[str, int]:
    counts = {"right kept": 0, "right to fallback": 0, "wrong caught": 0, "wrong through": 0}
    for (intent, confidence, second), expected in zip(answers, gold):
        falls_back = confidence < threshold or confidence - second < ambiguity
        right = intent == expected
        key = ("right to fallback" if falls_back else "right kept") if right else \
              ("wrong caught" if falls_back else "wrong through")
        counts[key] += 1
    return counts


def fallback_settings(config: Path) -> Tuple[float, float]:
    """The config's FallbackClassifier (threshold, ambiguity_threshold)."""
    for component in yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def report(config: Path, answers: Sequence[Tuple[str, float, float]], gold: Sequence[str]) -> None:
    current, ambiguity = fallback_settings(config)
    print(f"\n{config} (ambiguity threshold {ambiguity}; the config's threshold marked *)")
    print(f"{'threshold':>10} {'right kept':>11} {'right->fb':>10} {'wrong caught':>13} "
          f"{'wrong through':>14} {'accuracy':>9}")
    for threshold in sorted(set(THRESHOLDS + [current])):
        counts = outcomes(answers, gold, threshold, ambiguity)
        mark = "*" if threshold == current else " "
        print(f"{threshold:>9.2f}{mark} {counts['right kept']:>11} {counts['right to fallback']:>10} "
              f"{counts['wrong caught']:>13} {counts['wrong through']:>14} "
              f"{counts['right kept'] / max(len(gold), 1):>9.3f}")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    quiet_rasa_logs()
    with tempfile.TemporaryDirectory(prefix="civic-fallback-split-") as scratch:
        train_path, test = split_data(Path(scratch), args.fraction, args.seed)
        texts, gold = [text for text, _ in test], [intent for _, intent in test]
        print(f"split seed {args.seed}: {len(test)} test messages, every language")
        for number, config in enumerate(args.config):
            model = train_nlu(config, train_path, Path(scratch) / f"model-{number}")
            parses = asyncio.run(parse_all(model, texts))
            report(config, [classifier_answer(parse) for parse in parses], gold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
