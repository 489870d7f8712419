"""Throttling on the test clock, fault injection, and the 3-second gateway time-out."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient, RateLimitError, RetryPolicy, ServerError
from coupang_mock.client.signing import encode_query
from coupang_mock.server.clock import TestClock
from coupang_mock.server.faults import LATENCY_HEADER, LATENCY_MODE_HEADER
from coupang_mock.server.settings import Settings
from coupang_mock.server.throttle import WARNING_HEADER
from tests.conftest import ECHO, THINGS

QUERY = {"status": "ACCEPT"}


@pytest.fixture
def settings() -> Settings:
    return Settings(throttle_enabled=True)


def _control(server: Any, method: str, path: str, json: Any = None) -> requests.Response:
    return requests.request(method, server.base_url + "/_mock" + path, json=json, timeout=10)


def test_eleventh_request_in_one_second_is_429(client: CoupangClient) -> None:
    for _ in range(10):
        client.request("GET", ECHO, QUERY)
    with pytest.raises(RateLimitError) as err:
        client.request("GET", ECHO, QUERY)
    assert err.value.status == 429
    assert err.value.body["code"] == "ERROR" and err.value.message == "Too Many Requests"


RG_ORDERS = "/v2/providers/rg_open_api/apis/api/v1/vendors/A00012345/rg/orders"


def test_rocket_growth_orders_have_their_own_quota_of_50_a_minute(
    server: Any, client: CoupangClient, clock: TestClock
) -> None:
    # Lift the per-second limit so only the operation's own class can refuse.
    assert _control(server, "PUT", "/throttle", {"ratePerSecond": 1000, "burst": 1000}).status_code == 200
    query = encode_query({"paidDateFrom": "20260301", "paidDateTo": "20260302"})
    statuses = [client.send_raw("GET", RG_ORDERS, query).status_code for _ in range(51)]
    assert 429 not in statuses[:50] and statuses[50] == 429
    assert client.send_raw("GET", ECHO, encode_query(QUERY)).status_code == 200, "other operations are unaffected"
    clock.advance(60)
    assert client.send_raw("GET", RG_ORDERS, query).status_code != 429


def test_warning_header_near_the_limit(client: CoupangClient) -> None:
    headers = [client.request("GET", ECHO, QUERY).raw.headers.get(WARNING_HEADER) for _ in range(10)]
    assert all(h is None for h in headers[:8])
    assert all(h for h in headers[8:])


def test_tokens_refill_on_the_test_clock(client: CoupangClient, clock: TestClock) -> None:
    for _ in range(10):
        client.request("GET", ECHO, QUERY)
    with pytest.raises(RateLimitError):
        client.request("GET", ECHO, QUERY)
    clock.advance(0.5)
    for _ in range(5):
        client.request("GET", ECHO, QUERY)
    with pytest.raises(RateLimitError):
        client.request("GET", ECHO, QUERY)


def test_block_period_after_violation(server: Any, client: CoupangClient, clock: TestClock) -> None:
    assert (
        _control(
            server, "PUT", "/throttle", {"vendorId": "A00012345", "ratePerSecond": 2, "burst": 2, "blockSeconds": 60}
        ).status_code
        == 200
    )
    client.request("GET", ECHO, QUERY)
    client.request("GET", ECHO, QUERY)
    with pytest.raises(RateLimitError):
        client.request("GET", ECHO, QUERY)
    clock.advance(30)
    with pytest.raises(RateLimitError):
        client.request("GET", ECHO, QUERY)
    clock.advance(31)
    client.request("GET", ECHO, QUERY)


def test_throttle_can_be_switched_off(server: Any, client: CoupangClient) -> None:
    assert _control(server, "PUT", "/throttle", {"enabled": False}).json()["enabled"] is False
    for _ in range(30):
        client.request("GET", ECHO, QUERY)


def test_client_backs_off_and_retries_429(server: Any, clock: TestClock) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    retrying = CoupangClient(
        "00000000-0000-0000-0000-000000000000",
        "fake-secret-key-for-test-vectors-only",
        "A00012345",
        base_url=server.base_url,
        sleep=sleep,
        seed=1,
    )
    for _ in range(12):
        retrying.request("GET", ECHO, QUERY)
    assert slept and all(0 < s <= 8 for s in slept)


@pytest.mark.parametrize(
    ("fault", "status", "check"),
    [
        (
            {"status": 500, "body": {"code": 500, "message": "Internal Exception"}},
            500,
            lambda r: r.json()["message"] == "Internal Exception",
        ),
        (
            {"preset": "akamai-403"},
            403,
            lambda r: "Access Denied" in r.text and r.headers["Content-Type"].startswith("text/html"),
        ),
        ({"preset": "upstream-521"}, 521, lambda r: r.json()["message"].startswith("connection timed out")),
        ({"latencyMs": 3500, "virtualLatency": True}, 504, lambda r: r.json()["code"] == "ERROR"),
    ],
    ids=["500", "akamai-403", "521", "latency-504"],
)
def test_fault_injection(server: Any, fault: dict[str, Any], status: int, check: Any) -> None:
    created = _control(server, "POST", "/faults", {"operationId": "fixtureEcho", "count": 1, **fault})
    assert created.status_code == 201
    client = CoupangClient(
        "00000000-0000-0000-0000-000000000000",
        "fake-secret-key-for-test-vectors-only",
        "A00012345",
        base_url=server.base_url,
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(Exception) as err:
        client.request("GET", ECHO, QUERY)
    assert err.value.status == status  # type: ignore[attr-defined]
    assert check(err.value.response)  # type: ignore[attr-defined]
    client.request("GET", ECHO, QUERY)  # count=1: the next call goes through
    assert _control(server, "GET", "/faults").json() == []


def test_extended_timeout_lets_slow_calls_through(server: Any, client: CoupangClient) -> None:
    _control(server, "POST", "/faults", {"pathPrefix": ECHO, "latencyMs": 5000, "virtualLatency": True})
    with pytest.raises(ServerError) as err:
        client.request("GET", ECHO, QUERY)
    assert err.value.status == 504
    assert err.value.message == "Request timed out, if the situation continues consider applying timeout extension."
    assert client.request("GET", ECHO, QUERY, headers={"X-EXTENDED-TIMEOUT": "90000"}).status == 200


def test_real_latency_is_slept_only_when_asked(server: Any, services: Any, client: CoupangClient) -> None:
    slept: list[float] = []
    services.faults._sleep = slept.append
    _control(server, "POST", "/faults", {"operationId": "fixtureEcho", "latencyMs": 1200, "count": 1})
    virtual = client.request("GET", ECHO, QUERY).raw
    assert slept == [], "latency is virtual by default"
    assert (virtual.headers[LATENCY_HEADER], virtual.headers[LATENCY_MODE_HEADER]) == ("1200", "virtual")
    _control(server, "POST", "/faults", {"operationId": "fixtureEcho", "latencyMs": 1200, "real": True})
    real = client.request("GET", ECHO, QUERY).raw
    assert slept == [1.2]
    assert real.headers[LATENCY_MODE_HEADER] == "real"
    assert services.journal.recent(limit=1)[0]["faultLatencyMs"] == 1200


def test_real_latency_slots_are_bounded_per_vendor(services: Any) -> None:
    """A vendor's real-latency requests beyond its slots are answered at once (virtual-busy) instead of
    holding more threads; another vendor has slots of its own."""
    release = threading.Event()
    entered = threading.Semaphore(0)

    def sleep(_seconds: float) -> None:
        entered.release()
        release.wait(5)

    services.faults._sleep = sleep
    services.faults.add({"vendorId": "A00012345", "latencyMs": 2000, "real": True})
    services.faults.add({"vendorId": "B00000001", "latencyMs": 2000, "real": True})
    modes: list[str] = []

    def call(vendor: str) -> None:
        latency = services.faults.apply("op", "GET", "/x", vendor, 3000)
        modes.append(latency.mode)

    sleepers = [threading.Thread(target=call, args=("A00012345",)) for _ in range(services.settings.real_latency_slots)]
    for thread in sleepers:
        thread.start()
    for _ in sleepers:
        assert entered.acquire(timeout=5)
    call("A00012345")
    assert modes == ["virtual-busy"]
    other = threading.Thread(target=call, args=("B00000001",))
    other.start()
    assert entered.acquire(timeout=5), "another vendor still gets a real sleep"
    release.set()
    for thread in [*sleepers, other]:
        thread.join(5)
    assert sorted(modes) == ["real"] * (len(sleepers) + 1) + ["virtual-busy"]


def test_probability_zero_never_fires_and_faults_clear(server: Any, client: CoupangClient) -> None:
    _control(server, "POST", "/faults", {"operationId": "fixtureEcho", "status": 500, "probability": 0})
    for _ in range(5):
        client.request("GET", ECHO, QUERY)
    assert _control(server, "DELETE", "/faults").status_code == 200
    assert _control(server, "GET", "/faults").json() == []


def test_server_errors_are_retried_for_gets(server: Any) -> None:
    _control(server, "POST", "/faults", {"operationId": "fixtureEcho", "status": 503, "count": 2})
    client = CoupangClient(
        "00000000-0000-0000-0000-000000000000",
        "fake-secret-key-for-test-vectors-only",
        "A00012345",
        base_url=server.base_url,
        sleep=lambda s: None,
    )
    assert client.request("GET", ECHO, QUERY).status == 200


def test_server_errors_are_not_retried_for_posts(server: Any) -> None:
    _control(server, "POST", "/faults", {"operationId": "fixtureCreateThing", "status": 503, "count": 1})
    client = CoupangClient(
        "00000000-0000-0000-0000-000000000000",
        "fake-secret-key-for-test-vectors-only",
        "A00012345",
        base_url=server.base_url,
        sleep=lambda s: None,
    )
    with pytest.raises(ServerError):
        client.request("POST", THINGS, body={"vendorId": "A00012345", "name": "x"})


@pytest.mark.parametrize(
    "fault",
    [{}, {"status": 500, "bogus": 1}, {"preset": "nope"}, {"status": 500, "probability": 2}],
    ids=["empty", "unknown-field", "bad-preset", "bad-probability"],
)
def test_bad_fault_definitions_are_400(server: Any, fault: dict[str, Any]) -> None:
    response = _control(server, "POST", "/faults", fault)
    assert response.status_code == 400
    assert response.json()["message"]
