"""Recent requests, so an integrator can see what the mock saw and why it refused.

One store document per entry (system tenant, key = sequence number) plus a small meta document
with the live count and byte total: every worker appends to the same journal, and it is trimmed
oldest-first until it holds at most `max_entries` entries AND `max_bytes` bytes. One entry is capped
too (long queries and bodies are cut), so no single request can flush the rest out.
"""

from __future__ import annotations

import json
from typing import Any

from .runtime import RUNTIME, system_tx
from .store import MemoryStore, Store, Tx, declare_index

JOURNAL = "journal"
META_KEY = "journal"
TRUNCATED = "…(truncated)"

declare_index(JOURNAL, "by-seq", lambda doc: (doc["seq"],))
declare_index(JOURNAL, "by-vendor", lambda doc: (doc["vendorId"], doc["seq"]))


class Journal:
    def __init__(self, size: int, max_bytes: int = 4 * 1024 * 1024, entry_bytes: int = 8 * 1024) -> None:
        self.max_entries = size
        self.max_bytes = max_bytes
        self.entry_bytes = entry_bytes
        self._store: Store = MemoryStore()

    def attach(self, store: Store) -> None:
        self._store = store

    def record(self, entry: dict[str, Any], *, tx: Tx | None = None) -> None:
        if tx is None:
            with system_tx(self._store) as own:
                return self.record(entry, tx=own)
        if self.max_entries <= 0:
            return None
        meta = _meta(tx)
        seq = meta["next"]
        # the sequence is the entry's id (dashboard detail, curl): unique across workers
        entry, size = self._capped({**entry, "id": seq})
        tx.put(JOURNAL, seq, {"seq": seq, "vendorId": entry.get("vendorId") or "", "bytes": size, "entry": entry})
        meta = {**meta, "next": seq + 1, "count": meta["count"] + 1, "bytes": meta["bytes"] + size}
        tx.put(RUNTIME, META_KEY, self._trimmed(tx, meta))
        return None

    def _capped(self, entry: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The entry and its size in bytes, long string fields cut so the whole stays under entry_bytes."""
        size = _size(entry)
        if size <= self.entry_bytes:
            return entry, size
        capped = dict(entry)
        budget = max(64, self.entry_bytes // max(1, sum(isinstance(v, str) for v in entry.values())))
        for key, value in entry.items():
            if isinstance(value, str) and len(value.encode()) > budget:
                capped[key] = value.encode()[:budget].decode(errors="ignore") + TRUNCATED
        capped["truncatedBytes"] = size
        return capped, _size(capped)

    def _trimmed(self, tx: Tx, meta: dict[str, Any]) -> dict[str, Any]:
        # Oldest first; sequence numbers a per-vendor clear removed are skipped, each at most once.
        while meta["count"] > self.max_entries or meta["bytes"] > self.max_bytes:
            oldest = tx.get(JOURNAL, meta["first"])
            meta["first"] += 1
            if oldest is not None:
                tx.delete(JOURNAL, oldest["seq"])
                meta["count"] -= 1
                meta["bytes"] -= oldest["bytes"]
        return meta

    def recent(self, vendor_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        with system_tx(self._store, write=False) as tx:
            if vendor_id is None:
                docs = tx.find(JOURNAL, "by-seq", reverse=True, limit=limit)
            else:
                docs = tx.find(JOURNAL, "by-vendor", prefix=(vendor_id,), reverse=True, limit=limit)
        return [doc["entry"] for doc in docs]

    def usage(self) -> dict[str, int]:
        """Entries and bytes held now, against the caps."""
        with system_tx(self._store, write=False) as tx:
            meta = _meta(tx)
        return {
            "entries": meta["count"],
            "bytes": meta["bytes"],
            "maxEntries": self.max_entries,
            "maxBytes": self.max_bytes,
        }

    def clear(self, vendor_id: str | None = None) -> None:
        with system_tx(self._store) as tx:
            meta = _meta(tx)
            if vendor_id is None:
                docs = tx.find(JOURNAL, "by-seq")
            else:
                docs = tx.find(JOURNAL, "by-vendor", prefix=(vendor_id,))
            for doc in docs:
                tx.delete(JOURNAL, doc["seq"])
                meta["count"] -= 1
                meta["bytes"] -= doc["bytes"]
            if vendor_id is None:
                meta = {**meta, "first": meta["next"], "count": 0, "bytes": 0}
            tx.put(RUNTIME, META_KEY, meta)


def _meta(tx: Tx) -> dict[str, Any]:
    return tx.get(RUNTIME, META_KEY) or {"next": 1, "first": 1, "count": 0, "bytes": 0}


def _size(entry: dict[str, Any]) -> int:
    return len(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())
