"""Coupang-specific checks on top of schemathesis' conformance checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import requests

INT64_FIELDS = frozenset(
    {"shipmentBoxId", "orderId", "vendorItemId", "sellerProductId", "receiptId", "exchangeId", "inquiryId", "couponId"}
)

CoupangCheck = Callable[[requests.Response, dict[str, Any]], str | None]


def _json(response: requests.Response) -> Any:
    try:
        # parse_float keeps a float-encoded id visible instead of silently rounding it
        return json.loads(response.text, parse_float=Decimal)
    except ValueError:
        return None


def errors_carry_a_message(response: requests.Response, _op: dict[str, Any]) -> str | None:
    if not 400 <= response.status_code < 500:
        return None
    if response.status_code == 403 and "Access Denied" in response.text:
        return None  # the CDN's HTML block page is what Coupang really sends
    body = _json(response)
    if not isinstance(body, dict) or not str(body.get("message") or body.get("errorMessage") or "").strip():
        return f"HTTP {response.status_code} without a message: {response.text[:200]}"
    return None


def envelope_code_matches_status(response: requests.Response, _op: dict[str, Any]) -> str | None:
    """Where a body carries `code` next to `message`, it mirrors the HTTP status (or is the gateway's "ERROR")."""
    body = _json(response)
    if not isinstance(body, dict) or "code" not in body or "message" not in body:
        return None
    code = str(body["code"])
    if code in {str(response.status_code), "ERROR"} or (
        200 <= response.status_code < 300 and code in {"200", "SUCCESS"}
    ):
        return None
    return f"envelope code {body['code']!r} does not match HTTP {response.status_code}"


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def ids_are_exact_integers(response: requests.Response, _op: dict[str, Any]) -> str | None:
    body = _json(response)
    for key, value in _walk(body):
        if key in INT64_FIELDS and value is not None and not isinstance(value, int | list):
            return f"{key} is {type(value).__name__} {value!r}, not an exact 64-bit integer"
    return None


COUPANG_CHECKS: dict[str, CoupangCheck] = {
    "errors_carry_a_message": errors_carry_a_message,
    "envelope_code_matches_status": envelope_code_matches_status,
    "ids_are_exact_integers": ids_are_exact_integers,
}
