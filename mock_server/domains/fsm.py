"""Explicit transition tables for every lifecycle (orders, returns, exchanges, products, inquiries).

Each domain declares one `StateMachine` with its whole table; handlers ask it before changing a
status, so the rules live in one place and an illegal move is refused the same way everywhere.
Every applied edge is counted, which is what the contract harness reports as transition coverage:
per process at once, and into the store (with the request's journal batch, or `flush_coverage`) so
that `GET /_mock/transitions` adds up every worker's edges and survives a restart.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..runtime import RUNTIME, system_tx
from ..store import Store, Tx

MACHINES: dict[str, StateMachine] = {}
Edge = tuple[str, str, str, str]
_SEEN: Counter[Edge] = Counter()
_SEEN_LOCK = threading.Lock()
# Edges applied on this thread and not yet added to a store: a request flushes its own at its end.
_PENDING = threading.local()
COVERAGE_KEY = "transitions"


class IllegalTransition(Exception):
    def __init__(self, machine: str, state: str, event: str) -> None:
        super().__init__(f"{machine}: no transition for {event} from {state}")
        self.machine = machine
        self.state = state
        self.event = event


@dataclass(frozen=True)
class StateMachine:
    name: str
    states: tuple[str, ...]
    # (from_state, event) -> to_state
    table: Mapping[tuple[str, str], str]
    initial: str | None = None
    terminal: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = {s for edge in self.table.items() for s in (edge[0][0], edge[1])} - set(self.states)
        if unknown:
            raise ValueError(f"{self.name}: states {sorted(unknown)} are not declared")
        MACHINES[self.name] = self

    def can(self, state: str, event: str) -> bool:
        return (state, event) in self.table

    def next(self, state: str, event: str) -> str:
        """The state after event, recording the edge; IllegalTransition when the table has none."""
        try:
            target = self.table[(state, event)]
        except KeyError:
            raise IllegalTransition(self.name, state, event) from None
        edge = (self.name, state, event, target)
        with _SEEN_LOCK:
            _SEEN[edge] += 1
        _pending()[edge] += 1
        return target

    def events_from(self, state: str) -> list[str]:
        return [event for (source, event) in self.table if source == state]

    def edges(self) -> Iterable[tuple[str, str, str]]:
        return ((source, event, target) for (source, event), target in self.table.items())


def _pending() -> Counter[Edge]:
    counter: Counter[Edge] | None = getattr(_PENDING, "edges", None)
    if counter is None:
        counter = _PENDING.edges = Counter()
    return counter


def take_coverage() -> Counter[Edge]:
    """This thread's pending edges, handed over (the journal writes them with its next batch)."""
    pending = _pending()
    taken = Counter(pending)
    pending.clear()
    return taken


def add_coverage(tx: Tx, counts: Mapping[Edge, int]) -> None:
    """Add edge counts to the shared counts in the store (system tenant)."""
    if not counts:
        return
    doc = tx.get(RUNTIME, COVERAGE_KEY) or {"edges": {}}
    edges: dict[str, int] = doc["edges"]
    for edge, count in counts.items():
        key = "|".join(edge)
        edges[key] = edges.get(key, 0) + count
    tx.put(RUNTIME, COVERAGE_KEY, {"edges": edges})


def flush_coverage(tx: Tx) -> None:
    """Add this thread's pending edges to the shared counts in the store (system tenant)."""
    add_coverage(tx, take_coverage())


def transition_coverage(store: Store | None = None) -> dict[str, dict[str, object]]:
    """Per machine: every edge of the table and how often it was applied, in this process, or in
    every process sharing `store`."""
    if store is None:
        with _SEEN_LOCK:
            seen = dict(_SEEN)
    else:
        with system_tx(store) as tx:
            flush_coverage(tx)
            stored: dict[str, Any] = (tx.get(RUNTIME, COVERAGE_KEY) or {"edges": {}})["edges"]
        seen = {tuple(key.split("|")): count for key, count in stored.items()}  # type: ignore[misc]
    report: dict[str, dict[str, object]] = {}
    for name, machine in sorted(MACHINES.items()):
        edges = [{"from": s, "event": e, "to": t, "count": seen.get((name, s, e, t), 0)} for s, e, t in machine.edges()]
        report[name] = {
            "edges": edges,
            "covered": sum(1 for edge in edges if edge["count"]),
            "total": len(edges),
        }
    return report


def reset_coverage(store: Store | None = None) -> None:
    with _SEEN_LOCK:
        _SEEN.clear()
    _pending().clear()
    if store is not None:
        with system_tx(store) as tx:
            tx.delete(RUNTIME, COVERAGE_KEY)
