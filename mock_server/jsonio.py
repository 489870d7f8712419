"""Compact JSON for answers and store documents: orjson where it can say the value, the standard library
where it cannot.

A list page is ~100 kB of JSON and every store read decodes a document, so encoding and decoding were
the largest single costs of a served request (bench/RESULTS.md). orjson is 5–10× faster at both but
refuses what the standard library accepts (integers beyond 64 bits, non-string keys, NaN in input):
those values take the standard library's path, so the bytes a client sees never depend on which one
ran except in the spelling of floats (`1e16` rather than `1e+16`, the same JSON number).
"""

from __future__ import annotations

import copy
import json
from typing import Any

try:
    import orjson
except ImportError:  # a platform without a wheel: the standard library does everything
    orjson = None  # type: ignore[assignment]

_COMPACT: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
STDLIB_MARK = " "


def dumps(value: Any) -> str:
    """Compact, UTF-8 (no \\u escapes) JSON text, as the mock answers."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # JSONEncodeError: big integer, non-string key, unknown type
            pass
    return json.dumps(value, **_COMPACT)


def dump_bytes(value: Any) -> bytes:
    """`dumps` as the UTF-8 bytes of an answer body (orjson makes bytes: no round trip through str)."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:
            pass
    return json.dumps(value, **_COMPACT).encode()


def dump_doc(value: Any) -> str:
    """A store document. orjson would read an integer beyond 64 bits back as a float, so a document
    only the standard library can write is marked (a leading space, still JSON) for it to read too."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:
            return STDLIB_MARK + json.dumps(value, **_COMPACT)
    return json.dumps(value, **_COMPACT)


def load_doc(text: str | bytes) -> Any:
    if orjson is not None and text[:1] not in (STDLIB_MARK, STDLIB_MARK.encode()):
        try:
            return orjson.loads(text)
        except ValueError:  # JSONDecodeError: NaN or Infinity written by an older version
            pass
    return json.loads(text)


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data (documents, request bodies), several times faster than
    copy.deepcopy, which it falls back on for anything else."""
    kind = type(value)
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    if kind in (str, int, float, bool, type(None)):
        return value
    return copy.deepcopy(value)
