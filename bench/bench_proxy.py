"""Latency the recording proxy adds on loopback (run by hand: python bench/bench_proxy.py [N]).

One keep-alive client sends N sequential requests, alternating between the upstream directly and
the same upstream through the proxy (interleaved, so machine noise hits both sides alike). Two
upstreams: a constant ~2 KB JSON answer (isolates the proxy) and the mock itself (a real order
sheet through the whole gateway). The proxy records and judges every exchange (--record on), as
it would in use. Added latency = median(through proxy) - median(direct); the target is < 2 ms.
Raw numbers go to bench/out/proxy.json. Never asserted in tests.
"""

from __future__ import annotations

import http.client
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from coupang_mock.client.signing import sign  # noqa: E402
from coupang_mock.server.app import create_app  # noqa: E402
from coupang_mock.server.proxy import build_proxy  # noqa: E402
from coupang_mock.server.server import start_in_thread  # noqa: E402
from coupang_mock.server.settings import Settings  # noqa: E402

VENDOR = "A00012345"
SHEET_PATH = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}/ordersheets/"
CONSTANT = json.dumps(
    {
        "code": 200,
        "message": "OK",
        "data": [{"shipmentBoxId": 222498000000000000 + i, "orderId": 16978300000000 + i, "status": "ACCEPT",
                  "receiver": {"name": "김*수", "safeNumber": "0502-1234-5678", "addr1": "서울특별시 강남구 테헤란로 1"}}
                 for i in range(12)],
        "nextToken": "",
    },
    ensure_ascii=False,
).encode()  # fmt: skip


def constant_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(CONSTANT)))]
    )
    return [CONSTANT]


def _get(conn: http.client.HTTPConnection, path: str, query: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    conn.request("GET", path + (f"?{query}" if query else ""), headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, response.status
    return elapsed


def measure(upstream_url: str, path: str, query: str, headers: Callable[[], dict[str, str]], n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        proxy = build_proxy(upstream_url, Path(tmp) / "rec", None, threads=4)
        server = start_in_thread(proxy.app, threads=4)  # type: ignore[arg-type]
        try:
            up = http.client.HTTPConnection(*upstream_url.split("//")[1].split(":"))
            via = http.client.HTTPConnection(server.host, server.port)
            for _ in range(50):  # warm-up: connections, compiled validators, caches
                _get(up, path, query, headers())
                _get(via, path, query, headers())
            direct: list[float] = []
            proxied: list[float] = []
            for i in range(n):
                pair = ((up, direct), (via, proxied)) if i % 2 else ((via, proxied), (up, direct))
                for conn, out in pair:
                    out.append(_get(conn, path, query, headers()))
            up.close()
            via.close()
        finally:
            server.stop()
            report = proxy.finish()
        recorded = len(list((Path(tmp) / "rec").glob("*.json")))
    ms = [x * 1000 for x in direct], [x * 1000 for x in proxied]
    return {
        "requests": n,
        "directMedianMs": round(statistics.median(ms[0]), 3),
        "proxiedMedianMs": round(statistics.median(ms[1]), 3),
        "addedMedianMs": round(statistics.median(ms[1]) - statistics.median(ms[0]), 3),
        "directP90Ms": round(statistics.quantiles(ms[0], n=10)[8], 3),
        "proxiedP90Ms": round(statistics.quantiles(ms[1], n=10)[8], 3),
        "recorded": recorded,
        "dropped": report.dropped,
        "drifts": len(report.drifts),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    results: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine()}

    constant = start_in_thread(constant_app, threads=4)  # type: ignore[arg-type]
    try:
        results["constantUpstream"] = measure(constant.base_url, SHEET_PATH + "1", "", lambda: {}, n)
    finally:
        constant.stop()

    settings = Settings(throttle_enabled=False)
    mock = start_in_thread(create_app(settings), threads=4)
    try:
        items = requests.post(
            f"{mock.base_url}/_mock/vendors/{VENDOR}/catalog/items",
            json={"items": [{"itemName": "옵션", "salePrice": 10000, "quantity": 100}]},
            timeout=10,
        ).json()["vendorItemIds"]
        order = requests.post(
            f"{mock.base_url}/_mock/vendors/{VENDOR}/orders",
            json={"items": [{"vendorItemId": items[0], "quantity": 1}]},
            timeout=10,
        ).json()
        path = SHEET_PATH + str(order["shipmentBoxIds"][0])

        def signed() -> dict[str, str]:
            return {
                "Authorization": sign(settings.default_access_key, settings.default_secret_key, "GET", path, ""),
                "X-Requested-By": VENDOR,
            }

        results["mockUpstream"] = measure(mock.base_url, path, "", signed, n)
    finally:
        mock.stop()

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "proxy.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
