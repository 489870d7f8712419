"""Vendors and their OpenAPI keys, kept in the store's system tenant so every worker sees them.

Every read joins the system transaction already open on the thread (the gateway's), if any. The
list of all vendors is also kept per process, synced at each request's admission (one read of a
version counter), because handlers ask for it inside their vendor's transaction, where SQLite cannot
open the system one.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from .runtime import RUNTIME, system_tx
from .settings import Settings
from .store import Store, Tx, declare_index

VENDORS = "vendors"
KEYS = "keys"
VERSION_KEY = "vendors-version"

# Creation order; vendors stored before ordinals existed count as 0.
declare_index(VENDORS, "by-ordinal", lambda doc: (int(doc.get("ordinal", 0)),))


class VendorRegistry:
    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        self._known: tuple[int, list[dict[str, Any]]] | None = None
        self._pinned = threading.local()

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
            version = _version(tx) + 1
            tx.put(VENDORS, vendor_id, {**record, "ordinal": version})
            tx.put(KEYS, record["accessKey"], {"vendorId": vendor_id})
            tx.put(RUNTIME, VERSION_KEY, {"version": version})
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
        known = self._known
        if known is None or not getattr(self._pinned, "on", False):
            with system_tx(self._store, write=False) as tx:
                known = self.sync(tx)
        return list(known[1])

    def sync(self, tx: Tx) -> tuple[int, list[dict[str, Any]]]:
        """This process's list of vendors, reloaded in `tx` only when a vendor was added since."""
        version = _version(tx)
        known = self._known
        if known is None or known[0] != version:
            # Vendors are only ever added: read the ones numbered after what this process knows.
            seen, vendors = known or (-1, [])
            added = tx.find(VENDORS, "by-ordinal", lo=seen + 1)
            known = self._known = (version, [*vendors, *added])
        return known

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Inside, `all()` answers from the list synced by this request's admission."""
        self._pinned.on = True
        try:
            yield
        finally:
            self._pinned.on = False


def _version(tx: Tx) -> int:
    doc = tx.get(RUNTIME, VERSION_KEY)
    return int(doc["version"]) if doc else 0
