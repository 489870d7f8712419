"""State store: per-tenant collections of JSON documents with declared indexes (see base.py).

`memory` (default, in-process), `sqlite:///file.db` (survives restarts, shared by processes on one
machine) and `postgresql://…` (shared by workers anywhere) implement one interface and pass one test
suite (tests/test_store_query.py).
"""

from __future__ import annotations

from .base import (
    INDEXES,
    SYSTEM_TENANT,
    Conflict,
    Document,
    Index,
    IndexKey,
    Probe,
    Scalar,
    Store,
    Tx,
    WriterGuess,
    declare_index,
    in_range,
    index_of,
    run_in_transaction,
    scan_find,
)
from .memory import MemoryStore
from .postgres import PostgresStore
from .sqlite import SqliteStore


def open_store(url: str | None) -> Store:
    """`memory` (default), `sqlite:///path/to/file.db` or `postgresql://user:pass@host:port/db`."""
    if not url or url == "memory":
        return MemoryStore()
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///") :])
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise ValueError(f"unknown store {url!r}: use memory, sqlite:///path or postgresql://…")


__all__ = [
    "INDEXES",
    "SYSTEM_TENANT",
    "Conflict",
    "Document",
    "Index",
    "IndexKey",
    "MemoryStore",
    "PostgresStore",
    "Probe",
    "Scalar",
    "SqliteStore",
    "Store",
    "Tx",
    "WriterGuess",
    "declare_index",
    "in_range",
    "index_of",
    "open_store",
    "run_in_transaction",
    "scan_find",
]
