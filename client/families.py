"""What every generated API family shares: picking the operation, building one signed call, paging."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from .core import ApiResponse, BaseClient

Param = tuple[str, str, Any]  # (where: path|query, wire name, value)


def unwrap(body: Any) -> Any:
    """The payload without the envelope: `data` where the family wraps it, the body otherwise."""
    if isinstance(body, dict) and "data" in body and ("code" in body or "message" in body):
        return body["data"]
    return body


class Family:
    """A group of operations (one spec tag); methods are generated into client/_generated.py."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def _select(self, current: str, legacy: bool | str, patch: bool) -> str:
        """The operationId behind a method call: the current one, an older path version or the PATCH twin."""
        from ._generated import VARIANTS

        variants = VARIANTS[current]
        version: str | None = None
        if legacy is True:
            versions = sorted({v for v, _ in variants if v})
            if len(versions) != 1:
                raise TypeError(f"{current}: choose one of legacy={versions}")
            version = versions[0]
        elif legacy:
            version = str(legacy)
        if (version, patch) not in variants:
            known = sorted(f"legacy={v!r}, patch={p}" for v, p in variants)
            raise TypeError(f"{current} has no variant legacy={version!r}, patch={patch}; known: {known}")
        return variants[(version, patch)]

    def _request(self, operation_id: str, params: list[Param], body: Any) -> ApiResponse:
        from ._generated import OPERATIONS

        method, template, _tag, declared, deprecated = OPERATIONS[operation_id]
        known = {(where, name): required for where, name, required in declared}
        values: dict[tuple[str, str], Any] = {}
        for where, name, value in params:
            if (where, name) in known:
                values[(where, name)] = value
            elif value is not None:  # an argument only another version of the operation knows
                raise TypeError(f"{operation_id} has no {where} parameter {name!r}")
        for key in known:
            # The seller's own vendorId, wherever the operation has one: Coupang refuses a listing
            # without it even where the spec leaves it optional to answer that refusal itself.
            if key[1] == "vendorId" and values.get(key) is None:
                values[key] = self._client.vendor_id
        path = template
        for (where, name), value in values.items():
            if where == "path":
                if value is None:
                    raise TypeError(f"{operation_id} needs path parameter {name!r}")
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
        if deprecated:
            warnings.warn(f"{operation_id} is deprecated by Coupang", DeprecationWarning, stacklevel=4)
        query = [(name, value) for (where, name), value in values.items() if where == "query" and value is not None]
        response = self._client.request(method, path, query, body)
        return response

    def _call(self, operation_id: str, params: list[Param], body: Any) -> Any:
        return unwrap(self._request(operation_id, params, body).body)

    def _pager(self, operation_id: str, params: list[Param], body: Any, style: str, position_param: str) -> Pager:
        def fetch(position: Any) -> ApiResponse:
            return self._request(operation_id, [*params, ("query", position_param, position)], body)

        return Pager(fetch, style)


@dataclass
class Page:
    """One answer of a paged listing: its items, the unwrapped payload and the raw response."""

    items: list[Any]
    payload: Any
    response: ApiResponse


def items_of(payload: Any) -> list[Any]:
    """The rows of one page, whether the payload is a list or a `{content, pagination}` page."""
    if isinstance(payload, dict):
        content = payload.get("content")
        return list(content) if isinstance(content, list) else []
    return list(payload) if isinstance(payload, list) else []


class Pager(Iterable[Any]):
    """Every item of a paged listing, fetched page by page only as far as you iterate.

    style: `nextToken` (cursor, omitted on the first page), `token` (cursor sent empty first),
    `pageIndex` (follows `nextPageIndex`) or `page` (page numbers from 1 until `pagination`
    says the last page was reached, or an empty page when there is no `pagination`).
    """

    def __init__(self, fetch: Callable[[Any], ApiResponse], style: str) -> None:
        if style not in FIRST_POSITION:
            raise ValueError(f"unknown paging style {style!r}")
        self._fetch = fetch
        self.style = style
        self.last_response: ApiResponse | None = None

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.items

    def pages(self) -> Iterator[Page]:
        position = FIRST_POSITION[self.style]
        while True:
            response = self._fetch(position)
            self.last_response = response
            payload = unwrap(response.body)
            page = Page(items_of(payload), payload, response)
            yield page
            following = next_position(self.style, response.body, payload, position, page.items)
            if following is None or following == position:
                return
            position = following


FIRST_POSITION: dict[str, Any] = {"nextToken": None, "token": "", "pageIndex": 1, "page": 1}


def next_position(style: str, body: Any, payload: Any, position: Any, items: list[Any]) -> Any:
    """The position of the following page, or None after the last one."""
    envelope = body if isinstance(body, dict) else {}
    if style in ("nextToken", "token"):
        if envelope.get("hasNext") is False:
            return None
        return envelope.get("nextToken") or None
    if style == "pageIndex":
        following = str(envelope.get("nextPageIndex") or "")
        return int(following) if following.isdigit() else None
    pagination = payload.get("pagination") if isinstance(payload, dict) else None
    if isinstance(pagination, dict) and "totalPages" in pagination:
        return position + 1 if position < int(pagination["totalPages"]) else None
    return position + 1 if items else None
