"""Misc APIs through the signed HTTP API: book cashback, Rocket Growth reads, brands, best-price guarantee,
display-product search and legacy category meta; every answer is checked against the declared schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server.domains import brands, categories, misc
from tests.test_coupons import OPERATIONS, SEEN, Coupons, SharedMock
from tests.test_products_support import Answer, product_body

MISC_OPERATIONS = [op for op in OPERATIONS.values() if op.raw["tags"][0] == "misc"]
START = "2026-03-02T12:00:00"  # clock: 2026-03-02 10:00 KST; the earliest cashback start is 12:00
END = "2026-03-31T23:59:59"


class Misc(Coupons):
    _centers: tuple[int, int] | None = None

    def centers(self) -> tuple[int, int]:
        """Registered once per vendor (a second place with the same name is refused)."""
        if self._centers is None:
            self._centers = super().centers()
        return self._centers

    def book_items(self, count: int = 2) -> list[int]:
        outbound, return_code = self.centers()
        body = product_body(self.vendor_id, outbound, return_code, category="한국소설", items=count, requested=True)
        product_id = self.create(body).data
        assert self.review(product_id).status == 200
        return [i["vendorItemId"] for i in self.product(product_id).data["items"]]

    def cashback(self, vendor_item_ids: list[Any], **changes: Any) -> Answer:
        body = {
            "ruleId": 3944,
            "valueType": "FIXED",
            "value": 1000,
            "vendorItemIds": vendor_item_ids,
            "startAt": START,
            "endAt": END,
            **changes,
        }
        return self.op("applyBookCashback", {k: v for k, v in body.items() if v is not DROP})

    def stock(self, *rows: dict[str, Any]) -> Answer:
        return self.control("PUT", f"/vendors/{self.vendor_id}/rg/inventory", {"items": list(rows)})

    def rg_order(self, *lines: tuple[int, int], **extra: Any) -> Answer:
        items = [{"vendorItemId": vid, "quantity": qty} for vid, qty in lines]
        return self.control("POST", f"/vendors/{self.vendor_id}/rg/orders", {"items": items, **extra})


DROP = object()


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    mock = SharedMock()
    yield mock
    mock.running.stop()


@pytest.fixture
def seller(shared: SharedMock) -> Misc:
    return Misc(shared.running.base_url, shared.vendor_client())


def refused(answer: Answer, status: int, message: str, code: Any = None) -> None:
    assert (answer.status, answer.message) == (status, message), answer
    if code is not None:
        assert answer.body["code"] == code


# ---------------------------------------------------------------- book cashback


def test_cashback_apply_get_delete(seller: Misc) -> None:
    a, b = seller.book_items(2)
    applied = seller.cashback([a, str(b)], ruleId="3944", value="500", valueType="FIXED_WITH_QUANTITY")
    assert applied.status == 200
    assert applied.body == {
        "code": 200,
        "message": "OK",
        "data": {"successVendorItemIds": [str(a), str(b)], "failVendorItemIds": []},
    }
    rule = seller.good("getBookCashback", ruleId=3944, vendorItemId=a)
    assert rule["code"] == "200" and rule["data"] == {
        "vendorItemId": a,
        "vendorId": seller.vendor_id,
        "valueType": "FIXED_WITH_QUANTITY",
        "value": 500,
        "startAt": "2026-03-02 12:00:00",
        "maxAmount": 0,
        "ruleId": 3944,
        "endAt": "2026-03-31 23:59:59",
        "disabledAt": None,
        "disabled": False,
    }
    seller.advance(60)
    assert seller.good("deleteBookCashback", ruleId=3944, vendorItemId=a) == {"code": "200", "message": "OK"}
    stopped = seller.good("getBookCashback", ruleId=3944, vendorItemId=a)["data"]
    assert stopped["disabled"] is True and stopped["disabledAt"] == "2026-03-02 10:01:00"
    again = seller.op("deleteBookCashback", ruleId=3944, vendorItemId=a)  # ACTIVE -> DISABLED happens once
    refused(again, 404, f"Can not find promotion with given condition vendorItemId : {a}")
    assert seller.good("getBookCashback", ruleId=3944, vendorItemId=b)["data"]["disabled"] is False
    # applying again replaces the stopped rule with a live one
    assert seller.cashback([a], value=700, startAt="2026-03-02T13:00:00").status == 200
    assert seller.good("getBookCashback", ruleId=3944, vendorItemId=a)["data"]["value"] == 700


def test_cashback_partial_and_total_failure(seller: Misc) -> None:
    (book,) = seller.book_items(1)
    (other,) = seller.items(1)  # 기타 재화, not a book
    partial = seller.cashback([book, other, 42])
    assert partial.status == 206 and partial.body["code"] == 206 and partial.message == "PARTIAL_CONTENT"
    assert partial.body["data"] == {
        "successVendorItemIds": [str(book)],
        "failVendorItemIds": [{str(other): misc.INVALID_ITEM}, {"42": misc.INVALID_ITEM}],
    }
    none = seller.cashback([other])
    refused(none, 400, misc.INVALID_ITEM)
    assert none.body["data"]["successVendorItemIds"] == []
    refused(seller.op("getBookCashback", ruleId=3944, vendorItemId=other), 404, misc.NO_PROMOTION.format(id=other))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ruleId": DROP}, "RuleId can't be null, and must be numeric"),
        ({"ruleId": "abc"}, "RuleId can't be null, and must be numeric"),
        (
            {"valueType": DROP},
            "Cashback type can't be empty, and the allowed values are FIXED,RATE and FIXED_WITH_QUANTITY.",
        ),
        (
            {"valueType": "PERCENT"},
            "Cashback type can't be empty, and the allowed values are FIXED,RATE and FIXED_WITH_QUANTITY.",
        ),
        ({"value": DROP}, "Cashback value can't be null,and the min value is 1"),
        ({"value": 0}, "Cashback value can't be null,and the min value is 1"),
        ({"valueType": "RATE", "value": 101}, "Cashback value can't be null,and the min value is 1"),
        ({"vendorItemIds": DROP}, "vendorItemIds'list can't be empty, the min size is 1, and max size is 50"),
        ({"vendorItemIds": []}, "vendorItemIds'list can't be empty, the min size is 1, and max size is 50"),
        (
            {"vendorItemIds": list(range(1, 52))},
            "vendorItemIds'list can't be empty, the min size is 1, and max size is 50",
        ),
        ({"startAt": DROP}, "The start or end time of Cashback rule can't be empty"),
        ({"endAt": ""}, "The start or end time of Cashback rule can't be empty"),
        ({"startAt": "2026-03-02 12:00:00"}, "The start or end time of Cashback rule can't be empty"),
        ({"startAt": "2026-03-02T11:59:59"}, misc.START_TOO_EARLY),
        ({"endAt": START}, misc.END_BEFORE_START),
    ],
)
def test_cashback_body_errors_verbatim(seller: Misc, changes: dict[str, Any], message: str) -> None:
    refused(seller.cashback([1], **changes), 400, message)


def test_cashback_lookups_and_rule_permission(seller: Misc) -> None:
    (book,) = seller.book_items(1)
    path = OPERATIONS["getBookCashback"].path.format(vendorId=seller.vendor_id)
    refused(seller.call("GET", path, ruleId=3944), 400, "VendorItemId can't be null")
    refused(seller.op("getBookCashback", ruleId=3944, vendorItemId=42), 400, misc.INVALID_ITEM)
    refused(seller.op("deleteBookCashback", ruleId=77, vendorItemId=book), 400, misc.RULE_PERMISSION)
    grant = seller.control("PUT", f"/vendors/{seller.vendor_id}/cashback-rules", {"ruleIds": [3944]})
    assert grant.status == 200
    refused(seller.cashback([book], ruleId=77), 400, misc.RULE_PERMISSION)
    assert seller.op("getBookCashback", ruleId=77, vendorItemId=book).status == 404  # nothing was applied
    assert seller.cashback([book]).status == 200
    refused(seller.op("deleteBookCashback", ruleId=3944, vendorItemId=42), 400, misc.INVALID_ITEM)
    assert seller.good("deleteBookCashback", ruleId=3944, vendorItemId=book)["code"] == "200"


# ---------------------------------------------------------------- Rocket Growth


def test_rg_orders_are_listed_by_payment_day_and_read_one_by_one(seller: Misc) -> None:
    a, b = seller.items(2)
    assert seller.stock({"vendorItemId": a, "totalOrderableQuantity": 10, "externalSkuId": 10012345}).status == 200
    assert seller.stock({"vendorItemId": b, "totalOrderableQuantity": 1}).status == 200
    first = seller.rg_order((a, 2), paidAt="2026-03-01T09:00:00+09:00").body
    second = seller.rg_order((a, 1), (b, 1)).body
    assert seller.rg_order((b, 1)).status == 400  # warehouse stock is used up
    listed = seller.good("listRgOrders", paidDateFrom="20260301", paidDateTo="20260302")
    assert [o["orderId"] for o in listed["data"]] == [second["orderId"], first["orderId"]]
    assert listed["nextToken"] == "" and listed["message"] == "SUCCESS"
    line = listed["data"][1]["orderItems"][0]
    assert listed["data"][1]["paidAt"] == "1772323200000" and line["unitSalesPrice"] == 10000
    assert line["salesQuantity"] == 2 and line["currency"] == "KRW"
    only_first = seller.good("listRgOrders", paidDateFrom="20260301", paidDateTo="20260301")["data"]
    assert [o["orderId"] for o in only_first] == [first["orderId"]]
    one = seller.good("getRgOrder", orderId=first["orderId"])["data"]
    assert one["paidAt"] == "2026-03-01T00:00:00Z" and one["orderItems"][0]["salesPrice"] == 10000
    summaries = seller.good("listRgInventorySummaries")["data"]
    assert [(s["vendorItemId"], s["inventoryDetails"]["totalOrderableQuantity"]) for s in summaries] == [(a, 7), (b, 0)]
    assert summaries[0]["salesCountMap"]["SALES_COUNT_LAST_THIRTY_DAYS"] == 3
    assert summaries[0]["externalSkuId"] == 10012345
    single = seller.good("listRgInventorySummaries", vendorItemId=b, nextToken="999")["data"]
    assert [s["vendorItemId"] for s in single] == [b]
    seller.advance(31 * 86400)  # sales older than 30 days no longer count
    later = seller.good("listRgInventorySummaries", vendorItemId=a)["data"][0]
    assert later["salesCountMap"]["SALES_COUNT_LAST_THIRTY_DAYS"] == 0


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("listRgOrders", {"paidDateFrom": "20260301", "paidDateTo": "20260401"}, misc.RG_INVALID),
        ("listRgOrders", {"paidDateFrom": "20260302", "paidDateTo": "20260301"}, misc.RG_INVALID),
        ("listRgOrders", {"paidDateFrom": "20260231", "paidDateTo": "20260301"}, misc.RG_INVALID),
        ("listRgOrders", {"paidDateFrom": "20260301", "paidDateTo": "20260302", "nextToken": "x"}, misc.RG_INVALID),
        ("getRgOrder", {"orderId": 31000012345678}, "주문 번호가 잘못되었습니다."),
        (
            "listRgInventorySummaries",
            {"nextToken": "abc"},
            "Request has missing or invalid parameters and cannot be parsed.",
        ),
    ],
)
def test_rg_refusals_verbatim(seller: Misc, operation: str, params: dict[str, Any], message: str) -> None:
    refused(seller.op(operation, **params), 400, message)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quantities=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=8))
def test_rg_stock_never_goes_negative_and_sales_add_up(seller: Misc, quantities: list[int]) -> None:
    (item,) = seller.items(1)
    assert seller.stock({"vendorItemId": item, "totalOrderableQuantity": 10}).status == 200
    sold = 0
    for quantity in quantities:
        if seller.rg_order((item, quantity)).status == 201:
            sold += quantity
        else:
            assert sold + quantity > 10
    summary = seller.good("listRgInventorySummaries", vendorItemId=item)["data"][0]
    assert summary["inventoryDetails"]["totalOrderableQuantity"] == 10 - sold >= 0
    assert summary["salesCountMap"]["SALES_COUNT_LAST_THIRTY_DAYS"] == sold


# ---------------------------------------------------------------- brands


def test_brand_library_is_seeded_with_unique_ids() -> None:
    library = brands.library()
    assert len(library) >= 50
    assert all(b["brandId"].startswith("KR-") for b in library.values())


def test_brand_search_pages_and_get(seller: Misc) -> None:
    found = seller.good("searchBrands", {"brandName": "nike"})
    assert found["code"] == "SUCCESS" and found["data"]["totalCount"] == 2
    assert [b["brandId"] for b in found["data"]["items"]] == ["KR-5", "KR-20931"]
    korean = seller.good("searchBrands", {"brandName": "나이키"})["data"]
    assert [b["brandName"] for b in korean["items"]] == ["NIKE", "NIKE GOLF"]
    total = seller.good("searchBrands", {"brandName": "a", "countPerPage": 10})["data"]["totalCount"]
    pages = [
        seller.good("searchBrands", {"brandName": "a", "countPerPage": 4, "page": p})["data"]["items"]
        for p in range(1, total // 4 + 3)
    ]
    ids = [b["brandId"] for page in pages for b in page]
    assert len(ids) == len(set(ids)) == total and pages[-1] == []
    brand = seller.good("getBrand", brandId="KR-5")["data"]
    assert brand == found["data"]["items"][0]
    assert seller.op("getBrand", brandId="KR-999999").status == 404
    # no id format is documented: anything else is just an unknown brand, never an undocumented 400
    assert seller.op("getBrand", brandId="nike").status == 404


@pytest.mark.parametrize("body", [{}, {"brandName": ""}, {"brandName": "   "}])
def test_brand_search_needs_a_name(seller: Misc, body: dict[str, Any]) -> None:
    refused(seller.op("searchBrands", body), 400, "brandName is required", code="ERROR")


def test_enrolled_brands(seller: Misc) -> None:
    assert seller.good("listEnrolledBrands")["data"] == []
    route = f"/vendors/{seller.vendor_id}/brands/enrolled"
    assert seller.control("POST", route, {"brandIds": ["KR-12", "KR-5", "KR-12"]}).status == 200
    assert seller.control("POST", route, {"brandIds": ["KR-0"]}).status == 400
    assert seller.good("listEnrolledBrands")["data"] == [
        {"brandId": "KR-12", "brandName": "SAMSUNG"},
        {"brandId": "KR-5", "brandName": "NIKE"},
    ]


# ---------------------------------------------------------------- best-price guarantee (legacy)


FREE_RETURN = {"deliveryChargeOnReturn": 0}


def _couranty(seller: Misc, vendor_item_id: int, flag: str = "true") -> Answer:
    return seller.op("changeVendorItemBestPriceGuarantee", vendorItemId=vendor_item_id, bestPriceGuaranteed3P=flag)


def test_couranty_needs_permission_then_an_eligible_option(seller: Misc) -> None:
    (free,) = seller.items(1)
    refused(_couranty(seller, free), 400, misc.COURANTY_DENIED, code="ERROR")
    assert seller.control("PUT", f"/vendors/{seller.vendor_id}/couranty", {"allowed": True}).status == 200
    assert seller.good("changeVendorItemBestPriceGuarantee", vendorItemId=free, bestPriceGuaranteed3P="true") == {
        "code": "SUCCESS",
        "message": "쿠런티 변경을 완료했습니다.",
        "data": None,
    }
    refused(_couranty(seller, 42), 400, misc.COURANTY_NO_ITEM.format(id=42))


@pytest.mark.parametrize(
    ("product", "message"),
    [
        ({"deliveryChargeType": "NOT_FREE", "deliveryCharge": 2500}, misc.COURANTY_FREE_SHIPPING),
        (
            {
                "deliveryChargeType": "CONDITIONAL_FREE",
                "deliveryCharge": 2500,
                "freeShipOverAmount": 19800,
                **FREE_RETURN,
            },
            misc.COURANTY_FREE_SHIPPING,
        ),
        (
            {
                "deliveryChargeType": "CONDITIONAL_FREE",
                "deliveryCharge": 3000,
                "freeShipOverAmount": 9800,
                **FREE_RETURN,
            },
            misc.COURANTY_FEE,
        ),
    ],
)
def test_couranty_shipping_rules(seller: Misc, product: dict[str, Any], message: str) -> None:
    seller.control("PUT", f"/vendors/{seller.vendor_id}/couranty", {"allowed": True})
    (item,) = seller.quick({}, product=product)["vendorItemIds"]
    refused(_couranty(seller, item), 400, message, code="ERROR")
    assert _couranty(seller, item, "false").status == 200  # switching off needs no eligibility


def test_couranty_category_and_used_items(seller: Misc) -> None:
    seller.control("PUT", f"/vendors/{seller.vendor_id}/couranty", {"allowed": True})
    (book,) = seller.book_items(1)
    refused(_couranty(seller, book), 400, misc.COURANTY_CATEGORY)
    outbound, return_code = seller.centers()
    body = product_body(seller.vendor_id, outbound, return_code, category="노트북", requested=True)
    body["items"][0]["offerCondition"] = "USED_GOOD"
    created = seller.create(body)
    assert created.status == 200, created
    seller.review(created.data)
    used = seller.product(created.data).data["items"][0]["vendorItemId"]
    refused(_couranty(seller, used), 400, misc.COURANTY_USED)


# ---------------------------------------------------------------- legacy catalogue reads


def test_exposure_products_by_name_with_page_tokens(seller: Misc) -> None:
    for _ in range(3):
        seller.quick({}, product={"displayProductName": "테스트브랜드 캠핑 의자"})
    seller.quick({}, product={"displayProductName": "테스트브랜드 등산 가방"})
    first = seller.good("listExposureProducts", productName="캠핑", maxPerPage=2)
    assert len(first["data"]) == 2 and first["nextToken"] == "2"
    second = seller.good("listExposureProducts", productName="캠핑", maxPerPage=2, nextToken=2)
    assert len(second["data"]) == 1 and second["nextToken"] == ""
    row = second["data"][0]
    leaf = categories.find(seller.product(seller.quick({})["sellerProductId"]).data["displayCategoryCode"])
    assert row["categoryId"] == leaf.category_id and row["categoryFullPath"].startswith("KAN>")
    assert row["itemCount"] == 1 and row["valid"] is True
    assert seller.good("listExposureProducts", productName="없는상품")["data"] == []


def test_category_meta_by_internal_id(seller: Misc) -> None:
    leaf = categories.leaf_by_name("한국소설")
    meta = seller.good("getCategoryMetasByCategoryId", categoryId=leaf.category_id)["data"]
    full = categories.metas(leaf)
    assert meta["attributes"] == full["attributes"] and meta["noticeCategories"] == full["noticeCategories"]
    assert "isAllowSingleItem" not in meta and "allowedOfferConditions" not in meta
    refused(seller.op("getCategoryMetasByCategoryId", categoryId=1), 400, categories.NO_MANAGEMENT_CATEGORY)


def test_every_misc_operation_was_served_successfully() -> None:
    """Each operation answered 200 at least once in the tests above (pytest runs a module in order)."""
    if not SEEN:
        pytest.skip("meaningful only after the module's other tests ran")
    assert {op.operation_id for op in MISC_OPERATIONS} <= SEEN


def test_brand_search_takes_whole_float_page_numbers(seller: Misc) -> None:
    data = seller.good("searchBrands", {"brandName": "a", "countPerPage": 3.0, "page": 2.0})["data"]
    assert (data["page"], data["countPerPage"], len(data["items"])) == (2, 3, 3)
