"""The spec is the single source of truth: it must be valid, complete and self-consistent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from coupang_mock.server import spec

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
DOCUMENT = spec.load_copy()
OPERATIONS = list(spec.iter_operations(DOCUMENT))
RESOLVED = spec.deref(DOCUMENT, DOCUMENT)
INT64_IDS = {"shipmentBoxId", "orderId", "vendorItemId", "sellerProductId", "receiptId", "exchangeId", "productId"}
GROUPS = {
    "products",
    "categories",
    "logistics",
    "coupons",
    "orders",
    "returns",
    "exchanges",
    "cs",
    "settlement",
    "misc",
}


def _op_ids() -> list[str]:
    return [op.operation_id for op in OPERATIONS]


def test_bundle_is_valid_openapi_without_dangling_refs() -> None:
    assert spec.check() == []


def test_control_plane_spec_is_valid() -> None:
    from openapi_spec_validator import validate

    validate(yaml.safe_load((spec.specs_dir() / "control.yaml").read_text(encoding="utf-8")))


def test_schemathesis_loads_the_bundle() -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(DOCUMENT)
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)


@pytest.mark.parametrize("op", OPERATIONS, ids=_op_ids())
def test_operation_is_fully_described(op: spec.Operation) -> None:
    raw = op.raw
    assert re.fullmatch(r"[a-z][A-Za-z0-9]+", op.operation_id), "operationId is camelCase"
    assert raw.get("tags") and raw["tags"][0] in GROUPS
    assert raw.get("x-reference-id")
    assert raw.get("summary")
    assert raw.get("x-name-ko")
    success = [v for k, v in raw.get("responses", {}).items() if str(k).startswith("2")]
    assert success, "a success response"
    resolved = spec.deref(DOCUMENT, success[0])
    media = next(iter((resolved.get("content") or {}).values()), {})
    assert media.get("schema"), "the success response has a schema"
    assert "example" in media or media.get("examples"), "the success response has an example"
    if op.request_schema is not None:
        body = spec.deref(DOCUMENT, raw["requestBody"])
        body_media = next(iter(body["content"].values()))
        assert "example" in body_media or body_media.get("examples"), "the request body has an example"


def _examples() -> list[tuple[str, Any, Any]]:
    found: list[tuple[str, Any, Any]] = []
    for op in OPERATIONS:
        raw = spec.deref(DOCUMENT, op.raw)
        containers = [("request", raw.get("requestBody") or {})] + [
            (f"response {k}", v) for k, v in raw.get("responses", {}).items()
        ]
        for label, container in containers:
            for media_type, media in (container.get("content") or {}).items():
                if "json" not in media_type or "schema" not in media:
                    continue
                values = [media["example"]] if "example" in media else []
                values += [
                    e["value"] for e in (media.get("examples") or {}).values() if isinstance(e, dict) and "value" in e
                ]
                found.extend(
                    (f"{op.operation_id} {label} #{i}", media["schema"], value) for i, value in enumerate(values)
                )
    return found


EXAMPLES = _examples()


@pytest.mark.parametrize(("where", "schema", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples_validate_against_their_schema(where: str, schema: Any, value: Any) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    assert not errors, f"{where}: {errors[0].message} at {list(errors[0].path)}"


def _catalogue_ids() -> set[str]:
    ids: set[str] = set()
    for path in REFERENCE.glob("*.yaml"):
        for endpoint in yaml.safe_load(path.read_text(encoding="utf-8")).get("endpoints") or []:
            ids.add(endpoint["id"])
    return ids


SNAPSHOT = Path(__file__).parent / "fixtures" / "catalogue_ids.txt"


def _snapshot_ids() -> set[str]:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_catalogue_endpoint_is_an_operation() -> None:
    covered: set[str] = set()
    for op in OPERATIONS:
        ref = op.raw.get("x-reference-id")
        covered.update(ref if isinstance(ref, list) else [ref])
    missing = _snapshot_ids() - covered
    assert not missing, sorted(missing)


@pytest.mark.skipif(
    not REFERENCE.exists(),
    reason="needs ../shared/reference (the Coupang catalogue beside a development checkout; not shipped, not in CI clones)",
)
def test_the_catalogue_snapshot_is_current() -> None:
    assert _snapshot_ids() == _catalogue_ids()


def _int64_id_schemas(node: Any, trail: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    if name in INT64_IDS and isinstance(sub, dict) and "type" in sub:
                        found.append((f"{trail}.{name}", sub))
            found.extend(_int64_id_schemas(value, f"{trail}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_int64_id_schemas(value, f"{trail}[{i}]"))
    return found


def test_id_fields_are_int64_integers() -> None:
    wrong = [
        where
        for where, schema in _int64_id_schemas(RESOLVED.get("paths", {}))
        if "integer" not in (schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
        or schema.get("format") != "int64"
    ]
    # productId is a string in a few legacy payloads; everything else must be an exact 64-bit integer.
    assert not [w for w in wrong if not w.endswith(".productId")], wrong[:20]


@pytest.mark.parametrize("value", [123456789012345678, 9223372036854775807, 2**53 + 1])
def test_int64_survives_a_json_round_trip(value: int) -> None:
    text = json.dumps({"shipmentBoxId": value})
    assert json.loads(text)["shipmentBoxId"] == value
    assert str(value) in text


def _links() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for op in OPERATIONS:
        for response in op.raw.get("responses", {}).values():
            for link in (spec.deref(DOCUMENT, response).get("links") or {}).values():
                found.add((op.operation_id, link.get("operationId")))
    return found


LINKS = _links()


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("createSellerProduct", "getSellerProduct"),
        ("createSellerProduct", "requestSellerProductApproval"),
        ("createSellerProduct", "updateSellerProduct"),
        ("createSellerProduct", "deleteSellerProduct"),
        ("listOrdersheets", "acknowledgeOrdersheets"),
        ("acknowledgeOrdersheets", "getOrdersheetByShipmentboxid"),
        ("listOrdersheets", "uploadInvoices"),
        ("uploadInvoices", "getOrdersheetByShipmentboxid"),
        ("uploadInvoices", "getOrdersheetHistory"),
        ("listReturnRequests", "confirmReturnReceipt"),
        ("confirmReturnReceipt", "approveReturnRequest"),
        ("listExchangeRequests", "confirmExchangeReceipt"),
        ("confirmExchangeReceipt", "uploadExchangeInvoice"),
        ("confirmExchangeReceipt", "rejectExchangeRequest"),
        ("listOnlineInquiries", "replyOnlineInquiry"),
        ("listCallCenterInquiries", "replyCallCenterInquiry"),
    ],
)
def test_lifecycle_links_for_stateful_testing(source: str, target: str) -> None:
    assert (source, target) in LINKS


def test_every_link_names_an_existing_operation_and_parameters_of_it() -> None:
    by_id = {op.operation_id: op for op in OPERATIONS}
    for op in OPERATIONS:
        for response in op.raw.get("responses", {}).values():
            for name, link in (spec.deref(DOCUMENT, response).get("links") or {}).items():
                target = by_id.get(link.get("operationId"))
                assert target is not None, f"{op.operation_id} link {name}"
                names = {p["name"] for p in target.parameters}
                unknown = {p.split(".")[-1] for p in link.get("parameters", {})} - names
                assert not unknown, f"{op.operation_id} link {name}: {unknown}"
