"""The `byStatus` and `recent` indexes the state view reads, for kinds whose owner has not declared them.

The owning domain modules declare these themselves (same names, same key shape); this module only
fills the gap so the dashboard never scans a kind. Keys: byStatus = (status, created ISO, id),
recent = (created ISO, id), computed from the documents as the domains write them today.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store import INDEXES, IndexKey, declare_index

Document = dict[str, Any]
Field = Callable[[Document], Any]


def _mock(name: str) -> Field:
    return lambda doc: (doc.get("mock") or {}).get(name)


def _field(name: str) -> Field:
    return lambda doc: doc.get(name)


def _exchange_status(doc: Document) -> Any:
    # the machine state is "RECEIPT/BeforeDirection"; the wire status (and the list filter) is its first part
    state = doc.get("state")
    return state.split("/")[0] if isinstance(state, str) else None


# kind -> (status, creation time, id)
SHAPES: dict[str, tuple[Field, Field, Field]] = {
    "boxes": (_field("status"), _field("createdAt"), _field("shipmentBoxId")),
    "receipts": (_field("receiptStatus"), _field("createdAt"), _field("receiptId")),
    "exchanges": (_exchange_status, _field("createdAt"), _field("exchangeId")),
    "products": (_mock("status"), _mock("createdAt"), _field("sellerProductId")),
    "inquiries": (_field("state"), _field("inquiryAt"), _field("inquiryId")),
    "coupons": (_field("status"), _field("createdAt"), _field("couponId")),
}


def _key(*parts: Field) -> Callable[[Document], IndexKey | None]:
    def key(doc: Document) -> IndexKey | None:
        values = [part(doc) for part in parts]
        if any(value is None for value in values):
            return None
        return tuple(str(value) if i < len(values) - 1 else int(value) for i, value in enumerate(values))

    return key


def declare_missing() -> None:
    for kind, (status, created, ident) in SHAPES.items():
        declared = INDEXES.get(kind, {})
        if "byStatus" not in declared:
            declare_index(kind, "byStatus", _key(status, created, ident))
        if "recent" not in declared:
            declare_index(kind, "recent", _key(created, ident))


declare_missing()
