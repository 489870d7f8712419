"""The misuse report: what an integration did against the mock that production would punish, or that
breaks silently there. Rules are pure functions over the request journal of one vendor.

Each finding names the rule, how often it happened, one example request and the policy text from
Coupang's documentation (common.yaml rate_limits / http_errors, cs.yaml) it would run into.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import MockServices

Entry = dict[str, Any]

RATE_POLICY = (
    "Rate limiting on all Coupang OpenAPIs since 2023-07-10: a vendorId calling more than 10 times per second "
    "gets 429, then stays blocked for a few minutes to a few tens of minutes."
)
FAN_OUT_POLICY = (
    "IP address or vendorId blocked by the system (302) after mass calls; multi-server/multi-thread calling of "
    "one vendorId is discouraged."
)
ERROR_POLICY = (
    "Many errors per second give a temporary 403 Access Denied; repeated 404s (wrong vendorId) block the IP/vendorId."
)
POLLING_POLICY = (
    "Excessive polling may be blocked automatically; new orders reach the lists after a lag and logistics "
    "results are cached (~1 hour), so a faster poll sees nothing new."
)
WINDOW_POLICY = "List windows are limited (order sheets: 31 days, or under 24 h by minute; CS inquiries: 7 days)."
TIMEOUT_POLICY = (
    "A timed-out write may still have been applied: re-read before retrying (acknowledgement: check with single get)."
)
SKEW_POLICY = "A signature embeds the time: a wrong server clock fails with 401 Specified signature is expired."
KEY_POLICY = "OpenAPI keys are valid 180 days from issuance; after expiry authentication fails and a new key is needed."
FLOAT_POLICY = (
    "shipmentBoxId/orderId are 64-bit: a client holding them in float64 (JavaScript numbers) loses the last "
    "digits; send them as strings or use a big-integer JSON parser."
)

WINDOW_MESSAGES = ("range should less than", "time interval needs to be less than", "조회 기간")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BIG_ID = re.compile(r"(?<!\d)(\d{16,19})(?!\d)")


@dataclass
class Finding:
    rule: str
    title: str
    count: int
    example: Entry
    policy: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        keys = ("at", "method", "path", "query", "status", "operationId", "message")
        return {
            "rule": self.rule,
            "title": self.title,
            "count": self.count,
            "detail": self.detail,
            "example": {k: self.example.get(k) for k in keys if self.example.get(k) is not None},
            "policy": self.policy,
        }


@dataclass
class Context:
    """What the rules may know beyond the journal."""

    rate_per_second: float = 10.0
    key_age_days: float | None = None
    key_validity_days: int = 180
    near_existing_id: Callable[[int], int | None] = field(default=lambda _value: None)


Rule = Callable[[list[Entry], Context], "Finding | None"]


def _at(entry: Entry) -> datetime:
    return datetime.fromisoformat(entry["at"])


def _api(entries: Iterable[Entry]) -> list[Entry]:
    """Coupang API calls only (the control plane is ours), oldest first."""
    return sorted((e for e in entries if e.get("operationId") and "at" in e), key=_at)


def burst_over_limit(entries: list[Entry], ctx: Context) -> Finding | None:
    throttled = [e for e in entries if e.get("status") == 429]
    over = _windows_over(entries, timedelta(seconds=1), int(ctx.rate_per_second))
    if not throttled and not over:
        return None
    example = throttled[0] if throttled else over[0]
    detail = f"{len(throttled)} answered 429; {len(over)} requests beyond {ctx.rate_per_second:g} within one second"
    return Finding(
        "burst-over-limit", "Bursts over the rate limit", len(throttled) + len(over), example, RATE_POLICY, detail
    )


def parallel_requests(entries: list[Entry], _ctx: Context) -> Finding | None:
    """Requests of one vendor in flight at the same time (several threads or servers on one key)."""
    ends: list[datetime] = []
    overlapping: list[Entry] = []
    for entry in entries:
        start = _at(entry)
        ends = [end for end in ends if end > start]
        if ends:
            overlapping.append(entry)
        ends.append(start + timedelta(milliseconds=float(entry.get("latencyMs") or 0)))
    if not overlapping:
        return None
    return Finding(
        "parallel-requests",
        "Parallel in-flight requests",
        len(overlapping),
        overlapping[0],
        FAN_OUT_POLICY,
        "requests started while another request of the same vendor was still being answered",
    )


def repeated_not_found(entries: list[Entry], _ctx: Context) -> Finding | None:
    missing = [e for e in entries if e.get("status") == 404]
    if len(missing) < 3:
        return None
    return Finding("repeated-404", "Repeated 404s", len(missing), missing[0], ERROR_POLICY, "wrong paths or vendorIds")


def error_burst(entries: list[Entry], _ctx: Context) -> Finding | None:
    errors = [e for e in entries if int(e.get("status") or 0) >= 400]
    over = _windows_over(errors, timedelta(seconds=1), 10)
    if not over:
        return None
    return Finding(
        "error-burst", "Bursts of errors", len(over), over[0], ERROR_POLICY, "more than 10 errors in one second"
    )


def list_polling(entries: list[Entry], _ctx: Context, min_seconds: float = 10.0) -> Finding | None:
    """The same list call (same query, so not paging) repeated faster than the lists can change."""
    last: dict[tuple[str, str], datetime] = {}
    fast: list[Entry] = []
    for entry in entries:
        if entry.get("method") != "GET" or not str(entry.get("operationId", "")).startswith("list"):
            continue
        key = (entry["operationId"], entry.get("query") or "")
        at = _at(entry)
        if key in last and at - last[key] < timedelta(seconds=min_seconds):
            fast.append(entry)
        last[key] = at
    if not fast:
        return None
    return Finding(
        "list-polling",
        "Polling a list faster than it changes",
        len(fast),
        fast[0],
        POLLING_POLICY,
        f"the same list query again within {min_seconds:g} s",
    )


def window_too_wide(entries: list[Entry], _ctx: Context) -> Finding | None:
    refused = [e for e in entries if any(text in str(e.get("message", "")) for text in WINDOW_MESSAGES)]
    if not refused:
        return None
    return Finding("window-too-wide", "Query windows wider than allowed", len(refused), refused[0], WINDOW_POLICY)


def retried_write_after_timeout(entries: list[Entry], _ctx: Context) -> Finding | None:
    failed_at: dict[tuple[str, str, str], datetime] = {}
    retried: list[Entry] = []
    for entry in entries:
        if entry.get("method") not in WRITE_METHODS:
            continue
        key = (entry["method"], entry.get("path", ""), entry.get("query") or "")
        at = _at(entry)
        if key in failed_at and at - failed_at.pop(key) < timedelta(minutes=2):
            retried.append(entry)
        if int(entry.get("status") or 0) in {500, 502, 503, 504, 521}:
            failed_at[key] = at
    if not retried:
        return None
    return Finding(
        "retried-write-after-timeout",
        "Writes retried after a timeout",
        len(retried),
        retried[0],
        TIMEOUT_POLICY,
        "the same write sent again after a 5xx without reading the state first",
    )


def signed_date_skew(entries: list[Entry], ctx: Context, warn_seconds: float = 60.0) -> Finding | None:
    skewed = [e for e in entries if abs(float(e.get("skewSeconds") or 0)) >= warn_seconds]
    if not skewed:
        return None
    worst = max(skewed, key=lambda e: abs(float(e["skewSeconds"])))
    return Finding(
        "signed-date-skew",
        "Signed-date drifting toward the window",
        len(skewed),
        worst,
        SKEW_POLICY,
        f"clock differs from the server by up to {float(worst['skewSeconds']):+.0f} s (the window is ±300 s)",
    )


def key_expiry(entries: list[Entry], ctx: Context, warn_days: int = 14) -> Finding | None:
    ages = [float(e["keyAgeDays"]) for e in entries if e.get("keyAgeDays") is not None]
    age = max(ages) if ages else ctx.key_age_days
    if age is None or age < ctx.key_validity_days - warn_days:
        return None
    left = ctx.key_validity_days - age
    example = next((e for e in reversed(entries) if e.get("keyAgeDays") is not None), {})
    detail = f"expires in {left:.1f} days" if left > 0 else f"expired {-left:.1f} days ago"
    return Finding("key-expiry", "Keys close to their 180-day expiry", 1, example, KEY_POLICY, detail)


def float64_ids(entries: list[Entry], ctx: Context) -> Finding | None:
    """A not-found id that is a float64 rounding of an id the vendor has: ends in zeros, within ±1,000."""
    lost: list[Entry] = []
    for entry in entries:
        if int(entry.get("status") or 0) not in {400, 404}:
            continue
        for raw in BIG_ID.findall(f"{entry.get('path', '')}?{entry.get('query') or ''}"):
            value = int(raw)
            if raw.endswith("00") and float(value) == value and ctx.near_existing_id(value) not in (None, value):
                lost.append(entry)
                break
    if not lost:
        return None
    return Finding(
        "float64-ids",
        "Ids that lost digits in a float64",
        len(lost),
        lost[0],
        FLOAT_POLICY,
        "a not-found id ending in zeros lies within ±1,000 of an id this vendor has",
    )


RULES: tuple[Rule, ...] = (
    burst_over_limit,
    parallel_requests,
    repeated_not_found,
    error_burst,
    list_polling,
    window_too_wide,
    retried_write_after_timeout,
    signed_date_skew,
    key_expiry,
    float64_ids,
)


def lint(entries: Iterable[Entry], ctx: Context | None = None) -> list[Finding]:
    ctx = ctx or Context()
    calls = _api(entries)
    return [finding for rule in RULES if (finding := rule(calls, ctx)) is not None]


def report(by_vendor: dict[str, list[Finding]]) -> dict[str, Any]:
    return {
        "vendors": {vendor: [f.to_json() for f in findings] for vendor, findings in sorted(by_vendor.items())},
        "findings": sum(len(findings) for findings in by_vendor.values()),
    }


def text(report_json: dict[str, Any]) -> str:
    lines = []
    for vendor, findings in report_json["vendors"].items():
        for f in findings:
            example = f["example"]
            lines.append(
                f"{vendor} {f['rule']}: {f['title']} ×{f['count']}" + (f" ({f['detail']})" if f["detail"] else "")
            )
            lines.append(
                f"    e.g. {example.get('method', '')} {example.get('path', '')} → {example.get('status', '')}"
            )
            lines.append(f"    policy: {f['policy']}")
    return "\n".join(lines) if lines else "no misuse found"


def _windows_over(entries: list[Entry], width: timedelta, limit: int) -> list[Entry]:
    """The entries that were the (limit+1)-th or later within a sliding window of `width`."""
    over, start = [], 0
    times = [_at(e) for e in entries]
    for i, at in enumerate(times):
        while times[start] <= at - width:
            start += 1
        if i - start >= limit:
            over.append(entries[i])
    return over


def vendor_findings(services: MockServices, vendor_id: str) -> list[Finding]:
    """The report of one vendor of a running mock: its journal, its throttle rate and key age."""
    from .domains import orders
    from .store import Tx

    def near_existing_id(value: int) -> int | None:
        # Lint is no request path: up to 2,001 point reads, only for a not-found id that looks rounded.
        with services.store.transaction(vendor_id) as tx:
            return next((value + d for d in _nearest_first(1000) if _known(tx, orders, value + d)), None)

    def _known(tx: Tx, domain: Any, candidate: int) -> bool:
        return domain.get_box(tx, candidate) is not None or domain.get_order(tx, candidate) is not None

    record = services.vendors.get(vendor_id) or {}
    issued = record.get("issuedAt")
    age = (services.clock.now(vendor_id) - datetime.fromisoformat(issued)).total_seconds() / 86400 if issued else None
    ctx = Context(
        rate_per_second=services.throttle.limits(vendor_id).rate,
        key_age_days=age,
        key_validity_days=services.settings.key_validity_days,
        near_existing_id=near_existing_id,
    )
    return lint(services.journal.recent(vendor_id, services.settings.journal_size), ctx)


def _nearest_first(radius: int) -> Iterable[int]:
    yield 0
    for step in range(1, radius + 1):
        yield step
        yield -step
