"""Request validation at the edge, compiled once from the spec (fastjsonschema, not openapi-core).

Messages follow the Spring upstream Coupang runs ("Required String parameter 'status' is not
present", "Could not read JSON: …") and always name the offending field.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastjsonschema

from . import jackson
from .errors import ApiError, MalformedJson, line_of
from .spec import Operation

_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_KNOWN_FORMATS = {"date", "date-time", "email", "hostname", "ipv4", "ipv6", "uri", "uuid", "regex", "time", "iri"}
# A schema may carry the message Coupang answers when that field is wrong (`{index}` = the array position).
ERROR_MESSAGE = "x-error-message"
MISSING_MESSAGE = "x-missing-message"
_INDEX_RE = re.compile(r"\[(\d+)\]")
_JAVA_TYPES = {"integer": "Long", "number": "Double", "boolean": "Boolean", "array": "List"}


def _collect_formats(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        fmt = node.get("format")
        if isinstance(fmt, str):
            found.add(fmt)
        for value in node.values():
            _collect_formats(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_formats(value, found)
    return found


def _strip_for_draft7(node: Any) -> Any:
    """Drop the OpenAPI-only keywords fastjsonschema would trip over, keep everything else."""
    if isinstance(node, dict):
        return {
            k: _strip_for_draft7(v)
            for k, v in node.items()
            if k not in {"example", "examples", "xml", "externalDocs", "discriminator", "deprecated"}
            and (not k.startswith("x-") or k == ERROR_MESSAGE)
        }
    if isinstance(node, list):
        return [_strip_for_draft7(v) for v in node]
    return node


def compile_schema(schema: dict[str, Any]) -> Callable[[Any], Any]:
    return _compile_cached(json.dumps(schema, sort_keys=True))


@functools.lru_cache(maxsize=2048)
def _compile_cached(schema_json: str) -> Callable[[Any], Any]:
    """Compiling is the slow part (code generation); identical schemas compile once per process."""
    cleaned = _strip_for_draft7(json.loads(schema_json))
    formats = {f: (lambda _v: True) for f in _collect_formats(cleaned, set()) - _KNOWN_FORMATS}
    # Coupang's date-times are not RFC 3339; the spec uses patterns for them, so relax the rest.
    formats.update({"date-time": lambda _v: True, "date": r"^\d{4}-\d{2}-\d{2}"})
    return fastjsonschema.compile(cleaned, formats=formats)


def _field_name(exc: fastjsonschema.JsonSchemaValueException, root: str) -> str:
    name = exc.name or "data"
    return root + name[4:] if name.startswith("data") else name


def _reason(exc: fastjsonschema.JsonSchemaValueException) -> str:
    message = exc.message
    name = exc.name or "data"
    return message[len(name) :].strip() if message.startswith(name) else message


@dataclass
class CompiledParams:
    location: str
    params: dict[str, dict[str, Any]]
    required: list[str]
    validator: Callable[[Any], Any] | None


class OperationValidator:
    """Compiles on first use: start-up builds 128 of these, most never called in a short test run."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    @functools.cached_property
    def query(self) -> CompiledParams:
        return self._compile_params("query")

    @functools.cached_property
    def path(self) -> CompiledParams:
        return self._compile_params("path")

    @functools.cached_property
    def body(self) -> Callable[[Any], Any] | None:
        schema = self.operation.request_schema
        return compile_schema(schema) if schema else None

    def _compile_params(self, location: str) -> CompiledParams:
        params = {p["name"]: p for p in self.operation.parameters if p.get("in") == location}
        required = [name for name, p in params.items() if p.get("required")]
        if not params:
            return CompiledParams(location, {}, [], None)
        schema = {
            "type": "object",
            "properties": {name: p.get("schema", {}) for name, p in params.items()},
        }
        return CompiledParams(location, params, required, compile_schema(schema))

    def validate_params(self, compiled: CompiledParams, raw: dict[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in compiled.required:
            if name not in raw or (raw[name] == [""] and compiled.location == "path"):
                param = compiled.params[name]
                java = _JAVA_TYPES.get(param.get("schema", {}).get("type", ""), "String")
                # Spring's text unless the upstream documents its own (x-missing-message)
                raise ApiError(400, param.get(MISSING_MESSAGE) or f"Required {java} parameter '{name}' is not present")
        for name, items in raw.items():
            param = compiled.params.get(name)
            values[name] = (
                _coerce(param.get("schema", {}), items) if param else (items[0] if len(items) == 1 else items)
            )
        if compiled.validator is not None:
            try:
                compiled.validator({k: v for k, v in values.items() if k in compiled.params})
            except fastjsonschema.JsonSchemaValueException as exc:
                raise ApiError(400, _param_message(compiled, exc, raw)) from None
        return values

    def parse_body(self, raw: bytes, content_type: str | None) -> Any:
        if not raw.strip():
            if self.operation.body_required:
                raise ApiError(400, "Required request body is missing")
            return None
        try:
            body = json.loads(raw.decode("utf-8"), parse_float=_whole_as_int, parse_constant=_non_numeric)
        except UnicodeDecodeError:
            raise ApiError(400, "Could not read JSON: Invalid UTF-8 start byte") from None
        except json.JSONDecodeError as exc:
            raise MalformedJson(_json_message(exc, raw), exc.lineno) from None
        try:
            body = jackson.coerce(body, self.operation.request_schema)
        except jackson.Refusal as refusal:
            raise ApiError(400, refusal.message.replace("{line}", str(line_of(raw, refusal.value)))) from None
        if self.body is not None:
            try:
                self.body(body)
            except fastjsonschema.JsonSchemaValueException as exc:
                raise ApiError(400, _body_message(exc, raw)) from None
        return body


def _param_message(
    compiled: CompiledParams, exc: fastjsonschema.JsonSchemaValueException, raw: dict[str, list[str]]
) -> str:
    """Coupang's own words where the parameter declares them (`x-error-message`, `{value}` = what was
    sent), else the gateway's generic text."""
    field = _field_name(exc, "").lstrip(".") or "parameter"
    name = field.split("[")[0]
    param = compiled.params.get(name, {})
    custom = param.get(ERROR_MESSAGE) or param.get("schema", {}).get(ERROR_MESSAGE)
    if isinstance(custom, str):
        return custom.replace("{value}", ",".join(raw.get(name) or [""]))
    return f"Invalid parameter '{field}': {_reason(exc)}"


def _whole_as_int(text: str) -> float | int:
    # Jackson binds 3.0 to a Long field; JSON Schema calls 3.0 an integer too, so handlers must see 3
    value = float(text)
    if math.isinf(value):
        raise ApiError(400, f"Could not read JSON: Numeric value ({text}) out of range of double")
    return int(value) if value.is_integer() else value


def _non_numeric(token: str) -> Any:
    raise ApiError(
        400,
        f"Could not read JSON: Non-standard token '{token}': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS to allow",
    )


def _body_message(exc: fastjsonschema.JsonSchemaValueException, raw: bytes) -> str:
    definition = exc.definition if isinstance(exc.definition, dict) else {}
    custom = definition.get(ERROR_MESSAGE)
    if exc.rule == "required":
        # an absent field answers like the same field sent as null: with the field's own documented text
        custom = _missing_field_message(definition, exc.message) or custom
    if isinstance(custom, str):
        indexes = _INDEX_RE.findall(exc.name or "")
        custom = custom.replace("{index}", indexes[-1] if indexes else "0")
        return custom.replace("{line}", str(line_of(raw, exc.value))) if "{line}" in custom else custom
    return f"{_field_name(exc, 'requestBody')} {_reason(exc)}"


_MISSING = re.compile(r"must contain \[(.*)\] properties")


def _missing_field_message(definition: dict[str, Any], message: str) -> str | None:
    found = _MISSING.search(message)
    if not found:
        return None
    missing = {name.strip().strip("'\"") for name in found.group(1).split(",")}
    properties = definition.get("properties") or {}
    for name in definition.get("required") or []:
        worded = (properties.get(name) or {}).get(ERROR_MESSAGE)
        if name in missing and isinstance(worded, str):
            return worded
    return None


def _json_message(exc: json.JSONDecodeError, raw: bytes) -> str:
    if exc.msg.startswith("Invalid control character"):
        code = raw.decode("utf-8", "replace")[exc.pos] if exc.pos < len(raw) else "\r"
        return (
            f"Could not read JSON: Illegal unquoted character ((CTRL-CHAR, code {ord(code)})): "
            "has to be escaped using backslash to be included in string value"
        )
    return f"Could not read JSON: {exc.msg} (line: {exc.lineno}, column: {exc.colno})"


def _coerce(schema: dict[str, Any], items: list[str]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        flat = [part for item in items for part in (item.split(",") if item else [])]
        return [_coerce(schema.get("items", {}), [part]) for part in flat]
    value = items[-1] if items else ""
    if kind == "integer" and _INT_RE.match(value):
        return int(value)
    if kind == "number" and _NUM_RE.match(value):
        return float(value)
    if kind == "boolean" and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value
