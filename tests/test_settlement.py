"""Settlement through the HTTP API: revenue rows and payouts derived from real orders and returns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coupang_mock.server import spec
from coupang_mock.server.domains import receipts, returns, timefmt
from coupang_mock.server.domains import settlement as stl
from tests import test_cs
from tests.test_orders_support import Answer, Shop

# a module-wide server and a fresh vendor per test (see tests/test_cs.py)
shared_server, server, services, client = test_cs.shared_server, test_cs.server, test_cs.services, test_cs.client

REVENUE = "/v2/providers/openapi/apis/api/v1/revenue-history"
HISTORIES = "/v2/providers/marketplace_openapi/apis/api/v1/settlement-histories"
TODAY, TOMORROW = "2026-03-02", "2026-03-03"  # conftest START is 2026-03-02 10:00 KST
DAY = 86400
DOCUMENT = spec.load()
OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT) if op.tag == "settlement"}


class Books:
    """The vendor's shop floor (orders, deliveries, returns) and its settlement reads."""

    def __init__(self, shop: Shop, services: Any) -> None:
        self.shop = shop
        self.services = services
        self.vendor_id = shop.vendor_id

    def sell(self, *lines: tuple[int, int], confirm: bool = True, **item: Any) -> tuple[int, list[int]]:
        """Items at the given prices and quantities, one order, shipped and delivered (and confirmed)."""
        vids = self.shop.items(*({"salePrice": price, "quantity": 50, **item} for price, _qty in lines))
        placed = self.shop.order(*((vid, qty) for vid, (_price, qty) in zip(vids, lines, strict=True)))
        for box_id in placed["shipmentBoxIds"]:
            assert self.shop.ack(box_id).status == 200
            assert self.shop.ship(box_id).status == 200
            assert self.shop.track(box_id, "DELIVERED").status == 200
        if confirm:
            self.shop.ok("POST", f"/vendors/{self.vendor_id}/orders/{placed['orderId']}/confirm")
        return placed["orderId"], vids

    def give_back(self, order_id: int, wanted: dict[int, int], reason: str = "DEFECT") -> dict[str, Any]:
        """The customer returns units (control plane: request, untracked pickup) and the seller confirms
        receipt and approves over the signed returns API: a completed return, as the v4 single get shows it
        (legacy formats: returnShippingCharge is a plain integer)."""
        body = {"items": [{"vendorItemId": vid, "quantity": qty} for vid, qty in wanted.items()], "reasonCode": reason}
        asked = self.shop.control("POST", f"/vendors/{self.vendor_id}/orders/{order_id}/returns", body)
        assert asked.status == 201, asked
        receipt_id, count = asked.body["receiptId"], asked.body["cancelCountSum"]
        picked = self.shop.control("POST", f"/vendors/{self.vendor_id}/returns/{receipt_id}/pickup", {"tracked": False})
        assert picked.body["receiptStatus"] == "RETURNS_UNCHECKED", picked
        v4, v5 = self.shop.v4, self.shop.v5
        ids = {"vendorId": self.vendor_id, "receiptId": receipt_id}
        confirmed = self.shop.call("PUT", f"{v5}/returnRequests/{receipt_id}/receiveConfirmation", body=ids)
        assert confirmed.status == 200, confirmed
        if not asked.body["quickRefund"]:  # a quick-refund item completes on receive confirmation
            approved = self.shop.call(
                "PUT", f"{v5}/returnRequests/{receipt_id}/approval", body={**ids, "cancelCount": count}
            )
            assert approved.status == 200, approved
        (receipt,) = self.shop.call("GET", f"{v4}/returnRequests/{receipt_id}").data
        assert receipt["receiptStatus"] == receipts.RETURNS_COMPLETED
        return receipt

    def revenue(self, start: str = TODAY, end: str = TODAY, token: str | None = "", **query: Any) -> Answer:
        params = {"vendorId": self.vendor_id, "recognitionDateFrom": start, "recognitionDateTo": end, "token": token}
        return self.shop.call("GET", REVENUE, {**params, **query})

    def all_rows(self, start: str = TODAY, end: str = TODAY) -> list[dict[str, Any]]:
        rows, token = [], ""
        while True:
            answer = self.revenue(start, end, token)
            assert answer.status == 200, answer
            rows += answer.data
            token = answer.body["nextToken"]
            assert answer.body["hasNext"] is bool(token)
            if not token:
                return rows

    def histories(self, month: str | None) -> Answer:
        return self.shop.call("GET", HISTORIES, {"revenueRecognitionYearMonth": month})

    def profile(self, **changes: Any) -> Answer:
        return self.shop.control("PUT", f"/vendors/{self.vendor_id}/settlement-profile", changes)


@pytest.fixture
def books(server: Any, client: Any, services: Any) -> Books:
    return Books(Shop(server.base_url, client), services)


def _fee(amount: int, ratio: str = "10.5") -> tuple[int, int]:
    def half_up(value: Decimal) -> int:
        magnitude = int(abs(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return -magnitude if value < 0 else magnitude

    fee = half_up(Decimal(amount) * Decimal(ratio) / 100)
    return fee, half_up(Decimal(fee) / 10)


# ---------------------------------------------------------------- revenue history: end to end


def test_order_to_confirmation_to_revenue_and_return_to_refund(books: Books) -> None:
    order_id, (vid,) = books.sell((15000, 2), deliveryChargeType="NOT_FREE", deliveryCharge=3000)
    assert books.revenue().message == stl.yesterday_error(TODAY)  # today's revenue is not readable yet
    books.shop.advance(DAY)
    (sale,) = books.all_rows()
    assert (sale["orderId"], sale["saleType"], sale["saleDate"], sale["recognitionDate"]) == (
        order_id,
        "SALE",
        TODAY,
        TODAY,
    )
    assert (sale["settlementDate"], sale["finalSettlementDate"]) == ("2026-04-15", "2026-04-15")  # monthly
    (item,) = sale["items"]
    assert (item["vendorItemId"], item["quantity"], item["salePrice"], item["saleAmount"]) == (vid, 2, 30000, 30000)
    assert (item["serviceFee"], item["serviceFeeVat"], item["settlementAmount"]) == (3150, 315, 26535)
    delivery = sale["deliveryFee"]
    assert (delivery["amount"], delivery["fee"], delivery["feeVat"], delivery["settlementAmount"]) == (
        3000,
        90,
        9,
        2901,
    )

    books.give_back(order_id, {vid: 1})
    books.shop.advance(DAY)
    sale_again, refund = books.all_rows(TODAY, TOMORROW)
    assert sale_again == sale
    assert (refund["orderId"], refund["saleType"], refund["recognitionDate"]) == (order_id, "REFUND", TOMORROW)
    (back,) = refund["items"]
    assert (back["quantity"], back["salePrice"], back["saleAmount"]) == (1, -15000, -15000)
    assert (back["serviceFee"], back["serviceFeeVat"], back["settlementAmount"]) == (-1575, -158, -13267)


def test_cancelled_before_shipment_never_becomes_revenue(books: Books) -> None:
    (vid,) = books.shop.items({"salePrice": 9000})
    placed = books.shop.order((vid, 3))
    assert books.shop.buyer_cancel(placed["orderId"], (vid, 1)).status < 300
    box_id = placed["shipmentBoxIds"][0]
    books.shop.ack(box_id)
    books.shop.ship(box_id)
    books.shop.track(box_id, "DELIVERED")
    books.shop.ok("POST", f"/vendors/{books.vendor_id}/orders/{placed['orderId']}/confirm")
    books.shop.advance(DAY)
    (row,) = books.all_rows()
    assert [(i["quantity"], i["saleAmount"]) for i in row["items"]] == [(2, 18000)]

    cancelled = books.shop.order((vid, 1))
    assert books.shop.buyer_cancel(cancelled["orderId"]).status < 300
    books.shop.advance(10 * DAY)
    assert all(r["orderId"] != cancelled["orderId"] for r in books.all_rows(TODAY, "2026-03-12"))


def test_delivered_but_unconfirmed_is_recognised_by_the_automatic_confirmation(books: Books) -> None:
    order_id, _ = books.sell((10000, 1), confirm=False)
    books.shop.advance(DAY)
    assert books.all_rows() == []
    books.shop.advance(7 * DAY)
    (row,) = books.all_rows(TODAY, "2026-03-09")
    assert (row["orderId"], row["recognitionDate"]) == (order_id, "2026-03-09")


def test_return_before_confirmation_is_refunded_on_the_sale_day(books: Books) -> None:
    order_id, (vid,) = books.sell((20000, 1), confirm=False)
    books.give_back(order_id, {vid: 1})
    books.shop.advance(8 * DAY)
    rows = books.all_rows(TODAY, "2026-03-09")
    assert [(r["saleType"], r["recognitionDate"]) for r in rows] == [("SALE", "2026-03-09"), ("REFUND", "2026-03-09")]
    assert sum(i["saleAmount"] for r in rows for i in r["items"]) == 0


def test_direct_delivery_is_recognised_seven_days_after_the_invoice(books: Books) -> None:
    """업체직송 (DIRECT) is never tracked: no delivery, no purchase confirmation, revenue 7 days later anyway."""
    (vid,) = books.shop.items({"salePrice": 25000, "quantity": 5})
    placed = books.shop.order((vid, 2))
    order_id, box_id = placed["orderId"], placed["shipmentBoxIds"][0]
    assert books.shop.ack(box_id).data["responseCode"] == 0
    assert books.shop.ship(box_id, code="DIRECT", number="202603021000").data["responseCode"] == 0
    assert books.shop.status(box_id) == "NONE_TRACKING"
    assert books.shop.control("POST", f"/vendors/{books.vendor_id}/orders/{order_id}/confirm").status == 409
    books.shop.advance(7 * DAY - 60)  # 2026-03-09 09:59 KST: not yet
    assert books.histories("2026-03").body == []
    assert books.all_rows(TODAY, "2026-03-08") == []
    books.shop.advance(60)  # invoice upload + 7 days
    (payout,) = books.histories("2026-03").body
    assert payout["totalSale"] == 50000
    books.shop.advance(DAY)
    (row,) = books.all_rows(TODAY, "2026-03-09")
    assert (row["orderId"], row["saleType"], row["saleDate"], row["recognitionDate"]) == (
        order_id,
        "SALE",
        TODAY,
        "2026-03-09",
    )
    assert [(i["vendorItemId"], i["quantity"], i["saleAmount"]) for i in row["items"]] == [(vid, 2, 50000)]
    assert books.shop.status(box_id) == "NONE_TRACKING"  # recognised without FINAL_DELIVERY


def test_weekly_cycle_dates(books: Books) -> None:
    assert books.profile(settlementType="WEEKLY").status == 200
    books.sell((10000, 1))
    books.shop.advance(DAY)
    (row,) = books.all_rows()
    # 2026-03-02 is a Monday: the week ends 03-08, 70 % paid 15 days later, the rest on 05-01
    assert (row["settlementDate"], row["finalSettlementDate"]) == ("2026-03-23", "2026-05-01")


def test_paging_by_token_is_bound_to_the_window(books: Books) -> None:
    for _ in range(5):
        books.sell((1000, 1))
    books.shop.advance(DAY)
    first = books.revenue(maxPerPage=2)
    assert len(first.data) == 2 and first.body["hasNext"] is True
    seen = [r["orderId"] for r in books.all_rows()]
    assert len(seen) == 5 and len(set(seen)) == 5
    second = books.revenue(token=first.body["nextToken"], maxPerPage=2)
    assert [r["orderId"] for r in second.data] == seen[2:4]
    other_window = books.revenue("2026-02-20", TODAY, token=first.body["nextToken"])
    assert (other_window.status, other_window.message) == (400, stl.token_error(first.body["nextToken"]))


# ---------------------------------------------------------------- revenue history: refusals


@pytest.mark.parametrize(
    ("start", "end", "token", "message"),
    [
        ("2026/02/01", "2026-02-02", "", stl.format_error("recognitionDateFrom", "2026/02/01")),
        ("2026-02-01", "20260202", "", stl.format_error("recognitionDateTo", "20260202")),
        ("2026-02-30", "2026-03-01", "", stl.format_error("recognitionDateFrom", "2026-02-30")),
        ("2026-02-20", TODAY, "", stl.yesterday_error(TODAY)),
        ("2026-02-20", "2026-03-05", "", stl.yesterday_error("2026-03-05")),
        ("2026-01-27", "2026-02-27", "", stl.month_window_error("2026-01-27", "2026-02-27")),
        ("2026-02-10", "2026-02-01", "", stl.month_window_error("2026-02-10", "2026-02-01")),
        ("2026-02-01", "2026-02-02", "abc", stl.token_error("abc")),
        ("2026-02-01", "2026-02-02", None, "Required String parameter 'token' is not present"),
    ],
)
def test_revenue_refusals_are_verbatim(books: Books, start: str, end: str, token: str | None, message: str) -> None:
    answer = books.revenue(start, end, token)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})


def test_a_window_one_day_short_of_a_month_is_allowed(books: Books) -> None:
    assert books.revenue("2026-01-27", "2026-02-26").status == 200
    assert books.revenue("2026-03-01", "2026-03-01").status == 200


def test_missing_vendor_id_is_springs_message(books: Books) -> None:
    answer = books.shop.call("GET", REVENUE, {"recognitionDateFrom": TODAY, "recognitionDateTo": TODAY, "token": ""})
    assert (answer.status, answer.message) == (400, "Required String parameter 'vendorId' is not present")


# ---------------------------------------------------------------- money property


@st.composite
def _order_lines(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    """(price, ordered, cancelled in ACCEPT, stopped in INSTRUCT, returned): at least one unit ships."""
    price = draw(st.integers(100, 200_000))
    ordered = draw(st.integers(1, 4))
    cancelled = draw(st.integers(0, ordered - 1))
    stopped = draw(st.integers(0, ordered - 1 - cancelled))
    returned = draw(st.integers(0, ordered - cancelled - stopped))
    return price, ordered, cancelled, stopped, returned


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(_order_lines(), min_size=1, max_size=3),
    ratio=st.sampled_from([10.5, 7.8, 0, 11.0]),
    return_first=st.booleans(),
)
@example(lines=[(20_000, 4, 1, 1, 1), (150_000, 3, 0, 1, 2)], ratio=10.5, return_first=True)
@example(lines=[(99_990, 3, 1, 1, 1), (100, 2, 0, 0, 2)], ratio=0, return_first=False)
def test_revenue_is_confirmed_minus_refunded_item_by_item(
    books: Books, lines: list[tuple[int, int, int, int, int]], ratio: float, return_first: bool
) -> None:
    """Buyer cancels in ACCEPT and stop-shipments never become revenue; returns (before or after the
    purchase confirmation) are refunded item by item; no refund exceeds what was paid."""
    shop = books.shop
    books.profile(serviceFeeRatio=ratio)
    vids = shop.items(*({"salePrice": price, "quantity": 50} for price, *_ in lines))
    placed = shop.order(*((vid, ordered) for vid, (_p, ordered, *_rest) in zip(vids, lines, strict=True)))
    order_id, boxes = placed["orderId"], placed["shipmentBoxIds"]
    plan = dict(zip(vids, lines, strict=True))
    cancels = [(vid, line[2]) for vid, line in plan.items() if line[2]]
    if cancels:  # the buyer cancels in ACCEPT: refunded at once, never shipped
        assert shop.buyer_cancel(order_id, *cancels).body["receipts"][0]["receiptType"] == "CANCEL"
    for box_id in boxes:
        assert shop.ack(box_id).data["responseCode"] == 0
    stops = [(vid, line[3]) for vid, line in plan.items() if line[3]]
    if stops:  # the buyer cancels in INSTRUCT, the seller stops the shipment: refunded, never shipped
        (request,) = shop.buyer_cancel(order_id, *stops).body["receipts"]
        assert shop.stop_shipment(request["receiptId"], request["cancelCountSum"]).status == 200
    for box_id in boxes:
        assert shop.ship(box_id).data["responseCode"] == 0
        assert shop.track(box_id, "DELIVERED").status == 200
    wanted = {vid: line[4] for vid, line in plan.items() if line[4]}
    if wanted and return_first:
        books.give_back(order_id, wanted)
    shop.ok("POST", f"/vendors/{books.vendor_id}/orders/{order_id}/confirm")
    if wanted and not return_first:
        books.give_back(order_id, wanted)
    day = books.services.clock.now(books.vendor_id)
    shop.advance(DAY)
    kst_day = timefmt.kst_date(day).isoformat()
    rows = [r for r in books.all_rows(kst_day, kst_day) if r["orderId"] == order_id]

    shipped = {vid: ordered - cancelled - stopped for vid, (_p, ordered, cancelled, stopped, _r) in plan.items()}
    prices = {vid: line[0] for vid, line in plan.items()}
    confirmed = sum(prices[vid] * units for vid, units in shipped.items())
    refunded = sum(prices[vid] * units for vid, units in wanted.items())
    items = [(row["saleType"], item) for row in rows for item in row["items"]]
    assert sum(i["saleAmount"] for kind, i in items if kind == "SALE") == confirmed
    assert sum(i["saleAmount"] for kind, i in items if kind == "REFUND") == -refunded
    assert sum(i["saleAmount"] for _kind, i in items) == confirmed - refunded
    for vid in vids:  # item by item: what was sold, what came back
        sold = [i for kind, i in items if kind == "SALE" and i["vendorItemId"] == vid]
        back = [i for kind, i in items if kind == "REFUND" and i["vendorItemId"] == vid]
        assert sum(i["quantity"] for i in sold) == shipped[vid]
        assert sum(i["quantity"] for i in back) == wanted.get(vid, 0) <= shipped[vid]
    for kind, item in items:
        sign = 1 if kind == "SALE" else -1
        assert item["salePrice"] == sign * prices[item["vendorItemId"]] * item["quantity"]
        assert (item["serviceFee"], item["serviceFeeVat"]) == _fee(item["saleAmount"], str(ratio))
        assert item["settlementAmount"] == item["saleAmount"] - item["serviceFee"] - item["serviceFeeVat"]
    for row in rows:
        fee = row["deliveryFee"]
        assert fee["amount"] == fee["baseAmount"] + fee["remoteAmount"]
        assert fee["settlementAmount"] == fee["amount"] - fee["fee"] - fee["feeVat"]

    # no refund exceeds what was paid: per receipt, and per option over every receipt of the order
    with books.services.store.transaction(books.vendor_id) as tx:
        mine = receipts.of_order(tx, order_id)
        for receipt in mine:
            assert receipt["receiptStatus"] == receipts.RETURNS_COMPLETED and receipt.get("refundedAt")
            if receipt.get("refundAmount") is not None:
                assert 0 <= receipt["refundAmount"] <= returns.paid_for(tx, receipt)
    refunded_units: dict[int, int] = {}
    for receipt in mine:
        for unit in receipt["returnItems"]:
            refunded_units[unit["vendorItemId"]] = refunded_units.get(unit["vendorItemId"], 0) + unit["cancelCount"]
    for vid, (_price, ordered, cancelled, stopped, returned) in plan.items():
        assert refunded_units.get(vid, 0) == cancelled + stopped + returned <= ordered


# ---------------------------------------------------------------- settlement histories


def test_monthly_payout_sums_the_month_and_is_paid_after_the_15th(books: Books) -> None:
    books.sell((15000, 2), deliveryChargeType="NOT_FREE", deliveryCharge=3000)
    books.sell((5000, 1))
    answer = books.histories("2026-03")
    assert answer.status == 200
    (payout,) = answer.body
    target = 30000 + 3000 + 5000 - (3150 + 315 + 90 + 9 + 525 + 53)
    assert (payout["settlementType"], payout["settlementDate"], payout["status"]) == (
        "MONTHLY",
        "2026-04-15",
        "SUBJECT",
    )
    assert (payout["totalSale"], payout["settlementTargetAmount"]) == (38000, target)
    assert payout["settlementAmount"] == payout["finalAmount"] == target and payout["lastAmount"] == 0
    assert (payout["revenueRecognitionDateFrom"], payout["revenueRecognitionDateTo"]) == ("2026-03-01", "2026-03-31")
    assert payout["bankAccount"] == "123456****"
    books.shop.advance(45 * DAY)
    assert books.histories("2026-03").body[0]["status"] == "DONE"


def test_weekly_payouts_hold_30_percent_until_the_reserve(books: Books) -> None:
    books.profile(settlementType="WEEKLY", bankAccount="9876543210", bankName="신한은행")
    books.sell((100000, 1))
    books.shop.advance(7 * DAY)
    books.sell((50000, 1))
    week1, week2, reserve = books.histories("2026-03").body
    assert [p["settlementType"] for p in (week1, week2, reserve)] == ["WEEKLY", "WEEKLY", "RESERVE"]
    assert (week1["revenueRecognitionDateFrom"], week1["revenueRecognitionDateTo"]) == ("2026-03-02", "2026-03-08")
    assert (week2["revenueRecognitionDateFrom"], week2["revenueRecognitionDateTo"]) == ("2026-03-09", "2026-03-15")
    for week in (week1, week2):
        target = week["settlementTargetAmount"]
        assert week["settlementAmount"] == int(Decimal(target * 7) / 10 + Decimal("0.5"))
        assert week["lastAmount"] == target - week["settlementAmount"]
        assert week["finalAmount"] == week["settlementAmount"]
    assert reserve["pendingReleasedAmount"] == week1["lastAmount"] + week2["lastAmount"] == reserve["finalAmount"]
    assert (reserve["settlementDate"], reserve["bankAccount"], reserve["bankName"]) == (
        "2026-05-01",
        "987654****",
        "신한은행",
    )


def test_refund_heavy_week_carries_its_debt_to_the_next_payout(books: Books) -> None:
    books.profile(settlementType="WEEKLY")
    order_id, (vid,) = books.sell((80000, 1))
    books.shop.advance(7 * DAY)
    books.give_back(order_id, {vid: 1})
    books.sell((10000, 1))
    week1, week2, reserve = books.histories("2026-03").body
    assert week2["settlementTargetAmount"] < 0 and week2["finalAmount"] == 0
    assert week2["debtOfLastWeek"] == 0 and week1["debtOfLastWeek"] == 0
    assert reserve["debtOfLastWeek"] == -week2["settlementTargetAmount"]
    assert reserve["finalAmount"] == max(reserve["pendingReleasedAmount"] + week2["settlementTargetAmount"], 0)


def test_month_without_revenue_is_an_empty_array(books: Books) -> None:
    answer = books.histories("2026-02")
    assert (answer.status, answer.body) == (200, [])


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-3", stl.MONTH_FORMAT_ERROR),
        ("2026-13", stl.MONTH_FORMAT_ERROR),
        ("202603", stl.MONTH_FORMAT_ERROR),
        ("2026-04", stl.FUTURE_MONTH_ERROR),
        (None, "Required String parameter 'revenueRecognitionYearMonth' is not present"),
    ],
)
def test_history_refusals_are_verbatim(books: Books, month: str | None, message: str) -> None:
    answer = books.histories(month)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})


@pytest.mark.parametrize(
    ("changes", "status"),
    [({"settlementType": "DAILY"}, 400), ({"serviceFeeRatio": 120}, 400), ({"foo": 1}, 400), ({"bankName": 1}, 400)],
)
def test_profile_refusals(books: Books, changes: dict[str, Any], status: int) -> None:
    assert books.profile(**changes).status == status


# ---------------------------------------------------------------- responses against the spec


def _schema(operation_id: str, status: int) -> dict[str, Any]:
    response = spec.deref(DOCUMENT, OPERATIONS[operation_id].raw["responses"][str(status)])
    return next(media["schema"] for kind, media in response["content"].items() if "json" in kind)


def test_both_operations_answer_their_schema(books: Books) -> None:
    books.profile(settlementType="WEEKLY")
    order_id, (vid,) = books.sell((12000, 2), deliveryChargeType="NOT_FREE", deliveryCharge=2500)
    books.give_back(order_id, {vid: 1}, reason="CHANGEMIND")
    books.shop.advance(DAY)
    answers = {
        "getRevenueHistory": [books.revenue(), books.revenue(token="zz")],
        "getSettlementHistories": [books.histories("2026-03"), books.histories("2026-09")],
    }
    assert set(answers) == set(OPERATIONS)
    for operation_id, (good, bad) in answers.items():
        assert good.status == 200 and good.body, (operation_id, good)
        for answer in (good, bad):
            Draft202012Validator(_schema(operation_id, answer.status)).validate(answer.body)


def test_customer_borne_return_fee_is_settled_on_the_refund_row(books: Books) -> None:
    order_id, (vid,) = books.sell((30000, 1))  # free delivery: the customer pays the round trip
    receipt = books.give_back(order_id, {vid: 1}, reason="CHANGEMIND")
    assert receipt["returnShippingCharge"] < 0
    books.shop.advance(DAY)
    _sale, refund = books.all_rows()
    fee = refund["deliveryFee"]
    assert fee["amount"] == fee["baseAmount"] == -receipt["returnShippingCharge"]
    assert (fee["fee"], fee["feeVat"]) == _fee(fee["amount"], "3")
