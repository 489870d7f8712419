"""Stateful contract models: hypothesis drives buyer, courier and seller actions through the public
API (and, on a mock, the /_mock control plane) and compares every answer with a small pure-Python
reference model written from the catalogue — not from the mock's code, so the two can disagree.

Run against a mock (needs /_mock): `run_order_lifecycle(target)`; the returned report lists the
transitions the run exercised.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from client import CoupangError

from .target import Target

V4 = "/v2/providers/openapi/apis/api/v4/vendors/{v}"
V5 = "/v2/providers/openapi/apis/api/v5/vendors/{v}"

# The reference: orders.yaml → state_machine, transcribed independently of mock_server.
ORDER_EDGES = {
    ("ACCEPT", "acknowledge"): "INSTRUCT",
    ("INSTRUCT", "invoice"): "DEPARTURE",
    ("DEPARTURE", "picked_up"): "DELIVERING",
    ("DELIVERING", "delivered"): "FINAL_DELIVERY",
    ("DEPARTURE", "delivered"): "FINAL_DELIVERY",
}
COURIER = "CJGLS"


@dataclass
class BoxModel:
    shipment_box_id: int
    order_id: int
    vendor_item_id: int
    quantity: int
    status: str = "ACCEPT"
    cancelled: bool = False


@dataclass
class ModelState:
    stock: dict[int, int] = field(default_factory=dict)
    boxes: dict[int, BoxModel] = field(default_factory=dict)
    edges: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def _status_of(payload: Any) -> str | None:
    data = payload[0] if isinstance(payload, list) and payload else payload
    return data.get("status") if isinstance(data, dict) else None


class OrderLifecycle(RuleBasedStateMachine):
    """Buyer orders and cancels, seller acknowledges and invoices, courier picks up and delivers."""

    target: Target  # set by run_order_lifecycle

    boxes = Bundle("boxes")

    def __init__(self) -> None:
        super().__init__()
        self.model = ModelState()
        self.api = self.target.client()
        self.v = self.target.vendor_id
        self.target.control("POST", "/reset", vendorId=self.v)
        created = self.target.control(
            "POST",
            f"/vendors/{self.v}/catalog/items",
            json={"items": [{"itemName": f"옵션 {i}", "salePrice": 10000 + 1000 * i, "quantity": 5} for i in range(2)]},
        )
        self.items = list(created["vendorItemIds"])
        self.model.stock = dict.fromkeys(self.items, 5)

    def _apply(self, box: BoxModel, event: str) -> None:
        target = ORDER_EDGES[(box.status, event)]
        self.model.edges[(box.status, event, target)] += 1
        box.status = target

    @rule(target=boxes, index=st.integers(0, 1), quantity=st.integers(1, 3))
    def buyer_orders(self, index: int, quantity: int) -> Any:
        item = self.items[index]
        if self.model.stock[item] < quantity:
            return None
        placed = self.target.control("POST", f"/vendors/{self.v}/orders", json={"items": [{"vendorItemId": item, "quantity": quantity}]})
        self.model.stock[item] -= quantity
        box_id = placed["shipmentBoxIds"][0]
        self.model.boxes[box_id] = BoxModel(box_id, placed["orderId"], item, quantity)
        return box_id

    @rule(box_id=boxes)
    def seller_acknowledges(self, box_id: int | None) -> None:
        box = self.model.boxes.get(box_id or 0)
        if box is None:
            return
        body = {"vendorId": self.v, "shipmentBoxIds": [box.shipment_box_id]}
        result = self.api.request("PUT", f"{V4.format(v=self.v)}/ordersheets/acknowledgement", body=body).data
        line = result["responseList"][0]
        legal = box.status == "ACCEPT" and not box.cancelled
        assert line["succeed"] is legal, (box, result)
        if legal:
            self._apply(box, "acknowledge")
        else:
            assert result["responseCode"] == 99

    @rule(box_id=boxes, invoice=st.integers(10**11, 10**12 - 1))
    def seller_uploads_invoice(self, box_id: int | None, invoice: int) -> None:
        box = self.model.boxes.get(box_id or 0)
        if box is None:
            return
        line = {
            "shipmentBoxId": box.shipment_box_id,
            "orderId": box.order_id,
            "vendorItemId": box.vendor_item_id,
            "deliveryCompanyCode": COURIER,
            "invoiceNumber": str(invoice),
            "splitShipping": False,
            "preSplitShipped": False,
            "estimatedShippingDate": "",
        }
        result = self.api.request("POST", f"{V4.format(v=self.v)}/orders/invoices", body={"vendorId": self.v, "orderSheetInvoiceApplyDtos": [line]}).data
        ok = result["responseList"][0]["succeed"]
        legal = box.status == "INSTRUCT" and not box.cancelled
        assert ok is legal, (box, result)
        if legal:
            self._apply(box, "invoice")

    @rule(box_id=boxes, event=st.sampled_from(["PICKED_UP", "DELIVERED"]))
    def courier_scans(self, box_id: int | None, event: str) -> None:
        box = self.model.boxes.get(box_id or 0)
        if box is None:
            return
        name = "picked_up" if event == "PICKED_UP" else "delivered"
        legal = (box.status, name) in ORDER_EDGES and not box.cancelled
        try:
            self.target.control("POST", f"/vendors/{self.v}/shipments/{box.shipment_box_id}/track", json={"event": event})
            accepted = True
        except Exception:
            accepted = False
        assert accepted is legal, (box, event)
        if legal:
            self._apply(box, name)

    @precondition(lambda self: any(b.status == "ACCEPT" and not b.cancelled for b in self.model.boxes.values()))
    @rule(data=st.data())
    def buyer_cancels_before_acknowledgement(self, data: st.DataObject) -> None:
        candidates = [b for b in self.model.boxes.values() if b.status == "ACCEPT" and not b.cancelled]
        box = data.draw(st.sampled_from(candidates))
        self.target.control(
            "POST",
            f"/vendors/{self.v}/orders/{box.order_id}/cancel",
            json={"items": [{"vendorItemId": box.vendor_item_id, "quantity": box.quantity}], "reasonCode": "CHANGEMIND"},
        )
        box.cancelled = True
        self.model.stock[box.vendor_item_id] += box.quantity
        self.model.edges[("ACCEPT", "buyer_cancel", "CANCELLED")] += 1

    @invariant()
    def statuses_agree_with_get_by_id(self) -> None:
        for box in self.model.boxes.values():
            try:
                payload = self.api.request("GET", f"{V5.format(v=self.v)}/ordersheets/{box.shipment_box_id}").data
            except CoupangError as err:
                # a cancelled box is refused by the single get: "해당 주문이 취소 또는 반품되었습니다."
                assert box.cancelled, (box, err.message)
                continue
            if not box.cancelled:
                assert _status_of(payload) == box.status, (box, payload)


@dataclass
class StatefulReport:
    runs: int
    edges: dict[str, int]


def run_order_lifecycle(target: Target, *, max_examples: int = 10, steps: int = 12) -> StatefulReport:
    """Runs are reproducible (derandomized): the same spec and mock give the same sequence of steps."""
    if not target.has_control_plane:
        raise ValueError("the order lifecycle model needs a mock with /_mock (production is read-only)")
    edges: Counter[tuple[str, str, str]] = Counter()

    class Bound(OrderLifecycle):
        pass

    Bound.target = target
    original_teardown = Bound.teardown

    def teardown(self: OrderLifecycle) -> None:
        edges.update(self.model.edges)
        original_teardown(self)

    Bound.teardown = teardown  # type: ignore[method-assign]
    run_state_machine_as_test(
        Bound,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    return StatefulReport(max_examples, {f"{s} --{e}--> {t}": n for (s, e, t), n in sorted(edges.items())})
