"""The store's all-or-nothing transactions, deterministic ids, and the transition-table mechanism."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coupang_mock.server.domains.fsm import IllegalTransition, StateMachine, transition_coverage
from coupang_mock.server.ids import IdFactory
from coupang_mock.server.store import MemoryStore, SqliteStore, open_store


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    counter = iter(range(1000))
    return lambda: MemoryStore() if request.param == "memory" else SqliteStore(str(tmp_path / f"s{next(counter)}.db"))


DOOR = StateMachine(
    name="test-door",
    states=("OPEN", "CLOSED", "LOCKED"),
    table={
        ("OPEN", "close"): "CLOSED",
        ("CLOSED", "open"): "OPEN",
        ("CLOSED", "lock"): "LOCKED",
        ("LOCKED", "unlock"): "CLOSED",
    },
)


def test_transaction_commits_or_rolls_back(make_store: Any) -> None:
    store = make_store()
    with store.transaction("A") as tx:
        tx.put("k", 1, {"v": 1})
    with pytest.raises(RuntimeError), store.transaction("A") as tx:
        tx.put("k", 1, {"v": 2})
        tx.put("k", 2, {"v": 3})
        assert tx.get("k", 1) == {"v": 2}  # reads see own writes
        raise RuntimeError
    with store.transaction("A") as tx:
        assert tx.items("k") == [("1", {"v": 1})]


def test_tenants_are_isolated_and_reset_separately(make_store: Any) -> None:
    store = make_store()
    for tenant in ("A", "B"):
        with store.transaction(tenant) as tx:
            tx.put("k", 1, {"t": tenant})
    store.reset("A")
    with store.transaction("A") as tx:
        assert tx.get("k", 1) is None
    with store.transaction("B") as tx:
        assert tx.get("k", 1) == {"t": "B"}


def test_values_are_copies(make_store: Any) -> None:
    store = make_store()
    doc = {"list": [1]}
    with store.transaction("A") as tx:
        tx.put("k", 1, doc)
    doc["list"].append(2)
    with store.transaction("A") as tx:
        got = tx.get("k", 1)
        assert got == {"list": [1]}
        got["list"].append(3)
        assert tx.get("k", 1) == {"list": [1]}


@given(st.integers(min_value=0, max_value=2**31), st.integers(min_value=10, max_value=18))
def test_ids_are_deterministic_and_sized(seed: int, digits: int) -> None:
    def ids() -> list[int]:
        store = MemoryStore()
        factory = IdFactory(seed)
        with store.transaction("A00012345") as tx:
            return [factory.next(tx, "box", digits) for _ in range(3)]

    first = ids()
    assert first == ids()
    assert all(len(str(value)) == digits for value in first)
    assert len(set(first)) == 3


def test_sqlite_state_survives_a_new_store_object(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    with SqliteStore(path).transaction("A") as tx:
        tx.put("k", 1, {"shipmentBoxId": 123456789012345678})
        assert tx.next_seq("box") == 1
    with open_store(f"sqlite:///{path}").transaction("A") as tx:
        assert tx.get("k", 1) == {"shipmentBoxId": 123456789012345678}
        assert tx.next_seq("box") == 2


def test_open_store_rejects_unknown_urls() -> None:
    with pytest.raises(ValueError):
        open_store("redis://x")


@pytest.mark.parametrize(("state", "event", "target"), [(s, e, t) for s, e, t in DOOR.edges()])
def test_legal_edges(state: str, event: str, target: str) -> None:
    assert DOOR.next(state, event) == target


@pytest.mark.parametrize(
    ("state", "event"), [("OPEN", "lock"), ("LOCKED", "open"), ("OPEN", "unlock"), ("CLOSED", "close")]
)
def test_illegal_edges(state: str, event: str) -> None:
    with pytest.raises(IllegalTransition) as err:
        DOOR.next(state, event)
    assert (err.value.state, err.value.event) == (state, event)


def test_coverage_counts_applied_edges() -> None:
    DOOR.next("OPEN", "close")
    report = transition_coverage()["test-door"]
    assert report["total"] == 4
    assert report["covered"] >= 1


def test_undeclared_state_is_refused() -> None:
    with pytest.raises(ValueError):
        StateMachine(name="broken", states=("A",), table={("A", "go"): "B"})
