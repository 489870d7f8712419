"""`coupang-mock drift`: judging recordings against the spec, the three renderings, and --against-mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from coupang_mock.server.app import create_app
from coupang_mock.server.cli import main
from coupang_mock.server.conformance import Conformance, SchemaDiff, message_pattern
from coupang_mock.server.drift import MockTarget, _as_vendor, against_mock, drift_report, shape_diff
from coupang_mock.server.server import start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from tests.test_proxy_support import V5, DriftingApp, call, client_for, list_query, proxy_to, seller_day

# ---------------------------------------------------------------------------- body against schema

SHEET = {
    "type": "object",
    "required": ["code", "data"],
    "properties": {
        "code": {"type": ["integer", "string"]},
        "data": {
            "type": "array",
            "items": {
                "allOf": [
                    {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "integer"}, "nested": {"properties": {"a": {"type": "integer"}}}},
                    },
                    {
                        "properties": {
                            "status": {"type": "string", "enum": ["ACCEPT", "INSTRUCT"]},
                            "at": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                            "price": {"oneOf": [{"type": "integer"}, {"type": "object", "properties": {"units": {}}}]},
                            "extra": {"type": "object", "additionalProperties": {"type": "string"}},
                            "free": {"type": "object", "properties": {"a": {}}, "additionalProperties": True},
                            "nested": {"properties": {"b": {"type": "string"}}},  # both parts describe it
                        }
                    },
                ]
            },
        },
    },
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": 200, "data": [{"id": 1, "status": "ACCEPT", "at": "2026-03-02"}]}, set()),
        ({"code": "200", "data": [{"id": 1, "price": 3}, {"id": 2, "price": {"units": 3}}]}, set()),
        ({"code": 200, "data": [{"id": 1, "extra": {"k": "v"}, "free": {"b": 1}}]}, set()),
        ({"code": 200, "data": [{"id": "1"}]}, {("type", "data[].id")}),
        ({"code": 200, "data": [{}]}, {("missing-field", "data[].id")}),
        ({"code": 200, "data": [{"id": 1, "statusName": "x"}]}, {("extra-field", "data[].statusName")}),
        ({"code": 200, "data": [{"id": 1, "status": "HOLD"}]}, {("enum", "data[].status")}),
        ({"code": 200, "data": [{"id": 1, "at": "2026/03/02"}]}, {("format", "data[].at")}),
        ({"code": 200, "data": [{"id": 1, "extra": {"k": 1}}]}, {("type", "data[].extra.*")}),
        ({"code": 200, "data": [{"id": 1, "price": "3"}]}, {("type", "data[].price")}),
        ({"code": 200, "data": {"id": 1}}, {("envelope", "data")}),
        ({"code": 200, "data": [], "nextToken": ""}, {("envelope", "nextToken")}),
        ({"data": []}, {("envelope", "code")}),
        ([], {("envelope", "(body)")}),
        ({"code": 200, "data": [{"id": 1.5}, {"id": 2.5}]}, {("type", "data[].id")}),
        ({"code": 200, "data": [{"id": 1, "nested": {"a": 1, "b": "x"}}]}, set()),
        (
            {"code": 200, "data": [{"id": 1, "nested": {"a": 1, "b": 2, "c": 3}}]},
            {("type", "data[].nested.b"), ("extra-field", "data[].nested.c")},
        ),
    ],
)
def test_schema_diff(body: Any, expected: set[tuple[str, str]]) -> None:
    assert {(f.kind, f.where) for f in SchemaDiff().compare(SHEET, body)} == expected


@pytest.mark.parametrize(
    ("documented", "seen", "matches"),
    [
        ("Required String parameter 'status' is not present", "Required String parameter 'createdAtTo' is not present", True),
        ("Required String parameter 'status' is not present", "Required Long parameter 'x' is not present", False),
        ("주문번호 123의 상태가 올바르지 않습니다.", "주문번호 98765의 상태가 올바르지 않습니다.", True),
        ("잘못된 값입니다: {value}", "잘못된 값입니다: abc", True),
        ("Invalid vendor ID", "Invalid vendor id", False),
        ("Not Found", "Not Found ", True),
        ("재고변경에 실패했습니다. [vendoritemid 8742***052 not found]", "재고변경에 실패했습니다. [vendoritemid 91 not found]", True),
        ("판매자 콜센터(help@coupang.com)로 연락해주세요.", "판매자 콜센터(user1x2y3z@example.com)로 연락해주세요.", True),
    ],
)  # fmt: skip
def test_documented_messages_are_templates(documented: str, seen: str, matches: bool) -> None:
    assert bool(message_pattern(documented).match(seen.strip())) is matches


def test_a_request_coupang_accepted_but_the_spec_refuses_is_drift_a_refused_one_is_not() -> None:
    judge = Conformance()
    record: dict[str, Any] = {
        "request": {"method": "GET", "path": f"{V5}/ordersheets", "query": "createdAtFrom=2026-03-01", "body": None},
        "response": {"status": 200, "headers": {}, "body": {"code": 200, "message": "OK", "data": [], "nextToken": ""}},
    }
    accepted = judge.judge(record)
    assert accepted.operation_id == "listOrdersheets"
    assert [f.kind for f in accepted.findings] == ["accepted-invalid-request"]
    assert "createdAtTo" in accepted.findings[0].detail
    refused = {**record, "response": {"status": 400, "headers": {}, "body": {"code": 400, "message": "x"}}}
    assert "accepted-invalid-request" not in {f.kind for f in judge.judge(refused).findings}


def test_a_path_no_operation_has_is_reported_as_such() -> None:
    record = {
        "request": {"method": "GET", "path": "/v2/providers/openapi/apis/api/v9/brand-new", "query": ""},
        "response": {"status": 200, "headers": {}, "body": {}},
    }
    verdict = Conformance().judge(record)
    assert verdict.operation_id is None
    assert [(f.kind, f.where) for f in verdict.findings] == [
        ("unknown-operation", "GET /v2/providers/openapi/apis/api/v9/brand-new")
    ]


# ---------------------------------------------------------------------------- recordings and renderings


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One mock behind two doors: plain, and drifting. Recordings of a seller's day through each."""
    tmp = tmp_path_factory.mktemp("recordings")
    app = create_app(Settings(throttle_enabled=False))
    plain, drifting = start_in_thread(app, threads=4), start_in_thread(DriftingApp(app), threads=4)  # type: ignore[arg-type]
    try:
        with proxy_to(plain.base_url, tmp / "plain") as (_, server):
            seller_day(client_for(server.base_url), plain.base_url)
        with proxy_to(drifting.base_url, tmp / "drifting") as (_, server):
            client = client_for(server.base_url)
            seller_day(client, drifting.base_url)
            call(client, "GET", f"{V5}/ordersheets", {**list_query(drifting.base_url), "status": "DEPARTURE"})
        yield {"plain": tmp / "plain" / "rec", "drifting": tmp / "drifting" / "rec", "mock": plain.base_url}
    finally:
        plain.stop()
        drifting.stop()


def test_recordings_of_the_mock_have_no_drift(recordings: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["drift", str(recordings["plain"])])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_markdown_report_lists_each_drift_under_its_operation(recordings: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["drift", str(recordings["drifting"])])
    assert result.exit_code == 1
    text = result.output
    section = text.split("## getOrdersheetByShipmentboxid")[1].split("## ")[0]
    for line in ("| missing-field | `data.paidAt`", "| extra-field | `data.paidDate`", "| type | `data.shipmentBoxId`"):
        assert line in section
    assert "| undocumented-status | `HTTP 503`" in text.split("## listOrdersheets")[1]


def test_json_report_matches_the_proxys_own_judgement(recordings: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "drift.json"
    result = CliRunner().invoke(main, ["drift", str(recordings["drifting"]), "--format", "json", "--output", str(out)])
    assert result.exit_code == 1
    saved = json.loads(out.read_text(encoding="utf-8"))
    proxy_report = json.loads((recordings["drifting"].parent / "report.json").read_text(encoding="utf-8"))
    assert saved["operations"] == proxy_report["operations"]
    kinds = {(op, d["kind"], d["where"]) for op, row in saved["operations"].items() for d in row["drifts"]}
    assert ("listOrdersheets", "undocumented-error-message", "HTTP 400") in kinds
    assert ("getOrdersheetByShipmentboxid", "header", "x-cag-warnings") in kinds


def test_junit_report_fails_the_drifting_operations_only(recordings: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["drift", str(recordings["drifting"]), "--format", "junit"])
    suite = ElementTree.fromstring(result.output)
    failed = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}
    passed = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is None}
    assert failed == {"getOrdersheetByShipmentboxid", "listOrdersheets"}
    assert "getOrdersheetsByOrderid" in passed and "listOrdersheetsV4" in passed
    assert suite.get("failures") == "2"


def test_an_unreadable_recording_is_listed_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"not": "a recording"}', encoding="utf-8")
    report = drift_report(tmp_path)
    assert report.unreadable == ["broken.json", "other.json"]
    assert not report.ok


# ---------------------------------------------------------------------------- against the mock


def _target(base_url: str) -> MockTarget:
    return MockTarget(base_url, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID)


def test_recordings_of_the_mock_replayed_on_it_have_the_same_shape(recordings: dict[str, Any]) -> None:
    report = against_mock(recordings["plain"], _target(recordings["mock"]))
    assert report.ok, report.to_markdown()
    assert report.summary()["exchanges"] == len(list(recordings["plain"].glob("*.json")))


def test_against_mock_reports_where_the_mock_differs_from_reality(recordings: dict[str, Any]) -> None:
    report = against_mock(recordings["drifting"], _target(recordings["mock"]))
    found = {(d.operation_id, d.kind, d.where) for d in report.drifts.values()}
    assert found == {
        ("getOrdersheetByShipmentboxid", "mock-missing-field", "data.paidDate"),
        ("getOrdersheetByShipmentboxid", "mock-extra-field", "data.paidAt"),
        ("getOrdersheetByShipmentboxid", "mock-type", "data.shipmentBoxId"),
        ("listOrdersheets", "mock-status", "HTTP"),
        ("listOrdersheets", "mock-error-text", "message"),
    }


def test_against_a_fresh_in_process_mock_from_the_command(recordings: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["drift", str(recordings["plain"]), "--against-mock", "--format", "json"])
    saved = json.loads(result.output)
    kinds = {d["kind"] for row in saved["operations"].values() for d in row["drifts"]}
    # the fresh mock has none of the recorded order sheets: reads by id answer 4xx, listings stay empty
    assert kinds <= {"mock-status", "mock-error-text"}
    assert saved["summary"]["exchanges"] == len(list(recordings["plain"].glob("*.json")))


@pytest.mark.parametrize(
    ("recorded", "status", "body", "kinds"),
    [
        ({"status": 200, "body": {"code": 200, "data": [{"a": 1}]}}, 200, {"code": 200, "data": []}, set()),
        ({"status": 200, "body": {"code": 200, "data": None}}, 200, {"code": 200, "data": {"b": 1}}, set()),
        ({"status": 200, "body": {"code": 200, "data": {"a": 1}}}, 200, {"code": "200", "data": {"a": 2.5}}, set()),
        ({"status": 200, "body": {"code": 200, "data": {"a": 1}}}, 200, {"code": 200, "data": {"a": "1"}}, {"mock-type"}),
        ({"status": 200, "body": {"code": 200}}, 200, {"code": 200, "next": 1}, {"mock-envelope"}),
        ({"status": 400, "body": {"code": 400, "message": "주문 12 없음"}}, 400, {"code": 400, "message": "주문 34 없음"}, set()),
        ({"status": 400, "body": {"code": 400, "message": "a"}}, 400, {"code": 400, "message": "b"}, {"mock-error-text"}),
        ({"status": 500, "body": None}, 200, {"code": 200}, {"mock-status"}),
    ],
)  # fmt: skip
def test_shape_diff(recorded: dict[str, Any], status: int, body: Any, kinds: set[str]) -> None:
    assert {f.kind for f in shape_diff(recorded, status, body)} == kinds


def test_replay_swaps_the_recorded_seller_for_the_mock_vendor() -> None:
    request = {
        "path": "/v2/providers/openapi/apis/api/v4/vendors/A00099999/ordersheets",
        "query": "vendorId=A00099999&x=1",
        "body": {"vendorId": "A00099999", "shipmentBoxIds": [1]},
    }
    path, query, body = _as_vendor(request, "A00099999", "A00012345")
    assert "A00099999" not in path + query + json.dumps(body)
    assert body == {"vendorId": "A00012345", "shipmentBoxIds": [1]}


def test_the_proxy_and_the_command_share_one_recording_format(recordings: dict[str, Any]) -> None:
    first = json.loads(sorted(recordings["plain"].glob("*.json"))[0].read_text(encoding="utf-8"))
    assert set(first) >= {"format", "id", "operationId", "request", "response", "at", "durationMs"}
