"""What the dashboard costs the request path, and what its reads cost (run by hand: python bench/bench_ui.py).

Measures, on this machine:
- journal capture per request (headers with the signature masked, request and response bodies capped),
- the HMAC diagnosis of a refused request (worst case: no usual variant matches, every one is tried),
- end-to-end signed requests per second through the gateway (Flask test client, in-process),
- the state view's list and detail routes with 100 / 1,000 / 5,000 boxes stored for the vendor,
- the journal list route over a full journal.
Raw numbers go to bench/out/ui.json; the summary is kept in bench/RESULTS.md. Never asserted in tests.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import Headers  # noqa: E402

from coupang_mock.client.signing import sign  # noqa: E402
from coupang_mock.server.app import create_app  # noqa: E402
from coupang_mock.server.core import MockServices, journal_body, journal_headers  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings  # noqa: E402
from coupang_mock.server.ui.diagnose import diagnose  # noqa: E402

V = DEFAULT_VENDOR_ID
PATH = f"/v2/providers/openapi/apis/api/v5/vendors/{V}/ordersheets"
QUERY = "createdAtFrom=2026-03-01&createdAtTo=2026-03-02&status=ACCEPT"


def per_call_us(func: Callable[[], Any], repeat: int) -> float:
    func()
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat * 1e6


def journal_capture() -> dict[str, float]:
    headers = Headers(
        {
            "Host": "127.0.0.1:8080",
            "Authorization": sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", PATH, QUERY),
            "Content-Type": "application/json",
            "User-Agent": "python-requests/2.32",
            "X-Requested-By": V,
        }
    )
    body = json.dumps({"items": [{"itemName": f"옵션 {i}", "salePrice": 19000} for i in range(60)]}).encode()
    big = b"x" * (64 * 1024)
    return {
        "bodyBytes": len(body),
        "captureUs": per_call_us(
            lambda: (journal_headers(headers), journal_body("request", body), journal_body("response", body)), 20000
        ),
        "capture64KiBUs": per_call_us(lambda: journal_body("request", big), 5000),
    }


def diagnosis() -> dict[str, float]:
    vendor = {"vendorId": V, "secretKey": DEFAULT_SECRET_KEY, "issuedAt": datetime.now(UTC).isoformat()}
    now = datetime.now(UTC)
    wrong = sign(DEFAULT_ACCESS_KEY, "another-secret", "GET", PATH, QUERY, now)
    question = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", PATH, "?" + QUERY, now)

    def run(header: str) -> Callable[[], Any]:
        return lambda: diagnose(
            header,
            "GET",
            PATH,
            QUERY,
            lookup=lambda _k: vendor,
            now=now,
            key_now=now,
            window_seconds=300,
            validity_days=180,
        )

    return {"noVariantMatchesUs": per_call_us(run(wrong), 300), "questionMarkFoundUs": per_call_us(run(question), 300)}


def gateway_rate(http: Any) -> float:
    n = 600
    start = time.perf_counter()
    for _ in range(n):
        header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", PATH, QUERY)
        assert http.get(f"{PATH}?{QUERY}", headers={"Authorization": header}).status_code == 200
    return n / (time.perf_counter() - start)


def gateway_with_and_without_capture(http: Any) -> dict[str, float]:
    """Same process, same endpoint, interleaved (the machine is shared): best of 3 each."""
    from coupang_mock.server import core

    real = (core.journal_headers, core.journal_body)
    best = {"withCapture": 0.0, "withoutCapture": 0.0}
    for _ in range(3):
        best["withCapture"] = max(best["withCapture"], gateway_rate(http))
        core.journal_headers, core.journal_body = (lambda headers: {}), (lambda prefix, raw: {})
        try:
            best["withoutCapture"] = max(best["withoutCapture"], gateway_rate(http))
        finally:
            core.journal_headers, core.journal_body = real
    return best


def seed_boxes(services: MockServices, count: int) -> int:
    """`count` boxes written straight to the store (the shape the orders domain writes)."""
    with services.store.transaction(V) as tx:
        for i in range(count):
            box_id = 623122000000000000 + i
            tx.put(
                "boxes",
                box_id,
                {
                    "shipmentBoxId": box_id,
                    "orderId": 63612400000000 + i,
                    "status": ("ACCEPT", "INSTRUCT", "DEPARTURE", "FINAL_DELIVERY")[i % 4],
                    "createdAt": f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                    "orderItems": [{"vendorItemId": 1, "vendorItemName": "상품", "shippingCount": 1, "cancelCount": 0}],
                    "history": [{"status": "ACCEPT", "at": "2026-03-01T00:00:00+00:00"}],
                },
            )
    return 623122000000000000 + count - 1


def timed_get(http: Any, url: str, repeat: int) -> float:
    """Milliseconds per GET."""
    return per_call_us(lambda: http.get(url), repeat) / 1000


def state_reads() -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for count in (100, 1000, 5000):
        services = MockServices(Settings(throttle_enabled=False))
        http = create_app(services=services).test_client()
        last = seed_boxes(services, count)
        listing = f"/_mock/ui/api/vendors/{V}/state/boxes"
        rows[str(count)] = {
            "listMs": timed_get(http, listing, 20),
            "listByStatusMs": timed_get(http, listing + "?status=INSTRUCT", 20),
            "detailMs": timed_get(http, f"{listing}/{last}", 50),
        }
    return rows


def journal_list(http: Any, services: MockServices) -> dict[str, float]:
    for _ in range(services.settings.journal_size):
        http.get(f"{PATH}?{QUERY}")  # unsigned: 401, cheap
    return {
        "entries": len(services.journal.recent(None, 10**6)),
        "listMs": timed_get(http, "/_mock/ui/api/journal?status=401&limit=300", 30),
    }


def main() -> None:
    services = MockServices(Settings(throttle_enabled=False))
    http = create_app(services=services).test_client()
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "journalCapture": journal_capture(),
        "diagnosis": diagnosis(),
        "gatewayRequestsPerSecond": gateway_with_and_without_capture(http),
        "stateReads": state_reads(),
        "journalList": journal_list(http, services),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ui.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
