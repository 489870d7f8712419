"""The order domain's ticker: courier progression, purchase auto-confirmation and delayed refunds.

It runs at the start of every API transaction of a vendor, so it must cost what is due, not what is
stored: each kind of step is one range query on an index ("timedStep" of the boxes, "refundDue" of the
receipts) bounded by `now`, and nothing is read when nothing is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..store import Probe, Tx
from . import receipts, timefmt
from .order_cancel import complete_refund
from .orders import BOXES, apply_event, policy, timed_step
from .paging import up_to

# step → (policy field of its delay, unit in seconds, whether only the automatic courier takes it)
STEP_DELAYS: dict[str, tuple[str, int, bool]] = {
    "pickedUp": ("pickupAfterSeconds", 1, True),
    "delivered": ("deliverAfterSeconds", 1, True),
    "purchaseConfirm": ("autoConfirmDays", 86400, False),
}


def step_delay(step: str, pol: dict[str, Any]) -> timedelta | None:
    """How long after its base time a step happens under the policy; None while the policy stops it."""
    field, unit, courier_only = STEP_DELAYS[step]
    if courier_only and not pol["courierAuto"]:
        return None
    return timedelta(seconds=pol[field] * unit)


def next_step(box: dict[str, Any], pol: dict[str, Any]) -> tuple[str, datetime] | None:
    """The timed step due for this box (courier progression or auto-confirmation) and when, if any."""
    step = timed_step(box)
    delay = step_delay(step[0], pol) if step else None
    if step is None or delay is None:
        return None
    return step[0], timefmt.parse_iso(step[1]) + delay


def due(tx: Tx, now: datetime) -> list[Probe]:
    """The ranges `tick` reads: refunds due, then each step whose delay has passed."""
    pol = policy(tx)
    steps = ((step, step_delay(step, pol)) for step in STEP_DELAYS)
    return [
        Probe(receipts.KIND, "refundDue", hi=up_to(now)),
        *(
            Probe(BOXES, "timedStep", prefix=(step,), hi=up_to(now - delay))
            for step, delay in steps
            if delay is not None
        ),
    ]


def tick(tx: Tx, now: datetime) -> None:
    """Apply every timed step that is due. Each step happens at its own due time (history shows when the
    courier really scanned), and a box may take several steps in one catch-up."""
    refunds, *steps = due(tx, now)
    for receipt in tx.find(refunds.kind, refunds.index, hi=refunds.hi):
        complete_refund(tx, receipt, timefmt.parse_iso(receipt["refundDueAt"]))
    pol = policy(tx)
    done: set[int] = set()
    for step in steps:
        for box in tx.find(step.kind, step.index, prefix=step.prefix, hi=step.hi):
            if box["shipmentBoxId"] not in done:
                done.add(box["shipmentBoxId"])
                _catch_up(tx, box, pol, now)


def _catch_up(tx: Tx, box: dict[str, Any], pol: dict[str, Any], now: datetime) -> None:
    step = next_step(box, pol)
    while step is not None and step[1] <= now:
        apply_event(box, step[0], step[1])
        step = next_step(box, pol)
    tx.put(BOXES, box["shipmentBoxId"], box)
