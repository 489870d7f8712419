"""Helpers of the orders tests: one `Shop` drives the buyer/courier control routes and the seller APIs."""

from __future__ import annotations

from typing import Any

from coupang_mock.client import CoupangClient
from tests.test_products_support import Answer, Seller

__all__ = ["CJ_INVOICE", "Answer", "Shop"]

CJ_INVOICE = "123456789012"


class Shop:
    """A vendor seen from both sides: the control plane (buyer, courier) and the seller's API.

    Signed calls, control-plane requests and the test clock are the catalog tests' `Seller`
    (reachable as `shop.seller`, e.g. `shop.seller.quick(...)` for a registered, approved product);
    Shop adds the order-side vocabulary on top.
    """

    def __init__(self, base_url: str, client: CoupangClient) -> None:
        self.seller = Seller(base_url, client)
        self.base_url = base_url
        self.client = client
        self.vendor_id = self.seller.vendor_id
        self.v4 = self.seller.v4
        self.v5 = self.seller.v5
        self._invoice_seq = 0

    # control plane ------------------------------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None) -> Answer:
        return self.seller.control(method, path, body)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """A control-plane request that must succeed (2xx); its JSON body."""
        answer = self.control(method, path, body)
        assert answer.status < 300, answer
        return answer.body

    def items(self, *specs: dict[str, Any]) -> list[int]:
        entries = [
            {"itemName": f"옵션 {i}", "salePrice": 10000, "quantity": 10, **spec} for i, spec in enumerate(specs)
        ]
        return self.ok("POST", f"/vendors/{self.vendor_id}/catalog/items", {"items": entries})["vendorItemIds"]

    def order(self, *lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
        body = {"items": [{"vendorItemId": vid, "quantity": qty} for vid, qty in lines], **extra}
        return self.ok("POST", f"/vendors/{self.vendor_id}/orders", body)

    def buyer_cancel(self, order_id: int, *lines: tuple[int, int], **extra: Any) -> Answer:
        body: dict[str, Any] = dict(extra)
        if lines:
            body["items"] = [{"vendorItemId": vid, "quantity": qty} for vid, qty in lines]
        return self.control("POST", f"/vendors/{self.vendor_id}/orders/{order_id}/cancel", body)

    def track(self, box_id: int, event: str) -> Answer:
        return self.control("POST", f"/vendors/{self.vendor_id}/shipments/{box_id}/track", {"event": event})

    def policy(self, **changes: Any) -> Any:
        return self.ok("PUT", f"/vendors/{self.vendor_id}/order-policy", changes)

    def advance(self, seconds: float) -> None:
        self.seller.advance(seconds)

    # seller API ---------------------------------------------------------------------------------
    def call(self, method: str, path: str, query: Any = None, body: Any = None) -> Answer:
        return self.seller.call(method, path, body, **(query or {}))

    def box(self, box_id: int, legacy: bool = False) -> Answer:
        return self.call("GET", f"{self.v4 if legacy else self.v5}/ordersheets/{box_id}")

    def status(self, box_id: int) -> str | None:
        answer = self.box(box_id)
        return answer.data["status"] if answer.status == 200 else None

    def by_order(self, order_id: int, legacy: bool = False) -> Answer:
        return self.call("GET", f"{self.v4 if legacy else self.v5}/{order_id}/ordersheets")

    def history(self, box_id: int) -> Answer:
        return self.call("GET", f"{self.v5}/ordersheets/{box_id}/history")

    def listing(self, status: str, created_from: str, created_to: str, legacy: bool = False, **extra: Any) -> Answer:
        query = {"createdAtFrom": created_from, "createdAtTo": created_to, "status": status, **extra}
        return self.call("GET", f"{self.v4 if legacy else self.v5}/ordersheets", query)

    def ack(self, *box_ids: int) -> Answer:
        body = {"vendorId": self.vendor_id, "shipmentBoxIds": list(box_ids)}
        return self.call("PUT", f"{self.v4}/ordersheets/acknowledgement", body=body)

    def next_invoice(self) -> str:
        self._invoice_seq += 1
        return f"5{self._invoice_seq:011d}"

    def invoice_line(self, box: dict[str, Any], vid: int, **overrides: Any) -> dict[str, Any]:
        return {
            "shipmentBoxId": box["shipmentBoxId"],
            "orderId": box["orderId"],
            "vendorItemId": vid,
            "deliveryCompanyCode": "CJGLS",
            "invoiceNumber": CJ_INVOICE,
            "splitShipping": False,
            "preSplitShipped": False,
            "estimatedShippingDate": "",
            **overrides,
        }

    def upload(self, *lines: dict[str, Any], update: bool = False) -> Answer:
        path = f"{self.v4}/orders/{'updateInvoices' if update else 'invoices'}"
        return self.call("POST", path, body={"vendorId": self.vendor_id, "orderSheetInvoiceApplyDtos": list(lines)})

    def ship(self, box_id: int, code: str = "CJGLS", number: str | None = None, update: bool = False) -> Answer:
        """Invoice every live line of the box under one invoice number."""
        sheet = self.box(box_id).data
        number = number or self.next_invoice()
        lines = [
            self.invoice_line(sheet, line["vendorItemId"], deliveryCompanyCode=code, invoiceNumber=number)
            for line in sheet["orderItems"]
            if not line["canceled"]
        ]
        return self.upload(*lines, update=update)

    def seller_cancel(self, order_id: int, *lines: tuple[int, int], **overrides: Any) -> Answer:
        body = {
            "orderId": order_id,
            "vendorItemIds": [vid for vid, _ in lines],
            "receiptCounts": [qty for _, qty in lines],
            "bigCancelCode": "CANERR",
            "middleCancelCode": "CCTTER",
            "vendorId": self.vendor_id,
            "userId": "wing_login_id_test",
            **overrides,
        }
        return self.call("POST", f"{self.v5}/orders/{order_id}/cancel", body=body)

    def stop_shipment(self, receipt_id: int, count: int) -> Answer:
        body = {"vendorId": self.vendor_id, "receiptId": receipt_id, "cancelCount": count}
        return self.call("PUT", f"{self.v4}/returnRequests/{receipt_id}/stoppedShipment", body=body)

    def already_shipped(self, receipt_id: int, code: str = "CJGLS", number: str | None = None) -> Answer:
        body = {
            "vendorId": self.vendor_id,
            "receiptId": receipt_id,
            "deliveryCompanyCode": code,
            "invoiceNumber": number or self.next_invoice(),
        }
        return self.call("PUT", f"{self.v4}/returnRequests/{receipt_id}/completedShipment", body=body)

    def long_term(self, box_id: int, invoice: str) -> Answer:
        body = {"shipmentBoxId": box_id, "invoiceNumber": invoice}
        return self.call("POST", f"{self.v4}/completeLongTermUndelivery", body=body)

    # recipes -------------------------------------------------------------------------------------
    def one_box(self, quantity: int = 1, **item: Any) -> tuple[int, int, int]:
        """A fresh item and an order of it: (vendorItemId, orderId, shipmentBoxId)."""
        (vid,) = self.items(item)
        placed = self.order((vid, quantity))
        return vid, placed["orderId"], placed["shipmentBoxIds"][0]

    def stock(self, services: Any, vid: int) -> int:
        with services.store.transaction(self.vendor_id) as tx:
            return tx.get("vendor-items", vid)["quantity"]
