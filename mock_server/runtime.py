"""The one way runtime state (clock, faults, throttle, journal, coverage, vendors) reaches the store.

Everything a request depends on lives in the store's system tenant, so every worker process sees the
same clock, faults and throttle buckets, and a restart on the same SQLite file continues where it
stopped. The gateway reads and writes all of it in one short system transaction per request; the
components below join that transaction instead of opening their own (SQLite cannot nest them).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from .store import SYSTEM_TENANT, Store, Tx, run_in_transaction

T = TypeVar("T")

# One kind for the singleton documents of the runtime (keys: clock, faults, throttle, journal, transitions).
RUNTIME = "runtime"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_open = threading.local()


@contextmanager
def system_tx(store: Store, *, write: bool = True) -> Iterator[Tx]:
    """A system-tenant transaction; inside one already open on this thread (same store), that one.

    `write=False` asks for a read-only transaction where the store offers them (readers then don't
    queue behind the file's writer); pure reads only.
    """
    active: dict[int, Tx] = _open.__dict__.setdefault("txs", {})
    joined = active.get(id(store))
    if joined is not None:
        yield joined
        return
    opened = store.transaction(SYSTEM_TENANT) if write or not _offers_read_only(store) else _read_only(store)
    with opened as tx:
        active[id(store)] = tx
        try:
            yield tx
        finally:
            del active[id(store)]


def system_run(store: Store, fn: Callable[[Tx], T], *, write: bool = True) -> T:
    """`fn` in a system transaction that components can join (like `system_tx`); with `write=False`
    optimistic: readers don't queue behind the file's writer, and an attempt that wrote and lost a race
    runs again as a writer, so `fn` must not act outside the transaction."""
    active: dict[int, Tx] = _open.__dict__.setdefault("txs", {})
    joined = active.get(id(store))
    if joined is not None:
        return fn(joined)
    if write or not _offers_read_only(store):
        with system_tx(store) as tx:
            return fn(tx)

    def registered(tx: Tx) -> T:
        active[id(store)] = tx
        try:
            return fn(tx)
        finally:
            del active[id(store)]

    return run_in_transaction(store, SYSTEM_TENANT, registered)


class LearnedReads:
    """What a recurring transaction read by key last time, by what makes it recur (the admission of one
    access key reads the same clock, key, vendor, offset, limits and fault documents every time): the
    next one asks for them in one round trip (`Tx.prefetch`) instead of one per document."""

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._plans: dict[str, list[tuple[str, str]]] = {}

    def run(self, tx: Tx, recurring: str | None, fn: Callable[[Tx], T]) -> T:
        if recurring is None:
            return fn(tx)
        tx.prefetch(self._plans.get(recurring, ()))
        try:
            return fn(tx)
        finally:
            if len(self._plans) >= self._limit:  # many one-off keys (a fuzzer): start over, stay bounded
                self._plans.clear()
            self._plans[recurring] = tx.fetched()


@functools.cache
def _read_only_kinds(kind: type) -> bool:
    return "write" in inspect.signature(kind.transaction).parameters


def _offers_read_only(store: Store) -> bool:
    return _read_only_kinds(type(store))


def _read_only(store: Store) -> Any:
    return store.transaction(SYSTEM_TENANT, write=False)  # type: ignore[call-arg]


def to_micros(moment: datetime) -> int:
    """Exact integer microseconds since the epoch: floats would drift, ISO strings cost a parse per read."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)
