"""Products at scale (issue 13): request cost with 1k / 10k / 100k products stored for one vendor.

Run by hand: python bench/bench_scale_products.py [--sizes 1000,10000,100000] [--stores memory,sqlite]

In-process through the real request path (Flask test client over create_app: spec router/validator,
signature, vendor binding, tickers, domain, store), throttle off, frozen test clock. For every store
and size a fresh service is filled in one transaction through the products domain (one product
registered and approved through the control plane, then copied with new ids through `products.save`),
then each call is timed:
- createSellerProduct (POST, a valid body; the inflow count and validation run as for any seller),
- getSellerProduct (GET one product by id),
- listSellerProducts (GET the first page of 50, and page 20),
- createOutboundShippingCenter (POST, a new name and address each: the uniqueness checks run).
Raw results go to bench/out/scale_products.json; the summary table is copied into bench/RESULTS.md
("Products at scale"). Speed is never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
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
from coupang_mock.server.api import products as products_api  # noqa: E402
from coupang_mock.server.app import create_app  # noqa: E402
from coupang_mock.server.clock import TestClock  # noqa: E402
from coupang_mock.server.core import MockServices  # noqa: E402
from coupang_mock.server.domains import products  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings  # noqa: E402
from coupang_mock.server.store import open_store  # noqa: E402

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VENDOR = DEFAULT_VENDOR_ID
MARKET = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}"
CALLS = {"create": 300, "get": 300, "listFirst": 100, "listPage20": 100, "centerCreate": 100}


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


def fill(bench: Bench, count: int) -> tuple[dict[str, Any], list[int]]:
    """`count` approved products of the vendor; answers the quick product and every sellerProductId."""
    quick = bench.control("POST", f"/vendors/{VENDOR}/catalog/quick-product", {})
    ids = [quick["sellerProductId"]]
    with bench.services.store.transaction(VENDOR) as tx:
        template = products.get(tx, quick["sellerProductId"])
        assert template is not None
        for n in range(count - 1):
            ids.append(_copy(tx, bench.services, template, n))
    return quick, ids


def _copy(tx: Any, services: MockServices, template: dict[str, Any], n: int) -> int:
    copy = json.loads(json.dumps(template))
    copy["sellerProductId"] = services.ids.next(tx, products.ID_KIND, products.ID_DIGITS)
    copy["sellerProductName"] = f"벤치 상품 {n}"
    for item in copy["items"]:
        item["sellerProductItemId"] = services.ids.next(tx, "seller-product-item", 11)
        item["externalVendorSku"] = f"BENCH-{n}"
        item.pop("vendorItemId", None)
    products.save(tx, copy)
    return int(copy["sellerProductId"])


def timed(fn: Callable[[int], Any], calls: int) -> dict[str, float]:
    """Mean and median µs per call over `calls` calls (after one warm-up call)."""
    fn(-1)
    samples = []
    for n in range(calls):
        began = time.perf_counter()
        fn(n)
        samples.append((time.perf_counter() - began) * 1e6)
    return {"meanUs": round(statistics.fmean(samples)), "medianUs": round(statistics.median(samples))}


def measure(store_url: str, count: int) -> dict[str, Any]:
    bench = Bench(store_url)
    began = time.perf_counter()
    quick, ids = fill(bench, count)
    result: dict[str, Any] = {"products": count, "fillSeconds": round(time.perf_counter() - began, 1)}
    body = products_api.quick_body(
        VENDOR, quick["outboundShippingPlaceCode"], int(quick["returnCenterCode"]), [{"itemName": "벤치 옵션"}], {}
    )
    address = products_api.quick_return_body(VENDOR)["placeAddresses"][0]
    body.update(  # the HTTP schema asks for the return address the quick route lets the domain fill in
        returnChargeName="쿠팡목 기본 반품지",
        **{name: address[name] for name in ("companyContactNumber", "returnZipCode", "returnAddress")},
        returnAddressDetail=address["returnAddressDetail"],
    )
    pick = random.Random(13)
    list_query = {"vendorId": VENDOR, "maxPerPage": 50}
    calls = {
        "create": lambda n: bench.signed("POST", MARKET, body={**body, "sellerProductName": f"측정 상품 {n}"}),
        "get": lambda n: bench.signed("GET", f"{MARKET}/{pick.choice(ids)}"),
        "listFirst": lambda n: bench.signed("GET", MARKET, list_query),
        "listPage20": lambda n: bench.signed("GET", MARKET, {**list_query, "nextToken": 20}),
        "centerCreate": lambda n: bench.signed("POST", f"{V5}/outboundShippingCenters", body=_center(n)),
    }
    for name, call in calls.items():
        result[name] = timed(call, CALLS[name])
    return result


def _center(n: int) -> dict[str, Any]:
    center = products_api.quick_outbound_body(VENDOR)
    center["shippingPlaceName"] = f"벤치 출고지 {n}"
    center["placeAddresses"][0]["returnAddressDetail"] = f"{n + 2}층"
    return center


def summary(results: dict[str, Any]) -> str:
    """The RESULTS.md table: median µs per call per size and the largest/smallest ratio (medians: the
    machine is shared, and a mean follows whatever else ran at that moment)."""
    lines = []
    for store, runs in results["stores"].items():
        sizes = [run["products"] for run in runs]
        lines.append(f"\n{store} store (median µs per call; ratio = {sizes[-1]:,} / {sizes[0]:,}):\n")
        lines.append("| call | " + " | ".join(f"{size:,}" for size in sizes) + " | ratio |")
        lines.append("|---|" + "---:|" * (len(sizes) + 1))
        for name in CALLS:
            means = [run[name]["medianUs"] for run in runs]
            lines.append(f"| {name} | " + " | ".join(f"{m:,}" for m in means) + f" | {means[-1] / means[0]:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--stores", default="memory,sqlite")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "scale_products.json"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "calls": CALLS,
        "stores": {},
    }
    for store in args.stores.split(","):
        runs = []
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                url = "memory" if store == "memory" else f"sqlite:///{tmp}/bench.db"
                runs.append(measure(url, size))
            print(store, json.dumps(runs[-1], ensure_ascii=False), flush=True)
        results["stores"][store] = runs
    results["maxRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary(results))


if __name__ == "__main__":
    main()
