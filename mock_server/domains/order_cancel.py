"""Cancelling order lines (buyer and seller), delayed refunds, and the seller's answers to a buyer's
stop-shipment request (출고중지 완료 / 이미출고). Receipts are made through domains/receipts.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import inventory, receipts, timefmt
from .orders import (
    ACCEPT,
    BOXES,
    CANCELED,
    DELIVERING,
    DEPARTURE,
    FINAL_DELIVERY,
    INSTRUCT,
    NONE_TRACKING,
    SHIPPED,
    STATUS_LABELS,
    NewId,
    apply_event,
    courier,
    get_box,
    invoice_format_error,
    iso,
    line_of,
    live_lines,
    order_boxes,
    policy,
    shippable,
)
from .shipping import LineFailure, check_reuse, remember_invoice, ship


def _cancel_units(tx: Tx, box: dict[str, Any], line: dict[str, Any], count: int, held: bool) -> None:
    """`count` units of the line are cancelled for good: stock goes back to the shelf."""
    if held:
        line["holdCountForCancel"] -= count
    line["cancelCount"] += count
    if line["cancelCount"] >= line["shippingCount"]:
        line["canceled"] = True
    inventory.return_stock(tx, line["vendorItemId"], count)


def _settle_box(box: dict[str, Any], now: datetime) -> None:
    """After a cancellation: cancelAll when nothing is left in the box, cancelPart otherwise."""
    apply_event(box, "cancelAll" if not live_lines(box) else "cancelPart", now)


def seller_cancel_item(
    tx: Tx, order: dict[str, Any], vendor_item_id: int, count: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The box and line a cancel-order-items entry applies to; ApiError with Coupang's text otherwise."""
    for box in order_boxes(tx, order):
        line = line_of(box, vendor_item_id)
        if line is None:
            continue
        if box["status"] not in (ACCEPT, INSTRUCT, CANCELED):
            raise ApiError(400, "해당 벤더아이템이 결제완료/상품지시 중 상태가 아닙니다.")
        if count > shippable(line):
            raise ApiError(400, "취소 가능한 개수보다 요청한 개수가 더 많습니다.")
        return box, line
    raise ApiError(400, "주문 정보가 없습니다.")


def seller_cancel(
    tx: Tx, now: datetime, new_id: NewId, order: dict[str, Any], requests: list[tuple[int, int]]
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """cancel-order-items: ACCEPT lines are cancelled (CANCEL), INSTRUCT lines are stopped
    (STOP_SHIPMENT). Returns the receipts and the (vendorItemId, reason) of refused entries."""
    accepted: list[tuple[dict[str, Any], dict[str, Any], int]] = []
    failed: list[tuple[int, str]] = []
    for vid, count in requests:
        try:
            box, line = seller_cancel_item(tx, order, vid, count)
        except ApiError as err:
            failed.append((vid, err.message))
            continue
        accepted.append((box, line, count))
    failed += _whole_box_rule(accepted)
    accepted = [entry for entry in accepted if entry[1]["vendorItemId"] not in {vid for vid, _ in failed}]
    made = []
    for status, receipt_type, release in ((ACCEPT, "CANCEL", "N"), (INSTRUCT, "STOP_SHIPMENT", "S")):
        chosen = [entry for entry in accepted if entry[0]["status"] == status]
        if chosen:
            made.append(_seller_receipt(tx, now, new_id, order, chosen, receipt_type, release))
    return made, failed


def _whole_box_rule(accepted: list[tuple[dict[str, Any], dict[str, Any], int]]) -> list[tuple[int, str]]:
    """ACCEPT boxes are cancelled whole (2019 docs: 결제완료 건은 전체 취소만): 부분 취소는 불가능합니다."""
    failed = []
    by_box: dict[int, list[tuple[dict[str, Any], dict[str, Any], int]]] = {}
    for entry in accepted:
        by_box.setdefault(entry[0]["shipmentBoxId"], []).append(entry)
    for entries in by_box.values():
        box = entries[0][0]
        if box["status"] != ACCEPT:
            continue
        asked = {line["vendorItemId"]: count for _b, line, count in entries}
        whole = all(asked.get(line["vendorItemId"]) == shippable(line) for line in live_lines(box))
        if not whole:
            failed += [(vid, "부분 취소는 불가능합니다.") for vid in asked]
    return failed


def _seller_receipt(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    order: dict[str, Any],
    entries: list[tuple[dict[str, Any], dict[str, Any], int]],
    receipt_type: str,
    release: str,
) -> dict[str, Any]:
    boxes: dict[int, dict[str, Any]] = {}
    items = []
    for box, line, count in entries:
        box = boxes.setdefault(box["shipmentBoxId"], box)
        line = line_of(box, line["vendorItemId"]) or line
        _cancel_units(tx, box, line, count, held=False)
        item = receipts.return_item(box, line, count, release)
        item["cancelCompleteUser"] = "3P_CANCEL" if receipt_type == "STOP_SHIPMENT" else ""
        items.append(item)
    for box in boxes.values():
        _settle_box(box, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
    first = next(iter(boxes.values()))
    receipt = receipts.create(
        tx,
        now,
        new_id,
        order=order,
        box=first,
        items=items,
        receipt_type="CANCEL" if receipt_type == "CANCEL" else "RETURN",
        status=receipts.RETURNS_COMPLETED,
        release_stop_status="처리(출고중지)" if receipt_type == "STOP_SHIPMENT" else "비대상",
        origin="SELLER_CANCEL" if receipt_type == "STOP_SHIPMENT" else "SELLER_REFUND",
    )
    receipt["cancelResultType"] = receipt_type  # what cancel-order-items reports in receiptMap
    receipts.put(tx, receipt)
    return receipt


def buyer_cancel(
    tx: Tx, now: datetime, new_id: NewId, order: dict[str, Any], wanted: dict[int, int] | None, reason: str
) -> list[dict[str, Any]]:
    """The customer cancels: ACCEPT lines are refunded automatically (CANCEL receipt); INSTRUCT lines
    become a stop-shipment request (RELEASE_STOP_UNCHECKED receipt) the seller must answer."""
    receipts.voc_reason(reason, "reason")
    plan = _buyer_plan(tx, order, wanted)
    pol = policy(tx)
    made = []
    for status in (ACCEPT, INSTRUCT):
        chosen = [entry for entry in plan if entry[0]["status"] == status]
        if chosen:
            made.append(_buyer_receipt(tx, now, new_id, order, chosen, status, reason, pol))
    return made


def _buyer_plan(
    tx: Tx, order: dict[str, Any], wanted: dict[int, int] | None
) -> list[tuple[dict[str, Any], dict[str, Any], int]]:
    plan = []
    boxes = [box for box in order_boxes(tx, order) if box["status"] != CANCELED]
    for box in boxes:
        for line in live_lines(box):
            count = shippable(line) if wanted is None else wanted.get(line["vendorItemId"], 0)
            if count <= 0:
                continue
            if box["status"] not in (ACCEPT, INSTRUCT):
                raise ApiError(409, f"box {box['shipmentBoxId']} is already {box['status']}: the buyer must return it")
            if count > shippable(line):
                raise ApiError(409, f"vendorItemId {line['vendorItemId']} has only {shippable(line)} left to cancel")
            plan.append((box, line, count))
    asked = set(wanted or {})
    missing = asked - {line["vendorItemId"] for _box, line, _count in plan}
    if missing or not plan:
        raise ApiError(409, f"nothing to cancel for vendorItemIds {sorted(missing) or 'of this order'}")
    return plan


def _buyer_receipt(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    order: dict[str, Any],
    entries: list[tuple[dict[str, Any], dict[str, Any], int]],
    status: str,
    reason: str,
    pol: dict[str, Any],
) -> dict[str, Any]:
    refund_now = status == ACCEPT and pol["refundDelaySeconds"] == 0
    items = []
    boxes: dict[int, dict[str, Any]] = {}
    for box, line, count in entries:
        box = boxes.setdefault(box["shipmentBoxId"], box)
        line = line_of(box, line["vendorItemId"]) or line
        if refund_now:
            _cancel_units(tx, box, line, count, held=False)
        else:
            line["holdCountForCancel"] += count
        items.append(receipts.return_item(box, line, count, "N"))
    for box in boxes.values():
        if refund_now:
            _settle_box(box, now)
        elif status == INSTRUCT:
            apply_event(box, "requestStop", now)
        tx.put(BOXES, box["shipmentBoxId"], box)
    first = next(iter(boxes.values()))
    receipt = receipts.create(
        tx,
        now,
        new_id,
        order=order,
        box=first,
        items=items,
        receipt_type="CANCEL" if status == ACCEPT else "RETURN",
        status=receipts.RETURNS_COMPLETED if status == ACCEPT else receipts.RELEASE_STOP_UNCHECKED,
        release_stop_status="비대상" if status == ACCEPT else "미처리",
        reason_code=reason,
        origin="BUYER_CANCEL",
    )
    if status == ACCEPT and not refund_now:
        # the receipts' "refundDue" index finds it when the delay has passed (order_timers)
        receipt["refundedAt"] = None
        receipt["refundDueAt"] = iso(now + timedelta(seconds=pol["refundDelaySeconds"]))
        receipts.put(tx, receipt)
    return receipt


def complete_refund(tx: Tx, receipt: dict[str, Any], at: datetime) -> None:
    """A delayed ACCEPT refund goes through: held units become cancelled, stock returns."""
    if receipt.get("refundedAt"):
        return
    touched: dict[int, dict[str, Any]] = {}
    for item in receipt["returnItems"]:
        box = touched.get(item["shipmentBoxId"]) or get_box(tx, item["shipmentBoxId"])
        line = line_of(box, item["vendorItemId"]) if box else None
        if box is None or line is None:
            continue
        touched[box["shipmentBoxId"]] = box
        _cancel_units(tx, box, line, item["cancelCount"], held=True)
    for box in touched.values():
        _settle_box(box, at)
        tx.put(BOXES, box["shipmentBoxId"], box)
    receipt["refundedAt"] = iso(at)
    receipt["modifiedAt"] = iso(at)
    receipts.put(tx, receipt)


# ---------------------------------------------------------------- stop-shipment / already shipped


STOP_NOT_FOUND = "취소반품접수내역이 존재하지 않습니다."
STOP_DONE = "이미 반품이 완료 되었습니다."
STOP_COUNT = "취소반품접수수량과 cancelCount가 일치하지 않습니다."
STOP_TYPE = "cancelType이 A 또는 RA가 아닙니다."
STOP_SHIPPED = "출고 되어 처리할 수 없습니다."


def _release_stop_receipt(tx: Tx, receipt_id: int) -> dict[str, Any]:
    receipt = receipts.get(tx, receipt_id)
    if receipt is None:
        raise ApiError(400, STOP_NOT_FOUND)
    if receipt.get("cancelType") == "CANCEL":
        raise ApiError(400, STOP_TYPE)
    if receipt["receiptStatus"] == receipts.RETURNS_COMPLETED:
        raise ApiError(400, STOP_DONE)
    return receipt


def _receipt_boxes(tx: Tx, receipt: dict[str, Any]) -> dict[int, dict[str, Any]]:
    boxes = {}
    for item in receipt["returnItems"]:
        box = get_box(tx, item["shipmentBoxId"])
        if box is not None:
            boxes[box["shipmentBoxId"]] = box
    return boxes


def _box_still_at_seller(box: dict[str, Any]) -> None:
    """stop-shipment / already-shipped need goods not yet handed to the courier (INSTRUCT)."""
    if box["status"] in (FINAL_DELIVERY, DELIVERING):
        raise ApiError(400, f"상품준비 중 또는 배송지시 상태가 아닙니다. {STATUS_LABELS[box['status']]}")
    if box["status"] in (DEPARTURE, NONE_TRACKING):
        raise ApiError(500, STOP_SHIPPED)


def stop_shipment(tx: Tx, now: datetime, receipt_id: int, cancel_count: Any) -> None:
    """출고중지완료: the RU receipt's units are cancelled and refunded; the receipt completes (S)."""
    receipt = _release_stop_receipt(tx, receipt_id)
    if not _is_int(cancel_count) or cancel_count != receipt["cancelCountSum"]:
        raise ApiError(400, STOP_COUNT)
    boxes = _receipt_boxes(tx, receipt)
    for box in boxes.values():
        _box_still_at_seller(box)
    if not receipts.RECEIPT_MACHINE.can(receipt["receiptStatus"], "stopShipment"):
        raise ApiError(400, STOP_TYPE)
    for item in receipt["returnItems"]:
        box = boxes[item["shipmentBoxId"]]
        line = line_of(box, item["vendorItemId"])
        if line is not None:
            _cancel_units(tx, box, line, item["cancelCount"], held=True)
        item["releaseStatus"] = "S"
        item["cancelCompleteUser"] = "3P_CANCEL"
    for box in boxes.values():
        _settle_box(box, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
    receipts.transition(receipt, "stopShipment", now)
    receipt["releaseStopStatus"] = "처리(출고중지)"
    receipt["completeConfirmType"] = "VENDOR_CONFIRM"
    receipt["completeConfirmDate"] = timefmt.legacy_t(now)
    receipt["refundedAt"] = iso(now)
    receipts.put(tx, receipt)


def mark_already_shipped(tx: Tx, now: datetime, receipt_id: int, code: str, number: str) -> None:
    """이미출고: the goods left anyway; the box ships with this invoice and the receipt continues as
    a return (RETURNS_UNCHECKED, releaseStatus A) — returns.yaml mock choice."""
    receipt = _release_stop_receipt(tx, receipt_id)
    boxes = _receipt_boxes(tx, receipt)
    box_id = next(iter(boxes), 0)
    if courier(code) is None:
        raise ApiError(400, "invalid delivery company code:")
    if not number or invoice_format_error(code, number):
        raise ApiError(400, f"송장번호가 유효하지 않습니다. [합포장번호 : {box_id}]")
    for box in boxes.values():
        _box_still_at_seller(box)
        try:
            check_reuse(tx, box, code, number)
        except LineFailure:
            raise ApiError(
                400,
                "이미 저장된 송장번호가 있어 송장번호 등록이 불가능합니다. "
                f"(동일송장번호 업로드 조건 : 수취인정보 동일) [합포장번호 : {box['shipmentBoxId']}]",
            ) from None
    if not receipts.RECEIPT_MACHINE.can(receipt["receiptStatus"], "alreadyShipped"):
        raise ApiError(400, STOP_TYPE)
    for box in boxes.values():
        for line in live_lines(box):
            line["holdCountForCancel"] = 0  # the units travel; the return takes them back
        ship(box, code, number, now, "alreadyShipped")
        remember_invoice(tx, box, code, number, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
    for item in receipt["returnItems"]:
        item["releaseStatus"] = "A"
    receipts.transition(receipt, "alreadyShipped", now)
    receipt["releaseStopStatus"] = "처리(이미출고)"
    receipts.put(tx, receipt)
    _auto_already_shipped(tx, now, receipt["orderId"], set(boxes), receipt["receiptId"])


def _auto_already_shipped(tx: Tx, now: datetime, order_id: int, shipped: set[int], answered: int) -> None:
    """자동처리(이미출고): other open stop-shipment requests of the boxes that just left travel with them
    (their held units were released by the shipment) and continue as returns — once every box of such a
    request has left; a request that still has a box at the seller stays RELEASE_STOP_UNCHECKED
    (x-inferred)."""
    for other in receipts.of_order(tx, order_id):
        if other["receiptId"] == answered or other["receiptStatus"] != receipts.RELEASE_STOP_UNCHECKED:
            continue
        box_ids = {item["shipmentBoxId"] for item in other["returnItems"]}
        if not box_ids & shipped:
            continue
        if any((box := get_box(tx, box_id)) is None or box["status"] not in SHIPPED for box_id in box_ids):
            continue
        for item in other["returnItems"]:
            item["releaseStatus"] = "A"
        receipts.transition(other, "autoAlreadyShipped", now)
        other["releaseStopStatus"] = "자동처리(이미출고)"
        receipts.put(tx, other)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
