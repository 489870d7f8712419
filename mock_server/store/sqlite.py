"""The SQLite store: state survives restarts and is shared by the processes that open the same file.

WAL lets readers run beside the one writer. Writers (`write=True`) start with BEGIN IMMEDIATE and
so queue on the file's write lock; optimistic transactions start DEFERRED and, if they write after
another writer committed, get SQLITE_BUSY, which `transaction` turns into `Conflict`.

Writers first queue on a lock file beside the database (`flock`, one descriptor per connection): a
writer waiting in SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries whatever the other
writer does, which left a worker's threads idle behind another worker's short transactions; the
kernel wakes a `flock` waiter the moment the lock is free.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: writers queue in SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

from .sql import Dialect, SqlStore

BUSY, LOCKED = 5, 6
_memory_names = itertools.count()


class _Connection(sqlite3.Connection):
    """A connection with its own descriptor of the file's writer gate (None: no gate)."""

    gate: int | None = None

    def close(self) -> None:
        super().close()
        if self.gate is not None:
            os.close(self.gate)
            self.gate = None


class SqliteDialect(Dialect):
    def __init__(self, path: str) -> None:
        self.path = path
        self.uri = False
        if path == ":memory:":
            # One private in-memory database shared by this store's per-thread connections (shared
            # cache: table locks, no WAL), for measurement and single-threaded use.
            self.path, self.uri = f"file:coupang-mock-{next(_memory_names)}?mode=memory&cache=shared", True

    def connect(self) -> Any:
        db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False, uri=self.uri, factory=_Connection
        )
        if fcntl is not None and not self.uri:
            db.gate = os.open(f"{self.path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        db.execute("PRAGMA cache_size=-65536")  # 64 MiB: a large commit must not spill pages into the WAL
        if not self.uri:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "PRAGMA synchronous=NORMAL"
            )  # WAL stays consistent; a mock's last commit may be lost on power cut
        return db

    def begin(self, db: Any, tenant: str, write: bool) -> None:
        if not write:
            db.execute("BEGIN DEFERRED")
            return
        if db.gate is not None:
            fcntl.flock(db.gate, fcntl.LOCK_EX)  # the GIL is released while it waits
        try:
            db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.end(db)
            raise

    def end(self, db: Any) -> None:
        if db.gate is not None:
            fcntl.flock(db.gate, fcntl.LOCK_UN)

    def is_conflict(self, error: BaseException) -> bool:
        code = getattr(error, "sqlite_errorcode", None)
        return isinstance(error, sqlite3.OperationalError) and code is not None and code & 0xFF in (BUSY, LOCKED)


class SqliteStore(SqlStore):
    """`sqlite:///path/to/file.db`; `:memory:` gives a private in-memory database."""

    def __init__(self, path: str) -> None:
        self.dialect = SqliteDialect(path)
        super().__init__()
