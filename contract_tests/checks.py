"""Coupang-specific checks on top of schemathesis' conformance checks.

Each check sees the response and the operation as documented (`Documented`): Coupang answers some
inputs with a documented HTTP 500 and some families carry their own `code` words ("FAILED" with HTTP
200), so "is this right" is judged against what the spec says that operation answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

INT64_FIELDS = frozenset(
    {"shipmentBoxId", "orderId", "vendorItemId", "sellerProductId", "receiptId", "exchangeId", "inquiryId", "couponId"}
)
# The shared "upstream failed" answer: documenting it does not make a 5xx an expected answer.
GENERIC_SERVER_ERRORS = frozenset({"#/components/responses/InternalError", "#/components/responses/GatewayTimeout"})


@dataclass(frozen=True)
class Documented:
    """One operation of the bundled document, able to list the bodies it documents per status."""

    raw: dict[str, Any]
    document: dict[str, Any]

    def _deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 10:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            node, seen = target, seen + 1
        return node

    def response(self, status: int) -> tuple[str | None, dict[str, Any]]:
        """(the $ref it was written as, the resolved response object) for an exact status."""
        responses = self.raw.get("responses") or {}
        node = responses.get(str(status))
        if node is None:
            return None, {}
        ref = node.get("$ref") if isinstance(node, dict) else None
        resolved = self._deref(node)
        return ref, resolved if isinstance(resolved, dict) else {}

    def example_bodies(self, status: int, *, specific_only: bool = False) -> list[Any]:
        ref, response = self.response(status)
        if specific_only and ref in GENERIC_SERVER_ERRORS:
            return []
        bodies: list[Any] = []
        for media in (response.get("content") or {}).values():
            media = self._deref(media)
            if "example" in media:
                bodies.append(media["example"])
            for example in (media.get("examples") or {}).values():
                example = self._deref(example)
                if isinstance(example, dict) and "value" in example:
                    bodies.append(example["value"])
        return bodies


CoupangCheck = Callable[[requests.Response, Documented], str | None]


def _json(response: requests.Response) -> Any:
    try:
        # parse_float keeps a float-encoded id visible instead of silently rounding it
        return json.loads(response.text, parse_float=Decimal)
    except ValueError:
        return None


def message_of(body: Any) -> str | None:
    """The error text of a body, whichever key its family uses."""
    if not isinstance(body, dict):
        return None
    value = body.get("message", body.get("errorMessage"))
    return None if value is None else str(value)


def no_undocumented_server_error(response: requests.Response, op: Documented) -> str | None:
    """A 5xx passes only as one of the answers the operation itself documents (verbatim message)."""
    if response.status_code < 500:
        return None
    documented = {message_of(body) for body in op.example_bodies(response.status_code, specific_only=True)}
    documented.discard(None)
    if message_of(_json(response)) in documented:
        return None
    return f"server error HTTP {response.status_code} not documented for this operation: {response.text[:300]}"


def errors_carry_a_message(response: requests.Response, _op: Documented) -> str | None:
    if not 400 <= response.status_code < 500:
        return None
    if response.status_code == 403 and "Access Denied" in response.text:
        return None  # the CDN's HTML block page is what Coupang really sends
    if not (message_of(_json(response)) or "").strip():
        return f"HTTP {response.status_code} without a message: {response.text[:200]}"
    return None


def envelope_code_matches_status(response: requests.Response, op: Documented) -> str | None:
    """Where a body carries `code` next to `message`, it mirrors the HTTP status (or is the gateway's
    "ERROR", or a code word the operation documents for that status, e.g. "FAILED" with HTTP 200)."""
    body = _json(response)
    if not isinstance(body, dict) or "code" not in body or "message" not in body:
        return None
    code = str(body["code"])
    if code in {str(response.status_code), "ERROR"} or (
        200 <= response.status_code < 300 and code in {"200", "SUCCESS"}
    ):
        return None
    documented = {
        str(b["code"]) for b in op.example_bodies(response.status_code) if isinstance(b, dict) and "code" in b
    }
    if code in documented:
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


def ids_are_exact_integers(response: requests.Response, _op: Documented) -> str | None:
    body = _json(response)
    for key, value in _walk(body):
        if key in INT64_FIELDS and value is not None and not isinstance(value, int | list):
            return f"{key} is {type(value).__name__} {value!r}, not an exact 64-bit integer"
    return None


COUPANG_CHECKS: dict[str, CoupangCheck] = {
    "no_undocumented_server_error": no_undocumented_server_error,
    "errors_carry_a_message": errors_carry_a_message,
    "envelope_code_matches_status": envelope_code_matches_status,
    "ids_are_exact_integers": ids_are_exact_integers,
}
