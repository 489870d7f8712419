"""HTTP glue of the coupons group: contracts/budgets and instant coupons (fms envelope), download
coupons (no envelope), and the control routes that stand in for WING and for buyers using coupons.

Rules live in `mock_server.domains.coupons` (contracts, budgets, timers), `coupon_instant` and
`coupon_downloads`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import MockServices
from ..domains import coupon_downloads, coupon_instant, coupons
from ..domains.fsm import IllegalTransition
from ..errors import ApiError
from ..registry import RequestContext, control, handles, ticker, validation_shape
from ..simulate import int_arg, vendor_tx
from ..store import Tx

ITEMS_DEFAULT_SIZE = 1000
COUPONS_DEFAULT_SIZE = 10


def fms(content: Any, pagination: dict[str, Any] | None = None, success: bool = True) -> dict[str, Any]:
    """{code, message, httpStatus, httpStatusMessage, errorMessage, data: {success, content, pagination}}."""
    return {
        "code": 200,
        "message": "OK",
        "httpStatus": 200,
        "httpStatusMessage": "OK",
        "errorMessage": "",
        "data": {"success": success, "content": content, "pagination": pagination},
    }


def _pagination(page: int, size: int, total: int) -> dict[str, Any]:
    return {"currentPage": page, "countPerPage": size, "totalPages": -(-total // size), "totalElements": total}


def _offset(first: int, page: int, size: int) -> int:
    """`first` is the index of the first page (1 for coupon lists, 0 for item lists)."""
    if page < first:
        raise coupons.fms_error(400, coupons.NEGATIVE_PAGE)
    return (page - first) * size


@validation_shape("coupons")
def _validation_refusal(err: ApiError) -> ApiError:
    return coupons.fms_error(err.status, err.message)


@ticker(due=coupons.due)
def tick(tx: Tx, now: datetime, services: MockServices) -> None:
    coupons.tick(tx, now, lambda kind, digits: services.ids.next(tx, kind, digits))


# ---------------------------------------------------------------- contracts and budgets


@handles("getCouponContract")
def get_contract(ctx: RequestContext) -> dict[str, Any]:
    contract = coupons.get_contract(ctx.tx, ctx.now, ctx.vendor_id, ctx.query["contractId"])
    if contract is None:
        raise coupons.fms_error(404, coupons.CONTRACT_NOT_FOUND)
    return fms(coupons.render_contract(contract))


@handles("listCouponContracts")
def list_contracts(ctx: RequestContext) -> dict[str, Any]:
    contracts = coupons.ensure_contracts(ctx.tx, ctx.now, ctx.vendor_id)
    size = max(COUPONS_DEFAULT_SIZE, len(contracts))
    return fms([coupons.render_contract(c) for c in contracts], _pagination(1, size, len(contracts)))


@handles("createFreeContract")
def create_free_contract(ctx: RequestContext) -> dict[str, Any]:
    return fms(coupons.render_contract(coupons.free_contract(ctx.tx, ctx.now, ctx.vendor_id)))


@handles("getCouponBudgets")
def get_budgets(ctx: RequestContext) -> dict[str, Any]:
    raw_month = ctx.query.get("targetMonth")
    month = coupons.parse_month(str(raw_month)) if raw_month is not None else coupons.month_of(ctx.now)
    found = coupons.budgets(ctx.tx, ctx.now, ctx.vendor_id, ctx.query.get("contractId"), month)
    size = max(COUPONS_DEFAULT_SIZE, len(found))
    return fms(found, _pagination(1, size, len(found)))


# ---------------------------------------------------------------- instant coupons


def _ack(request: dict[str, Any] | None) -> dict[str, Any]:
    if request is None:  # refused while another request on the coupon runs (x-inferred shape)
        return fms({"requestedId": None, "success": False}, success=False)
    return fms({"requestedId": request["requestedId"], "success": True})


@handles("createInstantCoupon")
def create_instant_coupon(ctx: RequestContext) -> dict[str, Any]:
    values = coupon_instant.validate_instant(ctx.tx, ctx.now, ctx.vendor_id, ctx.body)
    return _ack(coupon_instant.new_request(ctx.tx, ctx.now, ctx.next_id, "COUPON_PUBLISH", None, values, 1))


@handles("getInstantCoupon")
def get_instant_coupon(ctx: RequestContext) -> dict[str, Any]:
    coupon = coupon_instant.require_coupon(ctx.tx, ctx.query["couponId"], coupons.COUPON_UNKNOWN_GET)
    return fms(coupon_instant.render_coupon(coupon))


@handles("expireInstantCoupon")
def expire_instant_coupon(ctx: RequestContext) -> dict[str, Any]:
    coupon_id = ctx.path_params["couponId"]
    coupon_instant.require_coupon(ctx.tx, coupon_id, coupons.COUPON_UNKNOWN_EXPIRE)
    if coupon_instant.busy(ctx.tx, coupon_id):
        return _ack(None)
    return _ack(coupon_instant.new_request(ctx.tx, ctx.now, ctx.next_id, "COUPON_EXPIRE", coupon_id, {}, 1))


@handles("getInstantCouponRequestStatus")
def get_request_status(ctx: RequestContext) -> dict[str, Any]:
    return fms(coupon_instant.render_request(coupon_instant.get_request(ctx.tx, ctx.path_params["requestedId"])))


def _item_request(ctx: RequestContext, kind: str) -> dict[str, Any]:
    coupon_id = ctx.path_params["couponId"]
    coupon_instant.require_coupon(ctx.tx, coupon_id, coupons.COUPON_ID_CHECK)
    vendor_items = list(ctx.body["vendorItems"])
    payload = {"vendorItems": vendor_items}
    return _ack(coupon_instant.new_request(ctx.tx, ctx.now, ctx.next_id, kind, coupon_id, payload, len(vendor_items)))


@handles("createInstantCouponItems")
def create_instant_coupon_items(ctx: RequestContext) -> dict[str, Any]:
    return _item_request(ctx, "COUPON_ITEM_PUBLISH")


@handles("expireInstantCouponItems")
def expire_instant_coupon_items(ctx: RequestContext) -> dict[str, Any]:
    return _item_request(ctx, "COUPON_ITEM_EXPIRE")


@handles("listInstantCouponItemsByStatus")
def list_items(ctx: RequestContext) -> dict[str, Any]:
    coupon = coupon_instant.require_coupon(ctx.tx, ctx.path_params["couponId"], coupons.COUPON_ID_CHECK)
    number, size = ctx.query.get("page", 0), ctx.query.get("size") or ITEMS_DEFAULT_SIZE
    descending, start = ctx.query.get("sort") == "desc", _offset(0, number, size)
    page, total = coupon_instant.items_by_status(ctx.tx, coupon, ctx.query["status"], descending, start, size)
    return fms([coupon_instant.render_item(coupon, item) for item in page], _pagination(number, size, total))


@handles("getInstantCouponItem")
def get_item(ctx: RequestContext) -> dict[str, Any]:
    coupon = coupon_instant.require_coupon(ctx.tx, ctx.path_params["couponId"], coupons.COUPON_ID_CHECK)
    item = coupon_instant.find_item(ctx.tx, coupon, ctx.path_params["id"], ctx.query["type"])
    return fms(coupon_instant.render_item(coupon, item))


@handles("listInstantCouponsByStatus")
def list_coupons(ctx: RequestContext) -> dict[str, Any]:
    number, size = ctx.query.get("page", 1), ctx.query.get("size") or COUPONS_DEFAULT_SIZE
    descending, start = ctx.query.get("sort") == "desc", _offset(1, number, size)
    page, total = coupon_instant.coupons_by_status(ctx.tx, ctx.query["status"], descending, start, size)
    return fms([coupon_instant.render_coupon(c) for c in page], _pagination(number, size, total))


@handles("listInstantCouponsByOrderId")
def list_coupons_of_order(ctx: RequestContext) -> dict[str, Any]:
    legacy = ctx.operation.api_format == "legacy"
    found = coupon_instant.coupons_of_order(ctx.tx, ctx.path_params["orderId"])
    return fms([{"vendorItemId": vid, **coupon_instant.render_coupon(c, legacy)} for c, vid in found])


# ---------------------------------------------------------------- download coupons (no envelope)


@handles("createDownloadCoupon")
def create_download_coupon(ctx: RequestContext) -> dict[str, Any]:
    coupon = coupon_downloads.create_download(ctx.tx, ctx.now, ctx.next_id, ctx.vendor_id, ctx.body)
    return coupon_downloads.render_download_created(coupon, ctx.vendor_id)


def _result(coupon_id: int, transaction_id: str | None, refused: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"couponId": coupon_id}
    if transaction_id:
        body["requestTransactionId"] = transaction_id
    return {
        "requestResultStatus": "FAIL" if refused else "SUCCESS",
        "body": body,
        "errorCode": "400" if refused else None,
        "errorMessage": refused,
    }


@handles("createDownloadCouponItems")
def create_download_coupon_items(ctx: RequestContext) -> dict[str, Any]:
    """Several entries are all applied; the answer is the first entry's (spec x-inferred)."""
    results = []
    for entry in ctx.body["couponItems"]:
        transaction = coupon_downloads.attach_download(
            ctx.tx, ctx.now, ctx.next_id, entry["couponId"], entry["vendorItemIds"]
        )
        results.append(_result(transaction["couponId"], transaction["requestedId"]))
    return results[0]


@handles("expireDownloadCoupons")
def expire_download_coupons(ctx: RequestContext) -> list[dict[str, Any]]:
    ids = [entry["couponId"] for entry in ctx.body["expireCouponList"]]
    outcomes = coupon_downloads.expire_downloads(ctx.tx, ctx.now, ctx.next_id, ids)
    return [_result(o["couponId"], o.get("requestTransactionId"), o.get("refused")) for o in outcomes]


@handles("getDownloadCouponTransactionStatus")
def get_transaction_status(ctx: RequestContext) -> dict[str, Any]:
    return coupon_downloads.render_transaction(
        coupon_downloads.get_transaction(ctx.tx, str(ctx.query["requestTransactionId"]))
    )


@handles("getDownloadCoupon")
def get_download_coupon(ctx: RequestContext) -> dict[str, Any]:
    coupon_id = ctx.path_params["couponId"]
    coupon = coupon_downloads.live_download(ctx.tx, coupon_id)
    if coupon is None:
        raise ApiError(404, coupons.DL_NOT_FOUND.format(id=coupon_id))
    return coupon_downloads.render_download(coupon)


# ---------------------------------------------------------------- control plane (WING and buyers)


@control("/vendors/<vendor_id>/coupons/policy", methods=("PUT",))
def coupon_policy(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"requestDelaySeconds": 3, "transactionDelaySeconds": 3}: how long async requests stay open."""
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        return coupons.set_policy(tx, body or {})


@control("/vendors/<vendor_id>/coupons/budgets", methods=("PUT",))
def coupon_budget(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """{"contractId", "targetMonth" (yyyy-MM, default this month), "totalBudgetAmount"}: WING budget setting."""
    body = body or {}
    total = body.get("totalBudgetAmount")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ApiError(400, "totalBudgetAmount must be an integer >= 0")
    contract_id = body.get("contractId", -1)
    if isinstance(contract_id, bool) or not isinstance(contract_id, int):
        raise ApiError(400, "contractId must be an integer (-1 = the free contract)")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        month = coupons.parse_month(str(body["targetMonth"])) if body.get("targetMonth") else coupons.month_of(now)
        return coupons.set_budget(tx, now, vendor_id, contract_id, month, total)


@control("/vendors/<vendor_id>/coupons/<coupon_id>/redemptions", methods=("POST",))
def coupon_redemption(services: MockServices, body: dict[str, Any], vendor_id: str, coupon_id: str) -> Any:
    """{"amount": won}: a buyer used the instant coupon; charged to the contract's budget of this month."""
    amount = (body or {}).get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise ApiError(400, "amount must be an integer >= 1")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        return coupons.redeem(tx, now, int_arg(coupon_id, "couponId"), amount), 201


@control("/vendors/<vendor_id>/coupons/requests/<requested_id>", methods=("POST",))
def coupon_request_outcome(services: MockServices, body: dict[str, Any], vendor_id: str, requested_id: str) -> Any:
    """{"outcome": "DONE"|"FAIL"}: settle a REQUESTED request now; 409 once it is DONE/FAIL."""
    outcome = (body or {}).get("outcome")
    if outcome not in (coupons.DONE, coupons.FAIL):
        raise ApiError(400, 'outcome must be "DONE" or "FAIL"')
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        try:
            request = coupon_instant.settle_request(tx, requested_id, now, new_id, {"outcome": outcome})
        except IllegalTransition as exc:
            raise ApiError(409, f"request {requested_id} is already {exc.state}") from None
        return coupon_instant.render_request(request)
