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

# ASCII digits only: `str.isdigit()`/`\\d` also take ², ① and full-width digits, which int() refuses or
# silently maps (Coupang's ids are ASCII).
_INT_RE = re.compile(r"^-?[0-9]+$")
_NUM_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
# Jackson binds integer fields to Integer (format int32) or Long (everything else).
_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1)}
_LONG_BOUNDS = (-(2**63), 2**63 - 1)
# More digits than any Long has: such a parameter is out of range whatever it says, and int() of it
# costs quadratic time (and fails past 4,300 digits), so it is never converted.
_MAX_LONG_DIGITS = 19
JSON_MEDIA_RE = re.compile(r"^application/(?:[\w.+-]+\+)?json$", re.IGNORECASE)


@dataclass(frozen=True)
class JsonLimits:
    """How much JSON one request may hold; Jackson's StreamReadConstraints are the model (its own
    defaults are 1000/1000; 500 keeps well inside Python's recursion limit)."""

    max_depth: int = 500
    max_number_length: int = 1000


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
    """Drop the OpenAPI-only keywords fastjsonschema would trip over, keep everything else, and give
    every integer the bounds of the Java type it binds to (Integer/Long) unless the spec is stricter."""
    if isinstance(node, dict):
        cleaned = {
            k: _strip_for_draft7(v)
            for k, v in node.items()
            if k not in {"example", "examples", "xml", "externalDocs", "discriminator", "deprecated"}
            and (not k.startswith("x-") or k == ERROR_MESSAGE)
        }
        kind = cleaned.get("type")
        # A field that also takes a string is left open, as jackson.coerce leaves it (the spec bounds it).
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind and "string" not in kind):
            low, high = _INT_BOUNDS.get(str(cleaned.get("format")), _LONG_BOUNDS)
            cleaned.setdefault("minimum", low)
            cleaned.setdefault("maximum", high)
        return cleaned
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

    def parse_body(self, raw: bytes, content_type: str | None, limits: JsonLimits = JsonLimits()) -> Any:
        if not raw.strip():
            if self.operation.body_required:
                raise ApiError(400, "Required request body is missing")
            return None
        if content_type and not is_json_media(content_type):
            # Spring's @RequestBody only reads JSON; no Content-Type at all is let through (inferred).
            raise ApiError(415, f"Content type '{content_type}' not supported")
        body = parse_json(raw, limits)
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


@dataclass(frozen=True)
class SizeLimits:
    max_url_bytes: int
    max_body_bytes: int


def check_size(url_bytes: int, content_length: int | None, limits: SizeLimits, envelope: str) -> None:
    """Refuse before reading: the gateway answers oversize requests itself (statuses as any front
    server; the numbers are the mock's, see Settings)."""
    if url_bytes > limits.max_url_bytes:
        raise ApiError(414, f"Request-URI Too Long (over {limits.max_url_bytes} bytes)", envelope=envelope)
    if content_length is not None and content_length > limits.max_body_bytes:
        raise ApiError(413, f"Request Entity Too Large (over {limits.max_body_bytes} bytes)", envelope=envelope)


def is_json_media(content_type: str) -> bool:
    return bool(JSON_MEDIA_RE.match(content_type.split(";", 1)[0].strip()))


def parse_json(raw: bytes, limits: JsonLimits = JsonLimits()) -> Any:
    """JSON text to Python, refusing what Jackson's read constraints refuse (too deep, too long a
    number) with its wording, instead of letting Python's recursion or digit limits raise."""
    bounded = functools.partial(_bounded_number, limits.max_number_length)
    try:
        body = json.loads(
            raw.decode("utf-8"),
            parse_int=lambda text: int(bounded(text)),
            parse_float=lambda text: _whole_as_int(bounded(text)),
            parse_constant=_non_numeric,
        )
    except UnicodeDecodeError:
        raise ApiError(400, "Could not read JSON: Invalid UTF-8 start byte") from None
    except json.JSONDecodeError as exc:
        raise MalformedJson(_json_message(exc, raw), exc.lineno) from None
    except RecursionError:
        raise _too_deep(limits.max_depth + 1, limits.max_depth) from None
    # Opening brackets bound the depth from above: most bodies need no walk at all.
    if raw.count(b"[") + raw.count(b"{") > limits.max_depth:
        depth = json_depth(body)
        if depth > limits.max_depth:
            raise _too_deep(depth, limits.max_depth)
    return body


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion (the value may be deeper than the stack)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return deepest


def _too_deep(depth: int, allowed: int) -> ApiError:
    return ApiError(
        400,
        f"Could not read JSON: Document nesting depth ({depth}) exceeds the maximum allowed "
        f"({allowed}, from `StreamReadConstraints.getMaxNestingDepth()`)",
    )


def _bounded_number(max_length: int, text: str) -> str:
    if len(text) > max_length:
        raise ApiError(
            400,
            f"Could not read JSON: Number value length ({len(text)}) exceeds the maximum allowed "
            f"({max_length}, from `StreamReadConstraints.getMaxNumberLength()`)",
        )
    return text


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
        if len(value.lstrip("-")) > _MAX_LONG_DIGITS:
            # Just past every bound, so the schema's minimum/maximum names the parameter and its limit.
            return _LONG_BOUNDS[0] - 1 if value.startswith("-") else _LONG_BOUNDS[1] + 1
        return int(value)
    if kind == "number" and _NUM_RE.match(value) and not math.isinf(float(value)):
        return float(value)
    if kind == "boolean" and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value
