"""`make bench`: load the assistant with N concurrent citizens and compare with stock Rasa.

    python -m bench.load [--citizens 50] [--journeys 1] [--duration 600]
                         [--channels sms,telegram,webchat] [--skip-baseline] [--skip-extras]

In one run, on the same machine and at the same concurrency:
1. the stock `rasa init` assistant (bench/baseline.py) over Rasa's REST channel, each citizen
   having a moodbot conversation of about the same length as ours;
2. our assistant as `make run` starts it (fresh SQLite database), each citizen reporting a
   pothole, checking its status and asking an FAQ question over signed SMS webhooks, Telegram
   webhooks or web chat (round robin), replies read at the local provider fakes;
3. extras (bench/load_extras.py): training and model load time, case creation on SQLite and
   PostgreSQL, outbox dispatch against the fakes.
Figures are printed as a table with ratios to the baseline and written to bench/results/.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import httpx

from bench import load_extras
from bench.baseline import create_stock_assistant
from bench.load_clients import HttpReplyClient, InboundWatcher, SmsClient, TelegramClient
from bench.load_journeys import Tally, civic_journey, moodbot_journey, run_citizen, summarise
from bench.load_servers import (TELEGRAM_SECRET, CivicStack, cpu_ms_per_message,
                                cpu_seconds_with_harness, peak_memory_mb, stable_model_copy,
                                start_civic)
from bench.load_report import print_report
from bench.profile_patches import ROOT, sitecustomize_dir

RESULTS = Path(__file__).resolve().parent / "results"
CHANNELS = ("sms", "telegram", "webchat")


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=50, help="concurrent conversations")
    parser.add_argument("--journeys", type=int, default=1, help="journeys per citizen")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="no citizen starts a new journey after this many seconds")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="comma-separated subset")
    parser.add_argument("--turn-timeout", type=float, default=60.0,
                        help="seconds after which an unanswered message counts as lost")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-extras", action="store_true")
    parser.add_argument("--train", action="store_true",
                        help="also time training our model (to a temporary folder)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "civic.tar.gz",
                        help="our model to serve (a checked copy is served)")
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    parser.add_argument("--variants", default="none",
                        help="';'-separated sets of bench/profile_patches.py patches to measure "
                             "one after the other, e.g. 'none;jsonschema_cache'; a model=PATH "
                             "part serves another model, e.g. 'none;model=/tmp/other.tar.gz'")
    args = parser.parse_args(argv)
    args.channels = [name.strip() for name in args.channels.split(",") if name.strip()]
    unknown = set(args.channels) - set(CHANNELS)
    if unknown:
        parser.error(f"unknown channels: {', '.join(sorted(unknown))}")
    return args


async def drive(make_client: Callable[[int], Any], channel_of: Callable[[int], str], journey: Any,
                args: argparse.Namespace) -> Dict[str, Any]:
    """Run `args.citizens` citizens at once; the summary of every turn they took."""
    tally = Tally()
    deadline = time.monotonic() + args.duration
    started = time.perf_counter()
    await asyncio.gather(*(
        run_citizen(journey, make_client(index), channel_of(index), index, tally,
                    args.journeys, args.turn_timeout, deadline)
        for index in range(args.citizens)))
    return summarise(tally, time.perf_counter() - started)


def _http() -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    return httpx.AsyncClient(limits=limits, timeout=120)


async def load_baseline(url: str, args: argparse.Namespace) -> Dict[str, Any]:
    async with _http() as http:
        return await drive(lambda i: HttpReplyClient(http, url, "rest", i), lambda i: "rest",
                           moodbot_journey, args)


@dataclass
class Target:
    """Where the citizens send their messages, and where the assistant's side is read back."""

    url: str  # the Rasa server, or nginx in front of the replicas
    database_url: str  # the case database (inbound_messages says when a turn is over)
    twilio: Any
    telegram: Any
    telegram_secret: str = TELEGRAM_SECRET
    sms_public_url: str = SmsClient.PUBLIC_URL

    @classmethod
    def of(cls, stack: CivicStack) -> "Target":
        return cls(stack.servers.rasa_url, stack.servers.database_url, stack.twilio,
                   stack.telegram)


async def load_civic(target: Target, args: argparse.Namespace) -> Dict[str, Any]:
    url = target.url
    watcher = InboundWatcher(target.database_url)
    watcher.start()

    def channel_of(index: int) -> str:
        return args.channels[index % len(args.channels)]

    try:
        async with _http() as http:
            def make_client(index: int) -> Any:
                channel = channel_of(index)
                if channel == "sms":
                    return SmsClient(http, url, target.twilio, watcher, index,
                                     target.sms_public_url)
                if channel == "telegram":
                    return TelegramClient(http, url, target.telegram, target.telegram_secret,
                                          watcher, index)
                return HttpReplyClient(http, url, "webchat", index)

            return await drive(make_client, channel_of, civic_journey, args)
    finally:
        await watcher.stop()


def run_baseline(args: argparse.Namespace, scratch: Path) -> Dict[str, Any]:
    """Train, serve and load the stock assistant; its figures."""
    stock = create_stock_assistant(scratch)
    try:
        stock.serve()
        assert stock.process is not None
        cpu_before = cpu_seconds_with_harness(stock.process.pid)
        figures = asyncio.run(load_baseline(stock.url, args))
        figures["cpu_ms_per_message"] = cpu_ms_per_message(
            cpu_before, cpu_seconds_with_harness(stock.process.pid), figures["messages_answered"])
        figures["memory_mb"] = peak_memory_mb(stock.process.pid)
        figures["training_seconds"] = round(stock.training_seconds, 1)
        figures["server_ready_seconds"] = round(stock.load_seconds, 1)
        figures["model"] = str(stock.model)
        figures["model_load_seconds"] = load_extras.model_load_seconds(stock.model)
        return figures
    finally:
        stock.remove()


def model_identity(path: Path) -> str:
    """Size and modification time of the model a variant served (it may be retrained meanwhile)."""
    stat = path.stat()
    return f"{path.name} {stat.st_size} bytes, modified {dt.datetime.utcfromtimestamp(stat.st_mtime):%H:%M:%S}Z"


def variant_patches(variant: str) -> List[str]:
    """The patches a variant names ("none", "a", "a,b"; a model=PATH part is not a patch)."""
    parts = [part.strip() for part in variant.split(",")]
    return [part for part in parts if part not in ("", "none") and not part.startswith("model=")]


def variant_model(variant: str, default: Path, scratch: Path) -> Path:
    """The model a variant serves: its model=PATH part (for an A/B of two models in one run,
    copied and checked like the default), else the run's model."""
    for part in variant.split(","):
        if part.strip().startswith("model="):
            path = Path(part.strip()[len("model="):])
            name = "".join(c if c.isalnum() else "-" for c in str(path))
            return stable_model_copy(scratch / f"variant{name}.tar.gz", path)
    return default


def run_civic(args: argparse.Namespace, scratch: Path, variant: str = "none",
              label: str = "") -> Dict[str, Any]:
    """Start ours as `make run` does (with a variant's patches), load it, read peak memory.

    Every run gets its own folder, so fresh databases: a repeated variant (A;B;A;B) that
    reused the first one's would serve the same citizens' longer conversations."""
    patches = variant_patches(variant)
    extra = {}
    if patches:
        folder = sitecustomize_dir(patches, scratch)
        extra["PYTHONPATH"] = f"{folder}{os.pathsep}{ROOT}"
    started = time.monotonic()
    folder_name = "".join(c if c.isalnum() else "-" for c in (label or variant))
    model = variant_model(variant, args.model, scratch)
    stack = start_civic(scratch / f"civic-{folder_name}", extra, model)
    ready = time.monotonic() - started
    try:
        assert stack.servers.process is not None
        pid = stack.servers.process.pid
        cpu_before = cpu_seconds_with_harness(pid)
        figures = asyncio.run(load_civic(Target.of(stack), args))
        figures["cpu_ms_per_message"] = cpu_ms_per_message(
            cpu_before, cpu_seconds_with_harness(pid), figures["messages_answered"])
        figures["memory_mb"] = peak_memory_mb(stack.servers.process.pid)
        figures["server_ready_seconds"] = round(ready, 1)
        figures["dispatcher_notifications"] = len(stack.twilio.sent)
        return figures
    finally:
        stack.stop()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    results: Dict[str, Any] = {
        "label": args.label, "started_at": dt.datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "citizens": args.citizens, "journeys": args.journeys, "channels": args.channels}
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as scratch:
        if not args.skip_baseline:
            results["baseline"] = run_baseline(args, Path(scratch))
        results["model"] = f"{args.model}: {model_identity(args.model)}"
        args.model = stable_model_copy(Path(scratch) / "civic.tar.gz", args.model)
        variants = [v.strip() or "none" for v in args.variants.split(";")]
        labels = [v if variants.index(v) == i else f"{v} #{variants[:i + 1].count(v)}"
                  for i, v in enumerate(variants)]  # a variant repeated (A;B;A;B) keeps each run
        results["variants"] = {label: run_civic(args, Path(scratch), v, label)
                               for label, v in zip(labels, variants)}
        results["civic"] = results["variants"][labels[-1]]
        if not args.skip_extras:
            results["extras"] = load_extras.run_all(Path(scratch), args.model, train=args.train)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"load-{stamp}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(results, indent=2))
    print_report(results)
    print(f"\nresults: {path}")
    civic = results["civic"]
    return 0 if civic["errors"] == 0 and civic["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
