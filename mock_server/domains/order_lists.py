"""Order-sheet list queries (list-ordersheets): a daily window paged by a cursor, or a whole minute window.

Rows come from the boxes' "sheets" index (readable boxes by status and creation time), so a page reads
the page, not the vendor's boxes. The list lag (new boxes reach lists late, `listVisibleAt`) depends on
the request's time and cannot be in an index: hidden rows are skipped while the page is read.

nextToken is the shipmentBoxId of the last box of the page (a cursor; Coupang's tokens are numeric and
shipmentBoxId-like). An offset would be cheaper to explain but wrong here: the lag can hide rows that
appear between two pages, and the usual integration acknowledges each ACCEPT box of a page before
asking for the next one, which moves rows out of the list and would make an offset skip boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import IndexKey, Tx, index_of
from . import paging, timefmt
from .orders import BOXES

SHEETS = "sheets"

DAILY_MAX_DAYS = 31
DAILY_RANGE_ERROR = "endTime-startTime range should less than31."
TIMEFRAME_RANGE_ERROR = "endTime-startTime range should less than 0 day"


def daily_window(created_from: str, created_to: str) -> tuple[datetime, datetime]:
    """[from 00:00, to+1 day 00:00) in KST; at most 31 days apart (orders.yaml list-ordersheets-daily)."""
    start = timefmt.parse_query_datetime(created_from, "createdAtFrom")
    end = timefmt.parse_query_datetime(created_to, "createdAtTo")
    first, last = timefmt.to_kst(start).date(), timefmt.to_kst(end).date()
    if (last - first).days > DAILY_MAX_DAYS:
        raise ApiError(400, DAILY_RANGE_ERROR)
    return _kst_midnight(first), _kst_midnight(last + timedelta(days=1))


def timeframe_window(created_from: str, created_to: str) -> tuple[datetime, datetime]:
    """[from, to] to the minute; the window must be shorter than 24 h."""
    start = timefmt.parse_query_datetime(created_from, "createdAtFrom")
    end = timefmt.parse_query_datetime(created_to, "createdAtTo")
    if end - start >= timedelta(hours=24):
        raise ApiError(400, TIMEFRAME_RANGE_ERROR)
    return start, end + timedelta(seconds=59.999999)


def _kst_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timefmt.KST)


def _visible(now: datetime) -> Callable[[dict[str, Any]], bool]:
    return lambda box: timefmt.parse_iso(box.get("listVisibleAt") or box["createdAt"]) <= now


def _fetch(tx: Tx, status: str, start: datetime, end: datetime) -> paging.CursorFetch[dict[str, Any]]:
    lo, hi = paging.time_key(start), paging.time_key(end)

    def fetch(after: IndexKey | None, limit: int | None) -> list[dict[str, Any]]:
        return tx.find(BOXES, SHEETS, prefix=(status,), lo=lo, hi=hi, after=after, limit=limit)

    return fetch


def window_boxes(tx: Tx, now: datetime, status: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every listed box in `status` created in [start, end), oldest first (the minute-window mode)."""
    visible = _visible(now)
    return [box for box in _fetch(tx, status, start, end)(None, None) if visible(box)]


def page_boxes(
    tx: Tx, now: datetime, status: str, window: tuple[datetime, datetime], token: str | None, size: int
) -> tuple[list[dict[str, Any]], str]:
    """One daily page and the nextToken of the following one ("" on the last page)."""
    rows, more = paging.cursor_page(
        _fetch(tx, status, *window), index_of(BOXES, SHEETS).key, _visible(now), _cursor(tx, status, token), size
    )
    return rows, (str(rows[-1]["shipmentBoxId"]) if more else "")


def _cursor(tx: Tx, status: str, token: str | None) -> IndexKey | None:
    if token in (None, ""):
        return None
    text = str(token)
    box = tx.get(BOXES, int(text)) if text.isdigit() else None
    if box is None:
        raise ApiError(400, f"Invalid nextToken: {token}")
    return (status, paging.time_key(box["createdAt"]), box["shipmentBoxId"])
