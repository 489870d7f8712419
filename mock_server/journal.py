"""Recent requests, so an integrator can see what the mock saw and why it refused.

One store document per entry (system tenant, key = sequence number) plus a small meta document
with the live count and byte total: every worker appends to the same journal, and it is trimmed
oldest-first until it holds at most `max_entries` entries AND `max_bytes` bytes. One entry is capped
too (long queries and bodies are cut), so no single request can flush the rest out.

Writing each entry in its own transaction was a third of a served GET's cost and made every request a
writer of the shared file (bench/RESULTS.md). So a request hands its entry to `append` and never waits
on the store for it: a flusher thread writes what accumulated in one transaction, `flush_seconds`
later (what waits is capped at `max_entries`, all the journal would keep). Every read of the journal
flushes this process's entries first, so a client of one process always reads its own requests;
another worker's show up within `flush_seconds`.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import Counter
from typing import Any

from . import jsonio
from .domains.fsm import Edge, add_coverage
from .runtime import RUNTIME, system_tx
from .store import MemoryStore, Store, Tx, declare_index

log = logging.getLogger("coupang_mock")
JOURNAL = "journal"
IDLE_SECONDS = 2.0  # a flusher with nothing to do for this long ends (one is started again when needed)
_BUFFERED: weakref.WeakSet[Journal] = weakref.WeakSet()
META_KEY = "journal"
TRUNCATED = "…(truncated)"

declare_index(JOURNAL, "by-seq", lambda doc: (doc["seq"],))
declare_index(JOURNAL, "by-vendor", lambda doc: (doc["vendorId"], doc["seq"]))


class Journal:
    def __init__(
        self, size: int, max_bytes: int = 4 * 1024 * 1024, entry_bytes: int = 8 * 1024, flush_seconds: float = 0.05
    ) -> None:
        self.max_entries = size
        self.max_bytes = max_bytes
        self.entry_bytes = entry_bytes
        self.flush_seconds = flush_seconds
        self._store: Store = MemoryStore()
        self._pending: list[dict[str, Any]] = []
        self._coverage: Counter[Edge] = Counter()  # transition counts ride with the entries
        self._lock = threading.Lock()  # the buffer
        self._flushing = threading.Lock()  # one batch at a time: entries keep their order
        self._wake = threading.Event()
        self._flusher: int | None = None  # the pid whose flusher thread runs (none survives a fork)
        self._closed = False

    def attach(self, store: Store) -> None:
        self._store = store

    def append(self, entry: dict[str, Any], coverage: Counter[Edge] | None = None) -> None:
        """Keep `entry` and the request's transition counts (written within `flush_seconds`; at once
        when flush_seconds is 0)."""
        kept = [entry] if self.max_entries > 0 else []
        if not kept and not coverage:
            return
        if self.flush_seconds <= 0:
            with system_tx(self._store) as tx:
                self._write(tx, kept, coverage or Counter())
            return
        with self._lock:
            if self._closed:
                return
            self._pending.extend(kept)
            # The journal keeps the newest max_entries: older waiting ones would be trimmed on arrival.
            # Dropping them here keeps a request from ever waiting on a batch (only the flusher writes).
            del self._pending[: -self.max_entries or len(self._pending)]
            self._coverage.update(coverage or {})
            started = self._flusher == os.getpid()
            if not started:
                self._flusher = os.getpid()
        if not started:
            _BUFFERED.add(self)
            threading.Thread(target=self._flush_later, name="coupang-mock-journal", daemon=True).start()
        self._wake.set()

    def _flush_later(self) -> None:
        while not self._closed:
            if not self._wake.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._pending and not self._coverage:
                        self._flusher = None
                        return
            self._wake.clear()
            time.sleep(self.flush_seconds)  # let a burst gather into one transaction
            try:
                self.flush()
            except Exception:  # the journal is a diagnostic: a failed batch is logged, the server goes on
                log.exception("journal flush failed")

    def flush(self) -> None:
        """Write this process's waiting entries, in one system transaction."""
        with self._flushing:
            if self._closed:  # the store is closed or about to be: a late flusher must not touch it
                return
            with self._lock:
                batch, self._pending = self._pending, []
                coverage, self._coverage = self._coverage, Counter()
            if batch or coverage:
                with system_tx(self._store) as tx:
                    self._write(tx, batch, coverage)

    def close(self) -> None:
        """Write what waits, then never touch the store again (call before closing the store: a
        flusher writing on a connection another thread closes would crash the process)."""
        with self._lock:
            self._closed = True  # appends from here on are dropped, later flushes write nothing
            batch, self._pending = self._pending, []
            coverage, self._coverage = self._coverage, Counter()
        self._wake.set()
        with self._flushing:  # after the batch in flight, if any: entries stay in order
            if batch or coverage:
                with system_tx(self._store) as tx:
                    self._write(tx, batch, coverage)

    def record(self, entry: dict[str, Any], *, tx: Tx | None = None) -> None:
        """Write `entry` now (in `tx`, or in a system transaction of its own)."""
        if self.max_entries <= 0:
            return
        if tx is None:
            with system_tx(self._store) as own:
                self._write(own, [entry], Counter())
            return
        self._write(tx, [entry], Counter())

    def _write(self, tx: Tx, entries: list[dict[str, Any]], coverage: Counter[Edge]) -> None:
        add_coverage(tx, coverage)
        if not entries:
            return
        meta = _meta(tx)
        for entry in entries:
            seq = meta["next"]
            # the sequence is the entry's id (dashboard detail, curl): unique across workers
            capped, size = self._capped({**entry, "id": seq})
            vendor = capped.get("vendorId") or ""
            tx.put(JOURNAL, seq, {"seq": seq, "vendorId": vendor, "bytes": size, "entry": capped})
            meta = {**meta, "next": seq + 1, "count": meta["count"] + 1, "bytes": meta["bytes"] + size}
        tx.put(RUNTIME, META_KEY, self._trimmed(tx, meta))

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
        self.flush()
        with system_tx(self._store, write=False) as tx:
            if vendor_id is None:
                docs = tx.find(JOURNAL, "by-seq", reverse=True, limit=limit)
            else:
                docs = tx.find(JOURNAL, "by-vendor", prefix=(vendor_id,), reverse=True, limit=limit)
        return [doc["entry"] for doc in docs]

    def entry(self, seq: int) -> dict[str, Any] | None:
        self.flush()
        with system_tx(self._store, write=False) as tx:
            doc = tx.get(JOURNAL, seq)
        return doc["entry"] if doc else None

    def usage(self) -> dict[str, int]:
        """Entries and bytes held now, against the caps."""
        self.flush()
        with system_tx(self._store, write=False) as tx:
            meta = _meta(tx)
        return {
            "entries": meta["count"],
            "bytes": meta["bytes"],
            "maxEntries": self.max_entries,
            "maxBytes": self.max_bytes,
        }

    def clear(self, vendor_id: str | None = None) -> None:
        self.flush()
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
    return len(jsonio.dump_bytes(entry))


@atexit.register
def flush_all() -> None:
    """What the flushers still hold when the process ends normally (Ctrl-C, SIGTERM to gunicorn)."""
    for journal in list(_BUFFERED):
        try:
            journal.flush()
        except Exception:
            log.exception("journal flush at exit failed")
