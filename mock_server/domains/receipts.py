"""Cancel / return receipts (store kind "receipts", key receiptId) — the minimal part the order flows need.

The returns domain extends this module into the full receipt model; the documents already carry the
returns.yaml ReturnRequest fields (camelCase, money as plain KRW integers, times as ISO-8601 UTC
strings) so its renderer can show them in v6 (i18n) and v4 (legacy) formats.

Receipts created by the order domain:
- buyer cancels lines of an ACCEPT box → receiptType CANCEL (cancelType CANCEL), RETURNS_COMPLETED,
  refunded automatically (at once, or after the vendor's refund delay: `refundedAt` is null until then);
- buyer cancels lines of an INSTRUCT box → receiptType RETURN, RELEASE_STOP_UNCHECKED, releaseStatus N
  (a stop-shipment request the seller answers with stop-shipment or mark-already-shipped);
- seller cancels with cancel-order-items → CANCEL (ACCEPT lines) or a completed stop-shipment
  (INSTRUCT lines, releaseStatus S, cancelCompleteUser 3P_CANCEL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..store import Tx
from .fsm import StateMachine

KIND = "receipts"

RELEASE_STOP_UNCHECKED = "RELEASE_STOP_UNCHECKED"
RETURNS_UNCHECKED = "RETURNS_UNCHECKED"
VENDOR_WAREHOUSE_CONFIRM = "VENDOR_WAREHOUSE_CONFIRM"
REQUEST_COUPANG_CHECK = "REQUEST_COUPANG_CHECK"
RETURNS_COMPLETED = "RETURNS_COMPLETED"

# returns.yaml → state_machine. Only the edges the order flows drive are declared here; the returns
# domain adds its own (confirm, approve, pickup …) to this one table.
RECEIPT_MACHINE = StateMachine(
    name="receipt",
    states=(
        RELEASE_STOP_UNCHECKED,
        RETURNS_UNCHECKED,
        VENDOR_WAREHOUSE_CONFIRM,
        REQUEST_COUPANG_CHECK,
        RETURNS_COMPLETED,
    ),
    table={
        (RELEASE_STOP_UNCHECKED, "stopShipment"): RETURNS_COMPLETED,
        (RELEASE_STOP_UNCHECKED, "alreadyShipped"): RETURNS_UNCHECKED,
    },
    terminal=frozenset({RETURNS_COMPLETED}),
)

# VOC reason codes the buyer simulation uses (common.yaml → voc_reason_codes); fault CUS → CUSTOMER.
REASONS: dict[str, tuple[str, str, str, str]] = {
    # code: (text, category1, category2, faultByType)
    "CHANGEMIND": ("필요 없어짐 (단순 변심)", "고객변심", "단순변심(사유없음)", "CUSTOMER"),
    "NOLONGERNEED": ("필요 없어짐", "고객변심", "필요 없어짐", "CUSTOMER"),
    "WRONGOPT": ("상품의 옵션 선택을 잘못함", "고객변심", "옵션 선택 실수", "CUSTOMER"),
    "WRONGADDRESS": ("배송지 입력 실수", "고객변심", "배송지 입력 실수", "CUSTOMER"),
    "REORDER": ("상품을 추가하여 재주문", "고객변심", "재주문", "CUSTOMER"),
    "CHEAPER": ("다른 사이트의 가격이 더 저렴함", "고객변심", "가격 불만", "CUSTOMER"),
    "DELIVERYLATER": ("배송 예정일이 예상보다 늦음", "배송불만", "배송 지연", "VENDOR"),
    "OTHERS": ("기타", "고객변심", "기타", "CUSTOMER"),
}
# cancel-order-items forces these (orders.yaml → cancel-order-items rules).
SELLER_STOP_REASON = ("배송불만", "품절", "파트너 API 강제 취소")


def get(tx: Tx, receipt_id: int) -> dict[str, Any] | None:
    return tx.get(KIND, receipt_id)


def put(tx: Tx, receipt: dict[str, Any]) -> None:
    tx.put(KIND, receipt["receiptId"], receipt)


def all_receipts(tx: Tx) -> list[dict[str, Any]]:
    return [doc for _key, doc in tx.items(KIND)]


def return_item(box: dict[str, Any], line: dict[str, Any], count: int, release_status: str) -> dict[str, Any]:
    """One returnItems[] entry for `count` units of an order line."""
    return {
        "vendorItemPackageId": 0,
        "vendorItemPackageName": line["sellerProductName"],
        "vendorItemId": line["vendorItemId"],
        "vendorItemName": line["vendorItemName"],
        "purchaseCount": line["shippingCount"],
        "cancelCount": count,
        "shipmentBoxId": box["shipmentBoxId"],
        "sellerProductId": line["sellerProductId"],
        "sellerProductName": line["sellerProductName"],
        "releaseStatus": release_status,
        "cancelCompleteUser": "",
    }


def create(
    tx: Tx,
    now: datetime,
    new_id: Callable[[str, int], int],
    *,
    order: dict[str, Any],
    box: dict[str, Any],
    items: list[dict[str, Any]],
    receipt_type: str,
    status: str,
    release_stop_status: str,
    reason_code: str = "CHANGEMIND",
    reason_detail: str = "",
    origin: str,
) -> dict[str, Any]:
    """A new receipt over `items` (returnItems entries); requester data comes from the box receiver."""
    text, category1, category2, fault = REASONS.get(reason_code, REASONS["OTHERS"])
    if origin == "SELLER_CANCEL":
        category1, category2, reason_detail = SELLER_STOP_REASON
        fault = "VENDOR"
    receiver = box["receiver"]
    stamp = now.isoformat()
    receipt = {
        "receiptId": new_id("receiptId", 9),
        "orderId": order["orderId"],
        "paymentId": order["paymentId"],
        "receiptType": receipt_type,
        # list-return-requests cancelType: CANCEL = cancellations in ACCEPT, RETURN = everything else
        "cancelType": "CANCEL" if receipt_type == "CANCEL" else "RETURN",
        "receiptStatus": status,
        "createdAt": stamp,
        "modifiedAt": stamp,
        "requesterName": receiver["name"],
        "requesterPhoneNumber": receiver["safeNumber"],
        "requesterRealPhoneNumber": None,
        "requesterAddress": receiver["addr1"],
        "requesterAddressDetail": receiver["addr2"],
        "requesterZipCode": receiver["postCode"],
        "cancelReasonCategory1": category1,
        "cancelReasonCategory2": category2,
        "cancelReason": reason_detail,
        "cancelCountSum": sum(item["cancelCount"] for item in items),
        "returnDeliveryId": 0,
        "returnDeliveryType": "",
        "releaseStopStatus": release_stop_status,
        "enclosePrice": 0,
        "faultByType": fault,
        "preRefund": False,
        "completeConfirmType": "UNDEFINED",
        "completeConfirmDate": "",
        "returnItems": items,
        "returnDeliveryDtos": [],
        "reasonCode": reason_code,
        "reasonCodeText": text,
        "returnShippingCharge": 0,
        # mock bookkeeping (not wire fields): who made it, and when the refund went through
        "origin": origin,
        "refundedAt": stamp if status == RETURNS_COMPLETED else None,
    }
    put(tx, receipt)
    return receipt


def transition(receipt: dict[str, Any], event: str, now: datetime) -> dict[str, Any]:
    """Apply a receipt event (IllegalTransition when the table has no edge); returns the updated doc."""
    receipt["receiptStatus"] = RECEIPT_MACHINE.next(receipt["receiptStatus"], event)
    receipt["modifiedAt"] = now.isoformat()
    return receipt
