"""The buyer pays: deterministic buyer data, stock taken, the order split into ACCEPT boxes (묶음배송)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..store import Tx
from . import inventory, products, timefmt
from .orders import ACCEPT, BOXES, ORDERS, REMOTE_POSTCODE_PREFIXES, REMOTE_PRICE, NewId, iso, overrides, policy

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
    items = {vid: _with_product_id(tx, inventory.take_stock(tx, vid, qty)) for vid, qty in wanted.items()}
    order_id = new_id("orderId", 14)
    orderer, receiver, message, refer = buyer_profile(seed, tx.tenant, order_id)
    orderer = {**orderer, **overrides(request.get("orderer"), ("name", "safeNumber"))}
    receiver = {**receiver, **overrides(request.get("receiver"), ("name", "safeNumber", "addr1", "addr2", "postCode"))}
    pol = policy(tx)
    ordered_at = paid_at - timedelta(seconds=24)
    order = {
        "orderId": order_id,
        "paymentId": new_id("paymentId", 14),
        "orderedAt": iso(ordered_at),
        "paidAt": iso(paid_at),
        "orderer": orderer,
        "refer": refer,
        "shipmentBoxIds": [],
    }
    for group in bundle_groups(items):
        box = _new_box(order, receiver, message, [(items[vid], wanted[vid]) for vid in group], paid_at)
        box["shipmentBoxId"] = new_id("shipmentBoxId", 18)
        box["listVisibleAt"] = iso(now + timedelta(seconds=pol["listLagSeconds"]))
        order["shipmentBoxIds"].append(box["shipmentBoxId"])
        tx.put(BOXES, box["shipmentBoxId"], box)
    tx.put(ORDERS, order_id, order)
    return order


def _with_product_id(tx: Tx, item: dict[str, Any]) -> dict[str, Any]:
    """The vendor-items document carries no productId (the display product's id lives with the
    product): order lines take it from the product read, as Coupang's order sheets show it."""
    if item.get("productId"):
        return item
    product = products.get(tx, item.get("sellerProductId"))
    return {**item, "productId": (products.summary(product)["productId"] if product else None) or 0}


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
