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

from typing import Any

from .core import ApiResponse, BaseClient, RetryPolicy
from .errors import AuthError, CoupangError, NotFoundError, RateLimitError, ServerError, ValidationError
from .families import Page, Pager

try:
    from ._generated import FAMILIES, Families
except ImportError:  # pragma: no cover - only before the first codegen run
    FAMILIES = {}

    class Families:  # type: ignore[no-redef]
        pass


class CoupangClient(BaseClient, Families):
    """BaseClient plus one attribute per API family (`client.orders`, `client.products` …)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, family in FAMILIES.items():
            setattr(self, name, family(self))


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
