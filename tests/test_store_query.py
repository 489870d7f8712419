"""Every store (memory, SQLite, PostgreSQL) answers indexed queries exactly like `scan_find` over the
same documents, sees its own pending writes, rolls back whole, round-trips export/load, and keeps
concurrent transactions of one tenant from both acting on one document."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server.store import (
    Conflict,
    MemoryStore,
    Probe,
    SqliteStore,
    Store,
    declare_index,
    index_of,
    run_in_transaction,
    scan_find,
)
from coupang_mock.server.store.keys import encode
from tests.conftest import open_test_store

KIND = "test-query-boxes"
STATUSES = ("ACCEPT", "INSTRUCT", "DONE", "배송중", "a\x00b", "")
# createdAt mixes ints and floats (Python compares them as numbers, so must every store).
MOMENTS = st.one_of(st.integers(-3, 3), st.sampled_from([-1.5, 0.25, 2.5, -0.0, 0.5]))
BIG_ID = 123456789012345678  # shipmentBoxIds are 18 digits: beyond a double's exact integers


def _box_index(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc["status"], doc["createdAt"], doc["id"])


def _open_index(doc: dict[str, Any]) -> tuple[Any, ...] | None:
    """A partial index: finished boxes are left out."""
    return None if doc["status"] == "DONE" else (doc["createdAt"], doc["status"])


declare_index(KIND, "by-status", _box_index)
declare_index(KIND, "open", _open_index)
# The type of each index position, to draw prefixes, ranges and cursors of the right type.
SHAPES = {"by-status": ("status", "moment", "id"), "open": ("moment", "status")}
VALUES = {"status": st.sampled_from(STATUSES), "moment": MOMENTS, "id": st.integers(0, 12)}
tenants = (f"T{n}" for n in itertools.count())


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_test_store(request.param, tmp_path)
    yield opened
    close = getattr(opened, "close", None)
    if close is not None:
        close()


def box(key: int, status: str, created: float) -> dict[str, Any]:
    return {"id": BIG_ID + key if key == 12 else key, "status": status, "createdAt": created, "lines": [key]}


def put_op() -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(st.just("put"), st.integers(0, 12), st.sampled_from(STATUSES), MOMENTS)


OPS = st.lists(st.one_of(put_op(), st.tuples(st.just("delete"), st.integers(0, 12))), max_size=14)


def apply(tx: Any, model: dict[str, dict[str, Any]], ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        if op[0] == "put":
            doc = box(op[1], op[2], op[3])
            tx.put(KIND, op[1], doc)
            model[str(op[1])] = doc
        else:
            tx.delete(KIND, op[1])
            model.pop(str(op[1]), None)


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(SHAPES)))
    shape = SHAPES[name]
    size = draw(st.integers(0, len(shape) - 1))
    prefix = tuple(draw(VALUES[part]) for part in shape[:size])
    ranged = VALUES[shape[size]]
    cursor = shape[: draw(st.integers(1, len(shape)))]
    return {
        "index": name,
        "prefix": prefix,
        "lo": draw(st.none() | ranged),
        "hi": draw(st.none() | ranged),
        "after": draw(st.none() | st.tuples(*(VALUES[part] for part in cursor))),
        "reverse": draw(st.booleans()),
        "offset": draw(st.integers(0, 4)),
        "limit": draw(st.none() | st.integers(0, 6)),
    }


def check(tx: Any, model: dict[str, dict[str, Any]], query: dict[str, Any]) -> None:
    index = index_of(KIND, query["index"])
    options = {k: v for k, v in query.items() if k != "index"}
    expected = scan_find(sorted(model.items()), index, **options)
    assert tx.find(KIND, query["index"], **options) == expected
    everything = scan_find(list(model.items()), index, query["prefix"], query["lo"], query["hi"], None, False, 0, None)
    assert tx.count(KIND, query["index"], prefix=query["prefix"], lo=query["lo"], hi=query["hi"]) == len(everything)
    probe = Probe(KIND, query["index"], query["prefix"], query["lo"], query["hi"])
    empty = Probe(KIND, "by-status", ("no such status",))
    assert tx.probe([probe, empty, probe]) == [bool(everything), False, bool(everything)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(committed=OPS, pending=OPS, query=queries(), keep=st.booleans())
def test_find_and_count_match_the_scan(
    store: Store, committed: list[Any], pending: list[Any], query: dict[str, Any], keep: bool
) -> None:
    tenant, model = next(tenants), {}
    with store.transaction(tenant) as tx:
        apply(tx, model, committed)
    saved = dict(model)
    try:
        with store.transaction(tenant) as tx:
            check(tx, model, query)  # committed rows only
            apply(tx, model, pending)
            check(tx, model, query)  # own pending writes laid over them: puts, re-puts, deletes
            if not keep:
                raise RuntimeError("roll back")
    except RuntimeError:
        model = saved
    with store.transaction(tenant, write=False) as tx:
        check(tx, model, query)
        assert sorted(tx.items(KIND)) == sorted(model.items())


def test_large_commits_keep_the_index_exact(store: Store) -> None:
    """Commits of many rows (the memory store re-sorts instead of moving rows one by one)."""
    model: dict[str, dict[str, Any]] = {}
    with store.transaction("A") as tx:
        apply(tx, model, [("put", n, STATUSES[n % 4], n % 7 - 3) for n in range(150)])
    with store.transaction("A") as tx:
        apply(tx, model, [("put", n, STATUSES[(n + 1) % 6], n / 4) for n in range(0, 150, 2)])
        apply(tx, model, [("delete", n) for n in range(1, 150, 7)])
    with store.transaction("A") as tx:
        for status in STATUSES:
            check(
                tx,
                model,
                {
                    "index": "by-status",
                    "prefix": (status,),
                    "lo": None,
                    "hi": None,
                    "after": None,
                    "reverse": False,
                    "offset": 3,
                    "limit": 20,
                },
            )
        check(
            tx,
            model,
            {
                "index": "open",
                "prefix": (),
                "lo": -1,
                "hi": 20,
                "after": (5,),
                "reverse": True,
                "offset": 0,
                "limit": None,
            },
        )


def test_re_put_moves_a_document_and_the_partial_index_drops_it(store: Store) -> None:
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "ACCEPT", 1))
        tx.put(KIND, 2, box(2, "ACCEPT", 2))
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "DONE", 1))
        assert [d["id"] for d in tx.find(KIND, "by-status", prefix=("ACCEPT",))] == [2]
        assert [d["id"] for d in tx.find(KIND, "open")] == [2]
    with store.transaction("A") as tx:
        assert [d["id"] for d in tx.find(KIND, "by-status", prefix=("DONE",))] == [1]
        assert tx.count(KIND, "open") == 1
        tx.delete(KIND, 2)
    with store.transaction("A") as tx:
        assert tx.count(KIND, "open") == 0
        assert tx.find(KIND, "by-status") == [box(1, "DONE", 1)]


def test_pages_by_cursor_cover_every_row_once(store: Store) -> None:
    with store.transaction("A") as tx:
        for key in range(13):
            tx.put(KIND, key, box(key, "ACCEPT", key % 4))
    for reverse in (False, True):
        seen: list[int] = []
        after = None
        with store.transaction("A", write=False) as tx:
            while page := tx.find(KIND, "by-status", prefix=("ACCEPT",), after=after, reverse=reverse, limit=5):
                seen += [doc["id"] for doc in page]
                after = _box_index(page[-1])
        assert sorted(seen) == [*range(12), BIG_ID + 12]
        assert len(seen) == 13


def test_undeclared_index_is_a_key_error(store: Store) -> None:
    with store.transaction("A") as tx, pytest.raises(KeyError):
        tx.find(KIND, "no-such-index")


def test_export_load_round_trip_rebuilds_the_indexes(store: Store) -> None:
    with store.transaction("A") as tx:
        for key in range(5):
            tx.put(KIND, key, box(key, STATUSES[key], key / 2))
        tx.put("other-kind", "x", {"nested": {"list": [1, "두"]}})
        tx.next_seq("boxes")
    exported = store.export("A")
    with store.transaction("B") as tx:
        tx.put(KIND, 99, box(99, "ACCEPT", 0))  # replaced by the load
    store.load("B", exported)
    assert store.export("B") == exported
    with store.transaction("B") as tx:
        assert tx.count(KIND, "by-status") == 5
        assert [d["id"] for d in tx.find(KIND, "open")] == [0, 1, 3, 4]
        assert tx.get(KIND, 99) is None
    assert {"A", "B"} <= set(store.tenants())


def test_reindex_catches_up_with_an_index_declared_after_the_data(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "old.db"))
    with store.transaction("A") as tx:
        for size in (3, 1, 2):
            tx.put("test-late", size, {"size": size})
    declare_index("test-late", "by-size", lambda doc: (doc["size"],))
    with store.transaction("A") as tx:
        assert tx.find("test-late", "by-size") == []  # the rows were written before the index existed
    store.reindex("A")
    with store.transaction("A") as tx:
        assert [d["size"] for d in tx.find("test-late", "by-size")] == [1, 2, 3]
        assert tx.count("test-late", "by-size") == 3
    store.close()


def test_a_state_file_from_before_the_indexes_is_upgraded_on_open(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as db:  # the schema of the store before indexed queries
        db.execute(
            "CREATE TABLE docs (tenant TEXT, kind TEXT, key TEXT, seq INTEGER, value TEXT, PRIMARY KEY (tenant, kind, key))"
        )
        db.execute("CREATE TABLE seqs (tenant TEXT, kind TEXT, value INTEGER, PRIMARY KEY (tenant, kind))")
        for n in (2, 1):
            db.execute("INSERT INTO docs VALUES ('A', ?, ?, ?, ?)", (KIND, str(n), n, json.dumps(box(n, "ACCEPT", n))))
    store = SqliteStore(path)
    with store.transaction("A") as tx:
        assert [d["id"] for d in tx.find(KIND, "by-status", prefix=("ACCEPT",))] == [1, 2]
        assert tx.count(KIND, "open") == 2
        tx.put(KIND, 3, box(3, "DONE", 0))
    with store.transaction("A") as tx:
        assert tx.count(KIND, "by-status") == 3
    store.close()


def test_a_reader_never_sees_another_transactions_pending_writes(store: Store) -> None:
    """SQL readers get the last committed snapshot without waiting; the memory store makes them wait."""
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "ACCEPT", 0))
    written, read, seen = threading.Event(), threading.Event(), []

    def reader() -> None:
        written.wait(10)
        with store.transaction("A", write=False) as tx:
            seen.append([d["status"] for d in tx.find(KIND, "by-status")])
        read.set()

    thread = threading.Thread(target=reader)
    thread.start()
    waits = isinstance(store, MemoryStore)
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "DONE", 0))
        written.set()
        if not waits:
            assert read.wait(10)
    thread.join(10)
    assert seen == ([["DONE"]] if waits else [["ACCEPT"]])


def test_each_box_is_acknowledged_once_across_threads(store: Store) -> None:
    """Many workers race to acknowledge one box and bump a counter: one wins, no update is lost."""
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "ACCEPT", 0))
        tx.put("counters", "calls", {"n": 0})
    wins: list[int] = []

    def acknowledge(worker: int) -> None:
        def body(tx: Any) -> bool:
            counter = tx.get("counters", "calls")
            tx.put("counters", "calls", {"n": counter["n"] + 1})
            doc = tx.get(KIND, 1)
            if doc["status"] != "ACCEPT":
                return False
            tx.put(KIND, 1, {**doc, "status": "INSTRUCT"})
            return True

        if run_in_transaction(store, "A", body):
            wins.append(worker)

    threads = [threading.Thread(target=acknowledge, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(wins) == 1
    with store.transaction("A") as tx:
        assert tx.get("counters", "calls") == {"n": 6}
        assert tx.count(KIND, "by-status", prefix=("INSTRUCT",)) == 1


def test_a_transaction_inside_another_reads_and_writes_its_own_tenant(store: Store) -> None:
    """Handlers open the system tenant's registry inside their own transaction."""
    with store.transaction("S") as tx:
        tx.put("vendors", "A", {"vendorId": "A"})
    with store.transaction("A") as outer:
        outer.put(KIND, 1, box(1, "ACCEPT", 0))
        with store.transaction("S", write=False) as inner:
            assert inner.get("vendors", "A") == {"vendorId": "A"}
        with pytest.raises(RuntimeError), store.transaction("S") as inner:
            inner.put("vendors", "B", {"vendorId": "B"})
            raise RuntimeError("the nested part fails alone")
        with store.transaction("S") as inner:
            inner.put("vendors", "C", {"vendorId": "C"})
        assert outer.count(KIND, "by-status") == 1
    with store.transaction("S") as tx:
        assert sorted(key for key, _doc in tx.items("vendors")) == ["A", "C"]


def test_a_transaction_inside_one_of_the_same_tenant_counts_alike(store: Store) -> None:
    with store.transaction("A") as outer:
        outer.put(KIND, 1, box(1, "ACCEPT", 0))
        with store.transaction("A") as inner:
            inner.put(KIND, 2, box(2, "ACCEPT", 0))
            # SQL: a savepoint sees the outer writes; memory: its own transaction after the outer's commit-to-be
            assert inner.count(KIND, "by-status") == len(inner.find(KIND, "by-status"))
        assert outer.count(KIND, "by-status") == len(outer.find(KIND, "by-status"))
    with store.transaction("A") as tx:
        assert tx.count(KIND, "by-status") == len(tx.find(KIND, "by-status")) == 2
    with store.transaction("A") as tx:
        assert tx.get(KIND, 1) == box(1, "ACCEPT", 0)


def test_reads_in_one_transaction_follow_its_writes_and_its_rolled_back_savepoints(store: Store) -> None:
    """A transaction keeps what it read (SQL stores): every later write, delete or rolled-back nested
    write must show in its reads, and a caller changing a document it got changes nothing stored."""
    with store.transaction("R") as tx:
        tx.put(KIND, 1, box(1, "ACCEPT", 0))
    with store.transaction("R") as tx:
        first = tx.get(KIND, 1)
        assert first == box(1, "ACCEPT", 0)
        first["status"] = "changed by the caller"
        assert tx.get(KIND, 1) == box(1, "ACCEPT", 0)
        tx.put(KIND, 1, box(1, "INSTRUCT", 1))
        assert tx.get(KIND, 1) == box(1, "INSTRUCT", 1)
        assert [d["id"] for d in tx.find(KIND, "by-status", prefix=("INSTRUCT",))] == [1]
        with pytest.raises(RuntimeError), store.transaction("R") as inner:
            inner.put(KIND, 1, box(1, "DONE", 2))
            assert inner.get(KIND, 1) == box(1, "DONE", 2)
            raise RuntimeError("the nested part is taken back")
        assert tx.get(KIND, 1) == box(1, "INSTRUCT", 1)
        tx.delete(KIND, 1)
        assert tx.get(KIND, 1) is None
        tx.put(KIND, 1, box(1, "ACCEPT", 3))
    with store.transaction("R") as tx:
        assert tx.get(KIND, 1) == box(1, "ACCEPT", 3)
        assert tx.count(KIND, "by-status") == 1


@pytest.mark.parametrize("value", [2**64, -(2**70), 10**30, BIG_ID, 1e300, 0.1])
def test_numbers_beyond_64_bits_come_back_exactly(store: Store, value: Any) -> None:
    """The SQL stores write with orjson where it can; a number it cannot hold must not come back a float."""
    with store.transaction("N") as tx:
        tx.put(KIND, 1, {**box(1, "ACCEPT", 0), "amount": value, "nested": [{"n": value}]})
    with store.transaction("N") as tx:
        doc = tx.get(KIND, 1)
        assert doc is not None and (doc["amount"], doc["nested"][0]["n"]) == (value, value)
        assert type(doc["amount"]) is type(value)
        assert tx.find(KIND, "by-status")[0]["amount"] == value


def test_an_optimistic_sqlite_writer_that_lost_the_race_conflicts(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "race.db"))
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "ACCEPT", 0))
    other = threading.Thread(target=lambda: _bump(store))
    with pytest.raises(Conflict), store.transaction("A", write=False) as tx:
        tx.get(KIND, 1)  # the snapshot starts here
        other.start()
        other.join()
        tx.put(KIND, 1, box(1, "DONE", 0))
    with store.transaction("A") as tx:
        assert tx.get(KIND, 1)["status"] == "INSTRUCT"
    store.close()


def _bump(store: Store) -> None:
    with store.transaction("A") as tx:
        tx.put(KIND, 1, box(1, "INSTRUCT", 0))


def test_a_failing_index_key_commits_nothing(store: Store) -> None:
    declare_index("test-fragile", "by-size", lambda doc: (doc["size"],))
    with store.transaction("A") as tx:
        tx.put("test-fragile", 1, {"size": 1})
        assert tx.count("test-fragile", "by-size") == 1  # builds the memory store's index
    with pytest.raises(KeyError), store.transaction("A") as tx:
        tx.put("test-fragile", 2, {"size": 2})
        tx.put("test-fragile", 3, {"no size": True})
    with store.transaction("A") as tx:
        assert tx.items("test-fragile") == [("1", {"size": 1})]
        assert tx.count("test-fragile", "by-size") == 1


def test_memory_store_refuses_a_tuple_it_cannot_order_and_commits_nothing() -> None:
    store = MemoryStore()
    declare_index("test-typed", "by-size", lambda doc: (doc["size"],))
    with store.transaction("A") as tx:
        tx.put("test-typed", 1, {"size": 1})
    with pytest.raises(TypeError), store.transaction("A") as tx:
        tx.put("test-typed", 2, {"size": 2})
        tx.put("test-typed", 3, {"size": "three"})  # a str where the index holds numbers
    with store.transaction("A") as tx:
        assert tx.items("test-typed") == [("1", {"size": 1})]
        assert tx.find("test-typed", "by-size") == [{"size": 1}]


# UTF-8 byte order must be code point order across planes, and NUL must not end a string early.
TEXT_CHARS = st.sampled_from(["\x00", "\x01", "a", "b", "é", "\uffff", "두", "\U0001f600"])
SAME_TYPE_TUPLES = st.integers(0, 3).flatmap(
    lambda size: st.lists(
        st.tuples(
            *(
                st.one_of(st.integers(-(2**62), 2**62), st.floats(-1e6, 1e6, allow_nan=False))
                if position % 2
                else st.text(alphabet=TEXT_CHARS, max_size=4)
                for position in range(size)
            )
        ),
        max_size=8,
    )
)


@settings(max_examples=300)
@given(SAME_TYPE_TUPLES)
def test_encoded_index_tuples_sort_like_python(rows: list[tuple[Any, ...]]) -> None:
    for left, right in itertools.product(rows, repeat=2):
        assert (encode(left) < encode(right)) == (left < right)
        assert (encode(left) == encode(right)) == (left == right)
