"""What SQLite and PostgreSQL share: the schema, the transaction object and the indexed queries.

Tables: `docs(tenant, kind, key, value)` holds the JSON documents; `idx(tenant, kind, name, k, key)`
holds one row per document and declared index, `k` being the tuple encoded by `keys.encode` so one
composite index (tenant, kind, name, k, key) answers every query as a single range scan with
LIMIT/OFFSET; `counts(tenant, kind, name, p, n)` counts the documents under every prefix `p` of the
tuples, so `count` by prefix is one lookup; `seqs(tenant, kind, value)` holds the sequences. Statements are written with `?`
placeholders; a dialect turns them into its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .. import jsonio
from . import keys
from .base import (
    SYSTEM_TENANT,
    Conflict,
    Document,
    IndexKey,
    Probe,
    Scalar,
    index_key,
    index_of,
    indexes_of,
)


class Dialect:
    """The differences between the SQL stores, filled in by each one."""

    blob = "BLOB"
    text_key = "TEXT"
    # The column that keeps documents in insertion order (export, items), untouched by updates.
    insertion_order = "rowid"
    insertion_column = ""
    no_limit: int | None = -1  # the LIMIT value that means "all rows"

    def sql(self, statement: str) -> str:
        return statement

    def connect(self) -> Any:
        raise NotImplementedError

    def begin(self, db: Any, tenant: str, write: bool) -> None:
        raise NotImplementedError

    def is_conflict(self, error: BaseException) -> bool:
        raise NotImplementedError

    def end(self, db: Any) -> None:
        """After the COMMIT or ROLLBACK of a transaction `begin` opened."""

    def lock_tenant(self, db: Any, tenant: str) -> None:
        """Inside a writer, before a nested transaction of `tenant` (SQLite's writer already locks all)."""

    def create_schema(self, db: Any) -> None:
        for statement in schema(self):
            db.execute(statement)

    def write_allowed(self, write: bool) -> bool:
        """Whether a transaction opened with `write` may write at all (else it raises Conflict)."""
        return True


def schema(dialect: Dialect) -> list[str]:
    key = dialect.text_key
    return [
        f"CREATE TABLE IF NOT EXISTS docs ({dialect.insertion_column}tenant {key} NOT NULL, kind {key} NOT NULL,"
        f" key {key} NOT NULL, value TEXT NOT NULL, ikeys TEXT NOT NULL, PRIMARY KEY (tenant, kind, key))",
        f"CREATE TABLE IF NOT EXISTS idx (tenant {key} NOT NULL, kind {key} NOT NULL, name {key} NOT NULL,"
        f" k {dialect.blob} NOT NULL, key {key} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS idx_order ON idx (tenant, kind, name, k, key)",
        f"CREATE TABLE IF NOT EXISTS counts (tenant {key} NOT NULL, kind {key} NOT NULL, name {key} NOT NULL,"
        f" p {dialect.blob} NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (tenant, kind, name, p))",
        f"CREATE TABLE IF NOT EXISTS seqs (tenant {key} NOT NULL, kind {key} NOT NULL, value BIGINT NOT NULL,"
        " PRIMARY KEY (tenant, kind))",
    ]


FLUSH_ROWS = 200  # count rows per upsert statement (5 parameters each; SQLite allows 32766)
READ_CACHE_DOCS = 256  # documents one transaction keeps as read (clock, limits, meta: a handful)


def encoded_keys(kind: str, doc: Document) -> dict[str, bytes]:
    """The document's encoded tuple in each declared index of its kind that holds it."""
    tuples = {index.name: index_key(index, doc) for index in indexes_of(kind)}
    return {name: keys.encode(ik) for name, ik in tuples.items() if ik is not None}


def _ikeys(stored: str) -> dict[str, bytes]:
    return {name: bytes.fromhex(k) for name, k in jsonio.load_doc(stored).items()}


class SqlTx:
    def __init__(self, tenant: str, db: Any, dialect: Dialect, write: bool) -> None:
        self.tenant = tenant
        self._db = db
        self._dialect = dialect
        self._may_write = dialect.write_allowed(write)
        self._last: Any = None
        self._deltas: dict[tuple[str, str, bytes], int] = {}
        self._cache: dict[tuple[str, str], tuple[str | None, dict[str, bytes]]] = {}
        self._fetched: list[tuple[str, str]] = []
        self.wrote = False

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(self._dialect.sql(statement), params)

    def _write(self, statement: str, params: tuple[Any, ...]) -> None:
        if not self._may_write:
            raise Conflict("a read transaction wrote")
        self.wrote = True
        self._last = self._run(statement, params)

    def get(self, kind: str, key: str | int) -> Document | None:
        text, _ = self._fetch(kind, str(key))
        return jsonio.load_doc(text) if text is not None else None

    def _fetch(self, kind: str, key: str) -> tuple[str | None, dict[str, bytes]]:
        """A document's text and its index tuples as stored with it (`docs.ikeys`), read once per
        transaction: a request reads the clock, limits and meta documents several times, and a put
        after a get needs the index tuples the get already had. Read by primary key, the one index of
        `docs`, so no plan can turn this lookup into a scan of `idx` (PostgreSQL's generic plans did,
        on statistics taken while the table was empty)."""
        cached = self._cache.get((kind, key))
        if cached is None:
            self._fetched.append((kind, key))
            row = self._run(
                "SELECT value, ikeys FROM docs WHERE tenant=? AND kind=? AND key=?", (self.tenant, kind, key)
            ).fetchone()
            cached = (row[0], _ikeys(row[1])) if row else (None, {})
            if len(self._cache) >= READ_CACHE_DOCS:  # a transaction reading thousands holds none of them
                self._cache.clear()
            self._cache[kind, key] = cached
        return cached

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        wanted = list(dict.fromkeys((kind, str(key)) for kind, key in keys if (kind, str(key)) not in self._cache))
        if not wanted or len(self._cache) + len(wanted) > READ_CACHE_DOCS:
            return
        # One primary-key lookup per document (an OR of them lets SQLite scan the whole tenant instead).
        one = "SELECT kind, key, value, ikeys FROM docs WHERE tenant=? AND kind=? AND key=?"
        rows = self._run(
            " UNION ALL ".join([one] * len(wanted)), tuple(v for pair in wanted for v in (self.tenant, *pair))
        ).fetchall()
        found = {(kind, key): (value, _ikeys(ikeys)) for kind, key, value, ikeys in rows}
        for pair in wanted:
            self._cache[pair] = found.get(pair, (None, {}))
        self._fetched.extend(wanted)

    def fetched(self) -> list[tuple[str, str]]:
        return list(self._fetched)

    def _remember(self, kind: str, key: str, text: str | None, encoded: dict[str, bytes]) -> None:
        # Only what was read before: a bulk write must not hold every document it wrote.
        if (kind, key) in self._cache:
            self._cache[kind, key] = (text, encoded)

    def put(self, kind: str, key: str | int, value: Document) -> None:
        skey = str(key)
        encoded = encoded_keys(kind, value)
        current = self._fetch(kind, skey)[1]
        text = jsonio.dump_doc(value)
        self._write(
            "INSERT INTO docs (tenant, kind, key, value, ikeys) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant, kind, key) DO UPDATE SET value = excluded.value, ikeys = excluded.ikeys",
            (self.tenant, kind, skey, text, jsonio.dump_doc({name: k.hex() for name, k in encoded.items()})),
        )
        self._remember(kind, skey, text, encoded)
        self._move(kind, skey, current, encoded)

    def delete(self, kind: str, key: str | int) -> None:
        skey = str(key)
        current = self._fetch(kind, skey)[1]
        self._write("DELETE FROM docs WHERE tenant=? AND kind=? AND key=?", (self.tenant, kind, skey))
        self._remember(kind, skey, None, {})
        self._move(kind, skey, current, {})

    def _move(self, kind: str, key: str, current: dict[str, bytes], encoded: dict[str, bytes]) -> None:
        """Bring the document's index rows and the prefix counts from `current` to `encoded`, touching
        only what changed."""
        for name in current.keys() | encoded.keys():
            before, after = current.get(name), encoded.get(name)
            if before == after:
                continue
            if before is not None:
                self._write(  # every column of idx_order: one row found in O(log n)
                    "DELETE FROM idx WHERE tenant=? AND kind=? AND name=? AND k=? AND key=?",
                    (self.tenant, kind, name, before, key),
                )
                self._count(kind, name, before, -1)
            if after is not None:
                self._write(
                    "INSERT INTO idx (tenant, kind, name, k, key) VALUES (?, ?, ?, ?, ?)",
                    (self.tenant, kind, name, after, key),
                )
                self._count(kind, name, after, 1)

    def _count(self, kind: str, name: str, encoded: bytes, step: int) -> None:
        """Every prefix of an index tuple counts its documents, so `count` by prefix is one lookup. The
        changes wait in the transaction until `flush`: one upsert per prefix per commit, not per write
        (updating one row thousands of times in one transaction is quadratic in PostgreSQL)."""
        for prefix in keys.prefixes(encoded):
            self._deltas[kind, name, prefix] = self._deltas.get((kind, name, prefix), 0) + step

    def flush(self) -> None:
        changed = [(kind, name, p, n) for (kind, name, p), n in self._deltas.items() if n]
        self._deltas = {}
        for start in range(0, len(changed), FLUSH_ROWS):
            batch = changed[start : start + FLUSH_ROWS]
            self._write(
                "INSERT INTO counts (tenant, kind, name, p, n) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?)"] * len(batch))
                + " ON CONFLICT (tenant, kind, name, p) DO UPDATE SET n = counts.n + excluded.n",
                tuple(value for row in batch for value in (self.tenant, *row)),
            )

    def items(self, kind: str) -> list[tuple[str, Document]]:
        rows = self._run(
            f"SELECT key, value FROM docs WHERE tenant=? AND kind=? ORDER BY {self._dialect.insertion_order}",
            (self.tenant, kind),
        )
        return [(key, jsonio.load_doc(value)) for key, value in rows.fetchall()]

    def _where(
        self,
        kind: str,
        index: str,
        prefix: IndexKey,
        lo: Scalar | None,
        hi: Scalar | None,
        after: IndexKey | None,
        reverse: bool,
    ) -> tuple[str, tuple[Any, ...]]:
        index_of(kind, index)  # an undeclared index is a bug in the caller, as in the memory store
        lower, upper = keys.bounds(tuple(prefix), lo, hi)
        if after is not None:
            # One [lower, upper) pair keeps the scan a single index range: the least byte string past
            # `cursor` is `cursor + b"\x00"`, so "k > cursor" is "k >= cursor + b'\x00'".
            cursor = keys.encode(tuple(after))
            if reverse:
                upper = min(upper, cursor)
            else:
                lower = max(lower, cursor + b"\x00")
        clause = "i.tenant=? AND i.kind=? AND i.name=? AND i.k >= ? AND i.k < ?"
        return clause, (self.tenant, kind, index, lower, upper)

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
        clause, params = self._where(kind, index, prefix, lo, hi, after, reverse)
        order = "DESC" if reverse else "ASC"
        rows = self._run(
            # A correlated lookup rather than a join: every plan, generic (prepared) ones included, then
            # fetches each row's document by its full primary key.
            "SELECT (SELECT d.value FROM docs d WHERE d.tenant = i.tenant AND d.kind = i.kind AND d.key = i.key)"
            f" FROM idx i WHERE {clause} ORDER BY i.k {order}, i.key {order} LIMIT ? OFFSET ?",
            (*params, self._dialect.no_limit if limit is None else limit, offset),
        )
        return [jsonio.load_doc(value) for (value,) in rows.fetchall()]

    def probe(self, probes: Sequence[Probe]) -> list[bool]:
        if not probes:
            return []
        wheres = [self._where(p.kind, p.index, p.prefix, p.lo, p.hi, None, False) for p in probes]
        row = self._run(
            "SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM idx i WHERE {clause})" for clause, _ in wheres),
            tuple(value for _, params in wheres for value in params),
        ).fetchone()
        return [bool(found) for found in row]

    def count(
        self, kind: str, index: str, *, prefix: IndexKey = (), lo: Scalar | None = None, hi: Scalar | None = None
    ) -> int:
        if lo is None and hi is None:
            index_of(kind, index)
            encoded = keys.encode(tuple(prefix))
            found = self._run(
                "SELECT n FROM counts WHERE tenant=? AND kind=? AND name=? AND p=?", (self.tenant, kind, index, encoded)
            ).fetchone()
            return (int(found[0]) if found else 0) + self._deltas.get((kind, index, encoded), 0)
        # A range is counted on the index alone: cost follows the rows in the range (SQL B-trees keep no ranks).
        clause, params = self._where(kind, index, prefix, lo, hi, None, False)
        return int(self._run(f"SELECT COUNT(*) FROM idx i WHERE {clause}", params).fetchone()[0])

    def next_seq(self, kind: str) -> int:
        self._write(
            "INSERT INTO seqs (tenant, kind, value) VALUES (?, ?, 1)"
            " ON CONFLICT (tenant, kind) DO UPDATE SET value = seqs.value + 1 RETURNING value",
            (self.tenant, kind),
        )
        return int(self._last.fetchone()[0])


class SqlStore:
    """One connection per thread; each transaction BEGINs, runs, and COMMITs or ROLLs BACK."""

    dialect: Dialect

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[Any] = []
        self._opened_guard = threading.Lock()
        self.dialect.create_schema(self._connect())
        self._upgrade()

    def _upgrade(self) -> None:
        """A state file written before documents carried their index tuples (`ikeys`) gets the column,
        then every tenant's index rows from the indexes declared now (the app imports every domain
        module, and so declares every index, before it opens the store)."""
        db = self._connect()
        try:
            db.execute("SELECT ikeys FROM docs LIMIT 0")
            return
        except Exception:  # the driver's "no such column" (sqlite3 and psycopg name it differently)
            db.execute("ALTER TABLE docs ADD COLUMN ikeys TEXT NOT NULL DEFAULT '{}'")
        for (tenant,) in db.execute("SELECT DISTINCT tenant FROM docs").fetchall():
            self.reindex(tenant)

    def _connect(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.dialect.connect()
            with self._opened_guard:
                self._opened.append(db)
        return db

    def close(self) -> None:
        """Close every thread's connection (a server's threads may outlive the store)."""
        with self._opened_guard:
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()
        self._local = threading.local()

    @contextmanager
    def transaction(self, tenant: str, *, write: bool = True) -> Iterator[SqlTx]:
        """`write=False` is optimistic: it never queues behind writers, and raises Conflict if it
        writes and loses a race (see `run_in_transaction`). `write=True` takes the write lock first.
        A transaction opened inside another one on the same thread (a handler reading the vendor
        registry, say) is a savepoint of it: it commits with the outer one and may write if that may."""
        db = self._connect()
        outer: SqlTx | None = getattr(self._local, "tx", None)
        if outer is not None:
            yield from self._nested(db, outer, tenant)
            return
        self.dialect.begin(db, tenant, write)
        tx = self._local.tx = SqlTx(tenant, db, self.dialect, write)
        try:
            yield tx
            tx.flush()
            db.execute("COMMIT")
        except BaseException as error:
            db.execute("ROLLBACK")
            if self.dialect.is_conflict(error):
                raise Conflict(str(error)) from error
            raise
        finally:
            self._local.tx = None
            self.dialect.end(db)

    def _nested(self, db: Any, outer: SqlTx, tenant: str) -> Iterator[SqlTx]:
        depth = self._local.depth = getattr(self._local, "depth", 0) + 1
        savepoint = f"nested_{depth}"
        db.execute(f"SAVEPOINT {savepoint}")
        if outer._may_write:
            self.dialect.lock_tenant(db, tenant)
        tx = SqlTx(tenant, db, self.dialect, True)
        tx._may_write = outer._may_write
        same_tenant = tenant == outer.tenant
        if same_tenant:  # counts must see the outer transaction's pending changes, and hand back its own
            tx._deltas = dict(outer._deltas)
            tx._cache = outer._cache  # one tenant's documents: what either writes, the other reads
        self._local.tx = tx
        try:
            yield tx
            if same_tenant:
                outer._deltas = tx._deltas
            else:
                tx.flush()
            outer.wrote = outer.wrote or tx.wrote
        except BaseException:
            db.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            outer._cache.clear()  # it may hold what the savepoint wrote and took back
            raise
        finally:
            db.execute(f"RELEASE SAVEPOINT {savepoint}")
            self._local.tx, self._local.depth = outer, depth - 1

    def _sweep(self, tenant: str | None, tables: tuple[str, ...]) -> None:
        with self.transaction(tenant or SYSTEM_TENANT) as tx:
            for table in tables:
                if tenant:
                    tx._run(f"DELETE FROM {table} WHERE tenant=?", (tenant,))
                else:
                    tx._run(f"DELETE FROM {table}")

    def reset(self, tenant: str | None = None) -> None:
        self._sweep(tenant, ("docs", "idx", "counts", "seqs"))

    def tenants(self) -> list[str]:
        with self.transaction(SYSTEM_TENANT, write=False) as tx:
            rows = tx._run("SELECT DISTINCT tenant FROM docs WHERE tenant != ? ORDER BY tenant", (SYSTEM_TENANT,))
            return [row[0] for row in rows.fetchall()]

    def export(self, tenant: str) -> dict[str, dict[str, Document]]:
        data: dict[str, dict[str, Document]] = {}
        with self.transaction(tenant, write=False) as tx:
            order = self.dialect.insertion_order
            rows = tx._run(f"SELECT kind, key, value FROM docs WHERE tenant=? ORDER BY {order}", (tenant,))
            for kind, key, value in rows.fetchall():
                data.setdefault(kind, {})[key] = jsonio.load_doc(value)
        return data

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a bulk load; PostgreSQL's autovacuum does it later too)."""
        self._connect().execute("ANALYZE")

    def reindex(self, tenant: str) -> None:
        """Rebuild the tenant's index rows and counts from its documents and the indexes declared now:
        after an index's key function changed, or on a state file written before its index existed."""
        with self.transaction(tenant) as tx:
            tx._run("DELETE FROM idx WHERE tenant=?", (tenant,))
            tx._run("DELETE FROM counts WHERE tenant=?", (tenant,))
            tx._run("UPDATE docs SET ikeys = '{}' WHERE tenant=?", (tenant,))
            rows = tx._run("SELECT kind, key, value FROM docs WHERE tenant=?", (tenant,)).fetchall()
            for kind, key, value in rows:
                tx.put(kind, key, jsonio.load_doc(value))  # with idx empty, every tuple is written afresh

    def load(self, tenant: str, data: dict[str, dict[str, Document]]) -> None:
        """Replace the tenant's documents (sequences continue past the loaded ones)."""
        with self.transaction(tenant) as tx:
            tx._run("DELETE FROM docs WHERE tenant=?", (tenant,))
            tx._run("DELETE FROM idx WHERE tenant=?", (tenant,))
            tx._run("DELETE FROM counts WHERE tenant=?", (tenant,))
            for kind, docs in data.items():
                for key, doc in docs.items():
                    tx.put(kind, key, doc)
        self.analyze()
