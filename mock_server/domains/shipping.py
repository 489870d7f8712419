"""Shipping a box: acknowledgement, invoice upload / update (분리배송 included), long-term undelivered,
and the buyer / courier side (address change, purchase confirmation, tracking scans).

Timed courier steps need no bookkeeping here: the boxes' "timedStep" index follows their status and
times (orders.timed_step), and order_timers applies what is due.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import timefmt
from .fsm import IllegalTransition
from .orders import (
    BOX_MACHINE,
    BOXES,
    CANCELED,
    DEPARTURE,
    FINAL_DELIVERY,
    INSTRUCT,
    INVOICE_REUSE_DAYS,
    INVOICE_USES,
    LONG_TERM_DAYS,
    ORDERS,
    REMOTE_POSTCODE_PREFIXES,
    REMOTE_PRICE,
    NewId,
    apply_event,
    courier,
    get_box,
    get_order,
    invoice_format_error,
    iso,
    live_lines,
    order_boxes,
    overrides,
    shippable,
)
from .paging import time_key

# ---------------------------------------------------------------- seller: acknowledgement


ACK_REFUSED = "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요."


def acknowledge(tx: Tx, now: datetime, box_ids: list[int]) -> list[dict[str, Any]]:
    """ACCEPT → INSTRUCT per box; a line result for each requested id (responseList)."""
    results = []
    for box_id in box_ids:
        box = get_box(tx, box_id)
        if box is None:
            results.append(
                _result(box_id, False, "NOT_FOUND_SHIPMENT_BOX", f"shipmentBoxId ({box_id}) is not found.", True)
            )
            continue
        # a refund still in progress blocks the box until it completes (상품준비중 처리 notes)
        refund_pending = any(line["holdCountForCancel"] for line in box["orderItems"])
        if refund_pending or not BOX_MACHINE.can(box["status"], "acknowledge"):
            results.append(_result(box_id, False, "INVALID_STATUS", ACK_REFUSED, False))
            continue
        apply_event(box, "acknowledge", now)
        tx.put(BOXES, box_id, box)
        results.append(_result(box_id, True, "OK", "request succeeded.", False))
    return results


# The acknowledgement FAQ answer 200 "OK Failed shipmentBoxIds: [...]" names boxes that were already
# INSTRUCT or DEPARTURE (orders.yaml errors); the mock puts it in the envelope message (spec x-inferred).
ACK_ALREADY_PAST = (INSTRUCT, DEPARTURE)


def already_past_accept(tx: Tx, results: list[dict[str, Any]]) -> list[int]:
    """The refused boxes of an acknowledgement that are INSTRUCT or DEPARTURE, in request order, once each."""
    found: list[int] = []
    for row in results:
        box = None if row["succeed"] else get_box(tx, row["shipmentBoxId"])
        if box is not None and box["status"] in ACK_ALREADY_PAST and box["shipmentBoxId"] not in found:
            found.append(box["shipmentBoxId"])
    return found


def ack_failed_message(box_ids: list[int]) -> str:
    return f"OK Failed shipmentBoxIds: [{', '.join(str(box_id) for box_id in box_ids)}]"


def _result(box_id: int, ok: bool, code: str, message: str | None, retry: bool) -> dict[str, Any]:
    return {
        "shipmentBoxId": box_id,
        "succeed": ok,
        "resultCode": code,
        "retryRequired": retry,
        "resultMessage": message,
    }


# ---------------------------------------------------------------- seller: invoices

INVOICE_MESSAGES = {
    "NOT_FOUND_SHIPMENT_BOX": ("존재하지 않는 송장번호입니다.", False),
    "PERMISSION_DENIED": ("권한이 없습니다.", True),
    "DUPLICATE_INVOICE_NUMBER": ("이미 저장된 송장번호가 있습니다.", True),
    "INVALID_INVOICE_NUMBER": ("송장번호가 유효하지 않습니다.", True),
    "ORDER_DELIVERY_CANCELED": ("취소된 주문건입니다.", False),
    "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED": ("출고중지 요청건입니다.", True),
    "ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL": ("취소대기상태의 주문건입니다.", True),
    "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD": (
        "이미 저장된 송장번호가 있어, 송장번호 등록이 불가능합니다. (동일송장번호 업로드 조건 : 수취인정보 동일)",
        False,
    ),
    "NOT_FOUND_INVOICE_NUMBER": ("이미 출고 예정일이 등록된 상품이어서 운송장 번호를 입력하셔야 합니다.", False),
    "NOT_FOUND_VENDOR_ITEM": ("합포장건 중 누락된 상품이 있습니다.", False),
    "NOT_ALLOW_VENDOR_DIRECT": ("업체직송은 분리배송 할 수 없습니다.", False),
    "PSD_NOT_ALLOW_TO_CHANGE": ("출고예정일은 최초 등록 이후 변경 할 수 없습니다.", False),
    "NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY": ("일반배송 접수 후 분리배송을 다시 할 수 없습니다.", False),
    "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY": (
        "분리배송 접수 후 일반배송으로 처리 할 수 없습니다. 분리배송 여부를 Y로 수정하시기 바랍니다.",
        False,
    ),
    "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM": ("상품이 한가지인 경우 분리배송 할 수 없습니다.", False),
}
STOP_REQUESTED = "출고중지 요청건입니다."


def invalid_status_message(box_id: int, order_id: int) -> str:
    return f"배송진행상태가 유효하지 않습니다. [합포장번호 : {box_id}] [주문번호 : {order_id}]"


class LineFailure(Exception):
    """One box of an invoice request fails with a catalogued result code; the others go on."""

    def __init__(self, code: str, message: str | None = None) -> None:
        text, retry = INVOICE_MESSAGES.get(code, (message or "", False))
        super().__init__(code)
        self.code = code
        self.message = message or text
        self.retry = retry


def check_invoice_formats(lines: list[dict[str, Any]]) -> None:
    """Courier code and invoice format problems reject the whole request with HTTP 400."""
    for line in lines:
        code = str(line.get("deliveryCompanyCode") or "")
        number = str(line.get("invoiceNumber") or "")
        if courier(code) is None:
            raise ApiError(400, "invalid delivery company code:")
        if number:
            problem = invoice_format_error(code, number)
            if problem:
                raise ApiError(400, problem)


def apply_invoices(
    tx: Tx, now: datetime, new_id: NewId, lines: list[dict[str, Any]], update: bool
) -> list[dict[str, Any]]:
    """upload-invoices (update=False) / update-invoices (update=True): one result per shipmentBoxId."""
    check_invoice_formats(lines)
    results = []
    for box_id, box_lines in _group_by_box(lines):
        box = get_box(tx, box_id)
        try:
            if box is None:
                raise LineFailure("NOT_FOUND_SHIPMENT_BOX")
            if update:
                _update_invoice(tx, now, box, box_lines)
            else:
                _upload_invoice(tx, now, new_id, box, box_lines)
        except LineFailure as failure:
            results.append(_result(box_id, False, failure.code, failure.message, failure.retry))
            continue
        results.append(_result(box_id, True, "OK", None, False))
    return results


def _group_by_box(lines: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    groups: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        groups.setdefault(line["shipmentBoxId"], []).append(line)
    return list(groups.items())


def _upload_invoice(tx: Tx, now: datetime, new_id: NewId, box: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    _common_box_checks(box)
    if box["status"] != INSTRUCT:
        raise LineFailure("INVALID_STATUS", invalid_status_message(box["shipmentBoxId"], box["orderId"]))
    _stop_request_check(box)
    live = {line["vendorItemId"]: line for line in live_lines(box) if shippable(line) > 0}
    sent = {line["vendorItemId"] for line in lines}
    if sent != set(live):
        raise LineFailure("NOT_FOUND_VENDOR_ITEM")
    split = any(line.get("splitShipping") for line in lines)
    if not split:
        if box["splitShipping"]:
            raise LineFailure("IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY")
        code, number = _single_invoice(lines)
        check_reuse(tx, box, code, number)
        ship(box, code, number, now, "uploadInvoice")
        remember_invoice(tx, box, code, number, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
        return
    _split_ship(tx, now, new_id, box, lines, live)


def _common_box_checks(box: dict[str, Any]) -> None:
    if box["status"] == CANCELED:
        raise LineFailure("ORDER_DELIVERY_CANCELED")


def _stop_request_check(box: dict[str, Any]) -> None:
    """Open stop-shipment requests (RU receipts) block the invoice of their box."""
    held = [line for line in live_lines(box) if line["holdCountForCancel"]]
    if not held:
        return
    if all(shippable(line) == 0 for line in live_lines(box)):
        raise LineFailure("ORDER_DELIVERY_CANCELED", STOP_REQUESTED)
    raise LineFailure("ORDER_DELIVERY_PARTIAL_STOP_REQUESTED")


def _single_invoice(lines: list[dict[str, Any]]) -> tuple[str, str]:
    code = lines[0]["deliveryCompanyCode"]
    number = str(lines[0].get("invoiceNumber") or "")
    if not number or any(str(line.get("invoiceNumber") or "") != number for line in lines):
        raise LineFailure("INVALID_INVOICE_NUMBER")
    return code, number


def check_reuse(tx: Tx, box: dict[str, Any], code: str, number: str) -> None:
    """An invoice number may serve several boxes within 6 months only for the same receiver
    (name + address); DIRECT numbers are never tracked, so never compared."""
    if code == "DIRECT":
        return
    mine = _receiver_key(box)
    since = timefmt.parse_iso(box["createdAt"]) - timedelta(days=INVOICE_REUSE_DAYS)
    for use in tx.find(INVOICE_USES, "byInvoice", prefix=(code, number), lo=time_key(since)):
        recent = timefmt.parse_iso(use["at"]) > since
        if use["shipmentBoxId"] != box["shipmentBoxId"] and use["receiver"] != mine and recent:
            raise LineFailure("NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD")


def _receiver_key(box: dict[str, Any]) -> str:
    receiver = box["receiver"]
    return f"{receiver['name']}|{receiver['addr1']}|{receiver['addr2']}"


def remember_invoice(tx: Tx, box: dict[str, Any], code: str, number: str, now: datetime) -> None:
    """One document per (invoice, box): the latest use is what the 6-month rule compares."""
    if code == "DIRECT":
        return
    use = {
        "deliveryCompanyCode": code,
        "invoiceNumber": number,
        "shipmentBoxId": box["shipmentBoxId"],
        "receiver": _receiver_key(box),
        "at": iso(now),
    }
    tx.put(INVOICE_USES, f"{code}:{number}:{box['shipmentBoxId']}", use)


def ship(box: dict[str, Any], code: str, number: str, now: datetime, event: str) -> None:
    """The box leaves with an invoice: DEPARTURE, or NONE_TRACKING for DIRECT (업체직송, untracked)."""
    direct = code == "DIRECT"
    apply_event(box, event + ("Direct" if direct and event != "alreadyShipped" else ""), now)
    box["deliveryCompanyCode"] = code
    box["invoiceNumber"] = number
    box["inTrasitDateTime"] = box["inTrasitDateTime"] or iso(now)
    box["departureAt"] = iso(now)
    box["deliveredDate"] = None if box["status"] != FINAL_DELIVERY else box["deliveredDate"]
    box.pop("pickedUpAt", None)
    for line in live_lines(box):
        line["invoiceNumberUploadDate"] = iso(now)


def _split_ship(
    tx: Tx, now: datetime, new_id: NewId, box: dict[str, Any], lines: list[dict[str, Any]], live: dict[int, Any]
) -> None:
    """분리배송: each invoiced line leaves in a NEW box (DEPARTURE); lines given an estimated date stay
    on the original id until their own upload (orders.yaml split-shipping rules)."""
    if any(line["deliveryCompanyCode"] == "DIRECT" for line in lines):
        raise LineFailure("NOT_ALLOW_VENDOR_DIRECT")
    if len(live) < 2 and not box["splitShipping"]:
        raise LineFailure("NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM")
    shipped, planned = _split_plan(live, lines)
    for line in shipped:
        check_reuse(tx, box, line["deliveryCompanyCode"], str(line["invoiceNumber"]))
    apply_event(box, "splitShip", now)
    box["splitShipping"] = True
    for vid, day in planned:
        live[vid]["plannedShippingDate"] = day
        live[vid]["estimatedShippingDate"] = day
    # the last invoice ships on the original id when nothing is left behind
    leaves_on_original = shipped[-1] if shipped and not planned else None
    for line in shipped:
        code, number = line["deliveryCompanyCode"], str(line["invoiceNumber"])
        if line is leaves_on_original:
            ship(box, code, number, now, "uploadInvoice")
            remember_invoice(tx, box, code, number, now)
            continue
        part = _split_off(tx, new_id, box, line["vendorItemId"], now)
        ship(part, code, number, now, "uploadInvoice")
        remember_invoice(tx, part, code, number, now)
        tx.put(BOXES, part["shipmentBoxId"], part)
    tx.put(BOXES, box["shipmentBoxId"], box)


def _split_plan(
    live: dict[int, Any], lines: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Which request lines ship now and which only receive an estimated shipping date."""
    shipped: list[dict[str, Any]] = []
    planned: list[tuple[int, str]] = []
    for line in lines:
        number = str(line.get("invoiceNumber") or "")
        day = str(line.get("estimatedShippingDate") or "")
        current = live[line["vendorItemId"]]["plannedShippingDate"]
        if number and day:
            raise LineFailure("INVALID_INVOICE_NUMBER")
        if number:
            shipped.append(line)
        elif not day:
            raise LineFailure("NOT_FOUND_INVOICE_NUMBER" if current else "INVALID_INVOICE_NUMBER")
        elif current and current != day:
            raise LineFailure("PSD_NOT_ALLOW_TO_CHANGE")
        elif current:
            raise LineFailure("NOT_FOUND_INVOICE_NUMBER")
        else:
            _valid_day(day)
            planned.append((line["vendorItemId"], day))
    return shipped, planned


def _valid_day(day: str) -> None:
    try:
        date.fromisoformat(day)
    except ValueError:
        raise LineFailure("INVALID_INVOICE_NUMBER") from None


def _split_off(tx: Tx, new_id: NewId, box: dict[str, Any], vendor_item_id: int, now: datetime) -> dict[str, Any]:
    """Move one line of `box` into a new box that keeps the order data and history so far."""
    moved = [line for line in box["orderItems"] if line["vendorItemId"] == vendor_item_id]
    box["orderItems"] = [line for line in box["orderItems"] if line["vendorItemId"] != vendor_item_id]
    part = json.loads(json.dumps(box))
    part["shipmentBoxId"] = new_id("shipmentBoxId", 18)
    part["orderItems"] = moved
    part["splitFrom"] = box["shipmentBoxId"]
    order = get_order(tx, box["orderId"])
    if order is not None:
        order["shipmentBoxIds"].append(part["shipmentBoxId"])
        tx.put(ORDERS, order["orderId"], order)
    return part


def _update_invoice(tx: Tx, now: datetime, box: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    _common_box_checks(box)
    event_base = "updateInvoice"
    if not BOX_MACHINE.can(box["status"], event_base):
        raise LineFailure("INVALID_STATUS", invalid_status_message(box["shipmentBoxId"], box["orderId"]))
    if any(line.get("splitShipping") for line in lines) and not box["splitShipping"]:
        raise LineFailure("NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY")
    code, number = _single_invoice(lines)
    if code == box["deliveryCompanyCode"] and number == box["invoiceNumber"]:
        raise LineFailure("DUPLICATE_INVOICE_NUMBER")
    check_reuse(tx, box, code, number)
    ship(box, code, number, now, event_base)
    remember_invoice(tx, box, code, number, now)
    tx.put(BOXES, box["shipmentBoxId"], box)


# ---------------------------------------------------------------- seller: long-term undelivered


def complete_long_term(tx: Tx, now: datetime, box_id: int, invoice_number: str) -> None:
    """DEPARTURE/DELIVERING ≥ 30 days after DEPARTURE with the box's own invoice → FINAL_DELIVERY."""
    box = get_box(tx, box_id)
    status = box["status"] if box else "null"
    failure = f"배송완료 처리 실패. 배송상태: {status}"
    if box is None or not BOX_MACHINE.can(box["status"], "completeLongTerm"):
        raise ApiError(400, failure)
    old_enough = now - timefmt.parse_iso(box["departureAt"]) >= timedelta(days=LONG_TERM_DAYS)
    if str(invoice_number) != box["invoiceNumber"] or not old_enough:
        raise ApiError(400, failure)
    apply_event(box, "completeLongTerm", now)
    tx.put(BOXES, box_id, box)


# ---------------------------------------------------------------- buyer / courier simulation


def change_address(tx: Tx, now: datetime, order: dict[str, Any], receiver: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer edits the delivery address: allowed only while every live box is ACCEPT."""
    changes = overrides(receiver, ("name", "safeNumber", "addr1", "addr2", "postCode"))
    if not changes:
        raise ApiError(400, "receiver needs at least one of name, safeNumber, addr1, addr2, postCode")
    boxes = [box for box in order_boxes(tx, order) if box["status"] != CANCELED]
    for box in boxes:
        if not BOX_MACHINE.can(box["status"], "changeAddress"):
            raise ApiError(409, f"box {box['shipmentBoxId']} is {box['status']}: the address can change only in ACCEPT")
    for box in boxes:
        apply_event(box, "changeAddress", now)
        box["receiver"] = {**box["receiver"], **changes}
        remote = box["receiver"]["postCode"].startswith(REMOTE_POSTCODE_PREFIXES)
        box["remoteArea"], box["remotePrice"] = remote, REMOTE_PRICE if remote else 0
        tx.put(BOXES, box["shipmentBoxId"], box)
    return boxes


def confirm_purchase(tx: Tx, now: datetime, order: dict[str, Any]) -> list[int]:
    """구매확정 by the customer: every delivered box of the order gets its confirmDate."""
    confirmed = []
    for box in order_boxes(tx, order):
        if box["status"] == FINAL_DELIVERY and not box.get("confirmDate"):
            apply_event(box, "purchaseConfirm", now)
            tx.put(BOXES, box["shipmentBoxId"], box)
            confirmed.append(box["shipmentBoxId"])
    if not confirmed:
        raise ApiError(409, "no delivered, unconfirmed box in this order")
    return confirmed


COURIER_EVENTS = {"PICKED_UP": "pickedUp", "DELIVERED": "delivered"}


def courier_scan(tx: Tx, now: datetime, box_id: int, event: str) -> dict[str, Any]:
    """A tracking scan of the courier; untracked (DIRECT / NONE_TRACKING) boxes never get one."""
    if event not in COURIER_EVENTS:
        raise ApiError(400, f"event must be one of {sorted(COURIER_EVENTS)}")
    box = get_box(tx, box_id)
    if box is None:
        raise ApiError(404, f"shipmentBoxId {box_id} does not exist")
    try:
        apply_event(box, COURIER_EVENTS[event], now)
    except IllegalTransition:
        raise ApiError(409, f"box {box_id} is {box['status']}: the courier cannot report {event}") from None
    tx.put(BOXES, box_id, box)
    return box
