"""Control-plane inputs checked against specs/control.yaml itself, so the spec and the code agree.

`check("FaultInput", body)` validates with the schema of that name under components/schemas (compiled
once, like the API's own validators) and raises ControlInputError naming the offending field.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from typing import Any

import fastjsonschema
import yaml

from .errors import ApiError
from .spec import deref, specs_dir
from .validation import compile_schema

_PROPERTIES_RE = re.compile(r"\{'([^']+)'")


class ControlInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def to_error(self) -> ApiError:
        return ApiError(400, str(self), extra={"field": self.field})


@functools.cache
def document() -> dict[str, Any]:
    with (specs_dir() / "control.yaml").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


@functools.cache
def _validator(name: str) -> Callable[[Any], Any]:
    doc = document()
    return compile_schema(deref(doc, doc["components"]["schemas"][name]))


def check(name: str, data: Any) -> None:
    _reject_non_finite(data, "")
    try:
        _validator(name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        field = (exc.name or "data").removeprefix("data").lstrip(".") or "body"
        reason = exc.message.removeprefix(exc.name or "").strip()
        if exc.rule == "additionalProperties":
            unknown = _PROPERTIES_RE.search(exc.message)
            field = unknown.group(1) if unknown else field
            reason = "is not a known field"
        raise ControlInputError(field, f"{field} {reason}") from None


def _reject_non_finite(data: Any, path: str) -> None:
    """NaN and ±Infinity pass JSON Schema's comparisons (every comparison with NaN is false)."""
    if isinstance(data, float) and not math.isfinite(data):
        field = path or "body"
        raise ControlInputError(field, f"{field} must be a finite number")
    if isinstance(data, dict):
        for key, value in data.items():
            _reject_non_finite(value, f"{path}.{key}" if path else str(key))


def parse_body(raw: bytes) -> dict[str, Any]:
    """A control body: empty means {}, anything else must be one JSON object of finite numbers."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "control body must be a JSON object", extra={"field": "body"}) from None
    if not isinstance(data, dict):
        raise ApiError(400, "control body must be a JSON object", extra={"field": "body"})
    return data


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")
