"""Why a CEA HMAC signature fails, check by check: what the dashboard's HMAC debugger shows.

The signature alone cannot be inverted, but clients get it wrong in a handful of known ways (decoded
path, '?' before the query, re-encoded or sorted query, lower-case method). Trying those variants with
the vendor's secret usually finds the exact string the client signed, which is then shown beside the
expected one with the differing part highlighted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_plus

from coupang_mock.client.signing import (
    ALGORITHM,
    encode_query,
    parse_authorization,
    parse_signed_date,
    signature,
    string_to_sign,
)

Check = dict[str, Any]
KeyLookup = Callable[[str], dict[str, Any] | None]


Variant = tuple[str, str]  # (the mistake's name, "" for none; the signed part)
HINTS = {
    "question mark": "The query was signed with a leading '?': sign path + query with nothing between them.",
    "no query": "The query string was not signed: append it (as sent, without '?') right after the path.",
    "decoded path": "The path was signed decoded: sign it exactly as sent on the wire (still percent-encoded).",
    "re-encoded path": "The path was signed with another encoding: sign it exactly as sent on the wire.",
    "trailing slash": "The path differs by a trailing slash: sign the path exactly as requested.",
    "decoded query": "The query was signed decoded: sign it exactly as sent on the wire (still percent-encoded).",
    "sorted query": "The query was signed with its parameters re-ordered: sign them in the order sent.",
    "re-encoded query": "The query was signed with another encoding: sign it exactly as sent on the wire.",
    "lower-case method": "The HTTP method must be signed in upper case.",
}


def _paths(path: str) -> list[Variant]:
    decoded = unquote(path)
    return [
        ("", path),
        ("decoded path", decoded),
        ("re-encoded path", quote(decoded, safe="/")),
        ("trailing slash", path.rstrip("/") or "/"),
        ("trailing slash", path + "/"),
    ]


def _queries(query: str) -> list[Variant]:
    pairs = parse_qsl(query, keep_blank_values=True)
    plain: list[Variant] = [
        ("", query),
        ("decoded query", unquote(query)),
        ("decoded query", unquote_plus(query)),
        ("sorted query", "&".join(sorted(query.split("&"))) if query else ""),
        ("re-encoded query", encode_query(pairs)),
    ]
    marked = [(name or "question mark", f"?{q}") for name, q in plain if q]
    return [*plain, ("no query", ""), *marked]


def _methods(method: str) -> list[Variant]:
    return [("", method.upper()), ("lower-case method", method.lower()), ("lower-case method", method.capitalize())]


def signed_variant(
    secret_key: str, signed_date: str, method: str, path: str, query: str, sent_signature: str
) -> tuple[str, list[str]] | None:
    """The string the client really signed and the mistakes that make it, when they are usual ones."""
    wanted = sent_signature.lower()
    seen: set[str] = set()
    for verb_mistake, verb in _methods(method):
        for path_mistake, variant_path in _paths(path):
            for query_mistake, variant_query in _queries(query):
                message = f"{signed_date}{verb}{variant_path}{variant_query}"
                if message in seen:
                    continue
                seen.add(message)
                if signature(secret_key, message) == wanted:
                    return message, [m for m in (verb_mistake, path_mistake, query_mistake) if m]
    return None


def received_string_to_sign(
    secret_key: str, signed_date: str, method: str, path: str, query: str, sent_signature: str
) -> str | None:
    """The string the client really signed, when it is one of the usual mistakes (else None)."""
    found = signed_variant(secret_key, signed_date, method, path, query, sent_signature)
    return found[0] if found else None


def mistake_hint(mistakes: list[str] | None) -> str:
    """In words, what the client did differently (the diff shows where); None: nothing usual matched."""
    if mistakes is None:
        return "No usual variant of this request matches: check the secret key, then what your client signs."
    return " ".join(HINTS[m] for m in dict.fromkeys(mistakes)) or "The client signed the expected string."


def text_diff(expected: str, received: str | None) -> dict[str, str] | None:
    """Common prefix, the two differing middles, common suffix (enough to highlight one edit)."""
    if received is None:
        return None
    start = 0
    limit = min(len(expected), len(received))
    while start < limit and expected[start] == received[start]:
        start += 1
    end = 0
    while end < limit - start and expected[-1 - end] == received[-1 - end]:
        end += 1
    return {
        "prefix": expected[:start],
        "expected": expected[start : len(expected) - end],
        "received": received[start : len(received) - end],
        "suffix": expected[len(expected) - end :] if end else "",
    }


def _check(name: str, ok: bool, detail: str) -> Check:
    return {"check": name, "ok": ok, "detail": detail}


def diagnose(
    header: str | None,
    method: str,
    path: str,
    query: str,
    *,
    lookup: KeyLookup,
    now: datetime,
    key_now: datetime,
    window_seconds: int,
    validity_days: int,
) -> dict[str, Any]:
    """Every check the gateway makes, in its order, each with a human detail; stops where it must.

    `lookup(access_key)` gives the vendor record (vendorId, secretKey, issuedAt) or None.
    """
    checks: list[Check] = []
    result: dict[str, Any] = {"checks": checks, "expectedStringToSign": None, "receivedStringToSign": None}
    query = query[1:] if query.startswith("?") else query
    if not header or not header.strip():
        checks.append(
            _check("present", False, "no Authorization header: Coupang answers 401 Request is not authorized.")
        )
        return result
    parsed = parse_authorization(header)
    checks.append(
        _check(
            "format",
            parsed is not None,
            "CEA algorithm=…, access-key=…, signed-date=…, signature=…"
            if parsed
            else "not 'CEA algorithm=HmacSHA256, access-key=…, signed-date=yyMMddTHHmmssZ, signature=<hex>'",
        )
    )
    if parsed is None:
        return result
    checks.append(_check("algorithm", parsed.algorithm == ALGORITHM, f"{parsed.algorithm} (must be {ALGORITHM})"))
    try:
        signed_at = parse_signed_date(parsed.signed_date)
    except ValueError:
        checks.append(_check("signed-date", False, f"{parsed.signed_date!r} is not yyMMddTHHmmssZ (UTC)"))
        return result
    skew = (signed_at - now).total_seconds()
    checks.append(
        _check(
            "signed-date",
            abs(skew) <= window_seconds,
            f"{signed_at.isoformat()} is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} the server clock "
            f"{now.replace(microsecond=0).isoformat()} (allowed ±{window_seconds}s)",
        )
    )
    expected = string_to_sign(parsed.signed_date, method, path, query)
    result["expectedStringToSign"] = expected
    vendor = lookup(parsed.access_key)
    checks.append(
        _check(
            "access-key",
            vendor is not None,
            f"belongs to vendor {vendor['vendorId']}" if vendor else f"{parsed.access_key} is not a key of this mock",
        )
    )
    if vendor is None:
        return result
    result["vendorId"] = vendor["vendorId"]
    age = key_now - datetime.fromisoformat(vendor["issuedAt"])
    checks.append(
        _check(
            "key-age",
            age <= timedelta(days=validity_days),
            f"issued {age.days} days ago (keys work {validity_days} days)",
        )
    )
    if "…" in parsed.signature:
        checks.append(_check("signature", False, "masked (copied from the journal): paste the header your client sent"))
        return result
    matches = signature(vendor["secretKey"], expected) == parsed.signature.lower()
    if matches:
        checks.append(_check("signature", True, "HMAC-SHA256 of the expected string-to-sign"))
        result["receivedStringToSign"] = expected
        return result
    found = signed_variant(vendor["secretKey"], parsed.signed_date, method, path, query, parsed.signature)
    received = found[0] if found else None
    result["receivedStringToSign"] = received
    result["diff"] = text_diff(expected, received)
    result["hint"] = mistake_hint(found[1] if found else None)
    detail = (
        "the client signed a different string (see the diff)"
        if received
        else "matches none of the usual variants of this request: wrong secret key, or another message was signed"
    )
    checks.append(_check("signature", False, detail))
    return result
