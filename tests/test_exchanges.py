"""Exchanges (교환 APIs) through HTTP: the exchange/collection table, the replacement box, lists and errors."""

from __future__ import annotations

from typing import Any

import pytest

from coupang_mock.server.domains import exchanges
from tests.test_orders_support import Answer, Shop
from tests.test_returns import Returns, assert_schema

FROM, TO = "2026-03-02T00:00:00", "2026-03-02T23:59:59"
REPLACEMENT_DELAY = 600


class Exchanges:
    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.rt = Returns(shop)
        self.v4 = self.rt.v4

    # buyer / courier ----------------------------------------------------------------------------
    def request(self, order_id: int, *lines: tuple[int, int], reason: str = "DEFECT") -> Answer:
        body = {"items": [{"vendorItemId": vid, "quantity": qty} for vid, qty in lines], "reasonCode": reason}
        return self.shop.control("POST", f"/vendors/{self.shop.vendor_id}/orders/{order_id}/exchanges", body)

    def open(self, quantity: int = 1) -> tuple[int, int, int]:
        """A delivered order and an exchange of all of it: (exchangeId, vendorItemId, original box)."""
        vid, order_id, box_id = self.rt.delivered(quantity, price=20_000)
        answer = self.request(order_id, (vid, quantity))
        assert answer.status == 201, answer
        return answer.body["exchangeId"], vid, box_id

    def act(self, exchange_id: int, action: str, body: Any = None) -> Answer:
        return self.shop.control("POST", f"/vendors/{self.shop.vendor_id}/exchanges/{exchange_id}/{action}", body or {})

    # seller -------------------------------------------------------------------------------------
    def listing(self, **query: Any) -> Answer:
        return self.shop.call("GET", f"{self.v4}/exchangeRequests", {"createdAtFrom": FROM, "createdAtTo": TO, **query})

    def find(self, exchange_id: int) -> dict[str, Any]:
        answer = self.listing(maxPerPage=100)
        assert answer.status == 200, answer
        assert_schema("listExchangeRequests", answer.body)
        return next(entry for entry in answer.data if entry["exchangeId"] == exchange_id)

    def state(self, exchange_id: int) -> tuple[str, str]:
        entry = self.find(exchange_id)
        return entry["exchangeStatus"], entry["collectStatus"]

    def confirm(self, exchange_id: int, method: str = "PUT") -> Answer:
        body = {"exchangeId": exchange_id, "vendorId": self.shop.vendor_id}
        return self.shop.call(method, f"{self.v4}/exchangeRequests/{exchange_id}/receiveConfirmation", body=body)

    def reject(self, exchange_id: int, code: str = "SOLDOUT", method: str = "PUT") -> Answer:
        body = {"exchangeId": str(exchange_id), "vendorId": self.shop.vendor_id, "exchangeRejectCode": code}
        return self.shop.call(method, f"{self.v4}/exchangeRequests/{exchange_id}/rejection", body=body)

    def upload(self, exchange_id: int, box_id: int, number: str | None = None, as_array: bool = True) -> Answer:
        entry = {
            "exchangeId": str(exchange_id),
            "vendorId": self.shop.vendor_id,
            "shipmentBoxId": str(box_id),
            "goodsDeliveryCode": "CJGLS",
            "invoiceNumber": number or self.shop.next_invoice(),
        }
        body: Any = [entry] if as_array else {**entry, "exchangeId": exchange_id, "shipmentBoxId": box_id}
        return self.shop.call("POST", f"{self.v4}/exchangeRequests/{exchange_id}/invoices", body=body)

    def pickup_invoice(self, exchange_id: int, number: str = "684012349901") -> Answer:
        body = {
            "returnExchangeDeliveryType": "EXCHANGE",
            "receiptId": exchange_id,
            "deliveryCompanyCode": "CJGLS",
            "invoiceNumber": number,
        }
        return self.shop.call("POST", f"{self.v4}/return-exchange-invoices/manual", body=body)

    def replacement(self, exchange_id: int) -> int:
        groups = self.find(exchange_id)["deliveryInvoiceGroupDtos"]
        assert len(groups) == 1
        return groups[0]["shipmentBoxId"]


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


@pytest.fixture
def ex(shop: Shop) -> Exchanges:
    return Exchanges(shop)


def result(answer: Answer) -> tuple[str, str]:
    assert answer.status == 200, answer
    return answer.data["resultCode"], answer.data["resultMessage"]


# ---------------------------------------------------------------- end to end


def test_exchange_lifecycle_end_to_end(ex: Exchanges, shop: Shop) -> None:
    exchange_id, vid, original = ex.open(quantity=2)
    entry = ex.find(exchange_id)
    assert (entry["exchangeStatus"], entry["collectStatus"], entry["deliveryStatus"]) == (
        "RECEIPT",
        "BeforeDirection",
        "BeforeDirection",
    )
    item = entry["exchangeItemDtoV1s"][0]
    assert item["orderItemId"] == item["targetItemId"] == vid and item["quantity"] == 2
    assert item["originalShipmentBoxId"] == original and entry["faultType"] == "VENDOR"
    assert entry["rejectable"] is True and entry["deliveryInvoiceModifiable"] is False

    assert ex.pickup_invoice(exchange_id).status == 200
    assert ex.act(exchange_id, "pickup").body["collectStatus"] == "Delivering"
    assert ex.act(exchange_id, "pickup").body["collectStatus"] == "CompleteCollect"
    confirmed = ex.confirm(exchange_id)
    assert confirmed.body == {"code": "200", "message": "SUCCESS"}
    assert_schema("confirmExchangeReceipt", confirmed.body)
    entry = ex.find(exchange_id)
    assert (entry["exchangeStatus"], entry["collectStatus"]) == ("PROGRESS", "CompleteCollect")
    assert entry["collectCompleteDate"] and entry["deliveryInvoiceGroupDtos"] == []  # not visible yet

    shop.advance(REPLACEMENT_DELAY)
    entry = ex.find(exchange_id)
    assert entry["deliveryInvoiceModifiable"] is True
    new_box = ex.replacement(exchange_id)
    assert new_box != original and len(str(new_box)) == 18
    sheet = shop.box(new_box).data
    assert sheet["status"] == "INSTRUCT" and [
        (line["vendorItemId"], line["shippingCount"]) for line in sheet["orderItems"]
    ] == [(vid, 2)]

    assert result(ex.upload(exchange_id, new_box)) == ("SUCCESS", exchanges.INVOICE_OK)
    assert shop.status(new_box) == "DEPARTURE"
    entry = ex.find(exchange_id)
    assert (entry["exchangeStatus"], entry["deliveryStatus"]) == ("PROGRESS", "CompleteDirection")
    assert entry["rejectable"] is False and entry["deliveryInvoiceModifiable"] is False
    assert shop.track(new_box, "PICKED_UP").status == 200
    assert ex.find(exchange_id)["deliveryStatus"] == "Delivering"
    assert shop.track(new_box, "DELIVERED").status == 200
    entry = ex.find(exchange_id)
    assert (entry["exchangeStatus"], entry["deliveryStatus"]) == ("SUCCESS", "CompleteDelivery")


def test_invoice_body_as_a_flat_object_and_the_patch_twins(ex: Exchanges, shop: Shop) -> None:
    exchange_id, _vid, _box = ex.open()
    assert ex.confirm(exchange_id, method="PATCH").status == 200
    shop.advance(REPLACEMENT_DELAY)
    uploaded = ex.upload(exchange_id, ex.replacement(exchange_id), as_array=False)
    assert result(uploaded)[0] == "SUCCESS"
    assert_schema("uploadExchangeInvoice", uploaded.body)
    other, _vid, _box = ex.open()
    rejected = ex.reject(other, "WITHDRAW", method="PATCH")
    assert result(rejected) == ("SUCCESS", exchanges.REJECT_OK)
    assert_schema("rejectExchangeRequest", rejected.body)
    refused = ex.reject(other)
    assert result(refused) == ("FAIL", exchanges.REJECT_REFUSED.format("REJECT"))
    assert_schema("rejectExchangeRequest", refused.body)


# ---------------------------------------------------------------- the transition table through HTTP

# state → (exchangeStatus, collectStatus) as listed
WIRE = {
    "R/BD": ("RECEIPT", "BeforeDirection"),
    "R/CD": ("RECEIPT", "CompleteDirection"),
    "R/DLV": ("RECEIPT", "Delivering"),
    "R/CC": ("RECEIPT", "CompleteCollect"),
    "P/CC": ("PROGRESS", "CompleteCollect"),
    "P/RD": ("PROGRESS", "CompleteCollect"),
    "SUCCESS": ("SUCCESS", "CompleteCollect"),
    "REJECT": ("REJECT", "BeforeDirection"),
    "CANCEL": ("CANCEL", "Withdraw"),
}


def reach(ex: Exchanges, state: str) -> tuple[int, int]:
    """An exchange in `state` through the APIs and control routes: (exchangeId, box to upload against)."""
    exchange_id, _vid, original = ex.open()
    steps = {
        "R/CD": ["invoice"],
        "R/DLV": ["PICKED_UP"],
        "R/CC": ["PICKED_UP", "DELIVERED"],
        "P/CC": ["confirm"],
        "P/RD": ["confirm", "upload"],
        "SUCCESS": ["confirm", "upload", "delivered"],
        "REJECT": ["reject"],
        "CANCEL": ["withdraw"],
    }.get(state, [])
    box = original
    for step in steps:
        if step == "invoice":
            assert ex.pickup_invoice(exchange_id).status == 200
        elif step in ("PICKED_UP", "DELIVERED"):
            assert ex.act(exchange_id, "pickup", {"event": step}).status == 200
        elif step == "confirm":
            assert ex.confirm(exchange_id).status == 200
            ex.shop.advance(REPLACEMENT_DELAY)
            box = ex.replacement(exchange_id)
        elif step == "upload":
            assert result(ex.upload(exchange_id, box))[0] == "SUCCESS"
        elif step == "delivered":
            assert ex.shop.track(box, "DELIVERED").status == 200
        elif step == "reject":
            assert result(ex.reject(exchange_id))[0] == "SUCCESS"
        else:
            assert ex.act(exchange_id, "withdraw").status == 200
    assert ex.state(exchange_id) == WIRE[state]
    return exchange_id, box


LEGAL = {
    ("R/BD", "registerPickup"): "R/CD",
    ("R/BD", "PICKED_UP"): "R/DLV",
    ("R/CD", "PICKED_UP"): "R/DLV",
    ("R/DLV", "DELIVERED"): "R/CC",
    **{(s, "confirm"): "P/CC" for s in ("R/BD", "R/CD", "R/DLV", "R/CC")},
    ("R/BD", "withdraw"): "CANCEL",
    ("R/CD", "withdraw"): "CANCEL",
    **{(s, "reject"): "REJECT" for s in ("R/BD", "R/CD", "R/DLV", "R/CC", "P/CC")},
    ("P/CC", "upload"): "P/RD",
}
ACTIONS = ["registerPickup", "PICKED_UP", "DELIVERED", "confirm", "withdraw", "reject", "upload"]


def _do(ex: Exchanges, exchange_id: int, box: int, action: str) -> Answer:
    if action == "registerPickup":
        return ex.pickup_invoice(exchange_id)
    if action in ("PICKED_UP", "DELIVERED"):
        return ex.act(exchange_id, "pickup", {"event": action})
    if action == "confirm":
        return ex.confirm(exchange_id)
    if action == "withdraw":
        return ex.act(exchange_id, "withdraw")
    if action == "reject":
        return ex.reject(exchange_id)
    return ex.upload(exchange_id, box)


def _check_refusal(ex: Exchanges, state: str, action: str, answer: Answer, box: int) -> None:
    status_now = WIRE[state][0]
    if action == "registerPickup":
        assert (answer.status, answer.body["message"]) == (500, "null")
    elif action in ("PICKED_UP", "DELIVERED", "withdraw"):
        assert answer.status == 409
    elif action == "confirm":
        assert (answer.status, answer.body["message"]) == (400, exchanges.CONFIRM_REFUSED.format(status_now))
    elif action == "reject":
        assert result(answer) == ("FAIL", exchanges.REJECT_REFUSED.format(status_now))
    else:
        box_status = ex.shop.box(box).data["status"] if ex.shop.box(box).status == 200 else None
        assert result(answer) == ("FAIL", exchanges.NOT_APPLICABLE.format(box, box_status))


@pytest.mark.parametrize("state", list(WIRE))
def test_exchange_transition_table(ex: Exchanges, state: str) -> None:
    """Every action from every state on a fresh exchange: legal edges move, refusals change nothing."""
    for action in ACTIONS:
        exchange_id, box = reach(ex, state)
        answer = _do(ex, exchange_id, box, action)
        target = LEGAL.get((state, action))
        if target is None:
            _check_refusal(ex, state, action, answer, box)
            assert ex.state(exchange_id) == WIRE[state], action
            continue
        assert answer.status == 200 and (answer.data or {}).get("resultCode", "SUCCESS") == "SUCCESS", action
        expected = WIRE[target]
        if target == "REJECT":
            expected = ("REJECT", WIRE[state][1])
        assert ex.state(exchange_id) == expected, action


# ---------------------------------------------------------------- replacement box rules


def test_upload_needs_the_visible_replacement_box(ex: Exchanges, shop: Shop, services: Any) -> None:
    exchange_id, _vid, original = ex.open()
    assert ex.confirm(exchange_id).status == 200
    with services.store.transaction(shop.vendor_id) as tx:
        new_box = tx.get("exchanges", exchange_id)["replacementBoxId"]
    assert result(ex.upload(exchange_id, original)) == (
        "FAIL",
        exchanges.NOT_APPLICABLE.format(original, "FINAL_DELIVERY"),
    )
    shop.advance(REPLACEMENT_DELAY - 1)  # the new box exists but is not listed yet (~10 minutes)
    assert ex.find(exchange_id)["deliveryInvoiceGroupDtos"] == []
    assert result(ex.upload(exchange_id, new_box)) == ("FAIL", exchanges.NOT_APPLICABLE.format(new_box, "INSTRUCT"))
    shop.advance(1)
    assert ex.replacement(exchange_id) == new_box
    assert result(ex.upload(exchange_id, new_box)) == ("SUCCESS", exchanges.INVOICE_OK)


def test_rejection_after_confirmation_cancels_the_replacement_box(ex: Exchanges, shop: Shop) -> None:
    exchange_id, _vid, _box = ex.open()
    assert ex.confirm(exchange_id).status == 200
    shop.advance(REPLACEMENT_DELAY)
    new_box = ex.replacement(exchange_id)
    assert result(ex.reject(exchange_id)) == ("SUCCESS", exchanges.REJECT_OK)
    assert shop.box(new_box).status == 400
    assert ex.find(exchange_id)["deliveryInvoiceGroupDtos"] == []


def test_courier_code_of_the_replacement_invoice_is_checked(ex: Exchanges, shop: Shop) -> None:
    exchange_id, _vid, _box = ex.open()
    assert ex.confirm(exchange_id).status == 200
    shop.advance(REPLACEMENT_DELAY)
    body = [
        {
            "exchangeId": exchange_id,
            "vendorId": shop.vendor_id,
            "shipmentBoxId": ex.replacement(exchange_id),
            "goodsDeliveryCode": "NOPE",
            "invoiceNumber": "123456789012",
        }
    ]
    answer = shop.call("POST", f"{ex.v4}/exchangeRequests/{exchange_id}/invoices", body=body)
    assert (answer.status, answer.body["message"]) == (400, "invalid delivery company code:")
    assert ex.state(exchange_id) == ("PROGRESS", "CompleteCollect")


# ---------------------------------------------------------------- buyer requests and errors


def test_exchange_quantities_are_bounded(ex: Exchanges) -> None:
    vid, order_id, _box = ex.rt.delivered(quantity=3, price=20_000)
    assert ex.request(order_id, (vid, 2)).status == 201
    assert ex.rt.request(order_id, (vid, 1)).status == 201  # the third unit goes back as a return
    assert ex.request(order_id, (vid, 1)).status == 409
    assert ex.rt.request(order_id, (vid, 1)).status == 409  # nor can an exchanged unit be returned
    first = ex.listing(orderId=order_id).data[0]["exchangeId"]
    assert result(ex.reject(first))[0] == "SUCCESS"
    assert ex.request(order_id, (vid, 2)).status == 201  # a rejected exchange frees its units


def test_exchange_needs_a_shipped_box_and_a_known_reason(ex: Exchanges, shop: Shop) -> None:
    vid, order_id, _box = ex.rt.delivered(price=20_000)
    assert ex.request(order_id, (vid, 1), reason="NOPE").status == 400
    (other,) = shop.items({})
    placed = shop.order((other, 1))
    assert ex.request(placed["orderId"], (other, 1)).status == 409
    assert ex.act(10**12, "withdraw").status == 404


def test_unknown_exchange_and_mismatching_body(ex: Exchanges, shop: Shop) -> None:
    unknown = 10**12
    for answer in (ex.confirm(unknown), ex.reject(unknown)):
        assert (answer.status, answer.body["message"]) == (400, exchanges.NOT_FOUND.format(unknown))
    exchange_id, _vid, _box = ex.open()
    body = {"exchangeId": exchange_id + 1, "vendorId": shop.vendor_id}
    answer = shop.call("PUT", f"{ex.v4}/exchangeRequests/{exchange_id}/receiveConfirmation", body=body)
    assert (answer.status, answer.body["message"]) == (400, "exchangeId in path and body do not match")
    assert ex.state(exchange_id) == ("RECEIPT", "BeforeDirection")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"createdAtFrom": "2026-03-01T00:00:00", "createdAtTo": "2026-03-08T00:00:01"}, exchanges.WINDOW_TOO_LONG),
        ({"createdAtFrom": "2026-03-02T00:00:01", "createdAtTo": "2026-03-02T00:00:00"}, exchanges.WINDOW_REVERSED),
        ({"createdAtFrom": "2026-03-01"}, "createdAtFrom format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtFrom": "2026-03-01 00:00:00"}, "createdAtFrom format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtFrom": "2026-03-01T00:00"}, "createdAtFrom format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtFrom": "2026-02-30T00:00:00"}, "createdAtFrom format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtTo": "2026-03-02"}, "createdAtTo format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtTo": "2026-03-02T24:00:00"}, "createdAtTo format should be yyyy-MM-ddTHH:mm:ss."),
        ({"createdAtFrom": None}, "Required String parameter 'createdAtFrom' is not present"),
    ],
)
def test_list_errors(ex: Exchanges, query: dict[str, Any], message: str) -> None:
    answer = ex.listing(**query)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})


def test_list_filters_and_paging(ex: Exchanges) -> None:
    first, _vid, _box = ex.open()
    second, _vid, _box = ex.open()
    assert ex.act(second, "withdraw").status == 200
    ids = lambda answer: [entry["exchangeId"] for entry in answer.data]  # noqa: E731
    assert ids(ex.listing(status="RECEIPT")) == [first]
    assert ids(ex.listing(status="CANCEL")) == [second]
    page = ex.listing(maxPerPage=1)
    assert ids(page) == [first] and page.body["nextToken"]
    rest = ex.listing(maxPerPage=1, nextToken=page.body["nextToken"])
    assert ids(rest) == [second] and rest.body["nextToken"] == ""
    cancelled = ex.find(second)
    assert cancelled["deliveryStatus"] == "Withdraw" and cancelled["rejectable"] is False
    assert ex.listing(createdAtFrom="2026-03-03T00:00:00", createdAtTo="2026-03-04T00:00:00").data == []


def test_replacement_takes_stock_and_a_rejection_gives_it_back(ex: Exchanges, shop: Shop, services: Any) -> None:
    exchange_id, vid, _box = ex.open(quantity=2)
    assert shop.stock(services, vid) == 8
    assert ex.confirm(exchange_id).status == 200
    assert shop.stock(services, vid) == 6
    assert result(ex.reject(exchange_id, "SOLDOUT"))[0] == "SUCCESS"
    assert shop.stock(services, vid) == 8


def test_confirm_without_stock_takes_nothing(ex: Exchanges, shop: Shop, services: Any) -> None:
    vid, order_id, _box = ex.rt.delivered(quantity=1, price=20_000)
    exchange_id = ex.request(order_id, (vid, 1)).body["exchangeId"]
    with services.store.transaction(shop.vendor_id) as tx:
        item = tx.get("vendor-items", vid)
        item["quantity"] = 0
        tx.put("vendor-items", vid, item)
    assert ex.confirm(exchange_id).status == 200
    assert shop.stock(services, vid) == 0
    assert result(ex.reject(exchange_id, "SOLDOUT"))[0] == "SUCCESS"
    assert shop.stock(services, vid) == 0
