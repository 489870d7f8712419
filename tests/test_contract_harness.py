"""The harness must be able to fail: a deliberately wrong server is reported, defect by defect."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from contract_tests.runner import Runner
from contract_tests.target import PRODUCTION_WRITES_ENV, Target
from mock_server.auth import AuthResult
from mock_server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID
from tests.conftest import fixture_document

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _target(server: Any) -> Target:
    return Target(server.base_url, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID)


def _run(server: Any, operation: str = "fixtureEcho") -> Any:
    runner = Runner(_target(server), max_examples=5, seed_value=1, document=fixture_document())
    return runner.run(operations=[operation])


def _rewrite(app: Any, status: str | None = None, body: bytes | None = None) -> None:
    """Corrupt answers of the Coupang surface (not /_mock) the way a wrong server would."""
    inner: Wsgi = app.wsgi_app

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"].startswith("/_mock"):
            return inner(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(st: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = st, headers
            return lambda _data: None

        chunks = b"".join(inner(environ, capture))
        if captured["status"].startswith("200"):
            captured["status"] = status or captured["status"]
            if body is not None:
                chunks = body
                captured["headers"] = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], captured["headers"])
        return [chunks]

    app.wsgi_app = wrapped


def test_a_correct_server_passes(server: Any) -> None:
    report = _run(server)
    result = report.results["fixtureEcho"]
    assert result.requests >= 3
    assert report.ok, [f.to_json() for f in report.failures]


def test_wrong_status_is_reported(app: Any, server: Any) -> None:
    _rewrite(app, status="201 CREATED")
    report = _run(server)
    assert any("201" in f.message for f in report.failures), [f.to_json() for f in report.failures]


def test_wrong_envelope_is_reported(app: Any, server: Any) -> None:
    _rewrite(app, body=json.dumps({"result": "ok"}).encode())
    report = _run(server)
    assert any(f.check == "schemathesis" and "code" in f.message for f in report.failures), [
        f.to_json() for f in report.failures
    ]


def test_float_ids_are_reported(app: Any, server: Any) -> None:
    _rewrite(app, body=b'{"code":200,"message":"OK","data":{"shipmentBoxId":1.2345678901234568e17}}')
    report = _run(server)
    assert any(f.check == "ids_are_exact_integers" for f in report.failures)


def test_broken_signature_check_is_reported(services: Any, server: Any) -> None:
    services.auth.verify = lambda *a, **k: AuthResult(DEFAULT_VENDOR_ID, DEFAULT_ACCESS_KEY)
    report = _run(server)
    assert [f.check for f in report.failures] == ["auth_enforced"]


def test_failures_carry_a_replayable_curl_line(app: Any, server: Any) -> None:
    _rewrite(app, status="202 ACCEPTED")
    failure = _run(server).failures[0]
    assert failure.curl.startswith("COUPANG_ACCESS_KEY=... COUPANG_SECRET_KEY=... curl")
    assert "$(coupang-mock sign GET" in failure.curl
    assert server.base_url in failure.curl


def test_unserved_operations_are_skipped_not_failed(server: Any) -> None:
    report = _run(server, "fixtureUnserved")
    assert report.results["fixtureUnserved"].skipped == "not served by this mock (501)"
    assert report.ok


def test_reports_render(app: Any, server: Any) -> None:
    _rewrite(app, status="201 CREATED")
    report = _run(server)
    xml = report.junit_xml()
    assert xml.startswith("<?xml") and "<failure" in xml
    assert report.to_json()["summary"]["failures"] == len(report.failures) > 0


@pytest.mark.parametrize(
    ("url", "allow", "env", "expected"),
    [
        ("http://127.0.0.1:9", False, None, True),
        ("http://localhost:9", False, None, True),
        ("https://api-gateway.coupang.com", False, None, False),
        ("https://api-gateway.coupang.com", True, None, False),
        ("https://api-gateway.coupang.com", True, "yes", True),
        ("http://203.0.113.5:9", False, None, False),
        ("http://203.0.113.5:9", True, None, True),
    ],
)
def test_write_safety(monkeypatch: pytest.MonkeyPatch, url: str, allow: bool, env: str | None, expected: bool) -> None:
    if env:
        monkeypatch.setenv(PRODUCTION_WRITES_ENV, env)
    else:
        monkeypatch.delenv(PRODUCTION_WRITES_ENV, raising=False)
    target = Target(url, "k", "s", "A00012345", allow_writes=allow)
    target.__dict__["has_control_plane"] = False  # no network probe in a unit test
    assert target.writes_permitted() is expected


def test_read_only_classification() -> None:
    target = Target("https://api-gateway.coupang.com", "k", "s", "A00012345")
    assert target.is_read_only("GET", "anything")
    assert target.is_read_only("POST", "searchBrands")
    assert not target.is_read_only("POST", "createSellerProduct")
    assert not target.is_read_only("PUT", "acknowledgeOrdersheets")
