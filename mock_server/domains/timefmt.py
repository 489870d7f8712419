"""Coupang's date/time formats (common.yaml → date_time_formats); business time is KST."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from ..errors import ApiError

KST = timezone(timedelta(hours=9))


def to_kst(moment: datetime) -> datetime:
    return moment.astimezone(KST)


def iso_i18n(moment: datetime | None) -> str | None:
    """v5/v6 responses: ISO-8601 with microseconds and offset, e.g. 2025-01-15T14:17:13.973885+09:00."""
    return to_kst(moment).isoformat(timespec="microseconds") if moment else None


def legacy_t(moment: datetime | None) -> str | None:
    """v4 orderedAt/paidAt: yyyy-MM-dd'T'HH:mm:ss in KST."""
    return to_kst(moment).isoformat(timespec="seconds")[:19] if moment else None


def legacy_space(moment: datetime | None) -> str | None:
    """v4 deliveredDate/confirmDate: yyyy-MM-dd HH:mm:ss in KST."""
    return to_kst(moment).isoformat(sep=" ", timespec="seconds")[:19] if moment else None


def kst_date(moment: datetime) -> date:
    return to_kst(moment).date()


@functools.lru_cache(maxsize=1024)  # a poller sends the same window again and again; strptime is slow
def parse_query_datetime(value: str, name: str) -> datetime:
    """Query windows: yyyy-MM-dd, yyyy-MM-dd+09:00, yyyy-MM-ddTHH:mm(+09:00), yyyy-MM-ddTHH:mm:ss.

    No offset means KST (Coupang interprets windows in Korean time).
    """
    # A raw "+" in a query string decodes to a space on any server; Coupang's docs require %2B, so a
    # window that arrives with a space where the offset sign was is refused, not repaired.
    text = value.strip()
    for fmt in (
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d%z",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d",
    ):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)
    raise ApiError(400, f"Invalid date format: {name}={value}")


def parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def paid_at(raw: Any, now: datetime) -> datetime:
    """The payment moment a simulated buyer gives (default now): never after the test clock."""
    if raw is None:
        return now
    try:
        moment = parse_iso(str(raw))
    except ValueError:
        raise ApiError(400, "paidAt must be ISO-8601, e.g. 2026-03-02T10:00:00+09:00") from None
    if moment > now:
        raise ApiError(400, "paidAt cannot be in the future of the test clock")
    return moment
