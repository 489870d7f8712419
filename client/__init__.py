"""Thin Python client for the Coupang seller OpenAPI (works against coupang-mock and production).

from coupang_mock.client import CoupangClient
api = CoupangClient(access_key, secret_key, "A00012345", base_url="http://127.0.0.1:8080")
api.orders.list_ordersheets(created_at_from="2026-11-01+09:00", created_at_to="2026-11-02+09:00", status="ACCEPT")
for sheet in api.orders.list_ordersheets_all(...):   # every page, lazily
    ...
api.returns.approve(receipt_id=..., body={...}, legacy="v4")   # an older path version
api.request("GET", path, query)   # any call, signed

See the README section "The Python client".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import AuthError, CoupangError, NotFoundError, RateLimitError, ServerError, ValidationError

if TYPE_CHECKING:
    from ._client import CoupangClient
    from .core import ApiResponse, BaseClient, RetryPolicy
    from .families import Page, Pager

# Loaded on first use: the server imports `coupang_mock.client.signing`, and importing this package must
# not pull `requests` and 128 generated methods into its start-up.
_LAZY = {
    "CoupangClient": "._client",
    "ApiResponse": ".core",
    "BaseClient": ".core",
    "RetryPolicy": ".core",
    "Page": ".families",
    "Pager": ".families",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ApiResponse",
    "AuthError",
    "BaseClient",
    "CoupangClient",
    "CoupangError",
    "NotFoundError",
    "Page",
    "Pager",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "ValidationError",
]
