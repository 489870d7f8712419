"""Instant discount coupons (fms): asynchronous requests, coupon items per option, and their lists.

Kinds, lifecycles and timers are declared in `coupons`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import orders, timefmt
from .coupons import (
    CIR08,
    CIR_EXPIRED_COUPON,
    CONTRACTS,
    COUPON_MACHINE,
    COUPONS,
    DETACHED,
    DISCOUNT_RANGE,
    END_PATTERN,
    EXPIRED,
    FAIL,
    FREE_CONTRACT_END,
    ITEM_NOT_IN_COUPON,
    ITEMS,
    MAX_DISCOUNT,
    REQUEST_MACHINE,
    REQUEST_UNKNOWN,
    REQUESTED,
    REQUESTS,
    STANDBY,
    START_PATTERN,
    STEPS,
    NewId,
    budget,
    covers_month,
    fms_error,
    get_contract,
    month_of,
    move_coupon,
    option_problem,
    parse_number,
    parse_wire,
    plan,
    policy,
    remaining,
    store_time,
    stored_time,
    whole,
    wire,
)
from .fsm import IllegalTransition


def validate_instant(tx: Tx, now: datetime, vendor_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The synchronous checks of create-instant-coupon; the rest happens when the request is processed."""
    start = parse_wire(str(body.get("startAt", "")), START_PATTERN)
    end = parse_wire(str(body.get("endAt", "")), END_PATTERN)
    kind = body["type"]
    discount = parse_number(body.get("discount"), DISCOUNT_RANGE)
    if discount < 1 or (kind == "RATE" and discount > 100):
        raise fms_error(400, DISCOUNT_RANGE)
    max_discount = parse_number(body.get("maxDiscountPrice"), MAX_DISCOUNT)
    if max_discount < 10:
        raise fms_error(400, MAX_DISCOUNT)
    earliest = timefmt.to_kst(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if start < earliest:  # "earliest is 00:00 of the next day" (x-inferred message)
        raise fms_error(400, START_PATTERN)
    if end <= start:
        raise fms_error(400, END_PATTERN)
    contract_id = whole(body["contractId"])
    contract = get_contract(tx, now, vendor_id, contract_id) if contract_id is not None else None
    if contract is not None and not (stored_time(contract["start"]) <= start and end <= stored_time(contract["end"])):
        raise fms_error(400, _outside_contract(contract, start, end))
    return {
        "vendorId": vendor_id,
        "contractId": contract_id,
        "promotionName": body["name"],
        "type": kind,
        "discount": int(discount) if discount == int(discount) else discount,
        "maxDiscountPrice": int(max_discount),
        "startAt": store_time(start),
        "endAt": store_time(end),
        "wowExclusive": str(body.get("wowExclusive", False)).lower() == "true",
    }


def _outside_contract(contract: dict[str, Any], start: datetime, end: datetime) -> str:
    contract_end = FREE_CONTRACT_END if contract["vendorContractId"] == -1 else wire(contract["end"])
    return (
        f"계약의 유효기간 안에 쿠폰이 존재해야 한다(계약서의 유효기간:{wire(contract['start'])}~{contract_end}) "
        f"(쿠폰의 유효기간:{timefmt.legacy_space(start)}~{timefmt.legacy_space(end)})"
    )


def get_coupon(tx: Tx, coupon_id: int) -> dict[str, Any] | None:
    return tx.get(COUPONS, coupon_id)


def require_coupon(tx: Tx, coupon_id: int, message: str) -> dict[str, Any]:
    coupon = get_coupon(tx, coupon_id)
    if coupon is None:
        raise fms_error(400, message.format(id=coupon_id))
    return coupon


def new_request(
    tx: Tx, now: datetime, new_id: NewId, kind: str, coupon_id: int | None, payload: dict[str, Any], total: int
) -> dict[str, Any]:
    request = {
        "requestedId": str(new_id("couponRequest", 18)),
        "type": kind,
        "couponId": coupon_id,
        "status": REQUEST_MACHINE.initial,
        "total": total,
        "succeeded": 0,
        "failed": 0,
        "failedVendorItems": [],
        "payload": payload,
        "requestedAt": store_time(now),
    }
    tx.put(REQUESTS, request["requestedId"], request)
    plan(tx, f"req:{request['requestedId']}", now + timedelta(seconds=policy(tx)["requestDelaySeconds"]))
    return request


def busy(tx: Tx, coupon_id: int) -> bool:
    """Another request on the coupon is still running (expiry is refused meanwhile)."""
    return tx.count(REQUESTS, "byCouponStatus", prefix=(coupon_id, REQUESTED)) > 0


def get_request(tx: Tx, requested_id: str) -> dict[str, Any]:
    request = tx.get(REQUESTS, requested_id)
    if request is None:
        raise fms_error(400, REQUEST_UNKNOWN)
    return request


def settle_request(
    tx: Tx, requested_id: str, at: datetime, new_id: NewId, forced: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Process a REQUESTED request (IllegalTransition once it is DONE/FAIL).

    `forced` (control plane) = {"outcome": "FAIL"} makes it fail without effect.
    """
    request = tx.get(REQUESTS, requested_id)
    if request is None:
        raise ApiError(404, REQUEST_UNKNOWN)
    if not REQUEST_MACHINE.can(request["status"], "succeed"):
        raise IllegalTransition(REQUEST_MACHINE.name, request["status"], "settle")
    if forced and forced.get("outcome") == FAIL:
        ok = False
        request["failed"] = request["total"]
    else:
        ok = PROCESSORS[request["type"]](tx, request, at, new_id)
    request["status"] = REQUEST_MACHINE.next(request["status"], "succeed" if ok else "fail")
    request["settledAt"] = store_time(at)
    tx.put(REQUESTS, requested_id, request)
    plan(tx, f"req:{requested_id}", None)
    return request


def _publish(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    values = request["payload"]
    vendor = values["vendorId"]
    contract = get_contract(tx, at, vendor, values["contractId"])
    if contract is None or not covers_month(contract, month_of(stored_time(values["startAt"]))):
        request["failed"] = 1
        return False
    if values["maxDiscountPrice"] > remaining(budget(tx, contract, month_of(stored_time(values["startAt"])))):
        request["failed"] = 1  # the month's budget cannot carry one maximal discount (x-inferred)
        return False
    coupon_id = new_id("instantCoupon", 9)
    coupon = {
        "couponId": coupon_id,
        "contractId": contract["contractId"],
        "vendorContractId": None if contract["vendorContractId"] == -1 else contract["vendorContractId"],
        "promotionName": values["promotionName"],
        "status": COUPON_MACHINE.initial,
        "type": values["type"],
        "maxDiscountPrice": values["maxDiscountPrice"],
        "discount": values["discount"],
        "startAt": values["startAt"],
        "endAt": values["endAt"],
        "wowExclusive": values["wowExclusive"],
        "createdAt": store_time(at),
    }
    tx.put(COUPONS, coupon_id, coupon)
    request["couponId"] = coupon_id
    request["succeeded"] = 1
    plan(tx, f"ic:{coupon_id}", stored_time(coupon["startAt"]))
    if stored_time(coupon["startAt"]) <= at:
        _coupon_step(tx, str(coupon_id), at, new_id)
    return True


def _attached_items(tx: Tx, coupon_id: int) -> list[dict[str, Any]]:
    return tx.find(ITEMS, "byCouponAttached", prefix=(coupon_id, "LIVE"))


def _live_instant_holder(tx: Tx, vendor_item_id: int) -> dict[str, Any] | None:
    """The instant coupon item currently holding the option (CIR08: one at a time)."""
    for item in tx.find(ITEMS, "byOption", prefix=(vendor_item_id,)):
        if item.get("detachedAt"):
            continue
        coupon = tx.get(COUPONS, item["couponId"])
        if coupon and coupon["status"] not in (EXPIRED, DETACHED):
            return item
    return None


def _publish_items(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    failures: list[dict[str, Any]] = []
    for vid in request["payload"]["vendorItems"]:
        reason = CIR_EXPIRED_COUPON if coupon["status"] in (EXPIRED, DETACHED) else option_problem(tx, vid)
        holder = None if reason else _live_instant_holder(tx, vid)
        if holder is not None and holder["couponId"] != coupon["couponId"]:
            reason = CIR08
        if reason:
            failures.append({"vendorItemId": vid, "reason": reason})
        elif holder is None:
            item_id = new_id("couponItem", 9)
            tx.put(
                ITEMS,
                item_id,
                {
                    "couponItemId": item_id,
                    "couponId": coupon["couponId"],
                    "vendorItemId": vid,
                    "attachedAt": store_time(at),
                },
            )
    return _count(request, failures)


def _count(request: dict[str, Any], failures: list[dict[str, Any]]) -> bool:
    request["failedVendorItems"] = failures
    request["failed"] = len(failures)
    request["succeeded"] = request["total"] - len(failures)
    return request["succeeded"] > 0


def _expire(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    move_coupon(tx, coupon, "expire", at)
    plan(tx, f"ic:{coupon['couponId']}", None)
    request["succeeded"] = 1
    return True


def _expire_items(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    live = {i["vendorItemId"]: i for i in _attached_items(tx, coupon["couponId"])}
    failures = []
    for vid in request["payload"]["vendorItems"]:
        item = live.pop(vid, None)
        if item is None:
            failures.append({"vendorItemId": vid, "reason": ITEM_NOT_IN_COUPON.format(id=coupon["couponId"])})
            continue
        item["detachedAt"] = store_time(at)
        tx.put(ITEMS, item["couponItemId"], item)
    if not live and COUPON_MACHINE.can(coupon["status"], "detachAll") and len(failures) < request["total"]:
        move_coupon(tx, coupon, "detachAll", at)
    return _count(request, failures)


PROCESSORS: dict[str, Callable[[Tx, dict[str, Any], datetime, NewId], bool]] = {
    "COUPON_PUBLISH": _publish,
    "COUPON_ITEM_PUBLISH": _publish_items,
    "COUPON_EXPIRE": _expire,
    "COUPON_ITEM_EXPIRE": _expire_items,
}


def _coupon_step(tx: Tx, ident: str, at: datetime, _new_id: NewId) -> None:
    """An instant coupon's start or end came due."""
    coupon = tx.get(COUPONS, int(ident))
    if coupon is None:
        return
    if coupon["status"] == STANDBY and stored_time(coupon["startAt"]) <= at:
        move_coupon(tx, coupon, "start", stored_time(coupon["startAt"]))
        entry = budget(tx, tx.get(CONTRACTS, coupon["contractId"]), month_of(at))
        if remaining(entry) <= 0:
            move_coupon(tx, coupon, "pause", at)
    if stored_time(coupon["endAt"]) <= at and COUPON_MACHINE.can(coupon["status"], "end"):
        move_coupon(tx, coupon, "end", stored_time(coupon["endAt"]))
    if COUPON_MACHINE.can(coupon["status"], "end"):
        due = stored_time(coupon["startAt"]) if coupon["status"] == STANDBY else stored_time(coupon["endAt"])
        plan(tx, f"ic:{ident}", due)


def item_status(coupon: dict[str, Any], item: dict[str, Any]) -> str:
    """Items follow their coupon; a detached item (or one of a detached coupon) is EXPIRED."""
    if item.get("detachedAt") or coupon["status"] == DETACHED:
        return EXPIRED
    return coupon["status"]


def render_coupon(coupon: dict[str, Any], legacy: bool = False) -> dict[str, Any]:
    rendered = {
        "contractId": coupon["contractId"],
        "vendorContractId": coupon["vendorContractId"],
        "couponId": coupon["couponId"],
        "promotionName": coupon["promotionName"],
        "status": coupon["status"],
        "type": coupon["type"],
        "maxDiscountPrice": coupon["maxDiscountPrice"],
        "discount": coupon["discount"],
        "startAt": wire(coupon["startAt"]),
        "endAt": wire(coupon["endAt"]),
        "wowExclusive": coupon["wowExclusive"],
    }
    if legacy:  # the v1 order lookup lacks these and prints discount as a decimal
        for name in ("type", "vendorContractId", "wowExclusive"):
            del rendered[name]
        rendered["discount"] = float(coupon["discount"])
    return rendered


def render_item(coupon: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    return {
        "couponItemId": item["couponItemId"],
        "couponId": coupon["couponId"],
        "vendorItemId": item["vendorItemId"],
        "startAt": wire(coupon["startAt"]),
        "endAt": wire(coupon["endAt"]),
        "status": item_status(coupon, item),
    }


def render_request(request: dict[str, Any]) -> dict[str, Any]:
    return {
        "couponId": request["couponId"],
        "requestedId": request["requestedId"],
        "type": request["type"],
        "status": request["status"],
        "total": request["total"],
        "succeeded": request["succeeded"],
        "failed": request["failed"],
        "failedVendorItems": list(request["failedVendorItems"]),
    }


Rows = tuple[list[dict[str, Any]], int]


def coupons_by_status(tx: Tx, status: str, descending: bool, offset: int, limit: int) -> Rows:
    """A page of the vendor's instant coupons of a status by couponId, and how many there are."""
    page = tx.find(COUPONS, "statusById", prefix=(status,), reverse=descending, offset=offset, limit=limit)
    return page, tx.count(COUPONS, "statusById", prefix=(status,))


def items_by_status(tx: Tx, coupon: dict[str, Any], status: str, descending: bool, offset: int, limit: int) -> Rows:
    """A page of the coupon's items whose `item_status` is `status`, by couponItemId, and the total."""
    prefix = _items_prefix(coupon, status)
    if prefix is None:
        return [], 0
    page = tx.find(ITEMS, prefix[0], prefix=prefix[1], reverse=descending, offset=offset, limit=limit)
    return page, tx.count(ITEMS, prefix[0], prefix=prefix[1])


def _items_prefix(coupon: dict[str, Any], status: str) -> tuple[str, tuple[Any, ...]] | None:
    """Where `item_status` puts the coupon's items: all EXPIRED once the coupon ended or was detached,
    otherwise attached ones share the coupon's status and detached ones are EXPIRED."""
    coupon_id = coupon["couponId"]
    if coupon["status"] in (EXPIRED, DETACHED):
        return ("byCoupon", (coupon_id,)) if status == EXPIRED else None
    if status == coupon["status"]:
        return "byCouponAttached", (coupon_id, "LIVE")
    return ("byCouponAttached", (coupon_id, "DETACHED")) if status == EXPIRED else None


def find_item(tx: Tx, coupon: dict[str, Any], ident: int, by: str) -> dict[str, Any]:
    if by == "couponItemId":
        item = tx.get(ITEMS, ident)
        found = item if item is not None and item["couponId"] == coupon["couponId"] else None
    else:  # the latest attachment of that option
        latest = tx.find(ITEMS, "byCouponOption", prefix=(coupon["couponId"], ident), reverse=True, limit=1)
        found = latest[0] if latest else None
    if found is None:
        raise fms_error(400, ITEM_NOT_IN_COUPON.format(id=coupon["couponId"]))
    return found


def coupons_of_order(tx: Tx, order_id: int) -> list[tuple[dict[str, Any], int]]:
    """(coupon, vendorItemId) for every option of the order that carried a running coupon when paid."""
    order = orders.get_order(tx, order_id)
    if order is None:
        return []
    paid = stored_time(order["paidAt"])
    vendor_item_ids = []
    for box in orders.order_boxes(tx, order):
        vendor_item_ids.extend(line["vendorItemId"] for line in box["orderItems"])
    found = []
    for vid in dict.fromkeys(vendor_item_ids):
        for item in tx.find(ITEMS, "byOption", prefix=(vid,)):
            coupon = tx.get(COUPONS, item["couponId"])
            if coupon and _ran_at(coupon, item, paid):
                found.append((coupon, vid))
    return found


def _ran_at(coupon: dict[str, Any], item: dict[str, Any], moment: datetime) -> bool:
    attached = stored_time(item["attachedAt"]) <= moment and (
        not item.get("detachedAt") or stored_time(item["detachedAt"]) > moment
    )
    running = stored_time(coupon["startAt"]) <= moment < stored_time(coupon["endAt"])
    alive = not coupon.get("expiredAt") or stored_time(coupon["expiredAt"]) > moment
    return attached and running and alive


STEPS.update(req=settle_request, ic=_coupon_step)
