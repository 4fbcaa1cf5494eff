"""Time NLU and the dialogue policies on real conversations, with Rasa fixes off and on.

    python -m bench.prediction [--citizens 20] [--journeys 2] [--rounds 5]

Runs a short load (bench.load's citizens, every channel) against `make run`'s assistant to get
real trackers, then, in this process, loads the same model and times, each with stock Rasa,
with one of components.rasa_fixes' fixes, and with stock Rasa again:
- Rasa's `predict_next_with_tracker` on each conversation, against the shared replay of the
  tracker (one replay for RulePolicy's and MemoizationPolicy's views, fix 8);
- `parse_message` on every message the citizens wrote, against sparse features joined
  without scipy's block builder (fix 9);
- one prediction and one parse per conversation, against the model graph run in a kept order
  instead of through dask (fix 10);
- `parse_message` on every message, against button payloads parsed without the pipeline
  (fix 11);
- the category classifier on every typed message, against its row for one text built
  directly.
CPU time of this process, best of --rounds, so each figure is a ratio measured in one run, as
every figure in bench/ is. The load bench cannot see changes this size through its noise.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List, Optional

from bench.load import Target, load_civic, parse_args as load_args
from bench.load_servers import stable_model_copy, start_civic
from components.rasa_fixes import graph_runner, past_states, slash_messages, sparse_joins


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--journeys", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes; the best counts")
    return parser.parse_args(argv)


def conversations(model: Path, workdir: Path, citizens: int, journeys: int) -> List[List[dict]]:
    """Each conversation's stored events (its latest session), after a short load."""
    stack = start_civic(workdir, model=model)
    try:
        asyncio.run(load_civic(Target.of(stack), load_args(
            ["--citizens", str(citizens), "--journeys", str(journeys)])))
    finally:
        stack.stop()
    database = sqlite3.connect(workdir / "tracker.db")
    by_sender: dict = {}
    for sender, data in database.execute("SELECT sender_id, data FROM events ORDER BY id"):
        event = json.loads(data)
        if event.get("event") == "session_started":
            by_sender[sender] = by_sender.get(sender, [])[-1:]  # keep action_session_start
        by_sender.setdefault(sender, []).append(event)
    return list(by_sender.values())


def best_ms_each(work: Callable[[List[Any]], None], make_items: Callable[[], List[Any]],
                 rounds: int) -> float:
    """Fresh items each round (nothing kept from the last), CPU time per item, best round."""
    best = float("inf")
    for _ in range(rounds):
        items = make_items()
        started = time.process_time()
        work(items)
        best = min(best, (time.process_time() - started) / len(items) * 1000)
    return best


def compare(label: str, unit: str, measure: Callable[[], float], install: Callable[[], Any],
            uninstall: Callable[[], None]) -> None:
    """Stock, fixed, stock again: the fix's time as a ratio of the better stock one."""
    before = measure()
    install()
    fixed = measure()
    uninstall()
    after = measure()
    print(f"{label}: stock {before:.2f} / {after:.2f} ms per {unit}, with the fix "
          f"{fixed:.2f} ms ({fixed / min(before, after):.2f}x stock)")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.training_data.features import Features

    with tempfile.TemporaryDirectory(prefix="civic-prediction-") as scratch:
        model = stable_model_copy(Path(scratch) / "civic.tar.gz")
        stored = conversations(model, Path(scratch) / "civic", args.citizens, args.journeys)
        agent = Agent.load(str(model))
    slots = agent.domain.slots
    texts = [event["text"] for events in stored for event in events
             if event.get("event") == "user" and event.get("text")]
    print(f"{len(stored)} conversations, {statistics.mean(map(len, stored)):.0f} events each "
          f"on average; {len(texts)} messages")

    def trackers() -> List[Any]:
        return [DialogueStateTracker.from_dict(str(index), events, slots)
                for index, events in enumerate(stored)]

    def predict(items: List[Any]) -> None:
        for tracker in items:
            agent.processor.predict_next_with_tracker(tracker)

    def parse(items: List[str]) -> None:
        async def all_of() -> None:
            for text in items:
                await agent.parse_message(text)
        asyncio.run(all_of())

    stock_history = Domain.states_for_tracker_history
    compare("policies (fix 8)", "prediction", lambda: best_ms_each(predict, trackers, args.rounds),
            past_states.install_shared_past_states,
            lambda: setattr(Domain, "states_for_tracker_history", stock_history))
    stock_join = Features._combine_sparse_features
    compare("NLU (fix 9)", "message", lambda: best_ms_each(parse, lambda: list(texts), args.rounds),
            sparse_joins.install_fast_sparse_joins,
            lambda: setattr(Features, "_combine_sparse_features", stock_join))
    stock_run = DaskGraphRunner.run
    compare("model graph, one parse and one prediction (fix 10)", "message",
            lambda: best_ms_each(lambda items: (predict(items), parse(texts[:len(items)])),
                                 trackers, args.rounds),
            graph_runner.install_sequential_graph_runner,
            lambda: setattr(DaskGraphRunner, "run", stock_run))
    stock_parse = MessageProcessor._parse_message_with_graph
    compare("NLU, every message (fix 11)", "message",
            lambda: best_ms_each(parse, lambda: list(texts), args.rounds),
            slash_messages.install_direct_slash_parses,
            lambda: setattr(MessageProcessor, "_parse_message_with_graph", stock_parse))
    typed = [text for text in texts if not text.startswith("/")]
    classifier = next(node._component for node in
                      agent.processor.graph_runner._instantiated_nodes.values()
                      if type(node._component).__name__ == "CategoryClassifier")
    scorer = classifier._scorer
    classifier._scorer = None  # the general path: the pipeline's vectorizers and join
    compare("category classifier, typed messages (one text's row built directly)", "message",
            lambda: best_ms_each(lambda items: [classifier.rank(text) for text in items],
                                 lambda: list(typed), args.rounds),
            lambda: setattr(classifier, "_scorer", scorer),
            lambda: setattr(classifier, "_scorer", None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
