"""Profile the Rasa server and the action server while `bench.load` drives them.

    python -m bench.profile_load [--citizens 50] [--channels ...] [--seconds 60] [--out DIR]

Starts our assistant as the load bench does, starts the load, and runs `py-spy record` (raw
collapsed stacks, plus an SVG flame graph) on the Rasa server and the action server for the
same window; then prints, for each, the functions holding the most samples (inclusive) and
the leaf functions (self time). py-spy samples from outside, so the servers run unmodified.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bench.load import Target, load_civic, parse_args as load_args
from bench.load_servers import process_label, process_tree, stable_model_copy, start_civic

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
TOP = 25


def parse_args(argv: Optional[List[str]]) -> Tuple[argparse.Namespace, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long py-spy samples")
    parser.add_argument("--out", default="bench/results/profile", help="where the profiles go")
    sampled = parser.add_mutually_exclusive_group()
    sampled.add_argument("--idle", action="store_true", help="sample GIL-idle threads too")
    sampled.add_argument("--gil", action="store_true",
                         help="sample only the thread holding the GIL: Python CPU, not waits in C")
    own, rest = parser.parse_known_args(argv)
    return own, load_args(rest)


def start_py_spy(pid: int, name: str, seconds: int, out: Path, mode: List[str]) -> List[subprocess.Popen]:
    """Two samplers on `pid`: raw collapsed stacks (for the summary) and a flame graph."""
    common = [PY_SPY, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100",
              "--subprocesses", "--nonblocking"] + mode
    return [subprocess.Popen(common + ["--format", "raw", "--output", str(out / f"{name}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen(common + ["--output", str(out / f"{name}.svg")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]


def summarise_stacks(path: Path) -> Tuple[int, List[Tuple[str, int]], List[Tuple[str, int]]]:
    """(samples, top inclusive frames, top self frames) of a py-spy raw file."""
    inclusive: Dict[str, int] = collections.Counter()
    leaf: Dict[str, int] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for frame in stack.split(";") if frame]
        for frame in set(frames):
            inclusive[frame] += count
        if frames:
            leaf[frames[-1]] += count
    top = sorted(inclusive.items(), key=lambda item: -item[1])[:TOP]
    return total, top, sorted(leaf.items(), key=lambda item: -item[1])[:TOP]


def print_summary(name: str, path: Path) -> None:
    if not path.exists():
        print(f"\n{name}: no profile written (is py-spy allowed to attach?)")
        return
    total, top, leaves = summarise_stacks(path)
    print(f"\n== {name}: {total} samples ==\n-- inclusive --")
    for frame, count in top:
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")
    print("-- self --")
    for frame, count in leaves:
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")


def main(argv: Optional[List[str]] = None) -> int:
    own, args = parse_args(argv)
    out = Path(own.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="civic-profile-") as scratch:
        model = stable_model_copy(Path(scratch) / "civic.tar.gz")
        stack = start_civic(Path(scratch) / "civic", model=model)
        try:
            assert stack.servers.process is not None
            targets = {process_label(pid): pid for pid in process_tree(stack.servers.process.pid)}
            samplers = []
            for name in ("rasa server", "action server"):
                samplers += start_py_spy(targets[name], name.replace(" ", "_"), own.seconds, out,
                                         ["--idle"] * own.idle + ["--gil"] * own.gil)
            figures = asyncio.run(load_civic(Target.of(stack), args))
            for sampler in samplers:
                sampler.wait()
        finally:
            stack.stop()
    print(f"load while profiling: {figures['messages_per_second']} msg/s, p95 {figures['p95_ms']} ms, "
          f"errors {figures['errors']}, lost {figures['lost']}")
    for name in ("rasa_server", "action_server"):
        print_summary(name, out / f"{name}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
