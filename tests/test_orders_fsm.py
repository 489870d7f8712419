"""The shipment-box lifecycle: every edge of BOX_MACHINE through the HTTP API, every illegal move
refused with Coupang's answer and no state change, and a hypothesis state machine over buyer,
courier and seller actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.server.app import create_app
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import MockServices
from coupang_mock.server.domains import fsm, orders, timefmt
from coupang_mock.server.server import start_in_thread
from coupang_mock.server.settings import Settings
from tests.conftest import START
from tests.test_orders_support import Shop

DAY = 86400
SOURCE_RECIPES: dict[str, Callable[[Shop, int], None]] = {
    "ACCEPT": lambda shop, box: None,
    "INSTRUCT": lambda shop, box: _ok(shop.ack(box)),
    "DEPARTURE": lambda shop, box: (shop.ack(box), _ok(shop.ship(box))),
    "DELIVERING": lambda shop, box: (shop.ack(box), shop.ship(box), shop.track(box, "PICKED_UP")),
    "FINAL_DELIVERY": lambda shop, box: (shop.ack(box), shop.ship(box), shop.track(box, "DELIVERED")),
    "NONE_TRACKING": lambda shop, box: (shop.ack(box), _ok(shop.ship(box, code="DIRECT", number="1"))),
}


def _ok(answer: Any) -> Any:
    assert answer.status == 200 and answer.data.get("responseCode", 0) == 0, answer
    return answer


class Scene:
    """One box with two different items (a ×2, b ×1) of one order, driven into a state."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.a, self.b = shop.items({}, {})
        placed = shop.order((self.a, 2), (self.b, 1))
        self.order_id = placed["orderId"]
        self.box = placed["shipmentBoxIds"][0]

    def line(self, vid: int) -> dict[str, Any]:
        return self.shop.invoice_line({"shipmentBoxId": self.box, "orderId": self.order_id}, vid)


def _trigger(scene: Scene, source: str, event: str) -> None:
    shop, box = scene.shop, scene.box
    instruct = source == "INSTRUCT"
    actions: dict[str, Callable[[], Any]] = {
        "acknowledge": lambda: _ok(shop.ack(box)),
        "changeAddress": lambda: shop.ok(
            "POST", f"/vendors/{shop.vendor_id}/orders/{scene.order_id}/address", {"receiver": {"addr2": "9층"}}
        ),
        "cancelPart": lambda: (
            shop.seller_cancel(scene.order_id, (scene.a, 1))
            if instruct
            else shop.buyer_cancel(scene.order_id, (scene.a, 1))
        ),
        "cancelAll": lambda: (
            shop.seller_cancel(scene.order_id, (scene.a, 2), (scene.b, 1))
            if instruct
            else shop.buyer_cancel(scene.order_id)
        ),
        "uploadInvoice": lambda: _ok(shop.ship(box)),
        "uploadInvoiceDirect": lambda: _ok(shop.ship(box, code="DIRECT", number="77")),
        "splitShip": lambda: _ok(
            shop.upload(
                {**scene.line(scene.a), "splitShipping": True, "invoiceNumber": "1234567890"},
                {
                    **scene.line(scene.b),
                    "splitShipping": True,
                    "invoiceNumber": "",
                    "estimatedShippingDate": "2026-03-09",
                },
            )
        ),
        "requestStop": lambda: shop.buyer_cancel(scene.order_id, (scene.a, 1)),
        "alreadyShipped": lambda: shop.already_shipped(
            shop.buyer_cancel(scene.order_id).body["receipts"][0]["receiptId"]
        ),
        "pickedUp": lambda: shop.track(box, "PICKED_UP"),
        "delivered": lambda: shop.track(box, "DELIVERED"),
        "completeLongTerm": lambda: (shop.advance(31 * DAY), shop.long_term(box, shop.box(box).data["invoiceNumber"])),
        "purchaseConfirm": lambda: shop.ok("POST", f"/vendors/{shop.vendor_id}/orders/{scene.order_id}/confirm"),
        "updateInvoice": lambda: _ok(shop.ship(box, code="HANJIN", number="310000010634", update=True)),
        "updateInvoiceDirect": lambda: _ok(shop.ship(box, code="DIRECT", number="88", update=True)),
    }
    actions[event]()


def _count(source: str, event: str, target: str) -> int:
    edges = fsm.transition_coverage()["shipment-box"]["edges"]
    return next(e["count"] for e in edges if (e["from"], e["event"], e["to"]) == (source, event, target))


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


@pytest.mark.parametrize(("source", "event", "target"), sorted(orders.BOX_MACHINE.edges()))
def test_every_legal_edge_through_the_api(shop: Shop, source: str, event: str, target: str) -> None:
    scene = Scene(shop)
    SOURCE_RECIPES[source](shop, scene.box)
    assert shop.status(scene.box) == source
    before = _count(source, event, target)
    _trigger(scene, source, event)
    assert _count(source, event, target) > before
    assert shop.status(scene.box) == (None if target == "CANCELED" else target)


# illegal moves: the seller/buyer/courier action, the events that could carry it, how it is refused
Probe = tuple[tuple[str, ...], Callable[[Scene], Any], Callable[[Scene, str, Any], None]]
ILLEGAL: dict[str, Probe] = {}


def _refused_ack(scene: Scene, state: str, answer: Any) -> None:
    assert answer.status == 200 and answer.data["responseCode"] == 99
    assert answer.data["responseList"][0]["resultMessage"] == "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요."
    # the FAQ's "OK Failed shipmentBoxIds" names boxes already INSTRUCT or DEPARTURE
    already = state in ("INSTRUCT", "DEPARTURE")
    assert answer.body["message"] == (f"OK Failed shipmentBoxIds: [{scene.box}]" if already else "OK")


def _refused_invoice(scene: Scene, _state: str, answer: Any) -> None:
    assert answer.status == 200 and answer.data["responseCode"] == 99
    result = answer.data["responseList"][0]
    assert (result["resultCode"], result["succeed"]) == ("INVALID_STATUS", False)
    assert (
        result["resultMessage"]
        == f"배송진행상태가 유효하지 않습니다. [합포장번호 : {scene.box}] [주문번호 : {scene.order_id}]"
    )


def _refused_long_term(scene: Scene, state: str, answer: Any) -> None:
    assert (answer.status, answer.body["message"]) == (400, f"배송완료 처리 실패. 배송상태: {state}")


def _refused_cancel(scene: Scene, _state: str, answer: Any) -> None:
    assert (answer.status, answer.body["message"]) == (400, "해당 벤더아이템이 결제완료/상품지시 중 상태가 아닙니다.")


def _refused_control(scene: Scene, _state: str, answer: Any) -> None:
    """Buyer and courier simulation routes (ours, not Coupang's) refuse with 409 and say why."""
    assert answer.status == 409 and answer.body["message"], answer


def _split_request(scene: Scene) -> Any:
    return scene.shop.upload(
        {**scene.line(scene.a), "splitShipping": True, "invoiceNumber": "223456789012"},
        {**scene.line(scene.b), "splitShipping": True, "invoiceNumber": "323456789012"},
    )


ILLEGAL.update(
    {
        "acknowledge": (("acknowledge",), lambda s: s.shop.ack(s.box), _refused_ack),
        "uploadInvoice": (("uploadInvoice",), lambda s: s.shop.ship(s.box, number="987654321098"), _refused_invoice),
        "uploadInvoiceDirect": (
            ("uploadInvoiceDirect",),
            lambda s: s.shop.ship(s.box, code="DIRECT", number="55"),
            _refused_invoice,
        ),
        "splitShip": (("splitShip",), _split_request, _refused_invoice),
        "updateInvoice": (
            ("updateInvoice",),
            lambda s: s.shop.ship(s.box, number="987654321098", update=True),
            _refused_invoice,
        ),
        "updateInvoiceDirect": (
            ("updateInvoiceDirect",),
            lambda s: s.shop.ship(s.box, code="DIRECT", number="66", update=True),
            _refused_invoice,
        ),
        "completeLongTerm": (("completeLongTerm",), lambda s: s.shop.long_term(s.box, "1"), _refused_long_term),
        "sellerCancelAll": (
            ("cancelAll",),
            lambda s: s.shop.seller_cancel(s.order_id, (s.a, 2), (s.b, 1)),
            _refused_cancel,
        ),
        "sellerCancelPart": (("cancelPart",), lambda s: s.shop.seller_cancel(s.order_id, (s.a, 1)), _refused_cancel),
        "buyerCancel": (
            ("cancelPart", "cancelAll", "requestStop"),
            lambda s: s.shop.buyer_cancel(s.order_id, (s.a, 1)),
            _refused_control,
        ),
        "pickedUp": (("pickedUp",), lambda s: s.shop.track(s.box, "PICKED_UP"), _refused_control),
        "delivered": (("delivered",), lambda s: s.shop.track(s.box, "DELIVERED"), _refused_control),
        "changeAddress": (
            ("changeAddress",),
            lambda s: s.shop.control(
                "POST", f"/vendors/{s.shop.vendor_id}/orders/{s.order_id}/address", {"receiver": {"addr2": "x"}}
            ),
            _refused_control,
        ),
        "purchaseConfirm": (
            ("purchaseConfirm",),
            lambda s: s.shop.control("POST", f"/vendors/{s.shop.vendor_id}/orders/{s.order_id}/confirm"),
            _refused_control,
        ),
    }
)
# Events no API call can attempt outside their legal source state, with the reason.
UNREACHABLE = {
    "alreadyShipped": "needs an open stop-shipment receipt, which exists only while its box is INSTRUCT and "
    "blocks every invoice of that box (ORDER_DELIVERY_PARTIAL_STOP_REQUESTED)",
}
ILLEGAL_CASES = [
    (state, action)
    for state in orders.WIRE_STATUSES
    for action, (events, _do, _check) in ILLEGAL.items()
    if not any(orders.BOX_MACHINE.can(state, event) for event in events)
]


def test_every_event_of_the_table_has_an_illegal_probe() -> None:
    """A new event in BOX_MACHINE must get a refusal probe (or a documented reason it has none)."""
    events = {event for _source, event, _target in orders.BOX_MACHINE.edges()}
    probed = {event for events_, _do, _check in ILLEGAL.values() for event in events_}
    assert events - probed == set(UNREACHABLE)
    assert probed <= events


def test_every_state_refuses_something() -> None:
    refused_in = {state for state, _action in ILLEGAL_CASES}
    assert refused_in == set(orders.WIRE_STATUSES)


@pytest.mark.parametrize(("state", "action"), ILLEGAL_CASES)
def test_every_illegal_move_is_refused_and_changes_nothing(shop: Shop, state: str, action: str) -> None:
    scene = Scene(shop)
    SOURCE_RECIPES[state](shop, scene.box)
    before = shop.box(scene.box).data
    history = shop.history(scene.box).data
    _events, do, check = ILLEGAL[action]
    check(scene, state, do(scene))
    assert shop.box(scene.box).data == before
    assert shop.history(scene.box).data == history


def test_the_table_matches_the_catalogue() -> None:
    table = orders.BOX_MACHINE
    assert set(table.states) == {*orders.WIRE_STATUSES, "CANCELED"}
    assert table.next("ACCEPT", "acknowledge") == "INSTRUCT"
    assert table.next("INSTRUCT", "uploadInvoiceDirect") == "NONE_TRACKING"
    assert all(table.next(state, "updateInvoice") == "DEPARTURE" for state in orders.SHIPPED)
    assert not table.can("DEPARTURE", "acknowledge") and not table.can("FINAL_DELIVERY", "pickedUp")


# ---------------------------------------------------------------- hypothesis: buyer, courier, seller

RANK = {
    "ACCEPT": 0,
    "INSTRUCT": 1,
    "DEPARTURE": 2,
    "NONE_TRACKING": 2,
    "DELIVERING": 3,
    "FINAL_DELIVERY": 4,
    "CANCELED": 5,
}
STOCK = 6


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[Any, MockServices]]:
    services = MockServices(Settings(throttle_enabled=False), clock=TestClock(frozen_at=START))
    server = start_in_thread(create_app(services=services))
    yield server, services
    server.stop()


class OrderLife(RuleBasedStateMachine):
    """Random buyers, couriers, a seller and the passing of time on one vendor (automatic courier
    progression on); the invariants hold after every step."""

    server: Any = None
    services: MockServices | None = None

    def __init__(self) -> None:
        super().__init__()
        base = self.server.base_url
        vendor = requests.post(f"{base}/_mock/vendors", json={}, timeout=30).json()
        client = CoupangClient(
            vendor["accessKey"],
            vendor["secretKey"],
            vendor["vendorId"],
            base_url=base,
            retry=RetryPolicy(max_retries=0),
        )
        self.shop = Shop(base, client)
        self.items = self.shop.items(
            {"quantity": STOCK, "outboundShippingPlaceCode": 1}, {"quantity": STOCK, "outboundShippingPlaceCode": 1}
        )
        self.shop.policy(courierAuto=True)
        self.orders: list[int] = []
        self.receipts: list[tuple[int, int]] = []  # open stop-shipment requests (receiptId, count)
        self.seen: dict[int, str] = {}
        self.rewound: set[int] = set()  # boxes an invoice update sent back to DEPARTURE in this step

    def _boxes(self) -> list[dict[str, Any]]:
        with self.services.store.transaction(self.shop.vendor_id) as tx:
            return [box for _key, box in tx.items("boxes")]

    def _box_ids(self) -> list[int]:
        return sorted(box["shipmentBoxId"] for box in self._boxes())

    def _pick(self, pick: int, statuses: tuple[str, ...] | None = None) -> dict[str, Any] | None:
        boxes = sorted(
            (box for box in self._boxes() if statuses is None or box["status"] in statuses),
            key=lambda box: box["shipmentBoxId"],
        )
        return boxes[pick % len(boxes)] if boxes else None

    def _unchanged_unless(self, box_id: int, succeeded: bool, before: Any) -> None:
        """A refused seller call leaves the order sheet as it was."""
        if not succeeded:
            assert self.shop.box(box_id).body == before

    @rule(first=st.integers(0, 3), second=st.integers(0, 3))
    def buyer_orders(self, first: int, second: int) -> None:
        lines = [(vid, qty) for vid, qty in zip(self.items, (first, second), strict=True) if qty]
        if not lines:
            return
        answer = self.shop.control(
            "POST",
            f"/vendors/{self.shop.vendor_id}/orders",
            {"items": [{"vendorItemId": v, "quantity": q} for v, q in lines]},
        )
        stock = {vid: self.shop.stock(self.services, vid) for vid in self.items}
        if answer.status == 201:
            self.orders.append(answer.body["orderId"])
        else:
            assert answer.status == 400 and any(qty > stock[vid] for vid, qty in lines)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50))
    def seller_acknowledges(self, pick: int) -> None:
        box_ids = self._box_ids()
        box_id = box_ids[pick % len(box_ids)]
        before = self.shop.box(box_id).body
        answer = self.shop.ack(box_id)
        self._unchanged_unless(box_id, answer.data["responseCode"] == 0, before)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50), direct=st.booleans())
    def seller_ships(self, pick: int, direct: bool) -> None:
        box = self._pick(pick, tuple(orders.WIRE_STATUSES))
        if box:
            before = self.shop.box(box["shipmentBoxId"]).body
            answer = self.shop.ship(box["shipmentBoxId"], code="DIRECT" if direct else "CJGLS")
            self._unchanged_unless(box["shipmentBoxId"], answer.data["responseCode"] == 0, before)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50), direct=st.booleans())
    def seller_updates_invoice(self, pick: int, direct: bool) -> None:
        box = self._pick(pick, tuple(orders.WIRE_STATUSES))
        if box:
            box_id = box["shipmentBoxId"]
            before = self.shop.box(box_id).body
            answer = self.shop.ship(box_id, code="DIRECT" if direct else "CJGLS", update=True)
            succeeded = answer.data["responseCode"] == 0
            self._unchanged_unless(box_id, succeeded, before)
            assert succeeded == (box["status"] in orders.SHIPPED)
            if succeeded:
                self.rewound.add(box_id)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50))
    def seller_completes_long_term(self, pick: int) -> None:
        box = self._pick(pick, tuple(orders.WIRE_STATUSES))
        if box:
            box_id = box["shipmentBoxId"]
            before = self.shop.box(box_id).body
            answer = self.shop.long_term(box_id, box["invoiceNumber"] or "1")
            if answer.status != 200:
                assert answer.body["message"] == f"배송완료 처리 실패. 배송상태: {before['data']['status']}"
            self._unchanged_unless(box_id, answer.status == 200, before)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50), event=st.sampled_from(["PICKED_UP", "DELIVERED"]))
    def courier_scans(self, pick: int, event: str) -> None:
        box_ids = self._box_ids()
        self.shop.track(box_ids[pick % len(box_ids)], event)

    @rule(seconds=st.sampled_from([600, 6 * 3600, DAY, 8 * DAY]))
    def time_passes(self, seconds: int) -> None:
        self.shop.advance(seconds)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50), whole=st.booleans())
    def buyer_cancels(self, pick: int, whole: bool) -> None:
        order_id = self.orders[pick % len(self.orders)]
        lines = () if whole else ((self.items[pick % 2], 1),)
        answer = self.shop.buyer_cancel(order_id, *lines)
        if answer.status == 200:
            self.receipts += [
                (r["receiptId"], r["cancelCountSum"])
                for r in answer.body["receipts"]
                if r["receiptStatus"] == "RELEASE_STOP_UNCHECKED"
            ]

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50))
    def buyer_changes_address(self, pick: int) -> None:
        order_id = self.orders[pick % len(self.orders)]
        path = f"/vendors/{self.shop.vendor_id}/orders/{order_id}/address"
        answer = self.shop.control("POST", path, {"receiver": {"addr2": f"{pick}층"}})
        assert answer.status in (200, 409), answer
        for box_id in answer.body.get("shipmentBoxIds", []):
            assert self.shop.box(box_id).data["receiver"]["addr2"] == f"{pick}층"

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50))
    def buyer_confirms(self, pick: int) -> None:
        order_id = self.orders[pick % len(self.orders)]
        answer = self.shop.control("POST", f"/vendors/{self.shop.vendor_id}/orders/{order_id}/confirm")
        assert answer.status in (200, 409), answer

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 50))
    def seller_cancels_one(self, pick: int) -> None:
        order_id = self.orders[pick % len(self.orders)]
        self.shop.seller_cancel(order_id, (self.items[pick % 2], 1))

    @precondition(lambda self: self.receipts)
    @rule(pick=st.integers(0, 50), stop=st.booleans())
    def seller_answers_stop_request(self, pick: int, stop: bool) -> None:
        receipt_id, count = self.receipts.pop(pick % len(self.receipts))
        if stop:
            self.shop.stop_shipment(receipt_id, count)
        else:
            self.shop.already_shipped(receipt_id)

    @invariant()
    def stock_is_conserved_and_never_negative(self) -> None:
        in_boxes = dict.fromkeys(self.items, 0)
        for box in self._boxes():
            for line in box["orderItems"]:
                in_boxes[line["vendorItemId"]] += line["shippingCount"] - line["cancelCount"]
        for vid in self.items:
            on_shelf = self.shop.stock(self.services, vid)
            assert on_shelf >= 0 and on_shelf + in_boxes[vid] == STOCK

    @invariant()
    def statuses_only_move_forward(self) -> None:
        """Backwards only through the documented invoice update (DELIVERING/FINAL_DELIVERY → DEPARTURE)."""
        for box in self._boxes():
            box_id = box["shipmentBoxId"]
            status, previous = box["status"], self.seen.get(box_id, "ACCEPT")
            if box_id in self.rewound:
                assert status in ("DEPARTURE", "NONE_TRACKING"), (previous, status)
            else:
                assert status in RANK and RANK[status] >= RANK[previous], (previous, status)
            self.seen[box_id] = status
        self.rewound.clear()

    def _windows(self) -> list[tuple[str, str]]:
        """Daily-mode windows (≤ 31 days each, disjoint) covering every box's creation day."""
        days = [timefmt.to_kst(timefmt.parse_iso(box["createdAt"])).date() for box in self._boxes()]
        if not days:
            return []
        first, last, windows = min(days), max(days), []
        while first <= last:
            windows.append((first.isoformat(), (first + timedelta(days=30)).isoformat()))
            first += timedelta(days=31)
        return windows

    @invariant()
    def lists_agree_with_get_by_id_and_page_every_box_once(self) -> None:
        listed: dict[int, str] = {}
        for status in orders.WIRE_STATUSES:
            for created_from, created_to in self._windows():
                token = ""
                while True:
                    extra = {"maxPerPage": 2, **({"nextToken": token} if token else {})}
                    answer = self.shop.listing(status, created_from, created_to, **extra)
                    assert answer.status == 200
                    for sheet in answer.data:
                        assert sheet["shipmentBoxId"] not in listed  # each box once, in exactly one status
                        assert sheet["status"] == status
                        listed[sheet["shipmentBoxId"]] = status
                    token = answer.body["nextToken"]
                    if not token:
                        break
        readable = {box["shipmentBoxId"] for box in self._boxes() if box["status"] != "CANCELED"}
        assert set(listed) == readable
        for box_id, status in listed.items():
            assert self.shop.status(box_id) == status


def test_order_life_state_machine(running: tuple[Any, MockServices]) -> None:
    OrderLife.server, OrderLife.services = running
    run_state_machine_as_test(
        OrderLife,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
