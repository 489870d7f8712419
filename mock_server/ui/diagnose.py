"""Why a CEA HMAC signature fails: the string the client signed, for the dashboard's HMAC debugger.

The signature alone cannot be inverted, but clients get it wrong in a handful of known ways (decoded
path, '?' before the query, re-encoded or sorted query, lower-case method). Trying those variants with
the vendor's secret usually finds the exact string the client signed, which is then shown beside the
expected one with the differing part highlighted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_plus

from coupang_mock.client.signing import (
    encode_query,
    parse_authorization,
    parse_signed_date,
    signature,
    string_to_sign,
)

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


def signing_mistakes(header: str | None, method: str, path: str, query: str, *, lookup: KeyLookup) -> dict[str, Any]:
    """The string the client signed beside the expected one, their diff and the mistake in words, as far
    as the header allows. The checks and their verdict are the gateway's own (`Authenticator.diagnose`);
    this only explains a signature that did not match.

    `lookup(access_key)` gives the vendor record (vendorId, secretKey) or None.
    """
    report: dict[str, Any] = {
        "vendorId": None,  # whose key signed it, when the key is known
        "expectedStringToSign": None,
        "receivedStringToSign": None,
        "diff": None,
        "hint": None,
    }
    parsed = parse_authorization(header) if header and header.strip() else None
    if parsed is None:
        return report
    try:
        parse_signed_date(parsed.signed_date)
    except ValueError:
        return report  # no string-to-sign worth showing: the date check says what is wrong
    query = query.removeprefix("?")
    expected = report["expectedStringToSign"] = string_to_sign(parsed.signed_date, method, path, query)
    vendor = lookup(parsed.access_key)
    if vendor is None:
        return report
    report["vendorId"] = vendor["vendorId"]
    if "…" in parsed.signature:  # masked by the journal: nothing to compare
        return report
    if signature(vendor["secretKey"], expected) == parsed.signature.lower():
        report["receivedStringToSign"] = expected
        return report
    found = signed_variant(vendor["secretKey"], parsed.signed_date, method, path, query, parsed.signature)
    received = report["receivedStringToSign"] = found[0] if found else None
    report["diff"] = text_diff(expected, received)
    report["hint"] = mistake_hint(found[1] if found else None)
    return report
