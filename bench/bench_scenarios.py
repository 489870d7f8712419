"""Scenario and snapshot costs: applying the examples, a large generated scenario, export/restore.

    python bench/bench_scenarios.py [--orders 1000]

Raw numbers go to bench/out/scenarios.json; the summary is copied by hand into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coupang_mock.server import (
    api,  # noqa: F401  (registers the handlers)
    scenarios,
    snapshots,
)
from coupang_mock.server.core import MockServices
from coupang_mock.server.settings import Settings

VENDOR = "A00012345"
STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY")


def timed(run: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def generated(orders: int) -> str:
    lines = [
        'clock: "2026-03-02T10:00:00+09:00"',
        "vendors:",
        "  - products:",
        "      - {id: p, name: 상품, price: 20000, stock: 99999}",
        "    orders:",
    ]
    lines += [f"      - {{items: [{{product: p}}], status: {STATUSES[i % len(STATUSES)]}}}" for i in range(orders)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    services = MockServices(Settings(throttle_enabled=False))
    results: dict[str, Any] = {}
    for name in scenarios.example_names():
        text, source = scenarios.read_source(name)
        results[f"apply {name} (ms)"] = timed(lambda t=text, s=source: scenarios.run(services, t, s), args.repeat)
    big = generated(args.orders)
    results[f"apply {args.orders} orders, mixed statuses (ms)"] = timed(
        lambda: scenarios.run(services, big, "big.yaml"), 1
    )
    snapshot = snapshots.export(services, VENDOR)
    results["snapshot size (bytes)"] = len(json.dumps(snapshot, ensure_ascii=False).encode())
    results["snapshot documents"] = sum(len(docs) for docs in snapshot["documents"].values())
    results["export (ms)"] = timed(lambda: snapshots.export(services, VENDOR), args.repeat)
    results["restore (ms)"] = timed(lambda: snapshots.restore(services, VENDOR, snapshot), args.repeat)

    def reset_and_restore() -> None:
        services.reset(VENDOR)
        snapshots.restore(services, VENDOR, snapshot)

    results["reset + restore (ms)"] = timed(reset_and_restore, args.repeat)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "scenarios.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    for key, value in results.items():
        shown = f"median {statistics.median(value):.1f}" if isinstance(value, list) else value
        print(f"{key:45} {shown}")


if __name__ == "__main__":
    main()
