"""Orders and delivery: customer orders, shipment boxes (발주서) and their one lifecycle.

Store kinds (per vendor):
- "orders" (key orderId): orderId, paymentId, orderedAt, paidAt, orderer, shipmentBoxIds, refer.
- "boxes" (key shipmentBoxId): one bundle-shipping box with its order lines (`orderItems`), status,
  receiver, invoice, history. Times are ISO-8601 UTC strings, money plain KRW integers; the wire
  formats (v5 i18n / v4 legacy) are produced by `render_box`.
- "orders-meta": "policy" (courier/consistency/refund settings of the simulation) and "timers" (the
  due times the ticker looks at, so it never scans every box).

Status changes go through BOX_MACHINE only (orders.yaml → state_machine). A fully cancelled box is
the internal state CANCELED: it is not a wire status, the box just disappears from every order-sheet
read, which is what Coupang does ("해당 주문이 취소 또는 반품되었습니다.").
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import inventory, receipts, timefmt
from .fsm import IllegalTransition, StateMachine

BOXES = "boxes"
ORDERS = "orders"
META = "orders-meta"
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
LONG_TERM_DAYS = 30
INVOICE_REUSE_DAYS = 180


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


# ---------------------------------------------------------------- policy and timers


def policy(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_POLICY, **(tx.get(META, "policy") or {})}


def set_policy(tx: Tx, now: datetime, changes: dict[str, Any]) -> dict[str, Any]:
    """Update the simulation policy and re-plan every box's next timed step under it."""
    unknown = set(changes) - set(DEFAULT_POLICY)
    if unknown:
        raise ApiError(400, f"unknown policy fields {sorted(unknown)}; known: {sorted(DEFAULT_POLICY)}")
    for name, value in changes.items():
        expected = bool if isinstance(DEFAULT_POLICY[name], bool) else (int, float)
        if not isinstance(value, expected) or (expected is not bool and (isinstance(value, bool) or value < 0)):
            raise ApiError(400, f"{name} must be {'true or false' if expected is bool else 'a number >= 0'}")
    merged = {**policy(tx), **changes}
    tx.put(META, "policy", merged)
    timers = _timers(tx)
    timers["box"] = {}
    for _key, box in tx.items(BOXES):
        _plan(timers, box, merged)
    tx.put(META, "timers", timers)
    return merged


def _timers(tx: Tx) -> dict[str, dict[str, str]]:
    timers = tx.get(META, "timers") or {}
    timers.setdefault("box", {})
    timers.setdefault("receipt", {})
    return timers


def _next_step(box: dict[str, Any], pol: dict[str, Any]) -> tuple[str, datetime] | None:
    """The timed step due for this box (courier progression or auto-confirmation), if any."""
    status = box["status"]
    if status == DEPARTURE and pol["courierAuto"]:
        return "pickedUp", _at(box["departureAt"]) + timedelta(seconds=pol["pickupAfterSeconds"])
    if status == DELIVERING and pol["courierAuto"]:
        return "delivered", _at(box["pickedUpAt"]) + timedelta(seconds=pol["deliverAfterSeconds"])
    if status == FINAL_DELIVERY and not box.get("confirmDate") and box.get("deliveredDate"):
        return "purchaseConfirm", _at(box["deliveredDate"]) + timedelta(days=pol["autoConfirmDays"])
    return None


def _plan(timers: dict[str, dict[str, str]], box: dict[str, Any], pol: dict[str, Any]) -> None:
    step = _next_step(box, pol)
    key = str(box["shipmentBoxId"])
    if step is None:
        timers["box"].pop(key, None)
    else:
        timers["box"][key] = step[1].isoformat()


def _replan(tx: Tx, box: dict[str, Any]) -> None:
    timers = _timers(tx)
    before = dict(timers["box"])
    _plan(timers, box, policy(tx))
    if timers["box"] != before:
        tx.put(META, "timers", timers)


def tick(tx: Tx, now: datetime) -> None:
    """Apply every timed step that is due: courier scans, auto-confirmation, delayed refunds.

    Each step happens at its own due time (history shows when the courier really scanned), and a
    box may take several steps in one catch-up.
    """
    timers = tx.get(META, "timers")
    if not timers or not _anything_due(timers, now):
        return
    timers = _timers(tx)
    pol = policy(tx)
    for key, due in sorted(timers["receipt"].items(), key=lambda kv: kv[1]):
        if _at(due) <= now:
            _complete_refund(tx, int(key), _at(due))
            del timers["receipt"][key]
    for key, due in list(timers["box"].items()):
        if _at(due) > now:
            continue
        box = tx.get(BOXES, key)
        step = _next_step(box, pol) if box else None
        while box is not None and step is not None and step[1] <= now:
            _apply(box, step[0], step[1])
            step = _next_step(box, pol)
        if box is not None:
            tx.put(BOXES, key, box)
            _plan(timers, box, pol)
        else:
            timers["box"].pop(key, None)
    tx.put(META, "timers", timers)


def _anything_due(timers: dict[str, dict[str, str]], now: datetime) -> bool:
    return any(_at(due) <= now for group in timers.values() for due in group.values())


# ---------------------------------------------------------------- small helpers


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def shippable(line: dict[str, Any]) -> int:
    """Units still to ship: shippingCount - (holdCountForCancel + cancelCount) (orders.yaml notes)."""
    return line["shippingCount"] - line["holdCountForCancel"] - line["cancelCount"]


def live_lines(box: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in box["orderItems"] if not line["canceled"]]


def line_of(box: dict[str, Any], vendor_item_id: int) -> dict[str, Any] | None:
    return next((line for line in box["orderItems"] if line["vendorItemId"] == vendor_item_id), None)


def _apply(box: dict[str, Any], event: str, now: datetime) -> None:
    """Move the box through BOX_MACHINE (IllegalTransition if the table has no edge) and log it."""
    target = BOX_MACHINE.next(box["status"], event)
    changed = target != box["status"]
    box["status"] = target
    if event == "pickedUp":
        box["pickedUpAt"] = _iso(now)
    if target == FINAL_DELIVERY and event in ("delivered", "completeLongTerm"):
        box["deliveredDate"] = _iso(now)
    if event == "purchaseConfirm":
        box["confirmDate"] = _iso(now)
        for line in live_lines(box):
            line["confirmDate"] = _iso(now)
    if changed and target != CANCELED:
        box["history"].append({"status": target, "at": _iso(now)})
    if target == CANCELED:
        box["canceledAt"] = _iso(now)


def get_box(tx: Tx, shipment_box_id: int) -> dict[str, Any] | None:
    return tx.get(BOXES, shipment_box_id)


def get_order(tx: Tx, order_id: int) -> dict[str, Any] | None:
    return tx.get(ORDERS, order_id)


def order_boxes(tx: Tx, order: dict[str, Any]) -> list[dict[str, Any]]:
    return [box for box_id in order["shipmentBoxIds"] if (box := get_box(tx, box_id)) is not None]


def is_readable(box: dict[str, Any]) -> bool:
    """Cancelled and return-completed boxes are gone from order-sheet reads (orders.yaml notes)."""
    return box["status"] != CANCELED and not box.get("returnCompleted")


# ---------------------------------------------------------------- buyer data (deterministic)

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "하은", "시우", "지민", "주원", "수아", "지호", "채원"]
ADDRESSES = [
    ("서울특별시 강남구 테헤란로 152", "06236"),
    ("서울특별시 송파구 송파대로 570", "05510"),
    ("경기도 성남시 분당구 판교역로 235", "13494"),
    ("부산광역시 해운대구 센텀중앙로 79", "48058"),
    ("인천광역시 연수구 컨벤시아대로 165", "21998"),
    ("대전광역시 유성구 대학로 99", "34134"),
    ("광주광역시 서구 상무중앙로 61", "61949"),
    ("제주특별자치도 제주시 첨단로 242", "63309"),
]
MESSAGES = ["문 앞", "경비실에 맡겨주세요", "배송 전 연락 바랍니다", "부재 시 문 앞에 놓아주세요", ""]
REFERS = ["아이폰앱", "안드로이드앱", "PC웹", "모바일웹"]
REMOTE_POSTCODE_PREFIXES = ("63",)  # 제주: 도서산간 surcharge
REMOTE_PRICE = 3000


def _masked(name: str) -> str:
    """ "홍길동" → "홍*동" (Coupang masks the middle of personal names)."""
    return name[0] + "*" * max(len(name) - 2, 1) + (name[-1] if len(name) > 2 else "")


def _safe_number(rng: random.Random) -> str:
    """안심번호: a virtual 0504 number, never the buyer's real phone."""
    return f"0504-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def buyer_profile(seed: int, vendor_id: str, order_id: int) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    """Orderer, receiver, delivery message and order channel: same seed and order → same data."""
    rng = random.Random(f"{seed}:{vendor_id}:{order_id}")
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    orderer = {"name": _masked(name), "email": "", "safeNumber": _safe_number(rng), "ordererNumber": None}
    addr1, post_code = rng.choice(ADDRESSES)
    receiver_name = name if rng.random() < 0.7 else rng.choice(SURNAMES) + rng.choice(GIVEN)
    receiver = {
        "name": _masked(receiver_name),
        "safeNumber": _safe_number(rng),
        "receiverNumber": None,
        "addr1": addr1,
        "addr2": f"{rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 4):02d}호",
        "postCode": post_code,
    }
    return orderer, receiver, rng.choice(MESSAGES), rng.choice(REFERS)


# ---------------------------------------------------------------- placing orders (buyer)


def place_order(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    seed: int,
    request: dict[str, Any],
) -> dict[str, Any]:
    """The buyer pays: stock is taken, the order is split into boxes, every box starts in ACCEPT."""
    wanted = inventory.item_quantities(request.get("items"), default_quantity=1)
    paid_at = timefmt.paid_at(request.get("paidAt"), now)
    items = {vid: inventory.take_stock(tx, vid, qty) for vid, qty in wanted.items()}
    order_id = new_id("orderId", 14)
    orderer, receiver, message, refer = buyer_profile(seed, tx.tenant, order_id)
    orderer = {**orderer, **_overrides(request.get("orderer"), ("name", "safeNumber"))}
    receiver = {**receiver, **_overrides(request.get("receiver"), ("name", "safeNumber", "addr1", "addr2", "postCode"))}
    pol = policy(tx)
    ordered_at = paid_at - timedelta(seconds=24)
    order = {
        "orderId": order_id,
        "paymentId": new_id("paymentId", 14),
        "orderedAt": _iso(ordered_at),
        "paidAt": _iso(paid_at),
        "orderer": orderer,
        "refer": refer,
        "shipmentBoxIds": [],
    }
    for group in bundle_groups(items):
        box = _new_box(order, receiver, message, [(items[vid], wanted[vid]) for vid in group], paid_at)
        box["shipmentBoxId"] = new_id("shipmentBoxId", 18)
        box["listVisibleAt"] = _iso(now + timedelta(seconds=pol["listLagSeconds"]))
        order["shipmentBoxIds"].append(box["shipmentBoxId"])
        tx.put(BOXES, box["shipmentBoxId"], box)
    tx.put(ORDERS, order_id, order)
    return order


def _overrides(raw: Any, allowed: Iterable[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiError(400, "orderer/receiver must be objects")
    return {k: str(v) for k, v in raw.items() if k in allowed}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bundle_groups(items: dict[int, dict[str, Any]]) -> list[list[int]]:
    """묶음배송 at purchase time: one box per outbound shipping place; items marked
    NOT_UNION_DELIVERY (no combined shipping) always travel alone."""
    groups: dict[str, list[int]] = {}
    for vid, item in items.items():
        if item.get("unionDeliveryType") == "NOT_UNION_DELIVERY":
            groups[f"alone:{vid}"] = [vid]
        else:
            groups.setdefault(f"place:{item.get('outboundShippingPlaceCode', 0)}", []).append(vid)
    return list(groups.values())


def _new_box(
    order: dict[str, Any],
    receiver: dict[str, Any],
    message: str,
    lines: list[tuple[dict[str, Any], int]],
    paid_at: datetime,
) -> dict[str, Any]:
    order_lines = [_order_line(item, qty, paid_at) for item, qty in lines]
    remote = receiver["postCode"].startswith(REMOTE_POSTCODE_PREFIXES)
    return {
        "shipmentBoxId": 0,
        "orderId": order["orderId"],
        "status": ACCEPT,
        "createdAt": order["orderedAt"],
        "orderedAt": order["orderedAt"],
        "paidAt": order["paidAt"],
        "orderer": order["orderer"],
        "receiver": dict(receiver),
        "parcelPrintMessage": message,
        "shippingPrice": _shipping_price([item for item, _ in lines], sum(line["orderPrice"] for line in order_lines)),
        "remotePrice": REMOTE_PRICE if remote else 0,
        "remoteArea": remote,
        "splitShipping": False,
        "orderItems": order_lines,
        "deliveryCompanyCode": "",
        "invoiceNumber": "",
        "inTrasitDateTime": None,
        "deliveredDate": None,
        "departureAt": None,
        "confirmDate": None,
        "refer": order["refer"],
        "shipmentType": "THIRD_PARTY",
        "isCod": False,
        "extraProperties": {"sameDayShipping": "false", "cutOffTimeHour": "0"},
        "outboundShippingPlaceCode": lines[0][0].get("outboundShippingPlaceCode", 0),
        "history": [{"status": ACCEPT, "at": order["paidAt"]}],
    }


def _order_line(item: dict[str, Any], quantity: int, paid_at: datetime) -> dict[str, Any]:
    price = int(item.get("salePrice", 0))
    item_name = item.get("itemName", "")
    product_name = item.get("sellerProductName", item_name)
    ship_by = timefmt.kst_date(paid_at) + timedelta(days=int(item.get("outboundShippingTimeDay", 2)))
    free = item.get("deliveryChargeType", "FREE") == "FREE"
    return {
        "vendorItemId": item["vendorItemId"],
        "vendorItemName": f"{product_name}, {item_name}" if item_name and item_name != product_name else product_name,
        "productId": item.get("productId", 0),
        "sellerProductId": item.get("sellerProductId", 0),
        "sellerProductName": product_name,
        "sellerProductItemName": item_name,
        "firstSellerProductItemName": item.get("firstItemName", item_name),
        "externalVendorSkuCode": item.get("externalVendorSku") or "",
        "shippingCount": quantity,
        "salesPrice": price,
        "orderPrice": price * quantity,
        "discountPrice": 0,
        "instantCouponDiscount": 0,
        "downloadableCouponDiscount": 0,
        "coupangDiscount": 0,
        "cancelCount": 0,
        "holdCountForCancel": 0,
        "canceled": False,
        "estimatedShippingDate": ship_by.isoformat(),
        "plannedShippingDate": "",
        "invoiceNumberUploadDate": None,
        "confirmDate": None,
        "deliveryChargeTypeName": "무료" if free else "유료",
        "extraProperties": {},
        "pricingBadge": False,
        "usedProduct": False,
    }


def _shipping_price(items: list[dict[str, Any]], total: int) -> int:
    """The box's delivery charge: the highest charge among its items unless free (over the threshold)."""
    charges = []
    for item in items:
        kind = item.get("deliveryChargeType", "FREE")
        charge = int(item.get("deliveryCharge", 3000) or 0)
        if kind == "FREE":
            continue
        if kind == "CONDITIONAL_FREE" and total >= int(item.get("freeShipOverAmount", 0) or 0):
            continue
        charges.append(charge)
    return max(charges, default=0)


# ---------------------------------------------------------------- rendering (v5 i18n / v4 legacy)


def money(amount: int, legacy: bool) -> Any:
    return amount if legacy else {"currencyCode": "KRW", "units": amount, "nanos": 0}


def phone_on_wire(number: str, legacy: bool) -> str:
    """v4 keeps Korean safe numbers (0504-1234-5678); v5 is E.164-style (+82-504-1234-5678)."""
    if legacy or not number.startswith("0"):
        return number
    return "+82-" + number[1:]


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


# ---------------------------------------------------------------- order-sheet queries


DAILY_MAX_DAYS = 31
DAILY_RANGE_ERROR = "endTime-startTime range should less than31."
TIMEFRAME_RANGE_ERROR = "endTime-startTime range should less than 0 day"


def daily_window(created_from: str, created_to: str) -> tuple[datetime, datetime]:
    """[from 00:00, to+1 day 00:00) in KST; at most 31 days apart (orders.yaml list-ordersheets-daily)."""
    start = timefmt.parse_query_datetime(created_from, "createdAtFrom")
    end = timefmt.parse_query_datetime(created_to, "createdAtTo")
    first, last = timefmt.to_kst(start).date(), timefmt.to_kst(end).date()
    if (last - first).days > DAILY_MAX_DAYS:
        raise ApiError(400, DAILY_RANGE_ERROR)
    return _kst_midnight(first), _kst_midnight(last + timedelta(days=1))


def timeframe_window(created_from: str, created_to: str) -> tuple[datetime, datetime]:
    """[from, to] to the minute; the window must be shorter than 24 h."""
    start = timefmt.parse_query_datetime(created_from, "createdAtFrom")
    end = timefmt.parse_query_datetime(created_to, "createdAtTo")
    if end - start >= timedelta(hours=24):
        raise ApiError(400, TIMEFRAME_RANGE_ERROR)
    return start, end + timedelta(seconds=59.999999)


def _kst_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timefmt.KST)


def list_boxes(tx: Tx, now: datetime, status: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Readable boxes in `status` created in [start, end), oldest first (stable for cursor paging)."""
    found = []
    for _key, box in tx.items(BOXES):
        if box["status"] != status or not is_readable(box):
            continue
        created = _at(box["createdAt"])
        if start <= created < end and _at(box.get("listVisibleAt") or box["createdAt"]) <= now:
            found.append(box)
    found.sort(key=lambda box: (box["createdAt"], box["shipmentBoxId"]))
    return found


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
        _apply(box, "acknowledge", now)
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
        _check_reuse(tx, box, code, number)
        _ship(box, code, number, now, "uploadInvoice")
        _remember_invoice(tx, box, code, number, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
        _replan(tx, box)
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


def _check_reuse(tx: Tx, box: dict[str, Any], code: str, number: str) -> None:
    """An invoice number may serve several boxes within 6 months only for the same receiver
    (name + address); DIRECT numbers are never tracked, so never compared."""
    if code == "DIRECT":
        return
    index = tx.get(META, "invoices") or {}
    mine = _receiver_key(box)
    for use in index.get(f"{code}:{number}", []):
        recent = _at(use["at"]) > _at(box["createdAt"]) - timedelta(days=INVOICE_REUSE_DAYS)
        if use["shipmentBoxId"] != box["shipmentBoxId"] and use["receiver"] != mine and recent:
            raise LineFailure("NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD")


def _receiver_key(box: dict[str, Any]) -> str:
    receiver = box["receiver"]
    return f"{receiver['name']}|{receiver['addr1']}|{receiver['addr2']}"


def _remember_invoice(tx: Tx, box: dict[str, Any], code: str, number: str, now: datetime) -> None:
    if code == "DIRECT":
        return
    index = tx.get(META, "invoices") or {}
    uses = index.setdefault(f"{code}:{number}", [])
    uses.append({"shipmentBoxId": box["shipmentBoxId"], "receiver": _receiver_key(box), "at": _iso(now)})
    tx.put(META, "invoices", index)


def _ship(box: dict[str, Any], code: str, number: str, now: datetime, event: str) -> None:
    """The box leaves with an invoice: DEPARTURE, or NONE_TRACKING for DIRECT (업체직송, untracked)."""
    direct = code == "DIRECT"
    _apply(box, event + ("Direct" if direct and event != "alreadyShipped" else ""), now)
    box["deliveryCompanyCode"] = code
    box["invoiceNumber"] = number
    box["inTrasitDateTime"] = box["inTrasitDateTime"] or _iso(now)
    box["departureAt"] = _iso(now)
    box["deliveredDate"] = None if box["status"] != FINAL_DELIVERY else box["deliveredDate"]
    box.pop("pickedUpAt", None)
    for line in live_lines(box):
        line["invoiceNumberUploadDate"] = _iso(now)


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
        _check_reuse(tx, box, line["deliveryCompanyCode"], str(line["invoiceNumber"]))
    _apply(box, "splitShip", now)
    box["splitShipping"] = True
    for vid, day in planned:
        live[vid]["plannedShippingDate"] = day
        live[vid]["estimatedShippingDate"] = day
    # the last invoice ships on the original id when nothing is left behind
    leaves_on_original = shipped[-1] if shipped and not planned else None
    for line in shipped:
        code, number = line["deliveryCompanyCode"], str(line["invoiceNumber"])
        if line is leaves_on_original:
            _ship(box, code, number, now, "uploadInvoice")
            _remember_invoice(tx, box, code, number, now)
            continue
        part = _split_off(tx, new_id, box, line["vendorItemId"], now)
        _ship(part, code, number, now, "uploadInvoice")
        _remember_invoice(tx, part, code, number, now)
        tx.put(BOXES, part["shipmentBoxId"], part)
        _replan(tx, part)
    tx.put(BOXES, box["shipmentBoxId"], box)
    _replan(tx, box)


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
    _check_reuse(tx, box, code, number)
    _ship(box, code, number, now, event_base)
    _remember_invoice(tx, box, code, number, now)
    tx.put(BOXES, box["shipmentBoxId"], box)
    _replan(tx, box)


# ---------------------------------------------------------------- seller: long-term undelivered


def complete_long_term(tx: Tx, now: datetime, box_id: int, invoice_number: str) -> None:
    """DEPARTURE/DELIVERING ≥ 30 days after DEPARTURE with the box's own invoice → FINAL_DELIVERY."""
    box = get_box(tx, box_id)
    status = box["status"] if box else "null"
    failure = f"배송완료 처리 실패. 배송상태: {status}"
    if box is None or not BOX_MACHINE.can(box["status"], "completeLongTerm"):
        raise ApiError(400, failure)
    old_enough = now - _at(box["departureAt"]) >= timedelta(days=LONG_TERM_DAYS)
    if str(invoice_number) != box["invoiceNumber"] or not old_enough:
        raise ApiError(400, failure)
    _apply(box, "completeLongTerm", now)
    tx.put(BOXES, box_id, box)
    _replan(tx, box)


# ---------------------------------------------------------------- cancellation (buyer and seller)


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
    _apply(box, "cancelAll" if not live_lines(box) else "cancelPart", now)


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
        _replan(tx, box)
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
            _apply(box, "requestStop", now)
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
        receipt["refundedAt"] = None
        receipts.put(tx, receipt)
        timers = _timers(tx)
        timers["receipt"][str(receipt["receiptId"])] = _iso(now + timedelta(seconds=pol["refundDelaySeconds"]))
        tx.put(META, "timers", timers)
    return receipt


def _complete_refund(tx: Tx, receipt_id: int, at: datetime) -> None:
    """A delayed ACCEPT refund goes through: held units become cancelled, stock returns."""
    receipt = receipts.get(tx, receipt_id)
    if receipt is None or receipt.get("refundedAt"):
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
    receipt["refundedAt"] = _iso(at)
    receipt["modifiedAt"] = _iso(at)
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
        _replan(tx, box)
    receipts.transition(receipt, "stopShipment", now)
    receipt["releaseStopStatus"] = "처리(출고중지)"
    receipt["completeConfirmType"] = "VENDOR_CONFIRM"
    receipt["completeConfirmDate"] = timefmt.legacy_t(now)
    receipt["refundedAt"] = _iso(now)
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
            _check_reuse(tx, box, code, number)
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
        _ship(box, code, number, now, "alreadyShipped")
        _remember_invoice(tx, box, code, number, now)
        tx.put(BOXES, box["shipmentBoxId"], box)
        _replan(tx, box)
    for item in receipt["returnItems"]:
        item["releaseStatus"] = "A"
    receipts.transition(receipt, "alreadyShipped", now)
    receipt["releaseStopStatus"] = "처리(이미출고)"
    receipts.put(tx, receipt)
    _auto_already_shipped(tx, now, set(boxes), receipt["receiptId"])


def _auto_already_shipped(tx: Tx, now: datetime, shipped: set[int], answered: int) -> None:
    """자동처리(이미출고): other open stop-shipment requests of the boxes that just left travel with them
    (their held units were released by the shipment) and continue as returns — once every box of such a
    request has left; a request that still has a box at the seller stays RELEASE_STOP_UNCHECKED
    (x-inferred)."""
    for other in receipts.all_receipts(tx):
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


# ---------------------------------------------------------------- buyer / courier simulation


def change_address(tx: Tx, now: datetime, order: dict[str, Any], receiver: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer edits the delivery address: allowed only while every live box is ACCEPT."""
    changes = _overrides(receiver, ("name", "safeNumber", "addr1", "addr2", "postCode"))
    if not changes:
        raise ApiError(400, "receiver needs at least one of name, safeNumber, addr1, addr2, postCode")
    boxes = [box for box in order_boxes(tx, order) if box["status"] != CANCELED]
    for box in boxes:
        if not BOX_MACHINE.can(box["status"], "changeAddress"):
            raise ApiError(409, f"box {box['shipmentBoxId']} is {box['status']}: the address can change only in ACCEPT")
    for box in boxes:
        _apply(box, "changeAddress", now)
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
            _apply(box, "purchaseConfirm", now)
            tx.put(BOXES, box["shipmentBoxId"], box)
            _replan(tx, box)
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
        _apply(box, COURIER_EVENTS[event], now)
    except IllegalTransition:
        raise ApiError(409, f"box {box_id} is {box['status']}: the courier cannot report {event}") from None
    tx.put(BOXES, box_id, box)
    _replan(tx, box)
    return box


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
    box = copy.deepcopy(first)
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
    for key in ("returnCompleted", "canceledAt", "pickedUpAt"):
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
