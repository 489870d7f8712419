"""The /_mock control plane: vendors, reset, clock, journal, loopback guard, coverage."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient, RetryPolicy
from tests.conftest import ECHO, THINGS


def _control(server: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, server.base_url + "/_mock" + path, timeout=10, **kwargs)


def test_create_and_get_vendor(server: Any) -> None:
    created = _control(server, "POST", "/vendors", json={})
    assert created.status_code == 201
    body = created.json()
    assert set(body) >= {"vendorId", "accessKey", "secretKey"}
    assert _control(server, "GET", f"/vendors/{body['vendorId']}").json()["accessKey"] == body["accessKey"]
    named = _control(server, "POST", "/vendors", json={"vendorId": "B00000001"}).json()
    assert named["vendorId"] == "B00000001"
    assert _control(server, "POST", "/vendors", json={"vendorId": "B00000001"}).status_code == 409
    assert _control(server, "POST", "/vendors", json={"vendorId": "bad"}).status_code == 400
    assert _control(server, "GET", "/vendors/Z99999999").status_code == 404


def test_new_vendor_can_call_and_is_isolated(server: Any, services: Any) -> None:
    vendor = _control(server, "POST", "/vendors").json()
    client = CoupangClient(
        vendor["accessKey"],
        vendor["secretKey"],
        vendor["vendorId"],
        base_url=server.base_url,
        retry=RetryPolicy(max_retries=0),
    )
    path = THINGS.replace("A00012345", vendor["vendorId"])
    thing = client.request("POST", path, body={"vendorId": vendor["vendorId"], "name": "mine"}).data
    assert client.request("GET", f"{path}/{thing}").data["name"] == "mine"
    with services.store.transaction("A00012345") as tx:
        assert tx.items("things") == []
    assert _control(server, "POST", "/reset", params={"vendorId": vendor["vendorId"]}).status_code == 200
    with services.store.transaction(vendor["vendorId"]) as tx:
        assert tx.items("things") == []
    # credentials survive a tenant reset
    assert client.request("POST", path, body={"vendorId": vendor["vendorId"], "name": "again"}).status == 200


def test_reset_all_keeps_the_default_vendor(server: Any, client: CoupangClient, services: Any) -> None:
    client.request("POST", THINGS, body={"vendorId": "A00012345", "name": "x"})
    assert _control(server, "POST", "/reset").json() == {"reset": "all"}
    with services.store.transaction("A00012345") as tx:
        assert tx.items("things") == []
    assert client.request("POST", THINGS, body={"vendorId": "A00012345", "name": "x"}).status == 200


def test_clock_moves_globally_and_per_vendor(server: Any) -> None:
    start = _control(server, "GET", "/clock").json()["now"]
    assert start.startswith("2026-03-02T01:00:00")
    assert (
        _control(server, "POST", "/clock", json={"advanceSeconds": 3600})
        .json()["now"]
        .startswith("2026-03-02T02:00:00")
    )
    assert (
        _control(server, "POST", "/clock", json={"now": "2026-05-01T09:00:00+09:00"})
        .json()["now"]
        .startswith("2026-05-01T00:00:00")
    )
    per_vendor = _control(server, "POST", "/clock", json={"advanceSeconds": 86400, "vendorId": "A00012345"}).json()[
        "now"
    ]
    assert per_vendor.startswith("2026-05-02T00:00:00")
    assert _control(server, "GET", "/clock").json()["now"].startswith("2026-05-01T00:00:00")
    assert _control(server, "GET", "/clock", params={"vendorId": "A00012345"}).json()["now"] == per_vendor


@pytest.mark.parametrize(
    "body",
    [{}, {"advanceSeconds": "x"}, {"now": "yesterday"}, {"now": "2026-01-01T00:00:00"}],
    ids=["empty", "not-number", "not-date", "no-offset"],
)
def test_clock_rejects_bad_input(server: Any, body: dict[str, Any]) -> None:
    response = _control(server, "POST", "/clock", json=body)
    assert response.status_code == 400
    assert response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [{"ratePerSecond": -1}, {"burst": 0}, {"enabled": "yes"}, "not-an-object"],
)
def test_throttle_rejects_bad_input(server: Any, body: Any) -> None:
    assert _control(server, "PUT", "/throttle", json=body).status_code == 400


def test_control_plane_is_loopback_only_unless_token(app: Any, services: Any) -> None:
    test_client = app.test_client()
    remote = {"REMOTE_ADDR": "10.1.2.3"}
    assert test_client.get("/_mock/clock", environ_base=remote).status_code == 403
    services.settings.control_token = "s3cret"
    assert test_client.get("/_mock/clock", environ_base=remote).status_code == 403
    assert test_client.get("/_mock/clock", environ_base=remote, headers={"X-Mock-Token": "s3cret"}).status_code == 200


def test_coverage_and_openapi(server: Any) -> None:
    report = _control(server, "GET", "/coverage").json()
    assert report["fixture"]["operations"] == 7
    assert report["fixture"]["served"] == 6
    assert report["fixture"]["unserved"] == ["fixtureUnserved"]
    document = _control(server, "GET", "/openapi.json").json()
    assert document["openapi"].startswith("3.1")


def test_journal_limit_validation(server: Any) -> None:
    assert _control(server, "GET", "/journal", params={"limit": "x"}).status_code == 400


def test_docs_page_is_served_offline(server: Any) -> None:
    page = _control(server, "GET", "/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "fixtureEcho" in page.text
    assert "http://" not in page.text.replace(server.base_url, "") or "cdn" not in page.text.lower()


def _documented_control_routes() -> set[tuple[str, str]]:
    import re

    import yaml

    from coupang_mock.server import spec

    document = yaml.safe_load((spec.specs_dir() / "control.yaml").read_text(encoding="utf-8"))
    return {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_control_route_is_in_the_control_plane_spec(app: Any) -> None:
    import re

    served = {
        (re.sub(r"<[^>]+>", "{}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/_mock") and rule.endpoint != "control_miss"  # the 404/405 of the rest
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert sorted(served - _documented_control_routes()) == []


BAD_CONTROL_INPUTS = [
    ("POST", "/clock", {"now": "9999-12-31T23:59:59+00:00"}, "now"),
    ("POST", "/clock", {"now": "2099-12-31T23:59:59-09:00"}, "now"),
    ("POST", "/clock", {"now": "1999-12-31T23:59:59+00:00"}, "now"),
    ("POST", "/clock", {"advanceSeconds": 1e20}, "advanceSeconds"),
    ("POST", "/clock", {"advanceSeconds": 2.5e9}, "advanceSeconds"),
    ("POST", "/clock", b'{"advanceSeconds": 1e999}', "body"),  # beyond a double: refused while parsing
    ("POST", "/clock", b'{"advanceSeconds": NaN}', "body"),
    ("POST", "/clock", {"advanceSeconds": True}, "advanceSeconds"),
    ("POST", "/clock", {"advanceSeconds": 1, "now": "2026-05-01T00:00:00+09:00"}, "advanceSeconds"),
    ("POST", "/clock", {"advanceSeconds": 1, "vendorId": "nope"}, "vendorId"),
    ("POST", "/clock", {"advanceSeconds": 1, "speed": 2}, "speed"),
    ("POST", "/faults", {"status": "abc"}, "status"),
    ("POST", "/faults", {"status": 99999}, "status"),
    ("POST", "/faults", {"status": 100}, "status"),
    ("POST", "/faults", {"status": 500.5}, "status"),
    ("POST", "/faults", {"latencyMs": "abc"}, "latencyMs"),
    ("POST", "/faults", {"latencyMs": 10**9}, "latencyMs"),
    ("POST", "/faults", {"status": 500, "count": "x"}, "count"),
    ("POST", "/faults", {"status": 500, "count": 0}, "count"),
    ("POST", "/faults", {"status": 500, "probability": "often"}, "probability"),
    ("POST", "/faults", {"status": 500, "probability": -0.1}, "probability"),
    ("POST", "/faults", {"preset": "teapot"}, "preset"),
    ("POST", "/faults", {"status": 500, "method": "TRACE"}, "method"),
    ("POST", "/faults", {"status": 500, "pathPrefix": "v2/no-slash"}, "pathPrefix"),
    ("POST", "/faults", {"status": 500, "contentType": "not a type"}, "contentType"),
    ("POST", "/faults", {"status": 500, "real": "yes"}, "real"),
    ("POST", "/faults", {"latencyMs": 10}, None),  # valid: proves the table's checks can pass
    ("PUT", "/throttle", {"ratePerSecond": 0}, "ratePerSecond"),
    ("PUT", "/throttle", {"ratePerSecond": "fast"}, "ratePerSecond"),
    ("PUT", "/throttle", {"burst": 1.5}, "burst"),
    ("PUT", "/throttle", {"blockSeconds": -1}, "blockSeconds"),
    ("PUT", "/throttle", {"enabled": "yes"}, "enabled"),
    ("PUT", "/throttle", {"vendorId": 5}, "vendorId"),
    ("PUT", "/throttle", [1, 2], "body"),
    ("GET", "/journal?limit=%C2%B2", None, "limit"),
    ("GET", "/journal?limit=99999999999", None, "limit"),
    ("GET", "/clock?vendorId=nope", None, "vendorId"),
    ("POST", "/reset?vendorId=nope", None, "vendorId"),
]


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    BAD_CONTROL_INPUTS,
    ids=[f"{m} {p} {f}" for m, p, _, f in BAD_CONTROL_INPUTS],
)
def test_bad_control_input_is_400_naming_the_field_and_changes_nothing(
    server: Any, client: CoupangClient, services: Any, method: str, path: str, payload: Any, field: str | None
) -> None:
    client.request("POST", THINGS, body={"vendorId": "A00012345", "name": "kept"})
    before = (_control(server, "GET", "/clock").json(), services.throttle.limits("A00012345"))
    kwargs: dict[str, Any] = {"data": payload, "headers": {"Content-Type": "application/json"}}
    if not isinstance(payload, bytes):
        kwargs = {"json": payload} if payload is not None else {}
    response = _control(server, method, path, **kwargs)
    if field is None:
        assert response.status_code == 201
        _control(server, "DELETE", "/faults")
        return
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert field in response.json()["message"] or field == "body"
    # the API answers exactly as before: same clock, no rule, same limits, data intact
    assert (_control(server, "GET", "/clock").json(), services.throttle.limits("A00012345")) == before
    assert _control(server, "GET", "/faults").json() == []
    with services.store.transaction("A00012345") as tx:
        assert [thing["name"] for _, thing in tx.items("things")] == ["kept"]
    assert client.send_raw("GET", ECHO, "status=ACCEPT").status_code == 200


def test_valid_clock_bounds_are_accepted(server: Any) -> None:
    assert _control(server, "POST", "/clock", json={"now": "2099-12-31T23:59:59+00:00"}).status_code == 200
    assert _control(server, "POST", "/clock", json={"now": "2000-01-01T00:00:00+00:00"}).status_code == 200
    assert _control(server, "GET", "/clock").json()["now"].startswith("2000-01-01T00:00:00")
