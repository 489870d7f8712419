"""Returns (반품 APIs) through HTTP: the receipt lifecycle table, seller actions, lists, withdrawal history."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coupang_mock.server import spec
from coupang_mock.server.domains import orders, returns
from tests.test_orders_support import Answer, Shop

TODAY = "2026-03-02"  # conftest START is 2026-03-02 10:00 KST
DAY = 86400
EXPENSIVE = 150_000  # no quick refund (≥ ₩100,000): confirm + approve needed
KST_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+09:00$")
LEGACY_T = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DOCUMENT = spec.load_copy()
OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT)}
WRONG_STATE = "반품접수(RETURNS_UNCHECKED) 상태의 반품 건만 입고확인 처리할 수 있습니다. receiptStatus={}"


@cache
def _validator(operation_id: str) -> Draft202012Validator:
    raw = spec.deref(DOCUMENT, OPERATIONS[operation_id].raw)
    return Draft202012Validator(raw["responses"]["200"]["content"]["application/json"]["schema"])


def assert_schema(operation_id: str, body: Any) -> None:
    _validator(operation_id).validate(body)


class Returns:
    """The seller's returns API and the buyer / courier control routes of one vendor."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        vendor = shop.vendor_id
        self.v4 = f"/v2/providers/openapi/apis/api/v4/vendors/{vendor}"
        self.v5 = f"/v2/providers/openapi/apis/api/v5/vendors/{vendor}"
        self.v6 = f"/v2/providers/openapi/apis/api/v6/vendors/{vendor}"

    # buyer / courier ----------------------------------------------------------------------------
    def delivered(self, quantity: int = 1, price: int = EXPENSIVE, **item: Any) -> tuple[int, int, int]:
        vid, order_id, box_id = self.shop.one_box(quantity, salePrice=price, **item)
        assert self.shop.ack(box_id).status == 200
        assert self.shop.ship(box_id).status == 200
        assert self.shop.track(box_id, "DELIVERED").status == 200
        return vid, order_id, box_id

    def request(self, order_id: int, *lines: tuple[int, int], reason: str = "CHANGEMIND") -> Answer:
        body = {"items": [{"vendorItemId": vid, "quantity": qty} for vid, qty in lines], "reasonCode": reason}
        return self.shop.control("POST", f"/vendors/{self.shop.vendor_id}/orders/{order_id}/returns", body)

    def open(self, quantity: int = 1, price: int = EXPENSIVE, reason: str = "CHANGEMIND") -> tuple[int, int]:
        """A delivered order and a return of all of it: (receiptId, vendorItemId)."""
        vid, order_id, _box = self.delivered(quantity, price)
        answer = self.request(order_id, (vid, quantity), reason=reason)
        assert answer.status == 201, answer
        return answer.body["receiptId"], vid

    def act(self, receipt_id: int, action: str, body: Any = None) -> Answer:
        return self.shop.control("POST", f"/vendors/{self.shop.vendor_id}/returns/{receipt_id}/{action}", body or {})

    # seller -------------------------------------------------------------------------------------
    def get(self, receipt_id: int, legacy: bool = False) -> Answer:
        return self.shop.call("GET", f"{self.v4 if legacy else self.v6}/returnRequests/{receipt_id}")

    def status(self, receipt_id: int) -> str | None:
        answer = self.get(receipt_id)
        return answer.data[0]["receiptStatus"] if answer.status == 200 else None

    def confirm(self, receipt_id: int, version: str = "v5", method: str = "PUT") -> Answer:
        base = self.v5 if version == "v5" else self.v4
        body = {"vendorId": self.shop.vendor_id, "receiptId": receipt_id}
        return self.shop.call(method, f"{base}/returnRequests/{receipt_id}/receiveConfirmation", body=body)

    def approve(self, receipt_id: int, count: int, version: str = "v5", method: str = "PUT") -> Answer:
        base = self.v5 if version == "v5" else self.v4
        body = {"vendorId": self.shop.vendor_id, "receiptId": receipt_id, "cancelCount": count}
        return self.shop.call(method, f"{base}/returnRequests/{receipt_id}/approval", body=body)

    def pickup_invoice(self, receipt_id: int, number: str = "684012345671", code: str = "CJGLS") -> Answer:
        body = {
            "returnExchangeDeliveryType": "RETURN",
            "receiptId": receipt_id,
            "deliveryCompanyCode": code,
            "invoiceNumber": number,
            "regNumber": "1234568",
        }
        return self.shop.call("POST", f"{self.v4}/return-exchange-invoices/manual", body=body)

    def listing(self, legacy: bool = False, **query: Any) -> Answer:
        params = {"createdAtFrom": TODAY, "createdAtTo": TODAY, **query}
        return self.shop.call("GET", f"{self.v4 if legacy else self.v6}/returnRequests", params)

    def withdrawals(self, **query: Any) -> Answer:
        params = {"dateFrom": TODAY, "dateTo": TODAY, **query}
        return self.shop.call("GET", f"{self.v4}/returnWithdrawRequests", params)

    def withdrawn(self, *ids: int) -> Answer:
        return self.shop.call("POST", f"{self.v4}/returnWithdrawList", body={"cancelIds": list(ids)})


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


@pytest.fixture
def rt(shop: Shop) -> Returns:
    return Returns(shop)


# ---------------------------------------------------------------- end to end


def test_return_lifecycle_end_to_end(rt: Returns, shop: Shop, services: Any) -> None:
    vid, order_id, box_id = rt.delivered(quantity=2)
    assert shop.stock(services, vid) == 8
    made = rt.request(order_id, (vid, 2), reason="DAMAGED")
    assert made.status == 201 and made.body["receiptStatus"] == "RETURNS_UNCHECKED"
    receipt_id = made.body["receiptId"]

    listed = rt.listing(status="UC")
    assert listed.status == 200 and [r["receiptId"] for r in listed.data] == [receipt_id]
    assert_schema("listReturnRequests", listed.body)
    got = rt.get(receipt_id)
    assert_schema("getReturnRequest", got.body)
    receipt = got.data[0]
    assert receipt["faultByType"] == "VENDOR" and receipt["reasonCodeText"] == "상품이 파손되어 배송됨"
    assert receipt["returnItems"][0]["shipmentBoxId"] == box_id and receipt["returnItems"][0]["releaseStatus"] == "Y"
    assert receipt["returnShippingCharge"] == {"currencyCode": "KRW", "units": 3000, "nanos": 0}
    assert KST_ISO.match(receipt["createdAt"]) and receipt["requesterPhoneNumber"].startswith("+82-")

    assert rt.confirm(receipt_id).body == {"code": "200", "message": "OK"}
    assert rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM"
    assert rt.approve(receipt_id, 2).body == {"code": "200", "message": "OK"}
    done = rt.get(receipt_id).data[0]
    assert done["receiptStatus"] == "RETURNS_COMPLETED" and done["completeConfirmType"] == "VENDOR_CONFIRM"
    assert LEGACY_T.match(done["completeConfirmDate"])
    assert shop.stock(services, vid) == 10
    assert shop.box(box_id).status == 400  # a fully returned box leaves the order-sheet reads
    with services.store.transaction(shop.vendor_id) as tx:
        assert tx.get("receipts", receipt_id)["refundAmount"] == 2 * EXPENSIVE


def test_v4_reads_use_legacy_formats(rt: Returns) -> None:
    receipt_id, _vid = rt.open()
    legacy = rt.get(receipt_id, legacy=True)
    assert_schema("getReturnRequestV4", legacy.body)
    receipt = legacy.data[0]
    assert LEGACY_T.match(receipt["createdAt"]) and receipt["enclosePrice"] == 0
    assert receipt["returnShippingCharge"] == -6000  # customer fault, free delivery: round trip
    listed = rt.listing(legacy=True, status="UC")
    assert_schema("listReturnRequestsV4", listed.body)
    assert listed.data[0]["returnShippingCharge"] == -6000


@pytest.mark.parametrize(("version", "method"), [("v5", "PUT"), ("v5", "PATCH"), ("v4", "PUT"), ("v4", "PATCH")])
def test_every_path_version_and_patch_twin_confirms_and_approves(rt: Returns, version: str, method: str) -> None:
    receipt_id, _vid = rt.open()
    assert rt.confirm(receipt_id, version, method).status == 200
    assert rt.approve(receipt_id, 1, version, method).status == 200
    assert rt.status(receipt_id) == "RETURNS_COMPLETED"


# ---------------------------------------------------------------- the transition table through HTTP

STATES = ["RU", "UC", "VWC", "PR", "CC", "WITHDRAWN"]
FULL = {
    "RU": "RELEASE_STOP_UNCHECKED",
    "UC": "RETURNS_UNCHECKED",
    "VWC": "VENDOR_WAREHOUSE_CONFIRM",
    "PR": "REQUEST_COUPANG_CHECK",
    "CC": "RETURNS_COMPLETED",
    "WITHDRAWN": None,
}


def reach(rt: Returns, state: str) -> int:
    """A receipt of one unit in `state`, driven there through the APIs and control routes only."""
    if state == "RU":
        (vid,) = rt.shop.items({"salePrice": EXPENSIVE})
        placed = rt.shop.order((vid, 1))
        assert rt.shop.ack(placed["shipmentBoxIds"][0]).status == 200
        cancel = rt.shop.buyer_cancel(placed["orderId"])
        return cancel.body["receipts"][0]["receiptId"]
    receipt_id, _vid = rt.open()
    if state in ("VWC", "PR", "CC"):
        assert rt.confirm(receipt_id).status == 200
    if state == "PR":
        assert rt.act(receipt_id, "coupang-check").status == 200
    if state == "CC":
        assert rt.approve(receipt_id, 1).status == 200
    if state == "WITHDRAWN":
        assert rt.act(receipt_id, "withdraw").status == 200
    assert rt.status(receipt_id) == FULL[state]
    return receipt_id


def _do(rt: Returns, receipt_id: int, action: str) -> Answer:
    if action == "confirm":
        return rt.confirm(receipt_id)
    if action == "approve":
        return rt.approve(receipt_id, 1)
    if action == "pickupInvoice":
        return rt.pickup_invoice(receipt_id)
    return rt.act(receipt_id, action)


def _expected(state: str, action: str) -> tuple[int, str | None, str | None]:
    """(HTTP status, message or None, state afterwards) — returns.yaml state_machine and rejections."""
    legal = {
        ("UC", "confirm"): "VWC",
        ("VWC", "approve"): "CC",
        ("UC", "pickupInvoice"): "UC",
        ("RU", "withdraw"): "WITHDRAWN",
        ("UC", "withdraw"): "WITHDRAWN",
        ("UC", "pickup"): "UC",
        ("VWC", "coupang-check"): "PR",
        ("CC", "coupang-check"): "PR",
    }
    if (state, action) in legal:
        return 200, None, legal[(state, action)]
    if action == "confirm":
        if state == "WITHDRAWN":
            return 400, returns.NOT_FOUND, state
        if state == "CC":
            return 400, returns.DONE, state
        return 400, WRONG_STATE.format(FULL[state]), state
    if action == "approve":
        if state == "WITHDRAWN":
            return 400, returns.NOT_FOUND, state
        if state == "CC":
            return 400, returns.DONE, state
        return 500, returns.NOT_APPROVABLE, state
    if action == "pickupInvoice":
        return 500, "null", state
    return (404 if state == "WITHDRAWN" else 409), None, state


ACTIONS = ["confirm", "approve", "pickupInvoice", "withdraw", "pickup", "coupang-check"]


@pytest.mark.parametrize("state", STATES)
def test_receipt_transition_table(rt: Returns, state: str) -> None:
    """Every action from every state, on a fresh receipt each: legal edges move, refusals change nothing."""
    for action in ACTIONS:
        receipt_id = reach(rt, state)
        status, message, after = _expected(state, action)
        answer = _do(rt, receipt_id, action)
        assert answer.status == status, (action, answer)
        if message is not None:
            assert answer.body["message"] == message, action
        assert rt.status(receipt_id) == FULL[after or state], action


def test_approval_needs_the_whole_receipt_quantity(rt: Returns) -> None:
    receipt_id, _vid = rt.open(quantity=3)
    assert rt.confirm(receipt_id).status == 200
    for wrong in (1, 2, 4):
        answer = rt.approve(receipt_id, wrong)
        assert (answer.status, answer.body["message"]) == (400, returns.COUNT_MISMATCH)
    assert rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM"
    assert rt.approve(receipt_id, 3).status == 200


def test_body_receipt_id_must_match_the_path(rt: Returns, shop: Shop) -> None:
    receipt_id, _vid = rt.open()
    body = {"vendorId": shop.vendor_id, "receiptId": receipt_id + 1}
    answer = shop.call("PUT", f"{rt.v5}/returnRequests/{receipt_id}/receiveConfirmation", body=body)
    assert (answer.status, answer.body["message"]) == (400, "receiptId in path and body do not match")
    assert rt.status(receipt_id) == "RETURNS_UNCHECKED"


def test_cancel_receipts_are_not_returns(rt: Returns, shop: Shop) -> None:
    (vid,) = shop.items({})
    placed = shop.order((vid, 1))
    receipt_id = shop.buyer_cancel(placed["orderId"]).body["receipts"][0]["receiptId"]
    for answer in (rt.get(receipt_id), rt.get(10**12)):
        assert (answer.status, answer.body["message"]) == (400, returns.GET_NOT_FOUND)
    answer = rt.confirm(receipt_id)
    assert (answer.status, answer.body["message"]) == (400, returns.NOT_FOUND)


def test_stop_shipment_request_after_already_shipped_continues_as_a_return(rt: Returns, shop: Shop) -> None:
    receipt_id = reach(rt, "RU")
    assert [r["receiptId"] for r in rt.listing(status="RU").data] == [receipt_id]
    assert [r["receiptId"] for r in rt.listing(status="UC").data] == [receipt_id]
    assert shop.already_shipped(receipt_id).status == 200
    assert rt.status(receipt_id) == "RETURNS_UNCHECKED"
    assert rt.listing(status="RU").data == []
    assert rt.confirm(receipt_id).status == 200 and rt.approve(receipt_id, 1).status == 200


def test_withdrawn_stop_request_frees_the_box_for_shipping(rt: Returns, shop: Shop) -> None:
    (vid,) = shop.items({})
    placed = shop.order((vid, 1))
    box_id = placed["shipmentBoxIds"][0]
    assert shop.ack(box_id).status == 200
    receipt_id = shop.buyer_cancel(placed["orderId"]).body["receipts"][0]["receiptId"]
    assert shop.ship(box_id).body["data"]["responseList"][0]["succeed"] is False
    assert rt.act(receipt_id, "withdraw").status == 200
    assert shop.stop_shipment(receipt_id, 1).body["message"] == "취소반품접수내역이 존재하지 않습니다."
    assert shop.ship(box_id).body["data"]["responseList"][0]["succeed"] is True


# ---------------------------------------------------------------- quick refund, pickup, automatic approval


def test_tracked_pickup_of_a_quick_refund_item_refunds_and_completes(rt: Returns, shop: Shop, services: Any) -> None:
    receipt_id, vid = rt.open(quantity=2, price=20_000)
    answer = rt.act(receipt_id, "pickup")
    assert answer.body["receiptStatus"] == "RETURNS_COMPLETED" and answer.body["refunded"] is True
    assert answer.body["refundAmount"] == 2 * 20_000 - 6000
    receipt = rt.get(receipt_id).data[0]
    assert receipt["preRefund"] is True
    assert (rt.approve(receipt_id, 2).status, rt.approve(receipt_id, 2).body["message"]) == (400, returns.DONE)
    assert shop.stock(services, vid) == 10
    assert rt.act(receipt_id, "withdraw").status == 409


def test_untracked_quick_refund_completes_on_receive_confirmation(rt: Returns) -> None:
    receipt_id, _vid = rt.open(price=20_000)
    assert rt.act(receipt_id, "pickup", {"tracked": False}).body["receiptStatus"] == "RETURNS_UNCHECKED"
    assert rt.act(receipt_id, "withdraw").status == 200  # untracked pickups can still be withdrawn


def test_confirm_of_untracked_quick_refund_item_refunds_at_once(rt: Returns) -> None:
    receipt_id, _vid = rt.open(price=20_000)
    assert rt.act(receipt_id, "pickup", {"tracked": False}).status == 200
    assert rt.confirm(receipt_id).status == 200
    receipt = rt.get(receipt_id).data[0]
    assert receipt["receiptStatus"] == "RETURNS_COMPLETED" and receipt["preRefund"] is True


@pytest.mark.parametrize(
    ("price", "flags"),
    [
        (100_000, {}),
        (100_010, {}),
        (20_000, {"freshFood": True}),
        (20_000, {"customMade": True}),
        (20_000, {"installation": True}),
        (99_990, {"installation": True}),
    ],
    ids=["100000", "100010", "fresh-food", "custom-made", "installation", "99990-installation"],
)
def test_items_outside_the_quick_refund_rule_wait_for_the_seller(
    rt: Returns, price: int, flags: dict[str, Any]
) -> None:
    vid, order_id, _box = rt.delivered(price=price, **flags)
    receipt_id = rt.request(order_id, (vid, 1)).body["receiptId"]
    picked = rt.act(receipt_id, "pickup").body
    assert (picked["receiptStatus"], picked["quickRefund"], picked["refunded"]) == ("RETURNS_UNCHECKED", False, False)
    assert rt.act(receipt_id, "withdraw").status == 409  # tracked pickup: too late to withdraw
    assert rt.confirm(receipt_id).status == 200
    assert rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM"
    assert rt.approve(receipt_id, 1).status == 200
    assert rt.status(receipt_id) == "RETURNS_COMPLETED"


@pytest.mark.parametrize("flags", [{}, {"freshFood": False, "customMade": False, "installation": False}])
def test_just_under_100000_is_a_quick_refund(rt: Returns, flags: dict[str, Any]) -> None:
    vid, order_id, _box = rt.delivered(price=99_990, **flags)
    receipt_id = rt.request(order_id, (vid, 1)).body["receiptId"]
    picked = rt.act(receipt_id, "pickup").body
    assert (picked["receiptStatus"], picked["quickRefund"], picked["refunded"]) == ("RETURNS_COMPLETED", True, True)
    assert picked["refundAmount"] == 99_990 - 6000  # free delivery: the customer bears the round trip


def test_one_line_outside_the_rule_keeps_the_whole_receipt_out(rt: Returns, shop: Shop) -> None:
    cheap, dear = shop.items({"salePrice": 20_000}, {"salePrice": 120_000})
    placed = shop.order((cheap, 1), (dear, 1))
    box_id = placed["shipmentBoxIds"][0]
    assert shop.ack(box_id).status == 200 and shop.ship(box_id).status == 200
    assert shop.track(box_id, "DELIVERED").status == 200
    receipt_id = rt.request(placed["orderId"], (cheap, 1), (dear, 1)).body["receiptId"]
    picked = rt.act(receipt_id, "pickup").body
    assert (picked["receiptStatus"], picked["quickRefund"]) == ("RETURNS_UNCHECKED", False)
    alone = rt.request(placed["orderId"], (cheap, 1))
    assert alone.status == 409  # the cheap unit is already under the first return


@pytest.mark.parametrize("shipment_type", ["CGF", "CGF LITE"])
def test_boxes_not_delivered_by_the_seller_get_no_quick_refund(
    rt: Returns, shop: Shop, services: Any, shipment_type: str
) -> None:
    """Only regular (THIRD_PARTY) delivery qualifies. The control plane places THIRD_PARTY boxes only,
    so the box is relabelled in the store before the customer returns it."""
    vid, order_id, box_id = rt.delivered(price=20_000)
    with services.store.transaction(shop.vendor_id) as tx:
        box = tx.get(orders.BOXES, box_id)
        tx.put(orders.BOXES, box_id, {**box, "shipmentType": shipment_type})
    assert shop.box(box_id).data["shipmentType"] == shipment_type
    receipt_id = rt.request(order_id, (vid, 1)).body["receiptId"]
    picked = rt.act(receipt_id, "pickup").body
    assert (picked["receiptStatus"], picked["quickRefund"], picked["refunded"]) == ("RETURNS_UNCHECKED", False, False)
    assert rt.confirm(receipt_id).status == 200
    assert rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM"


def test_coupang_approves_confirmed_receipts_after_three_days(rt: Returns, shop: Shop) -> None:
    receipt_id, _vid = rt.open()
    assert rt.confirm(receipt_id).status == 200
    shop.advance(3 * DAY - 60)
    assert rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM"
    shop.advance(60)
    receipt = rt.get(receipt_id).data[0]
    assert receipt["receiptStatus"] == "RETURNS_COMPLETED" and receipt["completeConfirmType"] == "CS_CONFIRM"
    assert rt.approve(receipt_id, 1).body["message"] == returns.DONE


# ---------------------------------------------------------------- buyer requests


def test_return_quantities_are_bounded_by_shipped_minus_returned(rt: Returns) -> None:
    vid, order_id, _box = rt.delivered(quantity=3)
    assert rt.request(order_id, (vid, 2)).status == 201
    over = rt.request(order_id, (vid, 2))
    assert over.status == 409 and "only 1" in over.body["message"]
    first_withdrawn = rt.request(order_id, (vid, 1))
    assert rt.act(first_withdrawn.body["receiptId"], "withdraw").status == 200
    assert rt.request(order_id, (vid, 1)).status == 201  # withdrawn units can be returned again


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"items": [], "reasonCode": "CHANGEMIND"}, 400),
        ({"items": [{"vendorItemId": 1, "quantity": 0}], "reasonCode": "CHANGEMIND"}, 400),
        ({"items": "x", "reasonCode": "CHANGEMIND"}, 400),
    ],
)
def test_malformed_return_requests(rt: Returns, shop: Shop, body: dict[str, Any], status: int) -> None:
    _vid, order_id, _box = rt.delivered()
    assert shop.control("POST", f"/vendors/{shop.vendor_id}/orders/{order_id}/returns", body).status == status


def test_unknown_reason_and_unshipped_boxes_are_refused(rt: Returns, shop: Shop) -> None:
    vid, order_id, _box = rt.delivered()
    assert rt.request(order_id, (vid, 1), reason="NOPE").status == 400
    (other,) = shop.items({})
    placed = shop.order((other, 1))
    assert rt.request(placed["orderId"], (other, 1)).status == 409
    assert rt.request(10**13, (vid, 1)).status == 404


@pytest.mark.parametrize(
    ("reason", "fault"), [("CHANGEMIND", "CUSTOMER"), ("DEFECT", "VENDOR"), ("SYSTEMINFO_ERROR", "COUPANG")]
)
def test_fault_follows_the_reason_code(rt: Returns, reason: str, fault: str) -> None:
    receipt_id, _vid = rt.open(reason=reason)
    receipt = rt.get(receipt_id).data[0]
    assert receipt["faultByType"] == fault and receipt["reasonCode"] == reason


# ---------------------------------------------------------------- list-return-requests


def test_list_filters_and_modes(rt: Returns, shop: Shop) -> None:
    uc, _ = rt.open()
    vwc, _ = rt.open()
    cc, _ = rt.open()
    pr, _ = rt.open()
    gone, _ = rt.open()
    for receipt_id in (vwc, cc, pr):
        assert rt.confirm(receipt_id).status == 200
    assert rt.approve(cc, 1).status == 200
    assert rt.act(pr, "coupang-check").status == 200
    assert rt.act(gone, "withdraw").status == 200
    ids = lambda answer: [r["receiptId"] for r in answer.data]  # noqa: E731
    assert ids(rt.listing(status="UC")) == [uc, vwc]
    assert ids(rt.listing(status="CC")) == [cc]
    assert ids(rt.listing(status="PR")) == [pr]
    order_id = rt.get(cc).data[0]["orderId"]
    assert ids(rt.listing(orderId=order_id)) == [cc]
    first = rt.listing(status="UC", maxPerPage=1)
    assert ids(first) == [uc] and first.body["nextToken"]
    second = rt.listing(status="UC", maxPerPage=1, nextToken=first.body["nextToken"])
    assert ids(second) == [vwc] and second.body["nextToken"] == ""
    frame = rt.listing(
        searchType="timeFrame", createdAtFrom=f"{TODAY}T00:00", createdAtTo=f"{TODAY}T23:59", status="UC"
    )
    assert ids(frame) == [uc, vwc] and "nextToken" not in frame.body
    assert_schema("listReturnRequests", frame.body)
    assert rt.listing(status="UC", createdAtFrom="2026-03-03", createdAtTo="2026-03-04").data == []


def test_cancel_type_lists_only_cancellations_made_in_accept(rt: Returns, shop: Shop) -> None:
    rt.open()
    (vid,) = shop.items({})
    placed = shop.order((vid, 1))
    receipt_id = shop.buyer_cancel(placed["orderId"]).body["receipts"][0]["receiptId"]
    answer = rt.listing(cancelType="CANCEL")
    assert [r["receiptId"] for r in answer.data] == [receipt_id]
    assert answer.data[0]["receiptType"] == "CANCEL"
    assert_schema("listReturnRequests", answer.body)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "OrderId can't be null , if doesn't pass the parameter status"),
        ({"status": "UC", "createdAtFrom": "2026-01-01", "createdAtTo": "2026-03-02"}, "검색기간은 최대 31일입니다."),
        (
            {"status": "UC", "createdAtFrom": "2026-03-04", "createdAtTo": "2026-03-02"},
            "검색기간의 끝이 시작 보다 앞섭니다. SearchPeriod=-2",
        ),
    ],
)
def test_list_errors(rt: Returns, query: dict[str, Any], message: str) -> None:
    answer = rt.listing(**query)
    assert (answer.status, answer.body["message"]) == (400, message)


# ---------------------------------------------------------------- withdrawal history


def test_withdrawal_history_by_period_and_by_ids(rt: Returns, shop: Shop) -> None:
    kept, _ = rt.open()
    first, vid = rt.open()
    second, _ = rt.open(reason="DEFECT")
    assert rt.act(first, "withdraw").status == 200
    assert rt.act(second, "withdraw").status == 200
    page = rt.withdrawals(sizePerPage=1)
    assert_schema("listReturnWithdrawalsByPeriod", page.body)
    assert [w["cancelId"] for w in page.data] == [first] and page.body["nextPageIndex"] == "2"
    row = page.data[0]
    assert row["vendorItemIds"] == [vid] and row["refundDeliveryDuty"] == "CUS" and LEGACY_T.match(row["createdAt"])
    last = rt.withdrawals(sizePerPage=1, pageIndex=2)
    assert [w["cancelId"] for w in last.data] == [second] and last.body["nextPageIndex"] == ""
    assert last.data[0]["refundDeliveryDuty"] == "COM"
    by_ids = rt.withdrawn(kept, first, second, 10**12)
    assert_schema("listReturnWithdrawalsByIds", by_ids.body)
    assert [w["cancelId"] for w in by_ids.data] == [first, second]
    assert rt.get(first).body["message"] == returns.GET_NOT_FOUND
    assert rt.withdrawals(dateFrom="2026-03-03", dateTo="2026-03-09").data == []


PAGE_SIZE_TEXT = "페이지별 최대 표시 갯수(sizePerPage)는 100 입니다. (The maximum number of indications per page (sizePerPage) is 100)"
PAGE_INDEX_TEXT = "pageindex 는 음수 또는 0 일 수 없습니다. (pageindex can not be negative or 0)"
DATE_TEXT = "날짜입력을 확인해 주세요. (형식:yyyy-MM-dd) [Please confirm the date input (format:yyyy-MM-dd)]"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"dateFrom": "2026-03-01", "dateTo": "2026-03-08"},
            "최대 조회 기간은 7 일 입니다.(The maximum view duration is 7 days)",
        ),
        ({"dateFrom": "2026-03-02", "dateTo": "2026-03-01"}, "종료일자는 시작일자보다 작거나 같아야 합니다."),
        ({"sizePerPage": 101}, PAGE_SIZE_TEXT),
        ({"sizePerPage": 5000}, PAGE_SIZE_TEXT),
        ({"pageIndex": 0}, PAGE_INDEX_TEXT),
        ({"pageIndex": -3}, PAGE_INDEX_TEXT),
        ({"dateFrom": "2026/03/01"}, DATE_TEXT),
        ({"dateTo": "20260302"}, DATE_TEXT),
        ({"dateFrom": "2026-3-1"}, DATE_TEXT),
        ({"dateFrom": "2026-02-30"}, DATE_TEXT),
        ({"dateTo": "2026-03-02T00:00"}, DATE_TEXT),
        ({"dateFrom": None}, "Required String parameter 'dateFrom' is not present"),
        ({"dateTo": None}, "Required String parameter 'dateTo' is not present"),
    ],
    ids=[
        "window-too-long",
        "reversed",
        "size-101",
        "size-5000",
        "page-0",
        "page-negative",
        "date-slashes",
        "date-compact",
        "date-one-digit",
        "date-impossible",
        "date-with-time",
        "no-dateFrom",
        "no-dateTo",
    ],
)
def test_withdrawal_period_errors(rt: Returns, query: dict[str, Any], message: str) -> None:
    answer = rt.withdrawals(**query)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})


def test_withdrawal_paging_limits_are_inclusive(rt: Returns) -> None:
    assert rt.withdrawals(sizePerPage=100, pageIndex=1).status == 200
    assert rt.withdrawals(sizePerPage=1, pageIndex=7).body["nextPageIndex"] == ""


@pytest.mark.parametrize("body", [{}, {"cancelIds": []}, {"cancelIds": None}], ids=["missing", "empty", "null"])
def test_withdrawal_lookup_without_ids_fails_upstream(rt: Returns, body: dict[str, Any]) -> None:
    answer = rt.shop.call("POST", f"{rt.v4}/returnWithdrawList", body=body)
    assert (answer.status, answer.body) == (500, {"code": 500, "message": "CReturns getWithdrawnList failed"})


def test_withdrawal_period_of_seven_days_inclusive_is_fine(rt: Returns) -> None:
    assert rt.withdrawals(dateFrom="2026-03-01", dateTo="2026-03-07").status == 200


# ---------------------------------------------------------------- manual pickup invoice


def test_pickup_invoice_is_registered_on_the_receipt(rt: Returns) -> None:
    receipt_id, _vid = rt.open()
    answer = rt.pickup_invoice(receipt_id, number="684012345671")
    assert answer.status == 200
    assert_schema("registerReturnPickupInvoice", answer.body)
    assert answer.data["receiptId"] == receipt_id and answer.data["returnExchangeDeliveryType"] == "RETURN"
    second = rt.pickup_invoice(receipt_id, number="684012345672")
    assert second.status == 200
    receipt = rt.get(receipt_id).data[0]
    assert receipt["returnDeliveryType"] == "수기관리"
    assert [d["deliveryInvoiceNo"] for d in receipt["returnDeliveryDtos"]] == ["684012345671", "684012345672"]


def test_pickup_invoice_errors(rt: Returns, shop: Shop) -> None:
    vid, order_id, box_id = rt.delivered()
    receipt_id = rt.request(order_id, (vid, 1)).body["receiptId"]
    outbound = shop.box(box_id).data["invoiceNumber"]
    cases = [
        (rt.pickup_invoice(receipt_id, code="NOPE"), 500, "Invalid value for DeliveryCompanyCodeEnum: NOPE"),
        (
            rt.pickup_invoice(receipt_id, number="1abc"),
            400,
            "반품 송장 형식이 올바르지 않습니다. 송장번호: *** , 택배사: CJGLS",
        ),
        (
            rt.pickup_invoice(receipt_id, number=outbound),
            400,
            f"배송송장과 같은 송장번호는 입력할 수 없습니다. 송장번호: {outbound[:4]}*****{outbound[-3:]}.",
        ),
        (rt.pickup_invoice(10**12), 500, "null"),
    ]
    for answer, status, message in cases:
        assert (answer.status, answer.body["message"]) == (status, message)
    assert rt.get(receipt_id).data[0]["returnDeliveryType"] == "전담택배"


# ---------------------------------------------------------------- money


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=st.integers(min_value=0, max_value=300_000),
    quantity=st.integers(min_value=1, max_value=4),
    splits=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4),
    reason=st.sampled_from(["CHANGEMIND", "DEFECT", "WRONGOPT", "SYSTEMINFO_ERROR"]),
    quick_pickup=st.booleans(),
)
def test_refunds_never_exceed_what_was_paid(
    rt: Returns, services: Any, price: int, quantity: int, splits: list[int], reason: str, quick_pickup: bool
) -> None:
    vid, order_id, box_id = rt.delivered(quantity=quantity, price=price)
    left = quantity
    made = []
    for part in splits:
        part = min(part, left)
        if part == 0:
            break
        answer = rt.request(order_id, (vid, part), reason=reason)
        assert answer.status == 201
        made.append((answer.body["receiptId"], part))
        left -= part
    for receipt_id, part in made:
        if quick_pickup:
            rt.act(receipt_id, "pickup")
        if rt.status(receipt_id) == "RETURNS_UNCHECKED":
            assert rt.confirm(receipt_id).status == 200
        if rt.status(receipt_id) == "VENDOR_WAREHOUSE_CONFIRM":
            assert rt.approve(receipt_id, part).status == 200
        assert rt.status(receipt_id) == "RETURNS_COMPLETED"
    with services.store.transaction(rt.shop.vendor_id) as tx:
        refunds = [tx.get("receipts", receipt_id)["refundAmount"] for receipt_id, _ in made]
        box = tx.get("boxes", box_id)
    paid = sum(line["orderPrice"] for line in box["orderItems"]) + box["shippingPrice"] + box["remotePrice"]
    assert all(refund >= 0 for refund in refunds)
    assert sum(refunds) <= paid
    if left == 0:
        assert rt.request(order_id, (vid, 1)).status == 409
