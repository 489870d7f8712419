"""The harness must be able to fail: a deliberately wrong server is reported, defect by defect."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import requests

from coupang_mock.contract import stateful
from coupang_mock.contract.checks import Documented, envelope_code_matches_status, no_undocumented_server_error
from coupang_mock.contract.runner import Runner, coverage_text, transitions_delta
from coupang_mock.contract.target import PRODUCTION_WRITES_ENV, Target
from coupang_mock.server.auth import AuthResult
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID
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


def test_undocumented_server_error_is_reported(app: Any, server: Any) -> None:
    _rewrite(app, status="500 INTERNAL SERVER ERROR", body=b'{"code":500,"message":"NullPointerException"}')
    report = _run(server)
    assert any(f.check == "no_undocumented_server_error" for f in report.failures), [
        f.to_json() for f in report.failures
    ]


DOCUMENTED_500 = {
    "responses": {
        "200": {
            "content": {
                "application/json": {
                    "examples": {"failed": {"value": {"code": "FAILED", "message": "x", "data": None}}}
                }
            }
        },
        "500": {
            "content": {
                "application/json": {
                    "examples": {"unknown": {"value": {"code": 500, "message": "expire할 쿠폰이 존재하지 않습니다."}}}
                }
            }
        },
    }
}
GENERIC_500 = {"responses": {"500": {"$ref": "#/components/responses/InternalError"}}}
COMPONENTS = {
    "components": {
        "responses": {
            "InternalError": {
                "content": {"application/json": {"example": {"code": 500, "message": "Internal Exception"}}}
            }
        }
    }
}


def _response(status: int, body: dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body, ensure_ascii=False).encode()
    return response


@pytest.mark.parametrize(
    ("operation", "message", "reported"),
    [
        (DOCUMENTED_500, "expire할 쿠폰이 존재하지 않습니다.", False),  # Coupang's own documented 500
        (DOCUMENTED_500, "Internal Exception", True),
        (GENERIC_500, "Internal Exception", True),  # the shared "upstream failed" answer is never expected
        ({"responses": {}}, "boom", True),
    ],
)
def test_a_server_error_passes_only_as_documented(operation: dict[str, Any], message: str, reported: bool) -> None:
    problem = no_undocumented_server_error(
        _response(500, {"code": 500, "message": message}), Documented(operation, COMPONENTS)
    )
    assert (problem is not None) is reported, problem


@pytest.mark.parametrize(
    ("status", "code", "reported"),
    [
        (200, "FAILED", False),
        (200, "SUCCESS", False),
        (200, "ERROR", False),
        (200, "REJECTED", True),
        (400, "FAILED", True),
    ],
)
def test_envelope_code_words_must_be_documented(status: int, code: str, reported: bool) -> None:
    problem = envelope_code_matches_status(
        _response(status, {"code": code, "message": "m"}), Documented(DOCUMENTED_500, COMPONENTS)
    )
    assert (problem is not None) is reported, problem


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


def _rewrite_json(app: Any, path_part: str, old: bytes, new: bytes) -> None:
    """A server whose single-order read reports a wrong status (the stateful models must notice)."""
    inner: Wsgi = app.wsgi_app

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunks = b"".join(inner(environ, start_response))
        if environ["REQUEST_METHOD"] == "GET" and path_part in environ["PATH_INFO"]:
            return [chunks.replace(old, new)]
        return [chunks]

    app.wsgi_app = wrapped


def test_a_wrong_lifecycle_is_reported_with_the_steps_and_the_request(app: Any, server: Any) -> None:
    # same length: Content-Length stays right
    _rewrite_json(app, "/ordersheets/", b'"status":"DEPARTURE"', b'"status":"DELIVERED"')
    result = stateful.run_model(stateful.OrderLifecycle, _target(server), max_examples=20, shrink=False)
    assert result.failure is not None
    assert "status='DEPARTURE'" in result.failure and "'status': 'DELIVERED'" in result.failure
    assert "state = OrderLifecycle()" in result.failure  # the steps that led there
    assert result.request is not None and result.request.method == "GET" and "/ordersheets/" in result.request.path


def test_a_correct_mock_passes_every_model(server: Any) -> None:
    target = _target(server)
    for model in stateful.MODELS:
        result = stateful.run_model(model, target, max_examples=3, steps=6)
        assert result.skipped is None and result.failure is None, (result.model, result.skipped, result.failure)


def test_models_are_skipped_with_the_reason() -> None:
    production = Target("https://api-gateway.coupang.com", "k", "s", "A00012345")
    assert "needs a mock with /_mock" in (stateful.skip_reason(stateful.OrderLifecycle, production) or "")
    mock = Target("http://127.0.0.1:9", "k", "s", "A00012345")
    mock.__dict__["has_control_plane"] = True
    reason = stateful.skip_reason(stateful.ReturnsLifecycle, mock, {"getReturnRequest", "listOrders"})
    assert reason == "operations not served by this mock (501): getReturnRequest"
    assert stateful.skip_reason(stateful.OrderLifecycle, mock, {"getReturnRequest"}) is None


def test_transition_coverage_is_what_the_run_added() -> None:
    def snapshot(count: int) -> dict[str, Any]:
        edges = [
            {"from": "A", "event": "go", "to": "B", "count": count},
            {"from": "B", "event": "back", "to": "A", "count": 1},
        ]
        return {"m": {"edges": edges, "covered": 2, "total": 2}}

    delta = transitions_delta(snapshot(2), snapshot(5))
    assert delta == {
        "m": {
            "edges": [
                {"from": "A", "event": "go", "to": "B", "count": 3},
                {"from": "B", "event": "back", "to": "A", "count": 0},
            ],
            "covered": 1,
            "total": 2,
        }
    }
    skipped = stateful.StatefulResult("ReturnsLifecycle", skipped="operations not served by this mock (501): x")
    ran = stateful.StatefulResult("OrderLifecycle", runs=3, edges={"ACCEPT --acknowledge--> INSTRUCT": 2})
    text = coverage_text(delta, [skipped, ran])
    assert "  m: 1/2 edges" in text
    assert "[  x3] A --go--> B" in text and "[  --] B --back--> A" in text
    assert "model ReturnsLifecycle: SKIPPED (operations not served by this mock (501): x)" in text
    assert "model OrderLifecycle: ok, 3 cases" in text and "ACCEPT --acknowledge--> INSTRUCT" in text


def test_the_product_model_deletes_a_product_updated_after_approval(server: Any) -> None:
    # found by `coupang-mock contract --seed 11 --stateful-examples 40`: an approved product updated
    # back to SAVED keeps its options on sale, so the model must stop them before deleting
    model = type("Replay", (stateful.ProductApproval,), {"target": _target(server), "last": stateful.LastRequest()})
    state = model()
    product_id = state.seller_registers()
    for _ in range(3):
        state.product_moves_on(product_id=product_id, decision="APPROVE")
    assert state.model[product_id].status == "APPROVED"
    state.seller_updates(product_id=product_id)
    assert state.model[product_id].status == "SAVED"
    state.seller_deletes(product_id=product_id)
    state.statuses_agree_with_the_list()
    assert state.model[product_id].status == "DELETED"


def test_the_seed_picks_the_stateful_sequence_reproducibly(server: Any) -> None:
    def edges(seed_value: int) -> dict[str, int]:
        return stateful.run_model(stateful.OrderLifecycle, _target(server), max_examples=6, seed_value=seed_value).edges

    first = edges(1)
    assert first and edges(1) == first  # the same seed replays the same steps
    assert any(edges(other) != first for other in (2, 3))  # another seed explores other sequences
