"""Journal entries as the dashboard lists them, and "copy as curl" re-signed with the vendor's key."""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any
from urllib.parse import quote

from coupang_mock.client.signing import parse_authorization, sign

SUMMARY_FIELDS = (
    "id",
    "at",
    "method",
    "path",
    "query",
    "operationId",
    "status",
    "vendorId",
    "keyVendorId",
    "auth",
    "latencyMs",
)
# Headers a replay must not copy: the transport's own, and the signature that is made anew.
_NOT_REPLAYED = {"host", "authorization", "content-length", "connection", "accept-encoding", "user-agent", "accept"}
RAW_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: entry.get(name) for name in SUMMARY_FIELDS}


def matches(entry: dict[str, Any], vendor_id: str | None, status: str | None, operation_id: str | None) -> bool:
    """vendor_id: the authenticated vendor or, for a refused request, the owner of the key it used;
    status: an exact code ("401") or a class ("4xx"); operation_id: a substring, case-insensitive."""
    if vendor_id and vendor_id not in (entry.get("vendorId"), entry.get("keyVendorId")):
        return False
    if status:
        code = str(entry.get("status", ""))
        wanted = status.strip().lower()
        if not (code == wanted or (wanted.endswith("xx") and code[:1] == wanted[:1])):
            return False
    return not operation_id or operation_id.lower() in str(entry.get("operationId") or "").lower()


def access_key_of(entry: dict[str, Any]) -> str | None:
    """The access key the request was signed with (the journal masks only the signature)."""
    parsed = parse_authorization((entry.get("requestHeaders") or {}).get("Authorization", "") or "")
    return parsed.access_key if parsed else None


def curl_line(entry: dict[str, Any], base_url: str, access_key: str, secret_key: str, now: datetime) -> str:
    """One shell line replaying the request, signed now (the signed-date must be within ±5 min)."""
    path = quote(entry["path"], safe=RAW_PATH_SAFE)
    query = entry.get("query") or ""
    url = base_url.rstrip("/") + path + (f"?{query}" if query else "")
    words = ["curl", "-sS", "-X", entry["method"], url]
    words += ["-H", f"Authorization: {sign(access_key, secret_key, entry['method'], path, query, now)}"]
    for name, value in (entry.get("requestHeaders") or {}).items():
        if name.lower() not in _NOT_REPLAYED:
            words += ["-H", f"{name}: {value}"]
    if entry.get("requestBody"):
        words += ["--data-raw", entry["requestBody"]]
    return " ".join(shlex.quote(word) for word in words)
