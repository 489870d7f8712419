"""The store interface: per-tenant (vendor) collections of JSON documents with declared indexes.

Domain code only sees `Tx` (get/put/delete/find/count/next_seq) inside `Store.transaction(tenant)`.
A transaction either commits every write or none (an exception rolls it back), so a refused or
crashing request never leaves state half-written. Values are plain JSON-compatible dicts, which is
what lets SQLite or PostgreSQL replace the in-memory store without touching domain code.

Queries never scan a kind: each kind declares its indexes (`declare_index`) next to its documents,
and `Tx.find`/`Tx.count` ask one index for a prefix, an optional range, a cursor and a page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

Document = dict[str, Any]
SYSTEM_TENANT = "_system"


Scalar = str | int | float | bool
IndexKey = tuple[Scalar, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Probe:
    """One `find` asked only whether it has a row: `Tx.probe` answers many of them in one round trip."""

    kind: str
    index: str
    prefix: IndexKey = ()
    lo: Scalar | None = None
    hi: Scalar | None = None


@dataclass(frozen=True)
class Index:
    """A secondary index of one kind: `key(doc)` gives the document's position, None leaves it out.

    Tuples are compared component by component (keep each position one type, and one length per
    index). Queries ask for a prefix of the tuple, optionally a [lo, hi) range on the component
    after it, in tuple order; documents with equal tuples follow in key order.
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


def indexes_of(kind: str) -> list[Index]:
    return list(INDEXES.get(kind, {}).values())


def index_key(index: Index, doc: Document | None) -> IndexKey | None:
    """The document's tuple in `index` (None: not in it); tuples are normalised so every store sorts alike."""
    if doc is None:
        return None
    key = index.key(doc)
    return None if key is None else tuple(key)


def in_range(key: IndexKey, prefix: IndexKey, lo: Scalar | None, hi: Scalar | None) -> bool:
    if key[: len(prefix)] != tuple(prefix):
        return False
    if lo is None and hi is None:
        return True
    value = key[len(prefix)]
    return (lo is None or value >= lo) and (hi is None or value < hi)


class Conflict(Exception):
    """A transaction lost a race with another writer and was rolled back; run it again.

    Only optimistic transactions (`transaction(tenant, write=False)`) raise it, and only when they
    write; `run_in_transaction` retries them as writers, which wait for the lock instead.
    """


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

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        """Read these (kind, key) documents in one round trip, for the `get`s that follow (a hint: a
        store without round trips ignores it)."""
        ...

    def fetched(self) -> list[tuple[str, str]]:
        """The (kind, key) documents this transaction has read by key so far (what to prefetch next time)."""
        ...

    def probe(self, probes: Sequence[Probe]) -> list[bool]:
        """For each probe, whether its range holds a document (one statement on the SQL stores: every
        request asks the timed domains whether anything is due)."""
        ...

    def items(self, kind: str) -> list[tuple[str, Document]]:
        """Every document of a kind. Never on a request path: export, snapshots and migrations only."""
        ...


class Store(Protocol):
    def transaction(self, tenant: str, *, write: bool = True) -> Any: ...  # context manager yielding Tx
    def reset(self, tenant: str | None = None) -> None: ...
    def tenants(self) -> list[str]: ...
    def export(self, tenant: str) -> dict[str, dict[str, Document]]: ...
    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None: ...


RETRIES = 3


def run_in_transaction(store: Store, tenant: str, fn: Callable[[Tx], T]) -> T:
    """Run `fn(tx)` optimistically (readers don't queue behind writers), again as a writer on `Conflict`.

    `fn` may run more than once, so it must not act outside the transaction (its writes are rolled
    back with the lost attempt). The writer attempts take the tenant's write lock up front, so they
    only wait and never conflict; the loop bound is a safety net.
    """
    try:
        with store.transaction(tenant, write=False) as tx:
            return fn(tx)
    except Conflict:
        pass
    return _as_writer(store, tenant, fn)[0]


def _as_writer(store: Store, tenant: str, fn: Callable[[Tx], T]) -> tuple[T, bool]:
    """`fn` in a writer transaction, and whether it wrote (a store that can't tell says it did)."""
    for attempt in range(RETRIES):
        try:
            with store.transaction(tenant, write=True) as tx:
                return fn(tx), getattr(tx, "wrote", True)
        except Conflict:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


class WriterGuess:
    """Which recurring transactions (one per operation) start as writers.

    An optimistic attempt that writes while another process writes loses the race and runs again:
    under a stream of creates on two workers nearly every attempt did (4,043 of ~4,300), so each
    create cost two runs of the domain. An operation whose optimistic attempt lost starts as a writer
    from then on, until a writer attempt of it writes nothing (reads go back to not queueing)."""

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._writers: set[str] = set()

    def starts_as_writer(self, key: str) -> bool:
        return key in self._writers

    def learn(self, key: str) -> None:
        """`key` lost the optimistic race: it starts as a writer from now on."""
        if len(self._writers) >= self._limit:  # many one-off keys: stay bounded
            self._writers.clear()
        self._writers.add(key)

    def run(self, store: Store, tenant: str, key: str, fn: Callable[[Tx], T]) -> T:
        if key not in self._writers:
            try:
                with store.transaction(tenant, write=False) as tx:
                    return fn(tx)
            except Conflict:
                self.learn(key)
        result, wrote = _as_writer(store, tenant, fn)
        if not wrote:
            self._writers.discard(key)
        return result


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
        if key is not None and in_range(tuple(key), prefix, lo, hi):
            keyed.append((tuple(key), doc_key, doc))
    keyed.sort(key=lambda row: (row[0], row[1]), reverse=reverse)
    if after is not None:
        keyed = [row for row in keyed if (row[0] < tuple(after) if reverse else row[0] > tuple(after))]
    chosen = keyed[offset:] if limit is None else keyed[offset : offset + limit]
    return [doc for _key, _doc_key, doc in chosen]
