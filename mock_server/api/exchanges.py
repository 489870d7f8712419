"""HTTP glue of the exchanges group (교환 APIs) and its buyer / courier simulation routes.

Rules live in `mock_server.domains.exchanges`; the manual pickup invoice of an exchange is served by
the returns group's `registerReturnPickupInvoice`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import envelopes
from ..core import MockServices
from ..domains import exchanges, paging
from ..errors import ApiError
from ..registry import RequestContext, control, handles, ticker
from ..simulate import int_arg, vendor_tx
from ..store import Tx
from .returns import buyer_request, same_id

DEFAULT_PER_PAGE = 10
PARAMS_NULL = "params are not allowed null..."


def _result(success: bool, message: str) -> dict[str, Any]:
    """Result-code envelope; the exchange family answers message SUCCESS (exchanges.yaml examples)."""
    return {**envelopes.result_code(success, message), "message": "SUCCESS"}


@handles("listExchangeRequests")
def list_exchange_requests(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    exchanges.tick(ctx.tx, ctx.now)  # a replacement delivered in this very catch-up shows as SUCCESS
    window = exchanges.list_window(str(query["createdAtFrom"]), str(query["createdAtTo"]))
    found = exchanges.listing(ctx.tx, window, query.get("status") or None, query.get("orderId"))
    size = int(query.get("maxPerPage") or DEFAULT_PER_PAGE)
    page, token = paging.by_token_query(found, query.get("nextToken"), max(size, 1))
    data = [exchanges.render(ctx.tx, exchange, ctx.vendor_id, ctx.now) for exchange in page]
    return envelopes.with_next_token(data, token)


@handles("confirmExchangeReceipt")
def confirm_exchange_receipt(ctx: RequestContext) -> dict[str, Any]:
    exchange_id = ctx.path_params["exchangeId"]
    same_id(ctx.body, "exchangeId", exchange_id)
    exchanges.confirm_receipt(ctx.tx, ctx.now, ctx.next_id, exchange_id)
    return envelopes.ack("SUCCESS")


@handles("rejectExchangeRequest")
def reject_exchange_request(ctx: RequestContext) -> dict[str, Any]:
    exchange_id = ctx.path_params["exchangeId"]
    same_id(ctx.body, "exchangeId", exchange_id)
    ok, message = exchanges.reject(ctx.tx, ctx.now, exchange_id, str(ctx.body["exchangeRejectCode"]))
    return _result(ok, message)


@handles("uploadExchangeInvoice")
def upload_exchange_invoice(ctx: RequestContext) -> dict[str, Any]:
    """The body is one object or (help-center example) an array of them; ids may be numeric strings."""
    exchange_id = ctx.path_params["exchangeId"]
    entries = ctx.body if isinstance(ctx.body, list) else [ctx.body]
    if not entries:
        raise ApiError(400, PARAMS_NULL)
    outcome = (True, exchanges.INVOICE_OK)
    for entry in entries:
        same_id(entry, "exchangeId", exchange_id)
        box_id = str(entry.get("shipmentBoxId") or "")
        if not box_id.isdigit() or not entry.get("goodsDeliveryCode") or not entry.get("invoiceNumber"):
            raise ApiError(400, PARAMS_NULL)
        outcome = exchanges.upload_invoice(
            ctx.tx,
            ctx.now,
            ctx.next_id,
            exchange_id,
            int(box_id),
            str(entry["goodsDeliveryCode"]),
            str(entry["invoiceNumber"]),
        )
        if not outcome[0]:
            break
    return _result(*outcome)


@ticker(due=exchanges.due)
def tick(tx: Tx, now: datetime, services: MockServices) -> None:
    exchanges.tick(tx, now)


# ---------------------------------------------------------------- control plane: buyer, courier


def exchange_summary(exchange: dict[str, Any]) -> dict[str, Any]:
    return {
        "exchangeId": exchange["exchangeId"],
        "exchangeStatus": exchanges.status_of(exchange),
        "collectStatus": exchanges.collect_of(exchange),
        "replacementShipmentBoxId": exchange["replacementBoxId"],
    }


@control("/vendors/<vendor_id>/orders/<order_id>/exchanges", methods=("POST",))
def request_exchange(services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str) -> tuple[Any, int]:
    """The buyer asks for a same-option exchange: {"items": [...], "reasonCode": VOC code, "reasonDetail"?}."""
    return exchange_summary(buyer_request(services, body, vendor_id, order_id, exchanges.request_exchange)), 201


@control("/vendors/<vendor_id>/exchanges/<exchange_id>/withdraw", methods=("POST",))
def withdraw_exchange(services: MockServices, body: dict[str, Any], vendor_id: str, exchange_id: str) -> Any:
    """The buyer withdraws the exchange (RECEIPT, before the courier picked the item up)."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        exchange = exchanges.withdraw(tx, now, int_arg(exchange_id, "exchangeId"))
    return exchange_summary(exchange)


@control("/vendors/<vendor_id>/exchanges/<exchange_id>/pickup", methods=("POST",))
def pickup_exchange(services: MockServices, body: dict[str, Any], vendor_id: str, exchange_id: str) -> Any:
    """A collection scan: {"event"?: "PICKED_UP" | "DELIVERED"} (default: the next one due)."""
    event = body.get("event")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        exchange = exchanges.courier_scan(
            tx, now, int_arg(exchange_id, "exchangeId"), None if event is None else str(event)
        )
    return exchange_summary(exchange)
