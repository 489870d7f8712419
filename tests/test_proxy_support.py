"""Helpers of the proxy and drift tests: local upstreams (the mock, a drifting server) and seller traffic."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.errors import CoupangError
from coupang_mock.server.app import create_app
from coupang_mock.server.proxy import Proxy, build_proxy
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings

VENDOR = DEFAULT_VENDOR_ID
V4 = f"/v2/providers/openapi/apis/api/v4/vendors/{VENDOR}"
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}"
KST = timedelta(hours=9)
UNKNOWN_ERROR = "일시적인 오류입니다. 잠시 후 다시 시도해 주세요."


@contextmanager
def mock_upstream(wrap: Callable[[Any], Any] | None = None) -> Iterator[RunningServer]:
    """A fresh mock (throttle off) on a free port, optionally behind a WSGI wrapper."""
    app = create_app(Settings(throttle_enabled=False))
    running = start_in_thread(wrap(app) if wrap else app, threads=4)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def proxy_to(upstream: str, tmp: Path, **options: Any) -> Iterator[tuple[Proxy, RunningServer]]:
    proxy = build_proxy(upstream, tmp / "rec", tmp / "report.json", threads=4, **options)
    running = start_in_thread(proxy.app, threads=4)  # type: ignore[arg-type]
    try:
        yield proxy, running
    finally:
        running.stop()
        proxy.finish()


def client_for(base_url: str) -> CoupangClient:
    return CoupangClient(
        DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, VENDOR, base_url=base_url, retry=RetryPolicy(max_retries=0)
    )


@dataclass
class Answer:
    status: int
    body: Any


def call(client: CoupangClient, method: str, path: str, query: Any = None, body: Any = None) -> Answer:
    try:
        response = client.request(method, path, query, body)
        return Answer(response.status, response.body)
    except CoupangError as err:
        return Answer(err.status, err.body)


def place_order(mock_url: str, quantity: int = 1) -> dict[str, Any]:
    """A buyer's order on the mock's control plane: (orderId, shipmentBoxIds, vendorItemId)."""
    items = requests.post(
        f"{mock_url}/_mock/vendors/{VENDOR}/catalog/items",
        json={"items": [{"itemName": "옵션 1", "salePrice": 10000, "quantity": 10}]},
        timeout=10,
    ).json()["vendorItemIds"]
    order = requests.post(
        f"{mock_url}/_mock/vendors/{VENDOR}/orders",
        json={"items": [{"vendorItemId": items[0], "quantity": quantity}]},
        timeout=10,
    ).json()
    return {**order, "vendorItemId": items[0]}


def list_query(mock_url: str, status: str = "ACCEPT") -> dict[str, str]:
    """Yesterday to today in Korean time, on the mock's clock."""
    now = datetime.fromisoformat(requests.get(f"{mock_url}/_mock/clock", timeout=10).json()["now"]) + KST
    return {
        "createdAtFrom": (now - timedelta(days=1)).date().isoformat(),
        "createdAtTo": now.date().isoformat(),
        "status": status,
    }


def seller_day(client: CoupangClient, mock_url: str) -> list[Answer]:
    """A seller's ordinary day: list, read, acknowledge, invoice, and the documented refusals."""
    order = place_order(mock_url)
    box = order["shipmentBoxIds"][0]
    answers = [
        call(client, "GET", f"{V5}/ordersheets", list_query(mock_url)),
        call(client, "GET", f"{V4}/ordersheets", list_query(mock_url)),
        call(client, "GET", f"{V5}/ordersheets/{box}"),
        call(client, "GET", f"{V4}/ordersheets/{box}"),
        call(client, "GET", f"{V5}/{order['orderId']}/ordersheets"),
        call(client, "GET", f"{V5}/ordersheets/{box}/history"),
        call(client, "PUT", f"{V4}/ordersheets/acknowledgement", body={"vendorId": VENDOR, "shipmentBoxIds": [box]}),
        call(client, "GET", f"{V5}/ordersheets", {"createdAtFrom": "2026-03-01", "status": "ACCEPT"}),
        call(client, "GET", f"{V5}/ordersheets", list_query(mock_url, "INSTRUCT")),
    ]
    return answers


class DriftingApp:
    """The mock with Coupang's production habits: a renamed field, an undocumented status, a changed
    type, an error text the spec never shows and a throttle-warning header."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        chunks = b"".join(self.inner(environ, capture))
        status, headers = captured["status"], [h for h in captured["headers"] if h[0].lower() != "content-length"]
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        body = json.loads(chunks) if chunks.strip().startswith(b"{") else None
        status, body, headers = self.drift(path, query, status, body, headers)
        data = chunks if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(status, [*headers, ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def drift(
        path: str, query: str, status: str, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[str, Any, list[tuple[str, str]]]:
        if re.fullmatch(V5 + r"/ordersheets/\d+", path) and status.startswith("200"):
            data = body["data"]
            data["paidDate"] = data.pop("paidAt")  # renamed field
            data["shipmentBoxId"] = str(data["shipmentBoxId"])  # int64 sent as a string
            headers.append(("X-CAG-Warnings", "Throttling limit is nearly reached"))
        elif path == V5 + "/ordersheets" and "status=DEPARTURE" in query:
            return "503 Service Unavailable", {"code": 503, "message": "Service Unavailable"}, headers
        elif path == V5 + "/ordersheets" and status.startswith("400"):
            body["message"] = UNKNOWN_ERROR
        return status, body, headers


def recorded_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))
