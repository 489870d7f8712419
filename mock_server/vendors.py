"""Vendors and their OpenAPI keys, kept in the store's system tenant so every worker sees them."""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any

from .settings import Settings
from .store import SYSTEM_TENANT, Store

VENDORS = "vendors"
KEYS = "keys"


class VendorRegistry:
    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        self._rng = random.Random(settings.seed)

    def ensure_default(self, now: datetime) -> dict[str, Any]:
        s = self._settings
        with self._store.transaction(SYSTEM_TENANT, write=False) as tx:
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
        with self._store.transaction(SYSTEM_TENANT) as tx:
            if vendor_id is None:
                vendor_id = f"A{10_000_000 + tx.next_seq('vendor-ids'):08d}"
                while tx.get(VENDORS, vendor_id):
                    vendor_id = f"A{10_000_000 + tx.next_seq('vendor-ids'):08d}"
            elif tx.get(VENDORS, vendor_id):
                raise ValueError(f"vendor {vendor_id} already exists")
            record = {
                "vendorId": vendor_id,
                "accessKey": access_key or str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
                "secretKey": secret_key or uuid.UUID(int=self._rng.getrandbits(128), version=4).hex,
                "issuedAt": now.isoformat(),
            }
            tx.put(VENDORS, vendor_id, record)
            tx.put(KEYS, record["accessKey"], {"vendorId": vendor_id})
        return record

    # Lookups are read-only transactions: every request authenticates, and readers must not queue.
    def get(self, vendor_id: str) -> dict[str, Any] | None:
        with self._store.transaction(SYSTEM_TENANT, write=False) as tx:
            return tx.get(VENDORS, vendor_id)

    def by_access_key(self, access_key: str) -> dict[str, Any] | None:
        with self._store.transaction(SYSTEM_TENANT, write=False) as tx:
            link = tx.get(KEYS, access_key)
            return tx.get(VENDORS, link["vendorId"]) if link else None

    def all(self) -> list[dict[str, Any]]:
        with self._store.transaction(SYSTEM_TENANT, write=False) as tx:
            return [v for _, v in tx.items(VENDORS)]
