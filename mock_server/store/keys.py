"""Index tuples as bytes whose byte order is the tuple order, so SQL stores need one indexed column.

Each component is self-delimiting (a type tag, then a fixed-width number or an escaped, terminated
string), so a tuple's encoding is a byte prefix of every longer tuple that starts with it, and
shorter tuples sort first exactly as Python compares them. Numbers are one type (bool and int and
float compare as Python does): floor as a biased 64-bit integer, then the float's order-preserving
IEEE bits (zero for integers), exact for every finite double whose floor fits in 64 bits.
"""

from __future__ import annotations

import math
import struct

from .base import IndexKey, Scalar

NUMBER = b"\x02"
TEXT = b"\x03"
AFTER_ALL = b"\xff"  # greater than every tag: the end of a prefix's range
BIAS = 1 << 63


def encode_component(value: Scalar) -> bytes:
    if isinstance(value, str):
        return TEXT + value.encode("utf-8").replace(b"\x00", b"\x00\xff") + b"\x00\x01"
    if isinstance(value, bool | int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"index components must be finite numbers, not {value!r}")
        whole = math.floor(value)
        if not -BIAS <= whole < BIAS:
            raise ValueError(f"index number {value!r} does not fit in 64 bits")
        within = 0  # an integer (or integral float) is the least value of its unit interval
        if isinstance(value, float) and not value.is_integer():
            # Within [whole, whole + 1) floats order as their IEEE bits once negatives are flipped;
            # every finite double maps above 0, so above the integer itself.
            bits = struct.unpack(">Q", struct.pack(">d", value))[0]
            within = bits ^ 0xFFFF_FFFF_FFFF_FFFF if value < 0 else bits | 1 << 63
        return NUMBER + struct.pack(">QQ", whole + BIAS, within)
    raise TypeError(f"index components are str, int, float or bool, not {type(value).__name__}")


def encode(key: IndexKey) -> bytes:
    return b"".join(encode_component(value) for value in key)


def bounds(prefix: IndexKey, lo: Scalar | None, hi: Scalar | None) -> tuple[bytes, bytes]:
    """[lower, upper) of the encoded tuples that start with `prefix` and continue within [lo, hi)."""
    head = encode(prefix)
    lower = head + encode_component(lo) if lo is not None else head
    upper = head + encode_component(hi) if hi is not None else head + AFTER_ALL
    return lower, upper


def prefixes(encoded: bytes) -> list[bytes]:
    """Every prefix of an encoded tuple at component boundaries, the empty one and the whole included."""
    ends, at = [0], 0
    while at < len(encoded):
        if encoded[at : at + 1] == NUMBER:
            at += 17
        else:
            at = encoded.index(b"\x00\x01", at + 1)  # an escaped NUL is \x00\xff, never \x00\x01
            at += 2
        ends.append(at)
    return [encoded[:end] for end in ends]
