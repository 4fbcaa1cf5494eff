"""The table `make bench` prints: our figures, the stock assistant's, and the ratio of the two.

Ratios are ours / stock, so above 1 is better for throughput and below 1 is better for
latency and memory. The target of issue 8 is checked and stated, met or not.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from bench.load_servers import HARNESS

TARGET_RATIO = 3.0
TARGET_P95_MS = 500.0
ROWS: List[Tuple[str, str]] = [
    ("messages/s", "messages_per_second"), ("p50 turn latency (ms)", "p50_ms"),
    ("p95 turn latency (ms)", "p95_ms"), ("p99 turn latency (ms)", "p99_ms"),
    ("messages sent", "messages_sent"), ("errors", "errors"), ("lost", "lost"),
    ("journeys done", "journeys_done"), ("journeys failed", "journeys_failed"),
    ("server ready (s)", "server_ready_seconds"),
]


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def ratio(ours: Any, stock: Any) -> Optional[float]:
    if not isinstance(ours, (int, float)) or not isinstance(stock, (int, float)) or not stock:
        return None
    return round(ours / stock, 2)


def _table(rows: List[Tuple[str, Any, Any, Any]]) -> str:
    head = ("", "civic", "stock rasa", "civic/stock")
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(4)]
    lines = ["  ".join(str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i])
                       for i, cell in enumerate(row)) for row in [head, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def load_rows(civic: Dict[str, Any], stock: Dict[str, Any]) -> List[Tuple[str, Any, Any, Any]]:
    rows = [(label, _fmt(civic.get(key)), _fmt(stock.get(key)),
             _fmt(ratio(civic.get(key), stock.get(key)))) for label, key in ROWS]
    rasa_ours = civic.get("memory_mb", {}).get("rasa server")
    rasa_stock = stock.get("memory_mb", {}).get("rasa server")
    rows.append(("rasa server peak RSS (MB)", _fmt(rasa_ours), _fmt(rasa_stock),
                 _fmt(ratio(rasa_ours, rasa_stock))))
    for both in ("rasa server", HARNESS):
        cpu_ours = civic.get("cpu_ms_per_message", {}).get(both)
        cpu_stock = stock.get("cpu_ms_per_message", {}).get(both)
        rows.append((f"{both} CPU ms per message", _fmt(cpu_ours), _fmt(cpu_stock),
                     _fmt(ratio(cpu_ours, cpu_stock))))
    for label, cpu in sorted(civic.get("cpu_ms_per_message", {}).items()):
        if label not in ("rasa server", HARNESS):
            rows.append((f"{label} CPU ms per message", _fmt(cpu), "-", "-"))
    for label, peak in sorted(civic.get("memory_mb", {}).items()):
        if label != "rasa server":
            rows.append((f"{label} peak RSS (MB)", _fmt(peak), "-", "-"))
    for key, label in (("training_seconds", "training (s)"), ("model_load_seconds", "model load (s)")):
        ours = civic.get(key)
        rows.append((label, _fmt(ours), _fmt(stock.get(key)), _fmt(ratio(ours, stock.get(key)))))
    return rows


def verdict(civic: Dict[str, Any], stock: Dict[str, Any]) -> str:
    """One line per target condition, each saying met or missed."""
    speedup = ratio(civic.get("messages_per_second"), stock.get("messages_per_second"))
    p95 = civic.get("p95_ms")
    checks = [
        (speedup is not None and speedup >= TARGET_RATIO, f"throughput >= {TARGET_RATIO:g}x stock: {_fmt(speedup)}x"),
        (p95 is not None and p95 < TARGET_P95_MS, f"p95 < {TARGET_P95_MS:g} ms: {_fmt(p95)} ms"),
        (civic.get("errors") == 0, f"zero errors: {civic.get('errors')}"),
        (civic.get("lost") == 0, f"zero lost: {civic.get('lost')}"),
    ]
    return "\n".join(f"  [{'met' if ok else 'MISSED'}] {text}" for ok, text in checks)


def print_variants(variants: Dict[str, Dict[str, Any]], stock: Dict[str, Any]) -> None:
    """One line per variant measured in this run: each change's effect, same conditions."""
    if len(variants) < 2:
        return
    first = next(iter(variants.values()))
    print("\nVariants (bench/profile_patches.py), same run:")
    print(f"  {'variant':34} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'err':>4} {'lost':>5} "
          f"{'x stock':>8} {'x first':>8} {'rasa CPU ms/msg':>16}")
    for name, figures in variants.items():
        rasa_cpu = figures.get("cpu_ms_per_message", {}).get("rasa server")
        print(f"  {name:34} {_fmt(figures.get('messages_per_second')):>7} "
              f"{_fmt(figures.get('p50_ms')):>8} {_fmt(figures.get('p95_ms')):>8} "
              f"{figures.get('errors'):>4} {figures.get('lost'):>5} "
              f"{_fmt(ratio(figures.get('messages_per_second'), stock.get('messages_per_second'))):>8} "
              f"{_fmt(ratio(figures.get('messages_per_second'), first.get('messages_per_second'))):>8} "
              f"{_fmt(rasa_cpu):>16}")


def print_report(results: Dict[str, Any]) -> None:
    civic, stock = results.get("civic", {}), results.get("baseline", {})
    extras = results.get("extras", {})
    civic = {**civic, "training_seconds": extras.get("training_seconds"),
             "model_load_seconds": extras.get("model_load_seconds")}
    print(f"\nLoad: {results['citizens']} concurrent citizens x {results['journeys']} journey(s), "
          f"channels {', '.join(results['channels'])} (stock: REST)\n")
    print(_table(load_rows(civic, stock)))
    print("\nPer channel (civic):")
    for channel, figures in civic.get("by_channel", {}).items():
        print(f"  {channel:9} sent {figures['sent']:5}  p50 {_fmt(figures['p50_ms'])} ms  "
              f"p95 {_fmt(figures['p95_ms'])} ms  errors {figures['errors']}  lost {figures['lost']}")
    if civic.get("failures"):
        print("\nFirst failures:\n  " + "\n  ".join(civic["failures"][:5]))
    print_variants(results.get("variants", {}), stock)
    if stock:
        print("\nTarget (issue 8, last variant):\n" + verdict(civic, stock))
    if extras:
        print("\nExtras:")
        for key, value in extras.items():
            if key not in ("training_seconds", "model_load_seconds"):
                print(f"  {key}: {_fmt(value)}")
