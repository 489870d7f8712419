"""Explicit transition tables for every lifecycle (orders, returns, exchanges, products, inquiries).

Each domain declares one `StateMachine` with its whole table; handlers ask it before changing a
status, so the rules live in one place and an illegal move is refused the same way everywhere.
Every applied edge is counted, which is what the contract harness reports as transition coverage.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MACHINES: dict[str, StateMachine] = {}
_SEEN: Counter[tuple[str, str, str, str]] = Counter()
_SEEN_LOCK = threading.Lock()


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
        with _SEEN_LOCK:
            _SEEN[(self.name, state, event, target)] += 1
        return target

    def events_from(self, state: str) -> list[str]:
        return [event for (source, event) in self.table if source == state]

    def edges(self) -> Iterable[tuple[str, str, str]]:
        return ((source, event, target) for (source, event), target in self.table.items())


def transition_coverage() -> dict[str, dict[str, object]]:
    """Per machine: every edge of the table and how often it was applied in this process."""
    with _SEEN_LOCK:
        seen = dict(_SEEN)
    report: dict[str, dict[str, object]] = {}
    for name, machine in sorted(MACHINES.items()):
        edges = [{"from": s, "event": e, "to": t, "count": seen.get((name, s, e, t), 0)} for s, e, t in machine.edges()]
        report[name] = {
            "edges": edges,
            "covered": sum(1 for edge in edges if edge["count"]),
            "total": len(edges),
        }
    return report


def reset_coverage() -> None:
    with _SEEN_LOCK:
        _SEEN.clear()
