"""The in-process store: dicts of documents plus, per declared index, a sorted list kept on commit.

Each index is a sorted list of `(index tuple, key)` rows and a map key → tuple, so a query is two
bisections and a slice (O(log n + rows)), `count` is two bisections, and a commit moves a row in
O(log n). A transaction's own pending writes are laid over the committed rows at
query time (they are few), so reads see them before commit and nothing is touched on rollback.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sortedcontainers import SortedList

from ..jsonio import clone
from .base import (
    SYSTEM_TENANT,
    Document,
    Index,
    IndexKey,
    Probe,
    Scalar,
    in_range,
    index_key,
    index_of,
    indexes_of,
)

Row = tuple[IndexKey, str]
# Above this many changed rows in one commit, rebuilding the list beats moving rows one by one.
BULK_CHANGES = 64


class _Top:
    """Greater than every index component and key: `(*prefix, TOP)` bounds the rows under a prefix."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return self is not other


TOP: Any = _Top()


class SortedIndex:
    """One index of one tenant's kind: rows `(tuple, key)` in a SortedList (sublists of ~1000 rows, so a
    row moves in O(log n) and position lookups are O(log n)), and the map key → tuple."""

    def __init__(self, index: Index, docs: dict[str, Document]) -> None:
        self.index = index
        self.keys: dict[str, IndexKey] = {}
        for key, doc in docs.items():
            ik = index_key(index, doc)
            if ik is not None:
                self.keys[key] = ik
        self.rows = SortedList((ik, key) for key, ik in self.keys.items())

    def bounds(
        self, prefix: IndexKey, lo: Scalar | None, hi: Scalar | None, after: IndexKey | None, reverse: bool
    ) -> tuple[int, int]:
        """The slice [start, end) of rows matching prefix/range, cut at the cursor. A 1-tuple `(t,)`
        sorts before every row `(t, key)`, `(*t, TOP)` after every tuple that extends `t`."""
        rows = self.rows
        start = rows.bisect_left(((*prefix, lo),) if lo is not None else (prefix,))
        end = rows.bisect_left(((*prefix, hi),) if hi is not None else ((*prefix, TOP),))
        if after is not None:
            if reverse:
                end = min(end, rows.bisect_left((after,)))
            else:
                start = max(start, rows.bisect_left((after, TOP)))
        return start, max(start, end)

    def position(self, key: str) -> int | None:
        ik = self.keys.get(key)
        return None if ik is None else self.rows.bisect_left((ik, key))

    def check(self, changes: dict[str, IndexKey | None]) -> None:
        """Raise now (TypeError) if a new tuple cannot be ordered among the others, before anything moves."""
        for row in sorted((ik, key) for key, ik in changes.items() if ik is not None):
            self.rows.bisect_left(row)

    def apply(self, changes: dict[str, IndexKey | None]) -> None:
        """Move the changed documents' rows (new tuple, or None: out of the index)."""
        changes = {key: ik for key, ik in changes.items() if self.keys.get(key) != ik}
        if len(changes) > BULK_CHANGES:
            kept = (row for row in self.rows if row[1] not in changes)
            self.rows = SortedList([*kept, *((ik, key) for key, ik in changes.items() if ik is not None)])
        else:
            for key, ik in changes.items():
                old = self.keys.get(key)
                if old is not None:
                    self.rows.remove((old, key))
                if ik is not None:
                    self.rows.add((ik, key))
        for key, ik in changes.items():
            if ik is None:
                self.keys.pop(key, None)
            else:
                self.keys[key] = ik


class TenantData:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Document]] = {}
        self.seqs: dict[str, int] = {}
        self.indexes: dict[tuple[str, str], SortedIndex] = {}

    def index(self, kind: str, name: str) -> SortedIndex:
        """Built on first use from the committed documents, then kept up to date by every commit."""
        found = self.indexes.get((kind, name))
        if found is None:
            found = self.indexes[kind, name] = SortedIndex(index_of(kind, name), self.docs.get(kind, {}))
        return found


class MemoryTx:
    """Reads see this transaction's own writes; writes land on commit only."""

    def __init__(self, tenant: str, data: TenantData) -> None:
        self.tenant = tenant
        self._data = data
        self._writes: dict[str, dict[str, Document | None]] = {}
        self._seq_writes: dict[str, int] = {}

    def _current(self, kind: str, key: str) -> Document | None:
        pending = self._writes.get(kind)
        if pending is not None and key in pending:
            return pending[key]
        return self._data.docs.get(kind, {}).get(key)

    def get(self, kind: str, key: str | int) -> Document | None:
        value = self._current(kind, str(key))
        return clone(value) if value is not None else None

    def put(self, kind: str, key: str | int, value: Document) -> None:
        self._writes.setdefault(kind, {})[str(key)] = clone(value)

    def delete(self, kind: str, key: str | int) -> None:
        self._writes.setdefault(kind, {})[str(key)] = None

    def items(self, kind: str) -> list[tuple[str, Document]]:
        merged = dict(self._data.docs.get(kind, {}))
        for key, value in self._writes.get(kind, {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return [(key, clone(value)) for key, value in merged.items()]

    def next_seq(self, kind: str) -> int:
        value = self._seq_writes.get(kind, self._data.seqs.get(kind, 0)) + 1
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
        view = _View(self, kind, index, tuple(prefix), lo, hi, None if after is None else tuple(after), reverse)
        total = view.total()
        stop = total if limit is None else min(total, offset + limit)
        if offset >= stop:
            return []
        # Positions count from the query's first row in its own direction; the view is ascending.
        first, last = (total - stop, total - offset) if reverse else (offset, stop)
        docs = view.window(first, last)
        if reverse:
            docs.reverse()
        return [clone(doc) for doc in docs]

    def count(
        self, kind: str, index: str, *, prefix: IndexKey = (), lo: Scalar | None = None, hi: Scalar | None = None
    ) -> int:
        return _View(self, kind, index, tuple(prefix), lo, hi, None, False).total()

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        """Every read is in memory already."""

    def fetched(self) -> list[tuple[str, str]]:
        return []

    def probe(self, probes: Sequence[Probe]) -> list[bool]:
        return [_View(self, p.kind, p.index, tuple(p.prefix), p.lo, p.hi, None, False).total() > 0 for p in probes]

    def commit(self) -> None:
        """Every declared index moves with its documents; the tuples are computed before anything
        changes, so a failing key function commits nothing."""
        data = self._data
        moves = [
            (data.index(kind, index.name), {key: index_key(index, doc) for key, doc in writes.items()})
            for kind, writes in self._writes.items()
            for index in indexes_of(kind)
        ]
        for sorted_index, changes in moves:
            sorted_index.check(changes)
        for kind, writes in self._writes.items():
            bucket = data.docs.setdefault(kind, {})
            for key, value in writes.items():
                if value is None:
                    bucket.pop(key, None)
                else:
                    bucket[key] = value
        for sorted_index, changes in moves:
            sorted_index.apply(changes)
        data.seqs.update(self._seq_writes)


class _View:
    """One query's rows: the committed slice minus rows this transaction rewrote, plus its pending rows."""

    def __init__(
        self,
        tx: MemoryTx,
        kind: str,
        name: str,
        prefix: IndexKey,
        lo: Scalar | None,
        hi: Scalar | None,
        after: IndexKey | None,
        reverse: bool,
    ) -> None:
        self.sorted = tx._data.index(kind, name)
        self.docs = tx._data.docs.get(kind, {})
        self.start, self.end = self.sorted.bounds(prefix, lo, hi, after, reverse)
        pending = tx._writes.get(kind, {})
        hidden = (self.sorted.position(key) for key in pending)
        self.hidden = sorted(pos for pos in hidden if pos is not None and self.start <= pos < self.end)
        self.extra = sorted(
            (ik, key, doc)
            for key, doc in pending.items()
            if (ik := index_key(self.sorted.index, doc)) is not None
            and in_range(ik, prefix, lo, hi)
            and (after is None or (ik < after if reverse else ik > after))
        )
        self.extra_at = [number + self._visible_before((ik, key)) for number, (ik, key, _doc) in enumerate(self.extra)]

    def _visible_before(self, row: Row) -> int:
        pos = min(max(self.sorted.rows.bisect_left(row), self.start), self.end)
        return pos - self.start - bisect_left(self.hidden, pos)

    def total(self) -> int:
        return self.end - self.start - len(self.hidden) + len(self.extra)

    def window(self, first: int, last: int) -> list[Document]:
        """Documents at ascending positions [first, last) of the merged rows."""
        rows, docs = self.sorted.rows, self.docs
        if not self.hidden and not self.extra:
            return [docs[key] for _ik, key in rows[self.start + first : self.start + last]]
        hidden = set(self.hidden)
        extra_number = bisect_left(self.extra_at, first)
        pos = self.start + first - extra_number  # the committed row at that visible position
        for skipped in self.hidden:
            if skipped > pos:
                break
            pos += 1
        out: list[Document] = []
        for at in range(first, last):
            if extra_number < len(self.extra_at) and self.extra_at[extra_number] == at:
                out.append(self.extra[extra_number][2])
                extra_number += 1
                continue
            while pos in hidden:
                pos += 1
            out.append(docs[rows[pos][1]])
            pos += 1
        return out


class MemoryStore:
    """In-process store; one lock per tenant serialises that tenant's requests only."""

    def __init__(self) -> None:
        self._tenants: dict[str, TenantData] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def _lock(self, tenant: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(tenant, threading.RLock())

    @contextmanager
    def transaction(self, tenant: str, *, write: bool = True) -> Iterator[MemoryTx]:
        """`write` is accepted for the interface: the tenant lock already makes every transaction a writer."""
        with self._lock(tenant):
            with self._guard:
                data = self._tenants.setdefault(tenant, TenantData())
            tx = MemoryTx(tenant, data)
            yield tx
            tx.commit()

    def reset(self, tenant: str | None = None) -> None:
        tenants = [tenant] if tenant else list(self._tenants)
        for name in tenants:
            with self._lock(name):
                self._tenants.pop(name, None)

    def tenants(self) -> list[str]:
        return [t for t in self._tenants if t != SYSTEM_TENANT]

    def export(self, tenant: str) -> dict[str, dict[str, Document]]:
        with self._lock(tenant):
            data = self._tenants.get(tenant)
            return clone(data.docs) if data else {}

    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None:
        """Replace the tenant's documents (sequences continue past the loaded ones)."""
        with self.transaction(tenant) as tx:
            for kind, docs in self.export(tenant).items():
                for key in docs:
                    tx.delete(kind, key)
            for kind, docs in data.items():
                for key, doc in docs.items():
                    tx.put(kind, key, doc)
