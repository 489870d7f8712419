"""State store: per-tenant (vendor) collections of JSON documents behind a small interface.

Domain code only sees `Tx` (get/put/delete/items/next_seq) inside `Store.transaction(tenant)`.
A transaction either commits every write or none (an exception rolls it back), so a refused or
crashing request never leaves state half-written. Values are plain JSON-compatible dicts, which is
what lets a multi-process store (SQLite, Redis …) replace the in-memory one without touching
domain code.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

Document = dict[str, Any]
SYSTEM_TENANT = "_system"


Scalar = str | int | float | bool
IndexKey = tuple[Scalar, ...]


@dataclass(frozen=True)
class Index:
    """A secondary index of one kind: `key(doc)` gives the document's position, None leaves it out.

    Tuples are compared component by component (keep each position one type). Queries ask for a
    prefix of the tuple, optionally a [lo, hi) range on the component after it, in tuple order.
    """

    kind: str
    name: str
    key: Callable[[Document], IndexKey | None]


INDEXES: dict[str, dict[str, Index]] = {}


def declare_index(kind: str, name: str, key: Callable[[Document], IndexKey | None]) -> Index:
    """Declared by the owning domain module at import, next to its documents."""
    index = Index(kind, name, key)
    INDEXES.setdefault(kind, {})[name] = index
    return index


def index_of(kind: str, name: str) -> Index:
    try:
        return INDEXES[kind][name]
    except KeyError:
        raise KeyError(f"no index {name!r} declared for kind {kind!r}") from None


def in_range(key: IndexKey, prefix: IndexKey, lo: Scalar | None, hi: Scalar | None) -> bool:
    if key[: len(prefix)] != tuple(prefix):
        return False
    if lo is None and hi is None:
        return True
    value = key[len(prefix)]
    return (lo is None or value >= lo) and (hi is None or value < hi)


class Tx(Protocol):
    tenant: str

    def get(self, kind: str, key: str | int) -> Document | None: ...
    def put(self, kind: str, key: str | int, value: Document) -> None: ...
    def delete(self, kind: str, key: str | int) -> None: ...
    def next_seq(self, kind: str) -> int: ...

    def find(
        self,
        kind: str,
        index: str,
        *,
        prefix: IndexKey = (),
        lo: Scalar | None = None,
        hi: Scalar | None = None,
        after: IndexKey | None = None,
        reverse: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        """Documents of `kind` in index order whose index tuple starts with `prefix` and whose next
        component lies in [lo, hi); `after` resumes strictly past an index tuple (a cursor), `offset`
        skips rows. Cost follows the rows returned, not the size of the kind."""
        ...

    def count(
        self, kind: str, index: str, *, prefix: IndexKey = (), lo: Scalar | None = None, hi: Scalar | None = None
    ) -> int: ...

    def items(self, kind: str) -> list[tuple[str, Document]]:
        """Every document of a kind. Never on a request path: export, snapshots and migrations only."""
        ...


class Store(Protocol):
    def transaction(self, tenant: str) -> Any: ...  # context manager yielding Tx
    def reset(self, tenant: str | None = None) -> None: ...
    def tenants(self) -> list[str]: ...
    def export(self, tenant: str) -> dict[str, dict[str, Document]]: ...
    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None: ...


def scan_find(
    rows: list[tuple[str, Document]],
    index: Index,
    prefix: IndexKey,
    lo: Scalar | None,
    hi: Scalar | None,
    after: IndexKey | None,
    reverse: bool,
    offset: int,
    limit: int | None,
) -> list[Document]:
    """Reference semantics of `Tx.find` over a list of rows (tests compare the indexed stores with it)."""
    keyed = []
    for doc_key, doc in rows:
        key = index.key(doc)
        if key is not None and in_range(key, prefix, lo, hi):
            keyed.append((key, doc_key, doc))
    keyed.sort(key=lambda row: (row[0], row[1]), reverse=reverse)
    if after is not None:
        keyed = [row for row in keyed if (row[0] < tuple(after) if reverse else row[0] > tuple(after))]
    chosen = keyed[offset:] if limit is None else keyed[offset : offset + limit]
    return [doc for _key, _doc_key, doc in chosen]


class _MemoryTx:
    """Reads see this transaction's own writes; writes land on commit only."""

    def __init__(self, tenant: str, data: dict[str, dict[str, Document]], seqs: dict[str, int]) -> None:
        self.tenant = tenant
        self._data = data
        self._seqs = seqs
        self._writes: dict[tuple[str, str], Document | None] = {}
        self._seq_writes: dict[str, int] = {}

    def get(self, kind: str, key: str | int) -> Document | None:
        skey = str(key)
        value = self._writes[kind, skey] if (kind, skey) in self._writes else self._data.get(kind, {}).get(skey)
        return copy.deepcopy(value) if value is not None else None

    def put(self, kind: str, key: str | int, value: Document) -> None:
        self._writes[(kind, str(key))] = copy.deepcopy(value)

    def delete(self, kind: str, key: str | int) -> None:
        self._writes[(kind, str(key))] = None

    def items(self, kind: str) -> list[tuple[str, Document]]:
        merged = dict(self._data.get(kind, {}))
        for (k, key), value in self._writes.items():
            if k != kind:
                continue
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return [(key, copy.deepcopy(value)) for key, value in merged.items()]

    def next_seq(self, kind: str) -> int:
        value = self._seq_writes.get(kind, self._seqs.get(kind, 0)) + 1
        self._seq_writes[kind] = value
        return value

    def find(
        self,
        kind: str,
        index: str,
        *,
        prefix: IndexKey = (),
        lo: Scalar | None = None,
        hi: Scalar | None = None,
        after: IndexKey | None = None,
        reverse: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        # TODO(store): scan-based placeholder, replaced by the indexed implementation
        return scan_find(self.items(kind), index_of(kind, index), prefix, lo, hi, after, reverse, offset, limit)

    def count(
        self, kind: str, index: str, *, prefix: IndexKey = (), lo: Scalar | None = None, hi: Scalar | None = None
    ) -> int:
        return len(self.find(kind, index, prefix=prefix, lo=lo, hi=hi))

    def commit(self) -> None:
        for (kind, key), value in self._writes.items():
            bucket = self._data.setdefault(kind, {})
            if value is None:
                bucket.pop(key, None)
            else:
                bucket[key] = value
        self._seqs.update(self._seq_writes)


class MemoryStore:
    """In-process store; one lock per tenant serialises that tenant's requests only."""

    def __init__(self) -> None:
        self._tenants: dict[str, dict[str, dict[str, Document]]] = {}
        self._seqs: dict[str, dict[str, int]] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def _lock(self, tenant: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(tenant, threading.RLock())

    @contextmanager
    def transaction(self, tenant: str) -> Iterator[_MemoryTx]:
        with self._lock(tenant):
            with self._guard:
                data = self._tenants.setdefault(tenant, {})
                seqs = self._seqs.setdefault(tenant, {})
            tx = _MemoryTx(tenant, data, seqs)
            yield tx
            tx.commit()

    def reset(self, tenant: str | None = None) -> None:
        tenants = [tenant] if tenant else list(self._tenants)
        for name in tenants:
            with self._lock(name):
                self._tenants.pop(name, None)
                self._seqs.pop(name, None)

    def tenants(self) -> list[str]:
        return [t for t in self._tenants if t != SYSTEM_TENANT]

    def export(self, tenant: str) -> dict[str, dict[str, Document]]:
        with self._lock(tenant):
            return copy.deepcopy(self._tenants.get(tenant, {}))

    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None:
        """Replace the tenant's documents (sequences continue past the loaded ones)."""
        with self.transaction(tenant) as tx:
            for kind, docs in self.export(tenant).items():
                for key in docs:
                    tx.delete(kind, key)
            for kind, docs in data.items():
                for key, doc in docs.items():
                    tx.put(kind, key, doc)


class SqliteStore:
    """The same interface on one SQLite file: state survives restarts and can be shared by processes.

    Each transaction is an SQLite IMMEDIATE transaction, so writers of any process serialise and a
    failed request rolls back exactly like the in-memory store.
    """

    def __init__(self, path: str) -> None:
        import sqlite3

        self._path = path
        self._local = threading.local()
        self._sqlite3 = sqlite3
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS docs (tenant TEXT, kind TEXT, key TEXT, seq INTEGER, value TEXT, PRIMARY KEY (tenant, kind, key))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS seqs (tenant TEXT, kind TEXT, value INTEGER, PRIMARY KEY (tenant, kind))"
            )

    def _connect(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    @contextmanager
    def transaction(self, tenant: str) -> Iterator[_SqliteTx]:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTx(tenant, db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def reset(self, tenant: str | None = None) -> None:
        db = self._connect()
        where, args = ("WHERE tenant = ?", (tenant,)) if tenant else ("", ())
        db.execute(f"DELETE FROM docs {where}", args)
        db.execute(f"DELETE FROM seqs {where}", args)

    def tenants(self) -> list[str]:
        rows = self._connect().execute("SELECT DISTINCT tenant FROM docs WHERE tenant != ?", (SYSTEM_TENANT,))
        return [row[0] for row in rows]

    def export(self, tenant: str) -> dict[str, dict[str, Document]]:
        data: dict[str, dict[str, Document]] = {}
        rows = self._connect().execute("SELECT kind, key, value FROM docs WHERE tenant=? ORDER BY seq", (tenant,))
        for kind, key, value in rows:
            data.setdefault(kind, {})[key] = json.loads(value)
        return data

    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None:
        with self.transaction(tenant) as tx:
            tx._db.execute("DELETE FROM docs WHERE tenant=?", (tenant,))
            for kind, docs in data.items():
                for key, doc in docs.items():
                    tx.put(kind, key, doc)


class _SqliteTx:
    def __init__(self, tenant: str, db: Any) -> None:
        self.tenant = tenant
        self._db = db

    def get(self, kind: str, key: str | int) -> Document | None:
        row = self._db.execute(
            "SELECT value FROM docs WHERE tenant=? AND kind=? AND key=?", (self.tenant, kind, str(key))
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str | int, value: Document) -> None:
        existing = self._db.execute(
            "SELECT seq FROM docs WHERE tenant=? AND kind=? AND key=?", (self.tenant, kind, str(key))
        ).fetchone()
        order = (
            existing[0]
            if existing
            else self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM docs WHERE tenant=? AND kind=?", (self.tenant, kind)
            ).fetchone()[0]
        )
        self._db.execute(
            "INSERT OR REPLACE INTO docs (tenant, kind, key, seq, value) VALUES (?, ?, ?, ?, ?)",
            (self.tenant, kind, str(key), order, json.dumps(value, ensure_ascii=False)),
        )

    def delete(self, kind: str, key: str | int) -> None:
        self._db.execute("DELETE FROM docs WHERE tenant=? AND kind=? AND key=?", (self.tenant, kind, str(key)))

    def items(self, kind: str) -> list[tuple[str, Document]]:
        rows = self._db.execute(
            "SELECT key, value FROM docs WHERE tenant=? AND kind=? ORDER BY seq", (self.tenant, kind)
        )
        return [(key, json.loads(value)) for key, value in rows]

    def find(
        self,
        kind: str,
        index: str,
        *,
        prefix: IndexKey = (),
        lo: Scalar | None = None,
        hi: Scalar | None = None,
        after: IndexKey | None = None,
        reverse: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        # TODO(store): scan-based placeholder, replaced by the indexed implementation
        return scan_find(self.items(kind), index_of(kind, index), prefix, lo, hi, after, reverse, offset, limit)

    def count(
        self, kind: str, index: str, *, prefix: IndexKey = (), lo: Scalar | None = None, hi: Scalar | None = None
    ) -> int:
        return len(self.find(kind, index, prefix=prefix, lo=lo, hi=hi))

    def next_seq(self, kind: str) -> int:
        row = self._db.execute("SELECT value FROM seqs WHERE tenant=? AND kind=?", (self.tenant, kind)).fetchone()
        value = (row[0] if row else 0) + 1
        self._db.execute(
            "INSERT OR REPLACE INTO seqs (tenant, kind, value) VALUES (?, ?, ?)", (self.tenant, kind, value)
        )
        return value


def open_store(url: str | None) -> Store:
    """`memory` (default) or `sqlite:///path/to/file.db`."""
    if not url or url == "memory":
        return MemoryStore()
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///") :])
    raise ValueError(f"unknown store {url!r}: use memory or sqlite:///path")
