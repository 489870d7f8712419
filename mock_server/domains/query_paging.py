"""Paging over the store's declared indexes: a page reads only its rows, not the whole kind.

`paging.py` cuts pages out of a Python list; these helpers ask `Tx.find` for exactly the rows a page
needs (plus one, to know whether another page follows). Filters an index cannot express (substring
searches) are applied while walking the index in batches, so the page is still cut after filtering
and stays exactly right; the cost then follows the rows walked, never the size of the kind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..errors import ApiError
from ..store import IndexKey, Scalar, Tx, declare_index, index_of
from .timefmt import KST

Document = dict[str, Any]
Keep = Callable[[Document], bool]
WALK_BATCH = 200
PAGE_BELOW_ONE = "Page index must not be less than zero!"  # Spring's words for page 0


def iso_key(moment: str | datetime) -> str:
    """A sortable, fixed-width UTC text of an ISO time: index keys compare these as strings.

    Stored times are `datetime.isoformat()` texts whose width varies (no fraction when it is zero),
    which would order wrongly as strings.
    """
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def kst_days(first: date, last: date) -> tuple[str, str]:
    """[lo, hi) index bounds of the KST days first..last (both inclusive) on `iso_key` times."""
    start = datetime.combine(first, time(0), tzinfo=KST)
    return iso_key(start), iso_key(start + timedelta(days=(last - first).days + 1))


def walk(
    tx: Tx,
    kind: str,
    index: str,
    *,
    prefix: IndexKey = (),
    lo: Scalar | None = None,
    hi: Scalar | None = None,
    reverse: bool = False,
    keep: Keep | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Document]:
    """`Tx.find` with an extra per-document filter applied before the page is cut."""
    if keep is None:
        return tx.find(kind, index, prefix=prefix, lo=lo, hi=hi, reverse=reverse, offset=offset, limit=limit)
    key_of = index_of(kind, index).key
    wanted = None if limit is None else offset + limit
    chosen: list[Document] = []
    after: IndexKey | None = None
    while wanted is None or len(chosen) < wanted:
        batch = tx.find(kind, index, prefix=prefix, lo=lo, hi=hi, after=after, reverse=reverse, limit=WALK_BATCH)
        chosen.extend(doc for doc in batch if keep(doc))
        if len(batch) < WALK_BATCH:
            break
        after = key_of(batch[-1])
    return chosen[offset:wanted]


def numbered_page(tx: Tx, kind: str, index: str, page: int, size: int, **query: Any) -> tuple[list[Document], bool]:
    """Page `page` (1-based) of `size` rows and whether a further page exists."""
    if page < 1:
        raise ApiError(400, PAGE_BELOW_ONE)
    rows = walk(tx, kind, index, offset=(page - 1) * size, limit=size + 1, **query)
    return rows[:size], len(rows) > size


def offset_page(tx: Tx, kind: str, index: str, start: int, size: int, **query: Any) -> tuple[list[Document], str]:
    """A `nextToken` page whose token is the offset of the next page ("" on the last), like
    `paging.by_token` over a list."""
    rows = walk(tx, kind, index, offset=start, limit=size + 1, **query)
    return rows[:size], (str(start + size) if len(rows) > size else "")


def page_and_total(tx: Tx, kind: str, index: str, page: int, size: int, **query: Any) -> tuple[list[Document], int]:
    """Page `page` (1-based) of `size` rows and how many rows match in all (page-numbered lists)."""
    if page < 1:
        raise ApiError(400, PAGE_BELOW_ONE)
    rows = walk(tx, kind, index, offset=(page - 1) * size, limit=size, **query)
    return rows, count(tx, kind, index, **query)


def count(tx: Tx, kind: str, index: str, *, keep: Keep | None = None, reverse: bool = False, **query: Any) -> int:
    """How many documents match (`reverse` is accepted and ignored: order never changes a count)."""
    if keep is None:
        return tx.count(kind, index, **query)
    return len(walk(tx, kind, index, keep=keep, **query))


# ---------------------------------------------------------------- many-valued lookups (links)
# An index key holds one tuple per document; a document with several searchable values (a product's
# item SKUs, a center's addresses) keeps one small link document per value in a kind of its own.

LINK_INDEX = "byValue"


def declare_links(kind: str) -> None:
    declare_index(kind, LINK_INDEX, lambda link: (link["value"], link["owner"]))


def sync_links(tx: Tx, kind: str, owner: int, old: set[str], new: set[str]) -> None:
    """Replace the owner's links `old` by `new` (only the difference is written)."""
    for value in old - new:
        tx.delete(kind, f"{value}|{owner}")
    for value in new - old:
        tx.put(kind, f"{value}|{owner}", {"value": value, "owner": owner})


def linked(tx: Tx, kind: str, value: str, limit: int | None = None) -> list[int]:
    """Owners linked to `value`, in ascending order."""
    return [link["owner"] for link in tx.find(kind, LINK_INDEX, prefix=(value,), limit=limit)]
