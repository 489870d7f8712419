"""The PostgreSQL store (`postgresql://user:pass@host/db`), with psycopg 3: many workers, one state.

Writers serialise per tenant with a transaction-scoped advisory lock on the tenant's name, exactly
like the memory store's per-tenant lock: two workers never both acknowledge one box, and tenants
don't wait for each other. Optimistic transactions (`write=False`) take no lock and read one
REPEATABLE READ snapshot; if they try to write they raise `Conflict` and `run_in_transaction`
runs them again as writers.
"""

from __future__ import annotations

from typing import Any

from .sql import Dialect, SqlStore, schema

SCHEMA_LOCK = 0x636F7570  # one advisory key so two processes don't create the tables at once


class PostgresDialect(Dialect):
    blob = "BYTEA"
    text_key = 'TEXT COLLATE "C"'  # byte order, like Python's str order and SQLite's BINARY
    insertion_order = "pos"
    insertion_column = "pos BIGSERIAL, "
    no_limit = None

    def __init__(self, url: str) -> None:
        self.url = url

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def connect(self) -> Any:
        try:
            import psycopg
        except ImportError as missing:
            raise RuntimeError("the postgresql store needs psycopg: pip install 'coupang-mock[postgres]'") from missing
        db = psycopg.connect(self.url, autocommit=True)
        # Short indexed queries: JIT compiling them costs more than running them (measured: 90 ms a page
        # before statistics exist). A mock's state can lose its last commit in a crash, not its consistency.
        db.execute("SET jit = off")
        db.execute("SET synchronous_commit = off")
        return db

    def create_schema(self, db: Any) -> None:
        db.execute("BEGIN")
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in schema(self):
            db.execute(statement)
        db.execute("COMMIT")

    def lock_tenant(self, db: Any, tenant: str) -> None:
        db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (tenant,))

    def begin(self, db: Any, tenant: str, write: bool) -> None:
        if write:
            db.execute("BEGIN")
            self.lock_tenant(db, tenant)
        else:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def write_allowed(self, write: bool) -> bool:
        return write

    def is_conflict(self, error: BaseException) -> bool:
        from psycopg import errors

        return isinstance(error, errors.SerializationFailure | errors.DeadlockDetected)


class PostgresStore(SqlStore):
    def __init__(self, url: str) -> None:
        self.dialect = PostgresDialect(url)
        super().__init__()
