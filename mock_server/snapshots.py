"""Snapshots: one vendor's whole state as a JSON document, and putting it back.

A snapshot is the tenant's documents (`Store.export`), the vendor record with its keys, the vendor's
test-clock time and the id sequences. Restoring replaces the tenant's documents (`Store.load`),
creates the vendor when this server lacks it, moves the vendor's clock back to the snapshot's moment
(so timed behaviour and date windows answer as they did) and keeps every sequence at least where it
was, so ids issued after a restore never collide with restored ones. A suite sets up once, exports,
and restores before each test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .core import MockServices
from .errors import ApiError

FORMAT = "coupang-mock-snapshot/1"

# Id sequences (`Tx.next_seq` kinds, the IdFactory's included) that `Store.export` does not carry.
# tests/test_snapshots.py fails when the code issues ids of a kind missing here.
SEQUENCE_KINDS = (
    "ackResponseKey", "callCenterAnswerId", "callCenterInquiryId", "cancelRequestNo", "couponContract",
    "couponItem", "couponRequest", "couponTransaction", "display-product", "downloadCoupon", "exchangeAddressId",
    "exchangeId", "exchangeItemId", "inquiryCommentId", "instantCoupon", "invoiceNumberId", "manageCode",
    "onlineInquiryId", "orderId", "outbound-center", "paymentId", "receiptId", "remote-info", "return-center",
    "returnDeliveryId", "rgOrderId", "seller-product", "seller-product-item", "sellerProductId", "shipmentBoxId",
    "vendor-item", "vendorItemId",
)  # fmt: skip


class _Rollback(Exception):
    """Raised inside a transaction whose only purpose was to read sequences."""


def export(services: MockServices, vendor_id: str) -> dict[str, Any]:
    vendor = services.vendors.get(vendor_id)
    if vendor is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    now = services.clock.now(vendor_id)
    return {
        "format": FORMAT,
        "vendor": {k: vendor[k] for k in ("vendorId", "accessKey", "secretKey", "issuedAt")},
        "clock": {
            "now": now.isoformat(),
            "offsetSeconds": (now - services.clock.now()).total_seconds(),
        },
        "sequences": _sequences(services, vendor_id),
        # a kind emptied by deletes is no state at all: leave it out, so equal states export equal
        "documents": {kind: docs for kind, docs in services.store.export(vendor_id).items() if docs},
    }


def _sequences(services: MockServices, vendor_id: str) -> dict[str, int]:
    """Each sequence's current value, read by drawing the next one in a transaction rolled back."""
    found: dict[str, int] = {}
    try:
        with services.store.transaction(vendor_id) as tx:
            for kind in SEQUENCE_KINDS:
                value = tx.next_seq(kind) - 1
                if value:
                    found[kind] = value
            raise _Rollback
    except _Rollback:
        pass
    return found


@dataclass(frozen=True)
class Checked:
    vendor: dict[str, Any]
    moment: datetime
    sequences: dict[str, int]
    documents: dict[str, dict[str, Any]]


def check(services: MockServices, vendor_id: str, snapshot: Any) -> Checked:
    """Everything a restore needs, checked: 400/409 naming the problem (nothing is changed here)."""
    return Checked(*_checked(services, vendor_id, snapshot))


def restore(services: MockServices, vendor_id: str, snapshot: Any) -> dict[str, Any]:
    """Check everything first (400/409 naming the problem, nothing changed), then replace the state."""
    checked = snapshot if isinstance(snapshot, Checked) else check(services, vendor_id, snapshot)
    vendor, moment, sequences, documents = checked.vendor, checked.moment, checked.sequences, checked.documents
    if services.vendors.get(vendor_id) is None:
        services.vendors.create(services.clock.now(), vendor_id, vendor["accessKey"], vendor["secretKey"])
    services.store.load(vendor_id, documents)
    _raise_sequences(services, vendor_id, sequences)
    services.clock.set(moment, vendor_id)
    return {
        "vendorId": vendor_id,
        "now": services.clock.now(vendor_id).isoformat(),
        "kinds": len(documents),
        "documents": sum(len(docs) for docs in documents.values()),
    }


def _raise_sequences(services: MockServices, vendor_id: str, sequences: dict[str, int]) -> None:
    with services.store.transaction(vendor_id) as tx:
        for kind, value in sequences.items():
            # the store interface can only draw: draw until past the snapshot's value (never back)
            while tx.next_seq(kind) < value:
                pass


def _checked(
    services: MockServices, vendor_id: str, snapshot: Any
) -> tuple[dict[str, Any], datetime, dict[str, int], dict[str, dict[str, Any]]]:
    if not isinstance(snapshot, dict):
        raise ApiError(400, "a snapshot must be a JSON object")
    if snapshot.get("format") != FORMAT:
        raise ApiError(400, f"format must be {FORMAT!r}, got {snapshot.get('format')!r}")
    vendor = snapshot.get("vendor")
    if not isinstance(vendor, dict) or not all(
        isinstance(vendor.get(k), str) for k in ("vendorId", "accessKey", "secretKey")
    ):
        raise ApiError(400, "vendor must be an object with vendorId, accessKey and secretKey strings")
    if vendor["vendorId"] != vendor_id:
        # ids carry a per-vendor prefix and documents name their vendor: a snapshot belongs to one vendor
        raise ApiError(400, f"vendor.vendorId: the snapshot is of {vendor['vendorId']}, not {vendor_id}")
    existing = services.vendors.get(vendor_id)
    if existing is not None and (existing["accessKey"], existing["secretKey"]) != (
        vendor["accessKey"],
        vendor["secretKey"],
    ):
        raise ApiError(409, f"vendor {vendor_id} exists here with other keys than the snapshot's")
    return (
        vendor,
        _moment(snapshot.get("clock")),
        _sequence_map(snapshot.get("sequences", {})),
        _documents(snapshot.get("documents")),
    )


def _moment(clock: Any) -> datetime:
    raw = clock.get("now") if isinstance(clock, dict) else None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise ApiError(400, "clock.now must be an ISO-8601 time with a UTC offset between 2000 and 2100")
    return moment


def _sequence_map(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ApiError(400, "sequences must be an object of kind → integer")
    for kind, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**7:
            raise ApiError(400, f"sequences.{kind} must be an integer from 0 to 9999999")
    return raw


def _documents(raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ApiError(400, "documents must be an object of kind → {key → document}")
    for kind, docs in raw.items():
        if not isinstance(docs, dict):
            raise ApiError(400, f"documents.{kind} must be an object of key → document")
        for key, doc in docs.items():
            if not isinstance(doc, dict):
                raise ApiError(400, f"documents.{kind}.{key} must be a JSON object")
            _finite(doc, f"documents.{kind}.{key}")
    return raw


def _finite(value: Any, where: str) -> None:
    """NaN and infinities are not JSON: a document holding one could not be answered later."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(400, f"{where} holds a non-finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _finite(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _finite(item, f"{where}[{index}]")
