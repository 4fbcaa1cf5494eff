"""Held-out NLU benchmark: how well does a trained model understand real citizens?

Run: `python -m bench.nlu_eval [--model PATH] [--data tests/nlu/en/heldout.yml] [--json out.json]`.
Parses every held-out example with the trained model (NLU-only or full model) and reports
intent and category quality plus the two failure modes that hurt citizens most: a category
attached to a message that is not a report, and chit-chat understood as a report (which
would open a case). The held-out file is never trained on; do not tune on it either.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

NONE = "__none__"
REPORT_INTENT = "report_problem"
OOS_INTENT = "out_of_scope"
DEFAULT_DATA = "tests/nlu/en/heldout.yml"


@dataclass
class Example:
    """One held-out message with its gold labels."""

    text: Text
    intent: Text
    category: Optional[Text]
    entities: List[Dict[Text, Any]] = field(default_factory=list)


def load_examples(path: Path) -> List[Example]:
    """Reads a Rasa NLU YAML file; the category is the intent block's metadata."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        block = (message.get("metadata") or {}).get("intent") or {}
        category = block.get("category") if isinstance(block, dict) else None
        examples.append(
            Example(
                message.get("text"), message.get("intent"), category, message.get("entities") or []
            )
        )
    return examples


async def parse_all(model_path: Path, texts: Sequence[Text]) -> List[Dict[Text, Any]]:
    """Loads the model once and parses each text exactly as the server would."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    return [await agent.parse_message(text) for text in texts]


def _comparable(text: Text) -> Text:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def drop_seen(examples: List[Example], training_path: Path) -> List[Example]:
    """Held-out messages whose text (case and punctuation aside) is not in the training data.

    Short canonical answers ("yes", "skip") are legitimately in both files; figures on the
    remainder show how much of the score comes from genuinely unseen wording.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    seen = {_comparable(m.get("text")) for m in load_data(str(training_path)).intent_examples}
    return [e for e in examples if _comparable(e.text) not in seen]


def predicted_category(parse: Dict[Text, Any]) -> Text:
    """The category entity's value, or the none label when no category was emitted."""
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "category":
            return str(entity.get("value"))
    return NONE


def top_confusions(gold: Sequence[Text], pred: Sequence[Text], limit: int = 12) -> List[List[Any]]:
    """Most frequent (gold, predicted, count) mistakes."""
    counts = Counter((g, p) for g, p in zip(gold, pred) if g != p)
    return [[g, p, n] for (g, p), n in counts.most_common(limit)]


def per_label(
    gold: Sequence[Text], pred: Sequence[Text], labels: Sequence[Text]
) -> Dict[Text, Dict[Text, float]]:
    """Precision/recall/F1/support per gold label."""
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(labels), zero_division=0)
    return {
        label: {
            "precision": round(float(p[i]), 3),
            "recall": round(float(r[i]), 3),
            "f1": round(float(f[i]), 3),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }


def entity_recall(
    examples: Sequence[Example], parses: Sequence[Dict[Text, Any]]
) -> Dict[Text, List[int]]:
    """Per entity type: [found, annotated] for annotated (non-category) entity values."""
    result: Dict[Text, List[int]] = {}
    for example, parse in zip(examples, parses):
        found = {
            (e.get("entity"), str(e.get("value")).lower()) for e in parse.get("entities") or []
        }
        for gold in example.entities:
            tally = result.setdefault(gold["entity"], [0, 0])
            tally[1] += 1
            tally[0] += int((gold["entity"], str(gold["value"]).lower()) in found)
    return result


def intent_figures(
    examples: Sequence[Example], parses: Sequence[Dict[Text, Any]]
) -> Dict[Text, Any]:
    """Macro-F1 over the gold intents; nlu_fallback counts as a wrong answer."""
    gold = [e.intent for e in examples]
    pred = [(p.get("intent") or {}).get("name") or NONE for p in parses]
    labels = sorted(set(gold))
    oos = [p for g, p in zip(gold, pred) if g == OOS_INTENT]
    return {
        "n": len(gold),
        "accuracy": round(accuracy_score(gold, pred), 4),
        "macro_f1": round(f1_score(gold, pred, labels=labels, average="macro", zero_division=0), 4),
        "fallback_rate": round(pred.count("nlu_fallback") / max(len(pred), 1), 4),
        "oos_as_report_rate": round(oos.count(REPORT_INTENT) / max(len(oos), 1), 4),
        "oos_n": len(oos),
        "per_intent": per_label(gold, pred, labels),
        "confusions": top_confusions(gold, pred),
    }


def category_figures(
    examples: Sequence[Example], parses: Sequence[Dict[Text, Any]]
) -> Dict[Text, Any]:
    """Category quality on reports, on all labelled examples, and leakage elsewhere."""
    pairs = [(e, predicted_category(p)) for e, p in zip(examples, parses)]
    reports = [(e.category, c) for e, c in pairs if e.intent == REPORT_INTENT and e.category]
    labelled = [(e.category, c) for e, c in pairs if e.category]
    unlabelled = [c for e, c in pairs if not e.category]
    non_report = [
        c for e, c in pairs if not e.category and e.intent not in (REPORT_INTENT, "inform")
    ]
    gold = [g for g, _ in reports]
    pred = [p for _, p in reports]
    labels = sorted(set(gold))
    return {
        "n_reports": len(reports),
        "accuracy": round(accuracy_score(gold, pred), 4) if reports else None,
        "macro_f1": (
            round(f1_score(gold, pred, labels=labels, average="macro", zero_division=0), 4)
            if reports
            else None
        ),
        "coverage": round(sum(p != NONE for p in pred) / max(len(pred), 1), 4),
        "all_labelled_accuracy": round(sum(g == p for g, p in labelled) / max(len(labelled), 1), 4),
        "all_labelled_n": len(labelled),
        "leak_rate_unlabelled": round(
            sum(c != NONE for c in unlabelled) / max(len(unlabelled), 1), 4
        ),
        "leak_rate_non_report": round(
            sum(c != NONE for c in non_report) / max(len(non_report), 1), 4
        ),
        "non_report_n": len(non_report),
        "per_category": per_label(gold, pred, labels),
        "confusions": top_confusions(gold, pred),
    }


def _table(
    title: Text, rows: Dict[Text, Dict[Text, float]], confusions: List[List[Any]]
) -> List[Text]:
    """Per-label precision/recall/F1 table followed by the commonest confusions."""
    lines = [f"{title:<18}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}"]
    for name, row in rows.items():
        scores = f"{row['precision']:>6.2f}{row['recall']:>6.2f}{row['f1']:>6.2f}"
        lines.append(f"{name:<18}{scores}{row['support']:>5}")
    mistakes = "; ".join(f"{gold}->{pred} x{n}" for gold, pred, n in confusions)
    lines.append(f"{title} confusions (gold->predicted x n): {mistakes or 'none'}")
    return lines


def format_report(figures: Dict[Text, Any]) -> Text:
    """Human-readable summary for the terminal."""
    i, c = figures["intent"], figures["category"]
    entities = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(figures["entities"].items()))
    lines = [
        f"model: {figures['model']}",
        f"data:  {figures['data']} ({i['n']} messages)",
        f"INTENT   macro-F1 {i['macro_f1']:.3f}  accuracy {i['accuracy']:.3f}  "
        f"nlu_fallback {i['fallback_rate']:.3f}",
        f"         out_of_scope -> report_problem {i['oos_as_report_rate']:.3f} (of {i['oos_n']})",
        f"CATEGORY macro-F1 {c['macro_f1']:.3f}  accuracy {c['accuracy']:.3f}  "
        f"coverage {c['coverage']:.3f} (report_problem with a category, n={c['n_reports']})",
        f"         all labelled examples: accuracy {c['all_labelled_accuracy']:.3f} "
        f"(n={c['all_labelled_n']})",
        f"         category on unlabelled messages {c['leak_rate_unlabelled']:.3f}; "
        f"on non-report intents {c['leak_rate_non_report']:.3f} (n={c['non_report_n']})",
        f"ENTITIES {entities or 'none annotated'}",
        "",
    ]
    lines += _table("intent", i["per_intent"], i["confusions"]) + [""]
    lines += _table("category", c["per_category"], c["confusions"])
    return "\n".join(lines)


def latest_model(directory: Path) -> Path:
    """Newest packed model in `directory` (what `rasa train` just wrote)."""
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"no trained model in {directory}; run `rasa train` first or pass --model")
    return models[-1]


def evaluate(model: Path, data: Path, exclude_seen: Optional[Path] = None) -> Dict[Text, Any]:
    """All figures for one model on one NLU file (optionally without texts seen in training)."""
    examples = load_examples(data)
    if exclude_seen is not None:
        examples = drop_seen(examples, exclude_seen)
    parses = asyncio.run(parse_all(model, [e.text for e in examples]))
    return {
        "model": str(model),
        "data": str(data),
        "intent": intent_figures(examples, parses),
        "category": category_figures(examples, parses),
        "entities": entity_recall(examples, parses),
    }


def quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level through structlog; keep the report readable."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def main(argv: Optional[Sequence[Text]] = None) -> int:
    """CLI entry point; prints the summary and optionally writes the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, help="packed model (.tar.gz); default: newest in models/"
    )
    parser.add_argument("--data", type=Path, default=Path(DEFAULT_DATA))
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    parser.add_argument(
        "--exclude-seen",
        type=Path,
        metavar="NLU_DIR",
        help="skip held-out texts that also occur in this training data",
    )
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    figures = evaluate(args.model or latest_model(Path("models")), args.data, args.exclude_seen)
    print(format_report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
