"""The request path: authentication, vendor binding, validation, 501, and no tracebacks ever."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from coupang_mock.client import AuthError, CoupangClient, RetryPolicy, ValidationError
from coupang_mock.client.signing import sign
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID
from tests.conftest import ECHO, THINGS

OTHER = "A99999999"


def _raw(
    server: Any,
    method: str,
    path: str,
    query: str = "",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> requests.Response:
    prepared = requests.Request(method, server.base_url + path, headers=headers or {}, data=data).prepare()
    prepared.url = server.base_url + path + (f"?{query}" if query else "")
    return requests.Session().send(prepared, timeout=10)


def _things_count(services: Any) -> int:
    with services.store.transaction(DEFAULT_VENDOR_ID) as tx:
        return len(tx.items("things"))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Request is not authorized."),
        ("Bearer abc", "HMAC format is invalid."),
        ("CEA algorithm=HmacSHA1, access-key=k, signed-date=251120T113608Z, signature=ab", "HMAC format is invalid."),
        ("CEA algorithm=HmacSHA256, access-key=k, signed-date=2025-11-20, signature=ab", "HMAC format is invalid."),
        (
            "CEA algorithm=HmacSHA256, access-key=nobody, signed-date=251120T113608Z, signature=ab",
            "Unknown error occurred, please contact api-gateway channel for the details.",
        ),
    ],
    ids=["missing", "not-cea", "wrong-algorithm", "bad-date", "unknown-key"],
)
def test_401_messages(server: Any, services: Any, header: str | None, message: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = _raw(
        server,
        "POST",
        THINGS,
        headers={**headers, "Content-Type": "application/json"},
        data=b'{"vendorId":"A00012345","name":"x"}',
    )
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "ERROR" and body["message"] == message and body["transactionId"]
    assert _things_count(services) == 0  # a 401 changes no state


def test_expired_signature_shows_expected_string_to_sign(server: Any) -> None:
    old = datetime.now(UTC) - timedelta(minutes=6)
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT", old)
    response = _raw(server, "GET", ECHO, "status=ACCEPT", {"Authorization": header})
    assert response.status_code == 401
    body = response.json()
    assert body["message"] == "Specified signature is expired."
    assert body["expectedStringToSign"].endswith(f"GET{ECHO}status=ACCEPT")
    assert DEFAULT_SECRET_KEY not in response.text


def test_within_window_is_accepted(server: Any) -> None:
    early = datetime.now(UTC) - timedelta(minutes=4)
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", ECHO, "status=ACCEPT", early)
    assert _raw(server, "GET", ECHO, "status=ACCEPT", {"Authorization": header}).status_code == 200


def test_wrong_signature_and_debug_off(settings: Any, server: Any) -> None:
    header = sign(DEFAULT_ACCESS_KEY, "wrong-secret", "GET", ECHO, "status=ACCEPT")
    response = _raw(server, "GET", ECHO, "status=ACCEPT", {"Authorization": header})
    assert response.json()["message"] == "Invalid signature."
    assert "expectedStringToSign" in response.json()
    settings.auth_debug = False
    response = _raw(server, "GET", ECHO, "status=ACCEPT", {"Authorization": header})
    assert "expectedStringToSign" not in response.json()


def test_journal_records_auth_verdict(server: Any) -> None:
    header = sign(DEFAULT_ACCESS_KEY, "wrong-secret", "GET", ECHO, "status=ACCEPT")
    _raw(server, "GET", ECHO, "status=ACCEPT", {"Authorization": header})
    entries = requests.get(server.base_url + "/_mock/journal", params={"limit": 5}, timeout=10).json()
    assert entries[0]["auth"] == "Invalid signature."
    assert entries[0]["operationId"] == "fixtureEcho"
    assert entries[0]["status"] == 401
    assert entries[0]["expectedStringToSign"].endswith("status=ACCEPT")


def test_expired_key_after_180_days(client: CoupangClient, clock: Any) -> None:
    client.request("GET", ECHO, {"status": "ACCEPT"})
    clock.advance(timedelta(days=181).total_seconds())
    with pytest.raises(AuthError) as err:
        client.request("GET", ECHO, {"status": "ACCEPT"})
    assert err.value.status == 401


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (
            ECHO.replace(DEFAULT_VENDOR_ID, OTHER),
            None,
            400,
            "The vendorId in path or requestBody doesn't match the one got from api-gateway.",
        ),
        (ECHO.replace(DEFAULT_VENDOR_ID, "DGb8F3F4"), None, 404, "Not Found"),
        # this operation words the refusal itself (x-vendor-mismatch-message)
        (THINGS, {"vendorId": OTHER, "name": "x"}, 400, "Invalid vendor ID"),
    ],
    ids=["path", "malformed-path", "body"],
)
def test_vendor_binding(client: CoupangClient, services: Any, path: str, body: Any, status: int, message: str) -> None:
    method = "POST" if body else "GET"
    with pytest.raises(Exception) as err:
        client.request(method, path, None if body else {"status": "ACCEPT"}, body)
    assert err.value.status == status  # type: ignore[attr-defined]
    assert err.value.message == message  # type: ignore[attr-defined]
    assert _things_count(services) == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Required String parameter 'status' is not present"),
        ({"status": "NOPE"}, "Invalid parameter 'status'"),
        ({"status": "ACCEPT", "maxPerPage": 51}, "Invalid parameter 'maxPerPage'"),
        ({"status": "ACCEPT", "maxPerPage": "abc"}, "Invalid parameter 'maxPerPage'"),
        ({"status": "ACCEPT", "ids": "1,x"}, "Invalid parameter 'ids[1]'"),
    ],
)
def test_query_validation(client: CoupangClient, query: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.request("GET", ECHO, query)
    assert err.value.status == 400
    assert err.value.message.startswith(message)


def test_query_coercion_keeps_int64_exact(client: CoupangClient) -> None:
    big = 123456789012345678
    data = client.request("GET", ECHO, {"status": "ACCEPT", "ids": [big, big + 1], "text": "a+b ~%"}).data
    assert data["query"]["ids"] == [big, big + 1]
    assert data["query"]["text"] == "a+b ~%"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Required request body is missing"),
        (b"{not json", "Could not read JSON"),
        (
            b'{"vendorId":"A00012345","name":"a\rb"}',
            "Could not read JSON: Illegal unquoted character ((CTRL-CHAR, code 13))",
        ),
        (b'{"vendorId":"A00012345"}', "requestBody must contain ['name'] properties"),
        (
            b'{"vendorId":"A00012345","name":"01234567890"}',
            "requestBody.name must be shorter than or equal to 10 characters",
        ),
        (
            b'{"vendorId":"A00012345","name":"x","items":[{"price":5}]}',
            "requestBody.items[0].price must be bigger than or equal to 10",
        ),
        (b"\xff\xfe", "Could not read JSON"),
        (
            b'{"vendorId":"A00012345","name":"x","items":[{"price":10},{"price":10,"discount":0}]}',
            "items[1] 할인은 1이상 입력 가능합니다.",
        ),
        (b'{"vendorId":"A00012345","name":"x","shipmentBoxId":NaN}', "Could not read JSON: Non-standard token 'NaN'"),
        (
            b'{"vendorId":"A00012345","name":"x","shipmentBoxId":1e400}',
            "Could not read JSON: Numeric value (1e400) out of range of double",
        ),
        (
            b'{"vendorId":"A00012345","name":"x","shipmentBoxId":1.5}',
            "requestBody.shipmentBoxId must be integer",
        ),
    ],
    ids=[
        "empty",
        "malformed",
        "raw-CR",
        "missing-field",
        "too-long",
        "nested",
        "not-utf8",
        "x-error-message",
        "NaN",
        "overflow",
        "fraction-for-integer",
    ],
)
def test_body_validation(server: Any, services: Any, body: bytes, message: str) -> None:
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "POST", THINGS, "")
    response = _raw(
        server, "POST", THINGS, headers={"Authorization": header, "Content-Type": "application/json"}, data=body
    )
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert response.json()["message"].startswith(message), response.json()
    assert _things_count(services) == 0


def test_int64_round_trip(client: CoupangClient) -> None:
    box = 987654321098765432
    thing_id = client.request(
        "POST", THINGS, body={"vendorId": DEFAULT_VENDOR_ID, "name": "x", "shipmentBoxId": box}
    ).data
    assert thing_id >= 10**17
    fetched = client.request("GET", f"{THINGS}/{thing_id}").data
    assert fetched["shipmentBoxId"] == box
    assert f'"shipmentBoxId":{box}' in client.request("GET", f"{THINGS}/{thing_id}").raw.text


def test_a_whole_float_binds_to_an_integer_field(client: CoupangClient) -> None:
    # Jackson binds 7.0 to a Long: the handler must see (and store) the integer 7, not a float
    body = {"vendorId": DEFAULT_VENDOR_ID, "name": "x", "shipmentBoxId": 7.0}
    thing_id = client.request("POST", THINGS, body=body).data
    stored = client.request("GET", f"{THINGS}/{thing_id}").data["shipmentBoxId"]
    assert stored == 7 and type(stored) is int


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("GET", f"{THINGS}/abc", "물건아이디[abc]는 숫자형으로 입력해주세요."),  # the parameter's own words
        ("PUT", f"{THINGS}/abc", "Invalid parameter 'thingId': must be integer"),  # none declared: the gateway's
    ],
)
def test_a_parameter_can_declare_coupangs_message(client: CoupangClient, method: str, path: str, message: str) -> None:
    answer = client.send_raw(method, path)
    assert (answer.status_code, answer.json()) == (400, {"code": 400, "message": message})


def test_patch_alias_reaches_the_put_handler(client: CoupangClient) -> None:
    assert client.request("PATCH", f"{THINGS}/5").data == "fixtureTouchThingPatch"
    assert client.request("PUT", f"{THINGS}/5").data == "fixtureTouchThing"


def test_unserved_operation_answers_501(client: CoupangClient) -> None:
    with pytest.raises(Exception) as err:
        client.request("GET", THINGS.replace("/things", "/unserved"))
    assert err.value.status == 501  # type: ignore[attr-defined]
    assert "fixtureUnserved" in err.value.message  # type: ignore[attr-defined]


def test_handler_bug_is_a_coupang_500_and_rolls_back(server: Any, services: Any) -> None:
    client = CoupangClient(
        DEFAULT_ACCESS_KEY,
        DEFAULT_SECRET_KEY,
        DEFAULT_VENDOR_ID,
        base_url=server.base_url,
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(Exception) as err:
        client.request("GET", THINGS.replace("/things", "/boom"))
    assert err.value.status == 500  # type: ignore[attr-defined]
    assert err.value.body == {"code": 500, "message": "Internal Exception"}  # type: ignore[attr-defined]
    assert _things_count(services) == 0


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_paths_and_methods(server: Any, method: str) -> None:
    response = _raw(server, method, "/v2/providers/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Not Found"}
    response = _raw(server, "DELETE", ECHO)
    assert response.status_code == 405
    assert response.json()["code"] == 405


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (  # the products family answers refusals as {"code":"ERROR", …, "data": null}
            "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products/abc",
            "",
            {"code": "ERROR", "message": "업체상품아이디[null]는 숫자형으로 입력해주세요.", "data": None},
        ),
        (  # fms coupon APIs carry httpStatus and errorMessage
            f"/v2/providers/fms/apis/api/v2/vendors/{DEFAULT_VENDOR_ID}/contract",
            "contractId=abc",
            {
                "code": 400,
                "message": "Invalid parameter 'contractId': must be integer",
                "httpStatus": 400,
                "httpStatusMessage": "Bad Request",
                "errorMessage": "Invalid parameter 'contractId': must be integer",
                "data": None,
            },
        ),
        (  # other families: the application envelope
            ECHO,
            "status=ACCEPT&maxPerPage=x",
            {"code": 400, "message": "Invalid parameter 'maxPerPage': must be integer"},
        ),
    ],
    ids=["products", "fms-coupons", "application"],
)
def test_validation_refusals_use_the_familys_envelope(
    client: CoupangClient, path: str, query: str, expected: dict[str, Any]
) -> None:
    answer = client.send_raw("GET", path, query)
    assert (answer.status_code, answer.json()) == (400, expected)


def _worded_mismatch_reads() -> list[Any]:
    from coupang_mock.server import spec

    return [
        pytest.param(op.path, op.raw["x-vendor-mismatch-message"], id=op.operation_id)
        for op in spec.iter_operations(spec.load())
        if op.method == "GET"
        and "x-vendor-mismatch-message" in op.raw
        and any(p["name"] == "vendorId" for p in op.parameters)
    ]


@pytest.mark.parametrize(("template", "message"), _worded_mismatch_reads())
def test_reads_for_another_vendor_get_the_operations_own_words(
    client: CoupangClient, template: str, message: str
) -> None:
    # every other path parameter gets a plausible number: the vendor check comes first
    path = re.sub(r"\{(?!vendorId)[^}]+\}", "1", template).replace("{vendorId}", OTHER)
    answer = client.send_raw("GET", path, f"vendorId={OTHER}")
    expected = message.replace("{own}", DEFAULT_VENDOR_ID).replace("{requested}", OTHER)
    assert (answer.status_code, answer.json()["message"]) == (400, expected)
