"""What every generated API family shares: turning keyword arguments into one signed call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from .core import ApiResponse, BaseClient


def unwrap(body: Any) -> Any:
    """The payload without the envelope: `data` where the family wraps it, the body otherwise."""
    if isinstance(body, dict) and "data" in body and ("code" in body or "message" in body):
        return body["data"]
    return body


class Family:
    """A group of operations (one spec tag); methods are generated into client/_generated.py."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def _call(self, operation_id: str, params: list[tuple[str, str, Any]], body: Any) -> Any:
        from ._generated import OPERATIONS

        method, template, _tag = OPERATIONS[operation_id]
        path_values = {name: value for where, name, value in params if where == "path"}
        if "vendorId" in template and path_values.get("vendorId") is None:
            path_values["vendorId"] = self._client.vendor_id
        missing = [name for name in _placeholders(template) if path_values.get(name) is None]
        if missing:
            raise TypeError(f"{operation_id} needs path parameter(s) {missing}")
        path = template
        for name, value in path_values.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        query = [(name, value) for where, name, value in params if where == "query" and value is not None]
        response = self._client.request(method, path, query, body)
        self._client.last_response = response
        return unwrap(response.body)


def _placeholders(template: str) -> list[str]:
    import re

    return re.findall(r"\{([^}]+)\}", template)


class Pager:
    """Iterate every item of a paged listing lazily, whatever paging style the operation uses."""

    _local = threading.local()

    @staticmethod
    def items(call: Any, style: str = "nextToken", **kwargs: Any) -> Iterator[Any]:
        """call: a generated method; style: nextToken | token | pageNum | pageIndex | page."""
        client: BaseClient = call.__self__._client
        page_arg = {
            "nextToken": "next_token",
            "token": "token",
            "pageNum": "page_num",
            "pageIndex": "page_index",
            "page": "page",
        }[style]
        position: Any = "" if style == "token" else (None if style == "nextToken" else 1)
        while True:
            if position is not None:
                kwargs[page_arg] = position
            payload = call(**kwargs)
            body: ApiResponse | None = client.last_response
            raw = body.body if body is not None else {}
            content = payload.get("content", []) if isinstance(payload, dict) and "content" in payload else payload
            yield from content or []
            position = _next_position(style, raw, position, content)
            if position in (None, ""):
                return


def _next_position(style: str, raw: Any, position: Any, content: Any) -> Any:
    if not isinstance(raw, dict):
        return None
    if style in ("nextToken", "token"):
        return raw.get("nextToken") or None
    if style == "pageIndex":
        return int(raw["nextPageIndex"]) if str(raw.get("nextPageIndex") or "").isdigit() else None
    pagination = (raw.get("data") or {}).get("pagination") if isinstance(raw.get("data"), dict) else None
    if pagination:
        return position + 1 if pagination.get("currentPage", position) < pagination.get("totalPages", 0) else None
    return position + 1 if content else None
