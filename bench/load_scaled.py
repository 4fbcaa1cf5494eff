"""`make bench-scale`: the load benchmark through nginx, in front of 1 and then 2 Rasa replicas.

    python -m bench.load_scaled [--replicas 1,2] [--citizens 50] [--journeys 1] [--channels ...]

The production topology (tests/scale/topology.py: the shipped deploy/nginx.conf, PostgreSQL for
cases and the SQL tracker store, the Redis lock store, one action server), on throwaway
PostgreSQL and Redis servers on loopback. Each replica count gets a fresh topology and a fresh
case database; the same citizens as `make bench` (signed SMS, Telegram and web chat journeys)
send every message to nginx, never to a replica directly. Prints messages/s, turn latency,
errors and lost messages per replica count, with the ratio to the first count measured in the
same run, CPU milliseconds per answered message and peak memory of each process (PostgreSQL
and Redis included in the CPU); exits 1 when any message was lost or failed.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.load import RESULTS, Target, load_civic, parse_args as load_args
from bench.load_servers import cpu_ms_per_message, cpu_seconds, stable_model_copy
from tests.integration.databases import PostgresCluster, RedisServer, postgres_bin_dir
from tests.integration.servers import free_port
from tests.scale.topology import SMS_PUBLIC_URL, TELEGRAM_SECRET, Topology, start_topology


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], add_help=False)
    parser.add_argument("--replicas", default="1,2", help="replica counts to measure, in order")
    own, rest = parser.parse_known_args(argv)
    args = load_args(rest)
    args.replicas = [int(count) for count in own.replicas.split(",") if count.strip()]
    return args


def target_of(topology: Topology) -> Target:
    """Every citizen message goes through nginx, as the providers' webhooks would."""
    return Target(topology.nginx_url, topology.database_url, topology.twilio, topology.telegram,
                  telegram_secret=TELEGRAM_SECRET, sms_public_url=SMS_PUBLIC_URL)


def peak_memory_mb(topology: Topology) -> Dict[str, float]:
    """Peak RSS (VmHWM) of each process of the topology, by its name there (rasa-0, nginx...)."""
    peaks: Dict[str, float] = {}
    for name, process in topology.processes.items():
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[name] = round(int(line.split()[1]) / 1024, 1)
    return peaks


def cpu_by_process(pids: Dict[str, int]) -> Dict[str, float]:
    """CPU seconds used so far by each named process and its children (nginx's workers,
    PostgreSQL's backends)."""
    return {name: sum(cpu_seconds(pid).values()) for name, pid in pids.items()}


def measure(replicas: int, args: argparse.Namespace, scratch: Path, postgres_url: str,
            redis_url: str, services: Dict[str, int]) -> Dict[str, Any]:
    """One fresh topology with `replicas` Rasa servers, loaded through nginx; its figures.
    `services`: the pids of the shared PostgreSQL and Redis, whose CPU is counted too."""
    workdir = scratch / f"replicas-{replicas}"
    workdir.mkdir()
    topology = start_topology(workdir, postgres_url, redis_url, args.model, replicas=replicas)
    try:
        pids = {**{name: process.pid for name, process in topology.processes.items()}, **services}
        before = cpu_by_process(pids)
        figures = asyncio.run(load_civic(target_of(topology), args))
        figures["cpu_ms_per_message"] = cpu_ms_per_message(before, cpu_by_process(pids),
                                                           figures["messages_answered"])
        figures["memory_mb"] = peak_memory_mb(topology)
        figures["replicas"] = replicas
        return figures
    finally:
        topology.stop()


def print_scaled(runs: List[Dict[str, Any]]) -> None:
    first = runs[0]["messages_per_second"] or 0.0
    print(f"\n{'replicas':>8} {'msg/s':>8} {'x first':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'sent':>6} {'errors':>6} {'lost':>5}")
    for run in runs:
        ratio = run["messages_per_second"] / first if first else float("nan")
        print(f"{run['replicas']:>8} {run['messages_per_second']:>8.2f} {ratio:>8.2f} "
              f"{run['p50_ms'] or 0:>8.0f} {run['p95_ms'] or 0:>8.0f} {run['p99_ms'] or 0:>8.0f} "
              f"{run['messages_sent']:>6} {run['errors']:>6} {run['lost']:>5}")
    for run in runs:
        cpu = ", ".join(f"{name} {ms:.1f}" for name, ms in sorted(run["cpu_ms_per_message"].items()))
        print(f"  CPU ms per message, {run['replicas']} replica(s): {cpu} "
              f"(total {sum(run['cpu_ms_per_message'].values()):.1f})")
        memory = ", ".join(f"{name} {mb:,.0f}" for name, mb in sorted(run["memory_mb"].items()))
        print(f"  peak RSS (MB), {run['replicas']} replica(s): {memory}")
        for failure in run.get("failures", [])[:5]:
            print(f"  failure: {failure}")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    bin_dir, redis = postgres_bin_dir(), shutil.which("redis-server")
    if bin_dir is None or redis is None:
        print("bench-scale needs PostgreSQL and Redis installed (apt-get install postgresql "
              "redis-server); nginx too", file=sys.stderr)
        return 2
    results: Dict[str, Any] = {
        "started_at": dt.datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "citizens": args.citizens, "journeys": args.journeys, "channels": args.channels,
        "label": args.label}
    cluster = PostgresCluster(bin_dir, free_port()).start()
    lock_store = RedisServer(redis, free_port()).start()
    try:
        with tempfile.TemporaryDirectory(prefix="civic-bench-scale-") as scratch:
            args.model = stable_model_copy(Path(scratch) / "civic.tar.gz", args.model)
            server = cluster.create_database("bench_scale")
            services = {"postgresql": cluster.postmaster_pid(), "redis": lock_store.process.pid}
            results["runs"] = [measure(count, args, Path(scratch), server, lock_store.url,
                                       services) for count in args.replicas]
    finally:
        lock_store.stop()
        cluster.stop()
    print(f"\nLoad through nginx: {args.citizens} concurrent citizens x {args.journeys} "
          f"journey(s), channels {', '.join(args.channels)}")
    print_scaled(results["runs"])
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-scaled-{dt.datetime.utcnow():%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults: {out}")
    return 1 if any(run["errors"] or run["lost"] for run in results["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
