"""Misc product-side APIs: [도서] book cashback, Rocket Growth orders and warehouse stock, the legacy
best-price guarantee (쿠런티), display-product search and category meta by internal id.

Store kinds (per vendor, owned here):
    book-cashback   key vendorItemId: the latest cashback rule of the option (CASHBACK_MACHINE status)
    cashback-rules  key ruleId: rules this vendor has used (its own, for the delete permission check)
    rg-orders       key orderId: Rocket Growth orders placed through the control plane
    rg-order-lines  key "<orderId>:<vendorItemId>": quantity sold per option and order (the 30-day sales count)
    rg-inventory    key vendorItemId: stock in Coupang's Rocket warehouses (control plane)
    couranty        key vendorItemId: best-price guarantee flag
    misc-settings   "couranty" {allowed}, "cashback" {ruleIds | None}: what Coupang granted the vendor

Marketplace options are read through `inventory` / `products`; nothing of theirs is written here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx, declare_index
from . import categories, inventory, products, query_paging, timefmt
from .fsm import IllegalTransition, StateMachine

CASHBACK = "book-cashback"
RULES = "cashback-rules"
RG_ORDERS = "rg-orders"
RG_LINES = "rg-order-lines"
RG_STOCK = "rg-inventory"
COURANTY = "couranty"
SETTINGS = "misc-settings"
NewId = Any

declare_index(RG_ORDERS, "byPaid", lambda o: (query_paging.iso_key(o["paidAt"]), o["orderId"]))
declare_index(
    RG_LINES, "byOptionPaid", lambda line: (line["vendorItemId"], query_paging.iso_key(line["paidAt"]), line["orderId"])
)
declare_index(RG_STOCK, "byOption", lambda row: (row["vendorItemId"],))

# ---------------------------------------------------------------- verbatim texts (misc.yaml → errors)

RULE_ID = "RuleId can't be null, and must be numeric"
VALUE_TYPE = "Cashback type can't be empty, and the allowed values are FIXED,RATE and FIXED_WITH_QUANTITY."
VALUE = "Cashback value can't be null,and the min value is 1"
ITEM_IDS = "vendorItemIds'list can't be empty, the min size is 1, and max size is 50"
PERIOD = "The start or end time of Cashback rule can't be empty"
INVALID_ITEM = "Invalid vendorItemId, vendorItemId doesn't exist or doesn't belong to corresponding vendorId"
ITEM_ID_NULL = "VendorItemId can't be null"
NO_PROMOTION = "Can not find promotion with given condition vendorItemId : {id}"
RULE_PERMISSION = "vendor don't have the permission to use this rule, please make sure you use the correct ruleId."
RG_INVALID = "요청에 매개변수가 누락되었거나 매개변수가 유효하지 않아 구문 분석할 수 없습니다."
RG_WRONG_ORDER = "주문 번호가 잘못되었습니다."
RG_INVENTORY_INVALID = "Request has missing or invalid parameters and cannot be parsed."
COURANTY_DENIED = "해당 판매자는 쿠런티 변경이 허가되지 않았습니다. 쿠런티를 사용하고 싶으신 경우 판매자 콜센터(sellerhelp@coupang.com)로 연락해주세요."
COURANTY_CATEGORY = "해당 카테고리는 쿠런티 설정할 수 없습니다."
COURANTY_USED = "중고상품에는 쿠런티를 적용할 수 없습니다"
COURANTY_FREE_SHIPPING = "무료배송 혹은 9800원 이상 무료배송의 경우에만 쿠런티를 등록할 수 있습니다."
COURANTY_FEE = "쿠런티 상품에는 2500원을 초과하는 배송비를 설정할 수 없습니다."
COURANTY_DONE = "쿠런티 변경을 완료했습니다."
# x-inferred texts (Coupang documents the rule, not the message)
START_TOO_EARLY = "The start time of Cashback rule must be at least 2 hours later than now"
END_BEFORE_START = "The end time of Cashback rule must be later than the start time"
COURANTY_NO_ITEM = "옵션ID[{id}]를 찾을 수 없습니다."

VALUE_TYPES = ("FIXED", "FIXED_WITH_QUANTITY", "RATE")
MAX_CASHBACK_ITEMS = 50
RG_PAGE = 50
RG_WINDOW_DAYS = 30
# 도서정가제 books and fresh food carry no price guarantee (x-inferred category exclusion)
COURANTY_EXCLUDED_PROFILES = frozenset({"book", "fresh"})
COURANTY_FREE_OVER = 9800
COURANTY_MAX_FEE = 2500

ACTIVE, DISABLED = "ACTIVE", "DISABLED"
CASHBACK_MACHINE = StateMachine(
    name="book-cashback",
    states=(ACTIVE, DISABLED),
    initial=ACTIVE,
    terminal=frozenset({DISABLED}),
    table={(ACTIVE, "delete"): DISABLED},
)


def seller_error(message: str) -> ApiError:
    """seller_api family refusal: {"code": "ERROR", "message", "data": null} with HTTP 400."""
    return ApiError(400, message, code="ERROR", extra={"data": None})


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():  # the schema admits 5.0 for an integer
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# ---------------------------------------------------------------- book cashback


def _cashback_period(body: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    raw = (body.get("startAt"), body.get("endAt"))
    if any(not isinstance(v, str) or not v.strip() for v in raw):
        raise ApiError(400, PERIOD)
    try:
        start, end = (datetime.strptime(v, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timefmt.KST) for v in raw)
    except ValueError:
        raise ApiError(400, PERIOD) from None
    if start < now + timedelta(hours=2):
        raise ApiError(400, START_TOO_EARLY)
    if end <= start:
        raise ApiError(400, END_BEFORE_START)
    return start, end


def check_cashback(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Body-level rules in Coupang's order; per-option problems are reported per option."""
    rule_id = _int(body.get("ruleId"))
    if rule_id is None or rule_id < 1:
        raise ApiError(400, RULE_ID)
    if body.get("valueType") not in VALUE_TYPES:
        raise ApiError(400, VALUE_TYPE)
    value = _int(body.get("value"))
    if value is None or value < 1 or (body["valueType"] == "RATE" and value > 100):
        raise ApiError(400, VALUE)
    ids = body.get("vendorItemIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_CASHBACK_ITEMS:
        raise ApiError(400, ITEM_IDS)
    start, end = _cashback_period(body, now)
    cap = _int(body.get("maxAmount"))
    return {
        "ruleId": rule_id,
        "valueType": body["valueType"],
        "value": value,
        "maxAmount": cap if cap is not None and body["valueType"] == "RATE" else 0,
        "vendorItemIds": ids,
        "startAt": start.isoformat(),
        "endAt": end.isoformat(),
    }


def _granted_rules(tx: Tx) -> list[int] | None:
    return (tx.get(SETTINGS, "cashback") or {}).get("ruleIds")


def grant_rules(tx: Tx, rule_ids: list[int] | None) -> dict[str, Any]:
    """Control plane: the ruleIds the sales manager gave this vendor (None = any positive ruleId)."""
    tx.put(SETTINGS, "cashback", {"ruleIds": rule_ids})
    return {"ruleIds": rule_ids}


def _owns_rule(tx: Tx, rule_id: int) -> bool:
    granted = _granted_rules(tx)
    return tx.get(RULES, rule_id) is not None or (granted is not None and rule_id in granted)


def _book_option(tx: Tx, vendor_item_id: int | None) -> dict[str, Any] | None:
    document = inventory.get_item(tx, vendor_item_id) if vendor_item_id is not None else None
    if document is None or not document.get("approved") or document.get("deleted"):
        return None
    leaf = categories.find(document.get("displayCategoryCode"))
    return document if leaf is not None and leaf.profile == "book" else None


def apply_cashback(tx: Tx, now: datetime, rule: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    granted = _granted_rules(tx)
    if granted is not None and rule["ruleId"] not in granted:
        raise ApiError(400, RULE_PERMISSION)
    successes: list[str] = []
    failures: list[dict[str, str]] = []
    for raw in rule["vendorItemIds"]:
        vendor_item_id = _int(raw)
        if _book_option(tx, vendor_item_id) is None:
            failures.append({str(raw): INVALID_ITEM})
            continue
        document = {
            **{k: v for k, v in rule.items() if k != "vendorItemIds"},
            "vendorItemId": vendor_item_id,
            "status": CASHBACK_MACHINE.initial,
            "appliedAt": now.isoformat(),
            "disabledAt": None,
        }
        tx.put(CASHBACK, vendor_item_id, document)
        successes.append(str(vendor_item_id))
    if successes:
        tx.put(RULES, rule["ruleId"], {"ruleId": rule["ruleId"], "firstUsedAt": now.isoformat()})
    return successes, failures


def _rule_of(tx: Tx, rule_id: int, vendor_item_id: int) -> dict[str, Any]:
    if inventory.get_item(tx, vendor_item_id) is None:
        raise ApiError(400, INVALID_ITEM)
    rule = tx.get(CASHBACK, vendor_item_id)
    if rule is None or rule["ruleId"] != rule_id:
        raise ApiError(404, NO_PROMOTION.format(id=vendor_item_id))
    return rule


def get_cashback(tx: Tx, rule_id: int, vendor_item_id: int) -> dict[str, Any]:
    return _rule_of(tx, rule_id, vendor_item_id)


def delete_cashback(tx: Tx, now: datetime, rule_id: int, vendor_item_id: int) -> dict[str, Any]:
    if not _owns_rule(tx, rule_id):
        raise ApiError(400, RULE_PERMISSION)
    rule = _rule_of(tx, rule_id, vendor_item_id)
    try:
        rule["status"] = CASHBACK_MACHINE.next(rule["status"], "delete")
    except IllegalTransition:  # already stopped: nothing to delete (x-inferred)
        raise ApiError(404, NO_PROMOTION.format(id=vendor_item_id)) from None
    rule["disabledAt"] = now.isoformat()
    tx.put(CASHBACK, vendor_item_id, rule)
    return rule


def render_cashback(rule: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    return {
        "vendorItemId": rule["vendorItemId"],
        "vendorId": vendor_id,
        "valueType": rule["valueType"],
        "value": rule["value"],
        "startAt": timefmt.legacy_space(timefmt.parse_iso(rule["startAt"])),
        "maxAmount": rule["maxAmount"],
        "ruleId": rule["ruleId"],
        "endAt": timefmt.legacy_space(timefmt.parse_iso(rule["endAt"])),
        "disabledAt": timefmt.legacy_space(timefmt.parse_iso(rule["disabledAt"])) if rule["disabledAt"] else None,
        "disabled": rule["status"] == DISABLED,
    }


# ---------------------------------------------------------------- Rocket Growth


def stock_rg(tx: Tx, rows: Any) -> list[dict[str, Any]]:
    """Control plane: [{vendorItemId, totalOrderableQuantity, externalSkuId?}] sets warehouse stock."""
    if not isinstance(rows, list) or not rows:
        raise ApiError(400, 'items must be a non-empty list of {"vendorItemId", "totalOrderableQuantity"}')
    stocked = []
    for row in rows:
        vid = _int(row.get("vendorItemId")) if isinstance(row, dict) else None
        quantity = _int(row.get("totalOrderableQuantity")) if isinstance(row, dict) else None
        if vid is None or quantity is None or inventory.get_item(tx, vid) is None:
            raise ApiError(400, f"each item needs a vendorItemId of this vendor and a quantity >= 0: {row}")
        item = inventory.get_item(tx, vid) or {}
        document = {
            "vendorItemId": vid,
            "totalOrderableQuantity": quantity,
            "externalSkuId": row.get("externalSkuId") or item.get("externalVendorSku") or None,
        }
        tx.put(RG_STOCK, vid, document)
        stocked.append(document)
    return stocked


def place_rg_order(tx: Tx, now: datetime, new_id: NewId, body: dict[str, Any]) -> dict[str, Any]:
    """Control plane: a customer bought stocked RG options; warehouse stock goes down."""
    lines = body.get("items")
    if not isinstance(lines, list) or not lines:
        raise ApiError(400, 'items must be a non-empty list of {"vendorItemId", "quantity"}')
    paid = timefmt.paid_at(body.get("paidAt"), now)
    order_items = []
    for line in lines:
        vid = _int(line.get("vendorItemId")) if isinstance(line, dict) else None
        quantity = _int(line.get("quantity", 1)) if isinstance(line, dict) else None
        stock = tx.get(RG_STOCK, vid) if vid is not None else None
        if stock is None or quantity is None or quantity < 1:
            raise ApiError(400, f"vendorItemId {vid} has no Rocket Growth stock (stock it first)")
        if stock["totalOrderableQuantity"] < quantity:
            raise ApiError(
                400, f"vendorItemId {vid} has {stock['totalOrderableQuantity']} in stock, {quantity} ordered"
            )
        stock["totalOrderableQuantity"] -= quantity
        tx.put(RG_STOCK, vid, stock)
        item = inventory.get_item(tx, vid) or {}
        order_items.append(
            {
                "vendorItemId": vid,
                "productName": " ".join(filter(None, (item.get("sellerProductName"), item.get("itemName")))),
                "salesQuantity": quantity,
                "salesPrice": int(item.get("salePrice", 0)),
                "currency": "KRW",
            }
        )
    order = {"orderId": new_id("rgOrderId", 14), "paidAt": paid.isoformat(), "orderItems": order_items}
    tx.put(RG_ORDERS, order["orderId"], order)
    _put_lines(tx, order)
    return order


def _put_lines(tx: Tx, order: dict[str, Any]) -> None:
    sold: dict[int, int] = {}
    for line in order["orderItems"]:
        sold[line["vendorItemId"]] = sold.get(line["vendorItemId"], 0) + line["salesQuantity"]
    for vid, quantity in sold.items():
        line = {"orderId": order["orderId"], "vendorItemId": vid, "paidAt": order["paidAt"], "quantity": quantity}
        tx.put(RG_LINES, f"{order['orderId']}:{vid}", line)


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y%m%d").replace(tzinfo=timefmt.KST)
    except ValueError:
        raise ApiError(400, RG_INVALID) from None


def rg_orders(tx: Tx, paid_from: str, paid_to: str, token: str | None) -> tuple[list[dict[str, Any]], str]:
    start, last = _day(paid_from), _day(paid_to)
    if last < start or (last - start).days > RG_WINDOW_DAYS:
        raise ApiError(400, RG_INVALID)
    if token not in (None, "") and not str(token).isdigit():
        raise ApiError(400, RG_INVALID)
    window = query_paging.iso_key(start), query_paging.iso_key(last + timedelta(days=1))
    return query_paging.offset_page(
        tx, RG_ORDERS, "byPaid", int(token or 0), RG_PAGE, lo=window[0], hi=window[1], reverse=True
    )


def rg_order(tx: Tx, order_id: int) -> dict[str, Any]:
    order = tx.get(RG_ORDERS, order_id)
    if order is None:
        raise ApiError(400, RG_WRONG_ORDER)
    return order


def render_rg_order(order: dict[str, Any], vendor_id: str, listed: bool) -> dict[str, Any]:
    """The list prints paidAt as epoch millis and unitSalesPrice; the single read ISO (Z) and salesPrice."""
    paid = timefmt.parse_iso(order["paidAt"])
    price_key = "unitSalesPrice" if listed else "salesPrice"
    return {
        "vendorId": vendor_id,
        "orderId": order["orderId"],
        "paidAt": str(int(paid.timestamp() * 1000)) if listed else paid.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": [
            {
                "vendorItemId": line["vendorItemId"],
                "productName": line["productName"],
                "salesQuantity": line["salesQuantity"],
                price_key: line["salesPrice"],
                "currency": line["currency"],
            }
            for line in order["orderItems"]
        ],
    }


def rg_inventory(
    tx: Tx, now: datetime, vendor_id: str, vendor_item_id: int | None, token: str | None
) -> tuple[list[dict[str, Any]], str]:
    if vendor_item_id is not None:
        page, following = [r for r in [tx.get(RG_STOCK, vendor_item_id)] if r is not None], ""
    else:
        if token not in (None, "") and not str(token).isdigit():
            raise ApiError(400, RG_INVENTORY_INVALID)
        rest = tx.find(RG_STOCK, "byOption", lo=int(str(token)) if token else None, limit=RG_PAGE + 1)
        page = rest[:RG_PAGE]
        following = str(rest[RG_PAGE]["vendorItemId"]) if len(rest) > RG_PAGE else ""
    sold = {r["vendorItemId"]: _sold_last_30_days(tx, now, r["vendorItemId"]) for r in page}
    return [
        {
            "vendorId": vendor_id,
            "vendorItemId": r["vendorItemId"],
            "externalSkuId": r["externalSkuId"],
            "inventoryDetails": {"totalOrderableQuantity": r["totalOrderableQuantity"]},
            "salesCountMap": {"SALES_COUNT_LAST_THIRTY_DAYS": sold.get(r["vendorItemId"], 0)},
        }
        for r in page
    ], following


def _sold_last_30_days(tx: Tx, now: datetime, vendor_item_id: int) -> int:
    """Units of the option sold in (now - 30 days, now]."""
    tick = timedelta(microseconds=1)  # index ranges are [lo, hi); the window is open at its start
    lo, hi = query_paging.iso_key(now - timedelta(days=30) + tick), query_paging.iso_key(now + tick)
    return sum(line["quantity"] for line in tx.find(RG_LINES, "byOptionPaid", prefix=(vendor_item_id,), lo=lo, hi=hi))


# ---------------------------------------------------------------- best-price guarantee (쿠런티)


def allow_couranty(tx: Tx, allowed: bool) -> dict[str, Any]:
    tx.put(SETTINGS, "couranty", {"allowed": allowed})
    return {"allowed": allowed}


def change_couranty(tx: Tx, now: datetime, vendor_item_id: int, guaranteed: bool) -> dict[str, Any]:
    """Turning the guarantee on checks eligibility in the documented message order; off always works."""
    if not (tx.get(SETTINGS, "couranty") or {}).get("allowed"):
        raise seller_error(COURANTY_DENIED)
    document = inventory.get_item(tx, vendor_item_id)
    if document is None or not document.get("approved") or document.get("deleted"):
        raise seller_error(COURANTY_NO_ITEM.format(id=vendor_item_id))
    if guaranteed:
        _couranty_eligible(tx, document)
    flag = {"vendorItemId": vendor_item_id, "bestPriceGuaranteed3P": guaranteed, "changedAt": now.isoformat()}
    tx.put(COURANTY, vendor_item_id, flag)
    return flag


def _couranty_eligible(tx: Tx, document: dict[str, Any]) -> None:
    leaf = categories.find(document.get("displayCategoryCode"))
    if leaf is None or leaf.profile in COURANTY_EXCLUDED_PROFILES:
        raise seller_error(COURANTY_CATEGORY)
    product = products.get(tx, document.get("sellerProductId"))
    item = next((i for i in (product or {}).get("items", []) if i.get("vendorItemId") == document["vendorItemId"]), {})
    if item.get("offerCondition", "NEW") != "NEW":
        raise seller_error(COURANTY_USED)
    kind = document.get("deliveryChargeType", "FREE")
    free_over = int(document.get("freeShipOverAmount") or 0)
    if kind != "FREE" and not (kind == "CONDITIONAL_FREE" and free_over <= COURANTY_FREE_OVER):
        raise seller_error(COURANTY_FREE_SHIPPING)
    if kind != "FREE" and int(document.get("deliveryCharge") or 0) > COURANTY_MAX_FEE:
        raise seller_error(COURANTY_FEE)


# ---------------------------------------------------------------- legacy catalogue reads


def exposure_products(tx: Tx, name: str, page: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
    """Display products (approved at least once) of the vendor whose name contains `name`."""
    needle = name.casefold()

    def named(product: dict[str, Any]) -> bool:
        names = (product.get("displayProductName") or "", product.get("sellerProductName") or "")
        return any(needle in n.casefold() for n in names)

    chunk, more = query_paging.numbered_page(tx, products.KIND, "byProductId", page, size, reverse=True, keep=named)
    following = page + 1 if more else None
    return [_exposure(p) for p in chunk], following


def _exposure(product: dict[str, Any]) -> dict[str, Any]:
    leaf = categories.find(product["displayCategoryCode"])
    path = leaf.path() if leaf else []
    return {
        "productId": product["mock"]["productId"],
        "divisionType": "쇼핑",
        "productName": product.get("displayProductName") or product["sellerProductName"],
        "description": "",
        "categoryId": leaf.category_id if leaf else 0,
        "bundled": False,
        "valid": products.status_of(product) != "DELETED",
        "categoryFullPath": "KAN>" + ">".join(node.name for node in path),
        "itemCount": len(product.get("items", [])),
    }


LEGACY_META_DROPS = ("isAllowSingleItem", "allowedOfferConditions", "isExpirationDateRequiredForRocketGrowth")


def legacy_metas(category_id: int) -> dict[str, Any]:
    """Meta of the leaf mapped to the internal categoryId, in the 2019 shape."""
    code = categories.FIRST_CODE + (category_id - 2000) * categories.CODE_STEP
    leaf = categories.find(code)
    if leaf is None or not leaf.is_leaf or leaf.category_id != category_id or category_id < 2000:
        raise seller_error(categories.NO_MANAGEMENT_CATEGORY)
    return {k: v for k, v in categories.metas(leaf).items() if k not in LEGACY_META_DROPS}
