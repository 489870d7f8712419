"""Runtime state lives in the store: two instances on one SQLite file (what two worker processes are)
see the same clock, faults, throttle buckets, journal and transition coverage, and a new instance on
the file (a restart) continues where the last one stopped."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server import journal as journal_module
from coupang_mock.server.clock import EARLIEST, LATEST, ClockRangeError, TestClock
from coupang_mock.server.control_schema import ControlInputError
from coupang_mock.server.core import MockServices
from coupang_mock.server.domains import fsm
from coupang_mock.server.errors import ApiError
from coupang_mock.server.faults import FaultInjector
from coupang_mock.server.journal import Journal
from coupang_mock.server.settings import Settings
from coupang_mock.server.store import MemoryStore, SqliteStore
from tests.conftest import START, fixture_document

VENDOR = "A00012345"


def _instance(path: Path, **settings: Any) -> MockServices:
    return MockServices(
        Settings(**settings),
        store=SqliteStore(str(path)),
        clock=TestClock(frozen_at=START),
        document=fixture_document(),
    )


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[MockServices, MockServices]]:
    path = tmp_path / "shared.db"
    yield _instance(path), _instance(path)


def test_clock_moved_on_one_instance_is_seen_by_the_other(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    one.clock.advance(86_400)
    assert two.clock.now() == START + timedelta(days=1)
    two.clock.advance(3600, VENDOR)
    assert one.clock.now(VENDOR) == START + timedelta(days=1, hours=1)
    assert one.clock.now("B00000001") == START + timedelta(days=1)
    one.clock.reset()
    assert two.clock.now(VENDOR) == START, "a global reset drops every vendor's offset too"


def test_fault_rules_and_counters_are_shared(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    one.faults.add({"operationId": "fixtureEcho", "status": 503, "count": 2})
    assert [r.status for r in two.faults.list()] == [503]
    for services in (two, one):
        with pytest.raises(ApiError) as err:
            services.faults.apply("fixtureEcho", "GET", "/x", VENDOR, 3000)
        assert err.value.status == 503
    assert one.faults.apply("fixtureEcho", "GET", "/x", VENDOR, 3000) is None, "count 2 used up across both"
    assert two.faults.list() == []


def test_throttle_bucket_is_counted_across_instances(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    one.throttle.configure(VENDOR, enabled=True, rate=1, burst=4)
    admitted = [_admitted(one if i % 2 else two) for i in range(10)]
    assert admitted.count(True) == 4
    assert two.throttle.limits(VENDOR).burst == 4


def test_journal_and_coverage_are_shared(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    one.journal.record({"method": "GET", "path": "/a", "vendorId": VENDOR, "status": 200})
    two.journal.record({"method": "GET", "path": "/b", "vendorId": "B00000001", "status": 200})
    assert [e["path"] for e in one.journal.recent()] == ["/b", "/a"]
    assert [e["path"] for e in two.journal.recent(VENDOR)] == ["/a"]
    fsm.reset_coverage(one.store)
    machine = next(iter(fsm.MACHINES.values()))
    source, event, _target = next(iter(machine.edges()))
    machine.next(source, event)
    with _system(one) as tx:
        fsm.flush_coverage(tx)
    edges = fsm.transition_coverage(two.store)[machine.name]["edges"]
    assert sum(e["count"] for e in edges) == 1  # type: ignore[union-attr]


def test_restart_on_the_same_file_keeps_clock_faults_and_throttle(tmp_path: Path) -> None:
    path = tmp_path / "mock.db"
    first = _instance(path)
    first.clock.advance(7200)
    first.clock.advance(60, VENDOR)
    first.faults.add({"pathPrefix": "/v2", "status": 500, "probability": 0.5})
    first.throttle.configure(None, rate=3, burst=3)
    del first
    again = MockServices(Settings(), store=SqliteStore(str(path)), document=fixture_document())
    assert again.clock.now() == START + timedelta(hours=2), "the stored (frozen) clock wins over a new one"
    assert again.clock.now(VENDOR) == START + timedelta(hours=2, minutes=1)
    assert [(r.path_prefix, r.probability) for r in again.faults.list()] == [("/v2", 0.5)]
    assert again.throttle.limits(VENDOR).rate == 3


def test_probability_draws_are_the_same_in_every_process() -> None:
    def fired(injector: FaultInjector) -> list[bool]:
        injector.add({"status": 500, "probability": 0.3})
        outcome = []
        for _ in range(60):
            try:
                injector.apply("op", "GET", "/x", VENDOR, 3000)
                outcome.append(False)
            except ApiError:
                outcome.append(True)
        return outcome

    first, second = fired(FaultInjector(seed=7)), fired(FaultInjector(seed=7))
    assert first == second
    assert 5 < sum(first) < 35
    assert fired(FaultInjector(seed=8)) != first


# ---------------------------------------------------------------- journal caps


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=60),
    max_entries=st.integers(min_value=1, max_value=20),
    max_bytes=st.integers(min_value=500, max_value=20_000),
)
def test_journal_keeps_the_newest_entries_within_both_caps(sizes: list[int], max_entries: int, max_bytes: int) -> None:
    journal = Journal(max_entries, max_bytes=max_bytes, entry_bytes=400)
    journal.attach(MemoryStore())
    for number, size in enumerate(sizes):
        journal.record({"n": number, "vendorId": VENDOR, "query": "q" * size})
    usage = journal.usage()
    assert usage["entries"] <= max_entries and usage["bytes"] <= max_bytes
    kept = [e["n"] for e in journal.recent(limit=1000)]
    assert kept == list(range(len(sizes) - 1, len(sizes) - 1 - len(kept), -1)), "newest first, no gaps"
    assert kept, "one capped entry always fits"
    assert all(len(e["query"]) < 500 for e in journal.recent(limit=1000))


def test_journal_byte_cap_holds_for_100_kb_queries() -> None:
    journal = Journal(1000, max_bytes=1024 * 1024, entry_bytes=8 * 1024)
    journal.attach(MemoryStore())
    for _ in range(300):
        journal.record({"method": "GET", "path": "/v2/x", "vendorId": VENDOR, "query": "a=" + "x" * 100_000})
    usage = journal.usage()
    assert usage["bytes"] <= 1024 * 1024
    latest = journal.recent(limit=1)[0]
    assert latest["truncatedBytes"] > 100_000 and latest["query"].endswith("…(truncated)")


def test_journal_clear_one_vendor_keeps_the_others() -> None:
    journal = Journal(5)
    journal.attach(MemoryStore())
    for number in range(8):
        journal.record({"n": number, "vendorId": VENDOR if number % 2 else "B00000001"})
    journal.clear(VENDOR)
    assert [e["n"] for e in journal.recent()] == [6, 4]
    for number in range(8, 12):
        journal.record({"n": number, "vendorId": VENDOR})
    assert [e["n"] for e in journal.recent()] == [11, 10, 9, 8, 6]
    assert journal.usage()["entries"] == 5


# ---------------------------------------------------------------- clock range


@pytest.mark.parametrize(
    ("move", "field"),
    [
        (lambda c: c.advance(1e20), "advanceSeconds"),
        (lambda c: c.advance(float("inf")), "advanceSeconds"),
        (lambda c: c.advance(float("nan")), "advanceSeconds"),
        (lambda c: c.advance(80 * 365 * 86_400), "advanceSeconds"),
        (lambda c: c.set(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)), "now"),
        (lambda c: c.set(datetime(1999, 12, 31, tzinfo=UTC)), "now"),
        (lambda c: c.set(datetime(2026, 1, 1)), "now"),
        (lambda c: c.freeze(datetime(2100, 1, 1, tzinfo=UTC)), "now"),
    ],
    ids=["1e20", "inf", "nan", "past-2100", "year-9999", "before-2000", "naive", "freeze-2100"],
)
def test_clock_refuses_moves_out_of_range_and_stays(move: Any, field: str) -> None:
    clock = TestClock(frozen_at=START)
    with pytest.raises(ClockRangeError) as err:
        move(clock)
    assert err.value.field == field
    assert clock.now() == START


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-4e9, max_value=4e9, allow_nan=False), max_size=12))
def test_clock_never_leaves_its_range(moves: list[float]) -> None:
    clock = TestClock(frozen_at=START)
    expected = START
    for seconds in moves:
        try:
            clock.advance(seconds)
            expected += timedelta(microseconds=round(seconds * 1_000_000))
        except ClockRangeError:
            pass
        assert EARLIEST <= clock.now() < LATEST
        assert clock.now() == expected


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"status": "abc"}, "status"),
        ({"status": 99999}, "status"),
        ({"latencyMs": "abc"}, "latencyMs"),
        ({"status": 500, "count": "x"}, "count"),
        ({"status": 500, "count": 0}, "count"),
        ({"status": 500, "probability": 1.5}, "probability"),
        ({"preset": "nope"}, "preset"),
        ({"status": 500, "bogus": 1}, "bogus"),
        ({"latencyMs": 100, "real": True, "virtualLatency": True}, "real"),
        ({}, "status"),
    ],
)
def test_fault_definitions_are_checked_before_anything_is_stored(spec: dict[str, Any], field: str) -> None:
    injector = FaultInjector(seed=0)
    with pytest.raises(ControlInputError) as err:
        injector.add(spec)
    assert err.value.field == field
    assert injector.list() == []


def _admitted(services: MockServices) -> bool:
    try:
        services.throttle.admit(VENDOR, None, START)
    except ApiError as err:
        assert err.status == 429
        return False
    return True


def _system(services: MockServices) -> Any:
    from coupang_mock.server.runtime import system_tx

    return system_tx(services.store)


def test_vendor_list_is_synced_incrementally_across_instances(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    assert [v["vendorId"] for v in two.vendors.all()] == [VENDOR]
    created = [one.vendors.create(START)["vendorId"] for _ in range(3)]
    with _system(two) as tx:
        version, vendors = two.vendors.sync(tx)
    assert [v["vendorId"] for v in vendors] == [VENDOR, *created]
    with two.vendors.pinned():
        one.vendors.create(START)  # added after this request's admission: not in the pinned list
        assert [v["vendorId"] for v in two.vendors.all()] == [VENDOR, *created]
    assert len(two.vendors.all()) == 5, "outside a request the list is read fresh"
    assert version == 4


def test_vendor_reset_refills_its_bucket_and_keeps_its_settings(pair: tuple[MockServices, MockServices]) -> None:
    one, two = pair
    one.throttle.configure(VENDOR, enabled=True, rate=1, burst=2)
    assert [_admitted(one) for _ in range(3)] == [True, True, False]
    two.reset(VENDOR)
    assert one.throttle.limits(VENDOR).burst == 2
    assert [_admitted(one) for _ in range(3)] == [True, True, False]


# ---------------------------------------------------------------- journal batches


def _waiting_for(condition: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_batched_entry_is_read_at_once_here_and_soon_by_another_process(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.db")
    here, there = Journal(100, flush_seconds=0.05), Journal(100, flush_seconds=0.05)
    here.attach(SqliteStore(path))
    there.attach(SqliteStore(path))
    here.append({"n": 1, "vendorId": VENDOR})
    assert [e["n"] for e in here.recent()] == [1], "a reader flushes its own process's entries first"
    here.append({"n": 2, "vendorId": VENDOR})
    assert _waiting_for(lambda: [e["n"] for e in there.recent()] == [2, 1]), "the flusher wrote it"
    assert there.entry(2) is not None and there.entry(2)["n"] == 2  # type: ignore[index]


def test_entries_from_many_threads_are_all_kept_once_in_each_threads_order() -> None:
    journal = Journal(10_000, max_bytes=50 * 1024 * 1024, flush_seconds=0.01)
    journal.attach(MemoryStore())

    def send(thread: int) -> None:
        for n in range(200):
            journal.append({"thread": thread, "n": n, "vendorId": VENDOR})

    workers = [threading.Thread(target=send, args=(t,)) for t in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    kept = list(reversed(journal.recent(limit=10_000)))
    assert len(kept) == 800
    assert [e["id"] for e in kept] == list(range(1, 801)), "ids are the order entries were written in"
    for thread in range(4):
        assert [e["n"] for e in kept if e["thread"] == thread] == list(range(200))


def test_an_idle_flusher_ends_and_a_new_one_starts_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "IDLE_SECONDS", 0.3)
    journal = Journal(10, flush_seconds=0.01)
    journal.attach(MemoryStore())
    journal.append({"n": 1, "vendorId": VENDOR})
    assert journal._flusher is not None
    assert _waiting_for(lambda: journal._flusher is None), "no thread outlives its work"
    assert journal.usage()["entries"] == 1
    journal.append({"n": 2, "vendorId": VENDOR})
    assert journal._flusher is not None, "started again"
    assert _waiting_for(lambda: journal._flusher is None)
    assert [e["n"] for e in journal.recent()] == [2, 1]


def test_what_waits_is_capped_at_what_the_journal_keeps_and_coverage_is_never_dropped() -> None:
    journal = Journal(5, flush_seconds=60)  # nothing is written until a read
    journal.attach(MemoryStore())
    edge = ("test-door", "open", "close", "shut")
    for n in range(50):
        journal.append({"n": n, "vendorId": VENDOR}, Counter({edge: 1}))
    assert len(journal._pending) == 5, "a request never waits on a batch, and the buffer stays bounded"
    assert [e["n"] for e in journal.recent()] == [49, 48, 47, 46, 45]
    with journal_module.system_tx(journal._store) as tx:
        stored = tx.get(fsm.RUNTIME, fsm.COVERAGE_KEY)
    assert stored == {"edges": {"|".join(edge): 50}}


def test_waiting_entries_are_written_when_the_process_ends(tmp_path: Path) -> None:
    path = tmp_path / "exit.db"
    script = (
        "from coupang_mock.server.journal import Journal\n"
        "from coupang_mock.server.store import SqliteStore\n"
        "j = Journal(10, flush_seconds=60)\n"
        f"j.attach(SqliteStore({str(path)!r}))\n"
        "j.append({'n': 7, 'vendorId': 'A00012345'})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    reader = Journal(10)
    reader.attach(SqliteStore(str(path)))
    assert [e["n"] for e in reader.recent()] == [7]


def test_closing_the_services_stops_the_flusher_before_the_store_closes(tmp_path: Path) -> None:
    """A flusher still writing on a connection that `store.close()` closes from another thread crashed
    the process (a segfault in SQLite); `MockServices.close` writes the last batch, then closes."""
    services = _instance(tmp_path / "closing.db", journal_flush_ms=1)
    sending = threading.Event()

    def send() -> None:
        n = 0
        while not sending.is_set():
            services.journal.append({"n": n, "vendorId": VENDOR, "query": "q" * 4000})
            n += 1
            time.sleep(0.0002)  # requests arrive apart (a tight loop would starve every other thread)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.3)
    services.close()
    sending.set()
    sender.join()
    services.journal.append({"n": -1, "vendorId": VENDOR})
    services.journal.flush()
    assert services.journal._pending == [], "a closed journal takes nothing more and writes nothing more"
    reopened = Journal(1000)
    reopened.attach(SqliteStore(str(tmp_path / "closing.db")))
    assert reopened.usage()["entries"] > 0, "what waited was written before the store closed"
