"""Orders at scale (issue 13): order-sheet requests with 1k / 10k / 100k boxes stored for one vendor.

Run by hand: python bench/bench_scale_orders.py [--sizes 1000,10000,100000] [--stores memory,sqlite]

The store is filled fast, through the order domain's own `place_order` in large transactions (no HTTP),
with payments spread over the last 20 days. Every measured call then goes through the whole request
path in-process (Flask test client, signed request, spec validation, auth, tickers, domain, store):
- GET one order sheet by shipmentBoxId,
- GET the ACCEPT list, first page of 50 over a 20-day window, and a later page (the 11th, by its token),
- acknowledge one box (a different one each call),
- place one order through the control route.
Each figure is the best of several rounds of the mean µs per call (the machine is shared: the best
round is the least disturbed). Raw JSON goes to bench/out/ (git-ignored); the summary table is kept in
bench/RESULTS.md ("Orders at scale"). Never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coupang_mock.client.signing import encode_query, sign  # noqa: E402
from coupang_mock.server.app import create_app  # noqa: E402
from coupang_mock.server.clock import TestClock  # noqa: E402
from coupang_mock.server.core import MockServices  # noqa: E402
from coupang_mock.server.domains import order_placing  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings  # noqa: E402
from coupang_mock.server.store import open_store  # noqa: E402

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{DEFAULT_VENDOR_ID}"
SPREAD_DAYS = 20
BATCH = 2000
PAGE = 50
LATER_PAGE = 11
ROUNDS = 5
CALLS = 20


class Bench:
    def __init__(self, store_url: str) -> None:
        self.services = MockServices(
            Settings(throttle_enabled=False, seed=7), clock=TestClock(frozen_at=START), store=open_store(store_url)
        )
        self.http = create_app(services=self.services).test_client()

    def signed(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        raw_query = encode_query(query or {})
        header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, method, path, raw_query)
        url = f"{path}?{raw_query}" if raw_query else path
        response = self.http.open(url, method=method, json=body, headers={"Authorization": header})
        assert response.status_code == 200, (response.status_code, response.get_json())
        return response.get_json()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.open(f"/_mock{path}", method=method, json=body)
        assert response.status_code < 300, (response.status_code, response.get_json())
        return response.get_json()

    def fill(self, boxes: int) -> tuple[list[int], list[int]]:
        """`boxes` one-box orders paid over the last SPREAD_DAYS days; returns (vendorItemIds, boxIds)."""
        items = self.control(
            "POST",
            f"/vendors/{DEFAULT_VENDOR_ID}/catalog/items",
            {"items": [{"itemName": f"벤치 상품 {i}", "salePrice": 12900, "quantity": 10**7} for i in range(5)]},
        )["vendorItemIds"]
        made: list[int] = []
        step = timedelta(days=SPREAD_DAYS) / boxes
        ids = self.services.ids
        for first in range(0, boxes, BATCH):
            with self.services.store.transaction(DEFAULT_VENDOR_ID) as tx:
                for n in range(first, min(first + BATCH, boxes)):
                    request = {
                        "items": [{"vendorItemId": items[n % len(items)], "quantity": 1}],
                        "paidAt": (START - timedelta(days=SPREAD_DAYS) + step * n).isoformat(),
                    }
                    order = order_placing.place_order(
                        tx, START, lambda kind, digits: ids.next(tx, kind, digits), 7, request
                    )
                    made += order["shipmentBoxIds"]
        return items, made


def best_us(call: Callable[[], Any], calls: int = CALLS, rounds: int = ROUNDS) -> float:
    """Best round of the mean µs per call."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - began) / calls * 1e6)
    return round(best, 1)


def run(store_url: str, boxes: int) -> dict[str, Any]:
    bench = Bench(store_url)
    began = time.perf_counter()
    items, made = bench.fill(boxes)
    result: dict[str, Any] = {"boxes": boxes, "fillSeconds": round(time.perf_counter() - began, 1)}
    window = {
        "createdAtFrom": (START - timedelta(days=SPREAD_DAYS)).date().isoformat(),
        "createdAtTo": START.date().isoformat(),
        "status": "ACCEPT",
        "maxPerPage": PAGE,
    }
    first = bench.signed("GET", f"{V5}/ordersheets", window)
    assert len(first["data"]) == PAGE and first["nextToken"]
    token = first["nextToken"]
    for _ in range(LATER_PAGE - 2):
        token = bench.signed("GET", f"{V5}/ordersheets", {**window, "nextToken": token})["nextToken"]
    spread = iter(made[:: max(1, len(made) // 1000)] * 10)
    result["getOneBoxUs"] = best_us(lambda: bench.signed("GET", f"{V5}/ordersheets/{next(spread)}"))
    result["listFirstPageUs"] = best_us(lambda: bench.signed("GET", f"{V5}/ordersheets", window))
    later = {**window, "nextToken": token}
    result["listLaterPageUs"] = best_us(lambda: bench.signed("GET", f"{V5}/ordersheets", later))
    acks: Iterator[int] = iter(made[::-1])
    result["acknowledgeOneUs"] = best_us(
        lambda: bench.signed(
            "PUT",
            f"{V5}/ordersheets/acknowledgement",
            body={"vendorId": DEFAULT_VENDOR_ID, "shipmentBoxIds": [next(acks)]},
        )
    )
    body = {"items": [{"vendorItemId": items[0], "quantity": 1}]}
    result["placeOrderUs"] = best_us(lambda: bench.control("POST", f"/vendors/{DEFAULT_VENDOR_ID}/orders", body))
    result["maxRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


MEASURES = ("getOneBoxUs", "listFirstPageUs", "listLaterPageUs", "acknowledgeOneUs", "placeOrderUs")


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "| store | call | "
        + " | ".join(f"{r['boxes']:,} boxes µs" for r in next(iter(results.values())))
        + " | ratio |"
    ]
    lines.append("|---|---|" + "---|" * (len(next(iter(results.values()))) + 1))
    for store, runs in results.items():
        for measure in MEASURES:
            values = [r[measure] for r in runs]
            lines.append(
                f"| {store} | {measure} | "
                + " | ".join(f"{v:,.0f}" for v in values)
                + f" | {values[-1] / values[0]:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--stores", default="memory,sqlite")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "scale_orders.json"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, list[dict[str, Any]]] = {}
    for store in args.stores.split(","):
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                url = "memory" if store == "memory" else f"sqlite:///{tmp}/bench.db"
                results.setdefault(store, []).append(run(url, size))
                print(store, json.dumps(results[store][-1]), flush=True)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
