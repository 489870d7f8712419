"""The client class: BaseClient plus one attribute per API family (methods generated from the spec)."""

from __future__ import annotations

from typing import Any

from .core import BaseClient

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
