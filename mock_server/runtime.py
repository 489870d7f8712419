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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from .store import SYSTEM_TENANT, Store, Tx

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
