"""The misuse report: each rule over synthetic journals (fires / stays quiet), then over real traffic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coupang_mock.client.signing import sign
from coupang_mock.server import lint
from coupang_mock.server.cli import main
from tests.test_orders_support import Shop

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
BOXES = "/v2/providers/openapi/apis/api/v5/vendors/A00012345/ordersheets"


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


def call(ms: float, **fields: Any) -> dict[str, Any]:
    """A journal entry `ms` milliseconds after T0 (a successful GET of the order list unless told)."""
    entry = {
        "at": (T0 + timedelta(milliseconds=ms)).isoformat(),
        "method": "GET",
        "path": BOXES,
        "query": "status=ACCEPT",
        "status": 200,
        "operationId": "listOrdersheets",
        "latencyMs": 5.0,
    }
    return {**entry, **fields}


def spread(n: int, every_ms: float, **fields: Any) -> list[dict[str, Any]]:
    return [call(i * every_ms, query=f"status=ACCEPT&i={i}", **fields) for i in range(n)]


CASES = [
    # rule, a journal that breaks it, a journal that keeps to it
    ("burst-over-limit", spread(12, 50), spread(12, 200)),
    ("burst-over-limit", [call(0, status=429)], [call(0)]),
    ("parallel-requests", [call(0, latencyMs=500), call(100)], [call(0, latencyMs=50), call(100)]),
    ("repeated-404", [call(i * 1000, status=404) for i in range(3)], [call(i * 1000, status=404) for i in range(2)]),
    ("error-burst", spread(11, 10, status=400), spread(11, 200, status=400)),
    ("list-polling", [call(0), call(3000)], [call(0), call(11_000)]),
    (
        "window-too-wide",
        [call(0, status=400, message="endTime-startTime range should less than31.")],
        [call(0, status=400, message="다른 오류")],
    ),
    (
        "retried-write-after-timeout",
        [call(0, method="PUT", status=504), call(1000, method="PUT")],
        [call(0, method="PUT", status=400), call(1000, method="PUT")],
    ),
    ("signed-date-skew", [call(0, skewSeconds=-120.0)], [call(0, skewSeconds=3.0)]),
    ("key-expiry", [call(0, keyAgeDays=170.0)], [call(0, keyAgeDays=30.0)]),
]


@pytest.mark.parametrize(("rule", "breaks", "keeps"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_fires_on_misuse_and_stays_quiet_otherwise(rule: str, breaks: list[Any], keeps: list[Any]) -> None:
    fired = {f.rule: f for f in lint.lint(breaks)}
    assert rule in fired
    assert fired[rule].count >= 1 and fired[rule].policy and fired[rule].example["path"] == BOXES
    assert rule not in {f.rule for f in lint.lint(keeps)}


def test_float64_rounded_ids_are_recognised_next_to_an_existing_id() -> None:
    real = 623122000000000001
    rounded = int(float(real))
    assert rounded != real and str(rounded).endswith("00")
    entry = call(0, path=f"{BOXES}/{rounded}", status=400)
    known = lint.Context(near_existing_id=lambda value: real if abs(value - real) <= 1000 else None)
    assert [f.rule for f in lint.lint([entry], known)] == ["float64-ids"]
    assert lint.lint([entry], lint.Context()) == []  # no such id nearby: a plain not-found
    exact = call(0, path=f"{BOXES}/{real}", status=400)
    assert lint.lint([exact], known) == []  # not rounded


def test_control_plane_calls_are_not_judged() -> None:
    assert lint.lint([call(i, operationId=None, path="/_mock/clock") for i in range(50)]) == []


def test_report_over_real_traffic(shop: Shop, server: Any) -> None:
    base = server.base_url
    (item,) = shop.items({"salePrice": 10000})
    box = shop.order((item, 1))["shipmentBoxIds"][0]
    assert shop.box(box).status == 200
    rounded = int(float(box))
    assert rounded != box
    assert shop.box(rounded).status >= 400  # a JavaScript client's id
    too_wide = shop.call(
        "GET",
        f"{shop.v5}/ordersheets",
        {"createdAtFrom": "2026-01-01", "createdAtTo": "2026-03-01", "status": "ACCEPT"},
    )
    assert too_wide.status == 400
    stale = datetime.now(UTC) - timedelta(seconds=200)  # a client clock 200 s behind, inside the ±300 s window
    path = f"{shop.v5}/ordersheets/{box}"
    signed = sign(shop.client.access_key, shop.client.secret_key, "GET", path, "", stale)
    assert requests.get(base + path, headers={"Authorization": signed}, timeout=10).status_code == 200
    report = requests.get(base + "/_mock/lint", params={"vendorId": shop.vendor_id}, timeout=30).json()
    rules = {f["rule"]: f for f in report["vendors"][shop.vendor_id]}
    assert {"float64-ids", "window-too-wide", "signed-date-skew"} <= set(rules)
    assert str(rounded) in rules["float64-ids"]["example"]["path"]
    assert report["findings"] == len(rules)
    cli = CliRunner().invoke(main, ["lint", "--base-url", base, "--vendor-id", shop.vendor_id, "--strict"])
    assert cli.exit_code == 1 and "float64-ids" in cli.output and "policy:" in cli.output
    unknown = requests.get(base + "/_mock/lint", params={"vendorId": "A99999999"}, timeout=10)
    assert unknown.status_code == 404


def test_key_expiry_follows_the_test_clock(shop: Shop, server: Any) -> None:
    shop.advance(170 * 86400)
    report = requests.get(server.base_url + "/_mock/lint", params={"vendorId": shop.vendor_id}, timeout=30).json()
    (finding,) = [f for f in report["vendors"][shop.vendor_id] if f["rule"] == "key-expiry"]
    assert "expires in" in finding["detail"]


PLUGIN_TEST = """
def test_burst(coupang_mock, coupang_client):
    for _ in range(15):
        coupang_client.send_raw("GET", f"/v2/providers/openapi/apis/api/v5/vendors/{coupang_client.vendor_id}/ordersheets", "status=ACCEPT")
"""


def test_pytest_session_ends_with_the_misuse_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_integration=PLUGIN_TEST)
    summary = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    summary.assert_outcomes(passed=1)
    summary.stdout.fnmatch_lines(["*coupang-mock misuse report*", "burst-over-limit: *1 test(s)*"])
    strict = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--coupang-mock-lint=strict")
    assert strict.ret == pytest.ExitCode.TESTS_FAILED
    quiet = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--coupang-mock-lint=off")
    assert "misuse report" not in quiet.stdout.str()
