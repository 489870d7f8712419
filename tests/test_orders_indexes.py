"""Orders, returns, exchanges and settlement on indexed queries (issue 13): request paths never iterate a
kind, reads do not grow with stored data, pages are exact; and the order line's productId (issue 17)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coupang_mock.server.api import exchanges as api_exchanges
from coupang_mock.server.api import orders as api_orders
from coupang_mock.server.api import returns as api_returns
from coupang_mock.server.api import settlement as api_settlement
from coupang_mock.server.domains import (
    exchanges,
    inventory,
    order_cancel,
    order_lists,
    order_placing,
    order_timers,
    orders,
    paging,
    receipts,
    returns,
    settlement,
    shipping,
)
from tests.test_orders_support import Shop
from tests.test_products_support import PRODUCTS
from tests.test_settlement import Books

TODAY = "2026-03-02"  # conftest START is 2026-03-02 10:00 KST
DAY = 86400
REQUEST_PATH_MODULES = (
    api_exchanges,
    api_orders,
    api_returns,
    api_settlement,
    exchanges,
    inventory,
    order_cancel,
    order_lists,
    order_placing,
    order_timers,
    orders,
    receipts,
    returns,
    settlement,
    shipping,
)
GUARDED_FILES = {Path(module.__file__ or "").resolve() for module in REQUEST_PATH_MODULES}


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


def _tx_class(services: Any) -> type:
    """The store's transaction class, whatever store implementation the services run on."""
    with services.store.transaction("_probe") as tx:
        return type(tx)


# ---------------------------------------------------------------- paging helpers (pure)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 200), max_size=40, unique=True),
    size=st.integers(1, 7),
    modulus=st.integers(1, 5),
)
def test_cursor_pages_walk_exactly_the_kept_rows(values: list[int], size: int, modulus: int) -> None:
    rows = sorted(values)
    fetches: list[int | None] = []

    def fetch(after: tuple[int, ...] | None, limit: int | None) -> list[int]:
        fetches.append(limit)
        found = [row for row in rows if after is None or (row,) > after]
        return found if limit is None else found[:limit]

    def keep(row: int) -> bool:
        return row % modulus != 0

    seen: list[int] = []
    after: tuple[int, ...] | None = None
    for _ in range(len(rows) + 1):
        page, more = paging.cursor_page(fetch, lambda row: (row,), keep, after, size)
        assert len(page) <= size and all(keep(row) for row in page)
        seen += page
        if not more:
            break
        assert len(page) == size
        after = (page[-1],)
    assert seen == [row for row in rows if keep(row)]
    assert all(limit is not None and limit <= size + 1 for limit in fetches)  # never the whole kind


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.integers(), max_size=30), size=st.integers(1, 8), start=st.integers(0, 40))
def test_indexed_offset_paging_answers_like_list_paging(rows: list[int], size: int, start: int) -> None:
    token = str(start) if start else None
    assert paging.by_token_query(paging.from_list(rows), token, size) == paging.by_token(rows, token, size)
    assert paging.by_page_query(paging.from_list(rows), start + 1, size) == paging.by_page(rows, start + 1, size)


@pytest.mark.parametrize(
    ("stored", "key"),
    [
        ("2026-03-02T01:00:00+00:00", "2026-03-02T01:00:00.000000Z"),
        ("2026-03-02T10:00:00+09:00", "2026-03-02T01:00:00.000000Z"),
        ("2026-03-02T01:00:00.5+00:00", "2026-03-02T01:00:00.500000Z"),
        ("2026-03-02T01:00:00", "2026-03-02T01:00:00.000000Z"),
    ],
)
def test_time_keys_order_like_the_moments_they_stand_for(stored: str, key: str) -> None:
    assert paging.time_key(stored) == key


# ---------------------------------------------------------------- no whole-kind scans on request paths


@pytest.fixture
def scans(services: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every `tx.items(kind)` called from the order / after-sales / settlement modules."""
    tx_class = _tx_class(services)
    original = tx_class.items
    found: list[str] = []

    def guarded(self: Any, kind: str) -> Any:
        caller = Path(sys._getframe(1).f_code.co_filename).resolve()
        if caller in GUARDED_FILES:
            found.append(f"{caller.name}: items({kind!r})")
        return original(self, kind)

    monkeypatch.setattr(tx_class, "items", guarded)
    yield found


def test_order_return_exchange_and_settlement_flows_never_iterate_a_kind(
    shop: Shop, services: Any, scans: list[str]
) -> None:
    books = Books(shop, services)
    shop.policy(courierAuto=True, refundDelaySeconds=60)
    order_id, (vid,) = books.sell((12000, 3), confirm=False)
    books.give_back(order_id, {vid: 1})
    exchange = shop.ok(
        "POST",
        f"/vendors/{shop.vendor_id}/orders/{order_id}/exchanges",
        {"items": [{"vendorItemId": vid, "quantity": 1}], "reasonCode": "DEFECT"},
    )
    assert exchange["exchangeStatus"] == "RECEIPT"
    cancelled = shop.order((vid, 1))
    assert shop.buyer_cancel(cancelled["orderId"]).status == 200
    shipped = shop.order((vid, 1))["shipmentBoxIds"][0]
    shop.ack(shipped)
    assert shop.ship(shipped).status == 200
    for status in orders.WIRE_STATUSES:
        assert shop.listing(status, TODAY, TODAY, maxPerPage=1).status == 200
    shop.advance(10 * DAY)  # courier, refund, auto-confirmation and auto-approval timers all fire
    assert shop.status(shipped) == "FINAL_DELIVERY"
    v6 = shop.v4.replace("/v4/", "/v6/")
    for query in ({"status": "RU"}, {"status": "UC"}, {"status": "CC"}, {"status": "PR"}, {"cancelType": "CANCEL"}):
        answer = shop.call("GET", f"{v6}/returnRequests", {"createdAtFrom": TODAY, "createdAtTo": TODAY, **query})
        assert answer.status == 200 and (bool(answer.data) or query.get("status") != "CC"), (query, answer)
    withdrawn = shop.call("GET", f"{shop.v4}/returnWithdrawRequests", {"dateFrom": TODAY, "dateTo": TODAY})
    assert withdrawn.status == 200
    listed = shop.call(
        "GET",
        f"{shop.v4}/exchangeRequests",
        {"createdAtFrom": f"{TODAY}T00:00:00", "createdAtTo": f"{TODAY}T23:59:59"},
    )
    assert listed.status == 200 and [row["exchangeId"] for row in listed.data] == [exchange["exchangeId"]]
    assert books.revenue(TODAY, "2026-03-11").status == 200
    assert books.histories("2026-03").status == 200
    assert scans == []


# ---------------------------------------------------------------- reads do not grow with stored data


@pytest.fixture
def reads(services: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Documents of the vendor's tenant the store handed out (get / find rows), appended per call. The
    system tenant's runtime state (clock, throttle, journal, coverage) is a few fixed documents per
    request whose first write is itself a read miss, so it is left out."""
    from coupang_mock.server.store import SYSTEM_TENANT

    tx_class = _tx_class(services)
    original_get, original_find = tx_class.get, tx_class.find
    counted: list[int] = []

    def get(self: Any, kind: str, key: Any) -> Any:
        found = original_get(self, kind, key)
        if self.tenant != SYSTEM_TENANT:
            counted.append(0 if found is None else 1)
        return found

    def find(self: Any, kind: str, index: str, **query: Any) -> Any:
        found = original_find(self, kind, index, **query)
        if self.tenant != SYSTEM_TENANT:
            counted.append(len(found))
        return found

    monkeypatch.setattr(tx_class, "get", get)
    monkeypatch.setattr(tx_class, "find", find)
    return counted


def _documents_read(reads: list[int], request: Any) -> int:
    reads.clear()
    request()
    return sum(reads)


def test_a_request_reads_the_same_documents_whatever_the_vendor_stores(shop: Shop, reads: list[int]) -> None:
    (vid,) = shop.items({"quantity": 500})

    def requests(box_id: int) -> dict[str, int]:
        calls = {
            "get one box": lambda: shop.box(box_id),
            "list a page": lambda: shop.listing("ACCEPT", TODAY, TODAY, maxPerPage=3),
            "acknowledge": lambda: shop.ack(box_id),
            "place an order": lambda: shop.order((vid, 1)),
        }
        return {name: _documents_read(reads, call) for name, call in calls.items()}

    # Once before measuring: an operation whose optimistic attempt lost a race (PostgreSQL's read-only
    # attempt of every write) starts as a writer from the next call on, and reads once instead of twice.
    requests(shop.order((vid, 1))["shipmentBoxIds"][0])
    for _ in range(5):
        shop.order((vid, 1))
    few = requests(shop.order((vid, 1))["shipmentBoxIds"][0])
    for _ in range(25):
        shop.order((vid, 1))
    many = requests(shop.order((vid, 1))["shipmentBoxIds"][0])
    assert many == few


# ---------------------------------------------------------------- order-sheet cursor paging


def _walk(shop: Shop, status: str, size: int, between: Any = None) -> list[int]:
    seen: list[int] = []
    token = None
    for _ in range(50):
        answer = shop.listing(status, TODAY, TODAY, maxPerPage=size, **({"nextToken": token} if token else {}))
        assert answer.status == 200, answer
        page = [sheet["shipmentBoxId"] for sheet in answer.data]
        seen += page
        if between:
            between(page)
        token = answer.body["nextToken"]
        if not token:
            return seen
        assert token == str(page[-1])  # the cursor is the last box of the page
    raise AssertionError("paging did not end")


def test_acknowledging_each_page_before_the_next_skips_no_box(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 50})
    boxes = [shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(7)]
    seen = _walk(shop, "ACCEPT", 2, between=lambda page: page and shop.ack(*page))
    assert seen == boxes
    assert _walk(shop, "INSTRUCT", 3) == boxes


def test_rows_hidden_by_the_list_lag_are_skipped_exactly_and_listed_later(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 50})
    visible = [shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(3)]
    shop.policy(listLagSeconds=600)
    hidden = [shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(3)]
    for size in (1, 2, 3, 4):
        assert _walk(shop, "ACCEPT", size) == visible
    last = shop.listing("ACCEPT", TODAY, TODAY, maxPerPage=3)
    assert last.body["nextToken"] == ""  # hidden rows after the page do not announce a next page
    shop.advance(600)
    assert _walk(shop, "ACCEPT", 2) == visible + hidden


@pytest.mark.parametrize("token", ["123", "0", "999999000000000001"])
def test_a_token_that_is_no_box_of_the_vendor_is_refused(shop: Shop, token: str) -> None:
    shop.one_box()
    answer = shop.listing("ACCEPT", TODAY, TODAY, nextToken=token)
    assert (answer.status, answer.body["message"]) == (400, f"Invalid nextToken: {token}")


# ---------------------------------------------------------------- settlement windows


def test_revenue_rows_of_any_window_are_the_rows_of_the_month_dated_in_it(shop: Shop, services: Any) -> None:
    """Including a refund completed before its sale is recognised: it is dated on the sale day, so a window
    that starts after the refund still shows it."""
    books = Books(shop, services)
    early, (early_vid,) = books.sell((20000, 2), confirm=False)  # auto-confirmed 7 days after delivery
    books.give_back(early, {early_vid: 1})
    sold, (sold_vid,) = books.sell((9000, 3))
    shop.advance(2 * DAY)
    books.give_back(sold, {sold_vid: 1})
    shop.advance(9 * DAY)
    first = date.fromisoformat(TODAY)
    days = [first + timedelta(days=n) for n in range(10)]
    with services.store.transaction(shop.vendor_id) as tx:
        now = services.clock.now(shop.vendor_id)
        month = settlement.revenue_rows(tx, now, days[0], days[-1])
        assert {(row["orderId"], row["saleType"], row["recognitionDate"]) for row in month} == {
            (sold, "SALE", "2026-03-02"),
            (sold, "REFUND", "2026-03-04"),
            (early, "SALE", "2026-03-09"),
            (early, "REFUND", "2026-03-09"),
        }
        for start in days:
            for end in days[days.index(start) :]:
                expected = [row for row in month if start.isoformat() <= row["recognitionDate"] <= end.isoformat()]
                assert settlement.revenue_rows(tx, now, start, end) == expected


# ---------------------------------------------------------------- issue 17: productId of order lines


def test_order_lines_carry_the_product_id_the_product_read_shows(shop: Shop) -> None:
    approved = shop.seller.quick({"itemName": "파랑", "quantity": 3}, approve=True)
    product = shop.seller.ok("GET", f"{PRODUCTS}/{approved['sellerProductId']}")["data"]
    assert isinstance(product["productId"], int) and product["productId"] > 0
    (vid,) = approved["vendorItemIds"]
    box_id = shop.order((vid, 1))["shipmentBoxIds"][0]
    for legacy in (False, True):
        (line,) = shop.box(box_id, legacy=legacy).data["orderItems"]
        assert (line["productId"], line["sellerProductId"]) == (product["productId"], approved["sellerProductId"])


def test_items_without_a_registered_product_keep_product_id_zero(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    assert shop.box(box_id).data["orderItems"][0]["productId"] == 0


def test_due_steps_come_from_base_times_so_a_policy_change_needs_no_replan() -> None:
    box = {"status": orders.DEPARTURE, "departureAt": "2026-03-02T01:00:00+00:00", "shipmentBoxId": 1}
    slow = {**orders.DEFAULT_POLICY, "courierAuto": True, "pickupAfterSeconds": 3600}
    fast = {**slow, "pickupAfterSeconds": 60}
    assert order_timers.next_step(box, slow)[1] - order_timers.next_step(box, fast)[1] == timedelta(seconds=3540)
    assert order_timers.next_step(box, {**slow, "courierAuto": False}) is None
