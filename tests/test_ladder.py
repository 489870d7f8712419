"""Coupang's blocking ladder: held after a burst, blocked for sustained abuse, 404s or fan-out, denied
after an error burst, each released on the test clock; as a table (unit) and through HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient
from coupang_mock.server.clock import TestClock
from coupang_mock.server.domains.fsm import transition_coverage
from coupang_mock.server.ladder import BLOCKED, BLOCKED_LOCATION, DENIED, HELD, OPEN, Ladder, LadderSettings
from coupang_mock.server.settings import Settings
from tests.conftest import ECHO, START

V = "A00012345"


def answer_of(ladder: Ladder, at: Any) -> int:
    try:
        ladder.check(V, at, "/v2/x")
    except Exception as err:  # ApiError
        return err.status  # type: ignore[attr-defined]
    return 200


def test_a_throttled_call_holds_the_vendor_until_the_period_ends() -> None:
    ladder = Ladder(LadderSettings(hold_seconds=300))
    ladder.throttled(V, START)
    assert ladder.rung(V, START).state == HELD
    assert answer_of(ladder, START + timedelta(seconds=299)) == 429  # not a sliding 1-s window
    assert answer_of(ladder, START + timedelta(seconds=300)) == 200
    assert ladder.rung(V, START + timedelta(seconds=301)).state == OPEN


def test_no_hold_when_holding_is_off() -> None:
    ladder = Ladder(LadderSettings(hold_seconds=0))
    ladder.throttled(V, START)
    assert answer_of(ladder, START) == 200


def test_calls_that_keep_coming_while_held_block_the_vendor_with_302() -> None:
    ladder = Ladder(LadderSettings(hold_seconds=300, sustained_calls=5, block_seconds=1800))
    ladder.throttled(V, START)
    statuses = [answer_of(ladder, START + timedelta(seconds=i)) for i in range(6)]
    assert statuses == [429, 429, 429, 429, 302, 302]
    with pytest.raises(Exception) as blocked:
        ladder.check(V, START + timedelta(seconds=10), "/v2/x")
    assert blocked.value.headers["Location"] == BLOCKED_LOCATION  # type: ignore[attr-defined]
    assert answer_of(ladder, START + timedelta(seconds=4 + 1800)) == 200


def test_an_error_burst_denies_with_the_akamai_page() -> None:
    ladder = Ladder(LadderSettings(error_burst=5, deny_seconds=600))
    for i in range(4):
        ladder.observe(V, 400, START + timedelta(milliseconds=i))
    assert ladder.rung(V, START).state == OPEN
    ladder.observe(V, 500, START + timedelta(milliseconds=5))
    assert ladder.rung(V, START).state == DENIED
    with pytest.raises(Exception) as denied:
        ladder.check(V, START + timedelta(seconds=1), "/v2/providers/x")
    assert denied.value.status == 403 and "Access Denied" in denied.value.body  # type: ignore[attr-defined]
    assert answer_of(ladder, START + timedelta(seconds=601)) == 200


def test_errors_spread_over_seconds_do_not_deny() -> None:
    ladder = Ladder(LadderSettings(error_burst=3))
    for i in range(10):
        ladder.observe(V, 400, START + timedelta(seconds=i))
    assert ladder.rung(V, START + timedelta(seconds=10)).state == OPEN


def test_repeated_404s_and_foreign_vendor_ids_block() -> None:
    ladder = Ladder(LadderSettings(not_found_burst=3, not_found_window=60, error_burst=0))
    ladder.observe(V, 404, START)
    ladder.observe(V, 400, START + timedelta(seconds=10), foreign_vendor=True)
    assert ladder.rung(V, START).state == OPEN
    ladder.observe(V, 404, START + timedelta(seconds=20))
    assert ladder.rung(V, START + timedelta(seconds=20)).state == BLOCKED


def test_fan_out_blocks_when_too_many_calls_are_in_flight() -> None:
    ladder = Ladder(LadderSettings(fan_out=2))
    ladder.enter(V, START)
    ladder.enter(V, START)
    ladder.leave(V)
    ladder.enter(V, START)
    assert ladder.rung(V, START).state == OPEN
    ladder.enter(V, START)
    assert ladder.rung(V, START).state == BLOCKED


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"holdMinutes": 1}, "holdMinutes: unknown ladder field"),
        ({"holdSeconds": "10"}, "holdSeconds: a number"),
        ({"holdSeconds": -1}, "holdSeconds: a number"),
        ({"errorBurst": 1.5}, "errorBurst: a whole number"),
        ({"blockSeconds": True}, "blockSeconds: a number"),
    ],
)
def test_bad_settings_name_the_field(changes: dict[str, Any], said: str) -> None:
    with pytest.raises(ValueError, match=said):
        LadderSettings().updated(changes)


# ---------------------------------------------------------------- through HTTP


@pytest.fixture
def settings() -> Settings:
    return Settings(throttle_enabled=True, rate_per_second=10, burst=10, ladder_hold_seconds=300, ladder_error_burst=15)


def _echo(client: CoupangClient) -> int:
    return client.send_raw("GET", ECHO, "status=ACCEPT").status_code


def test_over_http_a_burst_holds_then_releases_on_the_test_clock(
    client: CoupangClient, clock: TestClock, server: Any
) -> None:
    statuses = [_echo(client) for _ in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    clock.advance(60)  # the bucket is full again, but the vendor is held
    assert _echo(client) == 429
    state = requests.get(server.base_url + "/_mock/ladder", params={"vendorId": V}, timeout=10).json()
    assert state["state"] == HELD and state["settings"]["holdSeconds"] == 300
    clock.advance(241)
    assert _echo(client) == 200
    edges = {(e["from"], e["event"]): e["count"] for e in transition_coverage()["gatewayLadder"]["edges"]}
    assert edges[(OPEN, "overLimit")] >= 1 and edges[(HELD, "release")] >= 1


def test_over_http_an_error_burst_gets_the_403_page(client: CoupangClient, clock: TestClock, server: Any) -> None:
    statuses = []
    for _ in range(15):  # the bucket keeps up (0.1 s apart); the 15 errors fall within one second
        clock.advance(0.05)
        statuses.append(client.send_raw("GET", ECHO, "").status_code)  # status is required: 400
    assert statuses == [400] * 15
    denied = client.send_raw("GET", ECHO, "status=ACCEPT")
    assert denied.status_code == 403 and denied.headers["Content-Type"].startswith("text/html")
    assert "Access Denied" in denied.text
    clock.advance(601)
    assert _echo(client) == 200


def test_over_http_ladder_settings_per_vendor_and_refusals(server: Any, client: CoupangClient) -> None:
    base = server.base_url + "/_mock/ladder"
    refused = requests.put(base, json={"holdSeconds": "soon"}, timeout=10)
    assert refused.status_code == 400 and "holdSeconds" in refused.json()["message"]
    set_one = requests.put(base, json={"vendorId": V, "holdSeconds": 0}, timeout=10).json()
    assert set_one["holdSeconds"] == 0
    statuses = [_echo(client) for _ in range(12)]
    assert statuses[-1] == 429
    assert requests.get(base, params={"vendorId": V}, timeout=10).json()["state"] == OPEN  # no hold for this vendor
