"""Stateful contract models: hypothesis drives buyer, courier, reviewer and seller actions through the
public API (and, on a mock, the /_mock control plane) and compares every answer with a small
pure-Python reference model written from the catalogue (shared/reference state_machine sections) —
not from the mock's code, so the two can disagree.

Each model needs a target with /_mock (production is read-only: the models change state). A model
whose operations the target does not serve (501, /_mock/coverage) is skipped with the reason.
`run_models(target)` runs them all; a failure carries hypothesis' step sequence and a curl line of
the last request sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coupang_mock.client import CoupangError

from .target import Target

V4 = "/v2/providers/openapi/apis/api/v4/vendors/{v}"
V5 = "/v2/providers/openapi/apis/api/v5/vendors/{v}"
V6 = "/v2/providers/openapi/apis/api/v6/vendors/{v}"
MARKET = "/v2/providers/seller_api/apis/api/v1/marketplace"
COURIER = "CJGLS"

Edge = tuple[str, str, str]


@dataclass
class LastRequest:
    """What the model sent last: the reproduction a failure report carries."""

    method: str = ""
    path: str = ""
    query: str = ""
    body: Any = None


class ContractModel(RuleBasedStateMachine):
    """Base of every model: a fresh vendor state per test case, a signed client, an edge counter."""

    target: ClassVar[Target]
    needs: ClassVar[frozenset[str]] = frozenset()  # operationIds the model calls
    last: ClassVar[LastRequest]

    def __init__(self) -> None:
        super().__init__()
        self.edges: Counter[Edge] = Counter()
        self.v = self.target.vendor_id
        self.api = self.target.client(on_request=self._remember)
        self.target.control("POST", "/reset", vendorId=self.v)

    def _remember(self, method: str, path: str, query: str, body: Any) -> None:
        type(self).last = LastRequest(method, path, query, body)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        type(self).last = LastRequest(method, "/_mock" + path, "", body)
        return self.target.control(method, path, json=body)

    def control_accepted(self, path: str, body: Any = None) -> tuple[bool, Any]:
        """A control action: (accepted, answer). A 4xx is the simulated party being refused."""
        try:
            return True, self.control("POST", path, body)
        except requests.HTTPError as err:
            if err.response is not None and 400 <= err.response.status_code < 500:
                return False, err.response.text
            raise

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> tuple[bool, Any]:
        """An API call: (succeeded, data or the CoupangError); its format is judged by the per-operation run."""
        try:
            return True, self.api.request(method, path, query or None, body).data
        except CoupangError as err:
            return False, err

    def call_result(self, method: str, path: str, body: Any = None) -> tuple[bool, Any]:
        """Like call, for the families that refuse with HTTP 200 and data.resultCode "FAIL"."""
        ok, answer = self.call(method, path, body)
        return ok and not (isinstance(answer, dict) and answer.get("resultCode") == "FAIL"), answer

    def count(self, source: str, event: str, target: str) -> None:
        self.edges[(source, event, target)] += 1


# ---------------------------------------------------------------- orders (orders.yaml → state_machine)

ORDER_EDGES = {
    ("ACCEPT", "acknowledge"): "INSTRUCT",
    ("INSTRUCT", "invoice"): "DEPARTURE",
    ("DEPARTURE", "picked_up"): "DELIVERING",
    ("DELIVERING", "delivered"): "FINAL_DELIVERY",
    ("DEPARTURE", "delivered"): "FINAL_DELIVERY",
}
SCANS = {"PICKED_UP": "picked_up", "DELIVERED": "delivered"}


@dataclass
class BoxModel:
    shipment_box_id: int
    order_id: int
    vendor_item_id: int
    quantity: int
    status: str = "ACCEPT"
    cancelled: bool = False


def _status_of(payload: Any) -> str | None:
    data = payload[0] if isinstance(payload, list) and payload else payload
    return data.get("status") if isinstance(data, dict) else None


def _catalog(model: ContractModel, count: int, quantity: int, price: int = 10000) -> list[int]:
    items = [{"itemName": f"옵션 {i}", "salePrice": price + 1000 * i, "quantity": quantity} for i in range(count)]
    return list(model.control("POST", f"/vendors/{model.v}/catalog/items", {"items": items})["vendorItemIds"])


def _invoice_line(box: BoxModel, invoice: int) -> dict[str, Any]:
    return {
        "shipmentBoxId": box.shipment_box_id,
        "orderId": box.order_id,
        "vendorItemId": box.vendor_item_id,
        "deliveryCompanyCode": COURIER,
        "invoiceNumber": str(invoice),
        "splitShipping": False,
        "preSplitShipped": False,
        "estimatedShippingDate": "",
    }


class OrderLifecycle(ContractModel):
    """Buyer orders and cancels, seller acknowledges and invoices, courier picks up and delivers."""

    needs = frozenset({"acknowledgeOrdersheets", "uploadInvoices", "getOrdersheetByShipmentBoxId"})
    boxes = Bundle("boxes")

    def __init__(self) -> None:
        super().__init__()
        self.items = _catalog(self, 2, 5)
        self.stock = dict.fromkeys(self.items, 5)
        self.model: dict[int, BoxModel] = {}

    def _apply(self, box: BoxModel, event: str) -> None:
        target = ORDER_EDGES[(box.status, event)]
        self.count(box.status, event, target)
        box.status = target

    @rule(target=boxes, index=st.integers(0, 1), quantity=st.integers(1, 3))
    def buyer_orders(self, index: int, quantity: int) -> int:
        item = self.items[index]
        legal = self.stock[item] >= quantity
        accepted, placed = self.control_accepted(
            f"/vendors/{self.v}/orders", {"items": [{"vendorItemId": item, "quantity": quantity}]}
        )
        assert accepted is legal, (item, quantity, self.stock[item], placed)
        if not accepted:
            return 0
        self.stock[item] -= quantity
        box_id = placed["shipmentBoxIds"][0]
        self.model[box_id] = BoxModel(box_id, placed["orderId"], item, quantity)
        return box_id

    @rule(box_id=boxes)
    def seller_acknowledges(self, box_id: int) -> None:
        box = self.model.get(box_id)
        if box is None:
            return
        body = {"vendorId": self.v, "shipmentBoxIds": [box.shipment_box_id]}
        ok, result = self.call("PUT", f"{V4.format(v=self.v)}/ordersheets/acknowledgement", body)
        assert ok, result
        legal = box.status == "ACCEPT" and not box.cancelled
        assert result["responseList"][0]["succeed"] is legal, (box, result)
        if legal:
            self._apply(box, "acknowledge")
        else:
            assert result["responseCode"] == 99, result

    @rule(box_id=boxes, invoice=st.integers(10**11, 10**12 - 1))
    def seller_uploads_invoice(self, box_id: int, invoice: int) -> None:
        box = self.model.get(box_id)
        if box is None:
            return
        body = {"vendorId": self.v, "orderSheetInvoiceApplyDtos": [_invoice_line(box, invoice)]}
        ok, result = self.call("POST", f"{V4.format(v=self.v)}/orders/invoices", body)
        assert ok, result
        legal = box.status == "INSTRUCT" and not box.cancelled
        assert result["responseList"][0]["succeed"] is legal, (box, result)
        if legal:
            self._apply(box, "invoice")

    @rule(box_id=boxes, event=st.sampled_from(sorted(SCANS)))
    def courier_scans(self, box_id: int, event: str) -> None:
        box = self.model.get(box_id)
        if box is None:
            return
        legal = (box.status, SCANS[event]) in ORDER_EDGES and not box.cancelled
        accepted, answer = self.control_accepted(
            f"/vendors/{self.v}/shipments/{box.shipment_box_id}/track", {"event": event}
        )
        assert accepted is legal, (box, event, answer)
        if legal:
            self._apply(box, SCANS[event])

    @rule(box_id=boxes, event=st.sampled_from(sorted(SCANS)))
    def box_moves_on(self, box_id: int, event: str) -> None:
        """The next legal step of a live box (the rules above mostly try illegal ones)."""
        box = self.model.get(box_id)
        if box is None or box.cancelled:
            return
        if box.status == "ACCEPT":
            self.seller_acknowledges(box_id)
        elif box.status == "INSTRUCT":
            self.seller_uploads_invoice(box_id, 10**11 + box_id % 10**11)
        elif box.status == "DEPARTURE":
            self.courier_scans(box_id, event)
        elif box.status == "DELIVERING":
            self.courier_scans(box_id, "DELIVERED")

    @precondition(lambda self: any(b.status == "ACCEPT" and not b.cancelled for b in self.model.values()))
    @rule(data=st.data())
    def buyer_cancels_before_acknowledgement(self, data: st.DataObject) -> None:
        candidates = [b for b in self.model.values() if b.status == "ACCEPT" and not b.cancelled]
        box = data.draw(st.sampled_from(candidates))
        self.control(
            "POST",
            f"/vendors/{self.v}/orders/{box.order_id}/cancel",
            {"items": [{"vendorItemId": box.vendor_item_id, "quantity": box.quantity}], "reason": "CHANGEMIND"},
        )
        box.cancelled = True
        self.stock[box.vendor_item_id] += box.quantity
        self.count("ACCEPT", "buyer_cancel", "CANCELLED")

    @invariant()
    def statuses_agree_with_get_by_id(self) -> None:
        for box in self.model.values():
            ok, payload = self.call("GET", f"{V5.format(v=self.v)}/ordersheets/{box.shipment_box_id}")
            if not ok:
                # a cancelled box is refused by the single get: "해당 주문이 취소 또는 반품되었습니다."
                assert box.cancelled, (box, payload)
                continue
            assert not box.cancelled, (box, payload)
            # only the status: a full order sheet would push the model's state out of the report
            assert _status_of(payload) == box.status, (box, {"status": _status_of(payload)})


# ---------------------------------------------------------------- products (products.yaml → notes "Lifecycle")

PRODUCT_STATUS = {
    "임시저장": "SAVED",
    "승인대기중": "APPROVING",
    "심사중": "IN_REVIEW",
    "승인완료": "APPROVED",
    "부분승인완료": "PARTIAL_APPROVED",
    "승인반려": "DENIED",
    "상품삭제": "DELETED",
    "임시저장중": "SAVING",
}
DECIDED = {"APPROVE": "APPROVED", "DENY": "DENIED", "PARTIAL_APPROVE": "PARTIAL_APPROVED"}
REQUESTABLE = frozenset({"SAVED", "APPROVED", "DENIED", "PARTIAL_APPROVED"})
# approval-required update: 승인완료/승인반려/임시저장; 부분승인완료 is the spec's x-inferred addition
UPDATABLE = frozenset({"SAVED", "APPROVED", "DENIED", "PARTIAL_APPROVED"})
DELETABLE = frozenset({"SAVED", "APPROVED", "DENIED", "PARTIAL_APPROVED"})


@dataclass
class ProductModel:
    seller_product_id: int
    status: str = "SAVED"
    body: dict[str, Any] = field(default_factory=dict)


class ProductApproval(ContractModel):
    """Seller registers, requests approval, updates and deletes; Coupang's reviewer decides."""

    needs = frozenset(
        {
            "getSellerProduct",
            "updateSellerProduct",
            "requestSellerProductApproval",
            "deleteSellerProduct",
            "listSellerProducts",
            "stopVendorItemSales",
        }
    )
    products = Bundle("products")

    def __init__(self) -> None:
        super().__init__()
        # every decision comes from this model; saving finishes at once (no 10-minute lock)
        self.control("PUT", f"/vendors/{self.v}/review-policy", {"decision": "MANUAL", "savingSeconds": 0})
        self.model: dict[int, ProductModel] = {}

    def _move(self, product: ProductModel, event: str, target: str) -> None:
        self.count(product.status, event, target)
        product.status = target

    @initialize(target=products)
    def an_approved_product(self) -> int:
        """Every case starts with the happy path (register → request → review → approve), so the
        approval edges are exercised whatever the random steps do next."""
        product_id = self.seller_registers()
        self.seller_requests_approval(product_id)
        self.reviewer_decides(product_id, "START_REVIEW")
        self.reviewer_decides(product_id, "APPROVE")
        return product_id

    @precondition(lambda self: len(self.model) < 3)
    @rule(target=products)
    def seller_registers(self) -> int:
        items = [{"itemName": f"옵션 {i}", "salePrice": 15000, "quantity": 10} for i in range(2)]
        created = self.control("POST", f"/vendors/{self.v}/catalog/quick-product", {"items": items, "approve": False})
        product_id = created["sellerProductId"]
        ok, body = self.call("GET", f"{MARKET}/seller-products/{product_id}")
        assert ok, body
        self.model[product_id] = ProductModel(product_id, "SAVED", {**body, "requested": False})
        return product_id

    @rule(product_id=products)
    def seller_requests_approval(self, product_id: int) -> None:
        product = self.model[product_id]
        ok, answer = self.call("PUT", f"{MARKET}/seller-products/{product_id}/approvals")
        legal = product.status in REQUESTABLE
        assert ok is legal, (product.status, answer)
        if legal:
            self._move(product, "request_approval", "APPROVING")

    @rule(product_id=products, decision=st.sampled_from(["START_REVIEW", *sorted(DECIDED)]))
    def reviewer_decides(self, product_id: int, decision: str) -> None:
        product = self.model[product_id]
        waiting = ("APPROVING",) if decision == "START_REVIEW" else ("APPROVING", "IN_REVIEW")
        accepted, answer = self.control_accepted(
            f"/vendors/{self.v}/products/{product_id}/review", {"decision": decision}
        )
        assert accepted is (product.status in waiting), (product.status, decision, answer)
        if not accepted:
            return
        if decision == "START_REVIEW":
            self._move(product, "start_review", "IN_REVIEW")
            return
        if product.status == "APPROVING":  # the reviewer picks it up and decides in one go
            self._move(product, "start_review", "IN_REVIEW")
        self._move(product, decision.lower(), DECIDED[decision])

    @rule(product_id=products)
    def seller_updates(self, product_id: int) -> None:
        product = self.model[product_id]
        if product.status in UPDATABLE:
            ok, fresh = self.call("GET", f"{MARKET}/seller-products/{product_id}")
            assert ok, fresh
            product.body = {**fresh, "requested": False}
        ok, answer = self.call("PUT", f"{MARKET}/seller-products", product.body)
        legal = product.status in UPDATABLE
        assert ok is legal, (product.status, answer)
        if legal:
            self._move(product, "update", "SAVED")

    @rule(product_id=products, decision=st.sampled_from(sorted(DECIDED)))
    def product_moves_on(self, product_id: int, decision: str) -> None:
        """The next legal step towards a decision (the rules above mostly try illegal ones)."""
        status = self.model[product_id].status
        if status in ("SAVED", "DENIED", "PARTIAL_APPROVED"):
            self.seller_requests_approval(product_id)
        elif status == "APPROVING":
            self.reviewer_decides(product_id, "START_REVIEW")
        elif status == "IN_REVIEW":
            self.reviewer_decides(product_id, decision)
        elif status == "APPROVED":
            self.seller_updates(product_id)

    @rule(product_id=products)
    def seller_deletes(self, product_id: int) -> None:
        product = self.model[product_id]
        if product.status in DELETABLE:
            # deletion needs every option sales-stopped; a product approved once keeps its options on
            # sale through a later update (back to SAVED), so stop them whenever deletion is tried
            self._stop_sales(product_id)
        ok, answer = self.call("DELETE", f"{MARKET}/seller-products/{product_id}")
        legal = product.status in DELETABLE
        assert ok is legal, (product.status, answer)
        if legal:
            self._move(product, "delete", "DELETED")

    def _stop_sales(self, product_id: int) -> None:
        ok, body = self.call("GET", f"{MARKET}/seller-products/{product_id}")
        assert ok, body
        for item in body.get("items") or []:
            if item.get("vendorItemId"):
                stopped, answer = self.call("PUT", f"{MARKET}/vendor-items/{item['vendorItemId']}/sales/stop")
                assert stopped, answer

    @invariant()
    def statuses_agree_with_the_list(self) -> None:
        for product in self.model.values():
            query: dict[str, Any] = {"vendorId": self.v, "sellerProductId": product.seller_product_id}
            if product.status == "DELETED":
                query["status"] = "DELETED"
            ok, rows = self.call("GET", f"{MARKET}/seller-products", **query)
            assert ok, rows
            assert len(rows) == 1, (product, rows)
            assert PRODUCT_STATUS.get(rows[0]["statusName"]) == product.status, (product, rows[0]["statusName"])


# ---------------------------------------------------------------- returns (returns.yaml → state_machine)

RETURN_EDGES = {
    ("RETURNS_UNCHECKED", "withdraw"): "WITHDRAWN",
    ("RETURNS_UNCHECKED", "confirm_receipt"): "VENDOR_WAREHOUSE_CONFIRM",
    ("VENDOR_WAREHOUSE_CONFIRM", "approve"): "RETURNS_COMPLETED",
}


@dataclass
class ReturnModel:
    receipt_id: int
    quantity: int
    status: str = "RETURNS_UNCHECKED"
    picked_up: bool = False


class AfterDelivery(ContractModel):
    """Base of the after-sales models: each case starts from orders delivered through the API."""

    def __init__(self) -> None:
        super().__init__()
        # priced over the ₩100,000 quick-refund limit: the seller, not the pickup scan, completes returns
        self.items = _catalog(self, 1, 50, price=150000)

    def _deliver(self) -> BoxModel:
        """An order driven to FINAL_DELIVERY through the API (a return needs shipped goods)."""
        placed = self.control(
            "POST", f"/vendors/{self.v}/orders", {"items": [{"vendorItemId": self.items[0], "quantity": 1}]}
        )
        box = BoxModel(placed["shipmentBoxIds"][0], placed["orderId"], self.items[0], 1)
        ok, answer = self.call(
            "PUT",
            f"{V4.format(v=self.v)}/ordersheets/acknowledgement",
            {"vendorId": self.v, "shipmentBoxIds": [box.shipment_box_id]},
        )
        assert ok, answer
        invoice = {
            "vendorId": self.v,
            "orderSheetInvoiceApplyDtos": [_invoice_line(box, 100000000000 + box.order_id % 10**11)],
        }
        ok, answer = self.call("POST", f"{V4.format(v=self.v)}/orders/invoices", invoice)
        assert ok, answer
        self.control("POST", f"/vendors/{self.v}/shipments/{box.shipment_box_id}/track", {"event": "DELIVERED"})
        return box


class ReturnsLifecycle(AfterDelivery):
    """The buyer returns and withdraws, the courier collects, the seller confirms the receipt and
    approves. Quick-refund items are avoided: their pickup completes the return on its own."""

    needs = frozenset({"getReturnRequest", "confirmReturnReceipt", "approveReturnRequest"})
    receipts = Bundle("receipts")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[int, ReturnModel] = {}

    def _move(self, receipt: ReturnModel, event: str) -> None:
        target = RETURN_EDGES[(receipt.status, event)]
        self.count(receipt.status, event, target)
        receipt.status = target

    @precondition(lambda self: len(self.model) < 4)
    @rule(target=receipts)
    def buyer_returns(self) -> int:
        box = self._deliver()
        made = self.control(
            "POST",
            f"/vendors/{self.v}/orders/{box.order_id}/returns",
            {"items": [{"vendorItemId": box.vendor_item_id, "quantity": 1}], "reasonCode": "CHANGEMIND"},
        )
        assert made["receiptStatus"] == "RETURNS_UNCHECKED", made
        assert not made.get("quickRefund"), made
        self.count("(none)", "return_request", "RETURNS_UNCHECKED")
        self.model[made["receiptId"]] = ReturnModel(made["receiptId"], 1)
        return int(made["receiptId"])

    @rule(receipt_id=receipts)
    def buyer_withdraws(self, receipt_id: int) -> None:
        receipt = self.model[receipt_id]
        legal = receipt.status == "RETURNS_UNCHECKED" and not receipt.picked_up
        accepted, answer = self.control_accepted(f"/vendors/{self.v}/returns/{receipt_id}/withdraw")
        assert accepted is legal, (receipt, answer)
        if legal:
            self._move(receipt, "withdraw")

    @rule(receipt_id=receipts)
    def courier_collects(self, receipt_id: int) -> None:
        receipt = self.model[receipt_id]
        if receipt.picked_up:
            return  # a second scan of the same parcel is not a documented event
        legal = receipt.status == "RETURNS_UNCHECKED"
        accepted, answer = self.control_accepted(f"/vendors/{self.v}/returns/{receipt_id}/pickup", {"tracked": True})
        assert accepted is legal, (receipt, answer)
        if legal:
            receipt.picked_up = True
            self.count("RETURNS_UNCHECKED", "pickup", "RETURNS_UNCHECKED")

    @rule(receipt_id=receipts)
    def seller_confirms_receipt(self, receipt_id: int) -> None:
        receipt = self.model[receipt_id]
        body = {"vendorId": self.v, "receiptId": receipt_id}
        ok, answer = self.call("PUT", f"{V5.format(v=self.v)}/returnRequests/{receipt_id}/receiveConfirmation", body)
        legal = receipt.status == "RETURNS_UNCHECKED"
        assert ok is legal, (receipt, answer)
        if legal:
            self._move(receipt, "confirm_receipt")

    @rule(receipt_id=receipts)
    def seller_approves(self, receipt_id: int) -> None:
        receipt = self.model[receipt_id]
        body = {"vendorId": self.v, "receiptId": receipt_id, "cancelCount": receipt.quantity}
        ok, answer = self.call("PUT", f"{V5.format(v=self.v)}/returnRequests/{receipt_id}/approval", body)
        legal = receipt.status == "VENDOR_WAREHOUSE_CONFIRM"
        assert ok is legal, (receipt, answer)
        if legal:
            self._move(receipt, "approve")
        elif receipt.status == "RETURNS_COMPLETED":
            assert answer.message == "이미 반품이 완료 되었습니다.", answer
        elif receipt.status == "WITHDRAWN":
            assert answer.message == "취소반품접수내역이 존재하지 않습니다.", answer

    @rule(receipt_id=receipts, pickup_first=st.booleans())
    def return_moves_on(self, receipt_id: int, pickup_first: bool) -> None:
        """The next legal step of an open return (the rules above mostly try illegal ones)."""
        receipt = self.model[receipt_id]
        if receipt.status == "RETURNS_UNCHECKED" and pickup_first and not receipt.picked_up:
            self.courier_collects(receipt_id)
        elif receipt.status == "RETURNS_UNCHECKED":
            self.seller_confirms_receipt(receipt_id)
        elif receipt.status == "VENDOR_WAREHOUSE_CONFIRM":
            self.seller_approves(receipt_id)

    @invariant()
    def statuses_agree_with_get_by_id(self) -> None:
        for receipt in self.model.values():
            ok, payload = self.call("GET", f"{V6.format(v=self.v)}/returnRequests/{receipt.receipt_id}")
            if receipt.status == "WITHDRAWN":
                assert not ok, (receipt, payload)  # withdrawn receipts leave every read
                continue
            assert ok, (receipt, payload)
            data = payload[0] if isinstance(payload, list) else payload
            assert data["receiptStatus"] == receipt.status, (receipt, data["receiptStatus"])


# ---------------------------------------------------------------- exchanges (exchanges.yaml → state_machine)

# collectStatus steps of an exchange in RECEIPT: the parcel travels back to the seller
EXCHANGE_SCANS = {
    ("BeforeDirection", "PICKED_UP"): "Delivering",
    ("CompleteDirection", "PICKED_UP"): "Delivering",
    ("Delivering", "DELIVERED"): "CompleteCollect",
}


@dataclass
class ExchangeModel:
    exchange_id: int
    status: str = "RECEIPT"
    collect: str = "BeforeDirection"


class ExchangesLifecycle(AfterDelivery):
    """Delivered orders; the buyer asks for an exchange or withdraws it, the courier collects, the
    seller confirms the receipt or rejects (SOLDOUT)."""

    needs = frozenset({"listExchangeRequests", "confirmExchangeReceipt", "rejectExchangeRequest"})
    exchanges = Bundle("exchanges")

    def __init__(self) -> None:
        super().__init__()
        self.exchange_model: dict[int, ExchangeModel] = {}

    def _exchange_move(self, exchange: ExchangeModel, event: str, status: str, collect: str) -> None:
        self.count(f"{exchange.status}/{exchange.collect}", event, f"{status}/{collect}")
        exchange.status, exchange.collect = status, collect

    @precondition(lambda self: len(self.exchange_model) < 4)
    @rule(target=exchanges)
    def buyer_asks_for_exchange(self) -> int:
        box = self._deliver()
        made = self.control(
            "POST",
            f"/vendors/{self.v}/orders/{box.order_id}/exchanges",
            {"items": [{"vendorItemId": box.vendor_item_id, "quantity": 1}], "reasonCode": "DEFECT"},
        )
        assert (made["exchangeStatus"], made["collectStatus"]) == ("RECEIPT", "BeforeDirection"), made
        self.exchange_model[made["exchangeId"]] = ExchangeModel(made["exchangeId"])
        return int(made["exchangeId"])

    @rule(exchange_id=exchanges)
    def buyer_withdraws_exchange(self, exchange_id: int) -> None:
        exchange = self.exchange_model[exchange_id]
        legal = exchange.status == "RECEIPT" and exchange.collect in ("BeforeDirection", "CompleteDirection")
        accepted, answer = self.control_accepted(f"/vendors/{self.v}/exchanges/{exchange_id}/withdraw")
        assert accepted is legal, (exchange, answer)
        if legal:
            self._exchange_move(exchange, "withdraw", "CANCEL", "Withdraw")
            self._agrees(exchange, answer)

    @rule(exchange_id=exchanges, event=st.sampled_from(["PICKED_UP", "DELIVERED"]))
    def courier_scans_exchange(self, exchange_id: int, event: str) -> None:
        exchange = self.exchange_model[exchange_id]
        step = EXCHANGE_SCANS.get((exchange.collect, event)) if exchange.status == "RECEIPT" else None
        accepted, answer = self.control_accepted(f"/vendors/{self.v}/exchanges/{exchange_id}/pickup", {"event": event})
        assert accepted is (step is not None), (exchange, event, answer)
        if step is not None:
            self._exchange_move(exchange, event.lower(), "RECEIPT", step)
            self._agrees(exchange, answer)

    def _agrees(self, exchange: ExchangeModel, summary: Any) -> None:
        seen = (summary.get("exchangeStatus"), summary.get("collectStatus"))
        assert seen == (exchange.status, exchange.collect), (exchange, summary)

    @rule(exchange_id=exchanges, confirm_early=st.booleans())
    def exchange_moves_on(self, exchange_id: int, confirm_early: bool) -> None:
        """The next legal step of an open exchange (the rules above mostly try illegal ones)."""
        exchange = self.exchange_model[exchange_id]
        if exchange.status == "PROGRESS":
            self.seller_rejects_exchange(exchange_id)
        elif exchange.status != "RECEIPT":
            return
        elif confirm_early or exchange.collect == "CompleteCollect":
            self.seller_confirms_exchange_receipt(exchange_id)
        else:
            self.courier_scans_exchange(exchange_id, "DELIVERED" if exchange.collect == "Delivering" else "PICKED_UP")

    @rule(exchange_id=exchanges)
    def seller_confirms_exchange_receipt(self, exchange_id: int) -> None:
        exchange = self.exchange_model[exchange_id]
        body = {"vendorId": self.v, "exchangeId": exchange_id}
        path = f"{V4.format(v=self.v)}/exchangeRequests/{exchange_id}/receiveConfirmation"
        ok, answer = self.call_result("PUT", path, body)
        legal = exchange.status == "RECEIPT"
        assert ok is legal, (exchange, answer)
        if legal:
            self._exchange_move(exchange, "confirm_receipt", "PROGRESS", "CompleteCollect")

    @rule(exchange_id=exchanges)
    def seller_rejects_exchange(self, exchange_id: int) -> None:
        exchange = self.exchange_model[exchange_id]
        body = {"vendorId": self.v, "exchangeId": exchange_id, "exchangeRejectCode": "SOLDOUT"}
        ok, answer = self.call_result("PUT", f"{V4.format(v=self.v)}/exchangeRequests/{exchange_id}/rejection", body)
        legal = exchange.status in ("RECEIPT", "PROGRESS")
        assert ok is legal, (exchange, answer)
        if legal:
            self._exchange_move(exchange, "reject", "REJECT", exchange.collect)


# ---------------------------------------------------------------- running the models

MODELS: tuple[type[ContractModel], ...] = (OrderLifecycle, ProductApproval, ReturnsLifecycle, ExchangesLifecycle)


@dataclass
class StatefulResult:
    model: str
    runs: int = 0
    edges: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    failure: str | None = None
    request: LastRequest | None = None


def _failure_text(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", [])
    text = f"{type(exc).__name__}: {exc}".strip()
    return "\n".join([text[:1500], *notes])


def skip_reason(model: type[ContractModel], target: Target, unserved: set[str] | None = None) -> str | None:
    if not target.has_control_plane:
        return "needs a mock with /_mock (stateful models change state; production runs read-only)"
    if not target.writes_permitted():
        return "write operations not permitted against this target (use --allow-writes)"
    missing = sorted(model.needs & (target.unserved_operations() if unserved is None else unserved))
    if missing:
        return f"operations not served by this mock (501): {', '.join(missing)}"
    return None


def run_model(
    model: type[ContractModel],
    target: Target,
    *,
    max_examples: int = 10,
    steps: int = 12,
    unserved: set[str] | None = None,
    shrink: bool = True,
    seed_value: int = 0,
) -> StatefulResult:
    """Reproducible: the same seed, spec and mock give the same sequence of steps; another seed explores
    other sequences. A failure is shrunk to the fewest steps (many more requests) unless shrink is False."""
    result = StatefulResult(model.__name__)
    result.skipped = skip_reason(model, target, unserved)
    if result.skipped:
        return result
    edges: Counter[Edge] = Counter()
    runs = [0]

    def teardown(self: ContractModel) -> None:
        edges.update(self.edges)
        runs[0] += 1

    bound: type[ContractModel] = seed(seed_value)(
        type(model.__name__, (model,), {"target": target, "teardown": teardown, "last": LastRequest()})
    )
    try:
        run_state_machine_as_test(
            bound,
            settings=settings(
                max_examples=max_examples,
                stateful_step_count=steps,
                phases=[Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if shrink else [])],
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
    except Exception as exc:  # the model disagreed with the target: report, do not crash the run
        result.failure = _failure_text(exc)
        result.request = bound.last
    result.runs = runs[0]
    result.edges = {f"{s} --{e}--> {t}": n for (s, e, t), n in sorted(edges.items())}
    return result


def run_models(
    target: Target,
    *,
    max_examples: int = 10,
    steps: int = 12,
    models: tuple[type[ContractModel], ...] = MODELS,
    seed_value: int = 0,
) -> list[StatefulResult]:
    unserved = target.unserved_operations()
    return [
        run_model(m, target, max_examples=max_examples, steps=steps, unserved=unserved, seed_value=seed_value)
        for m in models
    ]
