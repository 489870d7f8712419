"""`coupang-mock serve --workers 2`: two gunicorn processes on one SQLite file behave as one mock.

Every answer names its worker (X-Mock-Worker), so each test also checks that both processes took part.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.signing import encode_query
from coupang_mock.server.server import WORKER_HEADER

CLIENTS = 32
V4 = "/v2/providers/openapi/apis/api/v4/vendors/{vendor}"


@dataclass
class Served:
    process: subprocess.Popen[str]
    base_url: str
    lines: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    workers: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, response: requests.Response) -> requests.Response:
        with self._lock:
            self.statuses[response.status_code] += 1
            self.workers.add(response.headers.get(WORKER_HEADER, "?"))
        return response

    def control(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        # A fresh connection per call lets the kernel hand it to either worker.
        response = requests.request(
            method,
            f"{self.base_url}/_mock{path}",
            json=body,
            params=params or None,
            timeout=60,
            headers={"Connection": "close"},
        )
        return self.seen(response)

    def client(self, vendor: dict[str, Any]) -> CoupangClient:
        return CoupangClient(
            vendor["accessKey"],
            vendor["secretKey"],
            vendor["vendorId"],
            base_url=self.base_url,
            retry=RetryPolicy(max_retries=0),
            timeout=60,
        )

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        with pytest.raises(ProcessLookupError):  # no worker outlives the master
            os.killpg(self.process.pid, 0)
        return code


def serve(db: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
    command = [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--workers", "2", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--store", f"sqlite:///{db}", "--threads", "8", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
    deadline = time.monotonic() + 60
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, "".join(seen)
            continue
        seen.append(line)
        if "listening on" in line:
            served = Served(process, line.split("listening on", 1)[1].strip(), seen)
            _wait_for_both(served, deadline)
            served.statuses.clear()
            return served
    process.kill()
    raise AssertionError("no 'listening on' line: " + "".join(seen))


def _wait_for_both(served: Served, deadline: float) -> None:
    while time.monotonic() < deadline and len(served.workers - {"?"}) < 2:
        try:
            served.control("GET", "/clock")
        except requests.ConnectionError:
            time.sleep(0.2)
    assert len(served.workers - {"?"}) == 2, "both workers answer"
    served.workers.clear()


def on_other_worker(served: Served, than: str, call: Callable[[], requests.Response]) -> requests.Response:
    """Repeat `call` until a worker other than `than` answers it."""
    for _ in range(200):
        response = call()
        if response.headers[WORKER_HEADER] != than:
            return response
    raise AssertionError("the other worker never answered")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = serve(tmp_path_factory.mktemp("workers") / "mock.db", "--no-throttle")
    yield running
    assert running.stop() == 0


@pytest.fixture
def vendor(served: Served) -> dict[str, Any]:
    created = served.control("POST", "/vendors")
    assert created.status_code == 201
    return created.json()


def test_32_clients_place_and_acknowledge_orders(served: Served) -> None:
    vendors = [served.control("POST", "/vendors").json() for _ in range(4)]
    assert len({v["vendorId"] for v in vendors}) == 4 and len({v["accessKey"] for v in vendors}) == 4
    items = {
        v["vendorId"]: served.control(
            "POST",
            f"/vendors/{v['vendorId']}/catalog/items",
            {"items": [{"itemName": "동시성 테스트", "salePrice": 10000, "quantity": 10_000}]},
        ).json()["vendorItemIds"][0]
        for v in vendors
    }

    def place(n: int) -> list[tuple[str, int, int]]:
        vendor_id = vendors[n % 4]["vendorId"]
        placed = []
        for _ in range(2):
            body = {"items": [{"vendorItemId": items[vendor_id], "quantity": 1}]}
            answer = served.control("POST", f"/vendors/{vendor_id}/orders", body)
            assert answer.status_code == 201, answer.text
            placed += [(vendor_id, answer.json()["orderId"], box) for box in answer.json()["shipmentBoxIds"]]
        return placed

    with ThreadPoolExecutor(CLIENTS) as pool:
        orders = [row for rows in pool.map(place, range(CLIENTS)) for row in rows]
    assert len(orders) == 2 * CLIENTS
    assert len({order for _, order, _ in orders}) == len(orders), "duplicate order ids"
    assert len({box for _, _, box in orders}) == len(orders), "duplicate shipmentBoxIds"

    clients = {v["vendorId"]: v for v in vendors}

    def acknowledge(job: tuple[int, tuple[str, int, int]]) -> tuple[int, bool]:
        _attempt, (vendor_id, _order, box) = job
        client = served.client(clients[vendor_id])
        response = client.send_raw(
            "PUT",
            V4.format(vendor=vendor_id) + "/ordersheets/acknowledgement",
            body={"vendorId": vendor_id, "shipmentBoxIds": [box]},
            headers={"Connection": "close"},
        )
        served.seen(response)
        assert response.status_code == 200, response.text
        return box, response.json()["data"]["responseList"][0]["succeed"]

    jobs = [(attempt, order) for order in orders for attempt in range(3)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(acknowledge, jobs))
    successes = Counter(box for box, ok in outcomes if ok)
    assert sorted(successes.values()) == [1] * len(orders), "each box acknowledged exactly once"
    assert not [s for s in served.statuses if s >= 500], served.statuses
    assert len(served.workers) == 2, served.workers


def test_clock_moved_through_one_worker_is_read_through_the_other(served: Served, vendor: dict[str, Any]) -> None:
    vendor_id = vendor["vendorId"]
    before = datetime.fromisoformat(served.control("GET", "/clock", vendorId=vendor_id).json()["now"])
    moved = served.control("POST", "/clock", {"advanceSeconds": 3 * 86_400, "vendorId": vendor_id})
    assert moved.status_code == 200
    read = on_other_worker(
        served, moved.headers[WORKER_HEADER], lambda: served.control("GET", "/clock", vendorId=vendor_id)
    )
    assert datetime.fromisoformat(read.json()["now"]) - before >= timedelta(days=3)
    served.control("POST", "/clock", {"advanceSeconds": -3 * 86_400, "vendorId": vendor_id})


def test_fault_added_on_one_worker_fires_on_both_and_counts_once(served: Served, vendor: dict[str, Any]) -> None:
    vendor_id = vendor["vendorId"]
    rule = served.control("POST", "/faults", {"vendorId": vendor_id, "status": 503, "count": 6})
    assert rule.status_code == 201
    listed = on_other_worker(served, rule.headers[WORKER_HEADER], lambda: served.control("GET", "/faults"))
    assert [r["status"] for r in listed.json()] == [503]
    client = served.client(vendor)
    path = V4.format(vendor=vendor_id) + "/ordersheets"
    query = encode_query({"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-02", "status": "ACCEPT"})

    def call(_n: int) -> tuple[int, str]:
        response = client.send_raw("GET", path, query, headers={"Connection": "close"})
        return response.status_code, response.headers[WORKER_HEADER]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, range(20)))
    assert Counter(status for status, _ in answers)[503] == 6
    assert all(status in {200, 503} for status, _ in answers), answers
    assert served.control("GET", "/faults").json() == []


def test_throttle_counts_per_vendor_across_workers(served: Served, vendor: dict[str, Any]) -> None:
    vendor_id = vendor["vendorId"]
    configured = served.control(
        "PUT", "/throttle", {"vendorId": vendor_id, "enabled": True, "ratePerSecond": 0.001, "burst": 10}
    )
    assert configured.status_code == 200
    client = served.client(vendor)
    path = V4.format(vendor=vendor_id) + "/ordersheets"
    query = encode_query({"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-02", "status": "ACCEPT"})

    def call(_n: int) -> tuple[int, str]:
        response = client.send_raw("GET", path, query, headers={"Connection": "close"})
        return response.status_code, response.headers[WORKER_HEADER]

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(call, range(CLIENTS)))
    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: 10, 429: CLIENTS - 10}
    assert len({worker for _, worker in answers}) == 2


def test_ladder_thresholds_and_hold_are_shared_by_the_workers(served: Served, vendor: dict[str, Any]) -> None:
    vendor_id = vendor["vendorId"]
    configured = served.control("PUT", "/ladder", {"vendorId": vendor_id, "holdSeconds": 120, "sustainedCalls": 0})
    assert configured.status_code == 200
    worker = configured.headers[WORKER_HEADER]
    other = on_other_worker(served, worker, lambda: served.control("GET", "/ladder", vendorId=vendor_id))
    assert (other.json()["settings"]["holdSeconds"], other.json()["settings"]["sustainedCalls"]) == (120, 0)
    assert served.control(
        "PUT", "/throttle", {"vendorId": vendor_id, "enabled": True, "ratePerSecond": 0.001, "burst": 1}
    ).ok
    client = served.client(vendor)
    path = V4.format(vendor=vendor_id) + "/ordersheets"
    query = encode_query({"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-02", "status": "ACCEPT"})
    answers = [served.seen(client.send_raw("GET", path, query, headers={"Connection": "close"})) for _ in range(12)]
    assert [a.status_code for a in answers] == [200] + [429] * 11
    assert len({a.headers[WORKER_HEADER] for a in answers}) == 2
    held = on_other_worker(served, worker, lambda: served.control("GET", "/ladder", vendorId=vendor_id)).json()
    assert held["state"] == "HELD"


def test_every_workers_requests_reach_the_journal(served: Served, vendor: dict[str, Any]) -> None:
    """Each worker writes its entries in batches (journal.py): within moments, either one lists all."""
    vendor_id = vendor["vendorId"]
    client = served.client(vendor)
    path = V4.format(vendor=vendor_id) + "/ordersheets"
    query = encode_query({"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-02", "status": "ACCEPT"})
    answers = [served.seen(client.send_raw("GET", path, query, headers={"Connection": "close"})) for _ in range(20)]
    assert len({a.headers[WORKER_HEADER] for a in answers}) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listed = served.control("GET", "/journal", vendorId=vendor_id, limit=100).json()
        if len(listed) >= 20:
            break
        time.sleep(0.05)
    assert len(listed) == 20 and {e["status"] for e in listed} == {200}
    assert len({e["id"] for e in listed}) == 20, "sequence numbers are unique across workers"


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_each_worker_listens_on_a_socket_of_its_own(served: Served) -> None:
    """On one shared socket, whichever worker woke first took a whole pool of new keep-alive connections
    and the other idled while the pool lived; with SO_REUSEPORT each worker has its own listening socket
    and the kernel spreads connections over them."""
    port = int(served.base_url.rsplit(":", 1)[1])
    listening = [
        line
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        if Path(table).exists()
        for line in Path(table).read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"
    ]
    assert len(listening) == 2
    sessions = [requests.Session() for _ in range(24)]
    try:
        with ThreadPoolExecutor(len(sessions)) as pool:
            answers = list(pool.map(lambda s: s.get(f"{served.base_url}/_mock/clock", timeout=60), sessions))
        first = [answer.headers[WORKER_HEADER] for answer in answers]
        again = [s.get(f"{served.base_url}/_mock/clock", timeout=60).headers[WORKER_HEADER] for s in sessions]
    finally:
        for session in sessions:
            session.close()
    assert len(set(first)) == 2 and again == first, "kept-alive connections stay with their worker"


def test_restart_on_the_same_file_keeps_clock_offset_and_fault_rules(tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    first = serve(db, env={"COUPANG_MOCK_JOURNAL_FLUSH_MS": "600000"})  # journal batches wait for the exit
    start = datetime.fromisoformat(first.control("GET", "/clock").json()["now"])
    assert first.control("POST", "/clock", {"advanceSeconds": 10 * 86_400}).status_code == 200
    assert first.control("POST", "/faults", {"pathPrefix": "/v2/providers/x", "status": 502}).status_code == 201
    unsigned = requests.get(
        f"{first.base_url}/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets", timeout=60
    )
    assert unsigned.status_code == 401
    assert first.stop(signal.SIGINT) == 0
    again = serve(db)
    try:
        now = datetime.fromisoformat(again.control("GET", "/clock").json()["now"])
        assert timedelta(days=10) <= now - start < timedelta(days=10, minutes=5)
        assert [(r["pathPrefix"], r["status"]) for r in again.control("GET", "/faults").json()] == [
            ("/v2/providers/x", 502)
        ]
        kept = again.control("GET", "/journal", limit=10).json()
        assert [e["status"] for e in kept][:1] == [401], "the last batch was written when the worker stopped"
    finally:
        assert again.stop() == 0


def test_memory_store_is_refused_with_workers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--workers", "2", "--store", "memory"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "memory store lives inside one process" in result.stderr


def test_another_vendors_order_is_told_apart_on_either_worker(served: Served) -> None:
    """The handler asks for every vendor inside its own vendor's transaction (SQLite cannot nest the
    system one there): it must still answer Coupang's refusal, never a 500."""
    owner, other = served.control("POST", "/vendors").json(), served.control("POST", "/vendors").json()
    item = served.control(
        "POST",
        f"/vendors/{owner['vendorId']}/catalog/items",
        {"items": [{"itemName": "남의 주문", "salePrice": 10000, "quantity": 5}]},
    ).json()["vendorItemIds"][0]
    order = served.control(
        "POST", f"/vendors/{owner['vendorId']}/orders", {"items": [{"vendorItemId": item, "quantity": 1}]}
    ).json()["orderId"]
    client = served.client(other)
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{other['vendorId']}/{order}/ordersheets"
    answers: list[requests.Response] = []
    while len({a.headers[WORKER_HEADER] for a in answers}) < 2 and len(answers) < 60:
        answers.append(served.seen(client.send_raw("GET", path, headers={"Connection": "close"})))
    assert {(a.status_code, a.json()["message"]) for a in answers} == {
        (400, "다른 판매자의 주문을 조회할 수 없습니다.")
    }
    assert len({a.headers[WORKER_HEADER] for a in answers}) == 2
