"""Jackson's default scalar coercions, applied to a parsed body before schema validation.

Coupang's upstream services are Spring/Jackson: a JSON string holding a number binds to a numeric field,
"true"/"false" bind to a boolean. JavaScript clients rely on it, since an 18-digit shipmentBoxId does not
fit a JS number and is sent as a string. What Jackson refuses is refused here with Jackson's words: a
string that is no number, a fraction into an integer, a value beyond the Java type's range. The message
texts are inferred (Jackson 2.9+ wording behind Spring's "Could not read JSON: " prefix, the prefix
Coupang documents); the root of the spec says so (`x-jackson-coercion`, `x-inferred`).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError

ERROR_MESSAGE = "x-error-message"
LONG = (-(2**63), 2**63 - 1)
INT = (-(2**31), 2**31 - 1)
_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_TRUE, _FALSE = {"true", "True", "TRUE"}, {"false", "False", "FALSE"}


def coerce(value: Any, schema: dict[str, Any] | None, where: str = "requestBody") -> Any:
    """`value` with numeric and boolean strings bound to the schema's scalar types (a new object)."""
    if not isinstance(schema, dict):
        return value
    for part in schema.get("allOf") or []:
        value = coerce(value, part, where)
    if isinstance(value, dict):
        return _coerce_object(value, schema, where)
    if isinstance(value, list):
        items = schema.get("items")
        return [coerce(v, items, f"{where}[{i}]") for i, v in enumerate(value)] if isinstance(items, dict) else value
    return _coerce_scalar(value, schema, where)


def _coerce_object(value: dict[str, Any], schema: dict[str, Any], where: str) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    out = {}
    for key, item in value.items():
        sub = properties.get(key, extra if isinstance(extra, dict) else None)
        out[key] = coerce(item, sub, f"{where}.{key}")
    return out


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else ({kind} if isinstance(kind, str) else set())


def _coerce_scalar(value: Any, schema: dict[str, Any], where: str) -> Any:
    kinds = _types(schema)
    if "string" in kinds or not kinds:
        return value  # a string field, or one the schema leaves open: nothing to bind
    if isinstance(value, str):
        if "integer" in kinds:
            return _long(value, schema, where)
        if "number" in kinds:
            return _double(value, schema, where)
        if "boolean" in kinds:
            return _boolean(value, schema, where)
        return value
    if isinstance(value, int) and not isinstance(value, bool) and "integer" in kinds:
        low, high = _bounds(schema)
        if not low <= value <= high:
            primitive = "int" if schema.get("format") == "int32" else "long"
            said = f"Could not read JSON: Numeric value ({value}) out of range of {primitive} ({low} - {high})"
            raise _refusal(schema, where, value, said)
    return value


def _long(text: str, schema: dict[str, Any], where: str) -> int:
    low, high = _bounds(schema)
    if _INTEGER_TEXT.match(text.strip()) and len(text) < 40 and low <= int(text) <= high:
        return int(text)
    raise _refusal(schema, where, text, _not_valid(text, _java(schema)))


def _double(text: str, schema: dict[str, Any], where: str) -> float | int:
    if _NUMBER_TEXT.match(text.strip()) and len(text) < 400:
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**63 else number
    raise _refusal(schema, where, text, _not_valid(text, "java.lang.Double"))


def _boolean(text: str, schema: dict[str, Any], where: str) -> bool:
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _refusal(
        schema,
        where,
        text,
        f'Could not read JSON: Cannot deserialize value of type `java.lang.Boolean` from String "{_short(text)}": only "true" or "false" recognized',
    )


def _bounds(schema: dict[str, Any]) -> tuple[int, int]:
    return INT if schema.get("format") == "int32" else LONG


def _java(schema: dict[str, Any]) -> str:
    return "java.lang.Integer" if schema.get("format") == "int32" else "java.lang.Long"


def _not_valid(text: str, java_type: str) -> str:
    short = java_type.rsplit(".", 1)[-1]
    return f'Could not read JSON: Cannot deserialize value of type `{java_type}` from String "{_short(text)}": not a valid {short} value'


def _short(text: str) -> str:
    return text if len(text) <= 64 else text[:61] + "..."


class Refusal(ApiError):
    """A value Jackson would not bind; `value` lets the caller name its body line (`{line}`)."""

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(400, message)
        self.value = value


def _refusal(schema: dict[str, Any], where: str, value: Any, jackson_text: str) -> Refusal:
    """Coupang's own words where the field declares them (`x-error-message`), else Jackson's."""
    custom = schema.get(ERROR_MESSAGE)
    if isinstance(custom, str):
        indexes = re.findall(r"\[(\d+)\]", where)
        worded = custom.replace("{index}", indexes[-1] if indexes else "0").replace("{value}", str(value))
        return Refusal(worded, value)
    return Refusal(jackson_text, value)
