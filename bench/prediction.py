"""Time the dialogue policies' prediction on real conversations, stock replay against shared.

    python -m bench.prediction [--citizens 20] [--journeys 2] [--rounds 5]

Runs a short load (bench.load's citizens, every channel) against `make run`'s assistant to get
real trackers, then, in this process, loads the same model and times Rasa's
`predict_next_with_tracker` on each conversation: with stock Rasa, with scripts/run_rasa.py's
shared replay of the tracker (one replay for RulePolicy's and MemoizationPolicy's views, fix
8), and with stock Rasa again. CPU time of this process, best of --rounds, so the figure is a
ratio measured in one run, as every figure in bench/ is.
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
from bench.profile_patches import _run_rasa


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


def best_ms_per_prediction(processor: Any, make_trackers: Callable[[], List[Any]],
                           rounds: int) -> float:
    """Fresh trackers each round (nothing kept from the last), CPU time per prediction."""
    best = float("inf")
    for _ in range(rounds):
        trackers = make_trackers()
        started = time.process_time()
        for tracker in trackers:
            processor.predict_next_with_tracker(tracker)
        best = min(best, (time.process_time() - started) / len(trackers) * 1000)
    return best


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from rasa.core.agent import Agent
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    with tempfile.TemporaryDirectory(prefix="civic-prediction-") as scratch:
        model = stable_model_copy(Path(scratch) / "civic.tar.gz")
        stored = conversations(model, Path(scratch) / "civic", args.citizens, args.journeys)
        agent = Agent.load(str(model))
    slots = agent.domain.slots

    def make_trackers() -> List[Any]:
        return [DialogueStateTracker.from_dict(str(index), events, slots)
                for index, events in enumerate(stored)]

    stock = Domain.states_for_tracker_history
    before = best_ms_per_prediction(agent.processor, make_trackers, args.rounds)
    _run_rasa().install_shared_past_states()
    shared = best_ms_per_prediction(agent.processor, make_trackers, args.rounds)
    Domain.states_for_tracker_history = stock
    after = best_ms_per_prediction(agent.processor, make_trackers, args.rounds)
    print(f"{len(stored)} conversations, {statistics.mean(map(len, stored)):.0f} events each "
          f"on average")
    print(f"stock replay per policy: {before:.2f} ms per prediction, {after:.2f} ms again")
    print(f"shared replay:           {shared:.2f} ms per prediction "
          f"({shared / min(before, after):.2f}x stock)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
