"""Benchmark of the stores alone (run by hand: python bench/bench_store.py [--pg postgresql://…]).

For each store (memory, sqlite file, sqlite :memory:, postgresql when a URL is given by --pg or
COUPANG_MOCK_TEST_PG) and each size (1k, 10k, 100k box-like documents indexed by
(status, createdAt, shipmentBoxId)), in a fresh process: load the documents, then time, one
transaction per call as a request would run them: put one new box, get one box, find the first page
of 50 of one status, find a deep page of 50 by cursor (`after`), count one status, count a one-hour
range of one status. Reports the median microseconds per call and the process's RSS. Raw JSON goes to
bench/out/store.json; the table to paste into bench/RESULTS.md is printed. Never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coupang_mock.server.store import PostgresStore, Store, declare_index, open_store  # noqa: E402
from coupang_mock.server.store.memory import MemoryStore  # noqa: E402
from coupang_mock.server.store.sqlite import SqliteStore  # noqa: E402

KIND = "bench-boxes"
INDEX = "by-status"
STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY")
SIZES = (1_000, 10_000, 100_000)
CALLS = 300
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TENANT = "A00012345"

declare_index(KIND, INDEX, lambda box: (box["status"], box["orderedAt"], box["shipmentBoxId"]))


def box(n: int) -> dict[str, Any]:
    """A realistic ~700-byte ordersheet box; one a minute, statuses spread evenly."""
    box_id = 600_000_000_000_000_000 + n
    return {
        "shipmentBoxId": box_id,
        "orderId": 200_000_000_000_000 + n,
        "status": STATUSES[n % len(STATUSES)],
        "orderedAt": (START + timedelta(minutes=n)).isoformat(),
        "orderer": {"name": "홍길동", "email": "buyer@example.com", "safeNumber": "0502-1234-5678"},
        "receiver": {
            "name": "홍길동",
            "addr1": "서울특별시 송파구 송파대로 570",
            "addr2": "101동 1001호",
            "postCode": "05510",
        },
        "orderItems": [
            {"vendorItemId": 3_000_000_000 + k, "vendorItemName": f"상품 {k}", "shippingCount": 1, "salesPrice": 12900}
            for k in range(2)
        ],
        "shippingPrice": 0,
        "deliveryCompanyCode": "CJGLS",
        "invoiceNumber": "",
    }


def open_named(name: str, folder: str, pg_url: str | None) -> Store:
    if name == "memory":
        return MemoryStore()
    if name == "sqlite-file":
        return SqliteStore(os.path.join(folder, "bench.db"))
    if name == "sqlite-memory":
        return SqliteStore(":memory:")
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    store.reset()
    return store


def timed(calls: int, fn: Callable[[int], Any]) -> tuple[float, float]:
    """Median wall and CPU microseconds of `fn(i)` over `calls` calls. On a shared machine the CPU time
    of this process is the steadier number; PostgreSQL's work shows in the wall time only."""
    wall, cpu = [], []
    for i in range(calls):
        began, began_cpu = time.perf_counter_ns(), time.process_time_ns()
        fn(i)
        wall.append(time.perf_counter_ns() - began)
        cpu.append(time.process_time_ns() - began_cpu)
    return statistics.median(wall) / 1000, statistics.median(cpu) / 1000


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(name: str, size: int, pg_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = open_named(name, folder, pg_url)
        before = rss_mib()
        began = time.perf_counter()
        with store.transaction(TENANT) as tx:
            for n in range(size):
                tx.put(KIND, 600_000_000_000_000_000 + n, box(n))
        if hasattr(store, "analyze"):
            store.analyze()  # what load() does after a bulk load
        load_s = time.perf_counter() - began
        rng = random.Random(size)
        middle = box(size // 2)
        deep_cursor = (middle["status"], middle["orderedAt"], middle["shipmentBoxId"])
        hour_from = middle["orderedAt"]
        hour_to = (START + timedelta(minutes=size // 2 + 60)).isoformat()

        def in_tx(write: bool, fn: Callable[[Any, int], Any]) -> Callable[[int], Any]:
            def call(i: int) -> Any:
                with store.transaction(TENANT, write=write) as tx:
                    return fn(tx, i)

            return call

        results = {
            "put": timed(CALLS, in_tx(True, lambda tx, i: tx.put(KIND, 700_000_000_000_000_000 + i, box(size + i)))),
            "get": timed(
                CALLS, in_tx(False, lambda tx, _i: tx.get(KIND, 600_000_000_000_000_000 + rng.randrange(size)))
            ),
            "find_first_page": timed(
                CALLS, in_tx(False, lambda tx, _i: tx.find(KIND, INDEX, prefix=("ACCEPT",), limit=50))
            ),
            "find_deep_page": timed(
                CALLS,
                in_tx(
                    False, lambda tx, _i: tx.find(KIND, INDEX, prefix=(deep_cursor[0],), after=deep_cursor, limit=50)
                ),
            ),
            "count_status": timed(CALLS, in_tx(False, lambda tx, _i: tx.count(KIND, INDEX, prefix=("ACCEPT",)))),
            "count_hour": timed(
                CALLS,
                in_tx(False, lambda tx, _i: tx.count(KIND, INDEX, prefix=(deep_cursor[0],), lo=hour_from, hi=hour_to)),
            ),
        }
        with store.transaction(TENANT, write=False) as tx:
            assert len(tx.find(KIND, INDEX, prefix=("ACCEPT",), limit=50)) == 50
        return {
            "store": name,
            "size": size,
            "load_s": round(load_s, 2),
            "us_per_call": {op: round(us[0], 1) for op, us in results.items()},
            "cpu_us_per_call": {op: round(us[1], 1) for op, us in results.items()},
            "load_average": os.getloadavg()[0],
            "rss_mib": round(rss_mib(), 1),
            "rss_growth_mib": round(rss_mib() - before, 1),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def table(rows: list[dict[str, Any]]) -> str:
    ops = list(rows[0]["us_per_call"])
    lines = [
        "| store | docs | " + " | ".join(ops) + " | RSS MiB (growth) | load s |",
        "|---|---:|" + "---:|" * len(ops) + "---:|---:|",
    ]
    for row in rows:
        cells = " | ".join(f"{row['us_per_call'][op]:.0f}" for op in ops)
        lines.append(
            f"| {row['store']} | {row['size']:,} | {cells} | {row['rss_mib']:.0f} ({row['rss_growth_mib']:.0f}) "
            f"| {row['load_s']} |"
        )
    lines.append("")
    lines.append("| store | " + " | ".join(f"{op} 100k/1k" for op in ops) + " |")
    lines.append("|---|" + "---:|" * len(ops))
    for name in dict.fromkeys(row["store"] for row in rows):
        small = next(r for r in rows if r["store"] == name and r["size"] == min(SIZES))
        large = next((r for r in rows if r["store"] == name and r["size"] == max(SIZES)), None)
        if large:
            ratios = " | ".join(f"{large['us_per_call'][op] / small['us_per_call'][op]:.2f}×" for op in ops)
            lines.append(f"| {name} | {ratios} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("COUPANG_MOCK_TEST_PG"))
    parser.add_argument("--one", nargs=2, metavar=("STORE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--stores", default="memory,sqlite-file,sqlite-memory,postgres")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]), args.pg)))
        return
    names = [n for n in args.stores.split(",") if n != "postgres" or args.pg]
    rows = []
    for name in names:
        for size in SIZES:
            out = subprocess.run(
                [sys.executable, __file__, "--one", name, str(size), *(["--pg", args.pg] if args.pg else [])],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.append(json.loads(out.stdout))
            print(json.dumps(rows[-1]), file=sys.stderr)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    report = {"machine": platform.platform(), "python": platform.python_version(), "calls": CALLS, "rows": rows}
    (out_dir / "store.json").write_text(json.dumps(report, indent=2))
    print(table(rows))


if __name__ == "__main__":
    main()
