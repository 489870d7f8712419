"""What one recorded exchange did that the bundled spec does not say.

The proxy and `coupang-mock drift` judge exchanges with the mechanisms the mock and the contract
harness already use: the spec's paths, routed by the gateway's rules, find the operation; the
gateway's request validator judges the request; the harness's Coupang checks judge envelope codes and
error messages; the documented responses of the operation (status, schema, example messages,
headers) judge the answer.
Each difference is a `Finding`; `drift.py` counts them per operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import parse_qs, unquote

import requests

from coupang_mock.contract.checks import COUPANG_CHECKS, Documented, message_of

from . import spec as spec_module
from .errors import ApiError
from .redact import EMAIL_RE, PHONE_RE
from .routing import MethodNotAllowed, RouteNotFound, Router
from .validation import ERROR_MESSAGE, OperationValidator

# Response headers every HTTP stack adds; any other `X-…` header is something to know about
# (X-CAG-Warnings: the gateway's throttle warning).
ORDINARY_HEADERS = frozenset(
    {"x-content-type-options", "x-frame-options", "x-xss-protection", "x-request-id", "x-cache", "x-powered-by"}
)
# The harness's Coupang checks this module runs as they are; the other two (undocumented 5xx, ids as
# exact integers) are covered here field by field, by the status/message and schema comparisons.
_CHECK_KINDS = {"envelope_code_matches_status": "envelope", "errors_carry_a_message": "error-message"}
_EXAMPLE_LIMIT = 300
_PERSONAL = re.compile(f"{EMAIL_RE.pattern}|{PHONE_RE.pattern}")
# In an escaped message: `{value}`-style holes, numbers (masked ones too: 8742***052), quoted names.
_TEMPLATE_HOLES = re.compile(r"\\\{(?:value|index|line)\\\}|(?:\d|\\\*)+|'[^']*'|\"[^\"]*\"")


@dataclass(frozen=True)
class Finding:
    """One difference: `kind` (what sort), `where` (body path, header or status), `detail` (what
    reality did, stable across exchanges so they can be counted), `example` (the redacted value)."""

    kind: str
    where: str
    detail: str
    example: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.where, self.detail)


@dataclass
class Verdict:
    operation_id: str | None
    findings: list[Finding]


class _Recorded:
    """The two attributes of `requests.Response` the harness's checks read."""

    def __init__(self, status: int, body: Any, text: str | None) -> None:
        self.status_code = status
        self.text = text if text is not None else json.dumps(body, ensure_ascii=False)


def short(value: Any) -> str:
    """A value as JSON (so "123" and 123 read differently), cut for a report cell."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _EXAMPLE_LIMIT else text[:_EXAMPLE_LIMIT] + "…"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def message_pattern(message: str) -> re.Pattern[str]:
    """A documented message as a pattern: numbers, quoted names and `{value}` holes vary per call, and
    so do the emails and phone numbers in it (recordings are judged after redaction)."""
    pieces = [_TEMPLATE_HOLES.sub(".*", re.escape(piece)) for piece in _PERSONAL.split(message.strip())]
    return re.compile("^" + ".*".join(pieces) + "$", re.DOTALL)


class Conformance:
    """The spec, compiled lazily per operation (validators, dereferenced response schemas)."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document if document is not None else spec_module.load()
        self.operations = {op.operation_id: op for op in spec_module.iter_operations(self.document)}
        # The gateway's own router: literal segments before parameters, no strict slashes.
        self.router = Router()
        for op_id, op in self.operations.items():
            self.router.add(op.method, op.path, op_id)
        self._validators: dict[str, OperationValidator] = {}
        self._schemas: dict[tuple[str, int], Any] = {}
        self._messages: dict[tuple[str, int], list[re.Pattern[str]]] = {}

    def match(self, method: str, raw_path: str) -> tuple[spec_module.Operation, dict[str, str]] | None:
        try:
            operation_id, params = self.router.match(method, unquote(raw_path))
        except (RouteNotFound, MethodNotAllowed):
            return None
        return self.operations[operation_id], params

    def judge(self, record: dict[str, Any]) -> Verdict:
        request, response = record["request"], record["response"]
        matched = self.match(request["method"], request["path"])
        if matched is None:
            where = f"{request['method']} {request['path']}"
            return Verdict(None, [Finding("unknown-operation", where, "no operation of the spec has this path")])
        operation, path_params = matched
        documented = Documented(operation.raw, self.document)
        findings = [
            *self._request(operation, path_params, request, response["status"]),
            *self._status(operation, documented, response),
            *self._checks(documented, response),
            *self._headers(documented, response),
        ]
        unique = {f.key: f for f in findings}
        return Verdict(operation.operation_id, list(unique.values()))

    # request ------------------------------------------------------------------------------------------
    def _request(
        self, operation: spec_module.Operation, path_params: dict[str, str], request: dict[str, Any], status: int
    ) -> Iterator[Finding]:
        """Coupang accepting what the spec refuses means the spec is too strict; a refusal agrees."""
        if status >= 400:
            return
        validator = self._validators.get(operation.operation_id)
        if validator is None:
            validator = self._validators.setdefault(operation.operation_id, OperationValidator(operation))
        query = parse_qs(request.get("query") or "", keep_blank_values=True)
        body = request.get("body")
        raw_body = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        if request.get("bodyText") is not None:
            raw_body = str(request["bodyText"]).encode("utf-8")
        try:
            validator.validate_params(validator.path, {k: [v] for k, v in path_params.items()})
            validator.validate_params(validator.query, query)
            if operation.method in {"POST", "PUT", "PATCH", "DELETE"}:
                validator.parse_body(raw_body, None)
        except ApiError as err:
            yield Finding("accepted-invalid-request", "request", _stable(err.message), short(err.message))

    # status, body, messages ---------------------------------------------------------------------------
    def _status(
        self, operation: spec_module.Operation, documented: Documented, response: dict[str, Any]
    ) -> Iterator[Finding]:
        status = int(response["status"])
        body = response.get("body")
        _, answer = documented.response(status)
        if not answer:
            yield Finding(
                "undocumented-status", f"HTTP {status}", f"status {status} is not documented", short(_shown(response))
            )
            return
        if status >= 400:
            yield from self._message(operation, documented, status, body)
        schema = self._schema(operation.operation_id, status, answer)
        if schema is None:
            return
        if body is None and response.get("bodyText") is not None:
            yield Finding("envelope", "(body)", "body is not JSON", short(response["bodyText"]))
            return
        yield from SchemaDiff().compare(schema, body)

    def _message(
        self, operation: spec_module.Operation, documented: Documented, status: int, body: Any
    ) -> Iterator[Finding]:
        message = message_of(body)
        if message is None:
            return
        patterns = self._messages.get((operation.operation_id, status))
        if patterns is None:
            known = {message_of(b) for b in documented.example_bodies(status)}
            if status == 400:
                known |= set(_declared_messages(operation))
            patterns = [message_pattern(m) for m in known if m]
            self._messages[(operation.operation_id, status)] = patterns
        if not any(p.match(message.strip()) for p in patterns):
            yield Finding("undocumented-error-message", f"HTTP {status}", _stable(message), short(message))

    def _schema(self, operation_id: str, status: int, answer: dict[str, Any]) -> Any:
        key = (operation_id, status)
        if key not in self._schemas:
            media = next((m for t, m in (answer.get("content") or {}).items() if "json" in t), None)
            schema = media.get("schema") if isinstance(media, dict) else None
            self._schemas[key] = spec_module.deref(self.document, schema) if schema is not None else None
        return self._schemas[key]

    @staticmethod
    def _checks(documented: Documented, response: dict[str, Any]) -> Iterator[Finding]:
        recorded = cast(
            requests.Response, _Recorded(response["status"], response.get("body"), response.get("bodyText"))
        )
        for name, kind in _CHECK_KINDS.items():
            problem = COUPANG_CHECKS[name](recorded, documented)
            if problem:
                yield Finding(kind, f"HTTP {response['status']}", name.replace("_", " "), short(problem))

    @staticmethod
    def _headers(documented: Documented, response: dict[str, Any]) -> Iterator[Finding]:
        _, answer = documented.response(int(response["status"]))
        declared = {name.lower() for name in (answer.get("headers") or {})}
        for name, value in (response.get("headers") or {}).items():
            lowered = name.lower()
            if lowered.startswith("x-") and lowered not in ORDINARY_HEADERS and lowered not in declared:
                yield Finding("header", lowered, "header not documented", short(value))


class SchemaDiff:
    """A response body against its documented schema, as findings keyed by a path like
    `data[].orderItems[].vendorItemId` (array positions folded, so items count once per exchange).
    Differences in the top-level keys are the envelope's."""

    def compare(self, schema: Any, value: Any, where: str = "") -> Iterator[Finding]:
        if not isinstance(schema, dict) or not schema:
            return
        schema = _merged(schema)
        branches = schema.get("oneOf") or schema.get("anyOf")
        if branches:
            yield from self._best_branch(branches, schema, value, where)
            return
        expected = _types(schema)
        actual = json_type(value)
        if expected and not _type_ok(actual, expected):
            kind = "envelope" if "." not in where and "[" not in where else "type"
            yield Finding(kind, where or "(body)", f"{actual} instead of {'|'.join(expected)}", short(value))
            return
        yield from self._value(schema, value, where)
        if isinstance(value, dict):
            yield from self._object(schema, value, where)
        elif isinstance(value, list):
            for item in value:
                yield from self.compare(schema.get("items") or {}, item, where + "[]")

    def _best_branch(self, branches: list[Any], schema: dict[str, Any], value: Any, where: str) -> Iterator[Finding]:
        rest = {k: v for k, v in schema.items() if k not in {"oneOf", "anyOf"}}
        best: list[Finding] | None = None
        for branch in branches:
            found = list(self.compare(_merged({"allOf": [rest, branch]}) if rest else branch, value, where))
            if best is None or len(found) < len(best):
                best = found
            if not found:
                break
        yield from best or []

    @staticmethod
    def _value(schema: dict[str, Any], value: Any, where: str) -> Iterator[Finding]:
        allowed = schema.get("enum") if "enum" in schema else ([schema["const"]] if "const" in schema else None)
        if allowed is not None and value is not None and value not in allowed:
            yield Finding("enum", where or "(body)", f"value {short(value)} not documented", short(value))
        pattern = schema.get("pattern")
        if isinstance(value, str) and isinstance(pattern, str) and not re.search(pattern, value):
            yield Finding("format", where or "(body)", f"does not match {pattern}", short(value))

    def _object(self, schema: dict[str, Any], value: dict[str, Any], where: str) -> Iterator[Finding]:
        properties: dict[str, Any] = schema.get("properties") or {}
        extra_schema = schema.get("additionalProperties")
        envelope = where == ""
        for name in schema.get("required") or []:
            if name not in value:
                kind = "envelope" if envelope else "missing-field"
                yield Finding(kind, _join(where, name), "documented as required, absent")
        for name, item in value.items():
            if name in properties:
                yield from self.compare(properties[name], item, _join(where, name))
            elif isinstance(extra_schema, dict):
                yield from self.compare(extra_schema, item, _join(where, "*"))
            elif properties and extra_schema is not True:
                kind = "envelope" if envelope else "extra-field"
                yield Finding(kind, _join(where, name), "field not documented", short(item))


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    return []


def _type_ok(actual: str, expected: list[str]) -> bool:
    return actual in expected or (actual == "integer" and "number" in expected)


def _merged(schema: dict[str, Any]) -> dict[str, Any]:
    """allOf folded into one schema: properties and required united, the rest overlaid."""
    parts = schema.get("allOf")
    if not parts:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in parts:
        part = _merged(part) if isinstance(part, dict) else {}
        for key, value in part.items():
            if key == "properties":
                properties = dict(merged.get("properties", {}))
                for name, schema_of in value.items():
                    # a field both parts describe must satisfy both (fms: envelope data + its content)
                    properties[name] = {"allOf": [properties[name], schema_of]} if name in properties else schema_of
                merged["properties"] = properties
            elif key == "required":
                merged["required"] = sorted({*merged.get("required", []), *value})
            else:
                merged.setdefault(key, value)
    return merged


def _declared_messages(operation: spec_module.Operation) -> Iterator[str]:
    """Messages the spec attaches to parameters and request-body nodes (`x-error-message`)."""
    stack: list[Any] = [list(operation.parameters), operation.request_schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            custom = node.get(ERROR_MESSAGE)
            if isinstance(custom, str):
                yield custom
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _stable(message: str) -> str:
    """A message with its varying numbers folded, so one drift counts once."""
    return re.sub(r"\d+", "#", message.strip())[:_EXAMPLE_LIMIT]


def _shown(response: dict[str, Any]) -> Any:
    return response.get("body") if response.get("body") is not None else response.get("bodyText", "")
