"""Orders and delivery through the HTTP API: order sheets, acknowledgement, invoices, cancellations."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coupang_mock.server import spec
from coupang_mock.server.domains import order_placing, shipping
from tests.test_orders_support import CJ_INVOICE, Answer, Shop

TODAY = "2026-03-02"  # conftest START is 2026-03-02 10:00 KST
KST_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+09:00$")
LEGACY_T = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
LEGACY_SPACE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DAY = 86400


@pytest.fixture
def shop(server: Any, client: Any) -> Shop:
    return Shop(server.base_url, client)


# ---------------------------------------------------------------- buyer places orders


def test_order_is_split_by_outbound_place_with_18_digit_ids_and_stock_taken(shop: Shop, services: Any) -> None:
    a, b, c = shop.items(
        {"quantity": 5, "outboundShippingPlaceCode": 1},
        {"quantity": 5, "outboundShippingPlaceCode": 1},
        {"quantity": 5, "outboundShippingPlaceCode": 2},
    )
    placed = shop.order((a, 2), (b, 1), (c, 3))
    assert len(placed["shipmentBoxIds"]) == 2
    assert all(len(str(box_id)) == 18 for box_id in placed["shipmentBoxIds"])
    first = shop.box(placed["shipmentBoxIds"][0]).data
    assert first["shipmentBoxId"] == placed["shipmentBoxIds"][0]  # exact int64 survives JSON
    assert {line["vendorItemId"] for line in first["orderItems"]} == {a, b}
    assert first["ableSplitShipping"] is True
    assert [shop.stock(services, vid) for vid in (a, b, c)] == [3, 4, 2]


def test_items_that_never_combine_travel_alone(shop: Shop) -> None:
    a, b = shop.items({}, {"unionDeliveryType": "NOT_UNION_DELIVERY"})
    assert len(shop.order((a, 1), (b, 1))["shipmentBoxIds"]) == 2


@pytest.mark.parametrize(
    ("item", "quantity", "fragment"),
    [
        ({"quantity": 1}, 2, "has 1 in stock, 2 ordered"),
        ({"onSale": False}, 1, "is not on sale"),
    ],
)
def test_unsellable_items_cannot_be_ordered_and_stock_is_untouched(
    shop: Shop, services: Any, item: dict[str, Any], quantity: int, fragment: str
) -> None:
    ok, bad = shop.items({"quantity": 3}, item)
    answer = shop.control(
        "POST",
        f"/vendors/{shop.vendor_id}/orders",
        {"items": [{"vendorItemId": ok, "quantity": 1}, {"vendorItemId": bad, "quantity": quantity}]},
    )
    assert answer.status == 400 and fragment in answer.body["message"]
    assert shop.stock(services, ok) == 3  # the whole order rolled back


def test_registered_products_can_be_ordered(shop: Shop, services: Any) -> None:
    """Items registered and approved through the products API (shop.seller.quick): names, shipping
    place and stock come from the product."""
    approved = shop.seller.quick({"itemName": "빨강", "quantity": 4}, approve=True)
    (vid,) = approved["vendorItemIds"]
    box_id = shop.order((vid, 3))["shipmentBoxIds"][0]
    line = shop.box(box_id).data["orderItems"][0]
    assert line["sellerProductId"] == approved["sellerProductId"] and line["sellerProductItemName"] == "빨강"
    assert shop.stock(services, vid) == 1
    with services.store.transaction(shop.vendor_id) as tx:
        place = tx.get("boxes", box_id)["outboundShippingPlaceCode"]
    assert place == approved["outboundShippingPlaceCode"]


def test_unknown_item_cannot_be_ordered(shop: Shop) -> None:
    answer = shop.control("POST", f"/vendors/{shop.vendor_id}/orders", {"items": [{"vendorItemId": 1, "quantity": 1}]})
    assert answer.status == 400


def test_buyer_data_is_korean_masked_safe_numbers_and_deterministic() -> None:
    one = order_placing.buyer_profile(7, "A00012345", 1234)
    assert one == order_placing.buyer_profile(7, "A00012345", 1234)
    assert one != order_placing.buyer_profile(8, "A00012345", 1234)
    orderer, receiver, _message, refer = one
    assert re.match(r"^.\*.$", orderer["name"]) and orderer["email"] == "" and orderer["ordererNumber"] is None
    assert receiver["safeNumber"].startswith("0504-") and receiver["receiverNumber"] is None
    assert refer in order_placing.REFERS


def test_given_orderer_receiver_and_paid_at_are_used(shop: Shop) -> None:
    (vid,) = shop.items({})
    receiver = {"name": "김*수", "addr1": "제주특별자치도 제주시 첨단로 242", "addr2": "1층", "postCode": "63309"}
    placed = shop.order((vid, 1), receiver=receiver, paidAt="2026-03-01T09:00:00+09:00")
    sheet = shop.box(placed["shipmentBoxIds"][0]).data
    assert sheet["receiver"]["addr1"] == receiver["addr1"] and sheet["remoteArea"] is True
    assert sheet["paidAt"] == "2026-03-01T09:00:00.000000+09:00"
    assert sheet["remotePrice"] == {"currencyCode": "KRW", "units": 3000, "nanos": 0}


# ---------------------------------------------------------------- order-sheet reads


def test_v5_order_sheet_uses_i18n_formats(shop: Shop) -> None:
    vid, order_id, box_id = shop.one_box(
        quantity=2, salePrice=15000, sellerProductName="테스트 티셔츠", itemName="블랙 M"
    )
    answer = shop.box(box_id)
    assert answer.status == 200 and answer.body["code"] == "200"
    sheet = answer.data
    assert sheet["orderId"] == order_id and sheet["status"] == "ACCEPT"
    assert KST_ISO.match(sheet["orderedAt"]) and KST_ISO.match(sheet["paidAt"])
    assert sheet["orderer"]["safeNumber"].startswith("+82-504-")
    line = sheet["orderItems"][0]
    assert line["vendorItemId"] == vid and line["vendorItemName"] == "테스트 티셔츠, 블랙 M"
    assert line["salesPrice"] == {"currencyCode": "KRW", "units": 15000, "nanos": 0}
    assert line["orderPrice"]["units"] == 30000
    assert line["estimatedShippingDate"] == "2026-03-04" and line["invoiceNumberUploadDate"] == ""
    assert (sheet["invoiceNumber"], sheet["deliveryCompanyName"], sheet["inTrasitDateTime"]) == ("", "", "")
    assert sheet["overseaShippingInfoDto"] == {
        "personalCustomsClearanceCode": "",
        "ordererSsn": "",
        "ordererPhoneNumber": "",
    }
    assert sheet["extraProperties"] == {"sameDayShipping": "false", "cutOffTimeHour": "0"}
    assert sheet["isCod"] is False and sheet["shipmentType"] == "THIRD_PARTY"


def test_v4_order_sheet_uses_legacy_formats(shop: Shop) -> None:
    _vid, _order_id, box_id = shop.one_box(salePrice=9900)
    shop.ack(box_id)
    shop.ship(box_id)
    shop.track(box_id, "DELIVERED")
    sheet = shop.box(box_id, legacy=True).data
    assert LEGACY_T.match(sheet["orderedAt"]) and LEGACY_T.match(sheet["paidAt"])
    assert LEGACY_SPACE.match(sheet["inTrasitDateTime"]) and LEGACY_SPACE.match(sheet["deliveredDate"])
    assert sheet["orderItems"][0]["salesPrice"] == 9900 and sheet["shippingPrice"] == 0
    assert LEGACY_T.match(sheet["orderItems"][0]["invoiceNumberUploadDate"])
    assert sheet["orderer"]["safeNumber"].startswith("0504-")


def test_by_order_id_and_its_errors(shop: Shop) -> None:
    a, b = shop.items({"outboundShippingPlaceCode": 1}, {"outboundShippingPlaceCode": 2})
    placed = shop.order((a, 1), (b, 1))
    answer = shop.by_order(placed["orderId"])
    assert answer.body["code"] == "200"
    assert [sheet["shipmentBoxId"] for sheet in answer.data] == placed["shipmentBoxIds"]
    unknown = shop.by_order(99999999999999)
    assert (unknown.status, unknown.body["message"]) == (400, "유효하지 않은 주문번호 입니다.")
    assert shop.buyer_cancel(placed["orderId"]).status == 200
    gone = shop.by_order(placed["orderId"])
    assert (gone.status, gone.body["message"]) == (400, "해당 주문이 취소 또는 반품 되었습니다.")
    box = shop.box(placed["shipmentBoxIds"][0])
    assert (box.status, box.body["message"]) == (400, "해당 주문이 취소 또는 반품되었습니다.")


def test_another_vendors_order_is_refused_as_such(shop: Shop) -> None:
    other = shop.ok("POST", "/vendors", {})["vendorId"]
    item = shop.ok(
        "POST",
        f"/vendors/{other}/catalog/items",
        {"items": [{"itemName": "남의 옵션", "salePrice": 5000, "quantity": 3}]},
    )
    foreign = shop.ok(
        "POST", f"/vendors/{other}/orders", {"items": [{"vendorItemId": item["vendorItemIds"][0], "quantity": 1}]}
    )
    answer = shop.by_order(foreign["orderId"])
    assert (answer.status, answer.body["message"]) == (400, "다른 판매자의 주문을 조회할 수 없습니다.")
    # one digit off the other vendor's order: an id nobody was given
    assert shop.by_order(foreign["orderId"] + 10**8).body["message"] == "유효하지 않은 주문번호 입니다."


GATEWAY_MISMATCH = "The vendorId in path or requestBody doesn't match the one got from api-gateway."


@pytest.mark.parametrize(
    ("version", "tail", "message"),
    [
        ("v5", "ordersheets", "Invalid vendor ID"),
        ("v4", "ordersheets", "Invalid vendor ID"),
        ("v5", "ordersheets/{box}", "Invalid vendor ID"),
        ("v4", "ordersheets/{box}", "Invalid vendor ID"),
        ("v5", "ordersheets/{box}/history", "Invalid vendor ID"),
        ("v4", "ordersheets/{box}/history", "Invalid vendor ID"),
        # the catalogue names no service text for the orderId read: the gateway's refusal
        ("v5", "{order}/ordersheets", GATEWAY_MISMATCH),
        ("v4", "{order}/ordersheets", GATEWAY_MISMATCH),
    ],
)
def test_reads_with_another_vendor_in_the_path(shop: Shop, version: str, tail: str, message: str) -> None:
    other = shop.ok("POST", "/vendors", {})["vendorId"]
    _vid, order_id, box_id = shop.one_box()
    path = f"/v2/providers/openapi/apis/api/{version}/vendors/{other}/" + tail.format(box=box_id, order=order_id)
    query = {"createdAtFrom": TODAY, "createdAtTo": TODAY, "status": "ACCEPT"} if tail == "ordersheets" else None
    answer = shop.call("GET", path, query)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": message})


def test_acknowledgement_for_another_vendor_is_the_gateways_refusal(shop: Shop) -> None:
    other = shop.ok("POST", "/vendors", {})["vendorId"]
    _vid, _order, box_id = shop.one_box()
    body = {"vendorId": other, "shipmentBoxIds": [box_id]}
    answer = shop.call("PUT", f"{shop.v4}/ordersheets/acknowledgement", body=body)
    assert (answer.status, answer.body) == (400, {"code": 400, "message": GATEWAY_MISMATCH})
    assert shop.status(box_id) == "ACCEPT"


def test_history_lists_every_status_newest_first(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id)
    shop.track(box_id, "PICKED_UP")
    details = shop.history(box_id).data["details"]
    assert [d["deliveryStatus"] for d in details] == ["DELIVERING", "DEPARTURE", "INSTRUCT", "ACCEPT"]
    assert [d["deliveryStatusDesc"] for d in details] == ["배송중", "배송지시", "상품준비중", "결제완료"]
    assert all(KST_ISO.match(d["updatedAt"]) for d in details)
    missing = shop.history(123456789012345678)
    assert (missing.status, missing.body["message"]) == (500, "Internal Exception")


def test_daily_list_filters_by_status_and_pages_with_next_token(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 50})
    boxes = [shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(5)]
    shop.ack(boxes[0])
    seen, token, pages = [], None, 0
    while True:
        extra = {"maxPerPage": 2, **({"nextToken": token} if token else {})}
        answer = shop.listing("ACCEPT", f"{TODAY}+09:00", f"{TODAY}+09:00", **extra)
        assert answer.status == 200 and answer.body["code"] == 200
        seen += [sheet["shipmentBoxId"] for sheet in answer.data]
        token, pages = answer.body["nextToken"], pages + 1
        if not token:
            break
    assert seen == boxes[1:] and pages == 2
    instruct = shop.listing("INSTRUCT", TODAY, TODAY, legacy=True)
    assert [sheet["shipmentBoxId"] for sheet in instruct.data] == [boxes[0]]
    assert shop.listing("ACCEPT", "2026-02-01", "2026-03-01").data == []


def test_paging_returns_every_box_once_for_any_page_size(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 50})
    boxes = [shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(9)]
    shop.ack(*boxes[::3])
    expected = {"ACCEPT": [b for b in boxes if b not in boxes[::3]], "INSTRUCT": boxes[::3]}

    @given(size=st.integers(1, 50), status=st.sampled_from(sorted(expected)), legacy=st.booleans())
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def pages_cover_the_status_once(size: int, status: str, legacy: bool) -> None:
        seen: list[int] = []
        token = None
        for _ in range(len(boxes) + 1):
            extra = {"maxPerPage": size, **({"nextToken": token} if token else {})}
            answer = shop.listing(status, TODAY, TODAY, legacy=legacy, **extra)
            assert answer.status == 200 and len(answer.data) <= size
            seen += [sheet["shipmentBoxId"] for sheet in answer.data]
            token = answer.body["nextToken"]
            if not token:
                break
        assert seen == expected[status]

    pages_cover_the_status_once()


@pytest.mark.parametrize(
    ("created_from", "created_to", "ok"),
    [
        ("2026-01-30", "2026-03-02", True),
        ("2026-01-29", "2026-03-02", False),
        ("2026-02-01+09:00", "2026-03-05+09:00", False),
    ],
)
def test_daily_window_is_at_most_31_days(shop: Shop, created_from: str, created_to: str, ok: bool) -> None:
    answer = shop.listing("ACCEPT", created_from, created_to)
    if ok:
        assert answer.status == 200
    else:
        assert (answer.status, answer.body["message"]) == (400, "endTime-startTime range should less than31.")


def test_time_frame_mode_returns_the_whole_window_without_paging(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 60})
    for _ in range(3):
        shop.order((vid, 1))
    answer = shop.listing("ACCEPT", f"{TODAY}T09:50+09:00", f"{TODAY}T10:10+09:00", searchType="timeFrame")
    assert answer.status == 200 and len(answer.data) == 3 and "nextToken" not in answer.body
    assert shop.listing("ACCEPT", f"{TODAY}T10:01", f"{TODAY}T10:30", searchType="timeFrame", legacy=True).data == []
    too_long = shop.listing("ACCEPT", f"{TODAY}T00:00+09:00", "2026-03-03T00:00+09:00", searchType="timeFrame")
    assert (too_long.status, too_long.body["message"]) == (400, "endTime-startTime range should less than 0 day")


def test_consistency_lag_hides_new_orders_from_lists_but_not_from_get(shop: Shop) -> None:
    shop.policy(listLagSeconds=600)
    _vid, _order, box_id = shop.one_box()
    assert shop.listing("ACCEPT", TODAY, TODAY).data == []
    assert shop.box(box_id).status == 200
    shop.advance(600)
    assert [s["shipmentBoxId"] for s in shop.listing("ACCEPT", TODAY, TODAY).data] == [box_id]


# ---------------------------------------------------------------- acknowledgement


def test_acknowledge_moves_accept_to_instruct_and_is_refused_twice(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    first = shop.ack(box_id)
    assert first.body["code"] == "200"
    assert (
        first.data["responseCode"] == 0
        and first.data["responseMessage"] == "apply instructStatus result - All succeeded."
    )
    assert first.data["responseKey"] < 0
    assert first.data["responseList"] == [
        {
            "shipmentBoxId": box_id,
            "succeed": True,
            "resultCode": "OK",
            "retryRequired": False,
            "resultMessage": "request succeeded.",
        }
    ]
    assert shop.status(box_id) == "INSTRUCT"
    assert first.body["message"] == "OK"
    again = shop.ack(box_id)
    assert again.status == 200 and again.data["responseCode"] == 99
    assert again.body["message"] == f"OK Failed shipmentBoxIds: [{box_id}]"
    assert again.data["responseList"][0]["resultMessage"] == "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요."
    assert again.data["responseList"][0]["succeed"] is False


def test_acknowledge_partial_with_unknown_box(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    unknown = 123456789012345679
    answer = shop.ack(box_id, unknown)
    assert answer.data["responseCode"] == 1
    assert answer.data["responseMessage"] == "apply instructStatus result - Partial errors."
    assert answer.data["responseList"][1] == {
        "shipmentBoxId": unknown,
        "succeed": False,
        "resultCode": "NOT_FOUND_SHIPMENT_BOX",
        "retryRequired": True,
        "resultMessage": f"shipmentBoxId ({unknown}) is not found.",
    }


def test_acknowledge_names_the_boxes_already_instruct_or_departure(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 20})
    fresh, instruct, departure, delivering, delivered = (shop.order((vid, 1))["shipmentBoxIds"][0] for _ in range(5))
    for box_id in (instruct, departure, delivering, delivered):
        assert shop.ack(box_id).data["responseCode"] == 0
    for box_id in (departure, delivering, delivered):
        assert shop.ship(box_id).data["responseCode"] == 0
    shop.track(delivering, "PICKED_UP")
    shop.track(delivered, "DELIVERED")
    unknown = 123456789012345679
    asked = [departure, fresh, delivering, unknown, instruct, delivered]
    statuses = {box_id: shop.status(box_id) for box_id in asked}
    answer = shop.ack(*asked)
    assert answer.status == 200
    assert answer.body["message"] == f"OK Failed shipmentBoxIds: [{departure}, {instruct}]"
    assert answer.body["code"] == "200" and answer.data["responseCode"] == 1
    assert [row["succeed"] for row in answer.data["responseList"]] == [False, True, False, False, False, False]
    assert [row["resultCode"] for row in answer.data["responseList"]] == [
        "INVALID_STATUS",
        "OK",
        "INVALID_STATUS",
        "NOT_FOUND_SHIPMENT_BOX",
        "INVALID_STATUS",
        "INVALID_STATUS",
    ]
    assert {box_id: shop.status(box_id) for box_id in asked} == {**statuses, fresh: "INSTRUCT"}
    # only boxes past ACCEPT for another reason: the plain "OK"
    assert shop.ack(delivering, delivered, unknown).body["message"] == "OK"


def test_acknowledge_waits_for_a_refund_in_progress(shop: Shop) -> None:
    shop.policy(refundDelaySeconds=300)
    a, b = shop.items({}, {})
    placed = shop.order((a, 2), (b, 1))
    box_id = placed["shipmentBoxIds"][0]
    cancel = shop.buyer_cancel(placed["orderId"], (a, 1))
    assert cancel.body["receipts"][0]["refunded"] is False
    assert shop.box(box_id).data["orderItems"][0]["holdCountForCancel"] == 1
    refused = shop.ack(box_id)
    assert refused.data["responseCode"] == 99 and refused.body["message"] == "OK"  # still ACCEPT
    assert refused.data["responseList"][0]["resultMessage"] == "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요."
    shop.advance(300)
    line = shop.box(box_id).data["orderItems"][0]
    assert (line["holdCountForCancel"], line["cancelCount"]) == (0, 1)
    assert shop.ack(box_id).data["responseCode"] == 0


# ---------------------------------------------------------------- invoices


def test_upload_invoice_ships_the_box(shop: Shop) -> None:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    answer = shop.upload(shop.invoice_line({"shipmentBoxId": box_id, "orderId": order_id}, vid))
    assert answer.body == {
        "code": "200",
        "message": "OK",
        "data": {
            "responseCode": 0,
            "responseMessage": "SUCCESS",
            "responseList": [
                {
                    "shipmentBoxId": box_id,
                    "succeed": True,
                    "resultCode": "OK",
                    "retryRequired": False,
                    "resultMessage": None,
                }
            ],
        },
    }
    sheet = shop.box(box_id).data
    assert sheet["status"] == "DEPARTURE" and sheet["invoiceNumber"] == CJ_INVOICE
    assert sheet["deliveryCompanyName"] == "CJ 대한통운" and KST_ISO.match(sheet["inTrasitDateTime"])
    assert KST_ISO.match(sheet["orderItems"][0]["invoiceNumberUploadDate"])


def test_direct_delivery_is_never_tracked(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    assert shop.ship(box_id, code="DIRECT", number="202002031830").data["responseCode"] == 0
    assert shop.status(box_id) == "NONE_TRACKING"
    assert shop.track(box_id, "DELIVERED").status == 409


@pytest.mark.parametrize("status", ["ACCEPT", "DEPARTURE"])
def test_upload_on_a_box_not_in_instruct_is_invalid_status(shop: Shop, status: str) -> None:
    vid, order_id, box_id = shop.one_box()
    if status == "DEPARTURE":
        shop.ack(box_id)
        shop.ship(box_id)
    before = shop.box(box_id).data
    answer = shop.upload(
        shop.invoice_line({"shipmentBoxId": box_id, "orderId": order_id}, vid, invoiceNumber="999999999999")
    )
    assert answer.status == 200 and answer.data["responseCode"] == 99 and answer.data["responseMessage"] == "FAILED"
    assert answer.data["responseList"] == [
        {
            "shipmentBoxId": box_id,
            "succeed": False,
            "resultCode": "INVALID_STATUS",
            "retryRequired": False,
            "resultMessage": f"배송진행상태가 유효하지 않습니다. [합포장번호 : {box_id}] [주문번호 : {order_id}]",
        }
    ]
    assert shop.box(box_id).data == before


@pytest.mark.parametrize(
    ("code", "number", "message"),
    [
        ("NOPE", "123456789012", "invalid delivery company code:"),
        ("KOREX", "123456789012", "invalid delivery company code:"),
        ("CJGLS", "62551234632", "CJ 대한통운의 송장번호 형식에 맞지않는 운송장 번호 입니다. [625*****632]"),
        (
            "CJGLS",
            "6257-6112-10",
            "CJ 대한통운의 운송장번호는 숫자로만 구성되어야 합니다. InvoiceNumber must be number. [6257*****-10]",
        ),
        ("DIRECT", "AB-1", "업체직송의 운송장번호는 숫자로만 구성되어야 합니다. InvoiceNumber must be number. [***]"),
        ("HANJIN", "95612734", "한진택배의 송장번호 형식에 맞지않는 운송장 번호 입니다. [95***734]"),
        ("EPOST", "690000414760", "우체국의 송장번호 형식에 맞지않는 운송장 번호 입니다. [6900*****760]"),
    ],
)
def test_courier_code_and_invoice_format_reject_the_request(shop: Shop, code: str, number: str, message: str) -> None:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    answer = shop.upload(
        shop.invoice_line(
            {"shipmentBoxId": box_id, "orderId": order_id}, vid, deliveryCompanyCode=code, invoiceNumber=number
        )
    )
    assert (answer.status, answer.body["message"]) == (400, message)
    assert shop.status(box_id) == "INSTRUCT"


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("CJGLS", "1234567890"),
        ("HYUNDAI", "1234567890123"),
        ("KGB", "20286005541"),
        ("KDEXP", "12345678"),
        ("DHL", "RX614299816DE"),
    ],
)
def test_valid_invoice_formats_are_accepted(shop: Shop, code: str, number: str) -> None:
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    assert shop.ship(box_id, code=code, number=number).data["responseCode"] == 0


def test_invoice_number_reuse_needs_the_same_receiver(shop: Shop) -> None:
    (vid,) = shop.items({"quantity": 10})
    same = {"name": "이*우", "addr1": "서울특별시 강남구 테헤란로 152", "addr2": "101동 101호", "postCode": "06236"}
    other = {**same, "name": "박*준"}
    boxes = [shop.order((vid, 1), receiver=receiver)["shipmentBoxIds"][0] for receiver in (same, same, other)]
    for box_id in boxes:
        shop.ack(box_id)
    assert shop.ship(boxes[0], number="300000010634", code="HANJIN").data["responseCode"] == 0
    assert shop.ship(boxes[1], number="300000010634", code="HANJIN").data["responseCode"] == 0
    refused = shop.ship(boxes[2], number="300000010634", code="HANJIN").data["responseList"][0]
    assert refused["resultCode"] == "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD"
    assert (
        refused["resultMessage"]
        == "이미 저장된 송장번호가 있어, 송장번호 등록이 불가능합니다. (동일송장번호 업로드 조건 : 수취인정보 동일)"
    )
    assert shop.status(boxes[2]) == "INSTRUCT"
    assert shop.ship(boxes[2], number="300000010634", code="DIRECT").data["responseCode"] == 0


def test_every_line_of_the_box_must_be_sent(shop: Shop) -> None:
    a, b = shop.items({}, {})
    placed = shop.order((a, 1), (b, 1))
    box = {"shipmentBoxId": placed["shipmentBoxIds"][0], "orderId": placed["orderId"]}
    shop.ack(box["shipmentBoxId"])
    result = shop.upload(shop.invoice_line(box, a)).data["responseList"][0]
    assert (result["resultCode"], result["resultMessage"]) == (
        "NOT_FOUND_VENDOR_ITEM",
        "합포장건 중 누락된 상품이 있습니다.",
    )


def test_unknown_box_in_an_invoice_request(shop: Shop) -> None:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    good = shop.invoice_line({"shipmentBoxId": box_id, "orderId": order_id}, vid)
    bad = shop.invoice_line({"shipmentBoxId": 123456789012345670, "orderId": order_id}, vid, invoiceNumber="1234567890")
    answer = shop.upload(good, bad).data
    assert answer["responseCode"] == 1 and answer["responseMessage"] == "PARTIAL_ERROR"
    assert answer["responseList"][1]["resultCode"] == "NOT_FOUND_SHIPMENT_BOX"


def test_split_shipping_moves_the_shipped_line_to_a_new_box(shop: Shop) -> None:
    a, b = shop.items({}, {})
    placed = shop.order((a, 1), (b, 2))
    box_id, order_id = placed["shipmentBoxIds"][0], placed["orderId"]
    box = {"shipmentBoxId": box_id, "orderId": order_id}
    shop.ack(box_id)
    first = shop.upload(
        shop.invoice_line(box, a, deliveryCompanyCode="KDEXP", invoiceNumber="20251120040124", splitShipping=True),
        shop.invoice_line(
            box,
            b,
            deliveryCompanyCode="KDEXP",
            invoiceNumber="",
            splitShipping=True,
            estimatedShippingDate="2026-03-10",
        ),
    )
    assert first.data["responseCode"] == 0
    sheets = shop.by_order(order_id).data
    assert len(sheets) == 2
    original, shipped = sheets
    assert (
        original["shipmentBoxId"] == box_id and original["status"] == "INSTRUCT" and original["splitShipping"] is True
    )
    assert [line["vendorItemId"] for line in original["orderItems"]] == [b]
    assert original["orderItems"][0]["plannedShippingDate"] == "2026-03-10"
    assert shipped["status"] == "DEPARTURE" and [line["vendorItemId"] for line in shipped["orderItems"]] == [a]
    assert len(str(shipped["shipmentBoxId"])) == 18 and shipped["invoiceNumber"] == "20251120040124"
    # the date cannot change, the line must get an invoice, and the box cannot go back to normal shipping
    changed = shop.upload(
        shop.invoice_line(
            box, b, invoiceNumber="", splitShipping=True, preSplitShipped=True, estimatedShippingDate="2026-03-11"
        )
    )
    assert changed.data["responseList"][0]["resultCode"] == "PSD_NOT_ALLOW_TO_CHANGE"
    again = shop.upload(
        shop.invoice_line(
            box, b, invoiceNumber="", splitShipping=True, preSplitShipped=True, estimatedShippingDate="2026-03-10"
        )
    )
    assert again.data["responseList"][0]["resultCode"] == "NOT_FOUND_INVOICE_NUMBER"
    normal = shop.upload(shop.invoice_line(box, b, deliveryCompanyCode="KDEXP", invoiceNumber="20251128040555"))
    assert normal.data["responseList"][0]["resultCode"] == "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY"
    later = shop.upload(
        shop.invoice_line(
            box,
            b,
            deliveryCompanyCode="KDEXP",
            invoiceNumber="20251128040555",
            splitShipping=True,
            preSplitShipped=True,
        )
    )
    assert later.data["responseCode"] == 0
    assert shop.status(box_id) == "DEPARTURE"


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ("one-item", "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM"),
        ("direct", "NOT_ALLOW_VENDOR_DIRECT"),
    ],
)
def test_split_shipping_refusals(shop: Shop, lines: str, code: str) -> None:
    a, b = shop.items({}, {})
    placed = shop.order((a, 2)) if lines == "one-item" else shop.order((a, 1), (b, 1))
    box = {"shipmentBoxId": placed["shipmentBoxIds"][0], "orderId": placed["orderId"]}
    shop.ack(box["shipmentBoxId"])
    courier = "DIRECT" if lines == "direct" else "CJGLS"
    request = [shop.invoice_line(box, a, deliveryCompanyCode=courier, splitShipping=True, invoiceNumber="1234567890")]
    if lines == "direct":
        request.append(
            shop.invoice_line(
                box,
                b,
                deliveryCompanyCode=courier,
                splitShipping=True,
                invoiceNumber="",
                estimatedShippingDate="2026-03-10",
            )
        )
    result = shop.upload(*request).data["responseList"][0]
    assert (result["resultCode"], result["resultMessage"]) == (code, shipping.INVOICE_MESSAGES[code][0])
    assert shop.status(box["shipmentBoxId"]) == "INSTRUCT"


# invoice_result_codes of the catalogue, verbatim: (resultMessage, retryRequired)
INVOICE_RESULTS = {
    "NOT_FOUND_SHIPMENT_BOX": ("존재하지 않는 송장번호입니다.", False),
    "DUPLICATE_INVOICE_NUMBER": ("이미 저장된 송장번호가 있습니다.", True),
    "INVALID_INVOICE_NUMBER": ("송장번호가 유효하지 않습니다.", True),
    "ORDER_DELIVERY_CANCELED": ("취소된 주문건입니다.", False),
    "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED": ("출고중지 요청건입니다.", True),
    "NOT_FOUND_INVOICE_NUMBER": ("이미 출고 예정일이 등록된 상품이어서 운송장 번호를 입력하셔야 합니다.", False),
    "NOT_FOUND_VENDOR_ITEM": ("합포장건 중 누락된 상품이 있습니다.", False),
    "NOT_ALLOW_VENDOR_DIRECT": ("업체직송은 분리배송 할 수 없습니다.", False),
    "PSD_NOT_ALLOW_TO_CHANGE": ("출고예정일은 최초 등록 이후 변경 할 수 없습니다.", False),
    "NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY": ("일반배송 접수 후 분리배송을 다시 할 수 없습니다.", False),
    "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY": (
        "분리배송 접수 후 일반배송으로 처리 할 수 없습니다. 분리배송 여부를 Y로 수정하시기 바랍니다.",
        False,
    ),
    "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM": ("상품이 한가지인 경우 분리배송 할 수 없습니다.", False),
    "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD": (
        "이미 저장된 송장번호가 있어, 송장번호 등록이 불가능합니다. (동일송장번호 업로드 조건 : 수취인정보 동일)",
        False,
    ),
}


class Pair:
    """An acknowledged box with two different items (a ×1, b ×1)."""

    def __init__(self, shop: Shop, acknowledge: bool = True) -> None:
        self.shop = shop
        self.a, self.b = shop.items({}, {})
        placed = shop.order((self.a, 1), (self.b, 1))
        self.order_id, self.box_id = placed["orderId"], placed["shipmentBoxIds"][0]
        if acknowledge:
            shop.ack(self.box_id)

    def line(self, vid: int, **overrides: Any) -> dict[str, Any]:
        return self.shop.invoice_line({"shipmentBoxId": self.box_id, "orderId": self.order_id}, vid, **overrides)

    def split(self, **b_overrides: Any) -> Answer:
        planned = {"invoiceNumber": "", "estimatedShippingDate": "2026-03-10", **b_overrides}
        return self.shop.upload(
            self.line(self.a, splitShipping=True, invoiceNumber="223456789012"),
            self.line(self.b, splitShipping=True, **planned),
        )


Refusal = Callable[[], Answer]  # the refused request, its scene already set up


def _refuse_unknown_box(pair: Pair) -> Refusal:
    return lambda: pair.shop.upload({**pair.line(pair.a), "shipmentBoxId": 123456789012345670})


def _refuse_same_invoice_again(pair: Pair) -> Refusal:
    pair.shop.ship(pair.box_id, number="423456789012")
    return lambda: pair.shop.ship(pair.box_id, number="423456789012", update=True)


def _refuse_two_numbers(pair: Pair) -> Refusal:
    return lambda: pair.shop.upload(pair.line(pair.a), pair.line(pair.b, invoiceNumber="523456789012"))


def _refuse_cancelled_box(pair: Pair) -> Refusal:
    pair.shop.seller_cancel(pair.order_id, (pair.a, 1), (pair.b, 1))
    return lambda: pair.shop.upload(pair.line(pair.a), pair.line(pair.b))


def _refuse_partial_stop(pair: Pair) -> Refusal:
    pair.shop.buyer_cancel(pair.order_id, (pair.a, 1))
    return lambda: pair.shop.upload(pair.line(pair.b))


def _refuse_planned_without_invoice(pair: Pair) -> Refusal:
    pair.split()
    return lambda: pair.shop.upload(
        pair.line(pair.b, splitShipping=True, invoiceNumber="", estimatedShippingDate="2026-03-10")
    )


def _refuse_planned_date_change(pair: Pair) -> Refusal:
    pair.split()
    return lambda: pair.shop.upload(
        pair.line(pair.b, splitShipping=True, invoiceNumber="", estimatedShippingDate="2026-03-12")
    )


def _refuse_split_after_normal(pair: Pair) -> Refusal:
    pair.shop.ship(pair.box_id)
    return lambda: pair.shop.upload(
        pair.line(pair.a, splitShipping=True, invoiceNumber="623456789012"),
        pair.line(pair.b, splitShipping=True, invoiceNumber="723456789012"),
        update=True,
    )


def _refuse_normal_after_split(pair: Pair) -> Refusal:
    pair.split()
    return lambda: pair.shop.upload(pair.line(pair.b, invoiceNumber="823456789012"))


def _refuse_reuse_for_another_receiver(pair: Pair) -> Refusal:
    other = Pair(pair.shop)
    pair.shop.ship(other.box_id, number="923456789012")
    return lambda: pair.shop.ship(pair.box_id, number="923456789012")


def _refuse_split_of_one_item(pair: Pair) -> Refusal:
    vid, order_id, box_id = pair.shop.one_box(quantity=2)
    pair.shop.ack(box_id)
    box = {"shipmentBoxId": box_id, "orderId": order_id}
    return lambda: pair.shop.upload(pair.shop.invoice_line(box, vid, splitShipping=True))


INVOICE_REFUSALS: dict[str, Callable[[Pair], Refusal]] = {
    "NOT_FOUND_SHIPMENT_BOX": _refuse_unknown_box,
    "DUPLICATE_INVOICE_NUMBER": _refuse_same_invoice_again,
    "INVALID_INVOICE_NUMBER": _refuse_two_numbers,
    "ORDER_DELIVERY_CANCELED": _refuse_cancelled_box,
    "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED": _refuse_partial_stop,
    "NOT_FOUND_INVOICE_NUMBER": _refuse_planned_without_invoice,
    "NOT_FOUND_VENDOR_ITEM": lambda pair: lambda: pair.shop.upload(pair.line(pair.a)),
    "NOT_ALLOW_VENDOR_DIRECT": lambda pair: lambda: pair.split(deliveryCompanyCode="DIRECT"),
    "PSD_NOT_ALLOW_TO_CHANGE": _refuse_planned_date_change,
    "NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY": _refuse_split_after_normal,
    "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY": _refuse_normal_after_split,
    "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM": _refuse_split_of_one_item,
    "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD": _refuse_reuse_for_another_receiver,
}


@pytest.mark.parametrize("code", sorted(INVOICE_REFUSALS))
def test_invoice_line_refusals_answer_the_catalogued_text(shop: Shop, services: Any, code: str) -> None:
    pair = Pair(shop)
    refused = INVOICE_REFUSALS[code](pair)
    before = _snapshot(services, shop.vendor_id)
    answer = refused()
    result = answer.data["responseList"][0]
    assert answer.status == 200 and answer.data["responseCode"] in (1, 99)
    assert (result["succeed"], result["resultCode"]) == (False, code)
    assert (result["resultMessage"], result["retryRequired"]) == INVOICE_RESULTS[code]
    assert answer.data["responseCode"] == 99 and answer.data["responseMessage"] == "FAILED"
    assert _snapshot(services, shop.vendor_id) == before


def _snapshot(services: Any, vendor_id: str) -> dict[str, Any]:
    """Every document of the orders domain and the stock: what a refusal must leave untouched."""
    with services.store.transaction(vendor_id) as tx:
        return {
            kind: dict(tx.items(kind)) for kind in ("boxes", "orders", "orders-meta", "invoice-uses", "vendor-items")
        }


def test_the_invoice_result_table_is_the_catalogue() -> None:
    for code, (message, retry) in INVOICE_RESULTS.items():
        assert shipping.INVOICE_MESSAGES[code] == (message, retry)


def test_update_invoice_resets_to_departure(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id)
    shop.track(box_id, "DELIVERED")
    updated = shop.ship(box_id, code="HANJIN", number="310000010634", update=True)
    assert updated.body["code"] == 200 and updated.data["responseCode"] == 0
    sheet = shop.box(box_id).data
    assert (sheet["status"], sheet["invoiceNumber"], sheet["deliveryCompanyName"], sheet["deliveredDate"]) == (
        "DEPARTURE",
        "310000010634",
        "한진택배",
        "",
    )
    same = shop.ship(box_id, code="HANJIN", number="310000010634", update=True).data["responseList"][0]
    assert (same["resultCode"], same["resultMessage"]) == (
        "DUPLICATE_INVOICE_NUMBER",
        "이미 저장된 송장번호가 있습니다.",
    )
    assert shop.ship(box_id, code="DIRECT", number="1", update=True).data["responseCode"] == 0
    assert shop.status(box_id) == "NONE_TRACKING"


@pytest.mark.parametrize("acknowledged", [False, True])
def test_update_invoice_before_shipping_is_invalid_status(shop: Shop, acknowledged: bool) -> None:
    _vid, order_id, box_id = shop.one_box()
    if acknowledged:
        shop.ack(box_id)
    result = shop.ship(box_id, update=True).data["responseList"][0]
    assert result["resultCode"] == "INVALID_STATUS"
    assert (
        result["resultMessage"] == f"배송진행상태가 유효하지 않습니다. [합포장번호 : {box_id}] [주문번호 : {order_id}]"
    )


# ---------------------------------------------------------------- courier


def test_courier_scans_and_automatic_progression(shop: Shop) -> None:
    shop.policy(courierAuto=True, pickupAfterSeconds=3600, deliverAfterSeconds=7200, autoConfirmDays=7)
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id)
    shop.advance(3599)
    assert shop.status(box_id) == "DEPARTURE"
    shop.advance(1)
    assert shop.status(box_id) == "DELIVERING"
    shop.advance(7200 + 7 * DAY)  # delivery and auto-confirmation catch up in one go
    sheet = shop.box(box_id).data
    assert sheet["status"] == "FINAL_DELIVERY" and KST_ISO.match(sheet["deliveredDate"])
    assert KST_ISO.match(sheet["orderItems"][0]["confirmDate"])
    steps = [d["updatedAt"] for d in shop.history(box_id).data["details"]]
    assert steps == sorted(steps, reverse=True)


def test_courier_events_follow_the_table(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    assert shop.track(box_id, "PICKED_UP").status == 409
    shop.ack(box_id)
    shop.ship(box_id)
    assert shop.track(box_id, "DELIVERED").body == {"shipmentBoxId": box_id, "status": "FINAL_DELIVERY"}
    assert shop.track(box_id, "PICKED_UP").status == 409
    assert shop.track(box_id, "LOST").status == 400
    assert shop.track(123456789012345678, "DELIVERED").status == 404


def test_purchase_confirmation_by_the_buyer(shop: Shop) -> None:
    _vid, order_id, box_id = shop.one_box()
    confirm = f"/vendors/{shop.vendor_id}/orders/{order_id}/confirm"
    assert shop.control("POST", confirm).status == 409
    shop.ack(box_id)
    shop.ship(box_id)
    shop.track(box_id, "DELIVERED")
    assert shop.ok("POST", confirm)["confirmedShipmentBoxIds"] == [box_id]
    assert KST_ISO.match(shop.box(box_id).data["orderItems"][0]["confirmDate"])


def test_address_change_only_while_accept(shop: Shop) -> None:
    _vid, order_id, box_id = shop.one_box()
    path = f"/vendors/{shop.vendor_id}/orders/{order_id}/address"
    new = {"addr1": "서울특별시 송파구 송파대로 570", "addr2": "2층", "postCode": "05510"}
    assert shop.ok("POST", path, {"receiver": new})["shipmentBoxIds"] == [box_id]
    assert shop.box(box_id).data["receiver"]["addr2"] == "2층"
    shop.ack(box_id)
    assert shop.control("POST", path, {"receiver": {"addr2": "3층"}}).status == 409
    assert shop.box(box_id).data["receiver"]["addr2"] == "2층"


# ---------------------------------------------------------------- long-term undelivered


def test_long_term_undelivered_completion(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    early = shop.long_term(box_id, CJ_INVOICE)
    assert (early.status, early.body["message"]) == (400, "배송완료 처리 실패. 배송상태: ACCEPT")
    shop.ack(box_id)
    assert shop.long_term(box_id, CJ_INVOICE).body["message"] == "배송완료 처리 실패. 배송상태: INSTRUCT"
    shop.ship(box_id, number=CJ_INVOICE)
    shop.advance(29 * DAY)
    assert shop.long_term(box_id, CJ_INVOICE).body["message"] == "배송완료 처리 실패. 배송상태: DEPARTURE"
    shop.advance(DAY)
    assert shop.long_term(box_id, "999999999999").body["message"] == "배송완료 처리 실패. 배송상태: DEPARTURE"
    assert shop.status(box_id) == "DEPARTURE"
    done = shop.long_term(box_id, CJ_INVOICE)
    assert done.body == {"code": "200", "message": "SUCCESS", "data": True}
    assert shop.status(box_id) == "FINAL_DELIVERY"


def test_long_term_completion_of_direct_delivery_fails(shop: Shop) -> None:
    _vid, _order, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id, code="DIRECT", number="42")
    shop.advance(40 * DAY)
    answer = shop.long_term(box_id, "42")
    assert (answer.status, answer.body["message"]) == (400, "배송완료 처리 실패. 배송상태: NONE_TRACKING")


# ---------------------------------------------------------------- buyer cancel, stop shipment


def test_buyer_cancel_in_accept_is_refunded_and_restocked(shop: Shop, services: Any) -> None:
    a, b = shop.items({"quantity": 5}, {"quantity": 5})
    placed = shop.order((a, 2), (b, 1))
    box_id = placed["shipmentBoxIds"][0]
    receipt = shop.buyer_cancel(placed["orderId"], (a, 1)).body["receipts"][0]
    assert (receipt["receiptType"], receipt["receiptStatus"], receipt["refunded"]) == (
        "CANCEL",
        "RETURNS_COMPLETED",
        True,
    )
    line = shop.box(box_id).data["orderItems"][0]
    assert (line["shippingCount"], line["cancelCount"], line["canceled"]) == (2, 1, False)
    assert shop.stock(services, a) == 4
    shop.buyer_cancel(placed["orderId"])
    assert shop.box(box_id).status == 400
    assert (shop.stock(services, a), shop.stock(services, b)) == (5, 5)


def test_buyer_cancel_in_instruct_opens_a_stop_shipment_request(shop: Shop, services: Any) -> None:
    vid, order_id, box_id = shop.one_box(quantity=2)
    shop.ack(box_id)
    receipt = shop.buyer_cancel(order_id).body["receipts"][0]
    assert (receipt["receiptType"], receipt["receiptStatus"]) == ("RETURN", "RELEASE_STOP_UNCHECKED")
    with services.store.transaction(shop.vendor_id) as tx:
        doc = tx.get("receipts", receipt["receiptId"])
    assert doc["returnItems"][0]["releaseStatus"] == "N" and doc["releaseStopStatus"] == "미처리"
    assert doc["cancelCountSum"] == 2 and doc["returnItems"][0]["shipmentBoxId"] == box_id
    result = shop.ship(box_id).data["responseList"][0]
    assert (result["resultCode"], result["resultMessage"]) == ("ORDER_DELIVERY_CANCELED", "출고중지 요청건입니다.")
    assert shop.stock(services, vid) == 8  # not restocked until the stop is completed


def test_partial_stop_request_blocks_the_invoice(shop: Shop) -> None:
    a, b = shop.items({}, {})
    placed = shop.order((a, 1), (b, 1))
    box_id = placed["shipmentBoxIds"][0]
    shop.ack(box_id)
    shop.buyer_cancel(placed["orderId"], (a, 1))
    result = shop.ship(box_id).data["responseList"][0]
    assert (result["resultCode"], result["resultMessage"], result["retryRequired"]) == (
        "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED",
        "출고중지 요청건입니다.",
        True,
    )


def test_stop_shipment_completes_the_receipt_and_restocks(shop: Shop, services: Any) -> None:
    vid, order_id, box_id = shop.one_box(quantity=2)
    shop.ack(box_id)
    receipt_id = shop.buyer_cancel(order_id).body["receipts"][0]["receiptId"]
    wrong = shop.stop_shipment(receipt_id, 1)
    assert (wrong.status, wrong.body["message"]) == (400, "취소반품접수수량과 cancelCount가 일치하지 않습니다.")
    done = shop.stop_shipment(receipt_id, 2)
    assert done.body == {
        "code": "200",
        "message": "OK",
        "data": {"resultCode": "SUCCESS", "resultMessage": "출고중지완료요청이 성공하였습니다"},
    }
    assert shop.stock(services, vid) == 10
    assert shop.box(box_id).status == 400
    with services.store.transaction(shop.vendor_id) as tx:
        doc = tx.get("receipts", receipt_id)
    assert (doc["receiptStatus"], doc["returnItems"][0]["releaseStatus"], doc["releaseStopStatus"]) == (
        "RETURNS_COMPLETED",
        "S",
        "처리(출고중지)",
    )
    again = shop.stop_shipment(receipt_id, 2)
    assert (again.status, again.body["message"]) == (400, "이미 반품이 완료 되었습니다.")


def _cancel_receipt_pending_refund(shop: Shop) -> tuple[int, int]:
    shop.policy(refundDelaySeconds=60)
    _vid, order_id, box_id = shop.one_box()
    return shop.buyer_cancel(order_id).body["receipts"][0]["receiptId"], box_id


def _return_receipt_after(*events: str, code: str = "CJGLS") -> Callable[[Shop], tuple[int, int]]:
    """A shipped box (then the courier's events) and the customer's return of it."""

    def make(shop: Shop) -> tuple[int, int]:
        vid, order_id, box_id = shop.one_box()
        shop.ack(box_id)
        assert shop.ship(box_id, code=code).data["responseCode"] == 0
        for event in events:
            assert shop.track(box_id, event).status == 200
        body = {"items": [{"vendorItemId": vid, "quantity": 1}], "reasonCode": "CHANGEMIND"}
        answer = shop.control("POST", f"/vendors/{shop.vendor_id}/orders/{order_id}/returns", body)
        assert answer.status == 201, answer
        return answer.body["receiptId"], box_id

    return make


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (lambda shop: (987654321, None), 400, "취소반품접수내역이 존재하지 않습니다."),
        (_cancel_receipt_pending_refund, 400, "cancelType이 A 또는 RA가 아닙니다."),
        (_return_receipt_after(), 500, "출고 되어 처리할 수 없습니다."),
        (_return_receipt_after(code="DIRECT"), 500, "출고 되어 처리할 수 없습니다."),
        (_return_receipt_after("PICKED_UP"), 400, "상품준비 중 또는 배송지시 상태가 아닙니다. 배송중"),
        (_return_receipt_after("DELIVERED"), 400, "상품준비 중 또는 배송지시 상태가 아닙니다. 배송완료"),
    ],
    ids=["unknown", "cancel-receipt", "departure", "direct", "delivering", "delivered"],
)
def test_stop_shipment_refusals(
    shop: Shop, make: Callable[[Shop], tuple[int, int | None]], status: int, message: str
) -> None:
    receipt_id, box_id = make(shop)
    receipt_path = f"{shop.v4.replace('/v4/', '/v6/')}/returnRequests/{receipt_id}"
    receipt_before = shop.call("GET", receipt_path).body
    box_before = shop.box(box_id).body if box_id else None
    answer = shop.stop_shipment(receipt_id, 1)
    assert (answer.status, answer.body) == (status, {"code": status, "message": message})
    assert shop.call("GET", receipt_path).body == receipt_before
    assert (shop.box(box_id).body if box_id else None) == box_before


def test_already_shipped_sends_the_box_and_turns_the_receipt_into_a_return(shop: Shop, services: Any) -> None:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    receipt_id = shop.buyer_cancel(order_id).body["receipts"][0]["receiptId"]
    bad = shop.already_shipped(receipt_id, number="12-34")
    assert (bad.status, bad.body["message"]) == (400, f"송장번호가 유효하지 않습니다. [합포장번호 : {box_id}]")
    done = shop.already_shipped(receipt_id, code="KDEXP", number="70432743577")
    assert done.body["data"] == {"resultCode": "SUCCESS", "resultMessage": "이미출고 상태변경이 성공하였습니다."}
    sheet = shop.box(box_id).data
    assert (sheet["status"], sheet["invoiceNumber"]) == ("DEPARTURE", "70432743577")
    with services.store.transaction(shop.vendor_id) as tx:
        doc = tx.get("receipts", receipt_id)
    assert (doc["receiptStatus"], doc["returnItems"][0]["releaseStatus"], doc["releaseStopStatus"]) == (
        "RETURNS_UNCHECKED",
        "A",
        "처리(이미출고)",
    )
    assert shop.stock(services, vid) == 9
    late = shop.stop_shipment(receipt_id, 1)
    assert (late.status, late.body["message"]) == (500, "출고 되어 처리할 수 없습니다.")


def _receipt(shop: Shop, receipt_id: int) -> dict[str, Any]:
    (receipt,) = shop.call("GET", f"{shop.v4.replace('/v4/', '/v6/')}/returnRequests/{receipt_id}").data
    return receipt


def test_an_open_stop_request_of_a_box_that_left_becomes_a_return(shop: Shop, services: Any) -> None:
    """자동처리(이미출고): answering one request with already-shipped sends the box, and with it the units
    of the other request of that box, which then continues as a return."""
    vid, order_id, box_id = shop.one_box(quantity=3)
    shop.ack(box_id)
    first = shop.buyer_cancel(order_id, (vid, 1)).body["receipts"][0]["receiptId"]
    second = shop.buyer_cancel(order_id, (vid, 1)).body["receipts"][0]["receiptId"]
    assert shop.already_shipped(first).status == 200
    assert shop.status(box_id) == "DEPARTURE"
    auto = _receipt(shop, second)
    assert (auto["receiptStatus"], auto["releaseStopStatus"]) == ("RETURNS_UNCHECKED", "자동처리(이미출고)")
    assert [item["releaseStatus"] for item in auto["returnItems"]] == ["A"]
    assert _receipt(shop, first)["releaseStopStatus"] == "처리(이미출고)"
    late = shop.stop_shipment(second, 1)
    assert (late.status, late.body["message"]) == (500, "출고 되어 처리할 수 없습니다.")
    assert shop.box(box_id).data["orderItems"][0]["holdCountForCancel"] == 0  # all three units travel
    assert shop.stock(services, vid) == 7
    ids = {"vendorId": shop.vendor_id, "receiptId": second}
    assert shop.call("PUT", f"{shop.v5}/returnRequests/{second}/receiveConfirmation", body=ids).status == 200
    approved = shop.call("PUT", f"{shop.v5}/returnRequests/{second}/approval", body={**ids, "cancelCount": 1})
    assert approved.status == 200
    assert _receipt(shop, second)["receiptStatus"] == "RETURNS_COMPLETED"
    assert shop.stock(services, vid) == 8


def test_a_stop_request_with_a_box_still_at_the_seller_is_not_auto_processed(shop: Shop) -> None:
    a, b = shop.items({"outboundShippingPlaceCode": 1}, {"outboundShippingPlaceCode": 2})
    placed = shop.order((a, 2), (b, 1))
    box_a, box_b = placed["shipmentBoxIds"]
    shop.ack(box_a, box_b)
    first = shop.buyer_cancel(placed["orderId"], (a, 1)).body["receipts"][0]["receiptId"]
    (second,) = shop.buyer_cancel(placed["orderId"], (a, 1), (b, 1)).body["receipts"]
    assert {item["shipmentBoxId"] for item in _receipt(shop, second["receiptId"])["returnItems"]} == {box_a, box_b}
    assert shop.already_shipped(first).status == 200
    assert (shop.status(box_a), shop.status(box_b)) == ("DEPARTURE", "INSTRUCT")
    kept = _receipt(shop, second["receiptId"])
    assert (kept["receiptStatus"], kept["releaseStopStatus"]) == ("RELEASE_STOP_UNCHECKED", "미처리")


# ---------------------------------------------------------------- seller cancel (cancel-order-items)


def test_seller_cancel_in_accept_cancels_the_whole_box(shop: Shop, services: Any) -> None:
    a, b = shop.items({"quantity": 5}, {"quantity": 5})
    placed = shop.order((a, 1), (b, 2))
    partial = shop.seller_cancel(placed["orderId"], (a, 1))
    assert (partial.status, partial.body["message"]) == (400, "부분 취소는 불가능합니다.")
    answer = shop.seller_cancel(placed["orderId"], (a, 1), (b, 2))
    assert answer.status == 200 and answer.body["code"] == "200"
    assert answer.body["message"].startswith("[요청번호] ")
    (receipt,) = answer.data["receiptMap"].values()
    assert (receipt["receiptType"], receipt["vendorItemIds"], receipt["totalCount"]) == ("CANCEL", [a, b], 3)
    assert answer.data["failedVendorItemIds"] == [] and answer.data["orderId"] == placed["orderId"]
    assert (shop.stock(services, a), shop.stock(services, b)) == (5, 5)
    assert shop.box(placed["shipmentBoxIds"][0]).status == 400


def test_seller_cancel_in_instruct_is_a_partial_stop_shipment(shop: Shop, services: Any) -> None:
    a, b = shop.items({"quantity": 5}, {"quantity": 5})
    placed = shop.order((a, 2), (b, 1))
    box_id = placed["shipmentBoxIds"][0]
    shop.ack(box_id)
    answer = shop.seller_cancel(placed["orderId"], (a, 1), (999, 1))
    assert answer.status == 200 and answer.data["failedVendorItemIds"] == [999]
    assert "주문 정보가 없습니다.[999]" in answer.body["message"]
    (receipt,) = answer.data["receiptMap"].values()
    assert (receipt["receiptType"], receipt["totalCount"]) == ("STOP_SHIPMENT", 1)
    with services.store.transaction(shop.vendor_id) as tx:
        doc = tx.get("receipts", receipt["receiptId"])
    assert (doc["cancelReasonCategory1"], doc["cancelReasonCategory2"], doc["cancelReason"]) == (
        "배송불만",
        "품절",
        "파트너 API 강제 취소",
    )
    assert doc["returnItems"][0]["cancelCompleteUser"] == "3P_CANCEL"
    line = shop.box(box_id).data["orderItems"][0]
    assert (line["cancelCount"], shop.status(box_id), shop.stock(services, a)) == (1, "INSTRUCT", 4)


def test_seller_cancel_after_shipping_is_refused_and_changes_nothing(shop: Shop, services: Any) -> None:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id)
    before = shop.box(box_id).data
    answer = shop.seller_cancel(order_id, (vid, 1))
    assert (answer.status, answer.body["message"]) == (400, "해당 벤더아이템이 결제완료/상품지시 중 상태가 아닙니다.")
    assert shop.box(box_id).data == before and shop.stock(services, vid) == 9


def test_seller_cancel_of_more_than_remains(shop: Shop) -> None:
    vid, order_id, box_id = shop.one_box(quantity=2)
    shop.ack(box_id)
    answer = shop.seller_cancel(order_id, (vid, 3))
    assert (answer.status, answer.body["message"]) == (400, "취소 가능한 개수보다 요청한 개수가 더 많습니다.")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"orderId": 0}, "주문 ID를 입력해 주세요."),
        ({"vendorItemIds": []}, "취소할 벤더아이템 아이디 목록을 입력해주세요."),
        ({"receiptCounts": []}, "취소할 아이템 개수 목록을 입력해주세요."),
        ({"receiptCounts": [0]}, "취소할 아이템 개수 목록을 입력해주세요."),
        ({"receiptCounts": [1, 1]}, "요청한 상품 개수와 취소 개수를 확인해주세요."),
        ({"bigCancelCode": ""}, "취소사유 대분류 코드를 입력해주세요."),
        ({"bigCancelCode": "OTHER"}, "취소사유 대분류 코드를 확인해 주세요."),
        ({"middleCancelCode": ""}, "취소사유 중분류 코드를 입력해주세요."),
        ({"middleCancelCode": "CCXXXX"}, "취소사유 중분류 코드를 확인해 주세요."),
        ({"vendorId": None}, "업체 ID를 입력해주세요."),
        ({"userId": " "}, "업체 ID에 맞는 올바른 유저 ID를 입력해주세요."),
    ],
)
def test_seller_cancel_request_checks(shop: Shop, overrides: dict[str, Any], message: str) -> None:
    vid, order_id, box_id = shop.one_box()
    answer = shop.seller_cancel(order_id, (vid, 1), **overrides)
    assert (answer.status, answer.body["message"]) == (400, message)
    assert shop.status(box_id) == "ACCEPT"


def test_seller_cancel_of_an_unknown_order(shop: Shop) -> None:
    answer = shop.seller_cancel(12345678901234, (1, 1))
    assert (answer.status, answer.body["message"]) == (400, "주문 정보가 없습니다.")


# ---------------------------------------------------------------- catalog control route


def test_catalog_items_are_sellable_vendor_items(shop: Shop, services: Any) -> None:
    (vid,) = shop.items({"itemName": "블루 L", "salePrice": 12000, "quantity": 7, "outboundShippingPlaceCode": 123})
    with services.store.transaction(shop.vendor_id) as tx:
        item = tx.get("vendor-items", vid)
    assert (item["approved"], item["onSale"], item["quantity"], item["outboundShippingPlaceCode"]) == (
        True,
        True,
        7,
        123,
    )
    bad = shop.control(
        "POST",
        f"/vendors/{shop.vendor_id}/catalog/items",
        {"items": [{"itemName": "x", "salePrice": -1, "quantity": 1}]},
    )
    assert bad.status == 400
    assert (
        shop.control(
            "POST", "/vendors/Z99999999/catalog/items", {"items": [{"itemName": "x", "salePrice": 1, "quantity": 1}]}
        ).status
        == 404
    )


def test_policy_rejects_unknown_fields(shop: Shop) -> None:
    assert shop.control("PUT", f"/vendors/{shop.vendor_id}/order-policy", {"warp": 1}).status == 400
    assert shop.control("PUT", f"/vendors/{shop.vendor_id}/order-policy", {"courierAuto": "yes"}).status == 400
    assert shop.ok("GET", f"/vendors/{shop.vendor_id}/order-policy")["courierAuto"] is False


def test_update_accepts_the_official_example_quirks(shop: Shop) -> None:
    """The help-center example sends invoiceNumber as a number and the flags as "False"."""
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id)
    line = shop.invoice_line({"shipmentBoxId": box_id, "orderId": order_id}, vid, deliveryCompanyCode="HANJIN")
    line.update(invoiceNumber=310000010634, splitShipping="False", preSplitShipped="False")
    assert shop.upload(line, update=True).data["responseCode"] == 0
    assert shop.box(box_id).data["invoiceNumber"] == "310000010634"


# ---------------------------------------------------------------- responses match the spec

DOCUMENT = spec.load()
ORDER_OPERATIONS = sorted(
    (op for op in spec.iter_operations(DOCUMENT) if op.tag == "orders"), key=lambda op: op.operation_id
)
Sample = tuple[dict[str, Any], dict[str, Any] | None, Any]  # path params, query, body


def _sample_list(shop: Shop) -> list[Sample]:
    shop.one_box()
    minute = "2026-03-02T09:00+09:00", "2026-03-02T11:00+09:00"
    return [
        ({}, {"createdAtFrom": TODAY, "createdAtTo": TODAY, "status": "ACCEPT", "maxPerPage": 1}, None),
        (
            {},
            {"createdAtFrom": minute[0], "createdAtTo": minute[1], "status": "ACCEPT", "searchType": "timeFrame"},
            None,
        ),
        ({}, {"createdAtFrom": "2026-01-01", "createdAtTo": TODAY, "status": "ACCEPT"}, None),
    ]


def _shipped(shop: Shop) -> tuple[int, int, int]:
    vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    shop.ship(box_id, number=CJ_INVOICE)
    return vid, order_id, box_id


def _sample_box(shop: Shop) -> list[Sample]:
    _vid, _order, box_id = _shipped(shop)
    return [({"shipmentBoxId": box_id}, None, None), ({"shipmentBoxId": 123456789012345678}, None, None)]


def _sample_by_order(shop: Shop) -> list[Sample]:
    _vid, order_id, _box = _shipped(shop)
    return [({"orderId": order_id}, None, None), ({"orderId": 99999999999999}, None, None)]


def _sample_ack(shop: Shop) -> list[Sample]:
    first, second = shop.one_box()[2], shop.one_box()[2]
    shop.ack(second)
    body = {"vendorId": shop.vendor_id, "shipmentBoxIds": [first, second, 111111111111111111]}
    return [({}, None, body), ({}, None, {**body, "shipmentBoxIds": [first]})]


def _invoice_samples(shop: Shop, box_id: int) -> list[Sample]:
    sheet = shop.box(box_id).data
    line = shop.invoice_line(sheet, sheet["orderItems"][0]["vendorItemId"], invoiceNumber="223456789012")
    wrong = {**line, "shipmentBoxId": 111111111111111111}
    body = {"vendorId": shop.vendor_id, "orderSheetInvoiceApplyDtos": [line, wrong]}
    return [
        ({}, None, body),
        ({}, None, {**body, "orderSheetInvoiceApplyDtos": [{**line, "deliveryCompanyCode": "X"}]}),
    ]


def _sample_upload(shop: Shop) -> list[Sample]:
    box_id = shop.one_box()[2]
    shop.ack(box_id)
    return _invoice_samples(shop, box_id)


def _sample_update(shop: Shop) -> list[Sample]:
    return _invoice_samples(shop, _shipped(shop)[2])


def _stop_request(shop: Shop) -> int:
    _vid, order_id, box_id = shop.one_box()
    shop.ack(box_id)
    return shop.buyer_cancel(order_id).body["receipts"][0]["receiptId"]


def _sample_stop(shop: Shop) -> list[Sample]:
    receipt_id = _stop_request(shop)
    body = {"vendorId": shop.vendor_id, "receiptId": receipt_id, "cancelCount": 1}
    return [({"receiptId": receipt_id}, None, body), ({"receiptId": receipt_id}, None, body)]


def _sample_already_shipped(shop: Shop) -> list[Sample]:
    receipt_id = _stop_request(shop)
    body = {"vendorId": shop.vendor_id, "receiptId": receipt_id, "deliveryCompanyCode": "CJGLS"}
    return [
        ({"receiptId": receipt_id}, None, {**body, "invoiceNumber": "323456789012"}),
        ({"receiptId": 1}, None, body),
    ]


def _sample_cancel(shop: Shop) -> list[Sample]:
    a, b = shop.items({}, {})
    order_id = shop.order((a, 1), (b, 1))["orderId"]
    body = {
        "orderId": order_id,
        "vendorItemIds": [a, b],
        "receiptCounts": [1, 1],
        "bigCancelCode": "CANERR",
        "middleCancelCode": "CCTTER",
        "vendorId": shop.vendor_id,
        "userId": "wing_login_id_test",
    }
    return [({"orderId": order_id}, None, body), ({"orderId": order_id}, None, {**body, "bigCancelCode": "X"})]


def _sample_long_term(shop: Shop) -> list[Sample]:
    done, early = _shipped(shop)[2], _shipped(shop)[2]
    shop.advance(31 * DAY)
    shop.long_term(early, "1")
    return [
        ({}, None, {"shipmentBoxId": done, "invoiceNumber": CJ_INVOICE}),
        ({}, None, {"shipmentBoxId": early, "invoiceNumber": "1"}),
    ]


SAMPLES: dict[str, Callable[[Shop], list[Sample]]] = {
    "listOrdersheets": _sample_list,
    "getOrdersheetByShipmentboxid": _sample_box,
    "getOrdersheetsByOrderid": _sample_by_order,
    "getOrdersheetHistory": _sample_box,
    "acknowledgeOrdersheets": _sample_ack,
    "uploadInvoices": _sample_upload,
    "updateInvoices": _sample_update,
    "stopShipment": _sample_stop,
    "markAlreadyShipped": _sample_already_shipped,
    "cancelOrderItems": _sample_cancel,
    "completeLongTermUndelivery": _sample_long_term,
}


def _response_schema(op: spec.Operation, status: int) -> dict[str, Any]:
    responses = op.raw["responses"]
    assert str(status) in responses, f"{op.operation_id} answered {status}, which the spec does not declare"
    response = spec.deref(DOCUMENT, responses[str(status)])
    return next(media["schema"] for kind, media in response["content"].items() if "json" in kind)


def test_every_order_operation_has_a_response_sample() -> None:
    assert {op.handler_id for op in ORDER_OPERATIONS} == set(SAMPLES)
    assert len(ORDER_OPERATIONS) == 21


@pytest.mark.parametrize("op", ORDER_OPERATIONS, ids=lambda op: op.operation_id)
def test_responses_validate_against_the_spec(shop: Shop, op: spec.Operation) -> None:
    """A success and a refusal (or second mode) of every operation, each against its declared schema."""
    statuses = []
    for params, query, body in SAMPLES[op.handler_id](shop):
        path = op.path.format(vendorId=shop.vendor_id, **params)
        answer = shop.call(op.method, path, query, body)
        Draft202012Validator(_response_schema(op, answer.status)).validate(answer.body)
        statuses.append(answer.status)
    assert statuses[0] == 200, statuses
