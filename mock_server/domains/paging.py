"""The four paging styles Coupang uses, over a list already filtered and sorted by the domain, or
over an indexed store query (`*_query` helpers: they fetch one row past the page instead of the list).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..errors import ApiError
from ..store import IndexKey
from .timefmt import parse_iso

T = TypeVar("T")


def by_token(items: Sequence[T], token: str | None, size: int) -> tuple[list[T], str]:
    """nextToken cursor: the token is the offset of the next page, "" on the last page.

    Coupang's tokens are opaque strings; an offset keeps paging stable while the list is unchanged
    and is what integrators can observe (x-inferred in the spec).
    """
    start = _offset(token)
    page = list(items[start : start + size])
    following = start + size
    return page, (str(following) if following < len(items) else "")


def by_page(items: Sequence[T], page: int, size: int) -> tuple[list[T], int | None]:
    """1-based page number; returns the next page number or None on the last page."""
    if page < 1:
        raise ApiError(400, "Page index must not be less than zero!")
    start = (page - 1) * size
    chunk = list(items[start : start + size])
    return chunk, (page + 1 if start + size < len(items) else None)


def _offset(token: str | None) -> int:
    if token in (None, ""):
        return 0
    if not str(token).isdigit():
        raise ApiError(400, f"Invalid nextToken: {token}")
    return int(str(token))


def page_all(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


# ---------------------------------------------------------------- indexed queries

# fetch(offset, limit) → rows of an indexed query (tx.find with offset/limit)
OffsetFetch = Callable[[int, int | None], list[T]]
# fetch(after, limit) → rows of an indexed query strictly past the index tuple `after`
CursorFetch = Callable[[IndexKey | None, int | None], list[T]]


def time_key(value: str | datetime) -> str:
    """A moment as an index key component: UTC, fixed width, so string order is time order whatever
    offset or precision the stored ISO string was written with."""
    if isinstance(value, str):
        return _stored_time_key(value)
    return value.astimezone(UTC).strftime(TIME_KEY_FORMAT)


TIME_KEY_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@functools.lru_cache(maxsize=32768)
def _stored_time_key(value: str) -> str:
    # Stored moments are keyed again on every write and page read (a list page: 50 parses and strftimes).
    return parse_iso(value).astimezone(UTC).strftime(TIME_KEY_FORMAT)


def up_to(moment: datetime) -> str:
    """The exclusive `hi` bound of a range that still includes `moment` itself."""
    return time_key(moment + timedelta(microseconds=1))


def from_list(rows: Sequence[T]) -> OffsetFetch[T]:
    """A short list already in memory (an order's few receipts, say) behind the offset-query shape."""
    return lambda offset, limit: list(rows[offset:] if limit is None else rows[offset : offset + limit])


def by_token_query(fetch: OffsetFetch[T], token: str | None, size: int) -> tuple[list[T], str]:
    """`by_token` over an indexed query: same offset tokens, but only the page (+1 row) is read."""
    start = _offset(token)
    rows = fetch(start, size + 1)
    return rows[:size], (str(start + size) if len(rows) > size else "")


def by_page_query(fetch: OffsetFetch[T], page: int, size: int) -> tuple[list[T], int | None]:
    """`by_page` over an indexed query."""
    if page < 1:
        raise ApiError(400, "Page index must not be less than zero!")
    rows = fetch((page - 1) * size, size + 1)
    return rows[:size], (page + 1 if len(rows) > size else None)


def cursor_page(
    fetch: CursorFetch[T], key: Callable[[T], IndexKey], keep: Callable[[T], bool], after: IndexKey | None, size: int
) -> tuple[list[T], bool]:
    """Up to `size` rows past the cursor `after` that `keep` accepts, and whether another one follows.

    For a condition no index can hold (it depends on the request's time, say): rejected rows are
    skipped by querying on past them, so the page is exact and costs the rows read, not the kind."""
    page: list[T] = []
    while True:
        wanted = size + 1 - len(page)
        chunk = fetch(after, wanted)
        for row in chunk:
            if not keep(row):
                continue
            if len(page) == size:
                return page, True
            page.append(row)
        if len(chunk) < wanted:
            return page, False
        after = key(chunk[-1])  # the next query goes on past the last row read
