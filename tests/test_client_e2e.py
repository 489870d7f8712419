"""End to end through the integrator's path: the pytest plugin's mock + the generated client, one flow per family.

Nothing here builds a URL: every seller call is a client method; the buyer, the courier and Coupang's
own staff are the mock's control plane (`coupang_mock.control`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coupang_mock.client import CoupangClient, CoupangError, NotFoundError, ValidationError
from tests.test_products_support import outbound_body, product_body, return_body

KST = timedelta(hours=9)
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 10:00 KST


class Flow:
    """The seller (client) and the world around it (control plane) of one fresh mock vendor."""

    def __init__(self, mock: Any, api: CoupangClient, clock: Any) -> None:
        self.mock = mock
        self.api = api
        self.clock = clock
        self.vendor_id = api.vendor_id
        self.invoices = 0

    def control(self, method: str, path: str, body: Any = None) -> Any:
        return self.mock.control(method, f"/vendors/{self.vendor_id}{path}", json=body)

    def today(self, days: int = 0) -> str:
        return (START + KST + timedelta(days=days)).strftime("%Y-%m-%d")

    # catalog --------------------------------------------------------------------------------------
    def centers(self) -> tuple[int, int]:
        outbound = self.api.logistics.create_outbound_shipping_center(body=outbound_body(self.vendor_id))
        returns = self.api.logistics.create_return_shipping_center(body=return_body(self.vendor_id))
        return int(outbound["resultMessage"]), int(returns["resultMessage"])

    def approved_product(self, items: int = 1) -> tuple[int, list[int]]:
        """Register, ask for approval, let Coupang's reviewer approve: (sellerProductId, vendorItemIds)."""
        outbound, return_code = self.centers()
        body = product_body(self.vendor_id, outbound, return_code, items=items)
        for item in body["items"]:  # above the quick-refund limit, so a return waits for the seller's approval
            item.update(originalPrice=160000, salePrice=150000)
        product_id = int(self.api.products.create(body=body))
        self.api.products.request_approval(seller_product_id=product_id)
        self.control("POST", f"/products/{product_id}/review", {"decision": "APPROVE"})
        product = self.api.products.get(seller_product_id=product_id)
        assert product["statusName"] == "승인완료", product["statusName"]
        return product_id, [item["vendorItemId"] for item in product["items"]]

    def sellable(self, count: int = 1, **item: Any) -> list[int]:
        # ₩150,000: above the quick-refund limit, so returns wait for the seller's approval
        entries = [{"itemName": f"옵션 {i}", "salePrice": 150000, "quantity": 10, **item} for i in range(count)]
        return self.control("POST", "/catalog/items", {"items": entries})["vendorItemIds"]

    # orders ---------------------------------------------------------------------------------------
    def order(self, vendor_item_id: int, quantity: int = 1) -> tuple[int, int]:
        placed = self.control("POST", "/orders", {"items": [{"vendorItemId": vendor_item_id, "quantity": quantity}]})
        return placed["orderId"], placed["shipmentBoxIds"][0]

    def ship(self, box_id: int) -> dict[str, Any]:
        self.invoices += 1
        invoice = f"5{self.invoices:011d}"  # one invoice number per box: reuse across boxes is refused
        self.api.orders.acknowledge_ordersheets(body={"vendorId": self.vendor_id, "shipmentBoxIds": [box_id]})
        sheet = self.api.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)
        lines = [
            {
                "shipmentBoxId": box_id,
                "orderId": sheet["orderId"],
                "vendorItemId": line["vendorItemId"],
                "deliveryCompanyCode": "CJGLS",
                "invoiceNumber": invoice,
                "splitShipping": False,
                "preSplitShipped": False,
                "estimatedShippingDate": "",
            }
            for line in sheet["orderItems"]
        ]
        result = self.api.orders.upload_invoices(body={"vendorId": self.vendor_id, "orderSheetInvoiceApplyDtos": lines})
        assert result["responseCode"] == 0, result  # HTTP 200 even when a line failed
        return result

    def delivered(self, quantity: int = 1) -> tuple[int, int, int]:
        (vid,) = self.sellable()
        order_id, box_id = self.order(vid, quantity)
        self.ship(box_id)
        self.control("POST", f"/shipments/{box_id}/track", {"event": "DELIVERED"})
        return vid, order_id, box_id


@pytest.fixture
def flow(coupang_mock: Any, coupang_client: CoupangClient, coupang_clock: Any) -> Iterator[Flow]:
    coupang_clock.set(START)
    yield Flow(coupang_mock, coupang_client, coupang_clock)


# ---------------------------------------------------------------- the README flow


def test_main_flow_centers_product_approval_order_acknowledge_invoice_return(flow: Flow) -> None:
    api = flow.api
    _product_id, (vid,) = flow.approved_product()
    order_id, box_id = flow.order(vid, 2)

    window = {"created_at_from": f"{flow.today()}+09:00", "created_at_to": f"{flow.today()}+09:00"}
    accepted = list(api.orders.list_ordersheets_all(status="ACCEPT", **window))
    assert [sheet["shipmentBoxId"] for sheet in accepted] == [box_id]

    result = flow.ship(box_id)
    assert result["responseCode"] == 0 and result["responseList"][0]["succeed"] is True
    assert api.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)["status"] == "DEPARTURE"

    flow.control("POST", f"/shipments/{box_id}/track", {"event": "DELIVERED"})
    receipt_id = flow.control(
        "POST",
        f"/orders/{order_id}/returns",
        {"items": [{"vendorItemId": vid, "quantity": 2}], "reasonCode": "DAMAGED"},
    )["receiptId"]
    (receipt,) = api.returns.get(receipt_id=receipt_id)
    assert receipt["receiptStatus"] == "RETURNS_UNCHECKED"
    api.returns.confirm_receipt(receipt_id=receipt_id, body={"vendorId": flow.vendor_id, "receiptId": receipt_id})
    api.returns.approve(
        receipt_id=receipt_id, body={"vendorId": flow.vendor_id, "receiptId": receipt_id, "cancelCount": 2}
    )
    assert api.returns.get(receipt_id=receipt_id)[0]["receiptStatus"] == "RETURNS_COMPLETED"


# ---------------------------------------------------------------- gateway behaviour as an integrator sees it


def test_429_is_retried_with_backoff_and_hooks_see_every_attempt(coupang_mock: Any) -> None:
    slept: list[float] = []
    seen: list[tuple[str, int | None]] = []
    api = coupang_mock.client(
        sleep=slept.append,
        on_request=lambda method, path, query, body: seen.append((method, None)),
        on_response=lambda method, path, response, seconds: seen.append((method, response.status)),
    )
    coupang_mock.control(
        "POST",
        "/faults",
        json={"operationId": "listDisplayCategories", "vendorId": api.vendor_id, "status": 429, "count": 2},
    )
    assert api.categories.list()["child"]
    assert len(slept) == 2 and all(delay > 0 for delay in slept)
    assert seen == [("GET", None), ("GET", 429)] * 2 + [("GET", None), ("GET", 200)]


def test_a_refusal_is_a_typed_error_with_coupangs_code_and_message(coupang_client: CoupangClient) -> None:
    body = {"vendorId": coupang_client.vendor_id, "receiptId": 1, "cancelCount": 1}
    with pytest.raises(ValidationError) as refused:
        coupang_client.returns.approve(receipt_id=1, body=body)
    assert (refused.value.status, refused.value.message) == (400, "취소반품접수내역이 존재하지 않습니다.")
    assert refused.value.response is not None and refused.value.body["message"] == refused.value.message


# ---------------------------------------------------------------- one flow per family


def test_logistics_centers_through_the_client(flow: Flow) -> None:
    api = flow.api.logistics
    outbound, return_code = flow.centers()
    places = list(api.list_outbound_shipping_places_all(page_size=1))
    assert [p["outboundShippingPlaceCode"] for p in places] == [outbound]
    by_code = api.get_return_shipping_centers_by_code(return_center_codes=[str(return_code)])
    assert [c["returnCenterCode"] for c in by_code] == [str(return_code)]
    centers = list(api.list_return_shipping_centers_all())
    legacy = list(api.list_return_shipping_centers_all(legacy=True))
    assert [c["returnCenterCode"] for c in centers] == [c["returnCenterCode"] for c in legacy] == [str(return_code)]
    with pytest.raises(ValidationError) as refused:
        api.create_outbound_shipping_center(body=outbound_body(flow.vendor_id))  # same name twice
    assert refused.value.message and flow.api.last_response is not None
    assert flow.api.last_response.status == 400


def test_categories_through_the_client(flow: Flow) -> None:
    api = flow.api.categories
    root = api.list()
    assert root["child"], root
    first = root["child"][0]
    assert api.get(display_category_code=first["displayItemCategoryCode"])["name"] == first["name"]
    leaf = product_body(flow.vendor_id, 1, 1)["displayCategoryCode"]
    assert api.check_status(display_category_code=leaf) is True
    metas = api.get_category_related_metas(display_category_code=leaf)
    assert "attributes" in metas and "noticeCategories" in metas
    with pytest.raises(CoupangError) as refused:
        api.get(display_category_code=999999999)
    assert refused.value.status in (400, 404) and refused.value.message


def test_products_through_the_client(flow: Flow) -> None:
    api = flow.api.products
    product_id, vendor_item_ids = flow.approved_product(items=2)
    listed = [p["sellerProductId"] for p in api.list_all(max_per_page=1)]
    assert listed == [product_id]
    api.update_vendor_item_quantity(vendor_item_id=vendor_item_ids[0], quantity=77)
    api.update_vendor_item_price(vendor_item_id=vendor_item_ids[1], price=140000)
    inventory = api.get_vendor_item_inventory(vendor_item_id=vendor_item_ids[0])
    assert inventory["amountInStock"] == 77
    api.stop_vendor_item_sales(vendor_item_id=vendor_item_ids[0])
    assert api.get_vendor_item_inventory(vendor_item_id=vendor_item_ids[0])["onSale"] is False
    histories = list(api.list_status_histories_all(seller_product_id=product_id))
    assert histories and all("status" in h for h in histories)
    with pytest.raises(ValidationError) as refused:
        api.get(seller_product_id=123)
    assert refused.value.message == "상품(123)의 데이터가 없습니다."


def test_orders_through_the_client(flow: Flow) -> None:
    api = flow.api.orders
    (vid,) = flow.sellable()
    boxes = [flow.order(vid)[1] for _ in range(3)]
    window = {"created_at_from": f"{flow.today()}+09:00", "created_at_to": f"{flow.today()}+09:00"}
    pager = api.list_ordersheets_all(status="ACCEPT", max_per_page=2, **window)
    assert sorted(s["shipmentBoxId"] for s in pager) == sorted(boxes)
    assert pager.last_response is not None and pager.last_response.body["nextToken"] == ""
    legacy = api.list_ordersheets(status="ACCEPT", legacy="v4", **window)
    assert sorted(s["shipmentBoxId"] for s in legacy) == sorted(boxes)
    flow.ship(boxes[0])
    history = api.get_ordersheet_history(shipment_box_id=boxes[0])
    assert history
    order_id = api.get_ordersheet_by_shipmentboxid(shipment_box_id=boxes[1])["orderId"]
    assert [s["shipmentBoxId"] for s in api.get_ordersheets_by_orderid(order_id=order_id)] == [boxes[1]]
    with pytest.raises(CoupangError) as refused:
        api.get_ordersheet_by_shipmentboxid(shipment_box_id=999999999999999999)
    assert refused.value.status == 400 and refused.value.message


def test_returns_through_the_client(flow: Flow) -> None:
    api = flow.api.returns
    vid, order_id, _box = flow.delivered(quantity=1)
    made = flow.control(
        "POST",
        f"/orders/{order_id}/returns",
        {"items": [{"vendorItemId": vid, "quantity": 1}], "reasonCode": "CHANGEMIND"},
    )
    receipt_id = made["receiptId"]
    window = {"created_at_from": flow.today(), "created_at_to": flow.today()}
    assert [r["receiptId"] for r in api.list_all(status="UC", **window)] == [receipt_id]
    assert api.get(receipt_id=receipt_id, legacy=True)[0]["receiptId"] == receipt_id
    api.confirm_receipt(receipt_id=receipt_id, body={"vendorId": flow.vendor_id, "receiptId": receipt_id}, patch=True)
    with pytest.raises(ValidationError) as refused:
        api.approve(receipt_id=receipt_id, body={"vendorId": flow.vendor_id, "receiptId": receipt_id, "cancelCount": 5})
    assert refused.value.message == "취소반품접수수량과 cancelCount가 일치하지 않습니다."
    api.approve(
        receipt_id=receipt_id, body={"vendorId": flow.vendor_id, "receiptId": receipt_id, "cancelCount": 1}, legacy=True
    )
    assert api.get(receipt_id=receipt_id)[0]["receiptStatus"] == "RETURNS_COMPLETED"
    withdrawals = list(api.list_withdrawals_by_period_all(date_from=flow.today(), date_to=flow.today()))
    assert withdrawals == []


def test_exchanges_through_the_client(flow: Flow) -> None:
    api = flow.api.exchanges
    vid, order_id, _box = flow.delivered(quantity=1)
    made = flow.control(
        "POST",
        f"/orders/{order_id}/exchanges",
        {"items": [{"vendorItemId": vid, "quantity": 1}], "reasonCode": "DAMAGED"},
    )
    exchange_id = made["exchangeId"]
    window = {"created_at_from": f"{flow.today()}T00:00:00", "created_at_to": f"{flow.today()}T23:59:59"}
    listed = list(api.list_all(**window))
    assert [e["exchangeId"] for e in listed] == [exchange_id]
    flow.control("POST", f"/exchanges/{exchange_id}/pickup", {"event": "PICKED_UP"})
    flow.control("POST", f"/exchanges/{exchange_id}/pickup", {"event": "DELIVERED"})
    api.confirm_receipt(exchange_id=exchange_id, body={"exchangeId": exchange_id, "vendorId": flow.vendor_id})
    (exchange,) = api.list(order_id=order_id, **window)
    assert exchange["exchangeId"] == exchange_id

    vid, order_id, _box = flow.delivered(quantity=1)
    other = flow.control(
        "POST",
        f"/orders/{order_id}/exchanges",
        {"items": [{"vendorItemId": vid, "quantity": 1}], "reasonCode": "DAMAGED"},
    )["exchangeId"]
    body = {"exchangeId": other, "exchangeRejectCode": "SOLDOUT", "vendorId": flow.vendor_id}
    assert api.reject(exchange_id=other, body=body)["resultCode"] == "SUCCESS"
    assert [e["exchangeId"] for e in api.list_all(status="REJECT", **window)] == [other]


def test_cs_through_the_client(flow: Flow) -> None:
    api = flow.api.cs
    (vid,) = flow.sellable()
    users = flow.control("PUT", "/wing-users", {"userIds": ["wing_seoul01"]})["userIds"]
    inquiry_id = flow.control("POST", "/inquiries", {"kind": "ONLINE", "vendorItemId": vid, "content": "사이즈 문의"})[
        "inquiryId"
    ]
    window = {"inquiry_start_at": flow.today(), "inquiry_end_at": flow.today()}
    unanswered = list(api.list_online_inquiries_all(answered_type="NOANSWER", page_size=1, **window))
    assert [q["inquiryId"] for q in unanswered] == [inquiry_id]
    api.reply_online_inquiry(
        inquiry_id=inquiry_id, body={"content": "정사이즈입니다.", "vendorId": flow.vendor_id, "replyBy": users[0]}
    )
    assert list(api.list_online_inquiries_all(answered_type="NOANSWER", **window)) == []
    answered = list(api.list_online_inquiries_all(answered_type="ANSWERED", legacy=True, **window))
    assert [q["inquiryId"] for q in answered] == [inquiry_id]

    order_id, _box = flow.order(vid)
    call = flow.control("POST", "/inquiries", {"kind": "CALL_CENTER", "orderId": order_id, "content": "배송 문의"})
    listed = list(api.list_call_center_inquiries_all(partner_counseling_status="NONE", **window))
    assert call["inquiryId"] in [q["inquiryId"] for q in listed]
    assert api.get_call_center_inquiry(inquiry_id=call["inquiryId"])["inquiryId"] == call["inquiryId"]


def test_coupons_through_the_client(flow: Flow) -> None:
    api = flow.api.coupons
    contracts = api.list_contracts()["content"]
    contract_id = next(c["contractId"] for c in contracts if c["type"] != "FREE")
    ack = api.create_instant(
        body={
            "contractId": contract_id,
            "name": "봄맞이 10% 할인",
            "maxDiscountPrice": 5000,
            "discount": 10,
            "startAt": f"{flow.today(1)} 00:00:00",
            "endAt": f"{flow.today(20)} 23:59:00",
            "type": "RATE",
            "wowExclusive": False,
        }
    )
    requested_id = ack["content"]["requestedId"]
    flow.clock.advance(5)
    done = api.get_instant_request_status(requested_id=requested_id)["content"]
    assert done["status"] == "DONE"
    coupon = api.get_instant(coupon_id=done["couponId"])["content"]
    assert coupon["status"] == "STANDBY"
    standby = [c["couponId"] for c in api.list_instant_by_status_all(status="STANDBY", size=1)]
    assert standby == [done["couponId"]]
    with pytest.raises(NotFoundError):
        api.get_contract(contract_id=987654321)


def test_settlement_through_the_client(flow: Flow) -> None:
    api = flow.api.settlement
    vid, order_id, _box = flow.delivered()
    flow.control("POST", f"/orders/{order_id}/confirm", {})
    flow.clock.advance(2 * 86400)
    rows = list(api.get_revenue_history_all(recognition_date_from=flow.today(), recognition_date_to=flow.today(1)))
    assert any(item["vendorItemId"] == vid for row in rows for item in row.get("items", []))
    histories = api.get_settlement_histories(revenue_recognition_year_month=flow.today()[:7])
    assert isinstance(histories, list)


def test_misc_through_the_client(flow: Flow) -> None:
    api = flow.api.misc
    found = api.search_brands(body={"brandName": "NIKE", "countPerPage": 10, "page": 1})
    assert found["page"] == 1 and found["items"], found
    brand = found["items"][0]
    assert api.get_brand(brand_id=brand["brandId"])["brandName"] == brand["brandName"]
    assert isinstance(api.list_enrolled_brands(), list)
