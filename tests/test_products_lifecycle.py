"""The product approval lifecycle through the HTTP API: every legal edge of PRODUCT_MACHINE, every
illegal (state, event) pair refused with Coupang's text and no state change, updates, deletion,
approval requests, histories, listing (hypothesis paging) and a create → get round-trip property."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server.domains import categories
from coupang_mock.server.domains.products import PRODUCT_MACHINE, STATUS_NAMES
from coupang_mock.server.pytest_plugin import MockHandle
from tests.test_products_support import MARKET, PRODUCTS, VENDOR_ITEMS, Seller, assert_schema, product_body

CODES = {name: code for code, name in STATUS_NAMES.items()}
SAVING_SECONDS = 600
PENDING = "승인 대기중 상품은 수정할 수 없습니다."
SAVING_TEXT = "생성이 진행중인 상품은 수정할 수 없습니다."
DELETED_TEXT = "삭제된 상품은 변경이 불가능합니다."
REQUEST_STATES = '"임시저장", "승인완료", "승인반려", "부분승인완료" 상태의 상품만 승인 요청 가능합니다.'


def _delete_text(product_id: int) -> str:
    return f"업체상품[{product_id}]이 없거나 삭제가 불가능한 상태입니다. 삭제는 '저장중', '임시저장' 상태에서만 가능합니다."


def _locked_text(product_id: int) -> str:
    return f"상품 정보가 등록 또는 수정되고 있습니다. 잠시 후 다시 조회해 주시기 바랍니다. [{product_id}]"


@pytest.fixture
def seller(coupang_mock: MockHandle, coupang_client: Any) -> Seller:
    """A fresh vendor whose reviewer never decides on its own (every decision goes through control)."""
    shop = Seller(coupang_mock.base_url, coupang_client)
    assert shop.policy(decision="MANUAL").status == 200
    return shop


@pytest.fixture
def frozen_seller(server: Any, client: Any) -> Seller:
    """The conftest vendor on a clock frozen at 2026-03-02T10:00 KST (for date filters)."""
    shop = Seller(server.base_url, client)
    assert shop.policy(decision="MANUAL").status == 200
    return shop


CENTERS: dict[tuple[str, str], tuple[int, int]] = {}


class Scene:
    """One two-option product of the 기타 재화 leaf driven into a state through the API."""

    def __init__(self, seller: Seller) -> None:
        self.seller = seller
        key = (seller.base_url, seller.vendor_id)
        if key not in CENTERS:  # one pair of centers per vendor: a second identical one is a duplicate
            CENTERS[key] = seller.centers()
        self.centers = CENTERS[key]
        self.product_id = 0

    def body(self, **changes: Any) -> dict[str, Any]:
        return product_body(self.seller.vendor_id, *self.centers, "기타 재화", 2, **changes)

    def create(self, requested: bool) -> int:
        answer = self.seller.create(self.body(requested=requested))
        assert answer.status == 200, answer
        self.product_id = answer.data
        return self.product_id

    def review(self, decision: str) -> Any:
        return self.seller.review(self.product_id, decision)

    def state(self) -> str:
        """The status code as the product list shows it (works while 임시저장중 too)."""
        query = {"vendorId": self.seller.vendor_id, "sellerProductId": self.product_id}
        rows = self.seller.ok("GET", PRODUCTS, **query)["data"]
        if not rows:
            rows = self.seller.ok("GET", PRODUCTS, status="DELETED", **query)["data"]
        assert len(rows) == 1, rows
        return CODES[rows[0]["statusName"]]

    def vendor_item_ids(self) -> list[int]:
        items = self.seller.ok("GET", f"{PRODUCTS}/{self.product_id}")["data"]["items"]
        return [item["vendorItemId"] for item in items if item["vendorItemId"]]

    def stop_all(self) -> None:
        for vendor_item_id in self.vendor_item_ids():
            self.seller.ok("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/sales/stop")

    def update_body(self) -> dict[str, Any]:
        """What an integrator sends: the product as get-seller-product answers it."""
        answer = self.seller.product(self.product_id)
        if answer.status != 200:  # 임시저장중 cannot be read: the registered body with its id
            return {**self.body(), "sellerProductId": self.product_id}
        return {**answer.data, "requested": False}


def _reach(scene: Scene, state: str) -> None:
    seller = scene.seller
    if state == "SAVING":
        seller.policy(savingSeconds=SAVING_SECONDS)
        scene.create(requested=False)
    elif state in ("SAVED", "DELETED"):
        scene.create(requested=False)
        if state == "DELETED":
            seller.ok("DELETE", f"{PRODUCTS}/{scene.product_id}")
    else:
        scene.create(requested=True)
        decision = {"IN_REVIEW": "START_REVIEW", "APPROVED": "APPROVE", "DENIED": "DENY"}
        decision["PARTIAL_APPROVED"] = "PARTIAL_APPROVE"
        if state in decision:
            assert scene.review(decision[state]).status == 200
    assert scene.state() == state


def _update(scene: Scene) -> Any:
    body = scene.update_body()
    scene.seller.policy(savingSeconds=SAVING_SECONDS)  # keep the product in 임시저장중 to observe the edge
    return scene.seller.call("PUT", PRODUCTS, body)


def _partial(scene: Scene) -> Any:
    body = {"sellerProductId": scene.product_id, "extraInfoMessage": "오후 3시 이전 주문 당일 출고"}
    return scene.seller.call("PUT", f"{PRODUCTS}/{scene.product_id}/partial", body)


def _delete(scene: Scene) -> Any:
    if scene.state() in ("APPROVED", "PARTIAL_APPROVED"):
        scene.stop_all()  # an approved product is deletable once every option is stopped
    return scene.seller.call("DELETE", f"{PRODUCTS}/{scene.product_id}")


def _save_done(scene: Scene) -> Any:
    scene.seller.advance(SAVING_SECONDS)
    return None


TRIGGERS: dict[str, Callable[[Scene], Any]] = {
    "SAVE_DONE": _save_done,
    "REQUEST_APPROVAL": lambda s: s.seller.call("PUT", f"{PRODUCTS}/{s.product_id}/approvals"),
    "START_REVIEW": lambda s: s.review("START_REVIEW"),
    "APPROVE": lambda s: s.review("APPROVE"),
    "PARTIAL_APPROVE": lambda s: s.review("PARTIAL_APPROVE"),
    "DENY": lambda s: s.review("DENY"),
    "UPDATE": _update,
    "PARTIAL_UPDATE": _partial,
    "DELETE": _delete,
}
DECISIONS = ("APPROVE", "PARTIAL_APPROVE", "DENY")


def _expected(state: str, event: str) -> str | None:
    """The state after event, None when refused. The reviewer route decides 승인대기중 products
    directly (it starts the review itself), so a decision from APPROVING passes through IN_REVIEW."""
    if PRODUCT_MACHINE.can(state, event):
        return PRODUCT_MACHINE.table[(state, event)]
    if state == "APPROVING" and event in DECISIONS:
        return PRODUCT_MACHINE.table[("IN_REVIEW", event)]
    return None


def _refusal(state: str, event: str, product_id: int) -> tuple[int, str | None]:
    """Coupang's answer (status, message) for an illegal move; control routes answer 409."""
    if event == "SAVE_DONE":
        return 0, None  # timed: nothing happens
    if event in ("START_REVIEW", *DECISIONS):
        return 409, f"product {product_id} is {state}, not waiting for {event}"
    if event == "REQUEST_APPROVAL":
        return 400, _locked_text(product_id) if state == "SAVING" else REQUEST_STATES
    if event == "DELETE":
        return 400, _delete_text(product_id)
    return 400, {"SAVING": SAVING_TEXT, "DELETED": DELETED_TEXT}.get(state, PENDING)


PAIRS = [(state, event) for state in STATUS_NAMES for event in TRIGGERS]
LEGAL = [pair for pair in PAIRS if _expected(*pair) is not None]
ILLEGAL = [pair for pair in PAIRS if _expected(*pair) is None]


def test_the_pairs_cover_the_whole_table() -> None:
    assert set(PRODUCT_MACHINE.table) <= set(LEGAL)
    assert set(PRODUCT_MACHINE.states) == set(STATUS_NAMES)


@pytest.mark.parametrize(("state", "event"), LEGAL, ids=[f"{s}-{e}" for s, e in LEGAL])
def test_every_legal_edge_through_the_api(seller: Seller, state: str, event: str) -> None:
    scene = Scene(seller)
    _reach(scene, state)
    answer = TRIGGERS[event](scene)
    if answer is not None:
        assert answer.status == 200, answer
    assert scene.state() == _expected(state, event)


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=[f"{s}-{e}" for s, e in ILLEGAL])
def test_every_illegal_move_is_refused_verbatim_and_changes_nothing(seller: Seller, state: str, event: str) -> None:
    scene = Scene(seller)
    _reach(scene, state)
    before = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories", maxPerPage=100)["data"]
    answer = TRIGGERS[event](scene)
    status, message = _refusal(state, event, scene.product_id)
    if status:
        assert (answer.status, answer.message) == (status, message)
        if status == 400:
            assert answer.body["code"] == "ERROR" and answer.body["data"] is None
    assert scene.state() == state
    after = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories", maxPerPage=100)["data"]
    assert after == before


# ---------------------------------------------------------------- approval, histories, vendorItemIds


def test_vendor_item_ids_appear_only_at_approval(seller: Seller) -> None:
    scene = Scene(seller)
    scene.create(requested=True)
    assert scene.vendor_item_ids() == []
    answer = scene.review("APPROVE")
    assert answer.body["status"] == "APPROVED"
    assert answer.body["vendorItemIds"] == scene.vendor_item_ids() and len(answer.body["vendorItemIds"]) == 2


def test_partial_approval_approves_the_chosen_options_only(seller: Seller) -> None:
    scene = Scene(seller)
    scene.create(requested=True)
    items = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"]["items"]
    second = items[1]["sellerProductItemId"]
    answer = seller.review(scene.product_id, "PARTIAL_APPROVE", sellerProductItemIds=[second], reason="옵션1 반려")
    assert answer.status == 200 and answer.body["status"] == "PARTIAL_APPROVED"
    items = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"]["items"]
    assert items[0]["vendorItemId"] is None and items[1]["vendorItemId"] == answer.body["vendorItemIds"][0]
    latest = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories")["data"][0]
    assert (latest["status"], latest["comment"]) == ("부분승인완료", "옵션1 반려")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"decision": "MAYBE"}, 400, "decision must be APPROVE, DENY, PARTIAL_APPROVE or START_REVIEW"),
        (
            {"decision": "APPROVE", "vendorItemIds": "1"},
            400,
            "vendorItemIds / sellerProductItemIds must be a list of integers",
        ),
    ],
)
def test_review_control_refusals(seller: Seller, body: dict[str, Any], status: int, message: str) -> None:
    scene = Scene(seller)
    scene.create(requested=True)
    answer = seller.control("POST", f"/vendors/{seller.vendor_id}/products/{scene.product_id}/review", body)
    assert (answer.status, answer.message) == (status, message)
    assert scene.state() == "APPROVING"
    unknown = seller.control("POST", f"/vendors/{seller.vendor_id}/products/1/review", {"decision": "APPROVE"})
    assert (unknown.status, unknown.message) == (404, "sellerProductId 1 does not exist")


def test_histories_record_every_change_with_reasons(seller: Seller) -> None:
    scene = Scene(seller)
    scene.create(requested=True)
    seller.review(scene.product_id, "DENY", reason="대표이미지 규격 미달")
    seller.ok("PUT", f"{PRODUCTS}/{scene.product_id}/approvals")
    seller.review(scene.product_id, "APPROVE")
    rows = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories", maxPerPage=100)["data"]
    assert [(r["status"], r["comment"]) for r in reversed(rows)] == [
        ("임시저장", "판매자 임시저장"),
        ("승인요청", "판매자 승인요청"),
        ("승인대기중", "승인 관련 정보 생성 중"),
        ("심사중", "상품 심사 중"),
        ("승인반려", "대표이미지 규격 미달"),
        ("승인요청", "판매자 승인요청"),
        ("승인대기중", "승인 관련 정보 생성 중"),
        ("심사중", "상품 심사 중"),
        ("승인완료", "승인 완료"),
    ]
    first = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories", maxPerPage=4)
    assert first["nextToken"] == "2" and len(first["data"]) == 4
    last = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/histories", maxPerPage=4, nextToken=3)
    assert last["nextToken"] == "" and last["data"] == rows[8:]


def test_request_approval_answers_coupangs_message(seller: Seller) -> None:
    scene = Scene(seller)
    product_id = scene.create(requested=False)
    answer = seller.call("PUT", f"{PRODUCTS}/{product_id}/approvals")
    assert answer.body == {
        "code": "SUCCESS",
        "message": f"{product_id} 승인 요청되었습니다. 승인 내용에 문제가 있을 경우 승인 요청이 처리되지 않을 수 있습니다.",
        "data": str(product_id),
    }
    missing = seller.call("PUT", f"{PRODUCTS}/123/approvals")
    assert (missing.status, missing.message) == (400, "상품(123)의 데이터가 없습니다.")


def test_automatic_reviewer_decides_after_the_configured_delay(seller: Seller) -> None:
    seller.policy(decision="PARTIAL_APPROVE", delaySeconds=30)
    scene = Scene(seller)
    scene.create(requested=True)
    seller.advance(29)
    assert scene.state() == "APPROVING"
    seller.advance(1)
    assert scene.state() == "PARTIAL_APPROVED" and len(scene.vendor_item_ids()) == 1


# ---------------------------------------------------------------- full update


def _approved(seller: Seller) -> tuple[Scene, dict[str, Any]]:
    scene = Scene(seller)
    scene.create(requested=True)
    scene.review("APPROVE")
    return scene, scene.update_body()


def test_update_keeps_live_values_adds_an_option_and_needs_reapproval(seller: Seller) -> None:
    scene, body = _approved(seller)
    vendor_item_id = body["items"][0]["vendorItemId"]
    seller.ok("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/prices/15000")
    body["items"][0]["salePrice"] = 99990  # ignored: the vendor-item API owns an approved price
    added = {k: v for k, v in body["items"][1].items() if k not in ("sellerProductItemId", "vendorItemId")}
    added["itemName"] = "옵션3"
    added["attributes"] = [{"attributeTypeName": "수량", "attributeValueName": "3개"}]
    body["items"].append(added)
    body["sellerProductName"] = "수정된 상품명"
    body["requested"] = True
    assert seller.ok("PUT", PRODUCTS, body)["data"] == scene.product_id
    data = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"]
    assert data["statusName"] == "승인대기중" and data["sellerProductName"] == "수정된 상품명"
    assert data["items"][0]["salePrice"] == 15000 and data["items"][2]["vendorItemId"] is None
    scene.review("APPROVE")
    assert len(scene.vendor_item_ids()) == 3


UPDATE_ERRORS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "category",
        lambda b: b.update(displayCategoryCode=categories.leaf_by_name("스킨/토너").code),
        "노출카테고리는 변경할 수 없습니다.",
    ),
    ("bundle", lambda b: b.update(bundleInfo={"bundleType": "AB"}), "bundleInfo 는 변경 불가 합니다."),
    (
        "offer condition",
        lambda b: b["items"][0].update(offerCondition="REFURBISHED"),
        "상품상태(offerCondition)는 변경할 수 없습니다.",
    ),
    ("drop approved", lambda b: b["items"].pop(), "판매중인 상품은 삭제할 수 없습니다."),
    (
        "same names",
        lambda b: b["items"][1].update(itemName=b["items"][0]["itemName"]),
        "중복된 아이템 이름이 존재합니다.",
    ),
    ("dropped attribute", lambda b: b["items"][0].update(attributes=[]), "필수 옵션이(수량) 입력되지 않았습니다"),
    (
        "auto pricing",
        lambda b: b["items"][0].update(autoPricingInfo={"minSalePrice": 1000, "active": True}),
        "autoPricingInfo cannot be modified after product approval",
    ),
    (
        "unknown item",
        lambda b: b["items"][0].update(sellerProductItemId=1),
        "존재하지 않는 아이템입니다. [sellerProductItemId=1]",
    ),
    ("unknown id", lambda b: b.update(sellerProductId=123), "존재하지 않는 등록상품아이디 [123]입니다."),
]


@pytest.mark.parametrize(("case", "change", "message"), UPDATE_ERRORS, ids=[c[0] for c in UPDATE_ERRORS])
def test_update_refusals_are_verbatim_and_change_nothing(
    seller: Seller, case: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    scene, body = _approved(seller)
    before = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"]
    change(body)
    answer = seller.call("PUT", PRODUCTS, body)
    assert (answer.status, answer.message) == (400, message)
    assert seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"] == before


def test_update_of_a_stopped_approved_option_omitted_says_it_cannot_be_deleted(seller: Seller) -> None:
    _scene, body = _approved(seller)
    seller.ok("PUT", f"{VENDOR_ITEMS}/{body['items'][1]['vendorItemId']}/sales/stop")
    body["items"].pop()
    answer = seller.call("PUT", PRODUCTS, body)
    assert answer.message == "vendorItem로 생성된 아이템은 삭제가 불가능합니다."


def test_a_never_approved_option_can_be_dropped(seller: Seller) -> None:
    scene = Scene(seller)
    scene.create(requested=False)
    body = scene.update_body()
    body["items"].pop()
    seller.ok("PUT", PRODUCTS, body)
    assert len(seller.ok("GET", f"{PRODUCTS}/{scene.product_id}")["data"]["items"]) == 1


# ---------------------------------------------------------------- partial update


def test_partial_update_changes_shipping_at_once_and_syncs_vendor_items(seller: Seller) -> None:
    scene, _body = _approved(seller)
    other = seller.return_center(shippingPlaceName="부산 반품센터", **{"placeAddresses.0.returnZipCode": "48058"})
    change = {
        "sellerProductId": scene.product_id,
        "deliveryChargeType": "NOT_FREE",
        "deliveryCharge": 2500,
        "returnCenterCode": str(other),
        "pccNeeded": True,
    }
    seller.ok("PUT", f"{PRODUCTS}/{scene.product_id}/partial", change)
    data = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/partial")["data"]
    assert (data["deliveryChargeType"], data["deliveryCharge"], data["returnCenterCode"]) == (
        "NOT_FREE",
        2500,
        str(other),
    )
    assert data["returnZipCode"] == "48058" and data["pccNeeded"] is True
    assert scene.state() == "APPROVED"


PARTIAL_ERRORS = [
    ("mismatch", {"sellerProductId": 1}, "업체상품아이디를 다시 확인해주세요."),
    ("missing", {}, "업체상품아이디를 반드시 입력해주세요."),
    ("bad center", {"returnCenterCode": "1100999999"}, "올바른 반품지 센터코드를 입력 하세요."),
    (
        "remote courier",
        {"remoteAreaDeliverable": "Y", "deliveryCompanyCode": "HANJIN"},
        "[택배사 코드]를 확인해 주세요.",
    ),
    ("agent buy", {"deliveryMethod": "AGENT_BUY"}, "배송방법을 확인해 주시기 바랍니다."),
]


@pytest.mark.parametrize(("case", "change", "message"), PARTIAL_ERRORS, ids=[c[0] for c in PARTIAL_ERRORS])
def test_partial_update_refusals(seller: Seller, case: str, change: dict[str, Any], message: str) -> None:
    scene = Scene(seller)
    scene.create(requested=False)
    before = seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/partial")["data"]
    body = {"sellerProductId": scene.product_id, **change} if case != "missing" else change
    answer = seller.call("PUT", f"{PRODUCTS}/{scene.product_id}/partial", body)
    assert (answer.status, answer.message) == (400, message)
    assert seller.ok("GET", f"{PRODUCTS}/{scene.product_id}/partial")["data"] == before


def test_partial_update_of_an_unknown_product(seller: Seller) -> None:
    answer = seller.call("PUT", f"{PRODUCTS}/123/partial", {"sellerProductId": 123})
    assert answer.message == "존재하지 않는 등록상품아이디 [123]입니다."


# ---------------------------------------------------------------- delete


def test_delete_needs_every_option_stopped(seller: Seller) -> None:
    scene, body = _approved(seller)
    first, second = (item["vendorItemId"] for item in body["items"])
    seller.ok("PUT", f"{VENDOR_ITEMS}/{first}/sales/stop")
    refused = seller.call("DELETE", f"{PRODUCTS}/{scene.product_id}")
    assert (refused.status, refused.message) == (400, _delete_text(scene.product_id))
    assert scene.state() == "APPROVED"
    seller.ok("PUT", f"{VENDOR_ITEMS}/{second}/sales/stop")
    assert seller.ok("DELETE", f"{PRODUCTS}/{scene.product_id}") == {
        "code": "SUCCESS",
        "message": "삭제되었습니다",
        "data": str(scene.product_id),
    }
    gone = seller.call("PUT", f"{VENDOR_ITEMS}/{first}/sales/resume")
    assert gone.message == f"판매재개에 실패했습니다. [옵션ID[{first}] : 삭제된 상품은 변경이 불가능합니다.]"
    assert seller.ok("GET", f"{PRODUCTS}/inflow-status")["data"]["registeredCount"] == 0


def test_delete_of_an_unknown_product(seller: Seller) -> None:
    answer = seller.call("DELETE", f"{PRODUCTS}/123")
    assert (answer.status, answer.message) == (400, _delete_text(123))


# ---------------------------------------------------------------- listing, time frame, SKU


def test_list_filters(frozen_seller: Seller) -> None:
    seller = frozen_seller
    scene = Scene(seller)
    first = scene.create(requested=False)
    seller.ok("PUT", PRODUCTS, {**scene.update_body(), "sellerProductName": "유기농 현미 10kg", "manufacture": "농협"})
    second = scene.create(requested=True)
    query = {"vendorId": seller.vendor_id}

    def ids(**extra: Any) -> list[int]:
        return [row["sellerProductId"] for row in seller.ok("GET", PRODUCTS, **query, **extra)["data"]]

    assert ids() == [second, first]
    assert ids(sellerProductName="현미") == [first]
    assert ids(manufacture="농협") == [first]
    assert ids(status="APPROVING") == [second]
    assert ids(sellerProductId=first) == [first]
    assert ids(createdAt="2026-03-02") == [second, first]
    assert ids(createdAt="2026-03-01") == []
    bad = seller.call("GET", PRODUCTS, createdAt="2026/03/02", **query)
    assert (bad.status, bad.message) == (400, "Format of createdAt is yyyy-MM-dd")
    missing = seller.call("GET", PRODUCTS)
    assert missing.body == {"code": "ERROR", "message": "업체코드는 반드시 입력되어야 합니다.", "data": None}


@pytest.mark.parametrize(
    ("start", "end", "found"),
    [
        ("2026-03-02T09:55:00", "2026-03-02T10:05:00", True),
        ("2026-03-02T10:00:00", "2026-03-02T10:10:00", True),
        ("2026-03-02T10:00:01", "2026-03-02T10:10:00", False),
        ("2026-03-02T09:50:00", "2026-03-02T09:59:59", False),
        ("2026-03-02T10:05:00", "2026-03-02T09:55:00", False),
    ],
)
def test_time_frame_listing(frozen_seller: Seller, start: str, end: str, found: bool) -> None:
    product_id = Scene(frozen_seller).create(requested=False)  # created 2026-03-02T10:00:00 KST
    frame = {"vendorId": frozen_seller.vendor_id, "createdAtFrom": start, "createdAtTo": end}
    rows = frozen_seller.ok("GET", f"{PRODUCTS}/time-frame", **frame)["data"]
    assert [row["sellerProductId"] for row in rows] == ([product_id] if found else [])


def test_time_frame_window_is_at_most_ten_minutes(frozen_seller: Seller) -> None:
    frame = {
        "vendorId": frozen_seller.vendor_id,
        "createdAtFrom": "2026-03-02T09:50:00",
        "createdAtTo": "2026-03-02T10:00:01",
    }
    answer = frozen_seller.call("GET", f"{PRODUCTS}/time-frame", **frame)
    assert (answer.status, answer.message) == (400, "검색 허용 범위를 초과했습니다. 최대 허용 범위는 10분입니다.")


def test_external_sku_summary(seller: Seller) -> None:
    scene = Scene(seller)
    product_id = scene.create(requested=False)
    found = seller.ok("GET", f"{PRODUCTS}/external-vendor-sku-codes/SKU-0002")["data"]
    assert [row["sellerProductId"] for row in found] == [product_id]
    assert seller.ok("GET", f"{PRODUCTS}/external-vendor-sku-codes/NOPE")["data"] == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(0, 12), size=st.integers(1, 5))
def test_paging_lists_every_product_exactly_once(seller: Seller, count: int, size: int) -> None:
    scene = Scene(seller)
    existing = {row["sellerProductId"] for row in _all_pages(seller, 100)}
    created = {scene.create(requested=False) for _ in range(count)}
    seen = _all_pages(seller, size)
    ids = [row["sellerProductId"] for row in seen]
    assert len(ids) == len(set(ids)) and set(ids) == existing | created
    assert ids == sorted(ids, reverse=True)


def _all_pages(seller: Seller, size: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    token: Any = None
    for _ in range(200):
        page = seller.ok("GET", PRODUCTS, vendorId=seller.vendor_id, maxPerPage=size, nextToken=token)
        rows += page["data"]
        assert len(page["data"]) <= size
        if page["nextToken"] == "":
            return rows
        token = page["nextToken"]
    raise AssertionError("paging never ended")


# ---------------------------------------------------------------- every answer matches the spec


def test_answers_validate_against_the_spec(seller: Seller) -> None:
    scene = Scene(seller)
    check = assert_schema
    body = scene.body(requested=False)
    product_id = check("createSellerProduct", seller.create(body)).data
    scene.product_id = product_id
    check("createSellerProduct", seller.create({**body, "displayProductName": "가" * 101}))
    check("getSellerProduct", seller.product(product_id))
    check("getSellerProduct", seller.product(123))
    check("getSellerProductPartial", seller.call("GET", f"{PRODUCTS}/{product_id}/partial"))
    check("getSellerProductPartial", seller.call("GET", f"{PRODUCTS}/123/partial"))
    partial = {"sellerProductId": product_id, "extraInfoMessage": "안내"}
    check("updateSellerProductPartial", seller.call("PUT", f"{PRODUCTS}/{product_id}/partial", partial))
    check("updateSellerProductPartial", seller.call("PUT", f"{PRODUCTS}/{product_id}/partial", {"sellerProductId": 1}))
    check("updateSellerProduct", seller.call("PUT", PRODUCTS, scene.update_body()))
    check("updateSellerProduct", seller.call("PUT", PRODUCTS, {**scene.update_body(), "sellerProductId": 123}))
    check("requestSellerProductApproval", seller.call("PUT", f"{PRODUCTS}/{product_id}/approvals"))
    check("requestSellerProductApproval", seller.call("PUT", f"{PRODUCTS}/{product_id}/approvals"))
    check("listSellerProductStatusHistories", seller.call("GET", f"{PRODUCTS}/{product_id}/histories"))
    check("listSellerProducts", seller.call("GET", PRODUCTS, vendorId=seller.vendor_id, maxPerPage=1))
    check("listSellerProducts", seller.call("GET", PRODUCTS, vendorId=seller.vendor_id, createdAt="x"))
    frame = {"vendorId": seller.vendor_id, "createdAtFrom": "2026-03-02T10:00:00", "createdAtTo": "2026-03-02T10:05:00"}
    check("listSellerProductsTimeFrame", seller.call("GET", f"{PRODUCTS}/time-frame", **frame))
    check(
        "listSellerProductsTimeFrame",
        seller.call("GET", f"{PRODUCTS}/time-frame", **{**frame, "createdAtTo": "2026-03-02T11:00:00"}),
    )
    check("getSellerProductsByExternalSku", seller.call("GET", f"{PRODUCTS}/external-vendor-sku-codes/SKU-0001"))
    check("getSellerProductInflowStatus", seller.call("GET", f"{PRODUCTS}/inflow-status"))
    scene.review("APPROVE")
    vendor_item_id = scene.vendor_item_ids()[0]
    check("getSellerProduct", seller.product(product_id))
    for operation_id, path in (
        ("getVendorItemInventory", "inventories"),
        ("updateVendorItemQuantity", "quantities/5"),
        ("updateVendorItemPrice", "prices/12000"),
        ("updateVendorItemOriginalPrice", "original-prices/15000"),
        ("stopVendorItemSales", "sales/stop"),
        ("resumeVendorItemSales", "sales/resume"),
    ):
        method = "GET" if path == "inventories" else "PUT"
        check(operation_id, seller.call(method, f"{VENDOR_ITEMS}/{vendor_item_id}/{path}"))
        check(operation_id, seller.call(method, f"{VENDOR_ITEMS}/123/{path}"))
    for operation_id, path in (
        ("optInAutoGeneratedOptionVendorItem", f"{VENDOR_ITEMS}/{vendor_item_id}/auto-generated/opt-in"),
        ("optOutAutoGeneratedOptionVendorItem", f"{VENDOR_ITEMS}/{vendor_item_id}/auto-generated/opt-out"),
        ("optOutAutoGeneratedOptionVendorItem", f"{VENDOR_ITEMS}/123/auto-generated/opt-out"),
        ("optInAutoGeneratedOptionSeller", f"{MARKET}/seller/auto-generated/opt-in"),
        ("optOutAutoGeneratedOptionSeller", f"{MARKET}/seller/auto-generated/opt-out"),
    ):
        check(operation_id, seller.call("POST", path))
    for item in scene.vendor_item_ids():
        seller.ok("PUT", f"{VENDOR_ITEMS}/{item}/sales/stop")
    check("deleteSellerProduct", seller.call("DELETE", f"{PRODUCTS}/{product_id}"))
    check("deleteSellerProduct", seller.call("DELETE", f"{PRODUCTS}/{product_id}"))


def test_an_approved_single_option_product_cannot_get_more_options(seller: Seller) -> None:
    quick = seller.quick({})
    body = {**seller.ok("GET", f"{PRODUCTS}/{quick['sellerProductId']}")["data"], "requested": False}
    added = {k: v for k, v in body["items"][0].items() if k not in ("sellerProductItemId", "vendorItemId")}
    body["items"].append(
        {**added, "itemName": "옵션 2", "attributes": [{"attributeTypeName": "수량", "attributeValueName": "2개"}]}
    )
    answer = seller.call("PUT", PRODUCTS, body)
    assert (answer.status, answer.message) == (400, "단일상품으로 등록된 상품에는 옵션을 추가할 수 없습니다.")
    assert len(seller.ok("GET", f"{PRODUCTS}/{quick['sellerProductId']}")["data"]["items"]) == 1
