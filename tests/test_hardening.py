"""Issue 14 (hostile and careless clients) and issue 17 (401 diagnostics): one regression test per defect.

Every refusal is asserted with its status and message, and with the stored state unchanged.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coupang_mock.client.signing import sign
from coupang_mock.server.app import create_app
from coupang_mock.server.cli import main
from coupang_mock.server.core import Gateway, MockServices
from coupang_mock.server.errors import ERROR_ID_HEADER
from coupang_mock.server.server import start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from tests.conftest import ECHO, THINGS

V = DEFAULT_VENDOR_ID
OPENAPI = f"/v2/providers/openapi/apis/api/v5/vendors/{V}"
ACK = f"{OPENAPI}/ordersheets/acknowledgement"
ORDERSHEETS = f"{OPENAPI}/ordersheets"
QUANTITY = "/v2/providers/seller_api/apis/api/v1/marketplace/vendor-items/{item}/quantities/{n}"
INQUIRIES = f"{OPENAPI}/onlineInquiries"
BOOM = f"/v2/providers/openapi/apis/api/v4/vendors/{V}/fixture/boom"
CONTRACT = f"/v2/providers/fms/apis/api/v2/vendors/{V}/contract"
LIST_QUERY = "createdAtFrom=2026-03-01&createdAtTo=2026-03-02&status=ACCEPT"
DEEP = b"[" * 10_000 + b"]" * 10_000
HUGE = "9" * 5000


def signed(
    server: Any,
    method: str,
    path: str,
    query: str = "",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    content_type: str | None = "application/json",
) -> requests.Response:
    """One request signed with the default keys, body and headers exactly as given."""
    all_headers = {"Authorization": sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, method, path, query)}
    if content_type:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    url = server.base_url + path + (f"?{query}" if query else "")
    return requests.request(method, url, data=body, headers=all_headers, timeout=30)


def control(server: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, server.base_url + "/_mock" + path, timeout=30, **kwargs)


def snapshot(services: MockServices) -> dict[str, Any]:
    """Everything stored, every tenant (vendors and keys live in the system tenant); a tenant that a read
    merely opened holds nothing and does not count."""
    exported = {tenant: services.store.export(tenant) for tenant in sorted(services.store.tenants())}
    return {tenant: kinds for tenant, kinds in exported.items() if any(kinds.values())}


def assert_alive(server: Any) -> None:
    assert signed(server, "GET", ECHO, "status=ACCEPT").status_code == 200


# ---------------------------------------------------------------------------------------------- the 500s


@pytest.mark.parametrize("target", ["api", "control"])
def test_json_nested_10000_deep_is_a_400(server: Any, services: MockServices, target: str) -> None:
    before = snapshot(services)
    if target == "api":
        response = signed(server, "PUT", ACK, body=DEEP)
    else:
        response = control(server, "POST", "/vendors", data=DEEP, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "Document nesting depth" in response.json()["message"]
    assert "exceeds the maximum allowed (500" in response.json()["message"]
    assert snapshot(services) == before
    assert_alive(server)


def test_json_depth_limit_is_configurable(server: Any, settings: Settings) -> None:
    nested = b'{"vendorId":"A00012345","shipmentBoxIds":[1],"x":' + b"[" * 30 + b"]" * 30 + b"}"
    assert "nesting depth" not in signed(server, "PUT", ACK, body=nested).text
    settings.max_json_depth = 20
    response = signed(server, "PUT", ACK, body=nested)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Could not read JSON: Document nesting depth (31) exceeds")


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "message"),
    [
        (
            "GET",
            f"{ORDERSHEETS}/{HUGE}",
            "",
            None,
            "Invalid parameter 'shipmentBoxId': must be smaller than or equal to 9223372036854775807",
        ),
        (
            "PUT",
            ACK,
            "",
            f'{{"vendorId":"{V}","shipmentBoxIds":[{HUGE}]}}'.encode(),
            "Could not read JSON: Number value length (5000) exceeds the maximum allowed (1000, "
            "from `StreamReadConstraints.getMaxNumberLength()`)",
        ),
        (
            "GET",
            ORDERSHEETS,
            f"{LIST_QUERY}&maxPerPage={HUGE}",
            None,
            "Invalid parameter 'maxPerPage': must be smaller than or equal to 50",
        ),
        ("PUT", QUANTITY.format(item=HUGE, n=1), "", None, "vendorItemId"),
        ("PUT", QUANTITY.format(item=1, n=HUGE), "", None, "quantity"),
    ],
    ids=["path", "body", "query", "quantities-item", "quantities-n"],
)
def test_integers_of_5000_digits_are_a_400(
    server: Any, services: MockServices, method: str, path: str, query: str, body: bytes | None, message: str
) -> None:
    before = snapshot(services)
    response = signed(server, method, path, query, body=body)
    assert response.status_code == 400
    assert message in response.text
    assert snapshot(services) == before


@pytest.mark.parametrize(
    "signature",
    ["\u00e9" * 64, "Ａ" * 64, "zz"],
    ids=["latin-1", "full-width", "short"],
)
def test_a_non_ascii_signature_is_an_invalid_signature(server: Any, signature: str) -> None:
    valid = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT")
    header = valid.rsplit("signature=", 1)[0] + "signature=" + signature
    response = requests.get(
        f"{server.base_url}{ECHO}?status=ACCEPT",
        headers={"Authorization": header.encode("utf-8")},  # type: ignore[dict-item]
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature."


def test_unicode_digits_in_the_extended_timeout_header(server: Any) -> None:
    response = signed(server, "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": "²".encode()})  # type: ignore[dict-item]
    assert response.status_code == 400
    assert response.json()["code"] == "ERROR"
    assert "X-EXTENDED-TIMEOUT" in response.json()["message"]


@pytest.mark.parametrize("value", ["abc", "-1", "12345678", "1.5", "６００００"])
def test_the_extended_timeout_pattern_is_enforced(server: Any, value: str) -> None:
    response = signed(server, "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": value.encode()})  # type: ignore[dict-item]
    assert response.status_code == 400


def test_a_valid_extended_timeout_passes(server: Any) -> None:
    assert signed(server, "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": "60000"}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/journal?limit=%C2%B2"), ("POST", f"/vendors/{V}/orders/%C2%B2/confirm")],
    ids=["journal-limit", "confirm-order"],
)
def test_unicode_digits_in_control_inputs_are_a_400(
    server: Any, services: MockServices, method: str, path: str
) -> None:
    before = snapshot(services)
    response = control(server, method, path, json={} if method == "POST" else None)
    assert response.status_code == 400
    assert snapshot(services) == before


def test_full_width_digits_make_no_vendor(server: Any, services: MockServices) -> None:
    before = snapshot(services)
    response = control(server, "POST", "/vendors", json={"vendorId": "A１２３４５６７８"})
    assert response.status_code == 400
    assert snapshot(services) == before


@pytest.mark.parametrize(
    "body",
    [{"accessKey": 5}, {"accessKey": "has space"}, {"secretKey": "a,b"}, {"secretKey": ["x"]}, {"accessKey": "é"}],
)
def test_vendor_keys_must_fit_a_cea_header(server: Any, services: MockServices, body: dict[str, Any]) -> None:
    before = snapshot(services)
    response = control(server, "POST", "/vendors", json=body)
    assert response.status_code == 400
    assert next(iter(body)) in response.json()["message"]
    assert snapshot(services) == before


def test_a_bug_is_told_from_a_simulated_500(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    control(server, "POST", "/faults", json={"operationId": "fixtureEcho", "preset": "internal-500", "count": 1})
    simulated = signed(server, "GET", ECHO, "status=ACCEPT")
    with caplog.at_level(logging.ERROR, logger="coupang_mock"):
        bug = signed(server, "GET", BOOM)
    assert simulated.status_code == bug.status_code == 500
    assert simulated.json() == bug.json() == {"code": 500, "message": "Internal Exception"}
    assert ERROR_ID_HEADER not in simulated.headers
    error_id = bug.headers[ERROR_ID_HEADER]
    journal = control(server, "GET", "/journal", params={"limit": 2}).json()
    assert journal[0]["serverError"] == "bug" and journal[0]["errorId"] == error_id
    assert journal[1]["serverError"] == "fault" and "errorId" not in journal[1]
    records = [r for r in caplog.records if error_id in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None


# ------------------------------------------------------------------------------------- the control plane


def test_cross_origin_reset_is_refused(server: Any, client: Any, services: MockServices) -> None:
    client.request("POST", THINGS, body={"vendorId": V, "name": "keep me"})
    before = snapshot(services)
    response = control(
        server,
        "POST",
        "/reset",
        data="{}",
        headers={"Origin": "http://attacker.example", "Content-Type": "text/plain"},
    )
    assert response.status_code == 403
    assert snapshot(services) == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Origin": "null"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "multipart/form-data; boundary=x"}, 415),
    ],
    ids=["cross-site", "same-site", "opaque-origin", "text-plain", "form", "multipart"],
)
def test_browser_shaped_writes_are_refused(
    server: Any, services: MockServices, headers: dict[str, str], status: int
) -> None:
    before = snapshot(services)
    response = control(server, "POST", "/vendors", data=b"{}", headers={"Content-Type": "application/json", **headers})
    assert response.status_code == status
    assert snapshot(services) == before


def test_same_origin_and_non_browser_writes_pass(server: Any) -> None:
    own = server.base_url
    same_origin = {"Origin": own, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}
    assert control(server, "POST", "/vendors", data=b"{}", headers=same_origin).status_code == 201
    assert control(server, "POST", "/vendors", json={}).status_code == 201  # python client, no Origin
    assert control(server, "POST", "/vendors", data=b"{}").status_code == 201  # bytes body, no Content-Type
    yaml_typed = {"Content-Type": "application/yaml"}  # a type no page can send without a preflight
    assert control(server, "POST", "/vendors", data=b"{}", headers=yaml_typed).status_code == 201
    assert control(server, "POST", "/reset").status_code == 200  # curl -X POST, no body, no type
    assert control(server, "DELETE", "/faults").status_code == 200


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("attacker.example", 403),
        ("attacker.example:8080", 403),
        ("127.0.0.1.nip.io", 403),
        ("localhost", 200),
        ("localhost:9999", 200),
        ("127.0.0.2:8080", 200),
        ("[::1]:8080", 200),
        ("app.localhost", 200),
    ],
)
def test_dns_rebinding_host_is_refused(app: Any, host: str, status: int) -> None:
    response = app.test_client().get("/_mock/vendors", headers={"Host": host})
    assert response.status_code == status
    if status == 403:
        assert b"secretKey" not in response.data


def test_allowed_hosts_and_token(app: Any, services: MockServices) -> None:
    test_client = app.test_client()
    assert test_client.get("/_mock/vendors", headers={"Host": "mock.internal:8080"}).status_code == 403
    services.settings.allowed_hosts = ("mock.internal",)
    assert test_client.get("/_mock/vendors", headers={"Host": "mock.internal:8080"}).status_code == 200
    services.settings.control_token = "s3cret"
    token = {"X-Mock-Token": "s3cret"}
    assert test_client.get("/_mock/vendors", headers={"Host": "elsewhere.example", **token}).status_code == 200
    assert test_client.get("/_mock/vendors", headers={"Host": "localhost", "X-Mock-Token": "s3cre"}).status_code == 403
    non_ascii = {"Host": "localhost", "X-Mock-Token": "s3crét".encode().decode("latin-1")}
    assert test_client.get("/_mock/vendors", headers=non_ascii).status_code == 403


def test_the_token_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch, app: Any, services: MockServices
) -> None:
    import hmac

    from coupang_mock.server import control as control_module

    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(control_module.hmac, "compare_digest", spy)
    services.settings.control_token = "s3cret"
    app.test_client().get("/_mock/clock", headers={"X-Mock-Token": "nope"})
    assert calls == [(b"nope", b"s3cret")]


def test_a_refused_control_call_leaves_the_api_answering_as_before(server: Any, client: Any) -> None:
    created = client.request("POST", THINGS, body={"vendorId": V, "name": "kept"}).data
    before = signed(server, "GET", f"{THINGS}/{created}").json()
    hostile = {"Origin": "http://attacker.example", "Content-Type": "text/plain"}
    for path, body in [
        ("/reset", "{}"),
        ("/faults", '{"status": 500}'),
        ("/clock", '{"advanceSeconds": 99999999}'),
        ("/vendors", "{}"),
    ]:
        assert control(server, "POST", path, data=body, headers=hostile).status_code == 403
    assert control(server, "GET", "/faults").json() == []
    assert signed(server, "GET", f"{THINGS}/{created}").json() == before


# ------------------------------------------------------------------------------------------------ limits


def test_oversize_body_is_a_413(app: Any, settings: Settings, services: MockServices) -> None:
    settings.max_body_bytes = 1000
    before = snapshot(services)
    body = b'{"vendorId":"A00012345","shipmentBoxIds":[' + b"1," * 600 + b"1]}"
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "PUT", ACK, "")
    response = app.test_client().put(
        ACK, data=body, headers={"Authorization": header, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json["code"] == "ERROR"
    control_answer = app.test_client().post(
        "/_mock/vendors", data=b"{" + b" " * 2000 + b"}", content_type="application/json"
    )
    assert control_answer.status_code == 413
    assert snapshot(services) == before


def test_a_bug_around_the_gateway_still_answers_in_coupangs_shape(
    app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Coupang paths bypass Flask (and its error handlers): the dispatcher keeps the same promise."""

    def broken(_gateway: Gateway, _request: Any) -> Any:
        raise RuntimeError("a bug outside the gateway's own handling")

    monkeypatch.setattr(Gateway, "__call__", broken)
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, "")
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(ECHO, headers={"Authorization": header})
    assert response.status_code == 500
    assert response.json["message"] == "Internal Exception" and "Traceback" not in response.get_data(as_text=True)
    assert response.headers[ERROR_ID_HEADER] in caplog.text
    assert app.test_client().get("/_mock/health").status_code == 200  # the control plane is still Flask's


def test_a_body_over_the_servers_limit_is_refused_while_the_gateway_reads_it(services: MockServices) -> None:
    services.settings.max_body_bytes = 1000
    app = create_app(services=services)  # the limit the app was made with, as Flask's MAX_CONTENT_LENGTH was
    services.settings.max_body_bytes = 10_000_000
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "POST", THINGS, "")
    response = app.test_client().post(
        THINGS, data=b"{" + b" " * 2000 + b"}", headers={"Authorization": header, "Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json["message"] == "Request Entity Too Large"


def test_waitress_refuses_an_oversize_body_before_reading_it() -> None:
    app = create_app(Settings(throttle_enabled=False, max_body_bytes=1000))
    running = start_in_thread(app)
    try:
        ok = requests.post(
            running.base_url + "/_mock/vendors",
            data=b"{" + b" " * 998 + b"}",
            timeout=10,
            headers={"Content-Type": "application/json"},
        )
        assert ok.status_code == 201
        too_big = requests.post(
            running.base_url + "/_mock/vendors",
            data=b"{" + b" " * 999 + b"}",
            timeout=10,
            headers={"Content-Type": "application/json"},
        )
        assert too_big.status_code == 413
    finally:
        running.stop()


def test_long_url_is_a_414(server: Any, settings: Settings) -> None:
    settings.max_url_bytes = 200
    response = signed(server, "GET", ECHO, "status=ACCEPT&pad=" + "x" * 300)
    assert response.status_code == 414
    assert response.json()["code"] == "ERROR"


def _raw_http(server: Any, request: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


def test_content_length_with_transfer_encoding_is_refused(server: Any, services: MockServices) -> None:
    before = snapshot(services)
    body = b'{"vendorId":"A00012345","name":"smuggled"}'
    chunked = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "POST", THINGS, "")
    request = (
        f"POST {THINGS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {header}\r\n"
        f"Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode() + chunked
    answer = _raw_http(server, request)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
    assert snapshot(services) == before


def test_idle_connections_are_closed_and_limits_come_from_settings() -> None:
    settings = Settings(throttle_enabled=False, idle_timeout_seconds=2, connection_limit=50, threads=3)
    running = start_in_thread(create_app(settings))
    try:
        adj = running._server.adj  # type: ignore[attr-defined]
        assert (adj.connection_limit, adj.channel_timeout, adj.threads) == (50, 2, 3)
        with socket.create_connection((running.host, running.port), timeout=10) as idle:
            deadline = time.monotonic() + 10
            closed = False
            while time.monotonic() < deadline and not closed:
                idle.settimeout(0.5)
                try:
                    closed = idle.recv(1) == b""
                except TimeoutError:
                    continue
            assert closed, "an idle connection must be closed after idle_timeout_seconds"
    finally:
        running.stop()


def test_105_idle_sockets_no_longer_lock_clients_out(server: Any) -> None:
    """waitress' default of 100 connections let 105 idle sockets shut every client out for 120 s."""
    idle = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(150)]
    try:
        assert signed(server, "GET", ECHO, "status=ACCEPT").status_code == 200
    finally:
        for sock in idle:
            sock.close()


def test_405_names_the_allowed_methods(server: Any) -> None:
    response = requests.delete(f"{server.base_url}{ORDERSHEETS}", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["message"] == "Request method 'DELETE' not supported"


@pytest.mark.parametrize("path", [ORDERSHEETS, "/_mock/vendors", "/_mock/reset"])
def test_options_is_a_405_with_allow(server: Any, path: str) -> None:
    response = requests.options(server.base_url + path, timeout=10)
    assert response.status_code == 405
    assert response.headers["Content-Type"].startswith("application/json")
    assert "OPTIONS" not in response.headers["Allow"]
    assert "DELETE" not in response.headers["Allow"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/json"])
def test_a_body_that_is_not_json_typed_is_a_415(server: Any, services: MockServices, content_type: str) -> None:
    before = snapshot(services)
    response = signed(server, "POST", THINGS, body=b'{"vendorId":"A00012345","name":"x"}', content_type=content_type)
    assert response.status_code == 415
    assert response.json()["message"] == f"Content type '{content_type}' not supported"
    assert snapshot(services) == before


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json;charset=UTF-8", "application/vnd.x+json", None]
)
def test_json_typed_or_untyped_bodies_are_read(server: Any, content_type: str | None) -> None:
    response = signed(server, "POST", THINGS, body=b'{"vendorId":"A00012345","name":"x"}', content_type=content_type)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        (
            INQUIRIES,
            "vendorId=A00012345&answeredType=ALL&inquiryStartAt=2026-03-01&inquiryEndAt=2026-03-02&pageNum=878931571534762014150250987520",
            "Invalid parameter 'pageNum': must be smaller than or equal to 2147483647",
        ),
        (
            INQUIRIES,
            "vendorId=A00012345&answeredType=ALL&inquiryStartAt=2026-03-01&inquiryEndAt=2026-03-02&pageNum=2147483648",
            "Invalid parameter 'pageNum': must be smaller than or equal to 2147483647",
        ),
        (
            CONTRACT,
            "contractId=9223372036854775808",
            "Invalid parameter 'contractId': must be smaller than or equal to 9223372036854775807",
        ),
        (
            f"{OPENAPI}/callCenterInquiries",
            "vendorId=A00012345&partnerCounselingStatus=NONE&orderId=-9223372036854775809",
            "Invalid parameter 'orderId'",
        ),
    ],
    ids=["pageNum-huge", "pageNum-int32+1", "contractId-int64+1", "orderId-below-int64"],
)
def test_int32_and_int64_bounds_are_enforced(server: Any, path: str, query: str, message: str) -> None:
    response = signed(server, "GET", path, query)
    assert response.status_code == 400
    assert message in response.text
    assert "878931571534762014150250987520" not in response.text.replace(f"{query}", "")


# ----------------------------------------------------------------------------------- 401 diagnostics (17)


def _debug_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 401
    return response.json()["debug"]


def test_unknown_key_says_it_is_not_registered_here(server: Any) -> None:
    header = sign("nobody-knows-me", DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT")
    response = requests.get(f"{server.base_url}{ECHO}?status=ACCEPT", headers={"Authorization": header}, timeout=10)
    assert response.json()["message"] == "Unknown error occurred, please contact api-gateway channel for the details."
    debug = _debug_of(response)
    assert debug["check"] == "accessKey"
    assert "'nobody-knows-me' is not registered" in debug["detail"] and "POST /_mock/vendors" in debug["detail"]


@pytest.mark.parametrize(
    ("header", "part"),
    [
        ("Bearer abc", "must start with 'CEA '"),
        ("CEA algorithm=HmacSHA256", "'access-key=' is missing"),
        (
            "CEA algorithm=HmacSHA256, accesskey=k, signed-date=251120T113608Z, signature=ab",
            "part 2 must be 'access-key=…'",
        ),
        (
            "CEA algorithm=HmacSHA256, access-key=k, signed-date=251120T113608Z, signature=ab, extra=1",
            "unexpected text",
        ),
    ],
)
def test_format_error_says_which_part_failed(server: Any, header: str, part: str) -> None:
    response = requests.get(f"{server.base_url}{ECHO}?status=ACCEPT", headers={"Authorization": header}, timeout=10)
    assert response.json()["message"] == "HMAC format is invalid."
    debug = _debug_of(response)
    assert debug["check"] == "format" and part in debug["detail"]


def test_bad_signed_date_says_the_expected_format(server: Any) -> None:
    header = f"CEA algorithm=HmacSHA256, access-key={DEFAULT_ACCESS_KEY}, signed-date=2025-11-20, signature=ab"
    response = requests.get(f"{server.base_url}{ECHO}?status=ACCEPT", headers={"Authorization": header}, timeout=10)
    debug = _debug_of(response)
    assert debug["check"] == "signedDate" and "251120T113608Z" in debug["detail"]


def test_expired_date_shows_server_time_signed_date_and_window(server: Any) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT", old)
    response = requests.get(f"{server.base_url}{ECHO}?status=ACCEPT", headers={"Authorization": header}, timeout=10)
    assert response.json()["message"] == "Specified signature is expired."
    debug = _debug_of(response)
    signed_date = old.strftime("%y%m%dT%H%M%SZ")
    assert debug["check"] == "dateSkew"
    assert "server time" in debug["detail"] and signed_date in debug["detail"] and "window ±300 s" in debug["detail"]
    assert "behind by 6" in debug["detail"] or "behind by 5" in debug["detail"]


def test_no_auth_debug_hides_the_debug_field(server: Any, settings: Settings) -> None:
    settings.auth_debug = False
    header = sign("nobody-knows-me", DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT")
    response = requests.get(f"{server.base_url}{ECHO}?status=ACCEPT", headers={"Authorization": header}, timeout=10)
    assert response.status_code == 401
    assert "debug" not in response.json() and "expectedStringToSign" not in response.json()


def test_diagnose_route_runs_every_check(server: Any) -> None:
    query = "status=ACCEPT"
    good = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, query)
    answer = control(
        server, "POST", "/auth/diagnose", json={"authorization": good, "method": "get", "path": ECHO, "query": query}
    ).json()
    assert answer["ok"] is True and answer["verdict"] == "ok"
    assert [c["check"] for c in answer["checks"]] == [
        "format",
        "algorithm",
        "signedDate",
        "accessKey",
        "dateSkew",
        "signature",
        "keyAge",
    ]
    bad = sign(DEFAULT_ACCESS_KEY, "wrong", "GET", ECHO, query)
    answer = control(
        server, "POST", "/auth/diagnose", json={"authorization": bad, "method": "GET", "path": ECHO, "query": query}
    ).json()
    assert answer["verdict"] == "Invalid signature."
    signature_check = next(c for c in answer["checks"] if c["check"] == "signature")
    assert signature_check["expectedStringToSign"].endswith(f"GET{ECHO}{query}")
    assert signature_check["receivedSignature"] == bad.rsplit("=", 1)[1]
    assert DEFAULT_SECRET_KEY not in json.dumps(answer)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"method": "GET"},
        {"method": "GET", "path": "no-slash"},
        {"method": 1, "path": "/x"},
        {"method": "GET", "path": "/x", "query": []},
    ],
)
def test_diagnose_route_validates_its_input(server: Any, body: dict[str, Any]) -> None:
    assert control(server, "POST", "/auth/diagnose", json=body).status_code == 400


def test_diagnose_is_the_function_the_gateway_uses(services: MockServices) -> None:
    now = datetime.now(UTC)
    checks = services.auth.diagnose(None, "GET", ECHO, "", now, now)
    assert checks == [{"check": "header", "ok": False, "detail": "no Authorization header was sent"}]


# ------------------------------------------------------------------------------------------ serve flags


def test_serve_exposes_every_limit() -> None:
    text = CliRunner().invoke(main, ["serve", "--help"]).output
    for flag in [
        "--threads",
        "--max-body-bytes",
        "--max-json-depth",
        "--max-number-length",
        "--max-url-bytes",
        "--connection-limit",
        "--idle-timeout",
        "--allowed-host",
        "--no-auth-debug",
    ]:
        assert flag in text


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUPANG_MOCK_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("COUPANG_MOCK_ALLOWED_HOSTS", "a.example, b.example")
    settings = Settings.from_env()
    assert settings.max_body_bytes == 2048
    assert settings.allowed_hosts == ("a.example", "b.example")
