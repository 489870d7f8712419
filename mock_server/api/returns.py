"""HTTP glue of the returns group (반품 APIs) and its buyer / courier simulation routes.

Rules live in `mock_server.domains.returns` (receipt model: `domains/receipts.py`); this module reads
the request, calls the domain and builds the envelope of each endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from .. import envelopes
from ..core import MockServices
from ..domains import exchanges, paging, receipts, returns, timefmt
from ..errors import ApiError
from ..registry import RequestContext, control, handles, ticker
from ..simulate import int_arg, item_quantities, vendor_tx
from ..store import Tx
from .orders import order_or_404

DEFAULT_PER_PAGE = 50
ORDER_ID_REQUIRED = "OrderId can't be null , if doesn't pass the parameter status"
WITHDRAW_MAX_DAYS = 7
WITHDRAW_TOO_LONG = "최대 조회 기간은 7 일 입니다.(The maximum view duration is 7 days)"
WITHDRAW_REVERSED = "종료일자는 시작일자보다 작거나 같아야 합니다."
WITHDRAW_PAGE_SIZE = "페이지별 최대 표시 갯수(sizePerPage)는 100 입니다. (The maximum number of indications per page (sizePerPage) is 100)"
WITHDRAW_PAGE_INDEX = "pageindex 는 음수 또는 0 일 수 없습니다. (pageindex can not be negative or 0)"
WITHDRAW_DATE = "날짜입력을 확인해 주세요. (형식:yyyy-MM-dd) [Please confirm the date input (format:yyyy-MM-dd)]"
WITHDRAW_IDS_FAILED = "CReturns getWithdrawnList failed"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _legacy(ctx: RequestContext) -> bool:
    return ctx.operation.api_format == "legacy"


def same_id(body: Any, name: str, path_value: int) -> None:
    """Bodies repeat the path id; a different one is refused (mock wording, spec x-inferred)."""
    value = body.get(name) if isinstance(body, dict) else None
    if value is not None and str(value) != str(path_value):
        raise ApiError(400, f"{name} in path and body do not match")


# ---------------------------------------------------------------- reads


@handles("listReturnRequests")
def list_return_requests(ctx: RequestContext) -> dict[str, Any]:
    """Daily (cursor-paged) or timeFrame (whole window, no cursor) — v6 i18n, v4 legacy formats."""
    query = ctx.query
    time_frame = query.get("searchType") == "timeFrame"
    cancel_type = query.get("cancelType") or "RETURN"
    status = query.get("status") or None
    order_id = query.get("orderId")
    if cancel_type == "RETURN" and status is None and order_id is None:
        raise ApiError(400, ORDER_ID_REQUIRED)
    window = returns.list_window(str(query["createdAtFrom"]), str(query["createdAtTo"]), time_frame)
    found = returns.listing(ctx.tx, window, cancel_type, status, None if time_frame else order_id)
    legacy = _legacy(ctx)
    if time_frame:
        return envelopes.standard([returns.render(receipt, legacy) for receipt in found(0, None)])
    size = int(query.get("maxPerPage") or DEFAULT_PER_PAGE)
    page, token = paging.by_token_query(found, query.get("nextToken"), max(size, 1))
    return envelopes.with_next_token([returns.render(receipt, legacy) for receipt in page], token)


@handles("getReturnRequest")
def get_return_request(ctx: RequestContext) -> dict[str, Any]:
    receipt = returns.return_receipt(ctx.tx, ctx.path_params["receiptId"])
    if receipt is None:
        raise ApiError(400, returns.GET_NOT_FOUND)
    return envelopes.standard([returns.render(receipt, _legacy(ctx))], code="200")


# ---------------------------------------------------------------- seller actions


@handles("confirmReturnReceipt")
def confirm_return_receipt(ctx: RequestContext) -> dict[str, Any]:
    receipt_id = ctx.path_params["receiptId"]
    same_id(ctx.body, "receiptId", receipt_id)
    returns.confirm_receipt(ctx.tx, ctx.now, receipt_id)
    return envelopes.ack()


@handles("approveReturnRequest")
def approve_return_request(ctx: RequestContext) -> dict[str, Any]:
    receipt_id = ctx.path_params["receiptId"]
    same_id(ctx.body, "receiptId", receipt_id)
    returns.approve(ctx.tx, ctx.now, receipt_id, ctx.body["cancelCount"])
    return envelopes.ack()


@handles("registerReturnPickupInvoice")
def register_return_pickup_invoice(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body
    domain = returns if body["returnExchangeDeliveryType"] == "RETURN" else exchanges
    dto = domain.register_pickup_invoice(
        ctx.tx,
        ctx.now,
        ctx.next_id,
        int(body["receiptId"]),
        str(body["deliveryCompanyCode"]),
        str(body["invoiceNumber"]),
        body.get("regNumber"),
    )
    return envelopes.standard(dto)


# ---------------------------------------------------------------- withdrawal history


@handles("listReturnWithdrawalsByPeriod")
def list_withdrawals_by_period(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    first, last = _withdraw_day(query.get("dateFrom"), "dateFrom"), _withdraw_day(query.get("dateTo"), "dateTo")
    if last < first:
        raise ApiError(400, WITHDRAW_REVERSED)
    if (last - first).days >= WITHDRAW_MAX_DAYS:
        raise ApiError(400, WITHDRAW_TOO_LONG)
    size = int(query.get("sizePerPage") or 10)
    page_index = 1 if query.get("pageIndex") is None else int(query["pageIndex"])
    if size > 100:
        raise ApiError(400, WITHDRAW_PAGE_SIZE)
    if page_index <= 0:
        raise ApiError(400, WITHDRAW_PAGE_INDEX)
    start = datetime(first.year, first.month, first.day, tzinfo=timefmt.KST)
    end = datetime(last.year, last.month, last.day, tzinfo=timefmt.KST) + timedelta(days=1)
    found = returns.withdrawals(ctx.tx, start, end)
    page, following = paging.by_page_query(found, page_index, max(size, 1))
    return envelopes.with_page_index([returns.render_withdrawal(doc, ctx.vendor_id) for doc in page], following)


def _withdraw_day(value: Any, name: str) -> date:
    if value in (None, ""):
        raise ApiError(400, f"Required String parameter '{name}' is not present")
    if not DAY.match(str(value)):
        raise ApiError(400, WITHDRAW_DATE)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, WITHDRAW_DATE) from None


@handles("listReturnWithdrawalsByIds")
def list_withdrawals_by_ids(ctx: RequestContext) -> dict[str, Any]:
    raw = ctx.body.get("cancelIds") if isinstance(ctx.body, dict) else None
    if not isinstance(raw, list) or not raw or not all(str(value).isdigit() for value in raw):
        raise ApiError(500, WITHDRAW_IDS_FAILED)
    found = returns.withdrawn_among(ctx.tx, [int(value) for value in raw])
    return envelopes.standard([returns.render_withdrawal(doc, ctx.vendor_id) for doc in found], code="200")


@ticker(due=returns.due)
def tick(tx: Tx, now: datetime, services: MockServices) -> None:
    returns.tick(tx, now)


# ---------------------------------------------------------------- control plane: buyer, courier, WING


def receipt_summary(receipt: dict[str, Any]) -> dict[str, Any]:
    return {
        "receiptId": receipt["receiptId"],
        "receiptStatus": receipt["receiptStatus"],
        "cancelCountSum": receipt["cancelCountSum"],
        "faultByType": receipt["faultByType"],
        "quickRefund": bool(receipt.get("quickRefund")),
        "refunded": bool(receipt.get("refundedAt")) and receipt["receiptStatus"] != receipts.WITHDRAWN,
        "refundAmount": receipt.get("refundAmount"),
    }


@control("/vendors/<vendor_id>/orders/<order_id>/returns", methods=("POST",))
def request_return(services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str) -> tuple[Any, int]:
    """The buyer returns shipped units: {"items": [...], "reasonCode": VOC code, "reasonDetail"?}."""
    return receipt_summary(buyer_request(services, body, vendor_id, order_id, returns.request_return)), 201


def buyer_request(
    services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str, request: Callable[..., Any]
) -> dict[str, Any]:
    """A buyer's return or exchange of units of one order: {"items", "reasonCode", "reasonDetail"?}."""
    wanted = item_quantities(body.get("items"))
    reason, detail = str(body.get("reasonCode") or ""), str(body.get("reasonDetail") or "")
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        order = order_or_404(tx, int_arg(order_id, "orderId"))
        return request(tx, now, new_id, order, wanted, reason, detail)  # type: ignore[no-any-return]


@control("/vendors/<vendor_id>/returns/<receipt_id>/withdraw", methods=("POST",))
def withdraw_return(services: MockServices, body: dict[str, Any], vendor_id: str, receipt_id: str) -> Any:
    """The buyer withdraws the return (RU or UC, before a tracked pickup)."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        receipt = returns.withdraw(tx, now, int_arg(receipt_id, "receiptId"))
    return receipt_summary(receipt)


@control("/vendors/<vendor_id>/returns/<receipt_id>/pickup", methods=("POST",))
def pickup_return(services: MockServices, body: dict[str, Any], vendor_id: str, receipt_id: str) -> Any:
    """The courier collects the goods: {"tracked"?: true (default) | false}."""
    tracked = body.get("tracked", True)
    if not isinstance(tracked, bool):
        raise ApiError(400, "tracked must be true or false")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        receipt = returns.pickup(tx, now, int_arg(receipt_id, "receiptId"), tracked)
    return receipt_summary(receipt)


@control("/vendors/<vendor_id>/returns/<receipt_id>/coupang-check", methods=("POST",))
def coupang_check(services: MockServices, body: dict[str, Any], vendor_id: str, receipt_id: str) -> Any:
    """The seller files 쿠팡 확인 요청 in WING (no API exists): → REQUEST_COUPANG_CHECK."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        receipt = returns.request_coupang_check(tx, now, int_arg(receipt_id, "receiptId"))
    return receipt_summary(receipt)
