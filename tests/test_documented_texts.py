"""Documented texts win over the validator's, and Jackson's coercions bind what Coupang's upstream binds.

Every required body field the spec gives Coupang's own text for (`x-error-message`) is sent absent and
as null through HTTP: both answer with that text. Numeric and boolean strings bind like Jackson's
defaults; what Jackson refuses is refused in its words.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from coupang_mock.client import CoupangClient
from coupang_mock.server import jackson, spec

DOCUMENT = spec.load()


def _documented_required_fields() -> list[tuple[spec.Operation, str, str, dict[str, Any]]]:
    found = []
    for op in spec.iter_operations(DOCUMENT):
        schema = op.request_schema or {}
        example = _example_body(op)
        if schema.get("type") != "object" or not isinstance(example, dict):
            continue
        properties = schema.get("properties") or {}
        for name in schema.get("required") or []:
            text = (properties.get(name) or {}).get("x-error-message")
            if isinstance(text, str) and "{" not in text and name in example:
                found.append((op, name, text, example))
    return found


def _example_body(op: spec.Operation) -> Any:
    body = spec.deref(DOCUMENT, op.raw.get("requestBody") or {})
    media = next((v for k, v in (body.get("content") or {}).items() if "json" in k), {})
    if "example" in media:
        return media["example"]
    examples = media.get("examples") or {}
    first = next(iter(examples.values()), None)
    return spec.deref(DOCUMENT, first).get("value") if first else None


def _path(op: spec.Operation, vendor_id: str, body: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return vendor_id if name == "vendorId" else str(body.get(name, 1))

    return re.sub(r"\{([^}]+)\}", fill, op.path)


def _required_query(op: spec.Operation) -> str:
    """Each required query parameter with its example, first enum value or default: valid, so the body
    is what gets refused."""
    from coupang_mock.client.signing import encode_query

    pairs = []
    for param in op.parameters:
        if param.get("in") != "query" or not param.get("required"):
            continue
        schema = param.get("schema") or {}
        value = param.get("example", schema.get("example", (schema.get("enum") or [schema.get("default", 1)])[0]))
        pairs.append((param["name"], value))
    return encode_query(pairs)


CASES = _documented_required_fields()


def test_the_enumeration_covers_the_cancel_fields() -> None:
    named = {(op.operation_id, name) for op, name, _text, _example in CASES}
    for field in (
        "orderId",
        "vendorItemIds",
        "receiptCounts",
        "bigCancelCode",
        "middleCancelCode",
        "vendorId",
        "userId",
    ):
        assert ("cancelOrderItems", field) in named


@pytest.mark.parametrize(("op", "name", "text", "example"), CASES, ids=[f"{c[0].operation_id}-{c[1]}" for c in CASES])
@pytest.mark.parametrize("how", ["absent", "null"])
def test_a_missing_field_gets_its_documented_text(
    coupang_client: CoupangClient, op: spec.Operation, name: str, text: str, example: dict[str, Any], how: str
) -> None:
    body = copy.deepcopy(example)
    if "vendorId" in body:
        body["vendorId"] = coupang_client.vendor_id
    if how == "absent":
        del body[name]
    else:
        body[name] = None
    path = _path(op, coupang_client.vendor_id, example)
    answer = coupang_client.send_raw(op.method, path, _required_query(op), body)
    data = answer.json()
    assert answer.status_code == 400, data
    assert (data.get("message") or data.get("errorMessage")) == text


def test_cancel_refuses_a_user_that_is_not_a_wing_user_of_the_vendor(
    coupang_mock: Any, coupang_client: CoupangClient
) -> None:
    vendor = coupang_client.vendor_id
    coupang_mock.control("PUT", f"/vendors/{vendor}/wing-users", json={"userIds": ["wing_seller01"]})
    (item,) = coupang_mock.control(
        "POST",
        f"/vendors/{vendor}/catalog/items",
        json={"items": [{"itemName": "a", "salePrice": 10000, "quantity": 5}]},
    )["vendorItemIds"]
    order_id = coupang_mock.control(
        "POST", f"/vendors/{vendor}/orders", json={"items": [{"vendorItemId": item, "quantity": 1}]}
    )["orderId"]
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{vendor}/orders/{order_id}/cancel"
    body = {
        "orderId": order_id,
        "vendorItemIds": [item],
        "receiptCounts": [1],
        "bigCancelCode": "CANERR",
        "middleCancelCode": "CCTTER",
        "vendorId": vendor,
        "userId": "somebody_else",
    }
    refused = coupang_client.send_raw("POST", path, "", body)
    assert (refused.status_code, refused.json()["message"]) == (400, "업체 ID에 맞는 올바른 유저 ID를 입력해주세요.")
    accepted = coupang_client.send_raw("POST", path, "", {**body, "userId": "wing_seller01"})
    assert accepted.status_code == 200, accepted.json()


# ---------------------------------------------------------------- Jackson's coercions

LONG_FIELD = {"type": "integer", "format": "int64"}
INT_FIELD = {"type": "integer", "format": "int32"}
BOOL_FIELD = {"type": "boolean"}
NUMBER_FIELD = {"type": "number"}


@pytest.mark.parametrize(
    ("schema", "sent", "bound"),
    [
        (LONG_FIELD, "623122000000000001", 623122000000000001),
        (LONG_FIELD, "-5", -5),
        (LONG_FIELD, 7, 7),
        (INT_FIELD, "2147483647", 2147483647),
        (BOOL_FIELD, "true", True),
        (BOOL_FIELD, "False", False),
        (NUMBER_FIELD, "1.5", 1.5),
        (NUMBER_FIELD, "3", 3),
        ({"type": "string"}, "12", "12"),
        ({"type": ["integer", "null"]}, None, None),
    ],
)
def test_jackson_binds_numeric_and_boolean_strings(schema: dict[str, Any], sent: Any, bound: Any) -> None:
    assert jackson.coerce({"f": sent}, {"type": "object", "properties": {"f": schema}}) == {"f": bound}


@pytest.mark.parametrize(
    ("schema", "sent", "said"),
    [
        (LONG_FIELD, "abc", 'from String "abc": not a valid Long value'),
        (LONG_FIELD, "1.5", 'from String "1.5": not a valid Long value'),
        (LONG_FIELD, "9223372036854775808", "not a valid Long value"),
        (LONG_FIELD, 9223372036854775808, "out of range of long (-9223372036854775808 - 9223372036854775807)"),
        (INT_FIELD, "2147483648", 'from String "2147483648": not a valid Integer value'),
        (INT_FIELD, 2147483648, "out of range of int (-2147483648 - 2147483647)"),
        (BOOL_FIELD, "yes", 'only "true" or "false" recognized'),
        (NUMBER_FIELD, "1,5", "not a valid Double value"),
    ],
)
def test_jackson_refusals_are_worded_like_jackson(schema: dict[str, Any], sent: Any, said: str) -> None:
    with pytest.raises(jackson.Refusal) as refused:
        jackson.coerce({"f": sent}, {"type": "object", "properties": {"f": schema}})
    assert refused.value.message.startswith("Could not read JSON: ")
    assert said in refused.value.message


def test_a_documented_text_wins_over_jacksons() -> None:
    schema = {
        "type": "object",
        "properties": {"ids": {"type": "array", "items": {**LONG_FIELD, "x-error-message": "bad id at {index}"}}},
    }
    with pytest.raises(jackson.Refusal) as refused:
        jackson.coerce({"ids": ["1", "x"]}, schema)
    assert refused.value.message == "bad id at 1"


def test_a_node_client_acknowledges_with_string_ids(coupang_mock: Any, coupang_client: CoupangClient) -> None:
    """JSON.parse can't hold 18 digits, so JavaScript clients send ids as strings: Coupang binds them."""
    vendor = coupang_client.vendor_id
    (item,) = coupang_mock.control(
        "POST",
        f"/vendors/{vendor}/catalog/items",
        json={"items": [{"itemName": "a", "salePrice": 10000, "quantity": 5}]},
    )["vendorItemIds"]
    box = coupang_mock.control(
        "POST", f"/vendors/{vendor}/orders", json={"items": [{"vendorItemId": item, "quantity": 1}]}
    )["shipmentBoxIds"][0]
    path = f"/v2/providers/openapi/apis/api/v4/vendors/{vendor}/ordersheets/acknowledgement"
    answer = coupang_client.send_raw("PUT", path, "", {"vendorId": vendor, "shipmentBoxIds": [str(box)]})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["data"]["responseList"][0]["shipmentBoxId"] == box
    refused = coupang_client.send_raw("PUT", path, "", {"vendorId": vendor, "shipmentBoxIds": ["12a"]})
    assert refused.status_code == 400 and "not a valid Long value" in refused.json()["message"]


def test_string_booleans_bind_on_a_center(coupang_mock: Any, coupang_client: CoupangClient) -> None:
    schema = next(
        op for op in spec.iter_operations(DOCUMENT) if op.operation_id == "createOutboundShippingCenter"
    ).request_schema
    assert schema is not None
    example = _example_body(
        next(op for op in spec.iter_operations(DOCUMENT) if op.operation_id == "createOutboundShippingCenter")
    )
    bound = jackson.coerce({**example, "global": "false"}, schema)
    assert bound["global"] is False


def test_a_raw_plus_in_a_window_is_refused_as_coupang_requires_2b(coupang_client: CoupangClient) -> None:
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{coupang_client.vendor_id}/ordersheets"
    raw = coupang_client.send_raw(
        "GET", path, "createdAtFrom=2026-03-02+09:00&createdAtTo=2026-03-02%2B09:00&status=ACCEPT"
    )
    assert raw.status_code == 400
    assert raw.json()["message"] == "Invalid date format: createdAtFrom=2026-03-02 09:00"
    encoded = coupang_client.send_raw(
        "GET", path, "createdAtFrom=2026-03-02%2B09:00&createdAtTo=2026-03-02%2B09:00&status=ACCEPT"
    )
    assert encoded.status_code == 200


MISSING_PARAMS = [
    (op, param["name"], param["x-missing-message"])
    for op in spec.iter_operations(DOCUMENT)
    for param in op.parameters
    if param.get("in") == "query" and param.get("required") and param.get("x-missing-message")
]


def test_the_documented_missing_parameter_texts_are_enumerated() -> None:
    assert ("getReturnShippingCentersByCode", "returnCenterCodes") in {
        (op.operation_id, n) for op, n, _ in MISSING_PARAMS
    }


@pytest.mark.parametrize(
    ("op", "name", "text"), MISSING_PARAMS, ids=[f"{c[0].operation_id}-{c[1]}" for c in MISSING_PARAMS]
)
def test_a_missing_parameter_gets_its_documented_text(
    coupang_client: CoupangClient, op: spec.Operation, name: str, text: str
) -> None:
    from urllib.parse import parse_qsl

    from coupang_mock.client.signing import encode_query

    query = [(k, v) for k, v in parse_qsl(_required_query(op)) if k != name]
    answer = coupang_client.send_raw(op.method, _path(op, coupang_client.vendor_id, {}), encode_query(query), None)
    assert answer.status_code == 400
    assert _message_of(answer.json()) == text


def _message_of(data: dict[str, Any]) -> str:
    return str(data.get("message") or data.get("errorMessage") or "")
