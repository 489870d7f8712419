"""How a scenario reaches a declared status: the domain's own transition table, walked event by event.

Each lifecycle names the domain's `StateMachine` and the events a scenario can play (each one is an
API operation or a control route, see `scenario_build`). Reaching a target is a shortest path over
those edges from the current state; after every event the real state is read back and the path is
planned again from there, so where the domain decides (a quick refund completes a cheap return at
once) the scenario follows the domain instead of assuming.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .domains import cs, exchanges, orders, products, receipts
from .domains.fsm import StateMachine

Target = Callable[[str], bool]


@dataclass(frozen=True)
class Lifecycle:
    name: str
    machine: StateMachine
    # event of the table → the action that plays it (several events may share one action: the
    # domain picks the edge, e.g. confirmReceipt vs confirmQuickRefund)
    actions: dict[str, str]
    # wire spellings accepted besides the machine's state names (lower-case aliases, status prefixes)
    aliases: dict[str, str]
    prefix_match: bool = False

    def target(self, declared: str) -> Target | None:
        """A predicate for the declared status, or None when the table has no such state."""
        name = self.aliases.get(declared, declared)
        if name in self.machine.states:
            return lambda state: state == name
        if self.prefix_match and any(s.split("/")[0] == name for s in self.machine.states):
            return lambda state: state.split("/")[0] == name
        return None

    def plan(self, start: str, target: Target, avoid: frozenset[str] = frozenset()) -> list[tuple[str, str]] | None:
        """Shortest list of (event, next state) from start to a state the target accepts; [] when
        already there, None when the playable edges (minus the `avoid`ed actions) cannot get there."""
        if target(start):
            return []
        previous: dict[str, tuple[str, str]] = {}
        queue = deque([start])
        while queue:
            state = queue.popleft()
            for event in self.machine.events_from(state):
                nxt = self.machine.table[(state, event)]
                if self.actions.get(event, "") in avoid or event not in self.actions:
                    continue
                if nxt in (state, start) or nxt in previous:
                    continue
                previous[nxt] = (state, event)
                if target(nxt):
                    return _unwind(previous, start, nxt)
                queue.append(nxt)
        return None

    def reachable(self, start: str) -> list[str]:
        return [s for s in self.machine.states if self.plan(start, lambda state, s=s: state == s) is not None]

    def states(self) -> Iterable[str]:
        return self.machine.states


def _unwind(previous: dict[str, tuple[str, str]], start: str, end: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    state = end
    while state != start:
        before, event = previous[state]
        steps.append((event, state))
        state = before
    return steps[::-1]


ORDER = Lifecycle(
    "order",
    orders.BOX_MACHINE,
    actions={
        "acknowledge": "acknowledge",
        "uploadInvoice": "uploadInvoice",
        "pickedUp": "pickedUp",
        "delivered": "delivered",
        "cancelAll": "buyerCancel",
    },
    aliases={},
)

PRODUCT = Lifecycle(
    "product",
    products.PRODUCT_MACHINE,
    actions={
        "REQUEST_APPROVAL": "requestApproval",
        "START_REVIEW": "startReview",
        "APPROVE": "approve",
        "DENY": "deny",
    },
    aliases={
        "saved": "SAVED",
        "approving": "APPROVING",
        "in_review": "IN_REVIEW",
        "approved": "APPROVED",
        "denied": "DENIED",
    },
)

RETURN = Lifecycle(
    "return",
    receipts.RECEIPT_MACHINE,
    actions={
        "withdraw": "withdraw",
        "pickupQuickRefund": "pickup",
        "confirmReceipt": "confirmReceipt",
        "confirmQuickRefund": "confirmReceipt",
        "approve": "approve",
        "requestCoupangCheck": "coupangCheck",
        "stopShipment": "stopShipment",
        "alreadyShipped": "alreadyShipped",
    },
    aliases={},
)

EXCHANGE = Lifecycle(
    "exchange",
    exchanges.EXCHANGE_MACHINE,
    actions={
        "pickedUp": "pickedUp",
        "collected": "collected",
        "confirmReceipt": "confirmReceipt",
        "withdraw": "withdraw",
        "reject": "reject",
        "uploadInvoice": "uploadInvoice",
        "delivered": "delivered",
    },
    aliases={},
    prefix_match=True,
)

ONLINE_INQUIRY = Lifecycle(
    "online inquiry",
    cs.ONLINE_MACHINE,
    actions={"reply": "reply", "customerDelete": "customerDelete"},
    aliases={},
)

CALL_CENTER_INQUIRY = Lifecycle(
    "call-center inquiry",
    cs.CALL_CENTER_MACHINE,
    actions={
        "reply": "reply",
        "counsellorComplete": "counsellorComplete",
        "counsellorClose": "counsellorClose",
        "confirm": "confirm",
    },
    aliases={},
)

# Where each lifecycle starts once its thing exists (returns: a buyer's return request, or a cancel
# of an acknowledged order waiting for the seller's stop-shipment answer; call-center inquiries start
# at REQUEST_ANSWER or, transferred for confirmation, at TRANSFER).
STARTS: dict[str, tuple[str, ...]] = {
    ORDER.name: (orders.ACCEPT,),
    PRODUCT.name: ("SAVED",),
    RETURN.name: (receipts.RETURNS_UNCHECKED, receipts.RELEASE_STOP_UNCHECKED),
    EXCHANGE.name: (exchanges.EXCHANGE_MACHINE.initial or "",),
    ONLINE_INQUIRY.name: (cs.NOANSWER,),
    CALL_CENTER_INQUIRY.name: (cs.REQUEST_ANSWER, cs.TRANSFER),
}


def unreachable_message(lifecycle: Lifecycle, declared: str, starts: tuple[str, ...] = ()) -> str | None:
    """None when some start reaches the declared status; otherwise the refusal naming what can be reached."""
    target = lifecycle.target(declared)
    starts = starts or STARTS[lifecycle.name]
    if target is None:
        return f"unknown {lifecycle.name} status {declared!r} (one of {', '.join(lifecycle.states())})"
    if any(lifecycle.plan(start, target) is not None for start in starts):
        return None
    reachable = sorted({s for start in starts for s in lifecycle.reachable(start)})
    article = "an" if lifecycle.name[0] in "aeiou" else "a"
    begun = f" that starts at {starts[0]}" if len(starts) == 1 and len(STARTS[lifecycle.name]) > 1 else ""
    return f"a scenario cannot bring {article} {lifecycle.name}{begun} to {declared}; reachable: {', '.join(reachable)}"


def first_start(lifecycle: Lifecycle, declared: str) -> str:
    """The start state from which the declared status is reachable (call-center inquiries have two)."""
    target = lifecycle.target(declared)
    assert target is not None
    return next(s for s in STARTS[lifecycle.name] if lifecycle.plan(s, target) is not None)
