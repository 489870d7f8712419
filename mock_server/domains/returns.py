"""Customer returns after dispatch, their processing by the seller, and the buyer / courier side of it.

State lives in the "receipts" documents (domains/receipts.py, one RECEIPT_MACHINE for the whole
lifecycle); the order domain's boxes are only read here. Money is plain KRW integers; the refund of a
receipt is kept in `refundAmount` (mock bookkeeping, not a wire field) so tests can check it never
exceeds what the customer paid.

Quick refund (빠른환불, returns.yaml notes): every returned unit priced under ₩100,000 on a regular
(THIRD_PARTY) delivery box, and the item not flagged fresh / custom-made / installation. With a tracked
pickup the courier's scan refunds and completes the receipt; otherwise the seller confirms receipt
(which then refunds and completes at once) — non-eligible receipts need confirmation and approval.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Probe, Tx
from . import inventory, orders, paging, receipts, timefmt
from .fsm import IllegalTransition

NewId = Callable[[str, int], int]

QUICK_REFUND_LIMIT = 100_000
QUICK_REFUND_EXCLUDED_FLAGS = ("freshFood", "customMade", "installation")
RETURN_FEE = 3000
AUTO_APPROVE_DAYS = 3  # "3 business days after arrival" (CS texts); the mock counts calendar days

NOT_FOUND = "취소반품접수내역이 존재하지 않습니다."
DONE = "이미 반품이 완료 되었습니다."
COUNT_MISMATCH = "취소반품접수수량과 cancelCount가 일치하지 않습니다."
NOT_APPROVABLE = "환불 승인(대기)/접수철회 요청된 쿠폰의 상태가 승인 할 수 없는 상태이거나 수량이 맞지 않습니다."
GET_NOT_FOUND = "ReceiptId doesn't belong to the vendorId, or cannot find the Receipt by the given id"
PICKUP_WRONG_STATE = "null"

# list-return-requests status query codes → receipt statuses. VENDOR_WAREHOUSE_CONFIRM has no code; it is
# still an open return, so UC lists it (spec x-inferred), and RU receipts show under UC too (notes).
STATUS_CODES: dict[str, tuple[str, ...]] = {
    "RU": (receipts.RELEASE_STOP_UNCHECKED,),
    "UC": receipts.OPEN_RETURN_STATUSES,
    "CC": (receipts.RETURNS_COMPLETED,),
    "PR": (receipts.REQUEST_COUPANG_CHECK,),
}
# the receipts index (and key prefix) answering each status code
CODE_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "RU": ("returnsByStatus", (receipts.RELEASE_STOP_UNCHECKED,)),
    "UC": ("openReturns", ()),
    "CC": ("returnsByStatus", (receipts.RETURNS_COMPLETED,)),
    "PR": ("returnsByStatus", (receipts.REQUEST_COUPANG_CHECK,)),
}
DUTY = {"CUSTOMER": "CUS", "VENDOR": "COM", "COUPANG": "COU", "WMS": "COU", "GENERAL": "COM"}


# ---------------------------------------------------------------- reading


def return_receipt(tx: Tx, receipt_id: int) -> dict[str, Any] | None:
    """A live return receipt (cancel receipts made in ACCEPT are not returns)."""
    receipt = receipts.get(tx, receipt_id)
    return receipt if receipt is not None and receipt["receiptType"] == "RETURN" else None


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def listing(
    tx: Tx,
    window: tuple[datetime, datetime],
    cancel_type: str,
    status: str | None,
    order_id: int | None,
) -> paging.OffsetFetch[dict[str, Any]]:
    """Receipts created in [start, end), oldest first, as an offset query; CANCEL ignores status and
    orderId (x-inferred). With an orderId the order's few receipts are filtered; otherwise one index
    holds exactly the listed rows, so a page reads only itself."""
    lo, hi = paging.time_key(window[0]), paging.time_key(window[1])
    if order_id is not None and cancel_type != "CANCEL":
        found = [
            receipt
            for receipt in receipts.of_order(tx, order_id)
            if lo <= paging.time_key(receipt["createdAt"]) < hi and _matches(receipt, cancel_type, status, order_id)
        ]
        return paging.from_list(found)
    index, prefix = CODE_INDEXES[status] if cancel_type != "CANCEL" and status else (_family(cancel_type), ())
    return lambda offset, limit: tx.find(receipts.KIND, index, prefix=prefix, lo=lo, hi=hi, offset=offset, limit=limit)


def _family(cancel_type: str) -> str:
    return "cancels" if cancel_type == "CANCEL" else "returns"


def _matches(receipt: dict[str, Any], cancel_type: str, status: str | None, order_id: int | None) -> bool:
    if cancel_type == "CANCEL":
        return receipt["receiptType"] == "CANCEL"
    if receipt["receiptType"] != "RETURN":
        return False
    if status is not None and receipt["receiptStatus"] not in STATUS_CODES[status]:
        return False
    return order_id is None or receipt["orderId"] == order_id


DAILY_MAX_DAYS = 31
PERIOD_TOO_LONG = "검색기간은 최대 31일입니다."


def _period_reversed(days: int) -> str:
    return f"검색기간의 끝이 시작 보다 앞섭니다. SearchPeriod={days}"


def list_window(created_from: str, created_to: str, time_frame: bool) -> tuple[datetime, datetime]:
    """Daily: [from 00:00, to+1 day) KST by date; timeFrame: [from, to + 1 minute) to the minute."""
    start = timefmt.parse_query_datetime(created_from, "createdAtFrom")
    end = timefmt.parse_query_datetime(created_to, "createdAtTo")
    if not time_frame:
        first, last = timefmt.to_kst(start).date(), timefmt.to_kst(end).date()
        start, end = _kst_midnight(first), _kst_midnight(last)
    if end < start:
        days = (timefmt.to_kst(end).date() - timefmt.to_kst(start).date()).days
        raise ApiError(400, _period_reversed(days))
    if end - start > timedelta(days=DAILY_MAX_DAYS):
        raise ApiError(400, PERIOD_TOO_LONG)
    return start, end + (timedelta(minutes=1) if time_frame else timedelta(days=1))


def _kst_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timefmt.KST)


# ---------------------------------------------------------------- rendering (v6 i18n / v4 legacy)

HIDDEN = (
    "cancelType",
    "origin",
    "refundedAt",
    "refundAmount",
    "cancelResultType",
    "quickRefund",
    "collected",
    "trackedPickup",
    "withdrawnAt",
    "autoApproveAt",
    "refundDueAt",
    "pickedUpAt",
    "confirmedAt",
)


def render(receipt: dict[str, Any], legacy: bool) -> dict[str, Any]:
    body = {key: value for key, value in receipt.items() if key not in HIDDEN}
    body["createdAt"] = _stamp(receipt["createdAt"], legacy)
    body["modifiedAt"] = _stamp(receipt["modifiedAt"], legacy)
    body["requesterPhoneNumber"] = orders.phone_on_wire(receipt["requesterPhoneNumber"], legacy)
    body["enclosePrice"] = orders.money(receipt["enclosePrice"], legacy)
    body["returnShippingCharge"] = orders.money(receipt["returnShippingCharge"], legacy)
    body["returnItems"] = [dict(item) for item in receipt["returnItems"]]
    body["returnDeliveryDtos"] = [dict(entry) for entry in receipt["returnDeliveryDtos"]]
    return body


def _stamp(value: str, legacy: bool) -> str:
    moment = _at(value)
    return (timefmt.legacy_t(moment) if legacy else timefmt.iso_i18n(moment)) or ""


def render_withdrawal(receipt: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    return {
        "cancelId": receipt["receiptId"],
        "orderId": receipt["orderId"],
        "vendorId": vendor_id,
        "refundDeliveryDuty": DUTY.get(receipt["faultByType"], "COM"),
        "createdAt": timefmt.legacy_t(_at(receipt["withdrawnAt"])),
        "vendorItemIds": sorted({item["vendorItemId"] for item in receipt["returnItems"]}),
    }


def withdrawals(tx: Tx, start: datetime, end: datetime) -> paging.OffsetFetch[dict[str, Any]]:
    """Receipts withdrawn in [start, end), oldest withdrawal first, as an offset query."""
    lo, hi = paging.time_key(start), paging.time_key(end)
    return lambda offset, limit: tx.find(receipts.KIND, "withdrawn", lo=lo, hi=hi, offset=offset, limit=limit)


def withdrawn_among(tx: Tx, ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for receipt_id in dict.fromkeys(ids):
        doc = receipts.get_any(tx, receipt_id)
        if doc is not None and doc["receiptStatus"] == receipts.WITHDRAWN:
            found.append(doc)
    return found


# ---------------------------------------------------------------- what the customer may still return


def returned_units(tx: Tx, order_id: int) -> dict[tuple[int, int], int]:
    """(shipmentBoxId, vendorItemId) → units already under a live return of the order (shipped ones:
    releaseStatus Y or A)."""
    return _units(receipts.of_order(tx, order_id), lambda receipt: receipt["receiptType"] == "RETURN")


def _units(found: list[dict[str, Any]], counted: Callable[[dict[str, Any]], bool]) -> dict[tuple[int, int], int]:
    total: dict[tuple[int, int], int] = {}
    for receipt in found:
        if not counted(receipt):
            continue
        for item in receipt["returnItems"]:
            if item["releaseStatus"] in ("Y", "A"):
                key = (item["shipmentBoxId"], item["vendorItemId"])
                total[key] = total.get(key, 0) + item["cancelCount"]
    return total


def shipped_units(line: dict[str, Any]) -> int:
    """Units that left with the box: ordered minus cancelled before dispatch (stop-shipment, seller cancel)."""
    return line["shippingCount"] - line["cancelCount"]


def returnable_lines(tx: Tx, order: dict[str, Any]) -> dict[int, list[tuple[dict[str, Any], dict[str, Any], int]]]:
    """vendorItemId → [(box, line, units still returnable)] over the order's shipped boxes."""
    lines: dict[int, list[tuple[dict[str, Any], dict[str, Any], int]]] = {}
    returned = returned_units(tx, order["orderId"])
    for box in orders.order_boxes(tx, order):
        if box["status"] not in orders.SHIPPED:
            continue
        for line in box["orderItems"]:
            left = shipped_units(line) - returned.get((box["shipmentBoxId"], line["vendorItemId"]), 0)
            lines.setdefault(line["vendorItemId"], []).append((box, line, left))
    return lines


def plan_units(
    tx: Tx, order: dict[str, Any], wanted: dict[int, int], already: Callable[[int, int], int] | None = None
) -> list[tuple[dict[str, Any], dict[str, Any], int]]:
    """Spread the wanted units over the shipped boxes holding them; 409 when more than is left."""
    available = returnable_lines(tx, order)
    plan = []
    for vid, count in wanted.items():
        candidates = available.get(vid)
        if not candidates:
            raise ApiError(409, f"vendorItemId {vid} has no shipped unit in order {order['orderId']}")
        remaining = count
        for box, line, left in candidates:
            left -= already(box["shipmentBoxId"], vid) if already else 0
            take = min(max(left, 0), remaining)
            if take:
                plan.append((box, line, take))
                remaining -= take
        if remaining:
            total = count - remaining
            raise ApiError(
                409, f"vendorItemId {vid}: only {total} shipped unit(s) can still be returned, {count} asked"
            )
    return plan


# ---------------------------------------------------------------- buyer: request, withdraw; courier: pickup


def request_return(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    order: dict[str, Any],
    wanted: dict[int, int],
    reason_code: str,
    reason_detail: str = "",
) -> dict[str, Any]:
    """The customer asks to return shipped units: a RETURNS_UNCHECKED receipt (releaseStopStatus 비대상)."""
    receipts.voc_reason(reason_code)
    # units under an open exchange are not returnable either; imported here because exchanges builds on
    # this module (plan_units, pickup invoices)
    from . import exchanges

    exchanged = exchanges.exchanged_units(tx, order["orderId"])
    plan = plan_units(tx, order, wanted, lambda box_id, vid: exchanged.get((box_id, vid), 0))
    items = [receipts.return_item(box, line, count, "Y") for box, line, count in plan]
    first = plan[0][0]
    receipt = receipts.create(
        tx,
        now,
        new_id,
        order=order,
        box=first,
        items=items,
        receipt_type="RETURN",
        status=receipts.RETURNS_UNCHECKED,
        release_stop_status="비대상",
        reason_code=reason_code,
        reason_detail=reason_detail,
        origin="BUYER_RETURN",
    )
    receipt["returnDeliveryId"] = new_id("returnDeliveryId", 8)
    receipt["returnDeliveryType"] = "전담택배"
    receipt["returnDeliveryDtos"] = [{"deliveryCompanyCode": "CJGLS", "deliveryInvoiceNo": ""}]
    receipt["returnShippingCharge"] = return_shipping_charge(receipt["faultByType"], first)
    receipt["quickRefund"] = quick_refund_eligible(tx, plan)
    receipts.put(tx, receipt)
    return receipt


def return_shipping_charge(fault: str, box: dict[str, Any]) -> int:
    """Positive: the seller pays; negative: the customer pays — round trip when the delivery was free
    (the initial fee was never charged), one way otherwise (returns.yaml examples -3000 / -6000)."""
    if fault != "CUSTOMER":
        return RETURN_FEE
    return -RETURN_FEE * (2 if box["shippingPrice"] == 0 else 1)


def quick_refund_eligible(tx: Tx, plan: list[tuple[dict[str, Any], dict[str, Any], int]]) -> bool:
    for box, line, _count in plan:
        item = inventory.get_item(tx, line["vendorItemId"]) or {}
        if box["shipmentType"] != "THIRD_PARTY" or line["salesPrice"] >= QUICK_REFUND_LIMIT:
            return False
        if any(item.get(flag) for flag in QUICK_REFUND_EXCLUDED_FLAGS):
            return False
    return True


def withdraw(tx: Tx, now: datetime, receipt_id: int) -> dict[str, Any]:
    """The customer withdraws: only before a tracked pickup (returns.yaml notes)."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None:
        raise ApiError(404, f"receiptId {receipt_id} is not a live return receipt of this vendor")
    if receipt.get("collected") and receipt.get("trackedPickup"):
        raise ApiError(409, f"receipt {receipt_id} was already picked up by the courier: it cannot be withdrawn")
    _move(receipt, "withdraw", now, "withdraw")
    if receipt["returnItems"] and receipt["returnItems"][0]["releaseStatus"] == "N":
        _release_hold(tx, receipt, now)
    receipt["withdrawnAt"] = now.isoformat()
    receipts.put(tx, receipt)
    return receipt


def _release_hold(tx: Tx, receipt: dict[str, Any], now: datetime) -> None:
    for item in receipt["returnItems"]:
        orders.release_hold(tx, item["shipmentBoxId"], item["vendorItemId"], item["cancelCount"])


def pickup(tx: Tx, now: datetime, receipt_id: int, tracked: bool) -> dict[str, Any]:
    """The courier collects the goods. Tracked quick-refund receipts are refunded and completed by the scan."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None:
        raise ApiError(404, f"receiptId {receipt_id} is not a live return receipt of this vendor")
    if receipt.get("collected"):
        raise ApiError(409, f"receipt {receipt_id} was already picked up")
    event = "pickupQuickRefund" if tracked and receipt.get("quickRefund") else "pickup"
    _move(receipt, event, now, "pickup")
    receipt["collected"] = True
    receipt["trackedPickup"] = tracked
    receipt["pickedUpAt"] = now.isoformat()
    if event == "pickupQuickRefund":
        receipt["preRefund"] = True
        _complete(tx, receipt, now, "VENDOR_CONFIRM")
    receipts.put(tx, receipt)
    return receipt


def request_coupang_check(tx: Tx, now: datetime, receipt_id: int) -> dict[str, Any]:
    """The seller files 쿠팡 확인 요청 in WING (no API): → REQUEST_COUPANG_CHECK."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None:
        raise ApiError(404, f"receiptId {receipt_id} is not a live return receipt of this vendor")
    _move(receipt, "requestCoupangCheck", now, "request a Coupang check for")
    receipts.put(tx, receipt)
    return receipt


def _move(receipt: dict[str, Any], event: str, now: datetime, action: str) -> None:
    """Control-plane transitions: an illegal one is the caller's 409."""
    try:
        receipts.transition(receipt, event, now)
    except IllegalTransition:
        raise ApiError(
            409, f"receipt {receipt['receiptId']} is {receipt['receiptStatus']}: cannot {action} it"
        ) from None


# ---------------------------------------------------------------- seller: confirm, approve, pickup invoice


def confirm_receipt(tx: Tx, now: datetime, receipt_id: int) -> dict[str, Any]:
    """입고확인: → VENDOR_WAREHOUSE_CONFIRM; a quick-refund receipt without tracked pickup completes at once."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None:
        raise ApiError(400, NOT_FOUND)
    untracked_quick = receipt.get("quickRefund") and not receipt.get("trackedPickup")
    event = "confirmQuickRefund" if untracked_quick else "confirmReceipt"
    try:
        receipts.transition(receipt, event, now)
    except IllegalTransition:
        if receipt["receiptStatus"] == receipts.RETURNS_COMPLETED:
            raise ApiError(400, DONE) from None
        raise ApiError(
            400,
            f"반품접수(RETURNS_UNCHECKED) 상태의 반품 건만 입고확인 처리할 수 있습니다. receiptStatus={receipt['receiptStatus']}",
        ) from None
    receipt["confirmedAt"] = now.isoformat()
    if event == "confirmQuickRefund":
        receipt["preRefund"] = True
        _complete(tx, receipt, now, "VENDOR_CONFIRM")
    else:
        _schedule_auto_approval(tx, receipt, now)
    receipts.put(tx, receipt)
    return receipt


def approve(tx: Tx, now: datetime, receipt_id: int, cancel_count: int) -> dict[str, Any]:
    """승인: the state check comes before the count check (spec x-inferred)."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None:
        raise ApiError(400, NOT_FOUND)
    if receipt["receiptStatus"] == receipts.RETURNS_COMPLETED:
        raise ApiError(400, DONE)
    if not receipts.RECEIPT_MACHINE.can(receipt["receiptStatus"], "approve"):
        raise ApiError(500, NOT_APPROVABLE)
    if cancel_count != receipt["cancelCountSum"]:
        raise ApiError(400, COUNT_MISMATCH)
    receipts.transition(receipt, "approve", now)
    _complete(tx, receipt, now, "VENDOR_CONFIRM")
    receipts.put(tx, receipt)
    return receipt


def _complete(tx: Tx, receipt: dict[str, Any], now: datetime, confirm_type: str) -> None:
    """RETURNS_COMPLETED: refund, the goods back on the shelf, fully returned boxes leave the order reads."""
    receipt["refundAmount"] = refund_amount(tx, receipt)
    receipt["refundedAt"] = now.isoformat()
    receipt["completeConfirmType"] = confirm_type
    receipt["completeConfirmDate"] = timefmt.legacy_t(now)
    for item in receipt["returnItems"]:
        inventory.return_stock(tx, item["vendorItemId"], item["cancelCount"])
    receipt.pop("autoApproveAt", None)
    for box_id in {item["shipmentBoxId"] for item in receipt["returnItems"]}:
        if _fully_returned(tx, box_id, receipt):
            orders.mark_return_completed(tx, box_id)


def _fully_returned(tx: Tx, box_id: int, just_done: dict[str, Any]) -> bool:
    """Every shipped unit of the box came back through completed returns (just_done is not stored yet)."""
    box = orders.get_box(tx, box_id)
    if box is None:
        return False
    others = [doc for doc in receipts.of_order(tx, box["orderId"]) if doc["receiptId"] != just_done["receiptId"]]
    done = _units(
        [*others, just_done],
        lambda receipt: receipt["receiptType"] == "RETURN" and receipt["receiptStatus"] == receipts.RETURNS_COMPLETED,
    )
    return all(done.get((box_id, line["vendorItemId"]), 0) >= shipped_units(line) for line in box["orderItems"])


def paid_for(tx: Tx, receipt: dict[str, Any]) -> int:
    """What the customer paid for the receipt's units (unit price × count)."""
    total = 0
    for item in receipt["returnItems"]:
        box = orders.get_box(tx, item["shipmentBoxId"])
        line = orders.line_of(box, item["vendorItemId"]) if box else None
        if line is not None:
            total += line["salesPrice"] * item["cancelCount"]
    return total


def refund_amount(tx: Tx, receipt: dict[str, Any]) -> int:
    """Item amount minus the return shipping fee the customer bears; never below 0 nor above what was paid."""
    paid = paid_for(tx, receipt)
    fee = -receipt["returnShippingCharge"] if receipt["returnShippingCharge"] < 0 else 0
    return max(0, min(paid, paid - fee))


def register_pickup_invoice(
    tx: Tx, now: datetime, new_id: NewId, receipt_id: int, code: str, number: str, reg_number: str | None
) -> dict[str, Any]:
    """회수 송장 등록 (RETURN): only RETURNS_UNCHECKED, else 500 "null"."""
    receipt = return_receipt(tx, receipt_id)
    if receipt is None or not receipts.RECEIPT_MACHINE.can(receipt["receiptStatus"], "registerPickup"):
        raise ApiError(500, PICKUP_WRONG_STATE)
    check_pickup_invoice(tx, [item["shipmentBoxId"] for item in receipt["returnItems"]], code, number)
    receipts.transition(receipt, "registerPickup", now)
    if not receipt["returnDeliveryId"]:
        receipt["returnDeliveryId"] = new_id("returnDeliveryId", 8)
    receipt["returnDeliveryType"] = "수기관리"
    receipt["returnDeliveryDtos"] = [
        entry for entry in receipt["returnDeliveryDtos"] if entry.get("deliveryInvoiceNo")
    ] + [{"deliveryCompanyCode": code, "deliveryInvoiceNo": number}]
    receipts.put(tx, receipt)
    return pickup_invoice_dto(new_id, "RETURN", receipt_id, code, number, reg_number, receipt["returnDeliveryId"])


def check_pickup_invoice(tx: Tx, box_ids: list[int], code: str, number: str) -> None:
    """Courier code, per-courier format, and not the outbound invoice of the original box."""
    if orders.courier(code) is None:
        raise ApiError(500, f"Invalid value for DeliveryCompanyCodeEnum: {code}")
    if orders.invoice_format_error(code, number):
        raise ApiError(
            400, f"반품 송장 형식이 올바르지 않습니다. 송장번호: {orders.mask_invoice(number)} , 택배사: {code}"
        )
    for box_id in box_ids:
        box = orders.get_box(tx, box_id)
        if box is not None and box.get("invoiceNumber") == number:
            raise ApiError(
                400, f"배송송장과 같은 송장번호는 입력할 수 없습니다. 송장번호: {orders.mask_invoice(number)}."
            )


def pickup_invoice_dto(
    new_id: NewId, kind: str, receipt_id: int, code: str, number: str, reg_number: str | None, delivery_id: int
) -> dict[str, Any]:
    return {
        "deliveryCompanyCode": code,
        "invoiceNumber": number,
        "invoiceNumberId": new_id("invoiceNumberId", 8),
        "receiptId": receipt_id,
        "regNumber": reg_number or "",
        "returnDeliveryId": delivery_id,
        "returnExchangeDeliveryType": kind,
    }


# ---------------------------------------------------------------- Coupang's automatic approval


def _schedule_auto_approval(tx: Tx, receipt: dict[str, Any], now: datetime) -> None:
    """The receipts' "autoApproveDue" index finds it once the waiting period has passed."""
    receipt["autoApproveAt"] = (now + timedelta(days=AUTO_APPROVE_DAYS)).isoformat()


def due(_tx: Tx, now: datetime) -> list[Probe]:
    return [Probe(receipts.KIND, "autoApproveDue", hi=paging.up_to(now))]


def tick(tx: Tx, now: datetime) -> None:
    """Confirmed receipts nobody approved are approved by Coupang after the waiting period (CS_CONFIRM)."""
    (probe,) = due(tx, now)
    for receipt in tx.find(probe.kind, probe.index, hi=probe.hi):
        approved_at = _at(receipt["autoApproveAt"])
        receipts.transition(receipt, "autoApprove", approved_at)
        _complete(tx, receipt, approved_at, "CS_CONFIRM")
        receipts.put(tx, receipt)
