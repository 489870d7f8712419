"""Orders and delivery: customer orders, shipment boxes (발주서), their one lifecycle, and reads.

Store kinds (per vendor):
- "orders" (key orderId): orderId, paymentId, orderedAt, paidAt, orderer, shipmentBoxIds, refer.
- "boxes" (key shipmentBoxId): one bundle-shipping box with its order lines (`orderItems`), status,
  receiver, invoice, history. Times are ISO-8601 UTC strings, money plain KRW integers; the wire
  formats (v5 i18n / v4 legacy) are produced by `render_box`.
- "invoice-uses" (key "<courier>:<number>:<shipmentBoxId>"): who shipped with an invoice number and
  when, for the 6-month reuse rule (one small document per use, found by number).
- "orders-meta": "policy" (courier/consistency/refund settings of the simulation).

Requests never iterate a kind: every list, timer and lookup goes through the indexes declared below
(`store.declare_index`), so a request costs what it reads, not what is stored.

The order domain is split by concern: this module (model, machine, reads, rendering, hooks for the
after-sales domains), `order_placing` (the buyer pays), `order_lists` (order-sheet list queries),
`shipping` (acknowledgement, invoices, courier and buyer simulation), `order_cancel` (cancellation and
stop-shipment) and `order_timers` (the ticker).

Status changes go through BOX_MACHINE only (orders.yaml → state_machine). A fully cancelled box is
the internal state CANCELED: it is not a wire status, the box just disappears from every order-sheet
read, which is what Coupang does ("해당 주문이 취소 또는 반품되었습니다.").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from ..errors import ApiError
from ..jsonio import clone
from ..store import IndexKey, Probe, Tx, declare_index
from . import timefmt
from .fsm import StateMachine
from .paging import time_key

BOXES = "boxes"
ORDERS = "orders"
META = "orders-meta"
INVOICE_USES = "invoice-uses"
NewId = Callable[[str, int], int]

ACCEPT, INSTRUCT, DEPARTURE = "ACCEPT", "INSTRUCT", "DEPARTURE"
DELIVERING, FINAL_DELIVERY, NONE_TRACKING = "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"
CANCELED = "CANCELED"  # internal only: never rendered, the box leaves every order-sheet read
WIRE_STATUSES = (ACCEPT, INSTRUCT, DEPARTURE, DELIVERING, FINAL_DELIVERY, NONE_TRACKING)
STATUS_LABELS = {
    ACCEPT: "결제완료",
    INSTRUCT: "상품준비중",
    DEPARTURE: "배송지시",
    DELIVERING: "배송중",
    FINAL_DELIVERY: "배송완료",
    NONE_TRACKING: "업체 직접 배송",
}
SHIPPED = (DEPARTURE, DELIVERING, FINAL_DELIVERY, NONE_TRACKING)

# The whole shipment-box lifecycle (orders.yaml → state_machine → transitions). Self-loops are the
# documented "state stays, something else changes" edges (address change, partial cancel, RU request).
BOX_MACHINE = StateMachine(
    name="shipment-box",
    states=(*WIRE_STATUSES, CANCELED),
    initial=ACCEPT,
    terminal=frozenset({CANCELED}),
    table={
        (ACCEPT, "acknowledge"): INSTRUCT,
        (ACCEPT, "changeAddress"): ACCEPT,
        (ACCEPT, "cancelPart"): ACCEPT,
        (ACCEPT, "cancelAll"): CANCELED,
        (INSTRUCT, "uploadInvoice"): DEPARTURE,
        (INSTRUCT, "uploadInvoiceDirect"): NONE_TRACKING,
        (INSTRUCT, "splitShip"): INSTRUCT,
        (INSTRUCT, "requestStop"): INSTRUCT,
        (INSTRUCT, "cancelPart"): INSTRUCT,
        (INSTRUCT, "cancelAll"): CANCELED,
        (INSTRUCT, "alreadyShipped"): DEPARTURE,
        (DEPARTURE, "pickedUp"): DELIVERING,
        (DEPARTURE, "delivered"): FINAL_DELIVERY,
        (DELIVERING, "delivered"): FINAL_DELIVERY,
        (DEPARTURE, "completeLongTerm"): FINAL_DELIVERY,
        (DELIVERING, "completeLongTerm"): FINAL_DELIVERY,
        (FINAL_DELIVERY, "purchaseConfirm"): FINAL_DELIVERY,
        **{(state, "updateInvoice"): DEPARTURE for state in SHIPPED},
        **{(state, "updateInvoiceDirect"): NONE_TRACKING for state in SHIPPED},
    },
)

DEFAULT_POLICY: dict[str, Any] = {
    "courierAuto": False,  # the courier moves DEPARTURE → DELIVERING → FINAL_DELIVERY by itself
    "pickupAfterSeconds": 6 * 3600,
    "deliverAfterSeconds": 24 * 3600,
    "listLagSeconds": 0,  # new orders reach list queries late (Coupang: ~10 min); by-id reads see them
    "refundDelaySeconds": 0,  # buyer cancel in ACCEPT: refund in progress until then
    "autoConfirmDays": 7,  # purchase confirmation after delivery
}
REMOTE_POSTCODE_PREFIXES = ("63",)  # 제주: 도서산간 surcharge
REMOTE_PRICE = 3000
LONG_TERM_DAYS = 30
INVOICE_REUSE_DAYS = 180


# ---------------------------------------------------------------- indexes (what requests may ask for)

UNTRACKED_RECOGNITION_DAYS = 7  # settlement: an untracked box's sale is recognised invoice upload + 7 days


def _created(box: dict[str, Any]) -> str:
    return time_key(box["createdAt"])


def _sheet_key(box: dict[str, Any]) -> IndexKey | None:
    """list-ordersheets: readable boxes by status, oldest first (the list lag is checked per row)."""
    return (box["status"], _created(box), box["shipmentBoxId"]) if is_readable(box) else None


def timed_step(box: dict[str, Any]) -> tuple[str, str] | None:
    """The next automatic step of a box and the moment its delay counts from; the delay itself is
    policy (order_timers), so the index holds the base time and a policy change needs no re-plan."""
    status = box["status"]
    if status == DEPARTURE and box.get("departureAt"):
        return "pickedUp", box["departureAt"]
    if status == DELIVERING and box.get("pickedUpAt"):
        return "delivered", box["pickedUpAt"]
    if status == FINAL_DELIVERY and not box.get("confirmDate") and box.get("deliveredDate"):
        return "purchaseConfirm", box["deliveredDate"]
    return None


def _timed_key(box: dict[str, Any]) -> IndexKey | None:
    step = timed_step(box)
    return None if step is None else (step[0], time_key(step[1]), box["shipmentBoxId"])


def _replacement_key(box: dict[str, Any]) -> IndexKey | None:
    """Delivered exchange replacements the exchanges domain has not looked at yet."""
    if not box.get("exchangeId") or box["status"] != FINAL_DELIVERY or box.get("exchangeNoted"):
        return None
    return (time_key(box.get("deliveredDate") or box["createdAt"]), box["shipmentBoxId"])


def sale_day(box: dict[str, Any]) -> str | None:
    """매출인식일 (KST, ISO date) a box has or will have: its purchase confirmation, or for an untracked
    box its invoice upload + 7 days (settlement checks that this moment has passed)."""
    if box.get("confirmDate"):
        return timefmt.kst_date(_at(box["confirmDate"])).isoformat()
    if box["status"] == NONE_TRACKING and box.get("departureAt"):
        return timefmt.kst_date(untracked_recognition(box)).isoformat()
    return None


def untracked_recognition(box: dict[str, Any]) -> datetime:
    return _at(box["departureAt"]) + timedelta(days=UNTRACKED_RECOGNITION_DAYS)


def _sale_key(box: dict[str, Any]) -> IndexKey | None:
    day = sale_day(box)
    return None if day is None else (day, box["orderId"], box["shipmentBoxId"])


declare_index(BOXES, "sheets", _sheet_key)
declare_index(BOXES, "byStatus", lambda box: (box["status"], _created(box), box["shipmentBoxId"]))
declare_index(BOXES, "recent", lambda box: (_created(box), box["shipmentBoxId"]))
declare_index(BOXES, "timedStep", _timed_key)
declare_index(BOXES, "replacementDelivered", _replacement_key)
REPLACEMENTS_DELIVERED = Probe(BOXES, "replacementDelivered")
declare_index(BOXES, "saleDay", _sale_key)
declare_index(ORDERS, "recent", lambda order: (time_key(order["orderedAt"]), order["orderId"]))
declare_index(
    INVOICE_USES,
    "byInvoice",
    lambda use: (use["deliveryCompanyCode"], use["invoiceNumber"], time_key(use["at"]), use["shipmentBoxId"]),
)


# ---------------------------------------------------------------- couriers


@cache
def couriers() -> dict[str, dict[str, Any]]:
    """Delivery company codes (package data from orders.yaml → delivery_company_codes)."""
    text = resources.files("coupang_mock.server.data").joinpath("couriers.json").read_text(encoding="utf-8")
    return {entry["code"]: entry for entry in json.loads(text)["couriers"]}


def courier(code: str) -> dict[str, Any] | None:
    entry = couriers().get(code)
    return None if entry is None or entry.get("discontinued") else entry


def mask_invoice(number: str) -> str:
    """How Coupang echoes a rejected invoice number: "6255*****632" (first third, last three)."""
    if len(number) < 7:
        return "***"
    head = len(number) // 3
    return number[:head] + "*" * (len(number) - head - 3) + number[-3:]


def invoice_format_error(code: str, number: str) -> str | None:
    """The 400 message for an invoice number the courier would not accept, None if it is fine.

    Rules per orders.yaml validation_hint_for_mock: digits and lengths for the big couriers, digits
    only for DIRECT, anything non-empty for the others.
    """
    entry = courier(code)
    if entry is None:
        return "invalid delivery company code:"
    name = entry["name"]
    if entry.get("digitsOnly") and not number.isdigit():
        return (
            f"{name}의 운송장번호는 숫자로만 구성되어야 합니다. InvoiceNumber must be number. [{mask_invoice(number)}]"
        )
    rule = entry.get("invoiceLength")
    if rule and not _length_ok(rule, len(number)):
        return f"{name}의 송장번호 형식에 맞지않는 운송장 번호 입니다. [{mask_invoice(number)}]"
    return None


def _length_ok(rule: dict[str, Any], length: int) -> bool:
    if "exact" in rule:
        return length in rule["exact"]
    return rule["min"] <= length <= rule["max"]


# ---------------------------------------------------------------- policy


def policy(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_POLICY, **(tx.get(META, "policy") or {})}


def set_policy(tx: Tx, now: datetime, changes: dict[str, Any]) -> dict[str, Any]:
    """Update the simulation policy. Timed steps are found by their base time (see TIMED_STEP), so a
    new delay applies to every box at once without re-planning anything."""
    unknown = set(changes) - set(DEFAULT_POLICY)
    if unknown:
        raise ApiError(400, f"unknown policy fields {sorted(unknown)}; known: {sorted(DEFAULT_POLICY)}")
    for name, value in changes.items():
        expected = bool if isinstance(DEFAULT_POLICY[name], bool) else (int, float)
        if not isinstance(value, expected) or (expected is not bool and (isinstance(value, bool) or value < 0)):
            raise ApiError(400, f"{name} must be {'true or false' if expected is bool else 'a number >= 0'}")
    merged = {**policy(tx), **changes}
    tx.put(META, "policy", merged)
    return merged


# ---------------------------------------------------------------- small helpers


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def shippable(line: dict[str, Any]) -> int:
    """Units still to ship: shippingCount - (holdCountForCancel + cancelCount) (orders.yaml notes)."""
    return line["shippingCount"] - line["holdCountForCancel"] - line["cancelCount"]


def live_lines(box: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in box["orderItems"] if not line["canceled"]]


def line_of(box: dict[str, Any], vendor_item_id: int) -> dict[str, Any] | None:
    return next((line for line in box["orderItems"] if line["vendorItemId"] == vendor_item_id), None)


def apply_event(box: dict[str, Any], event: str, now: datetime) -> None:
    """Move the box through BOX_MACHINE (IllegalTransition if the table has no edge) and log it."""
    target = BOX_MACHINE.next(box["status"], event)
    changed = target != box["status"]
    box["status"] = target
    if event == "pickedUp":
        box["pickedUpAt"] = iso(now)
    if target == FINAL_DELIVERY and event in ("delivered", "completeLongTerm"):
        box["deliveredDate"] = iso(now)
    if event == "purchaseConfirm":
        box["confirmDate"] = iso(now)
        for line in live_lines(box):
            line["confirmDate"] = iso(now)
    if changed and target != CANCELED:
        box["history"].append({"status": target, "at": iso(now)})
    if target == CANCELED:
        box["canceledAt"] = iso(now)


def get_box(tx: Tx, shipment_box_id: int) -> dict[str, Any] | None:
    return tx.get(BOXES, shipment_box_id)


def get_order(tx: Tx, order_id: int) -> dict[str, Any] | None:
    return tx.get(ORDERS, order_id)


def order_boxes(tx: Tx, order: dict[str, Any]) -> list[dict[str, Any]]:
    return [box for box_id in order["shipmentBoxIds"] if (box := get_box(tx, box_id)) is not None]


def is_readable(box: dict[str, Any]) -> bool:
    """Cancelled and return-completed boxes are gone from order-sheet reads (orders.yaml notes)."""
    return box["status"] != CANCELED and not box.get("returnCompleted")


def overrides(raw: Any, allowed: Iterable[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiError(400, "orderer/receiver must be objects")
    return {k: str(v) for k, v in raw.items() if k in allowed}


# ---------------------------------------------------------------- rendering (v5 i18n / v4 legacy)


def money(amount: int, legacy: bool) -> Any:
    return amount if legacy else {"currencyCode": "KRW", "units": amount, "nanos": 0}


def phone_on_wire(number: str, legacy: bool) -> str:
    """v4 keeps Korean safe numbers (0504-1234-5678); v5 is E.164-style (+82-504-1234-5678)."""
    if legacy or not number.startswith("0"):
        return number
    return "+82-" + number[1:]


@functools.lru_cache(maxsize=16384)  # a list page formats the same few stored instants many times
def _time(value: str | None, legacy: bool, spaced: bool = False) -> str | None:
    if not value:
        return None
    moment = _at(value)
    if not legacy:
        return timefmt.iso_i18n(moment)
    return timefmt.legacy_space(moment) if spaced else timefmt.legacy_t(moment)


def render_box(box: dict[str, Any], legacy: bool) -> dict[str, Any]:
    """An OrderSheet exactly as the order-sheet reads answer it (orders.yaml field list)."""
    distinct_live = {line["vendorItemId"] for line in live_lines(box)}
    return {
        "shipmentBoxId": box["shipmentBoxId"],
        "orderId": box["orderId"],
        "orderedAt": _time(box["orderedAt"], legacy),
        "orderer": {**box["orderer"], "safeNumber": phone_on_wire(box["orderer"]["safeNumber"], legacy)},
        "paidAt": _time(box["paidAt"], legacy),
        "status": box["status"],
        "shippingPrice": money(box["shippingPrice"], legacy),
        "remotePrice": money(box["remotePrice"], legacy),
        "remoteArea": box["remoteArea"],
        "parcelPrintMessage": box["parcelPrintMessage"],
        "splitShipping": box["splitShipping"],
        "ableSplitShipping": len(distinct_live) > 1 and box["status"] in (ACCEPT, INSTRUCT),
        "receiver": {**box["receiver"], "safeNumber": phone_on_wire(box["receiver"]["safeNumber"], legacy)},
        "orderItems": [_render_line(line, legacy) for line in box["orderItems"]],
        "overseaShippingInfoDto": {"personalCustomsClearanceCode": "", "ordererSsn": "", "ordererPhoneNumber": ""},
        "deliveryCompanyName": _courier_name(box["deliveryCompanyCode"]),
        "invoiceNumber": box["invoiceNumber"],
        "inTrasitDateTime": _time(box["inTrasitDateTime"], legacy, spaced=True) or "",
        "deliveredDate": _time(box["deliveredDate"], legacy, spaced=True) or "",
        "refer": box["refer"],
        "shipmentType": box["shipmentType"],
        "isCod": box["isCod"],
        "extraProperties": box["extraProperties"],
    }


def _courier_name(code: str) -> str:
    entry = couriers().get(code) if code else None
    return entry["name"] if entry else ""


def _render_line(line: dict[str, Any], legacy: bool) -> dict[str, Any]:
    return {
        "vendorItemPackageId": 0,
        "vendorItemPackageName": line["sellerProductName"],
        "productId": line["productId"],
        "vendorItemId": line["vendorItemId"],
        "vendorItemName": line["vendorItemName"],
        "shippingCount": line["shippingCount"],
        **{
            name: money(line[name], legacy)
            for name in (
                "salesPrice",
                "orderPrice",
                "discountPrice",
                "instantCouponDiscount",
                "downloadableCouponDiscount",
                "coupangDiscount",
            )
        },
        "externalVendorSkuCode": line["externalVendorSkuCode"],
        "etcInfoHeader": None,
        "etcInfoValue": None,
        "etcInfoValues": [],
        "sellerProductId": line["sellerProductId"],
        "sellerProductName": line["sellerProductName"],
        "sellerProductItemName": line["sellerProductItemName"],
        "firstSellerProductItemName": line["firstSellerProductItemName"],
        "cancelCount": line["cancelCount"],
        "holdCountForCancel": line["holdCountForCancel"],
        "estimatedShippingDate": line["estimatedShippingDate"],
        "plannedShippingDate": line["plannedShippingDate"],
        "invoiceNumberUploadDate": _time(line["invoiceNumberUploadDate"], legacy) or "",
        "extraProperties": line["extraProperties"],
        "pricingBadge": line["pricingBadge"],
        "usedProduct": line["usedProduct"],
        "confirmDate": _time(line["confirmDate"], legacy, spaced=True),
        "deliveryChargeTypeName": line["deliveryChargeTypeName"],
        "upBundleVendorItemId": None,
        "upBundleVendorItemName": None,
        "upBundleSize": None,
        "upBundleItem": False,
        "canceled": line["canceled"],
    }


def render_history(box: dict[str, Any], legacy: bool) -> dict[str, Any]:
    return {
        "shipmentBoxId": box["shipmentBoxId"],
        "details": [
            {
                "deliveryStatus": entry["status"],
                "deliveryStatusDesc": STATUS_LABELS[entry["status"]],
                "updatedAt": _time(entry["at"], legacy),
            }
            for entry in reversed(box["history"])
        ],
    }


# ---------------------------------------------------------------- for the returns / exchanges domains


def mark_return_completed(tx: Tx, shipment_box_id: int) -> None:
    """A completed return takes the box out of the order-sheet reads (orders.yaml notes)."""
    box = get_box(tx, shipment_box_id)
    if box is not None:
        box["returnCompleted"] = True
        tx.put(BOXES, shipment_box_id, box)


# ---------------------------------------------------------------- for the after-sales domains


def open_replacement_box(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    original_box_id: int,
    wanted: dict[int, int],
    fields: dict[str, Any],
) -> dict[str, Any]:
    """A new INSTRUCT box of the same order holding only `wanted` units, unpaid (an exchange's reshipment)."""
    first = get_box(tx, original_box_id)
    if first is None:
        raise ApiError(500, "the original shipment box of the exchange is gone")
    box = clone(first)
    lines = []
    for line in first["orderItems"]:
        if line["vendorItemId"] in wanted:
            count = wanted[line["vendorItemId"]]
            lines.append(
                {
                    **line,
                    "shippingCount": count,
                    "orderPrice": 0,  # the replacement is not paid again
                    "cancelCount": 0,
                    "holdCountForCancel": 0,
                    "canceled": False,
                    "invoiceNumberUploadDate": None,
                    "confirmDate": None,
                }
            )
    stamp = now.isoformat()
    box.update(
        {
            "shipmentBoxId": new_id("shipmentBoxId", 18),
            "status": INSTRUCT,
            "createdAt": stamp,
            "orderItems": lines,
            "shippingPrice": 0,
            "remotePrice": 0,
            "splitShipping": False,
            "deliveryCompanyCode": "",
            "invoiceNumber": "",
            "inTrasitDateTime": None,
            "deliveredDate": None,
            "departureAt": None,
            "confirmDate": None,
            "history": [{"status": INSTRUCT, "at": stamp}],
            **fields,
        }
    )
    for key in ("returnCompleted", "canceledAt", "pickedUpAt", "exchangeNoted"):
        box.pop(key, None)
    tx.put(BOXES, box["shipmentBoxId"], box)
    return box


def cancel_box(tx: Tx, shipment_box_id: int, now: datetime) -> None:
    """Cancel a whole box where the table allows it (a rejected exchange's replacement)."""
    box = get_box(tx, shipment_box_id)
    if box is not None and BOX_MACHINE.can(box["status"], "cancelAll"):
        box["status"] = BOX_MACHINE.next(box["status"], "cancelAll")
        box["canceledAt"] = now.isoformat()
        tx.put(BOXES, shipment_box_id, box)


def release_hold(tx: Tx, shipment_box_id: int, vendor_item_id: int, count: int) -> None:
    """A withdrawn stop-shipment request frees its held units: the box can ship them again."""
    box = get_box(tx, shipment_box_id)
    line = line_of(box, vendor_item_id) if box else None
    if box is None or line is None:
        return
    line["holdCountForCancel"] = max(0, line["holdCountForCancel"] - count)
    tx.put(BOXES, shipment_box_id, box)


def delivered_replacements(tx: Tx) -> list[dict[str, Any]]:
    """Exchange replacement boxes delivered since the exchanges domain last looked (its ticker)."""
    return tx.find(REPLACEMENTS_DELIVERED.kind, REPLACEMENTS_DELIVERED.index)


def note_replacement(tx: Tx, box: dict[str, Any]) -> None:
    """The exchanges domain has seen this delivered replacement: it leaves the index above."""
    box["exchangeNoted"] = True
    tx.put(BOXES, box["shipmentBoxId"], box)
