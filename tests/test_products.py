"""Seller products through the HTTP API: create validation, the approval lifecycle, reads and updates."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.domains import categories
from tests.test_products_support import DROP, PRODUCTS, VENDOR_ITEMS, Seller, outbound_body, product_body

ITEM0 = "items.0"


@pytest.fixture
def seller(server: Any, client: Any) -> Seller:
    return Seller(server.base_url, client)


@pytest.fixture
def centers(seller: Seller) -> tuple[int, int]:
    return seller.centers()


def _body(seller: Seller, centers: tuple[int, int], category: str = "기타 재화", items: int = 1, **changes: Any) -> dict[str, Any]:
    return product_body(seller.vendor_id, centers[0], centers[1], category, items, **changes)


def _registered(seller: Seller) -> int:
    return seller.ok("GET", f"{PRODUCTS}/inflow-status")["data"]["registeredCount"]


# ---------------------------------------------------------------- create


def test_create_saves_then_get_shows_the_product(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(seller, centers, "스킨/토너", items=2)
    answer = seller.create(body)
    assert answer.status == 200 and answer.body["code"] == "SUCCESS" and answer.message == ""
    product_id = answer.data
    assert len(str(product_id)) == 10
    data = seller.product(product_id).data
    assert data["statusName"] == "임시저장" and data["productId"] is None
    assert data["displayCategoryCode"] == categories.leaf_by_name("스킨/토너").code
    assert data["categoryId"] == categories.leaf_by_name("스킨/토너").category_id
    assert [i["itemName"] for i in data["items"]] == ["옵션1", "옵션2"]
    assert all(i["vendorItemId"] is None and len(str(i["sellerProductItemId"])) == 11 for i in data["items"])
    assert data["items"][0]["attributes"][0] | {} == {
        **body["items"][0]["attributes"][0],
        "exposed": "EXPOSED",
        "editable": True,
    }


def test_requested_product_is_approved_by_the_reviewer_after_the_delay(seller: Seller, centers: tuple[int, int]) -> None:
    product_id = seller.create(_body(seller, centers, items=2, requested=True)).data
    assert seller.status(product_id) == "승인대기중"
    seller.advance(59)
    assert seller.status(product_id) == "승인대기중"
    seller.advance(1)
    data = seller.product(product_id).data
    assert data["statusName"] == "승인완료" and len(str(data["productId"])) == 10
    vendor_item_ids = [i["vendorItemId"] for i in data["items"]]
    assert all(len(str(v)) == 11 for v in vendor_item_ids)
    stock = seller.ok("GET", f"{VENDOR_ITEMS}/{vendor_item_ids[0]}/inventories")["data"]
    assert stock == {"sellerItemId": vendor_item_ids[0], "amountInStock": 50, "salePrice": 12000, "onSale": True}
    statuses = [h["status"] for h in seller.ok("GET", f"{PRODUCTS}/{product_id}/histories", maxPerPage=100)["data"]]
    assert statuses == ["승인완료", "심사중", "승인대기중", "승인요청", "임시저장"]


def test_review_policy_can_deny_with_a_reason(seller: Seller, centers: tuple[int, int]) -> None:
    assert seller.policy(decision="DENY", delaySeconds=5, reason="상세페이지 이미지 불량").status == 200
    product_id = seller.create(_body(seller, centers, requested=True)).data
    seller.advance(5)
    assert seller.status(product_id) == "승인반려"
    latest = seller.ok("GET", f"{PRODUCTS}/{product_id}/histories")["data"][0]
    assert latest == {"createdAt": "2026-03-02T10:00:05", "status": "승인반려", "createdBy": "쿠팡 셀러 시스템", "comment": "상세페이지 이미지 불량"}


def test_an_image_coupang_cannot_download_gets_the_product_rejected(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(seller, centers, requested=True, **{f"{ITEM0}.images.0.vendorPath": "http://img.example.com:8080/a.jpg"})
    product_id = seller.create(body).data
    seller.advance(60)
    assert seller.status(product_id) == "승인반려"
    assert "이미지 다운로드에 실패했습니다" in seller.ok("GET", f"{PRODUCTS}/{product_id}/histories")["data"][0]["comment"]


def test_saving_lock_answers_the_processing_message_until_it_ends(seller: Seller, centers: tuple[int, int]) -> None:
    seller.policy(savingSeconds=600)
    product_id = seller.create(_body(seller, centers)).data
    locked = seller.product(product_id)
    assert locked.status == 400
    assert locked.message == f"상품 정보가 등록 또는 수정되고 있습니다. 잠시 후 다시 조회해 주시기 바랍니다. [{product_id}]"
    assert seller.ok("GET", PRODUCTS, vendorId=seller.vendor_id, status="SAVING")["data"][0]["statusName"] == "임시저장중"
    seller.advance(600)
    assert seller.status(product_id) == "임시저장"


def test_auto_category_matching_places_the_product_and_fills_notices(seller: Seller, centers: tuple[int, int]) -> None:
    seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"autoCategoryAgreed": True})
    body = _body(seller, centers, displayCategoryCode=DROP, sellerProductName="하기스 밴드형 기저귀 4단계")
    body["items"][0]["notices"] = []
    body["items"][0]["attributes"] = [
        {"attributeTypeName": "기저귀 단계", "attributeValueName": "4단계"},
        {"attributeTypeName": "수량", "attributeValueName": "60개"},
    ]
    data = seller.product(seller.create(body).data).data
    assert data["displayCategoryCode"] == categories.leaf_by_name("밴드형 기저귀").code
    assert {n["noticeCategoryName"] for n in data["items"][0]["notices"]} == {"기타 재화"}
    assert {n["content"] for n in data["items"][0]["notices"]} == {"상세페이지 참조"}


NOT_FOUND_CATEGORY = "관리카테고리를 찾을 수 없는 노출카테고리코드 입니다. 담당MD에게 확인하고 유효한 노출카테고리를 입력해주세요."
CREATE_ERRORS: list[tuple[str, str, dict[str, Any], str]] = [
    ("display name", "기타 재화", {"displayProductName": "가" * 101}, "'노출상품명' 최대 길이(100자)를 초과했습니다."),
    ("unknown return center", "기타 재화", {"returnCenterCode": "1100999999"}, "올바른 반품지 센터코드를 입력 하세요."),
    ("unknown outbound", "기타 재화", {"outboundShippingPlaceCode": 9999999}, "올바른 반품지 센터코드를 입력 하세요."),
    (
        "remote courier",
        "기타 재화",
        {"remoteAreaDeliverable": "Y", "deliveryCompanyCode": "HANJIN"},
        "[택배사 코드]를 확인해 주세요.",
    ),
    ("agent buy domestic", "기타 재화", {"deliveryMethod": "AGENT_BUY"}, "배송방법을 확인해 주시기 바랍니다."),
    ("bundle multi", "기타 재화", {"bundleInfo": {"bundleType": "AB"}, "items": "TWO"}, "혼합 구성 상품 등록할 때, 여러 개 옵션 구성은 불가능 합니다."),
    (
        "bundle attributes",
        "기타 재화",
        {"bundleInfo": {"bundleType": "AB"}},
        "혼합 구성 상품 등록할 때, 속성(attributeTypeName) 입력할 수 없습니다.",
    ),
    ("bundle type", "기타 재화", {"bundleInfo": {"bundleType": "ABC"}}, "bundleInfo에서 허용하지 않는 값입니다."),
    ("duplicate names", "기타 재화", {"items": "SAME_NAME"}, "아이템과 같은 옵션 및 옵션값을 가지고 있는 아이템이 중복으로 존재합니다"),
    ("duplicate options", "기타 재화", {"items": "SAME_OPTION"}, "아이템과 같은 옵션 및 옵션값을 가지고 있는 아이템이 중복으로 존재합니다"),
    (
        "return charge band",
        "기타 재화",
        {"deliveryChargeType": "FREE", "deliveryCharge": 0, "freeShipOverAmount": 0, "deliveryChargeOnReturn": 2500, "returnCharge": 5000},
        "일반배송상품의 경우, 반품배송비는 초도반품비의 100%~150%까지만 입력가능합니다. 반품배송비를 변경해주세요",
    ),
    (
        "legacy 19800",
        "기타 재화",
        {"deliveryChargeType": "FREE_DELIVERY_OVER_19800", "freeShipOverAmount": 30000},
        "배송비 종류가 19800이상 무료배송이면 조건부무료가 19800원, 초도배송비가 0원 입니다.",
    ),
    (
        "notice group",
        "스킨/토너",
        {f"{ITEM0}.notices.0.noticeCategoryName": "의류"},
        "입력된 상품필수 고지정보[용량 또는 중량]가 카테고리[의류]에서 제공하는 것과 다릅니다.",
    ),
    (
        "notice detail missing",
        "스킨/토너",
        {f"{ITEM0}.notices.0": DROP},
        "입력된 상품필수 고지정보[용량 또는 중량]가 카테고리[화장품]에서 제공하는 것과 다릅니다.",
    ),
    ("no attributes", "스킨/토너", {f"{ITEM0}.attributes": []}, "카테고리의 필수 속성이 존재하지 않습니다."),
    ("mandatory option", "스킨/토너", {f"{ITEM0}.attributes.1": DROP}, "필수 구매 옵션(미입력 시 등록/노출 제한)이 존재하지 않습니다."),
    ("unit", "스킨/토너", {f"{ITEM0}.attributes.0.attributeValueName": "40 개입"}, "[]. 유효하지 않은 구매 옵션 값 혹은 단위가 존재합니다."),
    (
        "select value",
        "밴드형 기저귀",
        {f"{ITEM0}.attributes.0.attributeValueName": "8단계"},
        "attributeValueName 값이 올바르지 않습니다. 에러 스펙 가이드를 참고하여 입력 가능한 값을 입력해 주세요.",
    ),
    (
        "free option name",
        "기타 재화",
        {f"{ITEM0}.attributes.0.attributeTypeName": "맛"},
        "유효하지 않은 구매 옵션이 존재합니다. Attribute(s) Not Allowed",
    ),
    (
        "auto pricing floor",
        "기타 재화",
        {f"{ITEM0}.autoPricingInfo": {"minSalePrice": 12000, "active": True}},
        "autoPricingInfo.minSalePrice must be less than salePrice",
    ),
    ("branch category", "기타 재화", {"displayCategoryCode": categories.ROOT.children[0].code}, NOT_FOUND_CATEGORY),
    ("unknown category", "기타 재화", {"displayCategoryCode": 99999999}, NOT_FOUND_CATEGORY),
    ("ready category", "기타 재화", {"displayCategoryCode": categories.leaf_by_name("타이어").code}, NOT_FOUND_CATEGORY),
]


def _special_items(body: dict[str, Any], kind: str) -> None:
    first = body["items"][0]
    second = {**first, "itemName": "옵션2", "attributes": [{"attributeTypeName": "수량", "attributeValueName": "2개"}]}
    if kind == "SAME_NAME":
        second["itemName"] = first["itemName"]
    if kind == "SAME_OPTION":
        second["attributes"] = first["attributes"]
    if kind == "TWO":
        first["attributes"] = second["attributes"] = []
    body["items"] = [first, second]


@pytest.mark.parametrize(("case", "category", "changes", "message"), CREATE_ERRORS, ids=[c[0] for c in CREATE_ERRORS])
def test_create_refusals_are_verbatim_and_register_nothing(
    seller: Seller, centers: tuple[int, int], case: str, category: str, changes: dict[str, Any], message: str
) -> None:
    special = changes.pop("items", None)
    body = _body(seller, centers, category, **changes)
    if special:
        _special_items(body, special)
    if case == "bundle attributes":
        body["items"][0]["attributes"] = [{"attributeTypeName": "수량", "attributeValueName": "1개"}]
    answer = seller.create(body)
    assert answer.status == 400, answer
    assert answer.message == message
    assert answer.body["code"] == ("VALIDATION" if case == "return charge band" else "ERROR")
    assert answer.body["data"] is None
    assert _registered(seller) == 0


def test_option_value_errors_carry_details_and_error_items(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(seller, centers, "스킨/토너", **{f"{ITEM0}.attributes.0.attributeValueName": "40 개입"})
    answer = seller.create(body)
    assert answer.body["details"] == "'40 개입'의 단위값이 유효하지 않습니다. 자세한 사항은 아래 errorItems 에서 확인할 수 있습니다."
    assert answer.body["errorItems"] == [
        {
            "itemIndex": 0,
            "itemName": "옵션1",
            "itemAttributes": [{"attributeTypeName": "수량", "attributeValueName": "40 개입", "message": "유효하지 않은 단위값입니다."}],
        }
    ]
    missing = seller.create(_body(seller, centers, "스킨/토너", **{f"{ITEM0}.attributes.1": DROP}))
    row = missing.body["errorItems"][0]["itemAttributes"][0]
    assert row == {"attributeTypeName": "개당 용량", "attributeValueName": None, "message": "필수 구매 옵션 (미입력시 등록/노출 제한) 존재하지 않습니다."}


def test_agent_buy_needs_an_overseas_place_and_pcc(seller: Seller, centers: tuple[int, int]) -> None:
    overseas = outbound_body(
        seller.vendor_id,
        shippingPlaceName="해외 출고지",
        **{"global": True, "placeAddresses.0.addressType": "OVERSEA", "placeAddresses.0.countryCode": "US", "placeAddresses.0.returnAddress": "1 Main St"},
    )
    code = int(seller.ok("POST", f"{seller.v5}/outboundShippingCenters", overseas)["data"]["resultMessage"])
    body = _body(seller, centers, deliveryMethod="AGENT_BUY", outboundShippingPlaceCode=code)
    answer = seller.create(body)
    assert answer.message == "배송방법이 구매대행인 경우에는 쿠팡에서 배송을 위해 고객에게 PCCC를 의무적으로 입력하도록 합니다."
    body["items"][0]["pccNeeded"] = True
    assert seller.create(body).status == 200


def test_parallel_import_needs_the_import_declaration(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(seller, centers, **{f"{ITEM0}.parallelImported": "PARALLEL_IMPORTED"})
    assert seller.create(body).message == "필수 구비서류를 등록해주세요. [수입신고필증(병행수입 선택시)]"
    body["requiredDocuments"] = [{"templateName": "수입신고필증(병행수입 선택시)", "vendorDocumentPath": "https://docs.example.com/a.pdf"}]
    assert seller.create(body).status == 200


def test_inflow_limit_refuses_creation(seller: Seller, centers: tuple[int, int]) -> None:
    seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"permittedCount": 1})
    assert seller.create(_body(seller, centers)).status == 200
    refused = seller.create(_body(seller, centers))
    assert refused.status == 400 and refused.message == "상품 등록 가능 개수를 초과했습니다."
    status = seller.ok("GET", f"{PRODUCTS}/inflow-status")["data"]
    assert status == {"vendorId": seller.vendor_id, "restricted": False, "registeredCount": 1, "permittedCount": 1}


@pytest.mark.parametrize(
    "category", ["라운드넥 반팔 티셔츠", "남성 운동화", "사과", "생수", "비타민", "자급제폰", "밴드형 기저귀", "한국소설", "침대", "세탁기", "분유"]
)
def test_a_body_built_from_each_profile_meta_is_accepted(seller: Seller, centers: tuple[int, int], category: str) -> None:
    answer = seller.create(_body(seller, centers, category, items=2))
    assert answer.status == 200, answer


def test_unknown_product_reads(seller: Seller) -> None:
    assert seller.product(123).message == "상품(123)의 데이터가 없습니다."
    assert seller.call("GET", f"{PRODUCTS}/123/partial").message == "상품(123)의 데이터가 없습니다"
