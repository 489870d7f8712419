"""HTTP glue of the orders group (배송/환불 APIs) and its buyer / courier simulation routes.

Rules live in `mock_server.domains.orders` and its sibling modules (order_placing, order_lists,
shipping, order_cancel, order_timers); this module reads the request, calls the domain and
builds the envelope of each endpoint family (orders.yaml → response envelopes).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from .. import envelopes
from ..core import MockServices
from ..domains import cs, inventory, order_cancel, order_lists, order_placing, order_timers, orders, shipping
from ..errors import ApiError
from ..registry import RequestContext, control, handles, ticker
from ..simulate import int_arg, is_positive_int, item_quantities, vendor_tx
from ..store import Tx

MAX_PER_PAGE = 50
BOX_GONE = "해당 주문이 취소 또는 반품되었습니다."
ORDER_GONE = "해당 주문이 취소 또는 반품 되었습니다."  # sic: the orderId variant has the extra space
ORDER_INVALID = "유효하지 않은 주문번호 입니다."
ORDER_OF_ANOTHER_VENDOR = "다른 판매자의 주문을 조회할 수 없습니다."


def _legacy(ctx: RequestContext) -> bool:
    return ctx.operation.api_format == "legacy"


# ---------------------------------------------------------------- order-sheet reads


@handles("listOrdersheets")
def list_ordersheets(ctx: RequestContext) -> dict[str, Any]:
    """Daily cursor paging, or the whole <24 h window when searchType=timeFrame."""
    query = ctx.query
    for name in ("createdAtFrom", "createdAtTo", "status"):
        if not query.get(name):
            raise ApiError(400, f"Required String parameter '{name}' is not present")
    status = query["status"]
    if status not in orders.WIRE_STATUSES:
        raise ApiError(400, f"Invalid parameter 'status': must be one of {list(orders.WIRE_STATUSES)}")
    legacy = _legacy(ctx)
    if query.get("searchType") == "timeFrame":
        start, end = order_lists.timeframe_window(query["createdAtFrom"], query["createdAtTo"])
        boxes = order_lists.window_boxes(ctx.tx, ctx.now, status, start, end)
        return envelopes.standard([orders.render_box(box, legacy) for box in boxes])
    window = order_lists.daily_window(query["createdAtFrom"], query["createdAtTo"])
    size = _page_size(query.get("maxPerPage"))
    page, token = order_lists.page_boxes(ctx.tx, ctx.now, status, window, query.get("nextToken"), size)
    return envelopes.with_next_token([orders.render_box(box, legacy) for box in page], token)


def _page_size(raw: Any) -> int:
    if raw in (None, ""):
        return MAX_PER_PAGE
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid parameter 'maxPerPage': {raw}") from None
    return min(max(size, 1), MAX_PER_PAGE)


@handles("getOrdersheetByShipmentboxid")
def get_ordersheet(ctx: RequestContext) -> dict[str, Any]:
    box = orders.get_box(ctx.tx, ctx.path_params["shipmentBoxId"])
    # Coupang documents no separate text for an unknown box; it answers like a vanished one (x-inferred)
    if box is None or not orders.is_readable(box):
        raise ApiError(400, BOX_GONE)
    return envelopes.standard(orders.render_box(box, _legacy(ctx)), code="200")


@handles("getOrdersheetsByOrderid")
def get_ordersheets_by_order(ctx: RequestContext) -> dict[str, Any]:
    order = orders.get_order(ctx.tx, ctx.path_params["orderId"])
    if order is None:
        tenants = (vendor["vendorId"] for vendor in ctx.services.vendors.all())
        if ctx.services.ids.issued_to_other(ctx.path_params["orderId"], "orderId", 14, ctx.vendor_id, tenants):
            raise ApiError(400, ORDER_OF_ANOTHER_VENDOR)
        raise ApiError(400, ORDER_INVALID)
    boxes = [box for box in orders.order_boxes(ctx.tx, order) if orders.is_readable(box)]
    if not boxes:
        raise ApiError(400, ORDER_GONE)
    return envelopes.standard([orders.render_box(box, _legacy(ctx)) for box in boxes], code="200")


@handles("getOrdersheetHistory")
def get_history(ctx: RequestContext) -> dict[str, Any]:
    box = orders.get_box(ctx.tx, ctx.path_params["shipmentBoxId"])
    if box is None:
        raise ApiError(500, "Internal Exception")
    return envelopes.standard(orders.render_history(box, _legacy(ctx)), code="200")


# ---------------------------------------------------------------- status changes


@handles("acknowledgeOrdersheets")
def acknowledge(ctx: RequestContext) -> dict[str, Any]:
    box_ids = _int_list((ctx.body or {}).get("shipmentBoxIds"), "shipmentBoxIds")
    results = shipping.acknowledge(ctx.tx, ctx.now, box_ids)
    # responseKey: request metadata, a negative 64-bit number in Coupang's examples
    answer = envelopes.bulk_result(-ctx.next_id("ackResponseKey", 18), results)
    already = shipping.already_past_accept(ctx.tx, results)
    if already:
        answer["message"] = shipping.ack_failed_message(already)
    return answer


@handles("uploadInvoices")
def upload_invoices(ctx: RequestContext) -> dict[str, Any]:
    lines = _invoice_lines(ctx.body)
    return _invoice_envelope(shipping.apply_invoices(ctx.tx, ctx.now, ctx.next_id, lines, update=False), "200")


@handles("updateInvoices")
def update_invoices(ctx: RequestContext) -> dict[str, Any]:
    lines = _invoice_lines(ctx.body)
    return _invoice_envelope(shipping.apply_invoices(ctx.tx, ctx.now, ctx.next_id, lines, update=True), 200)


def _invoice_envelope(results: list[dict[str, Any]], code: int | str) -> dict[str, Any]:
    """Invoice family: responseCode -1 NONE / 0 SUCCESS / 1 PARTIAL_ERROR / 99 FAILED, no responseKey."""
    overall = envelopes.bulk_response_code(results)
    text = {-1: "NONE", 0: "SUCCESS", 99: "FAILED", 1: "PARTIAL_ERROR"}[overall]
    return {
        "code": code,
        "message": "OK",
        "data": {"responseCode": overall, "responseMessage": text, "responseList": results},
    }


INVOICE_FIELDS: dict[str, type] = {
    "shipmentBoxId": int,
    "orderId": int,
    "vendorItemId": int,
    "deliveryCompanyCode": str,
}


def _invoice_lines(body: Any) -> list[dict[str, Any]]:
    """orderSheetInvoiceApplyDtos, checked enough that the domain never meets a malformed line."""
    raw = (body or {}).get("orderSheetInvoiceApplyDtos") if isinstance(body, dict) else None
    if not isinstance(raw, list):
        raise ApiError(400, "requestBody.orderSheetInvoiceApplyDtos must be an array")
    lines = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ApiError(400, f"requestBody.orderSheetInvoiceApplyDtos[{index}] must be an object")
        for name, kind in INVOICE_FIELDS.items():
            value = entry.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ApiError(400, f"requestBody.orderSheetInvoiceApplyDtos[{index}].{name} must not be null")
        line = dict(entry)
        # the official update example sends invoiceNumber as a number and flags as "False": accept both
        line["invoiceNumber"] = "" if entry.get("invoiceNumber") is None else str(entry["invoiceNumber"])
        line["splitShipping"] = _flag(entry.get("splitShipping"))
        line["preSplitShipped"] = _flag(entry.get("preSplitShipped"))
        line["estimatedShippingDate"] = str(entry.get("estimatedShippingDate") or "")
        lines.append(line)
    return lines


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _int_list(raw: Any, name: str) -> list[int]:
    if not isinstance(raw, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        raise ApiError(400, f"requestBody.{name} must be an array of integers")
    return raw


# ---------------------------------------------------------------- cancel / stop shipment


@handles("stopShipment")
def stop_shipment(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body or {}
    order_cancel.stop_shipment(ctx.tx, ctx.now, ctx.path_params["receiptId"], body.get("cancelCount"))
    return envelopes.result_code(True, "출고중지완료요청이 성공하였습니다")


@handles("markAlreadyShipped")
def mark_already_shipped(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body or {}
    order_cancel.mark_already_shipped(
        ctx.tx,
        ctx.now,
        ctx.path_params["receiptId"],
        str(body.get("deliveryCompanyCode") or ""),
        str(body.get("invoiceNumber") or ""),
    )
    return envelopes.result_code(True, "이미출고 상태변경이 성공하였습니다.")


CANCEL_USER_ERROR = "업체 ID에 맞는 올바른 유저 ID를 입력해주세요."
BIG_CANCEL_CODES = ("CANERR",)
MIDDLE_CANCEL_CODES = ("CCTTER", "CCPNER", "CCPRER")


@handles("cancelOrderItems")
def cancel_order_items(ctx: RequestContext) -> Any:
    """ACCEPT lines: immediate cancel (CANCEL); INSTRUCT lines: stop-shipment completed (STOP_SHIPMENT)."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    requests = _cancel_request(body, ctx.path_params["orderId"])
    if not cs.valid_user(ctx.tx, ctx.vendor_id, body.get("userId")):
        raise ApiError(400, CANCEL_USER_ERROR)  # one of the vendor's WING users (PUT …/wing-users)
    order = orders.get_order(ctx.tx, ctx.path_params["orderId"])
    if order is None:
        raise ApiError(400, "주문 정보가 없습니다.")
    made, failed = order_cancel.seller_cancel(ctx.tx, ctx.now, ctx.next_id, order, requests)
    if not made:
        raise ApiError(400, failed[0][1])
    request_no = uuid.UUID(int=ctx.next_id("cancelRequestNo", 18) << 32)
    return {
        "code": "200",
        "message": f"[요청번호] {request_no} \r\n" + "".join(f"{reason}[{vid}]\r\n" for vid, reason in failed),
        "data": {
            "receiptMap": {
                str(r["receiptId"]): {
                    "receiptId": r["receiptId"],
                    "receiptType": r["cancelResultType"],
                    "vendorItemIds": [item["vendorItemId"] for item in r["returnItems"]],
                    "totalCount": r["cancelCountSum"],
                }
                for r in made
            },
            "orderId": order["orderId"],
            "failedVendorItemIds": [vid for vid, _reason in failed],
        },
    }


def _cancel_request(body: dict[str, Any], path_order_id: int) -> list[tuple[int, int]]:
    """The request checks of 주문 상품 취소 처리, in Coupang's order, with its verbatim messages."""
    if not body.get("orderId") or body.get("orderId") != path_order_id:
        raise ApiError(400, "주문 ID를 입력해 주세요.")
    vendor_item_ids = body.get("vendorItemIds")
    counts = body.get("receiptCounts")
    if not isinstance(vendor_item_ids, list) or not vendor_item_ids:
        raise ApiError(400, "취소할 벤더아이템 아이디 목록을 입력해주세요.")
    if not isinstance(counts, list) or not counts or any(not is_positive_int(c) for c in counts):
        raise ApiError(400, "취소할 아이템 개수 목록을 입력해주세요.")
    if len(vendor_item_ids) != len(counts):
        raise ApiError(400, "요청한 상품 개수와 취소 개수를 확인해주세요.")
    _reason_code(body.get("bigCancelCode"), BIG_CANCEL_CODES, "대분류")
    _reason_code(body.get("middleCancelCode"), MIDDLE_CANCEL_CODES, "중분류")
    if not body.get("vendorId"):
        raise ApiError(400, "업체 ID를 입력해주세요.")
    if not isinstance(body.get("userId"), str) or not body["userId"].strip():
        raise ApiError(400, CANCEL_USER_ERROR)
    if any(not isinstance(v, int) or isinstance(v, bool) for v in vendor_item_ids):
        raise ApiError(400, "취소할 벤더아이템 아이디 목록을 입력해주세요.")
    return list(zip(vendor_item_ids, counts, strict=True))


def _reason_code(value: Any, allowed: tuple[str, ...], level: str) -> None:
    if not value:
        raise ApiError(400, f"취소사유 {level} 코드를 입력해주세요.")
    if value not in allowed:
        raise ApiError(400, f"취소사유 {level} 코드를 확인해 주세요.")


@handles("completeLongTermUndelivery")
def complete_long_term(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    box_id = body.get("shipmentBoxId")
    if not isinstance(box_id, int) or isinstance(box_id, bool):
        raise ApiError(400, "requestBody.shipmentBoxId must not be null")
    shipping.complete_long_term(ctx.tx, ctx.now, box_id, str(body.get("invoiceNumber") or ""))
    return envelopes.standard(True, code="200", message="SUCCESS")


# ---------------------------------------------------------------- timed behaviour


@ticker(due=order_timers.due)
def tick(tx: Tx, now: datetime, services: MockServices) -> None:
    order_timers.tick(tx, now)


# ---------------------------------------------------------------- control plane: buyer, courier, catalog


def order_or_404(tx: Tx, order_id: int) -> dict[str, Any]:
    order = orders.get_order(tx, order_id)
    if order is None:
        raise ApiError(404, f"orderId {order_id} does not exist")
    return order


@control("/vendors/<vendor_id>/catalog/items", methods=("POST",))
def create_catalog_items(services: MockServices, body: dict[str, Any], vendor_id: str) -> tuple[Any, int]:
    """Sellable vendor items without product registration: approved, on sale, in stock."""
    raw = body.get("items")
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, 'items must be a non-empty list of {"itemName", "salePrice", "quantity"}')
    with vendor_tx(services, vendor_id) as (tx, _now, new_id):
        ids = [_catalog_item(tx, new_id, entry, index) for index, entry in enumerate(raw)]
    return {"vendorItemIds": ids}, 201


def _catalog_item(tx: Tx, new_id: orders.NewId, entry: Any, index: int) -> int:
    if not isinstance(entry, dict) or not isinstance(entry.get("itemName"), str):
        raise ApiError(400, f"items[{index}].itemName is required")
    for name in ("salePrice", "quantity"):
        value = entry.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ApiError(400, f"items[{index}].{name} must be an integer >= 0")
    vendor_item_id = new_id("vendorItemId", 10)
    item = {
        "sellerProductId": new_id("sellerProductId", 10),
        "sellerProductName": entry.get("sellerProductName") or entry["itemName"],
        "originalPrice": entry["salePrice"],
        "outboundShippingPlaceCode": 0,
        "returnCenterCode": "",
        "deliveryChargeType": "FREE",
        "deliveryCharge": 0,
        "freeShipOverAmount": 0,
        "deliveryCompanyCode": "CJGLS",
        "externalVendorSku": "",
        "maximumBuyCount": 999,
        "unitCount": 1,
        **{k: v for k, v in entry.items() if k not in ("vendorItemId",)},
        "vendorItemId": vendor_item_id,
        "approved": True,
        "onSale": entry.get("onSale", True),
    }
    inventory.put_item(tx, item)
    return vendor_item_id


@control("/vendors/<vendor_id>/orders", methods=("POST",))
def place_order(services: MockServices, body: dict[str, Any], vendor_id: str) -> tuple[Any, int]:
    """The buyer pays for items: {"items": [{"vendorItemId", "quantity"}], "orderer"?, "receiver"?, "paidAt"?}."""
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        order = order_placing.place_order(tx, now, new_id, services.settings.seed, body)
    return {"orderId": order["orderId"], "shipmentBoxIds": order["shipmentBoxIds"]}, 201


@control("/vendors/<vendor_id>/orders/<order_id>/cancel", methods=("POST",))
def buyer_cancel(services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str) -> Any:
    """The buyer cancels ({"items"?: [{"vendorItemId", "quantity"}], "reason"?: VOC code}); all if no items."""
    wanted = _wanted(body.get("items"))
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        order = order_or_404(tx, int_arg(order_id, "orderId"))
        made = order_cancel.buyer_cancel(tx, now, new_id, order, wanted, str(body.get("reason") or "CHANGEMIND"))
    return {
        "orderId": order["orderId"],
        "receipts": [
            {
                "receiptId": r["receiptId"],
                "receiptType": r["receiptType"],
                "receiptStatus": r["receiptStatus"],
                "refunded": bool(r["refundedAt"]),
                "cancelCountSum": r["cancelCountSum"],
            }
            for r in made
        ],
    }


def _wanted(raw: Any) -> dict[int, int] | None:
    return None if raw is None else item_quantities(raw)


@control("/vendors/<vendor_id>/orders/<order_id>/address", methods=("POST",))
def change_address(services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str) -> Any:
    """The buyer edits the delivery address ({"receiver": {...}}), only while the order is ACCEPT."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        order = order_or_404(tx, int_arg(order_id, "orderId"))
        boxes = shipping.change_address(tx, now, order, body.get("receiver") or {})
    return {"orderId": order["orderId"], "shipmentBoxIds": [box["shipmentBoxId"] for box in boxes]}


@control("/vendors/<vendor_id>/orders/<order_id>/confirm", methods=("POST",))
def confirm_purchase(services: MockServices, body: dict[str, Any], vendor_id: str, order_id: str) -> Any:
    """The buyer confirms the purchase (구매확정) of the delivered boxes."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        order = order_or_404(tx, int_arg(order_id, "orderId"))
        confirmed = shipping.confirm_purchase(tx, now, order)
    return {"orderId": order["orderId"], "confirmedShipmentBoxIds": confirmed}


@control("/vendors/<vendor_id>/shipments/<box_id>/track", methods=("POST",))
def courier_track(services: MockServices, body: dict[str, Any], vendor_id: str, box_id: str) -> Any:
    """A courier scan: {"event": "PICKED_UP" | "DELIVERED"}."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        box = shipping.courier_scan(tx, now, int_arg(box_id, "shipmentBoxId"), str(body.get("event") or ""))
    return {"shipmentBoxId": box["shipmentBoxId"], "status": box["status"]}


@control("/vendors/<vendor_id>/order-policy", methods=("GET", "PUT"))
def order_policy(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """Simulation settings: courierAuto, pickupAfterSeconds, deliverAfterSeconds, listLagSeconds,
    refundDelaySeconds, autoConfirmDays. GET reads, PUT changes the given fields."""
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        if not body:
            return orders.policy(tx)
        return orders.set_policy(tx, now, body)
