"""Time the database work the Rasa server does for every message, against another commit.

    python -m bench.units_of_work [--messages 400] [--rounds 3] [--against REV]

On a fresh SQLite case database (migrated) and tracker database, in this process, CPU and
wall time per message of:
- the channels' three units of work (channels.turns_store): record the message (admission
  and insert), the turn-order check, and storing the replies;
- one tracker load and save (components.tracker_store.LeanSQLTrackerStore) of a growing
  conversation, as every turn does on the event loop.
With --against REV the same measurement also runs on the code of REV (a temporary git
worktree, this script and this virtualenv), so a change shows as a ratio measured in one run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
GREETING = ("hello", "greet")


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--against", help="a git revision to measure too, in a worktree")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    return parser.parse_args(argv)


def best_per_message(work: Callable[[int], None], messages: int, rounds: int) -> Dict[str, float]:
    """Best round's CPU and wall microseconds per message; each round gets fresh messages."""
    cpu, wall = float("inf"), float("inf")
    for round_number in range(rounds):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        work(round_number)
        cpu = min(cpu, (time.process_time() - started_cpu) / messages * 1e6)
        wall = min(wall, (time.perf_counter() - started_wall) / messages * 1e6)
    return {"cpu_us": round(cpu), "wall_us": round(wall)}


def measure(messages: int, rounds: int) -> Dict[str, Dict[str, float]]:
    """The figures of the code this process imports (the current directory's tree)."""
    scratch = Path(tempfile.mkdtemp(prefix="civic-units-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'cases.db'}"
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], check=True,
                   capture_output=True)
    from channels import turns_store
    from channels.turns_store import InboundTurn

    ids: Dict[tuple, int] = {}

    def turn(round_number: int, index: int) -> InboundTurn:
        return InboundTurn(channel="telegram", external_id=f"{round_number}-{index}",
                           sender_id=f"citizen-{index % 50}", text="there is a pothole",
                           metadata={"language": "en"},
                           inbound_id=ids.get((round_number, index)))

    def record(round_number: int) -> None:
        for index in range(messages):
            recorded = turns_store.record(turn(round_number, index), datetime.utcnow())
            ids[(round_number, index)] = recorded.inbound_id

    def check_order(round_number: int) -> None:
        for index in range(messages):
            turns_store.has_earlier_unprocessed(turn(round_number, index))

    def store_replies(round_number: int) -> None:
        for index in range(messages):
            turns_store.mark_processed(ids[(round_number, index)], [{"text": "Thanks!"}],
                                       datetime.utcnow())

    figures = {name: best_per_message(work, messages, rounds) for name, work in (
        ("record", record), ("turn-order check", check_order),
        ("store replies", store_replies))}
    figures["tracker load and save"] = tracker_turns(scratch, messages, rounds)
    return figures


def tracker_turns(scratch: Path, messages: int, rounds: int) -> Dict[str, float]:
    """One load and one save per message, 20 conversations growing by a turn each time."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from components.tracker_store import LeanSQLTrackerStore

    domain = Domain.load(str(Path.cwd() / "domain"))
    store = LeanSQLTrackerStore(domain, dialect="sqlite", db=str(scratch / "tracker.db"))

    async def turns() -> None:
        for index in range(messages):
            sender = f"citizen-{index % 20}"
            tracker = (await store.retrieve(sender)
                       or DialogueStateTracker(sender, domain.slots))
            for event in (ActionExecuted("action_listen"),
                          UserUttered(GREETING[0], {"name": GREETING[1], "confidence": 1.0}),
                          ActionExecuted("utter_greet"), BotUttered("Hello!")):
                tracker.update(event)
            await store.save(tracker)

    return best_per_message(lambda _round: asyncio.run(turns()), messages, rounds)


def measured_at(revision: str, args: argparse.Namespace) -> Dict[str, Dict[str, float]]:
    """This script's figures for the code of `revision`, from a temporary worktree."""
    with tempfile.TemporaryDirectory(prefix="civic-units-tree-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree),
                        revision], check=True, capture_output=True)
        try:
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--json",
                 "--messages", str(args.messages), "--rounds", str(args.rounds)],
                cwd=tree, check=True, capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(tree)})
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tree)], check=False, capture_output=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    if args.json:
        print(json.dumps(measure(args.messages, args.rounds)))
        return 0
    other = measured_at(args.against, args) if args.against else None
    here = measured_at("HEAD", args) if args.against else measure(args.messages, args.rounds)
    print(f"{'per message':<24}" + (f"{args.against[:12]:>27}" if other else "")
          + f"{'HEAD' if other else 'this tree':>27}" + ("   ratio (CPU)" if other else ""))
    for name, figures in here.items():
        line = f"{name:<24}"
        if other:
            line += f"{other[name]['cpu_us']:>9} us CPU {other[name]['wall_us']:>5} wall"
        line += f"{figures['cpu_us']:>9} us CPU {figures['wall_us']:>5} wall"
        if other:
            line += f"   {figures['cpu_us'] / other[name]['cpu_us']:.2f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
