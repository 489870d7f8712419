"""Download coupons: creation, attach / expiry transactions settled by the ticker, and their reads.

Kinds, lifecycles and timers are declared in `coupons`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import query_paging
from .coupons import (
    APPLIED,
    CIR14,
    DELETED,
    DL_ALREADY_EXPIRED,
    DL_CONTRACT,
    DL_DELETED,
    DL_END,
    DL_EXPIRE_UNKNOWN,
    DL_MIXED_TYPES,
    DL_PRICE_UNIT,
    DL_RATE_RANGE,
    DL_START,
    DL_TITLE,
    DOWNLOAD_MACHINE,
    DOWNLOAD_OPTIONS,
    DOWNLOADS,
    EXPIRED,
    STANDBY,
    STEPS,
    SYSTEM_ERROR,
    TRANSACTION_MACHINE,
    TRANSACTIONS,
    NewId,
    get_contract,
    option_problem,
    parse_wire,
    plan,
    policy,
    store_time,
    stored_time,
    whole,
    wire,
)


def parse_download_date(text: Any, message: str) -> datetime:
    try:
        return parse_wire(str(text or ""), message)
    except ApiError:
        raise ApiError(400, message) from None


def create_download(tx: Tx, now: datetime, new_id: NewId, vendor_id: str, body: dict[str, Any]) -> dict[str, Any]:
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, DL_TITLE)
    contract_id = whole(body["contractId"])
    contract = get_contract(tx, now, vendor_id, contract_id) if contract_id is not None else None
    if contract is None:
        raise ApiError(400, DL_CONTRACT.format(contract=contract_id, vendor=vendor_id))
    start = parse_download_date(body.get("startDate"), DL_START)
    end = parse_download_date(body.get("endDate"), DL_END)
    if start < now + timedelta(hours=1):  # visible at the earliest one hour after creation
        raise ApiError(400, DL_START)
    if end <= start:
        raise ApiError(400, DL_END)
    policies = _policies(body["policies"])
    coupon_id = new_id("downloadCoupon", 9)
    coupon = {
        "couponId": coupon_id,
        "contractId": contract["contractId"],
        "title": title,
        "userId": body["userId"],
        "status": DOWNLOAD_MACHINE.initial,
        "startDate": store_time(start),
        "endDate": store_time(end),
        "createdAt": store_time(now),
        "publishedAt": None,
        "vendorItemIds": [],
        "usageAmount": 0,
        "policies": [
            {**p, "manageCode": f"FMS_{contract['contractId']}_{vendor_id}_{new_id('manageCode', 14)}"}
            for p in policies
        ],
    }
    tx.put(DOWNLOADS, coupon_id, coupon)
    plan(tx, f"dc:{coupon_id}", start)
    return coupon


def _policies(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len({p["typeOfDiscount"] for p in raw}) > 1:
        raise ApiError(400, DL_MIXED_TYPES)
    result = []
    for index, entry in enumerate(raw):
        discount = entry["discount"]
        if entry["typeOfDiscount"] == "PRICE" and discount % 10:
            raise ApiError(400, DL_PRICE_UNIT.format(index=index))
        if entry["typeOfDiscount"] == "RATE" and not 1 <= discount <= 99:
            raise ApiError(400, DL_RATE_RANGE.format(index=index))
        result.append(
            {
                "title": entry["title"],
                "typeOfDiscount": entry["typeOfDiscount"],
                "description": entry.get("description", ""),
                "minimumPrice": entry["minimumPrice"],
                "discount": discount,
                "maximumDiscountPrice": -1 if entry["typeOfDiscount"] == "PRICE" else entry["maximumDiscountPrice"],
                "maximumPerDaily": entry["maximumPerDaily"],
            }
        )
    return result


def live_download(tx: Tx, coupon_id: Any) -> dict[str, Any] | None:
    number = whole(coupon_id)
    coupon = tx.get(DOWNLOADS, number) if number is not None else None
    return coupon if coupon and coupon["status"] != DELETED else None


def attach_download(tx: Tx, now: datetime, new_id: NewId, coupon_id: Any, vendor_item_ids: list[int]) -> dict[str, Any]:
    coupon = live_download(tx, coupon_id)
    if coupon is None or coupon["status"] == EXPIRED:
        raise ApiError(400, DL_DELETED)
    if coupon["publishedAt"] is None:
        coupon["publishedAt"] = store_time(now)
        tx.put(DOWNLOADS, coupon["couponId"], coupon)
    return _new_transaction(tx, now, new_id, coupon, "COUPON_ITEM_PUBLISH", list(vendor_item_ids))


def _new_transaction(
    tx: Tx, now: datetime, new_id: NewId, coupon: dict[str, Any], kind: str, vendor_item_ids: list[int]
) -> dict[str, Any]:
    transaction = {
        "requestedId": f"et5_{coupon['couponId']}{new_id('couponTransaction', 15)}",
        "type": kind,
        "couponId": coupon["couponId"],
        "status": TRANSACTION_MACHINE.initial,
        "total": len(vendor_item_ids) if kind == "COUPON_ITEM_PUBLISH" else 1,
        "succeeded": 0,
        "failed": 0,
        "vendorItemIds": vendor_item_ids,
        "failures": [],
    }
    tx.put(TRANSACTIONS, transaction["requestedId"], transaction)
    plan(tx, f"txn:{transaction['requestedId']}", now + timedelta(seconds=policy(tx)["transactionDelaySeconds"]))
    return transaction


def expire_downloads(tx: Tx, now: datetime, new_id: NewId, coupon_ids: list[Any]) -> list[dict[str, Any]]:
    """One result per coupon; an unknown coupon refuses the whole call (documented HTTP 500)."""
    coupons = [live_download(tx, cid) for cid in coupon_ids]
    if any(c is None for c in coupons):
        raise ApiError(500, DL_EXPIRE_UNKNOWN)
    results = []
    for coupon in coupons:
        assert coupon is not None
        if not DOWNLOAD_MACHINE.can(coupon["status"], "expire"):
            results.append({"couponId": coupon["couponId"], "refused": DL_ALREADY_EXPIRED})
            continue
        transaction = _new_transaction(tx, now, new_id, coupon, "COUPON_EXPIRE", [])
        results.append({"couponId": coupon["couponId"], "requestTransactionId": transaction["requestedId"]})
    return results


def _other_download_holders(tx: Tx, coupon_id: int, vendor_item_id: int) -> list[int]:
    holders = query_paging.linked(tx, DOWNLOAD_OPTIONS, str(vendor_item_id))
    coupons = (tx.get(DOWNLOADS, holder) for holder in holders if holder != coupon_id)
    return [c["couponId"] for c in coupons if c is not None and c["status"] in (STANDBY, APPLIED)]


def settle_transaction(tx: Tx, transaction_id: str, at: datetime, _new_id: NewId) -> dict[str, Any]:
    transaction = tx.get(TRANSACTIONS, transaction_id)
    if transaction is None:
        raise ApiError(404, SYSTEM_ERROR)
    coupon = tx.get(DOWNLOADS, transaction["couponId"])
    if transaction["type"] == "COUPON_EXPIRE":
        ok = DOWNLOAD_MACHINE.can(coupon["status"], "expire")
        if ok:
            _move_download(tx, coupon, "expire", at)
        transaction["failed"] = 0 if ok else 1
    else:
        transaction["failures"] = _attach_failures(tx, coupon, transaction["vendorItemIds"])
        transaction["failed"] = len(transaction["failures"])
        ok = not transaction["failures"] and coupon["status"] in (STANDBY, APPLIED)
        if ok:
            before = {str(vid) for vid in coupon["vendorItemIds"]}
            coupon["vendorItemIds"] = sorted({*coupon["vendorItemIds"], *transaction["vendorItemIds"]})
            after = {str(vid) for vid in coupon["vendorItemIds"]}
            query_paging.sync_links(tx, DOWNLOAD_OPTIONS, coupon["couponId"], before, after)
            tx.put(DOWNLOADS, coupon["couponId"], coupon)
            if stored_time(coupon["startDate"]) <= at and coupon["status"] == STANDBY:
                _move_download(tx, coupon, "start", at)
        elif DOWNLOAD_MACHINE.can(coupon["status"], "destroy"):
            _move_download(tx, coupon, "destroy", at)  # a failed attach destroys the coupon
    transaction["succeeded"] = transaction["total"] - transaction["failed"]
    transaction["status"] = TRANSACTION_MACHINE.next(transaction["status"], "succeed" if ok else "fail")
    tx.put(TRANSACTIONS, transaction_id, transaction)
    return transaction


def _attach_failures(tx: Tx, coupon: dict[str, Any], vendor_item_ids: list[int]) -> list[dict[str, Any]]:
    failures = []
    for vid in vendor_item_ids:
        reason = option_problem(tx, vid)
        others = [] if reason else _other_download_holders(tx, coupon["couponId"], vid)
        if others:
            label = str(others[0]) + (f" 외 {len(others) - 1}건" if len(others) > 1 else "")
            reason = CIR14.format(others=label)
        if reason:
            failures.append({"vendorItemId": vid, "failureReason": reason})
    return failures


def _move_download(tx: Tx, coupon: dict[str, Any], event: str, at: datetime) -> None:
    coupon["status"] = DOWNLOAD_MACHINE.next(coupon["status"], event)
    coupon["changedAt"] = store_time(at)
    tx.put(DOWNLOADS, coupon["couponId"], coupon)
    if coupon["status"] in (EXPIRED, DELETED):
        plan(tx, f"dc:{coupon['couponId']}", None)
    elif coupon["status"] == APPLIED:
        plan(tx, f"dc:{coupon['couponId']}", stored_time(coupon["endDate"]))


def _download_step(tx: Tx, ident: str, at: datetime, _new_id: NewId) -> None:
    coupon = tx.get(DOWNLOADS, int(ident))
    if coupon is None or coupon["status"] in (EXPIRED, DELETED):
        return
    if coupon["status"] == STANDBY and coupon["vendorItemIds"] and stored_time(coupon["startDate"]) <= at:
        _move_download(tx, coupon, "start", stored_time(coupon["startDate"]))
    if stored_time(coupon["endDate"]) <= at:
        _move_download(tx, coupon, "end", stored_time(coupon["endDate"]))
    elif coupon["status"] == STANDBY:
        plan(tx, f"dc:{ident}", stored_time(coupon["endDate"]))


def get_transaction(tx: Tx, transaction_id: str) -> dict[str, Any]:
    transaction = tx.get(TRANSACTIONS, transaction_id)
    if transaction is None:
        raise ApiError(500, SYSTEM_ERROR)
    return transaction


def render_transaction(transaction: dict[str, Any]) -> dict[str, Any]:
    return {
        "transactionStatusResponse": {
            "type": transaction["type"],
            "total": transaction["total"],
            "succeeded": transaction["succeeded"],
            "status": transaction["status"],
            "requestedId": transaction["requestedId"],
            "couponFailedVendorItemIdResponses": list(transaction["failures"]),
            "failed": transaction["failed"],
            "couponId": transaction["couponId"],
        }
    }


def render_download_created(coupon: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    return {
        "couponId": coupon["couponId"],
        "vendorId": vendor_id,
        "couponType": "DOWNLOAD",
        "lastModifiedBy": coupon["userId"],
        "lastModifiedDate": wire(coupon["createdAt"]),
        "title": coupon["title"],
        "publishedDate": None,
        "startDate": wire(coupon["startDate"]),
        "couponStatus": coupon["status"],
        "couponPolicies": [dict(p) for p in coupon["policies"]],
    }


def render_download(coupon: dict[str, Any]) -> dict[str, Any]:
    policies = []
    for p in coupon["policies"]:
        entry = {k: v for k, v in p.items() if k not in ("maximumPerDaily", "manageCode")}
        entry["maximumPerDay"] = p["maximumPerDaily"]
        policies.append(entry)
    return {
        "couponId": coupon["couponId"],
        "title": coupon["title"],
        "couponType": "DOWNLOAD",
        "couponStatus": coupon["status"],
        "publishedDate": wire(coupon["publishedAt"]) or "",
        "startDate": wire(coupon["startDate"]),
        "endDate": wire(coupon["endDate"]),
        "appliedOptionCount": len(coupon["vendorItemIds"]),
        "usageAmount": coupon["usageAmount"],
        "couponPolicies": policies,
    }


STEPS.update(txn=settle_transaction, dc=_download_step)
