"""Coupons through the signed HTTP API: contracts, budgets, instant coupons (async requests on the test
clock), download coupons; every answer is checked against the operation's declared response schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.server import spec
from coupang_mock.server.app import create_app
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import MockServices
from coupang_mock.server.domains import coupons, inventory
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import Settings
from tests.conftest import START
from tests.test_products_support import Answer, Seller

DOCUMENT = spec.load_copy()
OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT)}
COUPON_OPERATIONS = [op for op in OPERATIONS.values() if op.raw["tags"][0] == "coupons"]
SEEN: set[str] = set()
TOMORROW = "2026-03-03 00:00:00"  # the clock starts 2026-03-02 10:00 KST
DAY = 86400


class Coupons(Seller):
    """A vendor calling coupon operations by operationId; every answer must match the spec."""

    def op(self, operation_id: str, body: Any = None, **params: Any) -> Answer:
        op = OPERATIONS[operation_id]
        names = {p["name"] for p in op.parameters if p.get("in") == "path"}
        path_values = {k: v for k, v in params.items() if k in names}
        query = {k: v for k, v in params.items() if k not in names}
        answer = self.call(op.method, op.path.format(vendorId=self.vendor_id, **path_values), body, **query)
        responses = op.raw["responses"]
        assert str(answer.status) in responses, (operation_id, answer)
        media = spec.deref(DOCUMENT, responses[str(answer.status)])["content"]
        schema = next(m["schema"] for kind, m in media.items() if "json" in kind)
        Draft202012Validator(schema).validate(answer.body)
        if answer.status < 300:
            SEEN.add(operation_id)
        return answer

    def good(self, operation_id: str, body: Any = None, **params: Any) -> Any:
        answer = self.op(operation_id, body, **params)
        assert answer.status == 200, answer
        return answer.body

    # instant coupons -----------------------------------------------------------------------------
    def contracts(self) -> list[dict[str, Any]]:
        return self.good("listCouponContracts")["data"]["content"]

    def contract_id(self, kind: str = "CONTRACT_BASED") -> int:
        return next(c["contractId"] for c in self.contracts() if c["type"] == kind)

    def request_coupon(self, **changes: Any) -> Answer:
        body = {
            "contractId": self.contract_id(),
            "name": "봄맞이 원피스 10% 할인",
            "maxDiscountPrice": 5000,
            "discount": 10,
            "startAt": TOMORROW,
            "endAt": "2026-03-31 23:59:00",
            "type": "RATE",
            "wowExclusive": False,
            **changes,
        }
        return self.op("createInstantCoupon", body)

    def status_of(self, requested_id: str) -> dict[str, Any]:
        return self.good("getInstantCouponRequestStatus", requestedId=requested_id)["data"]["content"]

    def settled(self, requested_id: str) -> dict[str, Any]:
        self.advance(5)
        return self.status_of(requested_id)

    def coupon(self, **changes: Any) -> int:
        answer = self.request_coupon(**changes)
        assert answer.status == 200, answer
        done = self.settled(answer.body["data"]["content"]["requestedId"])
        assert done["status"] == "DONE", done
        return done["couponId"]

    def attach(self, coupon_id: int, *vendor_items: int) -> dict[str, Any]:
        ack = self.good("createInstantCouponItems", {"vendorItems": list(vendor_items)}, couponId=coupon_id)
        return self.settled(ack["data"]["content"]["requestedId"])

    def instant(self, coupon_id: int) -> dict[str, Any]:
        return self.good("getInstantCoupon", couponId=coupon_id)["data"]["content"]

    def items(self, count: int = 1) -> list[int]:
        return self.quick(*({} for _ in range(count)))["vendorItemIds"]

    def budget(self, contract_id: int) -> dict[str, Any]:
        return self.good("getCouponBudgets", contractId=contract_id)["data"]["content"][0]

    # download coupons ----------------------------------------------------------------------------
    def download_body(self, **changes: Any) -> dict[str, Any]:
        policy = {
            "title": "3만원 이상 3천원 할인",
            "typeOfDiscount": "PRICE",
            "description": "3만원 이상 구매 시",
            "minimumPrice": 30000,
            "discount": 3000,
            "maximumDiscountPrice": 3000,
            "maximumPerDaily": 1,
        }
        body = {
            "title": "봄 캠핑용품 다운로드 쿠폰",
            "contractId": self.contract_id(),
            "couponType": "DOWNLOAD",
            "startDate": "2026-03-02 12:00:00",
            "endDate": "2026-03-31 23:59:59",
            "userId": "wing_test_user",
            "policies": [policy],
        }
        for key, value in changes.items():
            if key.startswith("policy_"):
                policy[key[7:]] = value
            else:
                body[key] = value
        return body

    def download(self, **changes: Any) -> int:
        return self.good("createDownloadCoupon", self.download_body(**changes))["couponId"]

    def attach_download(self, coupon_id: Any, *vendor_item_ids: int) -> Answer:
        body = {
            "couponItems": [{"couponId": coupon_id, "userId": "wing_test_user", "vendorItemIds": list(vendor_item_ids)}]
        }
        return self.op("createDownloadCouponItems", body)

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        answer = self.good("getDownloadCouponTransactionStatus", requestTransactionId=transaction_id)
        return answer["transactionStatusResponse"]

    def expire_downloads(self, *coupon_ids: Any) -> Answer:
        entries = [{"couponId": cid, "reason": "expired", "userId": "wing_test_user"} for cid in coupon_ids]
        return self.op("expireDownloadCoupons", {"expireCouponList": entries})


class SharedMock:
    """One in-process mock per test module (frozen at conftest's START); every test gets a fresh vendor,
    whose state and clock are its own, so tests stay isolated without paying a server start each."""

    def __init__(self) -> None:
        self.services = MockServices(Settings(throttle_enabled=False), clock=TestClock(frozen_at=START))
        self.running: RunningServer = start_in_thread(create_app(services=self.services))

    def vendor_client(self) -> CoupangClient:
        created = requests.post(f"{self.running.base_url}/_mock/vendors", json={}, timeout=30).json()
        return CoupangClient(
            created["accessKey"],
            created["secretKey"],
            created["vendorId"],
            base_url=self.running.base_url,
            retry=RetryPolicy(max_retries=0),
        )


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    mock = SharedMock()
    yield mock
    mock.running.stop()


@pytest.fixture
def seller(shared: SharedMock) -> Coupons:
    return Coupons(shared.running.base_url, shared.vendor_client())


def fms_refusal(answer: Answer, status: int, message: str) -> None:
    assert answer.status == status, answer
    assert answer.body["message"] == message
    assert answer.body.get("errorMessage", message) == message


# ---------------------------------------------------------------- contracts and budgets


def test_every_vendor_starts_with_a_free_and_a_budgeted_contract(seller: Coupons) -> None:
    contracts = seller.contracts()
    assert [c["type"] for c in contracts] == ["NON_CONTRACT_BASED", "CONTRACT_BASED"]
    free, based = contracts
    assert free["vendorContractId"] == -1 and free["end"] == "2999-12-31 23:59:59"
    assert based["start"] == "2026-03-01 00:00:00" and based["end"] == "2027-12-31 23:59:59"
    assert all(c["sellerId"] == seller.vendor_id and c["useBudget"] is True for c in contracts)
    one = seller.good("getCouponContract", contractId=based["contractId"])["data"]
    assert one == {"success": True, "content": based, "pagination": None}
    # the legacy free-contract API answers the one existing free contract, however often it is called
    for _ in range(2):
        assert seller.good("createFreeContract")["data"]["content"] == free
    assert len(seller.contracts()) == 2


def test_unknown_contract_is_404_with_coupangs_text(seller: Coupons) -> None:
    fms_refusal(seller.op("getCouponContract", contractId=1), 404, "조회 할 수 없는 계약서 아이디 입니다.")
    missing = seller.call("GET", OPERATIONS["getCouponContract"].path.format(vendorId=seller.vendor_id))
    assert (missing.status, missing.message) == (400, "Required Long parameter 'contractId' is not present")


def test_budgets_of_the_current_month_per_contract(seller: Coupons) -> None:
    free, based = (c["contractId"] for c in seller.contracts())
    every = seller.good("getCouponBudgets")["data"]
    assert [b["contractId"] for b in every["content"]] == [free, based]
    assert every["pagination"]["totalElements"] == 2
    assert seller.budget(based) == {
        "contractId": based,
        "targetMonth": "2026-03",
        "vendorShareRatio": 100,
        "totalBudgetAmount": 1_000_000,
        "usedBudgetAmount": 0,
    }
    assert seller.budget(-1)["contractId"] == free  # -1 names the free contract
    assert seller.good("getCouponBudgets", targetMonth="2027-12")["data"]["content"][1]["targetMonth"] == "2027-12"
    assert seller.good("getCouponBudgets", targetMonth="2028-01", contractId=based)["data"]["content"] == []


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2020", 'Invalid format: "2020" is too short'),
        ("2020-1", 'Invalid format: "2020-1" is too short'),
        ("2020/01", 'Invalid format: "2020/01" is malformed at "/01"'),
        ("2020-13", 'Cannot parse "2020-13": Value 13 for monthOfYear must be in the range [1,12]'),
    ],
)
def test_malformed_target_month_answers_jodas_text(seller: Coupons, month: str, message: str) -> None:
    fms_refusal(seller.op("getCouponBudgets", targetMonth=month), 400, message)


# ---------------------------------------------------------------- instant coupon requests


def test_create_is_requested_then_done_on_the_test_clock(seller: Coupons) -> None:
    ack = seller.request_coupon()
    requested_id = ack.body["data"]["content"]["requestedId"]
    assert ack.body["data"]["content"]["success"] is True and len(requested_id) == 18
    pending = seller.status_of(requested_id)
    assert (pending["status"], pending["couponId"], pending["type"]) == ("REQUESTED", None, "COUPON_PUBLISH")
    seller.advance(2)
    assert seller.status_of(requested_id)["status"] == "REQUESTED"
    done = seller.settled(requested_id)
    assert (done["status"], done["total"], done["succeeded"], done["failed"]) == ("DONE", 1, 1, 0)
    coupon = seller.instant(done["couponId"])
    assert coupon["status"] == "STANDBY" and coupon["promotionName"] == "봄맞이 원피스 10% 할인"
    assert (coupon["startAt"], coupon["endAt"], coupon["discount"]) == (TOMORROW, "2026-03-31 23:59:00", 10)


def test_processing_delay_is_configurable(seller: Coupons) -> None:
    assert (
        seller.control("PUT", f"/vendors/{seller.vendor_id}/coupons/policy", {"requestDelaySeconds": 60}).status == 200
    )
    requested_id = seller.request_coupon().body["data"]["content"]["requestedId"]
    assert seller.settled(requested_id)["status"] == "REQUESTED"
    seller.advance(60)
    assert seller.status_of(requested_id)["status"] == "DONE"


def test_coupon_starts_at_start_at_and_expires_at_end_at(seller: Coupons) -> None:
    coupon_id = seller.coupon(endAt="2026-03-04 23:59:59")
    seller.advance(DAY)  # 2026-03-03 10:00 KST
    assert seller.instant(coupon_id)["status"] == "APPLIED"
    listed = seller.good("listInstantCouponsByStatus", status="APPLIED")["data"]
    assert [c["couponId"] for c in listed["content"]] == [coupon_id]
    seller.advance(2 * DAY)
    assert seller.instant(coupon_id)["status"] == "EXPIRED"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"startAt": "2026/03/03 00:00:00"}, "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"),
        ({"endAt": "2026-03-31"}, "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"),
        (
            {"startAt": "2026-13-05 00:00:00"},
            'Cannot parse "2026-13-05 00:00:00": Value 13 for monthOfYear must be in the range [1,12]',
        ),
        (
            {"endAt": "2026-03-32 00:00:00"},
            'Cannot parse "2026-03-32 00:00:00": Value 32 for dayOfMonth must be in the range [1,31]',
        ),
        (
            {"endAt": "2026-02-30 00:00:00"},
            'Cannot parse "2026-02-30 00:00:00": Value 30 for dayOfMonth must be in the range [1,28]',
        ),
        ({"discount": 0}, "discount 양수만 입력 가능합니다. (정률은 1~100, 정액은 1이상)"),
        ({"discount": 101}, "discount 양수만 입력 가능합니다. (정률은 1~100, 정액은 1이상)"),
        ({"discount": "-5"}, "discount 양수만 입력 가능합니다. (정률은 1~100, 정액은 1이상)"),
        ({"discount": "열"}, "discount 양수만 입력 가능합니다. (정률은 1~100, 정액은 1이상)"),
        ({"maxDiscountPrice": "5"}, coupons.MAX_DISCOUNT),
        ({"startAt": "2026-03-02 23:00:00"}, "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"),
        ({"endAt": "2026-03-03 00:00:00"}, "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"),
        (
            {"endAt": "2028-01-01 00:00:00"},
            "계약의 유효기간 안에 쿠폰이 존재해야 한다(계약서의 유효기간:2026-03-01 00:00:00~2027-12-31 23:59:59) "
            "(쿠폰의 유효기간:2026-03-03 00:00:00~2028-01-01 00:00:00)",
        ),
    ],
)
def test_invalid_coupon_values_are_refused_and_nothing_is_requested(
    seller: Coupons, changes: dict[str, Any], message: str
) -> None:
    fms_refusal(seller.request_coupon(**changes), 400, message)
    seller.advance(5)
    assert seller.good("listInstantCouponsByStatus", status="STANDBY")["data"]["content"] == []


def test_fixed_discounts_accept_amounts_over_100(seller: Coupons) -> None:
    coupon_id = seller.coupon(type="PRICE", discount="3000", maxDiscountPrice="3000", wowExclusive="true")
    coupon = seller.instant(coupon_id)
    assert (coupon["type"], coupon["discount"], coupon["wowExclusive"]) == ("PRICE", 3000, True)


@pytest.mark.parametrize(
    "changes",
    [{"contractId": 1}, {"contractId": -1}, {"maxDiscountPrice": 1_000_001}],
    ids=["unknown-contract", "alias-is-not-a-contract", "over-budget"],
)
def test_requests_the_upstream_cannot_carry_end_in_fail(seller: Coupons, changes: dict[str, Any]) -> None:
    ack = seller.request_coupon(**changes)
    failed = seller.settled(ack.body["data"]["content"]["requestedId"])
    assert (failed["status"], failed["couponId"], failed["failed"]) == ("FAIL", None, 1)


def test_request_lifecycle_legal_and_illegal_transitions(seller: Coupons) -> None:
    route = f"/vendors/{seller.vendor_id}/coupons/requests"
    first = seller.request_coupon().body["data"]["content"]["requestedId"]
    second = seller.request_coupon().body["data"]["content"]["requestedId"]
    failed = seller.control("POST", f"{route}/{first}", {"outcome": "FAIL"})  # REQUESTED -> FAIL
    assert failed.status == 200 and failed.body["status"] == "FAIL"
    done = seller.control("POST", f"{route}/{second}", {"outcome": "DONE"})  # REQUESTED -> DONE
    assert done.status == 200 and done.body["status"] == "DONE" and done.body["couponId"]
    for requested_id, state in ((first, "FAIL"), (second, "DONE")):  # settled requests never move again
        for outcome in ("DONE", "FAIL"):
            refused = seller.control("POST", f"{route}/{requested_id}", {"outcome": outcome})
            assert refused.status == 409 and state in refused.body["message"]
    seller.advance(10)  # the ticker leaves settled requests alone
    assert seller.status_of(first)["status"] == "FAIL" and seller.status_of(second)["status"] == "DONE"
    unknown = seller.op("getInstantCouponRequestStatus", requestedId="123")
    fms_refusal(unknown, 400, "요청 정보를 찾을 수 없습니다.")


# ---------------------------------------------------------------- coupon items


def test_items_attach_with_per_option_failures(seller: Coupons, shared: SharedMock) -> None:
    a, b, c = seller.items(3)
    with shared.services.store.transaction(seller.vendor_id) as tx:  # an option that was deleted meanwhile
        document = inventory.get_item(tx, c)
        inventory.put_item(tx, {**document, "deleted": True})
    coupon_id = seller.coupon()
    result = seller.attach(coupon_id, a, b, c, 999)
    assert (result["status"], result["total"], result["succeeded"], result["failed"]) == ("DONE", 4, 2, 2)
    assert result["failedVendorItems"] == [
        {"vendorItemId": c, "reason": "[CIR06] 옵션 상품을 찾지 못했습니다."},
        {"vendorItemId": 999, "reason": "[CIE00] 유효하지 않은 옵션아이디 입니다."},
    ]
    other = seller.coupon(name="다른 쿠폰")
    taken = seller.attach(other, a)
    assert taken["status"] == "FAIL"
    assert taken["failedVendorItems"] == [
        {"vendorItemId": a, "reason": "[CIR08] 해당 옵션은 이미 다른 쿠폰에 발행되어져 있습니다."}
    ]
    listed = seller.good("listInstantCouponItemsByStatus", couponId=coupon_id, status="STANDBY")["data"]
    assert [i["vendorItemId"] for i in listed["content"]] == [a, b]
    assert listed["pagination"] == {"currentPage": 0, "countPerPage": 1000, "totalPages": 1, "totalElements": 2}


def test_item_lookups_by_coupon_item_id_and_vendor_item_id(seller: Coupons) -> None:
    a, b = seller.items(2)
    coupon_id = seller.coupon()
    seller.attach(coupon_id, a, b)
    first = seller.good("listInstantCouponItemsByStatus", couponId=coupon_id, status="STANDBY")["data"]["content"][0]
    by_item = seller.good("getInstantCouponItem", couponId=coupon_id, id=first["couponItemId"], type="couponItemId")
    by_option = seller.good("getInstantCouponItem", couponId=coupon_id, id=a, type="vendorItemId")
    assert by_item["data"]["content"] == by_option["data"]["content"] == first
    assert first["startAt"] == TOMORROW and first["status"] == "STANDBY"


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("getInstantCoupon", {"couponId": 77}, "쿠폰이 없습니다. 쿠폰 번호를 확인해주세요."),
        ("expireInstantCoupon", {"couponId": 77, "action": "expire"}, "조회되지 않는 쿠폰입니다.77"),
        ("getInstantCouponItem", {"couponId": 77, "id": 1, "type": "couponItemId"}, "쿠폰아이디를 확인해주세요 77"),
        ("listInstantCouponItemsByStatus", {"couponId": 77, "status": "APPLIED"}, "쿠폰아이디를 확인해주세요 77"),
    ],
)
def test_unknown_coupon_texts(seller: Coupons, operation: str, params: dict[str, Any], message: str) -> None:
    fms_refusal(seller.op(operation, **params), 400, message)


def test_unknown_coupon_for_items_and_item_not_in_coupon(seller: Coupons) -> None:
    fms_refusal(
        seller.op("createInstantCouponItems", {"vendorItems": [1]}, couponId=77), 400, "쿠폰아이디를 확인해주세요 77"
    )
    coupon_id = seller.coupon()
    for ident, kind in ((5, "couponItemId"), (5, "vendorItemId")):
        answer = seller.op("getInstantCouponItem", couponId=coupon_id, id=ident, type=kind)
        fms_refusal(answer, 400, f"couponId {coupon_id}에서 아이템을 찾을 수 없습니다.")


@pytest.mark.parametrize("size", [0, 10001])
def test_vendor_items_list_size_is_1_to_10000(seller: Coupons, size: int) -> None:
    coupon_id = seller.coupon()
    for operation, extra in (("createInstantCouponItems", {}), ("expireInstantCouponItems", {"action": "expire"})):
        answer = seller.op(operation, {"vendorItems": list(range(1, size + 1))}, couponId=coupon_id, **extra)
        fms_refusal(answer, 400, "vendorItems may not be empty, vendorItems size must be between 1 and 10000")


@pytest.mark.parametrize(
    ("operation", "page"), [("listInstantCouponsByStatus", 0), ("listInstantCouponItemsByStatus", -1)]
)
def test_page_before_the_first(seller: Coupons, operation: str, page: int) -> None:
    coupon_id = seller.coupon()
    answer = seller.op(operation, couponId=coupon_id, status="STANDBY", page=page)
    fms_refusal(answer, 400, "Page index must not be less than zero!")


# ---------------------------------------------------------------- expiry


def test_expire_waits_for_running_requests_then_expires_coupon_and_items(seller: Coupons) -> None:
    (a,) = seller.items(1)
    coupon_id = seller.coupon()
    seller.good("createInstantCouponItems", {"vendorItems": [a]}, couponId=coupon_id)
    busy = seller.good("expireInstantCoupon", couponId=coupon_id, action="expire")["data"]
    assert busy == {"success": False, "content": {"requestedId": None, "success": False}, "pagination": None}
    seller.advance(5)
    ack = seller.good("expireInstantCoupon", couponId=coupon_id, action="expire")["data"]["content"]
    assert seller.status_of(ack["requestedId"])["status"] == "REQUESTED"
    assert seller.instant(coupon_id)["status"] == "STANDBY"
    expired = seller.settled(ack["requestedId"])
    assert (expired["type"], expired["status"], expired["couponId"]) == ("COUPON_EXPIRE", "DONE", coupon_id)
    assert seller.instant(coupon_id)["status"] == "EXPIRED"
    items = seller.good("listInstantCouponItemsByStatus", couponId=coupon_id, status="EXPIRED")["data"]["content"]
    assert [i["vendorItemId"] for i in items] == [a]
    # an expired coupon takes no options, and the option is free for a new coupon
    late = seller.attach(coupon_id, a)
    assert late["status"] == "FAIL" and late["failedVendorItems"][0]["reason"] == coupons.CIR_EXPIRED_COUPON
    assert seller.attach(seller.coupon(), a)["status"] == "DONE"
    again = seller.good("expireInstantCoupon", couponId=coupon_id, action="expire")["data"]["content"]
    assert seller.settled(again["requestedId"])["status"] == "DONE"  # expiring twice changes nothing


def test_detaching_every_option_leaves_the_coupon_detached(seller: Coupons) -> None:
    a, b = seller.items(2)
    coupon_id = seller.coupon()
    seller.attach(coupon_id, a, b)

    def detach(*vendor_items: int) -> dict[str, Any]:
        body = {"vendorItems": list(vendor_items)}
        ack = seller.good("expireInstantCouponItems", body, couponId=coupon_id, action="expire")
        return seller.settled(ack["data"]["content"]["requestedId"])

    partial = detach(a, 12345)
    assert (partial["type"], partial["status"], partial["succeeded"], partial["failed"]) == (
        "COUPON_ITEM_EXPIRE",
        "DONE",
        1,
        1,
    )
    assert seller.instant(coupon_id)["status"] == "STANDBY"
    assert detach(b)["status"] == "DONE"
    assert seller.instant(coupon_id)["status"] == "DETACHED"
    assert [c["couponId"] for c in seller.good("listInstantCouponsByStatus", status="DETACHED")["data"]["content"]] == [
        coupon_id
    ]
    assert detach(b)["status"] == "FAIL"  # nothing left to detach


# ---------------------------------------------------------------- budgets drive PAUSED


def test_used_up_budget_pauses_running_coupons_until_raised(seller: Coupons) -> None:
    contract_id = seller.contract_id()
    coupon_id = seller.coupon(startAt=TOMORROW)
    seller.advance(DAY)
    assert seller.instant(coupon_id)["status"] == "APPLIED"
    redemptions = f"/vendors/{seller.vendor_id}/coupons/{coupon_id}/redemptions"
    assert seller.control("POST", redemptions, {"amount": 600_000}).status == 201
    refused = seller.control("POST", redemptions, {"amount": 400_001})
    assert refused.status == 400 and refused.body["message"] == "예산 잔액(400000원)을 초과하여 사용할 수 없습니다."
    assert seller.budget(contract_id)["usedBudgetAmount"] == 600_000  # the refusal changed nothing
    assert seller.control("POST", redemptions, {"amount": 400_000}).status == 201
    assert seller.instant(coupon_id)["status"] == "PAUSED"
    assert seller.control("POST", redemptions, {"amount": 1}).status == 409  # a paused coupon cannot be used
    raised = seller.control(
        "PUT",
        f"/vendors/{seller.vendor_id}/coupons/budgets",
        {"contractId": contract_id, "totalBudgetAmount": 2_000_000},
    )
    assert raised.status == 200 and raised.body["totalBudgetAmount"] == 2_000_000
    assert seller.instant(coupon_id)["status"] == "APPLIED"
    assert seller.budget(contract_id)["usedBudgetAmount"] == 1_000_000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=1, max_value=400_000), min_size=1, max_size=6))
def test_budget_arithmetic_never_overdraws(seller: Coupons, amounts: list[int]) -> None:
    contract_id = seller.contract_id()
    budgets = f"/vendors/{seller.vendor_id}/coupons/budgets"
    before = seller.budget(contract_id)
    total = before["usedBudgetAmount"] + 500_000
    seller.control("PUT", budgets, {"contractId": contract_id, "totalBudgetAmount": total})
    coupon_id = _running_coupon(seller)
    accepted = 0
    for amount in amounts:
        answer = seller.control(
            "POST", f"/vendors/{seller.vendor_id}/coupons/{coupon_id}/redemptions", {"amount": amount}
        )
        if answer.status == 201:
            accepted += amount
        else:
            assert accepted + amount > 500_000 or seller.instant(coupon_id)["status"] == "PAUSED"
    after = seller.budget(contract_id)
    assert after["usedBudgetAmount"] == before["usedBudgetAmount"] + accepted
    assert after["usedBudgetAmount"] <= after["totalBudgetAmount"]
    assert (seller.instant(coupon_id)["status"] == "PAUSED") == (accepted == 500_000)


def _running_coupon(seller: Coupons) -> int:
    running = seller.good("listInstantCouponsByStatus", status="APPLIED", size=1)["data"]["content"]
    if running:
        return running[0]["couponId"]
    coupon_id = seller.coupon()
    seller.advance(DAY)
    return coupon_id


# ---------------------------------------------------------------- paging property


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=8), descending=st.booleans())
def test_paging_the_coupon_list_returns_every_coupon_once(seller: Coupons, size: int, descending: bool) -> None:
    existing = seller.good("listInstantCouponsByStatus", status="STANDBY", size=100)["data"]["content"]
    if not existing:
        for n in range(7):
            seller.request_coupon(name=f"쿠폰 {n}")
        seller.advance(5)
    expected = sorted(
        c["couponId"] for c in seller.good("listInstantCouponsByStatus", status="STANDBY", size=100)["data"]["content"]
    )
    assert len(expected) == 7
    seen: list[int] = []
    page = 1
    sort = "desc" if descending else "asc"
    while True:
        data = seller.good("listInstantCouponsByStatus", status="STANDBY", page=page, size=size, sort=sort)["data"]
        if not data["content"]:
            break
        seen.extend(c["couponId"] for c in data["content"])
        assert data["pagination"]["totalPages"] == -(-7 // size)
        page += 1
    assert seen == (sorted(expected, reverse=descending))


# ---------------------------------------------------------------- coupons of an order


def test_coupons_applied_to_an_order_both_versions(seller: Coupons) -> None:
    a, b = seller.items(2)
    coupon_id = seller.coupon()
    seller.attach(coupon_id, a)
    before = seller.control(
        "POST", f"/vendors/{seller.vendor_id}/orders", {"items": [{"vendorItemId": a, "quantity": 1}]}
    )
    seller.advance(DAY)
    order = seller.control(
        "POST",
        f"/vendors/{seller.vendor_id}/orders",
        {"items": [{"vendorItemId": a, "quantity": 1}, {"vendorItemId": b, "quantity": 1}]},
    )
    current = seller.good("listInstantCouponsByOrderId", orderId=order.body["orderId"])["data"]
    assert current["pagination"] is None
    assert [(c["vendorItemId"], c["couponId"], c["status"]) for c in current["content"]] == [(a, coupon_id, "APPLIED")]
    legacy = seller.good("listInstantCouponsByOrderIdV1", orderId=order.body["orderId"])["data"]["content"]
    assert legacy[0]["discount"] == 10.0 and "type" not in legacy[0] and "wowExclusive" not in legacy[0]
    # paid before the coupon started, and an unknown order: nothing applied
    assert seller.good("listInstantCouponsByOrderId", orderId=before.body["orderId"])["data"]["content"] == []
    assert seller.good("listInstantCouponsByOrderId", orderId=1)["data"]["content"] == []


# ---------------------------------------------------------------- download coupons


def test_download_coupon_create_attach_get_and_expire(seller: Coupons) -> None:
    a, b = seller.items(2)
    created = seller.good("createDownloadCoupon", seller.download_body())
    coupon_id = created["couponId"]
    assert (created["couponStatus"], created["publishedDate"], created["vendorId"]) == (
        "STANDBY",
        None,
        seller.vendor_id,
    )
    assert created["lastModifiedDate"] == "2026-03-02 10:00:00" and created["lastModifiedBy"] == "wing_test_user"
    policy = created["couponPolicies"][0]
    assert policy["maximumDiscountPrice"] == -1 and policy["manageCode"].startswith(f"FMS_{seller.contract_id()}_")
    attached = seller.attach_download(coupon_id, a, b)
    transaction_id = attached.body["body"]["requestTransactionId"]
    assert attached.body["requestResultStatus"] == "SUCCESS" and attached.body["body"]["couponId"] == coupon_id
    assert seller.transaction(transaction_id)["status"] == "PROCESSING"
    seller.advance(5)
    done = seller.transaction(transaction_id)
    assert (done["type"], done["status"], done["total"], done["succeeded"]) == ("COUPON_ITEM_PUBLISH", "SUCCESS", 2, 2)
    got = seller.good("getDownloadCoupon", couponId=coupon_id)
    assert got["appliedOptionCount"] == 2 and got["publishedDate"] == "2026-03-02 10:00:00"
    assert got["couponPolicies"][0]["maximumPerDay"] == 1 and got["endDate"] == "2026-03-31 23:59:59"
    seller.advance(2 * 3600)
    assert seller.good("getDownloadCoupon", couponId=coupon_id)["couponStatus"] == "APPLIED"
    expired = seller.expire_downloads(str(coupon_id))
    assert expired.status == 200 and expired.body[0]["requestResultStatus"] == "SUCCESS"
    seller.advance(5)
    finished = seller.transaction(expired.body[0]["body"]["requestTransactionId"])
    assert (finished["type"], finished["status"], finished["total"]) == ("COUPON_EXPIRE", "SUCCESS", 1)
    assert seller.good("getDownloadCoupon", couponId=coupon_id)["couponStatus"] == "EXPIRED"
    twice = seller.expire_downloads(coupon_id).body[0]
    assert (twice["requestResultStatus"], twice["errorMessage"]) == ("FAIL", coupons.DL_ALREADY_EXPIRED)


def test_failed_attach_destroys_the_download_coupon(seller: Coupons) -> None:
    (a,) = seller.items(1)
    holder = seller.download()
    others = [seller.download(), seller.download()]
    for coupon_id in (holder, *others[:1]):
        seller.attach_download(coupon_id, a)
        seller.advance(5)
    # the second coupon failed on `a` (held by the first) and was destroyed
    assert seller.op("getDownloadCoupon", couponId=others[0]).status == 404
    answer = seller.attach_download(others[1], a, 999)
    seller.advance(5)
    failed = seller.transaction(answer.body["body"]["requestTransactionId"])
    assert (failed["status"], failed["succeeded"], failed["failed"]) == ("FAIL", 0, 2)
    assert failed["couponFailedVendorItemIdResponses"] == [
        {"vendorItemId": a, "failureReason": f"[CIR14] 해당 옵션은 이미 다른 쿠폰({holder})에 발행되어져 있습니다."},
        {"vendorItemId": 999, "failureReason": "[CIE00] 유효하지 않은 옵션아이디 입니다."},
    ]
    gone = seller.op("getDownloadCoupon", couponId=others[1])
    assert (gone.status, gone.message) == (404, f"존재 하지 않는 프로모션 ({others[1]})")
    again = seller.attach_download(others[1], a)
    assert (again.status, again.message) == (400, "삭제된 프로모션 입니다.")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "createCouponRequest.title 은 빈칸임. createCouponRequest.title 은 필수임"),
        ({"title": "  "}, "createCouponRequest.title 은 빈칸임. createCouponRequest.title 은 필수임"),
        ({"contractId": 15}, "contractId=15 (으)로 계약이 판매자={vendor} 에 속하지 않습니다."),
        ({"startDate": "2026-03-02"}, "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요."),
        (
            {"startDate": "2026-03-02 10:30:00"},
            "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요.",
        ),
        (
            {"startDate": "2026-02-30 12:00:00"},
            "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요.",
        ),
        ({"endDate": "31-03-2026"}, "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요."),
        (
            {"endDate": "2026-03-02 11:00:00"},
            "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요.",
        ),
        ({"policy_discount": 3005}, "policies[0] 금액 정보는 10원 단위로 입력해야 합니다."),
        ({"policy_maximumPerDaily": 0}, "policies[0].maxPerDaily 1~9999 양수만 입력 가능합니다."),
        ({"policy_maximumPerDaily": 10000}, "policies[0].maxPerDaily 1~9999 양수만 입력 가능합니다."),
        ({"policy_typeOfDiscount": "RATE", "policy_discount": 100}, coupons.DL_RATE_RANGE.format(index=0)),
    ],
)
def test_invalid_download_coupons_are_refused(seller: Coupons, changes: dict[str, Any], message: str) -> None:
    answer = seller.op("createDownloadCoupon", seller.download_body(**changes))
    assert (answer.status, answer.message) == (400, message.format(vendor=seller.vendor_id))


def test_download_policy_index_and_mixed_types(seller: Coupons) -> None:
    body = seller.download_body()
    second = {**body["policies"][0], "discount": 5001, "minimumPrice": 50000}
    answer = seller.op("createDownloadCoupon", {**body, "policies": [body["policies"][0], second]})
    assert (answer.status, answer.message) == (400, "policies[1] 금액 정보는 10원 단위로 입력해야 합니다.")
    mixed = {**second, "discount": 10, "typeOfDiscount": "RATE"}
    answer = seller.op("createDownloadCoupon", {**body, "policies": [body["policies"][0], mixed]})
    assert (answer.status, answer.message) == (400, coupons.DL_MIXED_TYPES)
    missing = {k: v for k, v in body.items() if k != "title"}
    answer = seller.op("createDownloadCoupon", missing)
    assert answer.message == "createCouponRequest.title 은 빈칸임. createCouponRequest.title 은 필수임"


def test_download_unknown_ids(seller: Coupons) -> None:
    assert (seller.op("getDownloadCoupon", couponId=5).message) == "존재 하지 않는 프로모션 (5)"
    kept = seller.download()
    refused = seller.expire_downloads(kept, 5)
    assert (refused.status, refused.message) == (500, "expire할 쿠폰이 존재하지 않습니다.")
    assert seller.good("getDownloadCoupon", couponId=kept)["couponStatus"] == "STANDBY"  # nothing expired
    unknown = seller.op("getDownloadCouponTransactionStatus", requestTransactionId="et5_nope")
    assert (unknown.status, unknown.message) == (500, "시스템 오류")
    assert (seller.attach_download(5, 1).message) == "삭제된 프로모션 입니다."


def test_every_coupon_operation_was_served_successfully() -> None:
    """Each operation answered 200 at least once in the tests above (pytest runs a module in order)."""
    if not SEEN:
        pytest.skip("meaningful only after the module's other tests ran")
    assert {op.operation_id for op in COUPON_OPERATIONS} <= SEEN


def _coupon_in(seller: Coupons, state: str) -> int:
    """A coupon driven into `state` through the API and the WING/buyer control routes."""
    (option,) = seller.items(1)
    coupon_id = seller.coupon(endAt="2026-03-10 23:59:59")
    seller.attach(coupon_id, option)
    if state in ("APPLIED", "PAUSED"):
        seller.advance(DAY)
    if state == "PAUSED":
        budgets = f"/vendors/{seller.vendor_id}/coupons/budgets"
        seller.control("PUT", budgets, {"contractId": seller.contract_id(), "totalBudgetAmount": 0})
    if state == "DETACHED":
        ack = seller.good("expireInstantCouponItems", {"vendorItems": [option]}, couponId=coupon_id, action="expire")
        seller.settled(ack["data"]["content"]["requestedId"])
    assert seller.instant(coupon_id)["status"] == state
    return coupon_id


@pytest.mark.parametrize("state", ["STANDBY", "APPLIED", "PAUSED", "DETACHED"])
@pytest.mark.parametrize("how", ["expire", "end"])
def test_every_live_coupon_state_can_expire_or_end(seller: Coupons, state: str, how: str) -> None:
    coupon_id = _coupon_in(seller, state)
    if how == "expire":
        ack = seller.good("expireInstantCoupon", couponId=coupon_id, action="expire")["data"]["content"]
        assert seller.settled(ack["requestedId"])["status"] == "DONE"
    else:
        seller.advance(10 * DAY)
    assert seller.instant(coupon_id)["status"] == "EXPIRED"
    items = seller.good("listInstantCouponItemsByStatus", couponId=coupon_id, status="EXPIRED")["data"]
    assert items["pagination"]["totalElements"] == 1
    # EXPIRED is terminal: time and budget changes leave it alone
    seller.control(
        "PUT",
        f"/vendors/{seller.vendor_id}/coupons/budgets",
        {"contractId": seller.contract_id(), "totalBudgetAmount": 5_000_000},
    )
    seller.advance(DAY)
    assert seller.instant(coupon_id)["status"] == "EXPIRED"


def test_whole_numbers_sent_as_floats_or_strings_are_ids(seller: Coupons) -> None:
    """JSON Schema calls 9962.0 an integer and Coupang's own examples send "15": both must work, never 500."""
    contract_id = seller.contract_id()
    for sent in (float(contract_id), str(contract_id)):
        coupon_id = seller.good("createDownloadCoupon", seller.download_body(contractId=sent))["couponId"]
        assert seller.good("getDownloadCoupon", couponId=coupon_id)["couponStatus"] == "STANDBY"
        assert seller.attach_download(float(coupon_id), 1).body["body"]["couponId"] == coupon_id
    ack = seller.request_coupon(contractId=float(contract_id))
    assert seller.settled(ack.body["data"]["content"]["requestedId"])["status"] == "DONE"
    fms_refusal(
        seller.request_coupon(startAt="0000-03-03 00:00:00"),
        400,
        'Cannot parse "0000-03-03 00:00:00": Value 0 for year must be in the range [1,9999]',
    )
