"""Seller products (등록상품) with their option items and the approval lifecycle.

Store kinds (per vendor):
    products          key sellerProductId: the product fields as registered, `items[]` (each with
                      sellerProductItemId, vendorItemId once approved) and `mock` (status, times,
                      histories, productId, `due`: the ticker's next {action, at}) — `status` is the
                      wire code of PRODUCT_MACHINE.
    product-skus      links externalVendorSku → sellerProductId of live products (query_paging links).
    catalog-counts    key "registered": {count} of live products, kept by `save` (the inflow quota).
    vendor-items      written through `inventory.put_item` at approval: what orders sell and the
                      vendor-item APIs change (live price, stock, sale status).
    catalog-settings  see `product_rules`.

Validation is in `product_rules`, lists in `product_lists`, option (vendor item) changes in
`product_items`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..jsonio import clone
from ..store import Probe, Tx, declare_index
from . import categories, inventory, query_paging, timefmt
from .fsm import IllegalTransition, StateMachine
from .product_rules import (
    as_bool,
    blank,
    check_delivery,
    check_enums,
    check_fees,
    fill_return_address,
    image_problem,
    settings,
    validate,
)
from .product_texts import (
    APPROVED_NOT_DELETABLE,
    AUTO_PRICING_APPROVED,
    BUNDLE_FIXED,
    DELETED_PRODUCT,
    DENY_REASON,
    ID_MISMATCH,
    ID_MISSING,
    INFLOW_LIMIT,
    OFFER_CONDITION_FIXED,
    ON_SALE_NOT_DELETABLE,
    PARTIAL_FIELDS,
    PARTIAL_REASON,
    PENDING_PRODUCT,
    PRODUCT_FIELDS,
    REQUEST_STATES,
    SAVING_PRODUCT,
    SHIPPING_FIELDS,
    SINGLE_ITEM_FIXED,
    UNKNOWN_ITEM,
    error,
)
from .query_paging import iso_key

KIND = "products"
SKU_KIND = "product-skus"
COUNT_KIND, COUNT_KEY = "catalog-counts", "registered"
ID_KIND, ID_DIGITS = "seller-product", 10  # sellerProductIds: IdFactory kind and length (per-vendor prefix)
IdSource = Callable[[str, int], int]
SYSTEM = "쿠팡 셀러 시스템"
LIVE, GONE = "LIVE", "DELETED"


def _created(product: dict[str, Any]) -> str:
    return iso_key(product["mock"]["createdAt"])


def _liveness(product: dict[str, Any]) -> str:
    return GONE if product["mock"]["status"] == "DELETED" else LIVE


def _due_key(product: dict[str, Any]) -> tuple[str, int] | None:
    due = product["mock"].get("due")
    return (iso_key(due["at"]), product["sellerProductId"]) if due else None


# Standard names shared with the dashboard: newest records of a status, and newest overall.
declare_index(KIND, "byStatus", lambda p: (p["mock"]["status"], _created(p), p["sellerProductId"]))
declare_index(KIND, "recent", lambda p: (_created(p), p["sellerProductId"]))
# Lists run newest sellerProductId first; ids only grow per vendor, unlike a settable test clock.
declare_index(KIND, "listed", lambda p: (_liveness(p), p["sellerProductId"]))
declare_index(KIND, "statusById", lambda p: (p["mock"]["status"], p["sellerProductId"]))
declare_index(
    KIND,
    "createdDay",
    lambda p: (
        _liveness(p),
        timefmt.kst_date(timefmt.parse_iso(p["mock"]["createdAt"])).isoformat(),
        p["sellerProductId"],
    ),
)
# Display products (approved at least once), newest productId first (legacy exposure list).
declare_index(
    KIND, "byProductId", lambda p: (p["mock"]["productId"], p["sellerProductId"]) if p["mock"]["productId"] else None
)
# The ticker reads only what is due: saving to finish, reviews to decide.
declare_index(KIND, "due", _due_key)
query_paging.declare_links(SKU_KIND)

# ---------------------------------------------------------------- lifecycle

STATUS_NAMES = {
    "SAVING": "임시저장중",
    "SAVED": "임시저장",
    "APPROVING": "승인대기중",
    "IN_REVIEW": "심사중",
    "APPROVED": "승인완료",
    "PARTIAL_APPROVED": "부분승인완료",
    "DENIED": "승인반려",
    "DELETED": "상품삭제",
}
EDITABLE = ("SAVED", "APPROVED", "PARTIAL_APPROVED", "DENIED")
REQUESTABLE = ("SAVED", "APPROVED", "PARTIAL_APPROVED", "DENIED")
PRODUCT_MACHINE = StateMachine(
    name="product",
    states=tuple(STATUS_NAMES),
    table={
        ("SAVING", "SAVE_DONE"): "SAVED",
        **{(s, "REQUEST_APPROVAL"): "APPROVING" for s in REQUESTABLE},
        ("APPROVING", "START_REVIEW"): "IN_REVIEW",
        ("IN_REVIEW", "APPROVE"): "APPROVED",
        ("IN_REVIEW", "PARTIAL_APPROVE"): "PARTIAL_APPROVED",
        ("IN_REVIEW", "DENY"): "DENIED",
        # full update (approval required): back through saving; PARTIAL_APPROVED allowed (x-inferred)
        **{(s, "UPDATE"): "SAVING" for s in EDITABLE},
        # partial update changes delivery/return fields in place: not while saving, pending or deleted
        **{(s, "PARTIAL_UPDATE"): s for s in (*EDITABLE, "IN_REVIEW")},
        # delete: never while an approval is pending (승인대기중/심사중)
        **{(s, "DELETE"): "DELETED" for s in ("SAVING", *EDITABLE)},
    },
    initial="SAVING",
    terminal=frozenset({"DELETED"}),
)
DECISIONS = {"APPROVE": "APPROVE", "DENY": "DENY", "PARTIAL_APPROVE": "PARTIAL_APPROVE"}

# Option items after approval: on sale, stopped by the seller, stopped by Coupang's monitoring.
ITEM_MACHINE = StateMachine(
    name="vendor-item",
    states=("ON_SALE", "STOPPED", "SUSPENDED", "DELETED"),
    table={
        ("ON_SALE", "STOP"): "STOPPED",
        ("STOPPED", "STOP"): "STOPPED",
        ("SUSPENDED", "STOP"): "SUSPENDED",
        ("ON_SALE", "RESUME"): "ON_SALE",
        ("STOPPED", "RESUME"): "ON_SALE",
        ("ON_SALE", "MONITOR_STOP"): "SUSPENDED",
        ("STOPPED", "MONITOR_STOP"): "SUSPENDED",
        ("SUSPENDED", "MONITOR_RELEASE"): "STOPPED",
        **{(s, "DELETE"): "DELETED" for s in ("ON_SALE", "STOPPED", "SUSPENDED")},
    },
    initial="ON_SALE",
    terminal=frozenset({"DELETED"}),
)


def _schedule(product: dict[str, Any], action: str | None, due: datetime | None = None) -> None:
    """The product's next timed step (saved with the product, found through the "due" index)."""
    product["mock"]["due"] = {"action": action, "at": due.isoformat()} if action and due else None


def due(_tx: Tx, now: datetime) -> list[Probe]:
    return [Probe(KIND, "due", hi=iso_key(now + timedelta(microseconds=1)))]


def due_actions(tx: Tx, now: datetime) -> list[tuple[int, str]]:
    """Scheduled (sellerProductId, action) whose time has come, oldest first."""
    (probe,) = due(tx, now)
    return [(p["sellerProductId"], p["mock"]["due"]["action"]) for p in tx.find(probe.kind, probe.index, hi=probe.hi)]


# ---------------------------------------------------------------- reading


def get(tx: Tx, product_id: Any) -> dict[str, Any] | None:
    try:
        return tx.get(KIND, int(product_id))
    except (TypeError, ValueError):
        return None


def status_of(product: dict[str, Any]) -> str:
    return product["mock"]["status"]


def save(tx: Tx, product: dict[str, Any]) -> None:
    before = tx.get(KIND, product["sellerProductId"])
    _link_skus(tx, before, product)
    _count_registered(tx, before, product)
    tx.put(KIND, product["sellerProductId"], product)


def registered_count(tx: Tx) -> int:
    """Live (not deleted) products: a running count, because an index count is linear in SQL stores
    and the inflow check runs on every create."""
    counter = tx.get(COUNT_KIND, COUNT_KEY)
    if counter is None:  # a store written before the count existed: counted once through the index
        return tx.count(KIND, "listed", prefix=(LIVE,))
    return int(counter["count"])


def _count_registered(tx: Tx, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    change = (_liveness(after) == LIVE) - (before is not None and _liveness(before) == LIVE)
    if change:
        tx.put(COUNT_KIND, COUNT_KEY, {"count": registered_count(tx) + change})


def _skus(product: dict[str, Any] | None) -> set[str]:
    if product is None or status_of(product) == "DELETED":
        return set()
    return {str(item["externalVendorSku"]) for item in product["items"] if item.get("externalVendorSku")}


def _link_skus(tx: Tx, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    query_paging.sync_links(tx, SKU_KIND, after["sellerProductId"], _skus(before), _skus(after))


def with_sku(tx: Tx, sku: str) -> list[dict[str, Any]]:
    """Live products with an item of this externalVendorSku, oldest first."""
    found = (get(tx, product_id) for product_id in query_paging.linked(tx, SKU_KIND, sku))
    return [p for p in found if p is not None]


# ---------------------------------------------------------------- create / update / lifecycle


def inflow_status(tx: Tx, vendor_id: str) -> dict[str, Any]:
    current = settings(tx)
    registered = registered_count(tx)
    return {
        "vendorId": vendor_id,
        "restricted": bool(current["restricted"]),
        "registeredCount": registered,
        "permittedCount": current["permittedCount"],
    }


def create(tx: Tx, raw: dict[str, Any], now: datetime, ids: IdSource, vendor_id: str) -> dict[str, Any]:
    inflow = inflow_status(tx, vendor_id)
    if inflow["restricted"] or (
        inflow["permittedCount"] is not None and inflow["registeredCount"] >= inflow["permittedCount"]
    ):
        raise error(INFLOW_LIMIT)
    body, leaf, warning = validate(tx, raw, now)
    product_id = ids(ID_KIND, ID_DIGITS)
    for item in body["items"]:
        item.pop("vendorItemId", None)
        item["sellerProductItemId"] = ids("seller-product-item", 11)
    product = {
        **body,
        "vendorId": vendor_id,
        "sellerProductId": product_id,
        "mock": {
            "status": PRODUCT_MACHINE.initial,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
            "categoryId": leaf.category_id,
            "productId": None,
            "histories": [],
            "everApproved": False,
            "warning": warning,
        },
    }
    _after_save(tx, product, now)
    return product


def update(tx: Tx, raw: dict[str, Any], now: datetime, ids: IdSource) -> dict[str, Any]:
    """Approval-required update: full replacement, back to 임시저장 (then review when requested)."""
    product = _product_for_change(tx, raw.get("sellerProductId"), None)
    _transition(product, "UPDATE", PENDING_PRODUCT)
    _check_immutable(product, raw)
    body, _leaf, warning = validate(tx, raw, now, existing=product)
    product["mock"]["warning"] = warning
    body["items"] = _merge_items(tx, product, body["items"], ids)
    for name in PRODUCT_FIELDS:
        if name in body:
            product[name] = body[name]
    product["items"] = body["items"]
    product["mock"]["updatedAt"] = now.isoformat()
    _after_save(tx, product, now)
    return product


def _check_immutable(product: dict[str, Any], raw: dict[str, Any]) -> None:
    """What was fixed at registration is refused before any content rule (changing it means a new product)."""
    bundle = raw.get("bundleInfo")
    sent = bundle.get("bundleType", "SINGLE") if isinstance(bundle, dict) else "SINGLE" if bundle is None else bundle
    if sent != product["bundleInfo"]["bundleType"]:
        raise error(BUNDLE_FIXED)
    old = {item["sellerProductItemId"]: item for item in product["items"]}
    for item in raw.get("items") or []:
        if not isinstance(item, dict):
            continue
        item_id = str(item.get("sellerProductItemId") or "")
        previous = old.get(int(item_id)) if item_id.isdigit() else None
        condition = item.get("offerCondition")
        if previous is not None and condition is not None and condition != previous["offerCondition"]:
            raise error(OFFER_CONDITION_FIXED)


def _merge_items(
    tx: Tx, product: dict[str, Any], new_items: list[dict[str, Any]], ids: IdSource
) -> list[dict[str, Any]]:
    """Keep (sellerProductItemId), add (without) and drop (never-approved only) option items."""
    old = {item["sellerProductItemId"]: item for item in product["items"]}
    kept = {item.get("sellerProductItemId") for item in new_items} - {None}
    for item_id in kept - set(old):
        raise error(UNKNOWN_ITEM.format(id=item_id))
    for item_id, item in old.items():
        if item_id in kept or item.get("vendorItemId") is None:
            continue
        live = inventory.get_item(tx, item["vendorItemId"]) or {}
        raise error(ON_SALE_NOT_DELETABLE if live.get("onSale") else APPROVED_NOT_DELETABLE)
    adding = any(item.get("sellerProductItemId") is None for item in new_items)
    if adding and len(old) == 1 and product["mock"]["everApproved"]:
        raise error(SINGLE_ITEM_FIXED)
    merged = []
    for item in new_items:
        previous = old.get(item.get("sellerProductItemId"))
        if previous is None:
            item.pop("vendorItemId", None)
            item["sellerProductItemId"] = ids("seller-product-item", 11)
        else:
            _keep_approved_values(tx, previous, item)
        merged.append(item)
    return merged


def _keep_approved_values(tx: Tx, previous: dict[str, Any], item: dict[str, Any]) -> None:
    """Approved items keep their live price/stock (vendor-item APIs own them) and their attributes."""
    if previous["offerCondition"] != item["offerCondition"]:
        raise error(OFFER_CONDITION_FIXED)
    vendor_item_id = previous.get("vendorItemId")
    item["vendorItemId"] = vendor_item_id
    if vendor_item_id is None:
        return
    if item.get("autoPricingInfo") is not None:
        raise error(AUTO_PRICING_APPROVED)
    names = {a["attributeTypeName"] for a in item.get("attributes") or [] if str(a.get("attributeValueName", "")) != ""}
    dropped = [a["attributeTypeName"] for a in previous.get("attributes") or [] if a["attributeTypeName"] not in names]
    if dropped:
        raise error(f"필수 옵션이({','.join(dropped)}) 입력되지 않았습니다")
    for name in ("salePrice", "originalPrice", "maximumBuyCount", "autoPricingInfo"):
        if name in previous:
            item[name] = previous[name]
        else:
            item.pop(name, None)


def _after_save(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    """SAVING → SAVED now, or after savingSeconds (the documented lock while Coupang processes)."""
    delay = int(settings(tx)["savingSeconds"] or 0)
    if delay > 0:
        _schedule(product, "SAVE_DONE", now + timedelta(seconds=delay))
        save(tx, product)
        return
    finish_saving(tx, product, now)


def finish_saving(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(product["mock"]["status"], "SAVE_DONE")
    _history(product, now, "SAVED", product.get("vendorUserId") or product["vendorId"], "판매자 임시저장")
    _schedule(product, None)
    if product.get("requested"):
        _request(tx, product, now)
    else:
        save(tx, product)


def request_approval(tx: Tx, product_id: Any, now: datetime) -> dict[str, Any]:
    product = get(tx, product_id)
    if product is None:
        raise error(f"상품({product_id})의 데이터가 없습니다.")
    if status_of(product) == "SAVING":
        raise error(locked_message(product))
    if not PRODUCT_MACHINE.can(status_of(product), "REQUEST_APPROVAL"):
        raise error(REQUEST_STATES)
    product["requested"] = True
    _request(tx, product, now)
    return product


def _request(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "REQUEST_APPROVAL")
    actor = product.get("vendorUserId") or product["vendorId"]
    _history(product, now, None, actor, "판매자 승인요청", label="승인요청")
    _history(product, now, "APPROVING", SYSTEM, "승인 관련 정보 생성 중")
    policy = settings(tx)
    if policy["reviewDecision"] != "MANUAL":
        _schedule(product, "REVIEW", now + timedelta(seconds=float(policy["reviewDelaySeconds"] or 0)))
    save(tx, product)


def review(
    tx: Tx,
    product: dict[str, Any],
    decision: str,
    now: datetime,
    ids: IdSource,
    reason: str | None = None,
    selected: list[int] | None = None,
) -> dict[str, Any]:
    """Coupang's reviewer: APPROVING → IN_REVIEW → APPROVED | PARTIAL_APPROVED | DENIED."""
    if status_of(product) == "APPROVING":
        start_review(product, now)
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), decision)
    _schedule(product, None)
    if decision == "DENY":
        _history(product, now, "DENIED", SYSTEM, reason or DENY_REASON)
    else:
        chosen = _approved_selection(product, decision, selected)
        _approve_items(tx, product, chosen, ids)
        comment = reason or ("승인 완료" if decision == "APPROVE" else PARTIAL_REASON)
        _history(product, now, status_of(product), SYSTEM, comment)
    save(tx, product)
    return product


def start_review(product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "START_REVIEW")
    _history(product, now, "IN_REVIEW", SYSTEM, "상품 심사 중")


def _approved_selection(product: dict[str, Any], decision: str, selected: list[int] | None) -> list[dict[str, Any]]:
    items = product["items"]
    if decision == "APPROVE":
        return items
    if selected:  # sellerProductItemIds, or vendorItemIds of items approved before
        wanted = {int(s) for s in selected}
        chosen = [i for i in items if i["sellerProductItemId"] in wanted or i.get("vendorItemId") in wanted]
    else:  # default: the first half, at least one (x-inferred)
        chosen = items[: max(1, len(items) // 2)]
    return chosen


def _approve_items(tx: Tx, product: dict[str, Any], chosen: list[dict[str, Any]], ids: IdSource) -> None:
    if product["mock"]["productId"] is None:
        product["mock"]["productId"] = ids("display-product", 10)
    product["mock"]["everApproved"] = True
    for item in chosen:
        if item.get("vendorItemId") is None:
            item["vendorItemId"] = ids("vendor-item", 11)
        existing = inventory.get_item(tx, item["vendorItemId"])
        inventory.put_item(tx, _vendor_item(product, item, existing))


def _vendor_item(product: dict[str, Any], item: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The vendor-items document (inventory.py contract); live price/stock/sale state survive re-approval."""
    live = existing or {
        "salePrice": item["salePrice"],
        "originalPrice": item["originalPrice"],
        "quantity": item["maximumBuyCount"],
        "saleStatus": ITEM_MACHINE.initial,
        "onSale": True,
        "autoGenerated": False,
        "autoGeneratedOptIn": True,
    }
    document = {
        **live,
        "vendorItemId": item["vendorItemId"],
        "sellerProductId": product["sellerProductId"],
        "sellerProductItemId": item["sellerProductItemId"],
        "sellerProductName": product["sellerProductName"],
        "itemName": item["itemName"],
        "approved": True,
        "deleted": False,
        "externalVendorSku": item.get("externalVendorSku") or "",
        "maximumBuyCount": live["quantity"],
        "maximumBuyForPerson": item["maximumBuyForPerson"],
        "unitCount": item["unitCount"],
        "outboundShippingTimeDay": item["outboundShippingTimeDay"],
        "pccNeeded": item["pccNeeded"],
        "taxType": item["taxType"],
        "adultOnly": item["adultOnly"],
        "displayCategoryCode": product["displayCategoryCode"],
        "productId": product["mock"]["productId"],
    }
    document.update({name: product.get(name) for name in SHIPPING_FIELDS})
    return document


def locked_message(product: dict[str, Any]) -> str:
    return (
        f"상품 정보가 등록 또는 수정되고 있습니다. 잠시 후 다시 조회해 주시기 바랍니다. [{product['sellerProductId']}]"
    )


def _product_for_change(tx: Tx, body_id: Any, path_id: Any) -> dict[str, Any]:
    if blank(body_id):
        raise error(ID_MISSING)
    if path_id is not None and str(body_id) != str(path_id):
        raise error(ID_MISMATCH)
    product = get(tx, body_id)
    if product is None:
        raise error(f"존재하지 않는 등록상품아이디 [{body_id}]입니다.")
    return product


def _transition(product: dict[str, Any], event: str, pending_message: str) -> None:
    """Apply event or refuse with the text for the state the product is in."""
    try:
        product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), event)
    except IllegalTransition:
        raise error(
            {"DELETED": DELETED_PRODUCT, "SAVING": SAVING_PRODUCT}.get(status_of(product), pending_message)
        ) from None


def partial_update(tx: Tx, path_id: Any, raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Delivery/return fields at once, without approval; the same consistency rules as create."""
    product = _product_for_change(tx, raw.get("sellerProductId"), path_id)
    _transition(product, "PARTIAL_UPDATE", PENDING_PRODUCT)
    body = {name: product.get(name) for name in PRODUCT_FIELDS if name in product}
    changes = {name: clone(raw[name]) for name in PARTIAL_FIELDS if name in raw and name != "pccNeeded"}
    body.update(changes)
    if changes.get("returnCenterCode") and str(changes["returnCenterCode"]) != str(product["returnCenterCode"]):
        for name in (
            "returnChargeName",
            "companyContactNumber",
            "returnZipCode",
            "returnAddress",
            "returnAddressDetail",
        ):
            if name not in raw:
                body.pop(name, None)  # a new center brings its own address
    items = clone(product["items"])
    if "pccNeeded" in raw:
        for item in items:
            item["pccNeeded"] = as_bool(raw["pccNeeded"])
    leaf = categories.find(product["displayCategoryCode"])
    assert leaf is not None
    check_enums(body)
    fill_return_address(tx, body)
    check_fees(body, leaf)
    check_delivery(tx, body, leaf, items)
    product.update({name: body[name] for name in body if name in PRODUCT_FIELDS})
    product["items"] = items
    product["mock"]["updatedAt"] = now.isoformat()
    save(tx, product)
    _sync_vendor_items(tx, product)
    return product


def _sync_vendor_items(tx: Tx, product: dict[str, Any]) -> None:
    for item in product["items"]:
        if item.get("vendorItemId") is None:
            continue
        document = inventory.get_item(tx, item["vendorItemId"])
        if document is not None:
            document.update({name: product.get(name) for name in SHIPPING_FIELDS})
            document["pccNeeded"] = item["pccNeeded"]
            inventory.put_item(tx, document)


def delete(tx: Tx, product_id: Any, now: datetime) -> dict[str, Any]:
    product = get(tx, product_id)
    refused = error(
        f"업체상품[{product_id}]이 없거나 삭제가 불가능한 상태입니다. 삭제는 '저장중', '임시저장' 상태에서만 가능합니다."
    )
    if product is None or not PRODUCT_MACHINE.can(status_of(product), "DELETE"):
        raise refused
    live = live_documents(tx, product)
    if any(doc and doc.get("onSale") for doc in live):
        raise refused  # every option must be sales-stopped first
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "DELETE")
    _history(product, now, "DELETED", product.get("vendorUserId") or product["vendorId"], "판매자 상품삭제")
    _schedule(product, None)
    for document in live:
        if document is not None:
            document["saleStatus"] = ITEM_MACHINE.next(document["saleStatus"], "DELETE")
            document.update(onSale=False, deleted=True)
            inventory.put_item(tx, document)
    save(tx, product)
    return product


def _history(
    product: dict[str, Any], now: datetime, status: str | None, actor: str, comment: str, label: str | None = None
) -> None:
    product["mock"]["histories"].append(
        {
            "createdAt": now.isoformat(),
            "status": label or STATUS_NAMES[status or "SAVED"],
            "createdBy": actor,
            "comment": comment,
        }
    )


def tick(tx: Tx, now: datetime, ids: IdSource) -> None:
    """Timed behaviour: finish saving, and the automatic reviewer's decision when due."""
    policy = None
    for product_id, action in due_actions(tx, now):
        product = get(tx, product_id)
        assert product is not None  # found through its own index entry
        if action == "SAVE_DONE" and status_of(product) == "SAVING":
            finish_saving(tx, product, now)
        elif action == "REVIEW" and status_of(product) in ("APPROVING", "IN_REVIEW"):
            policy = policy or settings(tx)
            problem = image_problem(product["items"])
            decision = "DENY" if problem else policy["reviewDecision"]
            review(tx, product, DECISIONS.get(decision, "APPROVE"), now, ids, problem or policy.get("reviewReason"))
        else:
            _schedule(product, None)
            save(tx, product)


# ---------------------------------------------------------------- rendering


def render(tx: Tx, product: dict[str, Any]) -> dict[str, Any]:
    """get-seller-product: the registered fields plus ids, status and the live vendor-item values."""
    mock = product["mock"]
    body = {name: clone(product[name]) for name in PRODUCT_FIELDS if name in product}
    return {
        "sellerProductId": product["sellerProductId"],
        "statusName": STATUS_NAMES[mock["status"]],
        "categoryId": mock["categoryId"],
        "productId": mock["productId"],
        "mdId": None,
        "mdName": None,
        "contributorType": "API_SELLER",
        "exchangeType": "AFTER",
        "deliverySurcharge": 0,
        "bundlePackingDelivery": None,
        **body,
        "items": [_render_item(tx, product, item) for item in product["items"]]
        + [_render_generated(tx, product, vendor_item_id) for vendor_item_id in generated_ids(product)],
    }


def _render_generated(tx: Tx, product: dict[str, Any], vendor_item_id: int) -> dict[str, Any]:
    """An auto-generated option shows as an item of its product, rendered like its base option."""
    document = inventory.get_item(tx, vendor_item_id) or {}
    base = next(i for i in product["items"] if i.get("vendorItemId") == document.get("baseVendorItemId"))
    rendered = _render_item(tx, product, {**base, "vendorItemId": vendor_item_id})
    rendered.update(
        sellerProductItemId=document["sellerProductItemId"],
        itemName=document["itemName"],
        externalVendorSku=document.get("externalVendorSku", ""),
        unitCount=document["unitCount"],
    )
    return rendered


def _render_item(tx: Tx, product: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    rendered = clone(item)
    rendered.setdefault("vendorItemId", None)
    live = inventory.get_item(tx, item["vendorItemId"]) if item.get("vendorItemId") else None
    if live is not None:
        rendered.update(
            salePrice=live["salePrice"], originalPrice=live["originalPrice"], maximumBuyCount=live["quantity"]
        )
    pricing = (live or {}).get("autoPricing") or item.get("autoPricingInfo")
    rendered.pop("autoPricingInfo", None)
    if pricing:
        rendered["autoPricingInfoView"] = pricing
    editable = item.get("vendorItemId") is None
    rendered["attributes"] = [
        {**a, "exposed": a.get("exposed") or "EXPOSED", "editable": editable} for a in item.get("attributes") or []
    ]
    rendered["isAutoGenerated"] = "true" if (live or {}).get("autoGenerated") else "false"
    rendered["bestPriceGuaranteed3P"] = False
    rendered["freePriceType"] = None
    return rendered


def render_partial(product: dict[str, Any]) -> dict[str, Any]:
    data = {"sellerProductId": product["sellerProductId"]}
    for name in PARTIAL_FIELDS:
        if name == "pccNeeded":
            data[name] = bool(product["items"] and product["items"][0].get("pccNeeded"))
        else:
            data[name] = product.get(name, "" if name == "extraInfoMessage" else None)
    return data


def summary(product: dict[str, Any]) -> dict[str, Any]:
    mock = product["mock"]
    return {
        "sellerProductId": product["sellerProductId"],
        "sellerProductName": product["sellerProductName"],
        "displayCategoryCode": product["displayCategoryCode"],
        "categoryId": mock["categoryId"],
        "productId": mock["productId"],
        "vendorId": product["vendorId"],
        "mdId": None,
        "mdName": None,
        "saleStartedAt": product["saleStartedAt"],
        "saleEndedAt": product["saleEndedAt"],
        "brand": product.get("brand"),
        "statusName": STATUS_NAMES[mock["status"]],
        "createdAt": timefmt.legacy_t(timefmt.parse_iso(mock["createdAt"])),
    }


def histories(product: dict[str, Any]) -> list[dict[str, Any]]:
    """Newest first, times as yyyy-MM-dd'T'HH:mm:ss KST."""
    return [
        {**entry, "createdAt": timefmt.legacy_t(timefmt.parse_iso(entry["createdAt"]))}
        for entry in reversed(product["mock"]["histories"])
    ]


# ---------------------------------------------------------------- the product's vendor-item documents


def generated_ids(product: dict[str, Any]) -> list[int]:
    """vendorItemIds of the auto-generated options (자동생성옵션) of the product."""
    return list(product["mock"].get("autoGenerated") or [])


def live_documents(tx: Tx, product: dict[str, Any]) -> list[dict[str, Any]]:
    """Every vendor-item document of the product: approved options and auto-generated ones."""
    ids = [i["vendorItemId"] for i in product["items"] if i.get("vendorItemId")] + generated_ids(product)
    return [doc for doc in (inventory.get_item(tx, vendor_item_id) for vendor_item_id in ids) if doc is not None]
