"""`python -m bench.soak` (make soak): load with kill -9 faults, then an account of every message.

Starts the Rasa server, the action server and the outbox dispatcher as separate processes
(tests/faults/cluster.py; the same command lines scripts/run_assistant.py uses) with the Telegram
and Twilio fakes, runs concurrent citizens (bench/soak_load.py), and every few seconds kills -9
a random one of the three and starts it again. Then it waits for the backlog to drain and
prints: messages sent, acknowledged, processed, duplicated, lost; cases expected vs created;
outbox notifications sent once / duplicated / lost; memory at start and end. Exit status 1 when
anything was duplicated or lost, so CI can run it.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bench.soak_citizens import Webhooks
from bench.soak_load import Load
from bench.soak_report import Account, account_for, print_account, rss_kb
from tests.faults.cluster import (CITY_NUMBER, PROCESSES, SECRET, SMS_PUBLIC_URL, TOKEN,
                                  FaultyAssistant, build_assistant, fault_environment)


@dataclass
class SoakOptions:
    kills: int = 200
    duration: Optional[float] = None  # seconds of load at most; None: until `kills` are done
    citizens: int = 4
    seed: int = 1
    gap: tuple = (3.0, 12.0)  # seconds between kills
    targets: List[str] = field(default_factory=lambda: list(PROCESSES))
    order: Optional[List[str]] = None  # a fixed sequence of victims (tests), else random
    drain_seconds: float = 240.0  # without progress (bench.soak_report._drain)
    model: Path = Path("models/civic.tar.gz")


def parse_args(argv: Optional[List[str]]) -> SoakOptions:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200, help="kill -9 this many times (200)")
    parser.add_argument("--duration", type=float, default=None,
                        help="stop the load after this many seconds even if kills remain")
    parser.add_argument("--citizens", type=int, default=4, help="concurrent citizens (4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=Path, default=Path("models/civic.tar.gz"))
    parser.add_argument("--targets", default=",".join(PROCESSES),
                        help="processes to kill, comma-separated (rasa,actions,dispatcher)")
    args = parser.parse_args(argv)
    return SoakOptions(kills=args.kills, duration=args.duration, citizens=args.citizens,
                       seed=args.seed, model=args.model, targets=[t for t in args.targets.split(",") if t])


def inject_faults(assistant: FaultyAssistant, options: SoakOptions, started: float
                  ) -> List[Dict[str, float]]:
    """Kill -9 a process at a random moment, start it again, `options.kills` times."""
    rng = random.Random(options.seed)
    kills: List[Dict[str, float]] = []
    for number in range(options.kills):
        if options.duration is not None and time.monotonic() - started > options.duration:
            break
        time.sleep(rng.uniform(*options.gap))
        victim = options.order[number % len(options.order)] if options.order \
            else rng.choice(options.targets)
        assistant.kill(victim)
        down = time.monotonic()
        time.sleep(rng.uniform(0.0, 2.0))
        assistant.start(victim)
        kills.append({"victim": victim, "down_seconds": round(time.monotonic() - down, 1)})
        print(f"kill {number + 1}/{options.kills}: {victim} down {kills[-1]['down_seconds']}s",
              flush=True)
    return kills


def run_soak(assistant: FaultyAssistant, telegram: object, twilio: object,
             options: SoakOptions) -> Account:
    """The load and the faults on a running assistant; the account of what happened."""
    hooks = Webhooks(assistant.rasa_url, SECRET, twilio.account_sid,  # type: ignore[attr-defined]
                     twilio.auth_token, SMS_PUBLIC_URL, CITY_NUMBER)  # type: ignore[attr-defined]
    memory_start = {name: rss_kb(pid) for name, pid in assistant.pids().items()}
    load = Load(hooks, assistant.database_url, assistant.tracker)
    started = time.monotonic()
    threads = load.run(options.citizens, options.seed)
    kills = inject_faults(assistant, options, started)
    load.stop.set()
    stopped = time.monotonic()  # citizens finish the journey in hand, within the drain time
    for thread in threads:
        thread.join(timeout=max(0.1, stopped + options.drain_seconds - time.monotonic()))
    for name in PROCESSES:  # a crash at the very end must not count as a loss
        if not assistant.processes[name].running:
            assistant.start(name)
    memory_end = {name: rss_kb(pid) for name, pid in assistant.pids().items()}
    return account_for(assistant, hooks.ledger, load.tally, telegram, twilio, kills,
                       memory_start, memory_end, options.drain_seconds,
                       time.monotonic() - started)


def main(argv: Optional[List[str]] = None) -> int:
    from tests.fakes.telegram_api import FakeTelegramApi
    from tests.fakes.twilio_api import FakeTwilio

    options = parse_args(argv)
    telegram, twilio = FakeTelegramApi(TOKEN).start(), FakeTwilio().start()
    workdir = Path(tempfile.mkdtemp(prefix="civic-soak-"))
    env = fault_environment(telegram.base_url, twilio, {"TELEGRAM_STALE_TURN_SECONDS": "5"})
    assistant = build_assistant(workdir, env, model=options.model.resolve())
    try:
        assistant.start_all()
        account = run_soak(assistant, telegram, twilio, options)
    finally:
        assistant.stop_all()
        telegram.stop()
        twilio.stop()
    print_account(account)
    print(f"logs: {workdir}")
    return 0 if account.clean else 1


if __name__ == "__main__":
    sys.exit(main())
