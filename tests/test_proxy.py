"""`coupang-mock proxy`: byte-exact forwarding, recording with redaction, drift against two upstreams."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coupang_mock.contract.target import PRODUCTION_WRITES_ENV
from coupang_mock.server.cli import main
from coupang_mock.server.conformance import Conformance, Verdict
from coupang_mock.server.proxy import PROXY_HEADER, Exchange, Recorder, WritePolicy
from coupang_mock.server.server import start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from tests.test_proxy_support import (
    UNKNOWN_ERROR,
    V4,
    V5,
    VENDOR,
    DriftingApp,
    call,
    client_for,
    list_query,
    mock_upstream,
    place_order,
    proxy_to,
    recorded_files,
    seller_day,
)

PRODUCTION = "https://api-gateway.coupang.com"


# ---------------------------------------------------------------------------- forwarding unchanged


class EchoUpstream:
    """Remembers what reached it and answers with a gzip body, an odd status and its own headers."""

    BODY = gzip.compress(json.dumps({"code": 200, "message": "OK", "data": "가나다"}).encode())

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.seen = {
            "method": environ["REQUEST_METHOD"],
            "uri": environ.get("REQUEST_URI") or environ.get("RAW_URI"),
            "query": environ["QUERY_STRING"],
            "body": environ["wsgi.input"].read(length) if length else b"",
            "headers": {k[5:]: v for k, v in environ.items() if k.startswith("HTTP_")},
            "contentType": environ.get("CONTENT_TYPE"),
        }
        start_response(
            "207 Multi-Status",
            [
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
                ("X-Upstream-Thing", "kept"),
                ("Content-Length", str(len(self.BODY))),
            ],
        )
        return [self.BODY]


@pytest.fixture
def echo() -> Iterator[tuple[EchoUpstream, str]]:
    app = EchoUpstream()
    running = start_in_thread(app, threads=2)  # type: ignore[arg-type]
    yield app, running.base_url
    running.stop()


def test_request_is_forwarded_byte_for_byte_and_the_answer_comes_back_unchanged(
    echo: tuple[EchoUpstream, str], tmp_path: Path
) -> None:
    upstream, upstream_url = echo
    raw_path = "/v2/providers/openapi/apis/api/v5/vendors/A00012345/x/%EA%B9%80%2Fa"
    raw_query = "b=%20+x&a=1&c=%2c&c=2"
    body = b'{"vendorId":"A00012345", "n":1.0}'
    with proxy_to(upstream_url, tmp_path) as (_, server):
        # http.client, not requests: urllib3 would upper-case the %2c before the proxy sees it
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        headers = {"Authorization": "CEA algorithm=HmacSHA256, x", "X-Requested-By": VENDOR, "Content-Type": "a/b"}
        conn.request("POST", raw_path + "?" + raw_query, body=body, headers=headers)
        answer = conn.getresponse()
        raw_answer = answer.read()
        conn.close()
    seen = upstream.seen
    assert (seen["method"], seen["uri"], seen["query"], seen["body"]) == (
        "POST",
        raw_path + "?" + raw_query,
        raw_query,
        body,
    )
    assert seen["headers"]["AUTHORIZATION"] == "CEA algorithm=HmacSHA256, x"
    assert seen["headers"]["X_REQUESTED_BY"] == VENDOR
    assert seen["contentType"] == "a/b"
    assert seen["headers"]["HOST"] == upstream_url.split("//")[1]  # the only header that changes
    assert (answer.status, answer.reason) == (207, "Multi-Status")
    assert raw_answer == EchoUpstream.BODY  # still gzip-encoded: streamed through, not re-encoded
    assert answer.getheader("Content-Encoding") == "gzip"
    assert answer.getheader("X-Upstream-Thing") == "kept"


def _chunked_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    """No Content-Length: waitress sends the answer chunked, as it comes."""
    if environ["PATH_INFO"].endswith("/html"):
        start_response("403 Forbidden", [("Content-Type", "text/html")])
        yield b"<html><body>Access Denied 010-2222-3333</body></html>"
        return
    start_response("200 OK", [("Content-Type", "application/json")])
    yield b'{"code": 200, "message": "OK", '
    yield b'"data": [], '
    yield b'"nextToken": ""}'


def test_chunked_and_non_json_answers_pass_through_and_are_recorded(tmp_path: Path) -> None:
    upstream = start_in_thread(_chunked_app, threads=2)  # type: ignore[arg-type]
    try:
        with proxy_to(upstream.base_url, tmp_path) as (proxy, server):
            listed = requests.get(server.base_url + f"{V5}/ordersheets?status=ACCEPT", timeout=10)
            blocked = requests.get(server.base_url + f"{V5}/html", timeout=10)
    finally:
        upstream.stop()
    assert listed.json() == {"code": 200, "message": "OK", "data": [], "nextToken": ""}
    assert blocked.status_code == 403 and "Access Denied" in blocked.text
    records = [json.loads(f.read_text(encoding="utf-8")) for f in recorded_files(tmp_path / "rec")]
    assert records[0]["response"]["body"]["nextToken"] == ""
    assert records[1]["response"]["body"] is None
    assert "Access Denied" in records[1]["response"]["bodyText"]
    assert "010-2222-3333" not in records[1]["response"]["bodyText"]  # patterns are redacted in text too
    assert proxy.recorder.report.summary()["exchanges"] == 2


# ---------------------------------------------------------------------------- the mock as upstream


def test_mock_upstream_signed_calls_pass_and_the_report_is_empty(tmp_path: Path) -> None:
    with mock_upstream() as mock, proxy_to(mock.base_url, tmp_path) as (proxy, server):
        answers = seller_day(client_for(server.base_url), mock.base_url)
        listed = call(client_for(mock.base_url), "GET", f"{V5}/ordersheets", list_query(mock.base_url, "INSTRUCT"))
        direct = listed.body["data"][0]
    report = proxy.recorder.report
    assert [a.status for a in answers] == [200, 200, 200, 200, 200, 200, 200, 400, 200]  # signatures stayed valid
    assert report.drifts == {}, report.to_markdown()
    assert report.summary()["exchanges"] == len(answers)
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["summary"]["drifts"] == 0
    files = recorded_files(tmp_path / "rec")
    assert len(files) == len(answers)
    everything = "\n".join(f.read_text(encoding="utf-8") for f in files)
    assert DEFAULT_ACCESS_KEY not in everything and DEFAULT_SECRET_KEY not in everything
    assert "Authorization" not in everything and "CEA algorithm" not in everything
    for personal in (direct["receiver"]["addr1"], direct["receiver"]["safeNumber"], direct["orderer"]["safeNumber"]):
        assert personal not in everything
    first = json.loads(files[0].read_text(encoding="utf-8"))
    assert first["operationId"] == "listOrdersheets"
    assert first["request"]["query"].endswith("&status=ACCEPT")
    assert first["response"]["body"]["data"][0]["orderId"] == direct["orderId"]  # ids are kept


# ---------------------------------------------------------------------------- a drifting upstream


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    tmp = tmp_path_factory.mktemp("drift")
    with mock_upstream(DriftingApp) as mock, proxy_to(mock.base_url, tmp) as (proxy, server):
        client = client_for(server.base_url)
        seller_day(client, mock.base_url)
        call(client, "GET", f"{V5}/ordersheets", {**list_query(mock.base_url), "status": "DEPARTURE"})
    return {(d.operation_id, d.kind, d.where): d for d in proxy.recorder.report.drifts.values()}


@pytest.mark.parametrize(
    ("operation", "kind", "where", "example"),
    [
        ("getOrdersheetByShipmentboxid", "missing-field", "data.paidAt", ""),
        ("getOrdersheetByShipmentboxid", "extra-field", "data.paidDate", "+09:00"),
        ("getOrdersheetByShipmentboxid", "type", "data.shipmentBoxId", '"'),
        ("getOrdersheetByShipmentboxid", "header", "x-cag-warnings", "Throttling limit is nearly reached"),
        ("listOrdersheets", "undocumented-status", "HTTP 503", "Service Unavailable"),
        ("listOrdersheets", "undocumented-error-message", "HTTP 400", UNKNOWN_ERROR),
    ],
)
def test_each_drift_is_reported_under_its_operation(
    drifted: dict[tuple[str, str, str], Any], operation: str, kind: str, where: str, example: str
) -> None:
    drift = drifted[(operation, kind, where)]
    assert drift.count == 1
    assert example in drift.example
    assert drift.exchange.endswith(operation)


def test_operations_that_did_not_drift_stay_clean(drifted: dict[tuple[str, str, str], Any]) -> None:
    assert {op for op, _, _ in drifted} == {"getOrdersheetByShipmentboxid", "listOrdersheets"}


# ---------------------------------------------------------------------------- safety


def test_write_toward_production_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with proxy_to(PRODUCTION, tmp_path) as (proxy, server):
        answer = requests.put(server.base_url + f"{V4}/ordersheets/acknowledgement", json={}, timeout=10)
        unknown = requests.post(server.base_url + "/v2/somewhere/else", json={}, timeout=10)
    assert answer.status_code == 403 and answer.headers[PROXY_HEADER] == "1"
    assert answer.json()["code"] == "ERROR"
    assert "acknowledgeOrdersheets" in answer.json()["message"]
    assert "--allow-writes" in answer.json()["message"]
    assert unknown.status_code == 403 and "does not know" in unknown.json()["message"]
    assert proxy.recorder.report.summary()["exchanges"] == 0
    assert recorded_files(tmp_path / "rec") == []


@pytest.mark.parametrize(
    ("upstream", "allow", "env", "method", "operation", "refused"),
    [
        ("http://127.0.0.1:9", False, None, "POST", "createSellerProduct", False),
        ("http://localhost:9", False, None, "DELETE", None, False),
        (PRODUCTION, False, None, "GET", "listOrdersheets", False),
        (PRODUCTION, False, None, "POST", "searchBrands", False),
        (PRODUCTION, False, None, "POST", "createSellerProduct", True),
        (PRODUCTION, True, None, "POST", "createSellerProduct", True),
        (PRODUCTION, True, "yes", "POST", "createSellerProduct", False),
        (PRODUCTION, False, None, "GET", None, False),
        (PRODUCTION, False, None, "PATCH", None, True),
    ],
)
def test_write_rules_are_the_contract_harness_rules(
    monkeypatch: pytest.MonkeyPatch,
    upstream: str,
    allow: bool,
    env: str | None,
    method: str,
    operation: str | None,
    refused: bool,
) -> None:
    if env is None:
        monkeypatch.delenv(PRODUCTION_WRITES_ENV, raising=False)
    else:
        monkeypatch.setenv(PRODUCTION_WRITES_ENV, env)
    assert (WritePolicy(upstream, allow).refusal(method, operation) is not None) is refused


def test_unreachable_upstream_is_a_gateway_shaped_502(tmp_path: Path) -> None:
    with proxy_to("http://127.0.0.1:9", tmp_path) as (_, server):
        answer = requests.get(server.base_url + f"{V5}/ordersheets", timeout=10)
    assert answer.status_code == 502
    assert answer.json()["code"] == "ERROR" and "upstream" in answer.json()["message"]


class _Blocking(Conformance):
    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.release = threading.Event()

    def judge(self, record: dict[str, Any]) -> Verdict:
        self.started.set()
        self.release.wait(10)
        return super().judge(record)


def test_a_full_queue_drops_the_analysis_and_counts_it(tmp_path: Path) -> None:
    judge = _Blocking()
    recorder = Recorder(tmp_path, judge, queue_size=1)
    exchange = Exchange(
        started=datetime(2026, 3, 2, tzinfo=UTC),
        seconds=0.001,
        method="GET",
        path=f"{V5}/ordersheets",
        query="",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[],
        response_body=b'{"code":200,"message":"OK","data":[],"nextToken":""}',
    )
    recorder.submit(exchange)
    assert judge.started.wait(10)  # the worker holds the first one
    recorder.submit(exchange)  # queued
    recorder.submit(exchange)  # no room: dropped
    judge.release.set()
    report = recorder.close()
    assert report.dropped == 1
    assert report.summary()["exchanges"] == 2
    assert len(list(tmp_path.glob("*.json"))) == 2


# ---------------------------------------------------------------------------- the command


def test_proxy_command_records_and_writes_its_report_at_exit(tmp_path: Path) -> None:
    with mock_upstream() as mock:
        order = place_order(mock.base_url)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "coupang_mock.server.cli", "proxy",
                "--upstream", mock.base_url, "--listen", "127.0.0.1:0",
                "--record", str(tmp_path / "rec"), "--report", str(tmp_path / "report.md"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert "listening on" in line, line + (process.stderr.read() if process.stderr else "")
            base_url = line.split("listening on ")[1].split(" ")[0]
            answer = call(client_for(base_url), "GET", f"{V5}/ordersheets/{order['shipmentBoxIds'][0]}")
        finally:
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
    assert answer.status == 200
    assert process.returncode == 0, err
    assert "1 exchanges, 0 drifts" in err
    assert "No drift" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert len(recorded_files(tmp_path / "rec")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://example.com"], "upstream must be an http(s) URL"),
        (["--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1"], "expected host:port"),
    ],
)
def test_proxy_command_refuses_bad_options_without_a_traceback(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["proxy", *args])
    assert result.exit_code == 2
    assert message in result.output
