"""CS through the HTTP API: product Q&A and call-center inquiries, both lifecycles edge by edge."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.signing import sign
from coupang_mock.server import spec
from coupang_mock.server.app import create_app
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import MockServices
from coupang_mock.server.domains import cs
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import Settings
from tests.conftest import START
from tests.test_orders_support import Answer, Shop
from tests.test_products_support import PRODUCTS

TODAY = "2026-03-02"  # conftest START is 2026-03-02 10:00 KST
DAY = 86400
KST_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+09:00$")
LEGACY_SPACE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CTRL_CHAR = "Could not read JSON: Illegal unquoted character ((CTRL-CHAR, code 13)): has to be escaped using backslash"
DOCUMENT = spec.load()
CS_OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT) if op.tag == "cs"}


class Desk:
    """The vendor's CS desk: customers and Coupang CS through the control plane, the seller's API calls."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.vendor_id = shop.vendor_id
        self.v4, self.v5 = shop.v4, shop.v5
        self.call_center_v5 = "/v2/providers/openapi/apis/api/v5/vendors/callCenterInquiries"
        self.call_center_v4 = "/v2/providers/openapi/apis/api/v4/vendors/callCenterInquiries"
        (self.vid,) = shop.items({"itemName": "블랙, M"})

    def ask(self, kind: str = cs.ONLINE, **extra: Any) -> dict[str, Any]:
        body = {"kind": kind, "vendorItemId": self.vid, "content": "사이즈가 정사이즈인가요?", **extra}
        return self.shop.ok("POST", f"/vendors/{self.vendor_id}/inquiries", body)

    def event(self, inquiry_id: int, event: str) -> Answer:
        return self.shop.control("POST", f"/vendors/{self.vendor_id}/inquiries/{inquiry_id}/events", {"event": event})

    def users(self, *user_ids: str) -> Answer:
        return self.shop.control("PUT", f"/vendors/{self.vendor_id}/wing-users", {"userIds": list(user_ids)})

    def online(self, answered: str = "ALL", start: str = TODAY, end: str = TODAY, v4: bool = False, **q: Any) -> Answer:
        query = {"vendorId": self.vendor_id, "answeredType": answered, "inquiryStartAt": start, "inquiryEndAt": end}
        return self.shop.call("GET", f"{self.v4 if v4 else self.v5}/onlineInquiries", {**query, **q})

    def reply(self, inquiry_id: int, **body: Any) -> Answer:
        payload = {
            "content": "안녕하세요 고객님.\n정사이즈입니다.",
            "vendorId": self.vendor_id,
            "replyBy": "wing_seoul01",
        }
        return self.shop.call("POST", f"{self.v4}/onlineInquiries/{inquiry_id}/replies", body={**payload, **body})

    def centre(self, status: str = "NONE", v4: bool = False, **q: Any) -> Answer:
        query: dict[str, Any] = {"vendorId": self.vendor_id, "partnerCounselingStatus": status}
        if "vendorItemId" not in q:
            query.update(inquiryStartAt=TODAY, inquiryEndAt=TODAY)
        return self.shop.call("GET", f"{self.v4 if v4 else self.v5}/callCenterInquiries", {**query, **q})

    def get(self, inquiry_id: int, v4: bool = False) -> Answer:
        return self.shop.call("GET", f"{self.call_center_v4 if v4 else self.call_center_v5}/{inquiry_id}")

    def answer(self, inquiry_id: int, parent: Any = None, **body: Any) -> Answer:
        if parent is None:
            parent = self.get(inquiry_id).data["replies"][0]["answerId"]
        payload = {
            "vendorId": self.vendor_id,
            "inquiryId": str(inquiry_id),
            "content": "안녕하세요 고객님.\n금일 출고 예정입니다.",
            "replyBy": "wing_seoul01",
            "parentAnswerId": str(parent),
        }
        payload.update(body)
        path = f"{self.v4}/callCenterInquiries/{inquiry_id}/replies"
        return self.shop.call("POST", path, body={k: v for k, v in payload.items() if v is not None})

    def confirm(self, inquiry_id: int, by: str = "wing_seoul01") -> Answer:
        path = f"{self.v4}/callCenterInquiries/{inquiry_id}/confirms"
        return self.shop.call("POST", path, body={"confirmBy": by})


# One in-process server per module on the conftest's frozen START, and a fresh vendor per test (each with
# its own test clock): the per-test server start-up of the shared fixtures dominated these files' runtime.
@pytest.fixture(scope="module")
def shared_server() -> Iterator[RunningServer]:
    services = MockServices(Settings(throttle_enabled=False), clock=TestClock(frozen_at=START))
    running = start_in_thread(create_app(services=services))
    running.services = services  # type: ignore[attr-defined]
    yield running
    running.stop()


@pytest.fixture
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server


@pytest.fixture
def services(shared_server: Any) -> MockServices:
    return shared_server.services


@pytest.fixture
def client(shared_server: RunningServer) -> CoupangClient:
    created = requests.post(f"{shared_server.base_url}/_mock/vendors", json={}, timeout=30).json()
    return CoupangClient(
        created["accessKey"],
        created["secretKey"],
        created["vendorId"],
        base_url=shared_server.base_url,
        retry=RetryPolicy(max_retries=0),
    )


@pytest.fixture
def desk(server: Any, client: Any) -> Desk:
    return Desk(Shop(server.base_url, client))


def _state(services: Any, vendor_id: str, inquiry_id: int) -> dict[str, Any]:
    with services.store.transaction(vendor_id) as tx:
        return cs.get(tx, inquiry_id)


# ---------------------------------------------------------------- product Q&A: listing


def test_question_is_listed_unanswered_in_v5_format(desk: Desk) -> None:
    asked = desk.ask()
    answer = desk.online("NOANSWER")
    assert answer.status == 200
    (row,) = answer.data["content"]
    assert row["inquiryId"] == asked["inquiryId"]
    assert row["vendorItemId"] == desk.vid
    assert row["commentDtoList"] == [] and row["orderIds"] == []
    assert KST_ISO.match(row["inquiryAt"])
    assert answer.data["pagination"] == {"currentPage": 1, "totalPages": 1, "totalElements": 1, "countPerPage": 10}
    assert desk.online("ANSWERED").data["content"] == []


def test_v4_lists_legacy_times_null_order_ids_and_filters_by_option_without_dates(desk: Desk) -> None:
    asked = desk.ask()
    desk.shop.advance(10 * DAY)
    answer = desk.shop.call(
        "GET",
        f"{desk.v4}/onlineInquiries",
        {"vendorId": desk.vendor_id, "answeredType": "ALL", "vendorItemId": desk.vid},
    )
    assert answer.status == 200, answer
    (row,) = answer.data["content"]
    assert row["inquiryId"] == asked["inquiryId"] and row["orderIds"] is None
    assert LEGACY_SPACE.match(row["inquiryAt"]) and answer.body["code"] == "200"


def test_question_about_an_order_carries_the_order_id(desk: Desk) -> None:
    placed = desk.shop.order((desk.vid, 1))
    desk.ask(orderId=placed["orderId"], vendorItemId=None)
    (row,) = desk.online().data["content"]
    assert row["orderIds"] == [placed["orderId"]] and row["vendorItemId"] == desk.vid


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-02-22", "2026-03-02"),  # 8 days
        ("2026/03/01", "2026-03-02"),
        ("2026-03-02", "2026-03-01"),  # reversed
        ("2026-02-30", "2026-03-02"),
        ("20260301", "20260302"),
    ],
)
def test_bad_windows_answer_the_seven_day_message(desk: Desk, start: str, end: str) -> None:
    answer = desk.online(start=start, end=end)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": cs.WINDOW_ERROR})


def test_seven_days_inclusive_is_allowed_and_only_the_window_is_listed(desk: Desk) -> None:
    first = desk.ask()
    desk.shop.advance(7 * DAY)
    second = desk.ask()
    assert [r["inquiryId"] for r in desk.online(start=TODAY, end="2026-03-09").data["content"]] == [
        second["inquiryId"],
        first["inquiryId"],
    ]
    assert [r["inquiryId"] for r in desk.online(start="2026-03-09", end="2026-03-09").data["content"]] == [
        second["inquiryId"]
    ]


@pytest.mark.parametrize(("v4", "status"), [(False, "NONE"), (True, "none")])
def test_call_center_list_without_dates_or_option_is_refused(desk: Desk, v4: bool, status: str) -> None:
    path = f"{desk.v4 if v4 else desk.v5}/callCenterInquiries"
    answer = desk.shop.call("GET", path, {"vendorId": desk.vendor_id, "partnerCounselingStatus": status})
    assert (answer.status, answer.message) == (400, cs.WINDOW_ERROR)


def test_missing_answered_type_is_springs_message(desk: Desk) -> None:
    answer = desk.shop.call(
        "GET",
        f"{desk.v5}/onlineInquiries",
        {"vendorId": desk.vendor_id, "inquiryStartAt": TODAY, "inquiryEndAt": TODAY},
    )
    assert (answer.status, answer.message) == (400, "Required String parameter 'answeredType' is not present")


def test_paging_splits_newest_first(desk: Desk) -> None:
    ids = [desk.ask()["inquiryId"] for _ in range(5)]
    pages = [desk.online(pageNum=n, pageSize=2).data for n in (1, 2, 3)]
    assert [r["inquiryId"] for p in pages for r in p["content"]] == ids[::-1]
    assert pages[2]["pagination"] == {"currentPage": 3, "totalPages": 3, "totalElements": 5, "countPerPage": 2}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(2, 30), answered=st.sampled_from(["ALL", "ANSWERED", "NOANSWER"]), centre=st.booleans())
def test_pages_concatenate_to_the_whole_filtered_list(desk: Desk, size: int, answered: str, centre: bool) -> None:
    if not desk.online().data["content"]:  # the fixture lives across examples: seed the data once
        for n in range(7):
            online, call = desk.ask()["inquiryId"], desk.ask(cs.CALL_CENTER)["inquiryId"]
            if n % 3 == 0:
                desk.reply(online)
                desk.answer(call)
    listing = (
        (lambda page: desk.centre(pageNum=page, pageSize=size))
        if centre
        else (lambda page: desk.online(answered, pageNum=page, pageSize=size))
    )
    first = listing(1).data["pagination"]
    expected = 7 if centre else {"ALL": 7, "ANSWERED": 3, "NOANSWER": 4}[answered]
    pages = [listing(n).data for n in range(1, first["totalPages"] + 2)]
    rows = [row["inquiryId"] for page in pages for row in page["content"]]
    assert len(rows) == len(set(rows)) == first["totalElements"] == expected
    assert first["totalPages"] == -(-expected // size) and pages[-1]["content"] == []
    assert all(len(page["content"]) <= size for page in pages)


def test_question_shows_the_products_real_product_id(desk: Desk) -> None:
    quick = desk.shop.ok("POST", f"/vendors/{desk.vendor_id}/catalog/quick-product", {})
    desk.ask(vendorItemId=quick["vendorItemIds"][0])
    (row,) = desk.online().data["content"]
    product = desk.shop.call("GET", f"{PRODUCTS}/{row['sellerProductId']}").data
    assert row["productId"] == product["productId"] and row["productId"] > 0  # issue 17: it was 0


def test_option_filter_pages_exactly_among_other_options_questions(desk: Desk) -> None:
    (other,) = desk.shop.items({"itemName": "화이트, L"})
    mine = []
    for n in range(7):
        mine.append(desk.ask()["inquiryId"])
        desk.ask(vendorItemId=other)
        if n % 2:
            desk.reply(mine[-1])
    v4 = f"{desk.v4}/onlineInquiries"
    query = {"vendorId": desk.vendor_id, "answeredType": "NOANSWER", "vendorItemId": desk.vid, "pageSize": 2}
    pages = [desk.shop.call("GET", v4, {**query, "pageNum": n}).data for n in (1, 2, 3)]
    rows = [row["inquiryId"] for page in pages for row in page["content"]]
    assert rows == [i for n, i in enumerate(mine) if n % 2 == 0][::-1]
    assert pages[0]["pagination"] == {"currentPage": 1, "totalPages": 2, "totalElements": 4, "countPerPage": 2}


def test_buyer_email_disappears_from_2026_03_15(desk: Desk) -> None:
    desk.ask()
    assert "buyerEmail" in desk.online().data["content"][0]
    desk.shop.advance(13 * DAY)
    desk.ask()
    assert all("buyerEmail" not in r for r in desk.online(start="2026-03-15", end="2026-03-15").data["content"])


# ---------------------------------------------------------------- product Q&A: the lifecycle


def _online_in(desk: Desk, state: str) -> int:
    inquiry_id = desk.ask()["inquiryId"]
    if state in (cs.ANSWERED,):
        assert desk.reply(inquiry_id).status == 200
    if state == cs.DELETED:
        assert desk.event(inquiry_id, "customerDelete").status == 200
    return inquiry_id


ONLINE_EXPECTED = {
    (cs.NOANSWER, "reply"): None,
    (cs.ANSWERED, "reply"): cs.DUPLICATE,
    (cs.DELETED, "reply"): cs.DELETED_ERROR,
    (cs.NOANSWER, "customerDelete"): None,
    (cs.ANSWERED, "customerDelete"): None,
    (cs.DELETED, "customerDelete"): 409,
}


@pytest.mark.parametrize(("state", "event"), sorted(ONLINE_EXPECTED), ids=lambda v: str(v))
def test_online_inquiry_transition_table(desk: Desk, services: Any, state: str, event: str) -> None:
    inquiry_id = _online_in(desk, state)
    before = _state(services, desk.vendor_id, inquiry_id)
    answer = desk.reply(inquiry_id) if event == "reply" else desk.event(inquiry_id, event)
    after = _state(services, desk.vendor_id, inquiry_id)
    expected = ONLINE_EXPECTED[(state, event)]
    assert cs.ONLINE_MACHINE.can(state, event) == (expected is None)
    if expected is None:
        assert answer.status == 200, answer
        assert after["state"] == cs.ONLINE_MACHINE.table[(state, event)]
    else:
        assert (answer.status, answer.message if isinstance(expected, str) else None) == (
            (400, expected) if isinstance(expected, str) else (409, None)
        )
        assert after == before


def test_answer_appears_in_the_listing_and_moves_the_question_to_answered(desk: Desk) -> None:
    inquiry_id = desk.ask()["inquiryId"]
    assert desk.reply(inquiry_id).body == {"code": "200", "message": "OK"}
    (row,) = desk.online("ANSWERED").data["content"]
    (comment,) = row["commentDtoList"]
    assert comment["content"] == "안녕하세요 고객님.\n정사이즈입니다." and comment["inquiryId"] == inquiry_id
    assert KST_ISO.match(comment["inquiryCommentAt"])
    assert desk.online("NOANSWER").data["content"] == []


def test_deleted_questions_leave_the_listing(desk: Desk) -> None:
    inquiry_id = desk.ask()["inquiryId"]
    desk.event(inquiry_id, "customerDelete")
    assert desk.online().data["content"] == []


@pytest.mark.parametrize(
    ("users", "body", "message"),
    [
        ((), {"content": "   "}, cs.EMPTY_CONTENT),
        ((), {"content": ""}, cs.EMPTY_CONTENT),
        (("wing_seoul01",), {"replyBy": "someone_else"}, cs.REPLY_BY_ERROR),
        ((), {"replyBy": ""}, cs.REPLY_BY_ERROR),
        ((), {"replyBy": "bad id!"}, cs.REPLY_BY_ERROR),
    ],
)
def test_refused_answers_leave_the_question_unanswered(
    desk: Desk, services: Any, users: tuple[str, ...], body: dict[str, Any], message: str
) -> None:
    if users:
        assert desk.users(*users).status == 200
    inquiry_id = desk.ask()["inquiryId"]
    before = _state(services, desk.vendor_id, inquiry_id)
    answer = desk.reply(inquiry_id, **body)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})
    assert _state(services, desk.vendor_id, inquiry_id) == before


def test_registered_wing_user_and_the_vendor_id_may_answer(desk: Desk) -> None:
    desk.users("wing_seoul01")
    assert desk.reply(desk.ask()["inquiryId"]).status == 200
    assert desk.reply(desk.ask()["inquiryId"], replyBy=desk.vendor_id).status == 200


def test_unknown_question_is_not_found(desk: Desk) -> None:
    answer = desk.reply(99999999)
    assert (answer.status, answer.message) == (404, cs.NOT_FOUND)


def test_raw_carriage_return_in_the_answer_is_a_json_error(desk: Desk, server: Any, client: Any) -> None:
    inquiry_id = desk.ask()["inquiryId"]
    path = f"{desk.v4}/onlineInquiries/{inquiry_id}/replies"
    raw = f'{{"content": "첫 줄\r둘째 줄", "vendorId": "{desk.vendor_id}", "replyBy": "wing_seoul01"}}'
    headers = {
        "Authorization": sign(client.access_key, client.secret_key, "POST", path, ""),
        "Content-Type": "application/json;charset=UTF-8",
    }
    response = requests.post(server.base_url + path, data=raw.encode(), headers=headers, timeout=30)
    assert response.status_code == 400
    assert response.json()["message"].startswith(CTRL_CHAR)
    assert desk.online("NOANSWER").data["content"][0]["inquiryId"] == inquiry_id


# ---------------------------------------------------------------- call-center inquiries


def _centre_in(desk: Desk, state: str) -> int:
    start = "TRANSFER" if state in (cs.TRANSFER, cs.CONFIRMED, cs.CLOSED) else "NO_ANSWER"
    inquiry_id = desk.ask(cs.CALL_CENTER, status=start)["inquiryId"]
    if state == cs.CC_ANSWERED:
        assert desk.answer(inquiry_id).status == 200
    elif state == cs.COMPLETE:
        assert desk.event(inquiry_id, "counsellorComplete").status == 200
    elif state == cs.CONFIRMED:
        assert desk.confirm(inquiry_id).status == 200
    elif state == cs.CLOSED:
        assert desk.event(inquiry_id, "counsellorClose").status == 200
    return inquiry_id


CC_STATES = (cs.REQUEST_ANSWER, cs.CC_ANSWERED, cs.COMPLETE, cs.TRANSFER, cs.CONFIRMED, cs.CLOSED)
CC_EVENTS = ("reply", "confirm", "expire", "counsellorComplete", "counsellorClose")


def _refusal(state: str, event: str) -> tuple[int, str | None]:
    if event == "reply":
        return 400, cs.CLOSED_ERROR if state in (cs.COMPLETE, cs.CLOSED) else cs.CANNOT_ANSWER
    if event == "confirm":
        return 400, cs.CLOSED_ERROR
    return 409, None


def _fire(desk: Desk, inquiry_id: int, event: str) -> Answer:
    if event == "reply":
        return desk.answer(inquiry_id)
    if event == "confirm":
        return desk.confirm(inquiry_id)
    if event == "expire":
        desk.shop.advance(cs.ANSWER_HOURS * 3600)
        return Answer(200, None)
    return desk.event(inquiry_id, event)


@pytest.mark.parametrize("state", CC_STATES)
@pytest.mark.parametrize("event", CC_EVENTS)
def test_call_center_transition_table(desk: Desk, services: Any, state: str, event: str) -> None:
    """Every (state, event) pair: the table's edges succeed, the others are refused and change nothing."""
    inquiry_id = _centre_in(desk, state)
    before = _state(services, desk.vendor_id, inquiry_id)
    answer = _fire(desk, inquiry_id, event)
    after = _state(services, desk.vendor_id, inquiry_id)
    if cs.CALL_CENTER_MACHINE.can(state, event):
        assert answer.status == 200, answer
        assert after["state"] == cs.CALL_CENTER_MACHINE.table[(state, event)]
    elif event == "expire":
        assert after == before  # the clock moved, nothing was due
    else:
        status, message = _refusal(state, event)
        assert answer.status == status, answer
        if message:
            assert answer.body == {"code": 400, "message": message}
        assert after == before


def test_request_answer_listing_reply_and_answered_listing(desk: Desk) -> None:
    placed = desk.shop.order((desk.vid, 1))
    inquiry_id = desk.ask(cs.CALL_CENTER, orderId=placed["orderId"])["inquiryId"]
    (row,) = desk.centre("NO_ANSWER").data["content"]
    assert (row["inquiryId"], row["inquiryStatus"], row["csPartnerCounselingStatus"]) == (
        inquiry_id,
        "progress",
        "requestAnswer",
    )
    (transfer,) = row["replies"]
    assert transfer["partnerTransferStatus"] == "requestAnswer" and transfer["needAnswer"] is True
    assert row["orderId"] == placed["orderId"] and row["vendorItemId"] == [desk.vid] and row["buyerEmail"] == ""
    assert desk.answer(inquiry_id, parent=transfer["answerId"]).body == {"code": "200", "message": "OK"}
    assert desk.centre("NO_ANSWER").data["content"] == []
    (done,) = desk.centre("ANSWER").data["content"]
    assert done["csPartnerCounselingStatus"] == "answered"
    assert [r["answerType"] for r in done["replies"]] == ["csAgent", "vendor"]
    assert done["replies"][1]["parentAnswerId"] == transfer["answerId"]
    assert done["replies"][0]["partnerTransferStatus"] == "answered"


def test_unanswered_request_gets_the_system_notice_after_24_hours(desk: Desk) -> None:
    inquiry_id = desk.ask(cs.CALL_CENTER)["inquiryId"]
    desk.shop.advance(cs.ANSWER_HOURS * 3600 - 1)
    assert desk.get(inquiry_id).data["csPartnerCounselingStatus"] == "requestAnswer"
    desk.shop.advance(1)
    data = desk.get(inquiry_id).data
    assert data["csPartnerCounselingStatus"] == "answered"
    assert data["replies"][-1]["content"] == cs.SYSTEM_NOTICE
    answer = desk.answer(inquiry_id, parent=data["replies"][0]["answerId"])
    assert (answer.status, answer.message) == (400, cs.CANNOT_ANSWER)


def test_transfer_is_listed_for_confirmation_and_confirm_marks_seller_confirmed(desk: Desk) -> None:
    inquiry_id = desk.ask(cs.CALL_CENTER, status="TRANSFER")["inquiryId"]
    (row,) = desk.centre("TRANSFER").data["content"]
    assert row["inquiryId"] == inquiry_id and row["replies"][0]["needAnswer"] is False
    assert desk.centre("NO_ANSWER").data["content"] == []
    assert desk.confirm(inquiry_id).status == 200
    assert desk.centre("TRANSFER").data["content"] == []
    data = desk.get(inquiry_id).data
    assert data["inquiryStatus"] == "complete"
    assert data["replies"][0]["partnerTransferCompleteReason"] == "DISPUTE_PROCESS_COMPLETE"
    answer = desk.confirm(inquiry_id)
    assert (answer.status, answer.message) == (400, cs.CLOSED_ERROR)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("NONE", 3), ("NO_ANSWER", 1), ("ANSWER", 1), ("TRANSFER", 1)],
)
@pytest.mark.parametrize("v4", [False, True])
def test_counseling_status_filters(desk: Desk, status: str, expected: int, v4: bool) -> None:
    desk.ask(cs.CALL_CENTER)
    desk.answer(desk.ask(cs.CALL_CENTER)["inquiryId"])
    desk.ask(cs.CALL_CENTER, status="TRANSFER")
    legacy = {v: k for k, v in cs.COUNSELING_ALIASES.items()}
    query_status = legacy.get(status, status) if v4 else status
    answer = desk.centre(query_status, v4=v4)
    assert answer.status == 200, answer
    assert answer.data["pagination"]["totalElements"] == expected


def test_option_filter_without_dates_and_order_filter(desk: Desk) -> None:
    placed = desk.shop.order((desk.vid, 1))
    with_order = desk.ask(cs.CALL_CENTER, orderId=placed["orderId"])["inquiryId"]
    desk.shop.advance(30 * DAY)
    desk.ask(cs.CALL_CENTER)
    assert desk.centre(vendorItemId=desk.vid).data["pagination"]["totalElements"] == 2
    by_order = desk.centre(vendorItemId=desk.vid, orderId=placed["orderId"]).data["content"]
    assert [r["inquiryId"] for r in by_order] == [with_order]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parentAnswerId": None}, cs.PARENT_REQUIRED),
        ({"content": "a"}, cs.CONTENT_LENGTH),
        ({"content": "가" * 1001}, cs.CONTENT_LENGTH),
        ({"replyBy": "bad id!"}, cs.USER_ID_ERROR),
        ({"inquiryId": "1"}, cs.CANNOT_ANSWER),
        ({"parentAnswerId": "12345"}, cs.CANNOT_ANSWER),
    ],
)
def test_refused_call_center_answers_change_nothing(
    desk: Desk, services: Any, change: dict[str, Any], message: str
) -> None:
    inquiry_id = desk.ask(cs.CALL_CENTER)["inquiryId"]
    parent = desk.get(inquiry_id).data["replies"][0]["answerId"]
    before = _state(services, desk.vendor_id, inquiry_id)
    body = {"parentAnswerId": str(parent), **change}
    path = f"{desk.v4}/callCenterInquiries/{inquiry_id}/replies"
    payload = {
        "vendorId": desk.vendor_id,
        "inquiryId": str(inquiry_id),
        "content": "확인 후 금일 출고하겠습니다.",
        "replyBy": "wing_seoul01",
        **body,
    }
    answer = desk.shop.call("POST", path, body={k: v for k, v in payload.items() if v is not None})
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})
    assert _state(services, desk.vendor_id, inquiry_id) == before


def test_content_of_exactly_2_and_1000_characters_is_accepted(desk: Desk) -> None:
    assert desk.answer(desk.ask(cs.CALL_CENTER)["inquiryId"], content="네.").status == 200
    assert desk.answer(desk.ask(cs.CALL_CENTER)["inquiryId"], content="가" * 1000).status == 200


def test_confirm_by_an_unknown_user_is_refused(desk: Desk, services: Any) -> None:
    desk.users("wing_seoul01")
    inquiry_id = desk.ask(cs.CALL_CENTER, status="TRANSFER")["inquiryId"]
    answer = desk.confirm(inquiry_id, by="stranger")
    assert (answer.status, answer.message) == (400, cs.USER_ID_ERROR)
    assert _state(services, desk.vendor_id, inquiry_id)["state"] == cs.TRANSFER


def test_single_read_unknown_and_other_vendor(desk: Desk, server: Any) -> None:
    answer = desk.get(123456789)
    assert (answer.status, answer.body) == (404, {"code": 404, "message": cs.NOT_FOUND})
    other = requests.post(f"{server.base_url}/_mock/vendors", json={}, timeout=30).json()["vendorId"]
    foreign = desk.shop.control("POST", f"/vendors/{other}/inquiries", {"kind": cs.CALL_CENTER, "content": "문의"})
    assert foreign.status == 201, foreign
    answer = desk.get(foreign.body["inquiryId"])
    assert (answer.status, answer.message) == (404, cs.OTHER_VENDOR)


@pytest.mark.parametrize("raw", ["abc", "25879994a", "1.5", "1e3"])
@pytest.mark.parametrize("v4", [False, True], ids=["v5", "v4"])
def test_single_read_of_a_non_numeric_id_is_an_invalid_format(desk: Desk, raw: str, v4: bool) -> None:
    answer = desk.get(raw, v4=v4)  # type: ignore[arg-type]
    assert (answer.status, answer.body) == (400, {"code": 400, "message": f"Invalid format inquiryId : {raw}"})


@pytest.mark.parametrize("number", [0, -5])
def test_single_read_of_a_number_nobody_was_given_is_not_found(desk: Desk, number: int) -> None:
    answer = desk.get(number)
    assert (answer.status, answer.body) == (404, {"code": 404, "message": cs.NOT_FOUND})


def test_single_read_v4_uses_legacy_times(desk: Desk) -> None:
    inquiry_id = desk.ask(cs.CALL_CENTER)["inquiryId"]
    legacy, current = desk.get(inquiry_id, v4=True), desk.get(inquiry_id)
    assert LEGACY_SPACE.match(legacy.data["inquiryAt"]) and legacy.data["replies"][0]["parentAnswerId"] == 0
    assert KST_ISO.match(current.data["inquiryAt"]) and current.data["replies"][0]["parentAnswerId"] is None
    assert legacy.data["buyerPhone"].startswith("0503-") and current.data["buyerPhone"].startswith("+82-")


# ---------------------------------------------------------------- control plane refusals


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "EMAIL", "content": "x"}, 400),
        ({"kind": cs.ONLINE, "content": " "}, 400),
        ({"kind": cs.ONLINE, "content": "x", "vendorItemId": None}, 400),
        ({"kind": cs.ONLINE, "content": "x", "vendorItemId": 1}, 404),
        ({"kind": cs.CALL_CENTER, "content": "x", "orderId": 1}, 404),
        ({"kind": cs.CALL_CENTER, "content": "x", "status": "DONE"}, 400),
    ],
)
def test_control_plane_refuses_bad_inquiries(desk: Desk, body: dict[str, Any], status: int) -> None:
    answer = desk.shop.control("POST", f"/vendors/{desk.vendor_id}/inquiries", body)
    assert answer.status == status, answer


def test_wrong_event_for_the_kind_is_refused(desk: Desk) -> None:
    inquiry_id = desk.ask()["inquiryId"]
    assert desk.event(inquiry_id, "counsellorClose").status == 400
    assert desk.event(999, "customerDelete").status == 404


# ---------------------------------------------------------------- responses against the spec


def _schema(operation_id: str, status: int) -> dict[str, Any]:
    response = spec.deref(DOCUMENT, CS_OPERATIONS[operation_id].raw["responses"][str(status)])
    return next(media["schema"] for kind, media in response["content"].items() if "json" in kind)


def test_every_cs_operation_answers_its_schema(desk: Desk) -> None:
    online = desk.ask()["inquiryId"]
    centre = desk.ask(cs.CALL_CENTER)["inquiryId"]
    transfer = desk.ask(cs.CALL_CENTER, status="TRANSFER")["inquiryId"]
    calls = {
        "listOnlineInquiries": [desk.online(), desk.online(start="x", end="y")],
        "listOnlineInquiriesV4": [desk.online(v4=True)],
        "listCallCenterInquiries": [desk.centre()],
        "listCallCenterInquiriesV4": [desk.centre("requestAnswer", v4=True)],
        "getCallCenterInquiry": [desk.get(centre), desk.get(1)],
        "getCallCenterInquiryV4": [desk.get(centre, v4=True)],
        "replyOnlineInquiry": [desk.reply(online), desk.reply(online)],
        "replyCallCenterInquiry": [desk.answer(centre), desk.answer(centre)],
        "confirmCallCenterInquiry": [desk.confirm(transfer), desk.confirm(transfer)],
    }
    assert set(calls) == set(CS_OPERATIONS)
    desk.answer(desk.ask(cs.CALL_CENTER)["inquiryId"])
    for operation_id, answers in calls.items():
        assert answers[0].status == 200, (operation_id, answers[0])
        for answer in answers:
            Draft202012Validator(_schema(operation_id, answer.status)).validate(answer.body)
    for listing in (desk.centre(), desk.centre(v4=True), desk.online(v4=True)):
        Draft202012Validator(_schema("listCallCenterInquiries", 200)).validate(listing.body)
