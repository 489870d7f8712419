"""The four paging styles Coupang uses, over a list already filtered and sorted by the domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ..errors import ApiError

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
