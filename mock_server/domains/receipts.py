"""Cancel / return receipts (store kind "receipts", key receiptId): the one receipt model and its table.

The order domain creates cancel / stop-shipment receipts here; the returns domain (domains/returns.py)
creates customer returns and drives the rest of RECEIPT_MACHINE. The documents carry the returns.yaml
ReturnRequest fields (camelCase, money as plain KRW integers, times as ISO-8601 UTC
strings) so its renderer can show them in v6 (i18n) and v4 (legacy) formats.

Requests find receipts through the indexes declared below (by status, order, list family, due time),
never by iterating the kind.

Receipts created by the order domain:
- buyer cancels lines of an ACCEPT box → receiptType CANCEL (cancelType CANCEL), RETURNS_COMPLETED,
  refunded automatically (at once, or after the vendor's refund delay: `refundedAt` is null until then);
- buyer cancels lines of an INSTRUCT box → receiptType RETURN, RELEASE_STOP_UNCHECKED, releaseStatus N
  (a stop-shipment request the seller answers with stop-shipment or mark-already-shipped);
- seller cancels with cancel-order-items → CANCEL (ACCEPT lines) or a completed stop-shipment
  (INSTRUCT lines, releaseStatus S, cancelCompleteUser 3P_CANCEL);
- the seller answers one stop-shipment request of a box with mark-already-shipped while another request
  of the same box is still open: the box leaves, so the other request becomes a return on its own
  (RETURNS_UNCHECKED, releaseStatus A, releaseStopStatus 자동처리(이미출고); returns.yaml lists the edge as
  inferred from the enum).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..errors import ApiError
from ..store import IndexKey, Tx, declare_index
from . import timefmt
from .fsm import StateMachine
from .paging import time_key

KIND = "receipts"

RELEASE_STOP_UNCHECKED = "RELEASE_STOP_UNCHECKED"
RETURNS_UNCHECKED = "RETURNS_UNCHECKED"
VENDOR_WAREHOUSE_CONFIRM = "VENDOR_WAREHOUSE_CONFIRM"
REQUEST_COUPANG_CHECK = "REQUEST_COUPANG_CHECK"
RETURNS_COMPLETED = "RETURNS_COMPLETED"

# Not a wire status: a receipt the customer withdrew leaves every read (single get answers 400) and
# only shows up in the withdrawal history (returns.yaml state_machine "(withdrawn)").
WITHDRAWN = "WITHDRAWN"

# returns.yaml → state_machine, the whole receipt lifecycle in one table. The order domain drives the
# stop-shipment edges; the returns domain (domains/returns.py) drives the rest. Self-loops are the
# "status stays, something else changes" edges (pickup invoice registered, courier collected).
RECEIPT_MACHINE = StateMachine(
    name="receipt",
    states=(
        RELEASE_STOP_UNCHECKED,
        RETURNS_UNCHECKED,
        VENDOR_WAREHOUSE_CONFIRM,
        REQUEST_COUPANG_CHECK,
        RETURNS_COMPLETED,
        WITHDRAWN,
    ),
    table={
        (RELEASE_STOP_UNCHECKED, "stopShipment"): RETURNS_COMPLETED,
        (RELEASE_STOP_UNCHECKED, "alreadyShipped"): RETURNS_UNCHECKED,
        # 자동처리(이미출고): the box left with another receipt's already-shipped answer (orders domain)
        (RELEASE_STOP_UNCHECKED, "autoAlreadyShipped"): RETURNS_UNCHECKED,
        (RELEASE_STOP_UNCHECKED, "withdraw"): WITHDRAWN,
        (RETURNS_UNCHECKED, "withdraw"): WITHDRAWN,
        (RETURNS_UNCHECKED, "registerPickup"): RETURNS_UNCHECKED,
        (RETURNS_UNCHECKED, "pickup"): RETURNS_UNCHECKED,
        (RETURNS_UNCHECKED, "pickupQuickRefund"): RETURNS_COMPLETED,
        (RETURNS_UNCHECKED, "confirmReceipt"): VENDOR_WAREHOUSE_CONFIRM,
        (RETURNS_UNCHECKED, "confirmQuickRefund"): RETURNS_COMPLETED,
        (VENDOR_WAREHOUSE_CONFIRM, "approve"): RETURNS_COMPLETED,
        (VENDOR_WAREHOUSE_CONFIRM, "autoApprove"): RETURNS_COMPLETED,
        (VENDOR_WAREHOUSE_CONFIRM, "requestCoupangCheck"): REQUEST_COUPANG_CHECK,
        (RETURNS_COMPLETED, "requestCoupangCheck"): REQUEST_COUPANG_CHECK,
    },
    terminal=frozenset({WITHDRAWN}),
)

# Still-open returns: what list-return-requests answers for status UC (returns.yaml notes: RU receipts
# show there too, and VENDOR_WAREHOUSE_CONFIRM has no code of its own, spec x-inferred).
OPEN_RETURN_STATUSES = (RELEASE_STOP_UNCHECKED, RETURNS_UNCHECKED, VENDOR_WAREHOUSE_CONFIRM)


# ---------------------------------------------------------------- indexes (what requests may ask for)


def _created(receipt: dict[str, Any]) -> str:
    return time_key(receipt["createdAt"])


def _listed(receipt: dict[str, Any], receipt_type: str) -> bool:
    return receipt["receiptType"] == receipt_type and receipt["receiptStatus"] != WITHDRAWN


def _by_time(receipt: dict[str, Any]) -> IndexKey:
    return (_created(receipt), receipt["receiptId"])


def _timed(field: str, receipt: dict[str, Any], when: bool) -> IndexKey | None:
    return (time_key(receipt[field]), receipt["receiptId"]) if when and receipt.get(field) else None


def refund_day(receipt: dict[str, Any]) -> str | None:
    """KST date (ISO) of a completed return's refund: settlement's REFUND rows start from it."""
    done = receipt["receiptStatus"] == RETURNS_COMPLETED and receipt.get("refundedAt")
    if receipt["receiptType"] != "RETURN" or not done:
        return None
    return timefmt.kst_date(timefmt.parse_iso(receipt["refundedAt"])).isoformat()


def _refund_key(receipt: dict[str, Any]) -> IndexKey | None:
    day = refund_day(receipt)
    return None if day is None else (day, receipt["orderId"], receipt["receiptId"])


declare_index(KIND, "byStatus", lambda r: (r["receiptStatus"], _created(r), r["receiptId"]))
declare_index(KIND, "recent", _by_time)
declare_index(KIND, "byOrder", lambda r: (r["orderId"], _created(r), r["receiptId"]))
declare_index(KIND, "cancels", lambda r: _by_time(r) if _listed(r, "CANCEL") else None)
declare_index(KIND, "returns", lambda r: _by_time(r) if _listed(r, "RETURN") else None)
declare_index(
    KIND,
    "returnsByStatus",
    lambda r: (r["receiptStatus"], _created(r), r["receiptId"]) if _listed(r, "RETURN") else None,
)
declare_index(
    KIND,
    "openReturns",
    lambda r: _by_time(r) if _listed(r, "RETURN") and r["receiptStatus"] in OPEN_RETURN_STATUSES else None,
)
declare_index(KIND, "withdrawn", lambda r: _timed("withdrawnAt", r, r["receiptStatus"] == WITHDRAWN))
# timers: a delayed buyer-cancel refund, Coupang's automatic approval of a confirmed return
declare_index(KIND, "refundDue", lambda r: _timed("refundDueAt", r, not r.get("refundedAt")))
declare_index(
    KIND, "autoApproveDue", lambda r: _timed("autoApproveAt", r, r["receiptStatus"] == VENDOR_WAREHOUSE_CONFIRM)
)
declare_index(KIND, "refunds", _refund_key)

# VOC reason codes (common.yaml → voc_reason_codes): code → (text, category1, category2, faultByType).
# The first eight keep the category labels the order flows always used; the other codes take their
# sheet group as category1 and their text as category2 (x-inferred: the sheet has no category labels).
# Fault CUS → CUSTOMER, COM → VENDOR, COU → COUPANG; "COU/COM" → VENDOR (the seller is charged unless
# Coupang proves its own error — the transcription gives no rule).
REASONS: dict[str, tuple[str, str, str, str]] = {
    "CHANGEMIND": ("필요 없어짐 (단순 변심)", "고객변심", "단순변심(사유없음)", "CUSTOMER"),
    "NOLONGERNEED": ("필요 없어짐", "고객변심", "필요 없어짐", "CUSTOMER"),
    "WRONGOPT": ("상품의 옵션 선택을 잘못함", "고객변심", "옵션 선택 실수", "CUSTOMER"),
    "WRONGADDRESS": ("배송지 입력 실수", "고객변심", "배송지 입력 실수", "CUSTOMER"),
    "REORDER": ("상품을 추가하여 재주문", "고객변심", "재주문", "CUSTOMER"),
    "CHEAPER": ("다른 사이트의 가격이 더 저렴함", "고객변심", "가격 불만", "CUSTOMER"),
    "DELIVERYLATER": ("배송 예정일이 예상보다 늦음", "배송불만", "배송 지연", "VENDOR"),
    "OTHERS": ("기타", "고객변심", "기타", "CUSTOMER"),
}


def voc_reason(code: str, field: str = "reasonCode") -> tuple[str, str, str, str]:
    """(text, category 1, category 2, fault) of a buyer's VOC reason code; 400 for any other code."""
    if code not in REASONS:
        raise ApiError(400, f"{field} must be a VOC reason code, one of {sorted(REASONS)}")
    return REASONS[code]


_SHEET: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    # group label, fault, [(code, text)]
    "mind": (
        "고객변심",
        "CUSTOMER",
        [
            ("DIFFERENTOPT", "색상/ 사이즈가 기대와 다름(같은 상품의 다른 옵션으로 교환)"),
            ("DONTLIKESIZECOLOR", "색상, 사이즈가 기대와 다름"),
            ("OTHERS_CHANGEMIND", "그외 (단순변심)"),
            ("UNUSEDTICKET", "티켓 상품의 미사용 환불 취소"),
        ],
    ),
    "arrival": (
        "배송불만",
        "VENDOR",
        [
            ("DELIVERYSTOP", "배송흐름이 멈춤"),
            ("CARRIERLOST", "택배사 상품 분실"),
            ("LOST", "배송주소 오배송(원인파악 불가 포함)"),
            ("PARTIALMISS", "주문상품 중 일부가 배송되지 않음"),
            ("COMPOMISS", "상품의 구성품, 부속품이 제대로 들어있지 않음"),
            ("LATEDELIVERED", "상품이 늦게 배송됨"),
            ("SKUOOSRESHIP", "SKU OOS로 나머지 상품 재출고"),
            ("DELIVERYSTUCK", "배송 상태가 멈춰 있음"),
            ("LIKELYDELAY", "배송지연이 예상됨"),
            ("WRONGDELIVERY", "내가 주문한 상품과 아예 다른 상품이 배송됨"),
            ("WRONGSIZECOL", "내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨"),
            ("OTHERS_DELIVERY", "그외 (배송문제)"),
        ],
    ),
    "item": (
        "상품불만",
        "VENDOR",
        [
            ("DAMAGED", "상품이 파손되어 배송됨"),
            ("DEFECT", "상품 결함/기능에 이상이 있음"),
            ("INACCURATE", "실제 상품이 상품 설명에 써있는 것과 다름"),
            ("BOTHDAMAGED", "포장과 상품 모두 훼손됨"),
            ("SHIPBOXOK", "포장은 괜찮으나 상품이 파손됨"),
            ("UNABLEBOOK", "티켓 상품 예약 불가능"),
            ("TICKETNOUSE", "티켓 상품 지점 휴업/ 폐점으로 사용 불가능"),
            ("PRICEERROR", "잘못된 가격 기재"),
            ("ITEMNAMEERR", "잘못된 상품명 기재"),
            ("OTHERS_PRODUCT", "그외 (상품문제)"),
            ("OOSSELLER", "업체로부터 품절되었다고 연락 받음"),
            ("DUPLICATE", "Abusing 의심 중복구매 취소"),
            ("SKUOOSCAN", "SKU OOS 취소"),
        ],
    ),
    "system": (
        "시스템오류",
        "VENDOR",
        [
            ("SYSTEMERROR", "시스템 오류"),
            ("EXITERROR", "주문 이탈"),
            ("PAYERROR", "결제 오류"),
            ("PARTNERERROR", "제휴사이트 오류"),
            ("REGISTERROR", "쿠폰 등록 오류"),
            ("NOTPURCHASABLE", "구매 불가능"),
        ],
    ),
    "coupang": ("시스템오류", "COUPANG", [("SYSTEMINFO_ERROR", "상품 정보가 잘못 노출됨(쿠팡 시스템 오류)")]),
}
for _label, _fault, _codes in _SHEET.values():
    for _code, _text in _codes:
        REASONS[_code] = (_text, _label, _text, _fault)
# cancel-order-items forces these (orders.yaml → cancel-order-items rules).
SELLER_STOP_REASON = ("배송불만", "품절", "파트너 API 강제 취소")


def get(tx: Tx, receipt_id: int) -> dict[str, Any] | None:
    """A live receipt; a withdrawn one is gone for every API (returns.yaml notes), so None."""
    receipt = tx.get(KIND, receipt_id)
    return None if receipt is None or receipt["receiptStatus"] == WITHDRAWN else receipt


def get_any(tx: Tx, receipt_id: int) -> dict[str, Any] | None:
    """Including withdrawn receipts (withdrawal history)."""
    return tx.get(KIND, receipt_id)


def put(tx: Tx, receipt: dict[str, Any]) -> None:
    tx.put(KIND, receipt["receiptId"], receipt)


def of_order(tx: Tx, order_id: int, live: bool = True) -> list[dict[str, Any]]:
    """The order's receipts, oldest first (withdrawn ones only when `live` is False)."""
    found = tx.find(KIND, "byOrder", prefix=(order_id,))
    return [doc for doc in found if not live or doc["receiptStatus"] != WITHDRAWN]


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
