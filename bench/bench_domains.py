"""Benchmarks of real operations through the whole gateway (run by hand: python bench/bench_domains.py).

Measures, in-process (Flask test client, signed requests, throttle off), for the memory and the
SQLite store:
- start-up: bundling and compiling the spec, importing every API module,
- placing orders through the control plane (buyer simulation),
- listOrdersheets over a vendor holding N boxes (daily paging, maxPerPage 50, every page),
- getOrdersheetByShipmentboxid, acknowledgeOrdersheets (one box per call),
- peak RSS after holding N orders.
Raw results go to bench/out/domains.json (git-ignored); summaries in bench/RESULTS.md. Never asserted in tests.
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coupang_mock.client.signing import encode_query, sign  # noqa: E402
from coupang_mock.server.app import create_app  # noqa: E402
from coupang_mock.server.clock import TestClock  # noqa: E402
from coupang_mock.server.core import MockServices  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings  # noqa: E402
from coupang_mock.server.store import open_store  # noqa: E402

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{DEFAULT_VENDOR_ID}"
ORDERS = 1000


class Bench:
    def __init__(self, store_url: str) -> None:
        clock = TestClock(frozen_at=START)
        began = time.perf_counter()
        self.services = MockServices(Settings(throttle_enabled=False, seed=7), clock=clock, store=open_store(store_url))
        self.app = create_app(services=self.services)
        self.startup_ms = (time.perf_counter() - began) * 1000
        self.http = self.app.test_client()

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


def timed(fn: Callable[[], Any], n: int) -> float:
    began = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - began) / n * 1000


def run(store_url: str) -> dict[str, Any]:
    bench = Bench(store_url)
    items = bench.control(
        "POST",
        f"/vendors/{DEFAULT_VENDOR_ID}/catalog/items",
        {"items": [{"itemName": f"벤치 상품 {i}", "salePrice": 12900, "quantity": 99999} for i in range(5)]},
    )["vendorItemIds"]
    boxes: list[int] = []
    counter = iter(range(ORDERS))

    def place() -> None:
        i = next(counter)
        order = bench.control(
            "POST", f"/vendors/{DEFAULT_VENDOR_ID}/orders", {"items": [{"vendorItemId": items[i % 5], "quantity": 1}]}
        )
        boxes.extend(order["shipmentBoxIds"])

    result: dict[str, Any] = {"startupMs": round(bench.startup_ms, 1)}
    result["placeOrderMs"] = round(timed(place, ORDERS), 2)
    query = {"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-03", "status": "ACCEPT", "maxPerPage": 50}

    def list_all() -> None:
        token: str | None = ""
        seen = 0
        while token is not None:
            page = bench.signed("GET", f"{V5}/ordersheets", {**query, **({"nextToken": token} if token else {})})
            seen += len(page["data"])
            token = page.get("nextToken") or None
        assert seen == len(boxes), (seen, len(boxes))

    result[f"listAllPagesOf{len(boxes)}BoxesMs"] = round(timed(list_all, 3), 1)
    ids = iter(boxes)
    result["getByShipmentBoxIdMs"] = round(timed(lambda: bench.signed("GET", f"{V5}/ordersheets/{next(ids)}"), 300), 2)
    acks = iter(boxes)
    result["acknowledgeOneBoxMs"] = round(
        timed(
            lambda: bench.signed(
                "PUT",
                f"{V5}/ordersheets/acknowledgement",
                body={"vendorId": DEFAULT_VENDOR_ID, "shipmentBoxIds": [next(acks)]},
            ),
            300,
        ),
        2,
    )
    return result


def main() -> None:
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "orders": ORDERS,
        "memory": run("memory"),
    }
    results["maxRssMiBAfterMemoryRun"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.db")
    out = ROOT / "bench" / "out" / "domains.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
