"""Same-option exchanges (store kind "exchanges", key exchangeId) and their one lifecycle.

An exchange's state is the pair exchangeStatus/collectStatus (exchanges.yaml → state_machine): the
collection progresses inside RECEIPT, so both move through ONE table whose states are written
"<exchangeStatus>/<collectStatus>". PROGRESS/Redelivery is PROGRESS after the replacement invoice
(collectStatus stays CompleteCollect on the wire); the replacement's deliveryStatus is read from its box.

Confirming receipt builds the replacement box — a "boxes" document in the order domain's shape,
INSTRUCT, holding only the exchanged lines — which the order-sheet reads and the invoice upload of the
order domain then handle like any box; it becomes visible after REPLACEMENT_DELAY (Coupang: up to ~10
minutes). Times are ISO-8601 UTC strings, money plain KRW integers (exchange APIs are legacy-only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import IndexKey, Probe, Tx, declare_index
from . import inventory, orders, paging, receipts, returns, shipping, timefmt
from .fsm import IllegalTransition, StateMachine

KIND = "exchanges"
NewId = Callable[[str, int], int]
REPLACEMENT_DELAY = timedelta(minutes=10)

RECEIPT, PROGRESS, SUCCESS, REJECT, CANCEL = "RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"
COLLECT_STEPS = ("BeforeDirection", "CompleteDirection", "Delivering", "CompleteCollect")
BD, CD, DLV, CC = COLLECT_STEPS
REDELIVERY = "Redelivery"  # internal collect label of PROGRESS after the invoice (wire: CompleteCollect)


def _s(status: str, collect: str) -> str:
    return f"{status}/{collect}"


EXCHANGE_MACHINE = StateMachine(
    name="exchange",
    states=(
        *(_s(RECEIPT, c) for c in COLLECT_STEPS),
        _s(PROGRESS, CC),
        _s(PROGRESS, REDELIVERY),
        _s(SUCCESS, CC),
        *(_s(REJECT, c) for c in COLLECT_STEPS),
        _s(CANCEL, "Withdraw"),
    ),
    initial=_s(RECEIPT, BD),
    terminal=frozenset({_s(SUCCESS, CC), *(_s(REJECT, c) for c in COLLECT_STEPS), _s(CANCEL, "Withdraw")}),
    table={
        # collection: manual pickup invoice, courier scans (Goodsflow or the registered invoice)
        (_s(RECEIPT, BD), "registerPickup"): _s(RECEIPT, CD),
        (_s(RECEIPT, BD), "pickedUp"): _s(RECEIPT, DLV),
        (_s(RECEIPT, CD), "pickedUp"): _s(RECEIPT, DLV),
        (_s(RECEIPT, DLV), "collected"): _s(RECEIPT, CC),
        # the seller has the item (tracked or not): PROGRESS, replacement box created
        **{(_s(RECEIPT, c), "confirmReceipt"): _s(PROGRESS, CC) for c in COLLECT_STEPS},
        # the customer withdraws before the courier picked the item up
        (_s(RECEIPT, BD), "withdraw"): _s(CANCEL, "Withdraw"),
        (_s(RECEIPT, CD), "withdraw"): _s(CANCEL, "Withdraw"),
        # SOLDOUT / WITHDRAW while rejectable: RECEIPT, or PROGRESS before the replacement invoice
        **{(_s(RECEIPT, c), "reject"): _s(REJECT, c) for c in COLLECT_STEPS},
        (_s(PROGRESS, CC), "reject"): _s(REJECT, CC),
        (_s(PROGRESS, CC), "uploadInvoice"): _s(PROGRESS, REDELIVERY),
        (_s(PROGRESS, REDELIVERY), "delivered"): _s(SUCCESS, CC),
    },
)


# ---------------------------------------------------------------- indexes (what requests may ask for)


def _created(exchange: dict[str, Any]) -> str:
    return paging.time_key(exchange["createdAt"])


def _status_key(exchange: dict[str, Any]) -> IndexKey:
    return (status_of(exchange), _created(exchange), exchange["exchangeId"])


declare_index(KIND, "byStatus", _status_key)
declare_index(KIND, "recent", lambda exchange: (_created(exchange), exchange["exchangeId"]))
declare_index(KIND, "byOrder", lambda exchange: (exchange["orderId"], _created(exchange), exchange["exchangeId"]))

NOT_FOUND = "교환요청 내역이 존재하지 않습니다. exchangeId={}"
CONFIRM_REFUSED = "교환요청 상태가 접수(RECEIPT)인 경우에만 입고확인 처리할 수 있습니다. exchangeStatus={}"
REJECT_REFUSED = "교환요청 거부 처리가 불가능한 상태입니다. exchangeStatus={}"
REJECT_OK = "요청 처리완료"
INVOICE_OK = "Invoice number save successfully"
NOT_APPLICABLE = (
    "shipmentBoxId ({})'s status [{}] is not suitable for applyInvoice. "
    "Only INSTRUCT status shipment can be called with applyInvoice"
)
WINDOW_TOO_LONG = "error-message=createdAtTo - createdAtFrom should less then 7day."
WINDOW_REVERSED = "start time should early or equals to end time"
OPEN = (RECEIPT, PROGRESS, SUCCESS)


def status_of(exchange: dict[str, Any]) -> str:
    return exchange["state"].split("/")[0]


def collect_of(exchange: dict[str, Any]) -> str:
    collect = exchange["state"].split("/")[1]
    return CC if collect == REDELIVERY else collect


def get(tx: Tx, exchange_id: int) -> dict[str, Any] | None:
    return tx.get(KIND, exchange_id)


def put(tx: Tx, exchange: dict[str, Any]) -> None:
    tx.put(KIND, exchange["exchangeId"], exchange)


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def _apply(exchange: dict[str, Any], event: str, now: datetime, by: str) -> None:
    """Move through EXCHANGE_MACHINE (IllegalTransition when the table has no edge)."""
    exchange["state"] = EXCHANGE_MACHINE.next(exchange["state"], event)
    exchange["modifiedAt"] = now.isoformat()
    exchange["modifiedByType"] = by


# ---------------------------------------------------------------- buyer: request, withdraw; courier


def of_order(tx: Tx, order_id: int) -> list[dict[str, Any]]:
    return tx.find(KIND, "byOrder", prefix=(order_id,))


def exchanged_units(tx: Tx, order_id: int) -> dict[tuple[int, int], int]:
    """(shipmentBoxId, vendorItemId) → units of the order under an open or completed exchange
    (rejected / withdrawn ones free them)."""
    total: dict[tuple[int, int], int] = {}
    for exchange in of_order(tx, order_id):
        if status_of(exchange) not in OPEN:
            continue
        for item in exchange["items"]:
            key = (item["originalShipmentBoxId"], item["vendorItemId"])
            total[key] = total.get(key, 0) + item["quantity"]
    return total


def request_exchange(
    tx: Tx,
    now: datetime,
    new_id: NewId,
    order: dict[str, Any],
    wanted: dict[int, int],
    reason_code: str,
    reason_detail: str = "",
) -> dict[str, Any]:
    """The customer asks to swap shipped units for the same option (orderItemId = targetItemId)."""
    text, _category1, _category2, fault = receipts.voc_reason(reason_code)
    exchanged = exchanged_units(tx, order["orderId"])
    plan = returns.plan_units(tx, order, wanted, lambda box_id, vid: exchanged.get((box_id, vid), 0))
    exchange_id = new_id("exchangeId", 9)
    box = plan[0][0]
    stamp = now.isoformat()
    exchange = {
        "exchangeId": exchange_id,
        "orderId": order["orderId"],
        "state": EXCHANGE_MACHINE.initial,
        "referType": "WEB_MOBILE",
        "faultType": fault,
        "reasonCode": reason_code,
        "reasonCodeText": text,
        "reasonEtcDetail": reason_detail,
        "cancelReason": None,
        "createdByType": "CUSTOMER",
        "modifiedByType": "CUSTOMER",
        "createdAt": stamp,
        "modifiedAt": stamp,
        "items": [_item(new_id, box, line, count, stamp) for box, line, count in plan],
        "receiver": dict(box["receiver"]),
        "exchangeAddressId": new_id("exchangeAddressId", 8),
        "returnDeliveryId": new_id("returnDeliveryId", 8),
        "returnDeliveryDtos": [{"deliveryCompanyCode": "CJGLS", "deliveryInvoiceNo": ""}],
        "collectCompleteDate": None,
        "replacementBoxId": None,
        "replacementVisibleAt": None,
        "rejectCode": None,
        "stockTaken": False,
    }
    put(tx, exchange)
    return exchange


def _item(new_id: NewId, box: dict[str, Any], line: dict[str, Any], count: int, stamp: str) -> dict[str, Any]:
    return {
        "exchangeItemId": new_id("exchangeItemId", 8),
        "vendorItemId": line["vendorItemId"],
        "unitPrice": line["salesPrice"],
        "name": line["vendorItemName"],
        "quantity": count,
        "originalShipmentBoxId": box["shipmentBoxId"],
        "createdAt": stamp,
    }


def _existing(tx: Tx, exchange_id: int, status: int) -> dict[str, Any]:
    exchange = get(tx, exchange_id)
    if exchange is None:
        raise ApiError(status, NOT_FOUND.format(exchange_id))
    return exchange


def _control_move(exchange: dict[str, Any], event: str, now: datetime, by: str) -> None:
    try:
        _apply(exchange, event, now, by)
    except IllegalTransition:
        raise ApiError(
            409,
            f"exchange {exchange['exchangeId']} is {status_of(exchange)} (collectStatus {collect_of(exchange)}): "
            f"{event} is not possible",
        ) from None


def withdraw(tx: Tx, now: datetime, exchange_id: int) -> dict[str, Any]:
    exchange = _existing(tx, exchange_id, 404)
    _control_move(exchange, "withdraw", now, "CUSTOMER")
    exchange["cancelReason"] = "고객 철회"
    put(tx, exchange)
    return exchange


COURIER_EVENTS = {"PICKED_UP": "pickedUp", "DELIVERED": "collected"}


def courier_scan(tx: Tx, now: datetime, exchange_id: int, event: str | None) -> dict[str, Any]:
    """Collection scans: PICKED_UP (회수중), DELIVERED (업체전달완료); default is the next one due."""
    exchange = _existing(tx, exchange_id, 404)
    if event is None:
        event = "DELIVERED" if collect_of(exchange) == DLV else "PICKED_UP"
    if event not in COURIER_EVENTS:
        raise ApiError(400, f"event must be one of {sorted(COURIER_EVENTS)}")
    _control_move(exchange, COURIER_EVENTS[event], now, "TRACKING")
    put(tx, exchange)
    return exchange


def register_pickup_invoice(
    tx: Tx, now: datetime, new_id: NewId, exchange_id: int, code: str, number: str, reg_number: str | None
) -> dict[str, Any]:
    """회수 송장 등록 (EXCHANGE): only while collectStatus is BeforeDirection, else 500 "null"."""
    exchange = get(tx, exchange_id)
    if exchange is None or not EXCHANGE_MACHINE.can(exchange["state"], "registerPickup"):
        raise ApiError(500, returns.PICKUP_WRONG_STATE)
    returns.check_pickup_invoice(tx, [item["originalShipmentBoxId"] for item in exchange["items"]], code, number)
    _apply(exchange, "registerPickup", now, "VENDOR")
    exchange["returnDeliveryDtos"] = [
        entry for entry in exchange["returnDeliveryDtos"] if entry.get("deliveryInvoiceNo")
    ] + [{"deliveryCompanyCode": code, "deliveryInvoiceNo": number}]
    put(tx, exchange)
    return returns.pickup_invoice_dto(
        new_id, "EXCHANGE", exchange_id, code, number, reg_number, exchange["returnDeliveryId"]
    )


# ---------------------------------------------------------------- seller


def confirm_receipt(tx: Tx, now: datetime, new_id: NewId, exchange_id: int) -> dict[str, Any]:
    """입고확인: PROGRESS, collectStatus CompleteCollect, and the replacement box (visible after a delay)."""
    exchange = _existing(tx, exchange_id, 400)
    try:
        _apply(exchange, "confirmReceipt", now, "VENDOR")
    except IllegalTransition:
        raise ApiError(400, CONFIRM_REFUSED.format(status_of(exchange))) from None
    exchange["collectCompleteDate"] = now.isoformat()
    box = _replacement_box(tx, now, new_id, exchange)
    exchange["stockTaken"] = _take_replacement_stock(tx, exchange)
    exchange["replacementBoxId"] = box["shipmentBoxId"]
    exchange["replacementVisibleAt"] = box["listVisibleAt"]
    put(tx, exchange)
    return exchange


def _replacement_box(tx: Tx, now: datetime, new_id: NewId, exchange: dict[str, Any]) -> dict[str, Any]:
    """A new INSTRUCT box in the order domain's shape, holding only the exchanged units."""
    wanted = {item["vendorItemId"]: item["quantity"] for item in exchange["items"]}
    return orders.open_replacement_box(
        tx,
        now,
        new_id,
        exchange["items"][0]["originalShipmentBoxId"],
        wanted,
        {
            "receiver": dict(exchange["receiver"]),
            "listVisibleAt": (now + REPLACEMENT_DELAY).isoformat(),
            "exchangeId": exchange["exchangeId"],
            "shippingDeliveryType": "EXCHANGE_DELIVERY",
        },
    )


def _take_replacement_stock(tx: Tx, exchange: dict[str, Any]) -> bool:
    """The replacement leaves the seller's stock (the collected unit is not resold). Without enough stock
    nothing is taken: the seller is expected to reject with SOLDOUT (x-inferred)."""
    wanted: dict[int, int] = {}
    for item in exchange["items"]:
        wanted[item["vendorItemId"]] = wanted.get(item["vendorItemId"], 0) + item["quantity"]
    try:
        for vid, count in wanted.items():
            inventory.sellable_item(tx, vid, count)
    except ApiError:
        return False
    for vid, count in wanted.items():
        inventory.take_stock(tx, vid, count)
    return True


def replacement_visible(exchange: dict[str, Any], now: datetime) -> bool:
    at = exchange.get("replacementVisibleAt")
    return at is not None and _at(at) <= now


def reject(tx: Tx, now: datetime, exchange_id: int, code: str) -> tuple[bool, str]:
    """SOLDOUT / WITHDRAW while rejectable; (False, reason) otherwise (HTTP 200, resultCode FAIL)."""
    exchange = _existing(tx, exchange_id, 400)
    if not EXCHANGE_MACHINE.can(exchange["state"], "reject"):
        return False, REJECT_REFUSED.format(status_of(exchange))
    _apply(exchange, "reject", now, "VENDOR")
    exchange["rejectCode"] = code
    _cancel_replacement(tx, exchange, now)
    if exchange.pop("stockTaken", False):
        for item in exchange["items"]:
            inventory.return_stock(tx, item["vendorItemId"], item["quantity"])
    put(tx, exchange)
    return True, REJECT_OK


def _cancel_replacement(tx: Tx, exchange: dict[str, Any], now: datetime) -> None:
    """A rejected exchange never ships its replacement: the box leaves every read (order domain's CANCELED)."""
    if exchange["replacementBoxId"]:
        orders.cancel_box(tx, exchange["replacementBoxId"], now)


def upload_invoice(
    tx: Tx, now: datetime, new_id: NewId, exchange_id: int, box_id: int, code: str, number: str
) -> tuple[bool, str]:
    """The replacement ships through the order domain's invoice upload; FAIL inside HTTP 200 otherwise."""
    exchange = _existing(tx, exchange_id, 400)
    shipping.check_invoice_formats([{"deliveryCompanyCode": code, "invoiceNumber": number}])
    box = orders.get_box(tx, box_id)
    mine = box_id == exchange["replacementBoxId"] and replacement_visible(exchange, now)
    if box is None or not mine or not EXCHANGE_MACHINE.can(exchange["state"], "uploadInvoice"):
        return False, NOT_APPLICABLE.format(box_id, box["status"] if box else "NONE")
    lines = [
        {
            "shipmentBoxId": box_id,
            "orderId": box["orderId"],
            "vendorItemId": line["vendorItemId"],
            "deliveryCompanyCode": code,
            "invoiceNumber": number,
            "splitShipping": False,
        }
        for line in orders.live_lines(box)
    ]
    (result,) = shipping.apply_invoices(tx, now, new_id, lines, update=False)
    if not result["succeed"]:
        return False, str(result.get("resultMessage") or result.get("resultCode"))
    _apply(exchange, "uploadInvoice", now, "VENDOR")
    put(tx, exchange)
    return True, INVOICE_OK


# ---------------------------------------------------------------- completion by delivery tracking


def due(_tx: Tx, _now: datetime) -> list[Probe]:
    return [orders.REPLACEMENTS_DELIVERED]


def tick(tx: Tx, now: datetime) -> None:
    """An exchange whose replacement box was delivered is SUCCESS. The order domain indexes delivered
    replacement boxes until they are noted here, so only those are read."""
    for box in orders.delivered_replacements(tx):
        exchange = get(tx, box["exchangeId"])
        if exchange is not None and EXCHANGE_MACHINE.can(exchange["state"], "delivered"):
            _apply(exchange, "delivered", _at(box["deliveredDate"]) if box.get("deliveredDate") else now, "TRACKING")
            put(tx, exchange)
        orders.note_replacement(tx, box)


# ---------------------------------------------------------------- reads


def list_window(created_from: str, created_to: str) -> tuple[datetime, datetime]:
    """[from, to] inclusive to the second, KST; at most 7 × 24 h."""
    start = _query_time(created_from, "createdAtFrom")
    end = _query_time(created_to, "createdAtTo")
    if start > end:
        raise ApiError(400, WINDOW_REVERSED)
    if end - start > timedelta(days=7):
        raise ApiError(400, WINDOW_TOO_LONG)
    return start, end + timedelta(seconds=1)


def _query_time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ApiError(400, f"{name} format should be yyyy-MM-ddTHH:mm:ss.") from None
    return parsed.replace(tzinfo=timefmt.KST)


def listing(
    tx: Tx, window: tuple[datetime, datetime], status: str | None, order_id: int | None
) -> paging.OffsetFetch[dict[str, Any]]:
    """Exchanges created in [start, end), oldest first, as an offset query: by status or all through an
    index; with an orderId the order's few exchanges are filtered."""
    lo, hi = paging.time_key(window[0]), paging.time_key(window[1])
    if order_id is not None:
        found = [
            exchange
            for exchange in of_order(tx, order_id)
            if lo <= _created(exchange) < hi and (status is None or status_of(exchange) == status)
        ]
        return paging.from_list(found)
    index, prefix = ("byStatus", (status,)) if status else ("recent", ())
    return lambda offset, limit: tx.find(KIND, index, prefix=prefix, lo=lo, hi=hi, offset=offset, limit=limit)


def _t(value: str | None) -> str | None:
    return timefmt.legacy_t(_at(value)) if value else None


DELIVERY_BY_BOX = {
    orders.INSTRUCT: "BeforeDirection",
    orders.DEPARTURE: "CompleteDirection",
    orders.DELIVERING: "Delivering",
    orders.FINAL_DELIVERY: "CompleteDelivery",
    orders.NONE_TRACKING: "VendorDirect",
}


def delivery_status(exchange: dict[str, Any], box: dict[str, Any] | None) -> str:
    status = status_of(exchange)
    if status == CANCEL:
        return "Withdraw"
    if status == REJECT:
        return "NoneData"
    if status == SUCCESS:
        return "CompleteDelivery"
    if box is None:
        return "BeforeDirection"
    return DELIVERY_BY_BOX.get(box["status"], "NoneData")


def render(tx: Tx, exchange: dict[str, Any], vendor_id: str, now: datetime) -> dict[str, Any]:
    """An ExchangeRequest as list-exchange-requests answers it (legacy formats only)."""
    original = orders.get_box(tx, exchange["items"][0]["originalShipmentBoxId"])
    replacement = orders.get_box(tx, exchange["replacementBoxId"]) if exchange["replacementBoxId"] else None
    # a rejected exchange's replacement box is CANCELED: gone from the exchange as from every box read
    visible = (
        replacement is not None and replacement["status"] != orders.CANCELED and replacement_visible(exchange, now)
    )
    status, collect = status_of(exchange), collect_of(exchange)
    modifiable = visible and EXCHANGE_MACHINE.can(exchange["state"], "uploadInvoice")
    return {
        "exchangeId": exchange["exchangeId"],
        "orderId": exchange["orderId"],
        "vendorId": vendor_id,
        "orderDeliveryStatusCode": original["status"] if original else orders.FINAL_DELIVERY,
        "exchangeStatus": status,
        "referType": exchange["referType"],
        "faultType": exchange["faultType"],
        "exchangeAmount": 0,
        "reason": None,
        "reasonCode": exchange["reasonCode"],
        "reasonCodeText": exchange["reasonCodeText"],
        "reasonEtcDetail": exchange["reasonEtcDetail"],
        "cancelReason": exchange["cancelReason"],
        "createdByType": exchange["createdByType"],
        "createdAt": _t(exchange["createdAt"]),
        "modifiedByType": exchange["modifiedByType"],
        "modifiedAt": _t(exchange["modifiedAt"]),
        "exchangeItemDtoV1s": [_render_item(item, exchange) for item in exchange["items"]],
        "exchangeAddressDtoV1": _render_address(exchange),
        "deliveryInvoiceGroupDtos": [_render_group(replacement)] if visible and replacement else [],
        "deliveryStatus": delivery_status(exchange, replacement if visible else None),
        "collectStatus": collect if status != CANCEL else "Withdraw",
        "collectCompleteDate": _t(exchange["collectCompleteDate"]),
        "collectInformationsDto": _render_collect(tx, exchange),
        "returnDeliveryDtos": [dict(entry) for entry in exchange["returnDeliveryDtos"]],
        "successable": False,
        "orderDeliveryStatusLabel": original["status"] if original else orders.FINAL_DELIVERY,
        "exchangeStatusLabel": status,
        "referTypeLabel": exchange["referType"],
        "faultTypeLabel": exchange["faultType"],
        "createdByTypeLabel": exchange["createdByType"],
        "rejectable": EXCHANGE_MACHINE.can(exchange["state"], "reject"),
        "modifiedByTypeLabel": exchange["modifiedByType"],
        "deliveryInvoiceModifiable": modifiable,
    }


def _render_item(item: dict[str, Any], exchange: dict[str, Any]) -> dict[str, Any]:
    return {
        "exchangeItemId": item["exchangeItemId"],
        "orderItemId": item["vendorItemId"],
        "orderItemUnitPrice": item["unitPrice"],
        "orderItemName": item["name"],
        "orderPackageId": None,
        "orderPackageName": None,
        "targetItemId": item["vendorItemId"],
        "targetItemUnitPrice": item["unitPrice"],
        "targetItemName": item["name"],
        "targetPackageId": -1,
        "targetPackageName": "",
        "quantity": item["quantity"],
        "orderItemDeliveryComplete": None,
        "orderItemReturnComplete": True if exchange["collectCompleteDate"] else None,
        "targetItemDeliveryComplete": True if status_of(exchange) == SUCCESS else None,
        "createdAt": _t(item["createdAt"]),
        "modifiedAt": _t(exchange["modifiedAt"]),
        "originalShipmentBoxId": item["originalShipmentBoxId"],
    }


def _render_address(exchange: dict[str, Any]) -> dict[str, Any]:
    receiver = exchange["receiver"]
    person = {
        "CustomerName": receiver["name"],
        "AddressZipCode": receiver["postCode"],
        "Address": receiver["addr1"],
        "AddressDetail": receiver["addr2"],
        "Phone": None,
        "Mobile": receiver["safeNumber"],
        "Memo": None,
    }
    return {
        "exchangeAddressId": exchange["exchangeAddressId"],
        **{f"return{key}": value for key, value in person.items()},
        **{f"delivery{key}": value for key, value in person.items()},
        "createdAt": _t(exchange["createdAt"]),
        "modifiedAt": _t(exchange["modifiedAt"]),
        "exchangeId": exchange["exchangeId"],
    }


def _render_group(box: dict[str, Any]) -> dict[str, Any]:
    shipped = box["status"] != orders.INSTRUCT
    return {
        "shipmentBoxId": box["shipmentBoxId"],
        "boxPrice": 0,
        "orderId": box["orderId"],
        "orderType": "EXCHANGE",
        "customerType": "NORMAL",
        "bundleType": "NONE",
        "extraMessage": "",
        "shippingDeliveryType": "EXCHANGE_DELIVERY",
        "deliveryInvoiceDtos": [
            {
                "invoiceNumber": box["invoiceNumber"] or None,
                "estimatedDeliveryDate": None,
                "deliveredDate": _t(box.get("deliveredDate")),
                "statusModifiedAt": _t(box["history"][-1]["at"]) if box["history"] else None,
                "invoiceNumberUploadDate": _t(box.get("departureAt")) if shipped else None,
                "statusCode": box["status"] if box["status"] in orders.WIRE_STATUSES else orders.INSTRUCT,
                "deliverCode": box["deliveryCompanyCode"] or None,
                "isMainShipmentInvoice": True,
                "parcelType": "NORMAL",
                "invoiceVendorItemDtos": [
                    {
                        "vendorItemId": line["vendorItemId"],
                        "quantity": line["shippingCount"],
                        "hasAdditionalItem": False,
                        "promiseDeliveryDate": None,
                        "estimatedShippingDate": None,
                    }
                    for line in box["orderItems"]
                ],
            }
        ],
    }


def _render_collect(tx: Tx, exchange: dict[str, Any]) -> dict[str, Any]:
    receiver = exchange["receiver"]
    collected = exchange["collectCompleteDate"] is not None
    vendor_item = inventory.get_item(tx, exchange["items"][0]["vendorItemId"]) or {}
    return {
        "returnType": "EXCHANGE_RETURN",
        "expectedReturnDate": _t((_at(exchange["createdAt"]) + timedelta(days=3)).isoformat()),
        "returndeliveryItemDtos": [
            {
                "vendorItemId": item["vendorItemId"],
                "statusCode": "RETURN_COLLECT_OK" if collected else "RETURN_SEND_READY",
                "returnCount": item["quantity"] if collected else None,
                "releaseStatus": "RELEASED",
                "paymentReturnDeliveryMapId": exchange["returnDeliveryId"],
                "paymentItemId": item["exchangeItemId"],
                "modifiedBy": exchange["modifiedByType"],
                "modifiedAt": _t(exchange["modifiedAt"]),
                "createdBy": exchange["createdByType"],
                "createdAt": _t(item["createdAt"]),
                "count": item["quantity"],
                "confirmType": None,
                "collectStatus": "RETURN",
            }
            for item in exchange["items"]
        ],
        "returndeliveryDestinationDto": {
            "vendorZipCode": "",
            "vendorPhone": "",
            "vendorName": "",
            "vendorMobile": None,
            "vendorAddressDetail": "",
            "vendorAddress": "",
            "safetyNumberStatus": "ENABLE",
            "safetyNumberId": exchange["exchangeAddressId"],
            "safetyNumber": receiver["safeNumber"],
            "returnDeliveryId": exchange["returnDeliveryId"],
            "returnCenterCode": str(vendor_item.get("returnCenterCode") or ""),
            "receiptId": None,
            "orderedByMobile": None,
            "orderId": exchange["orderId"],
            "message": None,
            "customerZipCode": receiver["postCode"],
            "customerPhone": receiver["safeNumber"],
            "customerName": receiver["name"],
            "customerMobile": receiver["safeNumber"],
            "customerAddressDetail": receiver["addr2"],
            "customerAddress": receiver["addr1"],
        },
    }
