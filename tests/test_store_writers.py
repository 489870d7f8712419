"""Writers under contention (issue 13): an operation that lost the optimistic race starts as a writer,
SQLite writers queue on a kernel lock beside the file, and within one process writers take turns
through validation, transaction and rendering while readers stay concurrent."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from coupang_mock.client.signing import sign
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import Gateway, MockServices
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from coupang_mock.server.store import SqliteStore, Tx, WriterGuess
from tests.conftest import START, THINGS, fixture_document

try:
    import fcntl
except ImportError:  # Windows: no gate, writers queue in SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

KIND = "test-writers"
needs_flock = pytest.mark.skipif(fcntl is None, reason="no flock on this platform: SQLite writers have no gate")


class Recording:
    """A store that notes whether each outermost transaction was opened as a writer."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.opened: list[bool] = []

    @contextmanager
    def transaction(self, tenant: str, *, write: bool = True) -> Iterator[Any]:
        self.opened.append(write)
        with self.store.transaction(tenant, write=write) as tx:
            yield tx


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(str(tmp_path / "writers.db"))
    with store.transaction("A") as tx:
        tx.put(KIND, 1, {"n": 0})
    yield store
    store.close()


def _bump(store: SqliteStore) -> None:
    with store.transaction("A") as tx:
        tx.put(KIND, 2, {"n": time.monotonic()})


def test_an_operation_that_lost_the_optimistic_race_starts_as_a_writer(sqlite: SqliteStore) -> None:
    store, guess, attempts = Recording(sqlite), WriterGuess(), []

    def increment(tx: Tx) -> int:
        n = tx.get(KIND, 1)["n"]  # the optimistic snapshot starts here
        if not attempts:  # another process's writer commits in between: this attempt loses
            other = threading.Thread(target=_bump, args=(sqlite,))
            other.start()
            other.join()
        attempts.append(n)
        tx.put(KIND, 1, {"n": n + 1})
        return n + 1

    assert guess.run(store, "A", "create", increment) == 1
    assert store.opened == [False, True] and len(attempts) == 2
    assert guess.starts_as_writer("create")

    assert guess.run(store, "A", "create", increment) == 2
    assert store.opened[2:] == [True]  # no optimistic attempt any more

    # A writer run that wrote nothing (a read, a refused call) puts the operation back to optimistic.
    assert guess.run(store, "A", "create", lambda tx: tx.get(KIND, 1)["n"]) == 2
    assert not guess.starts_as_writer("create")
    guess.run(store, "A", "create", lambda tx: tx.get(KIND, 1))
    assert store.opened[3:] == [True, False]


def test_an_operation_that_never_lost_stays_optimistic(sqlite: SqliteStore) -> None:
    store, guess = Recording(sqlite), WriterGuess()
    for n in range(3):
        guess.run(store, "A", "create", lambda tx, n=n: tx.put(KIND, 10 + n, {"n": n}))
    assert store.opened == [False, False, False]
    assert not guess.starts_as_writer("create")


def test_the_guess_stays_bounded() -> None:
    guess = WriterGuess(limit=3)
    for key in ("a", "b", "c", "d"):
        guess.learn(key)
    assert guess.starts_as_writer("d")
    assert sum(guess.starts_as_writer(key) for key in "abc") == 0


def test_a_transaction_knows_whether_it_wrote(sqlite: SqliteStore) -> None:
    with sqlite.transaction("A", write=False) as tx:
        tx.get(KIND, 1)
        assert not tx.wrote
    with sqlite.transaction("A") as tx:
        assert not tx.wrote
        with sqlite.transaction("B") as inner:  # a savepoint of the outer one, in another tenant
            inner.put(KIND, 1, {"n": 1})
        assert tx.wrote


def _gate_is_free(path: Path) -> bool:
    fd = os.open(f"{path}-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the descriptor drops a lock it took
    return True


@needs_flock
def test_sqlite_writers_hold_a_kernel_lock_beside_the_file_until_commit_or_rollback(tmp_path: Path) -> None:
    path = tmp_path / "gate.db"
    store = SqliteStore(str(path))
    try:
        with store.transaction("A", write=False) as tx:
            tx.get(KIND, 1)
            assert _gate_is_free(path)  # readers never queue
        with store.transaction("A") as tx:
            tx.put(KIND, 1, {"n": 1})
            assert not _gate_is_free(path)
        assert _gate_is_free(path)
        with pytest.raises(RuntimeError), store.transaction("A") as tx:
            tx.put(KIND, 1, {"n": 2})
            raise RuntimeError("a handler failed")
        assert _gate_is_free(path)
        with store.transaction("A", write=False) as tx:
            assert tx.get(KIND, 1) == {"n": 1}
    finally:
        store.close()


def test_a_waiting_sqlite_writer_goes_on_as_soon_as_the_other_commits(tmp_path: Path) -> None:
    path = str(tmp_path / "queue.db")
    first, second = SqliteStore(path), SqliteStore(path)  # two processes' stores on one file
    holding, events = threading.Event(), []

    def later_writer() -> None:
        holding.wait()
        with second.transaction("A") as tx:
            events.append(("second", tx.get(KIND, 1)))
            tx.put(KIND, 1, {"n": 2})

    other = threading.Thread(target=later_writer)
    other.start()
    try:
        with first.transaction("A") as tx:
            tx.put(KIND, 1, {"n": 1})
            holding.set()
            time.sleep(0.2)  # the other writer is queued on the gate now
            events.append(("first", None))
        other.join(timeout=10)
        assert events == [("first", None), ("second", {"n": 1})]
    finally:
        first.close()
        second.close()


# ---------------------------------------------------------------- turns in the gateway


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    services = MockServices(
        Settings(throttle_enabled=False),
        store=SqliteStore(str(tmp_path / "turns.db")),
        clock=TestClock(frozen_at=START),
        document=fixture_document(),
    )
    yield Gateway(services)
    services.close()


def _call(gateway: Gateway, method: str, path: str, body: Any = None) -> int:
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, method, path, "", gateway.s.wall())
    builder = EnvironBuilder(path=path, method=method, json=body, headers={"Authorization": header})
    return gateway(builder.get_request()).status_code


def _overlap(monkeypatch: pytest.MonkeyPatch, calls: list[Any]) -> int:
    """Run `calls` on threads at once; the most of them validating at the same moment."""
    inside, most, guard = [0], [0], threading.Lock()
    validate = Gateway._validate

    def slow_validate(self: Gateway, *args: Any) -> Any:
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        try:
            return validate(self, *args)
        finally:
            with guard:
                inside[0] -= 1

    monkeypatch.setattr(Gateway, "_validate", slow_validate)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda c=c: statuses.append(c())) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * len(calls)
    return most[0]


def test_writers_take_turns_in_a_process_and_readers_do_not(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"vendorId": DEFAULT_VENDOR_ID, "name": "thing"}
    assert _call(gateway, "POST", THINGS, body) == 200
    unlearned = [lambda: _call(gateway, "POST", THINGS, body)] * 4
    assert _overlap(monkeypatch, unlearned) > 1  # not known as a writer yet: no turns

    gateway._writers.learn("fixtureCreateThing")
    assert _overlap(monkeypatch, [lambda: _call(gateway, "POST", THINGS, body)] * 4) == 1
