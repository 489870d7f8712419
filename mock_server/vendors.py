"""Vendors and their OpenAPI keys, kept in the store's system tenant so every worker sees them.

Every read joins the system transaction already open on the thread (the gateway's), if any.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from .runtime import system_tx
from .settings import Settings
from .store import Store

VENDORS = "vendors"
KEYS = "keys"


class VendorRegistry:
    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings

    def ensure_default(self, now: datetime) -> dict[str, Any]:
        """Get or create in one transaction: worker processes start at the same time on one store."""
        s = self._settings
        with system_tx(self._store) as tx:
            existing = tx.get(VENDORS, s.default_vendor_id)
            if existing:
                return existing
            return self.create(now, s.default_vendor_id, s.default_access_key, s.default_secret_key)

    def create(
        self,
        now: datetime,
        vendor_id: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> dict[str, Any]:
        with system_tx(self._store) as tx:
            if vendor_id is None:
                vendor_id = f"A{10_000_000 + tx.next_seq('vendor-ids'):08d}"
                while tx.get(VENDORS, vendor_id):
                    vendor_id = f"A{10_000_000 + tx.next_seq('vendor-ids'):08d}"
            elif tx.get(VENDORS, vendor_id):
                raise ValueError(f"vendor {vendor_id} already exists")
            record = {
                "vendorId": vendor_id,
                "accessKey": access_key or str(self._derived(vendor_id, "access")),
                "secretKey": secret_key or self._derived(vendor_id, "secret").hex,
                "issuedAt": now.isoformat(),
            }
            if tx.get(KEYS, record["accessKey"]):
                raise ValueError("accessKey is already issued to another vendor")
            tx.put(VENDORS, vendor_id, record)
            tx.put(KEYS, record["accessKey"], {"vendorId": vendor_id})
        return record

    def _derived(self, vendor_id: str, purpose: str) -> uuid.UUID:
        """Keys follow (seed, vendorId), not a process's random stream: two workers creating vendors
        at once must never hand out the same key."""
        digest = hashlib.sha256(f"{self._settings.seed}:{vendor_id}:{purpose}".encode()).digest()
        return uuid.UUID(bytes=digest[:16], version=4)

    def get(self, vendor_id: str) -> dict[str, Any] | None:
        with system_tx(self._store, write=False) as tx:
            return tx.get(VENDORS, vendor_id)

    def by_access_key(self, access_key: str) -> dict[str, Any] | None:
        with system_tx(self._store, write=False) as tx:
            link = tx.get(KEYS, access_key)
            return tx.get(VENDORS, link["vendorId"]) if link else None

    def all(self) -> list[dict[str, Any]]:
        with system_tx(self._store, write=False) as tx:
            return [v for _, v in tx.items(VENDORS)]
