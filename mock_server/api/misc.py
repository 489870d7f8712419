"""HTTP glue of the misc group (book cashback, Rocket Growth reads, brands, legacy 2019 APIs) and the
control routes that stand in for Coupang's contracts and the Rocket warehouses.

Rules live in `mock_server.domains.misc` and `mock_server.domains.brands`.
"""

from __future__ import annotations

from typing import Any

from ..core import MockServices
from ..domains import brands, misc
from ..errors import ApiError, not_found
from ..registry import Reply, RequestContext, control, handles
from ..simulate import vendor_tx

# ---------------------------------------------------------------- book cashback


@handles("applyBookCashback")
def apply_book_cashback(ctx: RequestContext) -> Any:
    """200 when every option got the rule, 206 PARTIAL_CONTENT, 400 when none did (x-inferred)."""
    rule = misc.check_cashback(ctx.body if isinstance(ctx.body, dict) else {}, ctx.now)
    successes, failures = misc.apply_cashback(ctx.tx, ctx.now, rule)
    data = {"successVendorItemIds": successes, "failVendorItemIds": failures}
    if not successes:
        raise ApiError(400, next(iter(failures[0].values())), extra={"data": data})
    if failures:
        return Reply({"code": 206, "message": "PARTIAL_CONTENT", "data": data}, 206)
    return {"code": 200, "message": "OK", "data": data}


def _cashback_option(ctx: RequestContext) -> int:
    vendor_item_id = ctx.query.get("vendorItemId")
    if vendor_item_id is None:
        raise ApiError(400, misc.ITEM_ID_NULL)
    return int(vendor_item_id)


@handles("getBookCashback")
def get_book_cashback(ctx: RequestContext) -> dict[str, Any]:
    rule = misc.get_cashback(ctx.tx, ctx.query["ruleId"], _cashback_option(ctx))
    return {"code": "200", "message": "OK", "data": misc.render_cashback(rule, ctx.vendor_id)}


@handles("deleteBookCashback")
def delete_book_cashback(ctx: RequestContext) -> dict[str, Any]:
    misc.delete_cashback(ctx.tx, ctx.now, ctx.query["ruleId"], _cashback_option(ctx))
    return {"code": "200", "message": "OK"}


# ---------------------------------------------------------------- Rocket Growth


@handles("listRgOrders")
def list_rg_orders(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    page, token = misc.rg_orders(ctx.tx, query["paidDateFrom"], query["paidDateTo"], query.get("nextToken"))
    data = [misc.render_rg_order(order, ctx.vendor_id, listed=True) for order in page]
    return {"code": 200, "message": "SUCCESS", "data": data, "nextToken": token}


@handles("getRgOrder")
def get_rg_order(ctx: RequestContext) -> dict[str, Any]:
    order = misc.rg_order(ctx.tx, ctx.path_params["orderId"])
    return {"code": 200, "message": "SUCCESS", "data": misc.render_rg_order(order, ctx.vendor_id, listed=False)}


@handles("listRgInventorySummaries")
def list_rg_inventory(ctx: RequestContext) -> dict[str, Any]:
    data, token = misc.rg_inventory(
        ctx.tx, ctx.now, ctx.vendor_id, ctx.query.get("vendorItemId"), ctx.query.get("nextToken")
    )
    return {"code": 200, "message": "SUCCESS", "data": data, "nextToken": token}


# ---------------------------------------------------------------- brands


@handles("searchBrands")
def search_brands(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    # the schema admits 6.0 for an integer; Jackson would take it as 6
    page = int(body.get("page") or 1)
    size = int(body.get("countPerPage") or brands.MAX_PER_PAGE)
    return {"code": "SUCCESS", "message": "", "data": brands.search(body.get("brandName"), page, size)}


@handles("listEnrolledBrands")
def list_enrolled_brands(ctx: RequestContext) -> dict[str, Any]:
    return {"code": "SUCCESS", "message": "", "data": brands.enrolled(ctx.tx)}


@handles("getBrand")
def get_brand(ctx: RequestContext) -> dict[str, Any]:
    brand = brands.get(ctx.path_params["brandId"])
    if brand is None:
        raise not_found()
    return {"code": "SUCCESS", "message": "", "data": brands.render(brand)}


# ---------------------------------------------------------------- legacy 2019 APIs


@handles("changeVendorItemBestPriceGuarantee")
def change_best_price_guarantee(ctx: RequestContext) -> dict[str, Any]:
    params = ctx.path_params
    misc.change_couranty(ctx.tx, ctx.now, params["vendorItemId"], params["bestPriceGuaranteed3P"])
    return {"code": "SUCCESS", "message": misc.COURANTY_DONE, "data": None}


@handles("listExposureProducts")
def list_exposure_products(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    page = query.get("nextToken") or 1
    rows, following = misc.exposure_products(ctx.tx, query["productName"], page, query.get("maxPerPage") or 10)
    return {"code": "SUCCESS", "message": "", "nextToken": str(following) if following else "", "data": rows}


@handles("getCategoryMetasByCategoryId")
def get_category_metas_by_id(ctx: RequestContext) -> dict[str, Any]:
    return {"code": "SUCCESS", "message": "", "data": misc.legacy_metas(ctx.path_params["categoryId"])}


# ---------------------------------------------------------------- control plane


def _list_body(body: Any, key: str) -> Any:
    return (body or {}).get(key) if isinstance(body, dict) else None


@control("/vendors/<vendor_id>/cashback-rules", methods=("PUT",))
def cashback_rules(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"ruleIds": [3944, …]} restricts the vendor's contracted rules; {"ruleIds": null} accepts any."""
    rule_ids = _list_body(body, "ruleIds")
    if rule_ids is not None and (
        not isinstance(rule_ids, list) or not all(isinstance(r, int) and not isinstance(r, bool) for r in rule_ids)
    ):
        raise ApiError(400, "ruleIds must be a list of integers or null")
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        return misc.grant_rules(tx, rule_ids)


@control("/vendors/<vendor_id>/rg/inventory", methods=("PUT",))
def rg_inventory(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"items": [{"vendorItemId", "totalOrderableQuantity", "externalSkuId"?}]}: Rocket warehouse stock."""
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        return {"items": misc.stock_rg(tx, _list_body(body, "items"))}


@control("/vendors/<vendor_id>/rg/orders", methods=("POST",))
def rg_order(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"items": [{"vendorItemId", "quantity"}], "paidAt"?}: a customer bought stocked Rocket Growth options."""
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        order = misc.place_rg_order(tx, now, new_id, body if isinstance(body, dict) else {})
        return misc.render_rg_order(order, vendor_id, listed=False), 201


@control("/vendors/<vendor_id>/brands/enrolled", methods=("POST",))
def enroll_brands(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"brandIds": ["KR-5", …]}: brands the seller registered in WING."""
    brand_ids = _list_body(body, "brandIds")
    if not isinstance(brand_ids, list):
        raise ApiError(400, "brandIds must be a list of brand ids")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        return {"brands": brands.enroll(tx, now, brand_ids)}


@control("/vendors/<vendor_id>/couranty", methods=("PUT",))
def couranty_permission(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"allowed": true}: Coupang granted the vendor the best-price guarantee (쿠런티)."""
    allowed = _list_body(body, "allowed")
    if not isinstance(allowed, bool):
        raise ApiError(400, "allowed must be true or false")
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        return misc.allow_couranty(tx, allowed)
