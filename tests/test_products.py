"""Seller products through the HTTP API: create validation, the approval lifecycle, reads and updates."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.signing import sign
from coupang_mock.server import spec
from coupang_mock.server.domains import categories
from tests.test_products_support import DROP, PRODUCTS, VENDOR_ITEMS, Seller, outbound_body, product_body

ITEM0 = "items.0"


@pytest.fixture
def seller(server: Any, client: Any) -> Seller:
    return Seller(server.base_url, client)


@pytest.fixture
def centers(seller: Seller) -> tuple[int, int]:
    return seller.centers()


def _body(
    seller: Seller, centers: tuple[int, int], category: str = "기타 재화", items: int = 1, **changes: Any
) -> dict[str, Any]:
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


def test_requested_product_is_approved_by_the_reviewer_after_the_delay(
    seller: Seller, centers: tuple[int, int]
) -> None:
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
    assert latest == {
        "createdAt": "2026-03-02T10:00:05",
        "status": "승인반려",
        "createdBy": "쿠팡 셀러 시스템",
        "comment": "상세페이지 이미지 불량",
    }


def test_an_image_coupang_cannot_download_gets_the_product_rejected(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(
        seller, centers, requested=True, **{f"{ITEM0}.images.0.vendorPath": "http://img.example.com:8080/a.jpg"}
    )
    product_id = seller.create(body).data
    seller.advance(60)
    assert seller.status(product_id) == "승인반려"
    assert (
        "이미지 다운로드에 실패했습니다" in seller.ok("GET", f"{PRODUCTS}/{product_id}/histories")["data"][0]["comment"]
    )


def test_saving_lock_answers_the_processing_message_until_it_ends(seller: Seller, centers: tuple[int, int]) -> None:
    seller.policy(savingSeconds=600)
    product_id = seller.create(_body(seller, centers)).data
    locked = seller.product(product_id)
    assert locked.status == 400
    assert (
        locked.message
        == f"상품 정보가 등록 또는 수정되고 있습니다. 잠시 후 다시 조회해 주시기 바랍니다. [{product_id}]"
    )
    assert (
        seller.ok("GET", PRODUCTS, vendorId=seller.vendor_id, status="SAVING")["data"][0]["statusName"] == "임시저장중"
    )
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


NOT_FOUND_CATEGORY = (
    "관리카테고리를 찾을 수 없는 노출카테고리코드 입니다. 담당MD에게 확인하고 유효한 노출카테고리를 입력해주세요."
)
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
    (
        "bundle multi",
        "기타 재화",
        {"bundleInfo": {"bundleType": "AB"}, "items": "TWO"},
        "혼합 구성 상품 등록할 때, 여러 개 옵션 구성은 불가능 합니다.",
    ),
    (
        "bundle attributes",
        "기타 재화",
        {"bundleInfo": {"bundleType": "AB"}},
        "혼합 구성 상품 등록할 때, 속성(attributeTypeName) 입력할 수 없습니다.",
    ),
    ("bundle type", "기타 재화", {"bundleInfo": {"bundleType": "ABC"}}, "bundleInfo에서 허용하지 않는 값입니다."),
    (
        "duplicate names",
        "기타 재화",
        {"items": "SAME_NAME"},
        "아이템과 같은 옵션 및 옵션값을 가지고 있는 아이템이 중복으로 존재합니다",
    ),
    (
        "duplicate options",
        "기타 재화",
        {"items": "SAME_OPTION"},
        "아이템과 같은 옵션 및 옵션값을 가지고 있는 아이템이 중복으로 존재합니다",
    ),
    (
        "return charge band",
        "기타 재화",
        {
            "deliveryChargeType": "FREE",
            "deliveryCharge": 0,
            "freeShipOverAmount": 0,
            "deliveryChargeOnReturn": 2500,
            "returnCharge": 5000,
        },
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
    (
        "mandatory option",
        "스킨/토너",
        {f"{ITEM0}.attributes.1": DROP},
        "필수 구매 옵션(미입력 시 등록/노출 제한)이 존재하지 않습니다.",
    ),
    (
        "unit",
        "스킨/토너",
        {f"{ITEM0}.attributes.0.attributeValueName": "40 개입"},
        "[]. 유효하지 않은 구매 옵션 값 혹은 단위가 존재합니다.",
    ),
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
    (
        "ready category",
        "기타 재화",
        {"displayCategoryCode": categories.leaf_by_name("타이어").code},
        NOT_FOUND_CATEGORY,
    ),
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
    assert (
        answer.body["details"]
        == "'40 개입'의 단위값이 유효하지 않습니다. 자세한 사항은 아래 errorItems 에서 확인할 수 있습니다."
    )
    assert answer.body["errorItems"] == [
        {
            "itemIndex": 0,
            "itemName": "옵션1",
            "itemAttributes": [
                {"attributeTypeName": "수량", "attributeValueName": "40 개입", "message": "유효하지 않은 단위값입니다."}
            ],
        }
    ]
    missing = seller.create(_body(seller, centers, "스킨/토너", **{f"{ITEM0}.attributes.1": DROP}))
    row = missing.body["errorItems"][0]["itemAttributes"][0]
    assert row == {
        "attributeTypeName": "개당 용량",
        "attributeValueName": None,
        "message": "필수 구매 옵션 (미입력시 등록/노출 제한) 존재하지 않습니다.",
    }


def test_agent_buy_needs_an_overseas_place_and_pcc(seller: Seller, centers: tuple[int, int]) -> None:
    overseas = outbound_body(
        seller.vendor_id,
        shippingPlaceName="해외 출고지",
        **{
            "global": True,
            "placeAddresses.0.addressType": "OVERSEA",
            "placeAddresses.0.countryCode": "US",
            "placeAddresses.0.returnAddress": "1 Main St",
        },
    )
    code = int(seller.ok("POST", f"{seller.v5}/outboundShippingCenters", overseas)["data"]["resultMessage"])
    body = _body(seller, centers, deliveryMethod="AGENT_BUY", outboundShippingPlaceCode=code)
    answer = seller.create(body)
    assert (
        answer.message
        == "배송방법이 구매대행인 경우에는 쿠팡에서 배송을 위해 고객에게 PCCC를 의무적으로 입력하도록 합니다."
    )
    body["items"][0]["pccNeeded"] = True
    assert seller.create(body).status == 200


def test_parallel_import_needs_the_import_declaration(seller: Seller, centers: tuple[int, int]) -> None:
    body = _body(seller, centers, **{f"{ITEM0}.parallelImported": "PARALLEL_IMPORTED"})
    assert seller.create(body).message == "필수 구비서류를 등록해주세요. [수입신고필증(병행수입 선택시)]"
    body["requiredDocuments"] = [
        {"templateName": "수입신고필증(병행수입 선택시)", "vendorDocumentPath": "https://docs.example.com/a.pdf"}
    ]
    assert seller.create(body).status == 200


def test_inflow_limit_refuses_creation(seller: Seller, centers: tuple[int, int]) -> None:
    seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"permittedCount": 1})
    assert seller.create(_body(seller, centers)).status == 200
    refused = seller.create(_body(seller, centers))
    assert refused.status == 400 and refused.message == "상품 등록 가능 개수를 초과했습니다."
    status = seller.ok("GET", f"{PRODUCTS}/inflow-status")["data"]
    assert status == {"vendorId": seller.vendor_id, "restricted": False, "registeredCount": 1, "permittedCount": 1}


@pytest.mark.parametrize(
    "category",
    [
        "라운드넥 반팔 티셔츠",
        "남성 운동화",
        "사과",
        "생수",
        "비타민",
        "자급제폰",
        "밴드형 기저귀",
        "한국소설",
        "침대",
        "세탁기",
        "분유",
    ],
)
def test_a_body_built_from_each_profile_meta_is_accepted(
    seller: Seller, centers: tuple[int, int], category: str
) -> None:
    answer = seller.create(_body(seller, centers, category, items=2))
    assert answer.status == 200, answer


def test_unknown_product_reads(seller: Seller) -> None:
    assert seller.product(123).message == "상품(123)의 데이터가 없습니다."
    assert seller.call("GET", f"{PRODUCTS}/123/partial").message == "상품(123)의 데이터가 없습니다"


# ---------------------------------------------------------------- path ids: malformed, another vendor's

GENERIC_ID = "Invalid parameter 'sellerProductId': must be integer"
MALFORMED_PRODUCT_IDS = [
    # the operations whose upstream words a non-numeric id itself (products.yaml → errors)
    ("get", "GET", "{id}", "abc", "업체상품아이디[null]는 숫자형으로 입력해주세요."),
    ("get digits+letters", "GET", "{id}", "12ab", "업체상품아이디[null]는 숫자형으로 입력해주세요."),
    ("get fraction", "GET", "{id}", "1.5", "업체상품아이디[null]는 숫자형으로 입력해주세요."),
    ("delete", "DELETE", "{id}", "abc", "업체상품아이디[None]는 숫자형으로 입력해주세요."),
    ("delete digits+letters", "DELETE", "{id}", "7x", "업체상품아이디[None]는 숫자형으로 입력해주세요."),
    # the reference gives no text for these: the gateway's generic one
    ("partial get", "GET", "{id}/partial", "abc", GENERIC_ID),
    ("approval", "PUT", "{id}/approvals", "abc", GENERIC_ID),
    ("histories", "GET", "{id}/histories", "abc", GENERIC_ID),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "value", "message"), MALFORMED_PRODUCT_IDS, ids=[c[0] for c in MALFORMED_PRODUCT_IDS]
)
def test_malformed_product_ids_are_refused_per_operation(
    seller: Seller, case: str, method: str, path: str, value: str, message: str
) -> None:
    product = seller.quick({}, approve=False)["sellerProductId"]
    answer = seller.call(method, f"{PRODUCTS}/{path.format(id=value)}")
    assert (answer.status, answer.message) == (400, message), answer
    assert seller.status(product) == "임시저장" and _registered(seller) == 1


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_numeric_id_nobody_has_is_not_found_not_malformed(seller: Seller, value: str) -> None:
    assert seller.call("GET", f"{PRODUCTS}/{value}").message == f"상품({value})의 데이터가 없습니다."
    assert seller.call("DELETE", f"{PRODUCTS}/{value}").message == (
        f"업체상품[{value}]이 없거나 삭제가 불가능한 상태입니다. 삭제는 '저장중', '임시저장' 상태에서만 가능합니다."
    )


def test_another_vendors_product_is_refused_as_such(seller: Seller) -> None:
    created = seller.control("POST", "/vendors", {}).body
    other = created["vendorId"]
    quick = seller.control("POST", f"/vendors/{other}/catalog/quick-product", {"items": [{"itemName": "남의 상품"}]})
    assert quick.status == 201, quick
    foreign = quick.body["sellerProductId"]
    answer = seller.product(foreign)
    assert (answer.status, answer.body) == (
        400,
        {
            "code": "ERROR",
            "message": f"업체[{seller.vendor_id}]는 다른 업체[{other}]의 상품을 조회할 수 없습니다.",
            "data": None,
        },
    )
    # the same number one digit off the other vendor's prefix: an id nobody was given
    stranger = foreign + 10**8 if foreign < 9 * 10**9 else foreign - 10**8
    assert seller.product(stranger).message == f"상품({stranger})의 데이터가 없습니다."
    # the owner still reads it, and it was not touched
    client = CoupangClient(
        created["accessKey"], created["secretKey"], other, base_url=seller.base_url, retry=RetryPolicy(max_retries=0)
    )
    assert Seller(seller.base_url, client).status(foreign) == "승인완료"


# ---------------------------------------------------------------- property: valid bodies are accepted and round-trip

# every leaf a product may be registered on (ACTIVE leaves of the whole tree), in code order
ACTIVE_LEAVES = sorted(
    (leaf for leaf in categories.ROOT.leaves() if categories.usable_leaf(leaf.code) is not None), key=lambda c: c.code
)
SAFE_TEXT = st.text(alphabet="가나다라마바사아자차카타파하 ABCxyz0123456789-", min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
WON = st.integers(1, 100_000).map(lambda n: n * 10)
MAX_ITEMS = 30


@st.composite
def _fees(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["FREE", "NOT_FREE", "CONDITIONAL_FREE"]))
    on_return = draw(st.integers(0, 100).map(lambda n: n * 100))
    charge = draw(st.integers(0, 100).map(lambda n: n * 100))
    if kind == "FREE":
        return_charge = draw(st.integers(on_return, on_return * 3 // 2))
        return {"deliveryChargeType": kind, "deliveryCharge": 0, "freeShipOverAmount": 0,
                "deliveryChargeOnReturn": on_return, "returnCharge": return_charge}  # fmt: skip
    if kind == "NOT_FREE":
        return {"deliveryChargeType": kind, "deliveryCharge": charge, "freeShipOverAmount": 0,
                "deliveryChargeOnReturn": on_return, "returnCharge": draw(st.integers(0, 20000))}  # fmt: skip
    over = draw(st.integers(1, 1000).map(lambda n: n * 100))
    return {"deliveryChargeType": kind, "deliveryCharge": charge, "freeShipOverAmount": over,
            "deliveryChargeOnReturn": 0, "returnCharge": draw(st.integers(0, 20000))}  # fmt: skip


@st.composite
def _item_changes(draw: st.DrawFn) -> dict[str, Any]:
    details = draw(st.integers(0, 9))
    images = [{"imageOrder": 0, "imageType": "REPRESENTATION", "vendorPath": "https://img.example.com/r.jpg"}] + [
        {"imageOrder": n + 1, "imageType": "DETAIL", "cdnPath": f"vendor_inventory/images/d{n}.jpg"}
        for n in range(details)
    ]
    return {
        "salePrice": draw(WON),
        "originalPrice": draw(WON),
        "maximumBuyCount": draw(st.integers(0, 99999)),
        "maximumBuyForPerson": draw(st.integers(0, 100)),
        "maximumBuyForPersonPeriod": draw(st.integers(1, 365)),
        "outboundShippingTimeDay": draw(st.integers(0, 20)),
        "unitCount": draw(st.integers(0, 100)),
        "adultOnly": draw(st.sampled_from(["ADULT_ONLY", "EVERYONE"])),
        "taxType": draw(st.sampled_from(["TAX", "FREE"])),
        "externalVendorSku": draw(SAFE_TEXT),
        "searchTags": draw(st.lists(SAFE_TEXT.map(lambda s: s[:20]), max_size=5)),
        "images": images,
    }


def _attribute_value(draw: st.DrawFn, definition: dict[str, Any], index: int | None) -> str:
    """A value the definition accepts; with `index`, one no other item's value equals (the options of
    one product must differ)."""
    if definition["inputType"] == "SELECT":
        values = definition["inputValues"]
        return values[index] if index is not None else draw(st.sampled_from(values))
    if definition["dataType"] == "NUMBER":
        number = index + 1 if index is not None else draw(st.integers(1, 9999))
        decimals = draw(st.sampled_from(["", ".5", ".25"]))
        units = definition["usableUnits"]
        return f"{number}{decimals}{draw(st.sampled_from(units)) if units else ''}"
    if definition["dataType"] == "DATE":
        day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 28)))
        return (day + timedelta(days=index) if index is not None else day).isoformat()
    text = draw(SAFE_TEXT).strip()[:20] or "값"
    return f"{index + 1}-{text}" if index is not None else text


@st.composite
def _leaf_case(draw: st.DrawFn) -> dict[str, Any]:
    """A leaf of the whole tree and, from its meta, the attributes and notices of up to MAX_ITEMS items.

    Attributes: every MANDATORY one (one member of each MANDATORY group), some OPTIONAL ones, at most
    three exposed, meta-hidden ones sent unexposed. One exposed attribute takes a distinct value per
    item so the options differ. Notices: one notice group, its MANDATORY details and some OPTIONAL ones.
    """
    leaf = draw(st.sampled_from(ACTIVE_LEAVES))
    meta = categories.metas(leaf)
    definitions = meta["attributes"]
    chosen = [d for d in definitions if d["required"] == "MANDATORY" and d["groupNumber"] == "NONE"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in definitions:
        if d["required"] == "MANDATORY" and d["groupNumber"] != "NONE":
            groups.setdefault(d["groupNumber"], []).append(d)
    chosen += [draw(st.sampled_from(members)) for _, members in sorted(groups.items())]
    optional = [d for d in definitions if d["required"] != "MANDATORY"]
    chosen += [d for d in optional if draw(st.booleans())]
    exposed_budget = 3
    attributes: list[tuple[dict[str, Any], str]] = []
    for d in chosen:
        exposed = "EXPOSED" if d["exposed"] == "EXPOSED" and exposed_budget > 0 else "NONE"
        exposed_budget -= exposed == "EXPOSED"
        attributes.append((d, exposed))
    exposed_defs = [d for d, e in attributes if e == "EXPOSED"]
    # the attribute whose value differs per item: an open (INPUT) one if any, else a SELECT, whose
    # value list then caps the item count
    varying = next((d for d in exposed_defs if d["inputType"] != "SELECT"), exposed_defs[0] if exposed_defs else None)
    cap = len(varying["inputValues"]) if varying and varying["inputType"] == "SELECT" else MAX_ITEMS
    count = draw(st.integers(1, min(MAX_ITEMS, cap)))
    group = draw(st.sampled_from(meta["noticeCategories"]))
    items = []
    for index in range(count):
        notices = [
            {
                "noticeCategoryName": group["noticeCategoryName"],
                "noticeCategoryDetailName": detail["noticeCategoryDetailName"],
                "content": draw(SAFE_TEXT),
            }
            for detail in group["noticeCategoryDetailNames"]
            if detail["required"] == "MANDATORY" or draw(st.booleans())
        ]
        item_attributes = [
            {
                "attributeTypeName": d["attributeTypeName"],
                "attributeValueName": _attribute_value(draw, d, index if d is varying else None),
                "exposed": exposed,
            }
            for d, exposed in attributes
        ]
        items.append({**draw(_item_changes()), "attributes": item_attributes, "notices": notices})
    return {"leaf": leaf.name, "items": items}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    case=_leaf_case(),
    names=st.tuples(SAFE_TEXT, SAFE_TEXT, SAFE_TEXT),
    fees=_fees(),
    union=st.sampled_from(["UNION_DELIVERY", "NOT_UNION_DELIVERY"]),
)
def test_any_valid_body_is_accepted_and_round_trips(
    seller: Seller,
    centers: tuple[int, int],
    case: dict[str, Any],
    names: tuple[str, str, str],
    fees: dict[str, Any],
    union: str,
) -> None:
    count = len(case["items"])
    body = _body(seller, centers, case["leaf"], items=count, sellerProductName=names[0], displayProductName=names[1],
                 brand=names[2], unionDeliveryType=union, **fees)  # fmt: skip
    for item, changes in zip(body["items"], case["items"], strict=True):
        item.update(changes)
    answer = seller.create(body)
    assert answer.status == 200 and answer.body == {"code": "SUCCESS", "message": "", "data": answer.data}, answer
    data = seller.product(answer.data).data
    assert data["statusName"] == "임시저장"
    for name, value in body.items():
        if name != "items":
            assert data[name] == value, name
    assert len(data["items"]) == count
    for sent, got in zip(body["items"], data["items"], strict=True):
        for name, value in sent.items():
            if name == "attributes":
                assert [{k: a[k] for k in v} for a, v in zip(got[name], value, strict=True)] == value
            else:
                assert got[name] == value, name


# ---------------------------------------------------------------- the 2026-02-02 mandatory-option rule


def _missing_option_body(seller: Seller, centers: tuple[int, int]) -> dict[str, Any]:
    return _body(seller, centers, "스킨/토너", **{f"{ITEM0}.attributes.1": DROP})


def _set_policy(seller: Seller, policy: str) -> None:
    answer = seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"mandatoryOptionPolicy": policy})
    assert answer.status == 200 and answer.body["mandatoryOptionPolicy"] == policy


MISSING_ROWS = [
    {
        "itemIndex": 0,
        "itemName": "옵션1",
        "itemAttributes": [
            {
                "attributeTypeName": "개당 용량",
                "attributeValueName": None,
                "message": "필수 구매 옵션 (미입력시 등록/노출 제한) 존재하지 않습니다.",
            }
        ],
    }
]


def test_before_the_rule_missing_options_register_flagged_until_fixed(seller: Seller, centers: tuple[int, int]) -> None:
    _set_policy(seller, "WARN")
    body = _missing_option_body(seller, centers)
    answer = seller.create(body)
    assert answer.status == 200 and answer.body["code"] == "SUCCESS" and answer.message == "[]"
    assert answer.body["details"] == "다음과 같이 필수 구매 옵션을 입력해주세요: 개당 용량"
    assert answer.body["errorItems"] == MISSING_ROWS
    query = {"vendorId": seller.vendor_id, "violationTypes": "MOTA_V2"}
    assert [r["sellerProductId"] for r in seller.ok("GET", PRODUCTS, **query)["data"]] == [answer.data]
    fixed = {**seller.product(answer.data).data, "requested": False}
    fixed["items"][0]["attributes"] = _body(seller, centers, "스킨/토너")["items"][0]["attributes"]
    assert seller.ok("PUT", PRODUCTS, fixed) == {"code": "SUCCESS", "message": "", "data": answer.data}
    assert seller.ok("GET", PRODUCTS, **query)["data"] == []


@pytest.mark.parametrize(("policy", "day", "registered"), [
    ("AUTO", "2026-02-01T14:59:59+00:00", True),
    ("AUTO", "2026-02-01T15:00:00+00:00", False),
    ("REJECT", "2025-06-01T00:00:00+00:00", False),
    ("WARN", "2026-03-02T01:00:00+00:00", True),
])  # fmt: skip
def test_the_rule_applies_from_2026_02_02_kst_or_as_set(
    seller: Seller, centers: tuple[int, int], policy: str, day: str, registered: bool
) -> None:
    _set_policy(seller, policy)
    assert seller.control("POST", "/clock", {"now": day, "vendorId": seller.vendor_id}).status == 200
    answer = seller.create(_missing_option_body(seller, centers))
    if registered:
        assert (answer.status, answer.message, answer.body["errorItems"]) == (200, "[]", MISSING_ROWS)
    else:
        assert (answer.status, answer.message) == (400, "필수 구매 옵션(미입력 시 등록/노출 제한)이 존재하지 않습니다.")
        assert answer.body["errorItems"] == MISSING_ROWS and _registered(seller) == 0


def test_catalog_settings_refuse_an_unknown_policy(seller: Seller) -> None:
    answer = seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"mandatoryOptionPolicy": "X"})
    assert (answer.status, answer.message) == (400, "mandatoryOptionPolicy must be AUTO, REJECT or WARN")


# ---------------------------------------------------------------- the remaining refusals (Coupang's generic texts and x-inferred ones)

I0 = ITEM0
DETAILS = [{"imageOrder": n, "imageType": "DETAIL", "cdnPath": f"d/{n}.jpg"} for n in range(1, 11)]
REPRESENTATION = {"imageOrder": 0, "imageType": "REPRESENTATION", "cdnPath": "r.jpg"}
MORE_ERRORS: list[tuple[str, str, dict[str, Any], str]] = [
    ("missing field", "기타 재화", {"vendorUserId": DROP}, "java.lang.NullPointerException"),
    ("missing item field", "기타 재화", {f"{I0}.salePrice": DROP}, "java.lang.NullPointerException"),
    ("bad enum", "기타 재화", {"deliveryMethod": "TRUCK"}, "입력값에 오류가 있습니다. line: 1"),
    ("bad sale date", "기타 재화", {"saleStartedAt": "2025-01-01"}, "입력값에 오류가 있습니다. line: 1"),
    ("negative number", "기타 재화", {f"{I0}.maximumBuyForPerson": -1}, "입력값에 오류가 있습니다. line: 1"),
    ("no items", "기타 재화", {"items": []}, "아이템을 1개 이상 입력해주세요."),
    ("201 items", "기타 재화", {"items": "MANY"}, "아이템은 최대 200개까지 등록 가능합니다."),
    ("product name", "기타 재화", {"sellerProductName": "가" * 101}, "'등록상품명' 최대 길이(100자)를 초과했습니다."),
    ("item name", "기타 재화", {f"{I0}.itemName": "가" * 151}, "'아이템명' 최대 길이(150자)를 초과했습니다."),
    (
        "sale period",
        "기타 재화",
        {"saleEndedAt": "2024-01-01T00:00:00"},
        "판매종료일시는 판매시작일시 이후여야 합니다.",
    ),
    (
        "fee missing",
        "기타 재화",
        {"deliveryChargeType": "NOT_FREE", "deliveryCharge": DROP},
        "java.lang.NullPointerException",
    ),
    ("free over unit", "기타 재화", {"freeShipOverAmount": 30050}, "조건부 무료배송 금액은 100원 단위로 입력해주세요."),
    (
        "conditional return",
        "기타 재화",
        {"deliveryChargeOnReturn": 2500},
        "조건부 무료배송의 경우 초도반품배송비는 0원입니다.",
    ),
    (
        "charge received",
        "기타 재화",
        {"deliveryChargeType": "CHARGE_RECEIVED"},
        "착불 배송은 지정된 카테고리에서만 선택할 수 있습니다.",
    ),
    (
        "cold fresh",
        "사과",
        {"deliveryMethod": "SEQUENCIAL"},
        "신선식품은 배송방법을 신선냉동(COLD_FRESH)으로 입력해주세요.",
    ),
    (
        "no representation",
        "기타 재화",
        {f"{I0}.images": DETAILS[:1]},
        "대표이미지(REPRESENTATION)는 1개 등록해야 합니다.",
    ),
    (
        "two representations",
        "기타 재화",
        {f"{I0}.images": [REPRESENTATION, {**REPRESENTATION, "imageOrder": 1}]},
        "대표이미지(REPRESENTATION)는 1개 등록해야 합니다.",
    ),
    (
        "ten details",
        "기타 재화",
        {f"{I0}.images": [REPRESENTATION, *DETAILS]},
        "이미지 개수를 확인해주세요. (상세이미지 최대 9개, 중고상태이미지 최대 4개)",
    ),
    (
        "image path",
        "기타 재화",
        {f"{I0}.images": [{**REPRESENTATION, "cdnPath": "a" * 201}]},
        "이미지 경로(cdnPath 또는 vendorPath)를 200자 이내로 입력해주세요.",
    ),
    ("tags", "기타 재화", {f"{I0}.searchTags": ["태그"] * 21}, "검색어는 최대 20개, 각 20자 이내로 입력해주세요."),
    (
        "tag chars",
        "기타 재화",
        {f"{I0}.searchTags": ["<script>"]},
        "검색어에 사용할 수 없는 특수문자가 포함되어 있습니다.",
    ),
    (
        "offer condition",
        "기타 재화",
        {f"{I0}.offerCondition": "USED_BEST"},
        "카테고리에서 허용하지 않는 상품상태(offerCondition)입니다.",
    ),
    (
        "offer description",
        "자급제폰",
        {f"{I0}.offerDescription": "새 제품"},
        "상품상태설명(offerDescription)은 중고상품에만 700자 이내로 입력할 수 있습니다.",
    ),
    (
        "cert type",
        "기타 재화",
        {f"{I0}.certifications": [{"certificationType": "KC_CERTIFICATION", "certificationCode": "X"}]},
        "카테고리에서 허용하지 않는 인증유형입니다. [KC_CERTIFICATION]",
    ),
    (
        "cert code",
        "자급제폰",
        {f"{I0}.certifications.0.certificationCode": ""},
        "인증번호를 입력해주세요. [COMMUNICATION_EQUIPMENT]",
    ),
    ("cert missing", "자급제폰", {f"{I0}.certifications": []}, "필수 인증정보를 입력해주세요. [CERT_NAME]"),
    ("document missing", "비타민", {"requiredDocuments": []}, "필수 구비서류를 등록해주세요. [표시·광고 사전심의필증]"),
    (
        "document path",
        "비타민",
        {"requiredDocuments.0.vendorDocumentPath": "a" * 151},
        "구비서류 경로(documentPath 또는 vendorDocumentPath)를 150자 이내로 입력해주세요.",
    ),
    (
        "same day",
        "기타 재화",
        {f"{I0}.sameDayShipping": {"active": True, "cutOffTimeHour": 9}},
        "당일출고 마감시간은 10시~23시 정각으로 입력해주세요.",
    ),
    (
        "barcode reason",
        "기타 재화",
        {f"{I0}.emptyBarcodeReason": "가" * 101},
        "바코드 없음 사유는 100자 이내로 입력해주세요.",
    ),
    (
        "four exposed options",
        "라운드넥 반팔 티셔츠",
        {
            f"{I0}.attributes": [
                {"attributeTypeName": "색상", "attributeValueName": "블랙"},
                {"attributeTypeName": "사이즈", "attributeValueName": "M"},
                {"attributeTypeName": "수량", "attributeValueName": "1개"},
                {"attributeTypeName": "성별", "attributeValueName": "남성", "exposed": "EXPOSED"},
            ]
        },
        "구매옵션은 최대 3개까지 입력 가능합니다.",
    ),
]


@pytest.mark.parametrize(("case", "category", "changes", "message"), MORE_ERRORS, ids=[c[0] for c in MORE_ERRORS])
def test_more_create_refusals(
    seller: Seller, centers: tuple[int, int], case: str, category: str, changes: dict[str, Any], message: str
) -> None:
    special = changes.get("items")
    body = _body(seller, centers, category, **{k: v for k, v in changes.items() if k != "items"})
    if special == "MANY":
        body["items"] = [
            {
                **body["items"][0],
                "itemName": f"옵션{n}",
                "attributes": [{"attributeTypeName": "수량", "attributeValueName": f"{n}개"}],
            }
            for n in range(201)
        ]
    elif special is not None:
        body["items"] = special
    if case == "cert missing":
        name = categories.metas(categories.leaf_by_name(category))["certifications"][0]["name"]
        message = message.replace("CERT_NAME", name)
    answer = seller.create(body)
    assert (answer.status, answer.message) == (400, message), answer
    # refusals the spec schema expresses (x-error-message) come from the gateway: {"code": 400, "message"}
    assert answer.body["code"] in ("ERROR", 400) and answer.body.get("data") is None
    assert _registered(seller) == 0


def test_three_exposed_options_and_a_hidden_fourth_are_accepted(seller: Seller, centers: tuple[int, int]) -> None:
    attributes = [
        {"attributeTypeName": "색상", "attributeValueName": "블랙"},
        {"attributeTypeName": "사이즈", "attributeValueName": "M"},
        {"attributeTypeName": "수량", "attributeValueName": "1개"},
        {"attributeTypeName": "성별", "attributeValueName": "남성", "exposed": "NONE"},
    ]
    answer = seller.create(_body(seller, centers, "라운드넥 반팔 티셔츠", **{f"{I0}.attributes": attributes}))
    assert answer.status == 200, answer


BAD_TOKENS = [
    ("list", "abc"),
    ("list", "0"),
    ("list", "-1"),
    ("list", "1.5"),
    ("histories", "abc"),
    ("histories", "0"),
]


@pytest.mark.parametrize(("where", "token"), BAD_TOKENS)
def test_a_malformed_next_token_is_refused(seller: Seller, where: str, token: str) -> None:
    product = seller.quick({}, approve=False)["sellerProductId"]
    path, query = (
        (PRODUCTS, {"vendorId": seller.vendor_id}) if where == "list" else (f"{PRODUCTS}/{product}/histories", {})
    )
    answer = seller.call("GET", path, nextToken=token, **query)
    assert (answer.status, answer.message) == (400, "nextToken 값이 올바르지 않습니다.")
    assert seller.status(product) == "임시저장" and _registered(seller) == 1


FEES_MISSING = [
    ("NOT_FREE", {"deliveryCharge": None}),
    ("CHARGE_RECEIVED", {"deliveryCharge": None}),
    ("CONDITIONAL_FREE", {"deliveryCharge": 2500, "freeShipOverAmount": None}),
    ("FREE", {"deliveryChargeOnReturn": None}),
]


@pytest.mark.parametrize(("kind", "fees"), FEES_MISSING)
def test_a_fee_the_charge_type_needs_is_required(seller: Seller, kind: str, fees: dict[str, Any]) -> None:
    # The signed API's schema answers a missing/null fee first (NullPointerException / line: 1); the
    # domain's own text shows where bodies skip the schema: the quick-product control route.
    product = {"deliveryChargeType": kind, "deliveryCharge": 0, "freeShipOverAmount": 0, **fees}
    answer = seller.control("POST", f"/vendors/{seller.vendor_id}/catalog/quick-product", {"product": product})
    assert (answer.status, answer.body) == (
        400,
        {"code": "ERROR", "message": f"배송비 종류({kind})에 필요한 배송비 정보를 입력해주세요.", "data": None},
    )
    assert _registered(seller) == 0 and seller.outbound_count() == 0 and seller.return_count() == 0


def test_an_unknown_courier_is_coupangs_internal_exception(seller: Seller, centers: tuple[int, int]) -> None:
    answer = seller.create(_body(seller, centers, deliveryCompanyCode="NOPE"))
    assert (answer.status, answer.message) == (500, "Internal Exception")
    assert _registered(seller) == 0


def test_rocket_growth_bodies_need_the_rg_terms(seller: Seller) -> None:
    document = spec.load()
    example = copy.deepcopy(document["components"]["examples"]["ProductsCreateRocketGrowthExample"]["value"])
    example["vendorId"] = seller.vendor_id
    answer = seller.create(example)
    assert (answer.status, answer.message) == (
        400,
        "로켓그로스 API 이용약관에 동의하지 않은 업체입니다. WING에서 약관 동의 후 이용해 주세요.",
    )


def _send_text(seller: Seller, text: str) -> requests.Response:
    """A body exactly as given (pretty-printed or broken), signed like any call."""
    api = seller.client
    header = sign(api.access_key, api.secret_key, "POST", PRODUCTS, "")
    return requests.post(
        f"{seller.base_url}{PRODUCTS}",
        data=text.encode("utf-8"),
        headers={"Authorization": header, "Content-Type": "application/json;charset=UTF-8"},
        timeout=30,
    )


@pytest.mark.parametrize(
    ("changes", "offending"),
    [
        ({"deliveryMethod": "TRUCK"}, '"TRUCK"'),
        ({"saleStartedAt": "2025-13-45T00:00:00"}, '"2025-13-45T00:00:00"'),
        ({f"{I0}.maximumBuyForPerson": -7}, "-7"),
    ],
    ids=["enum", "date", "negative"],
)
def test_the_input_error_names_the_line_of_the_bad_value(
    seller: Seller, centers: tuple[int, int], services: Any, changes: dict[str, Any], offending: str
) -> None:
    text = json.dumps(_body(seller, centers, **changes), ensure_ascii=False, indent=2)
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if offending in row)
    assert line > 1
    before = _registered(seller)
    answer = _send_text(seller, text)
    assert (answer.status_code, answer.json()) == (
        400,
        {"code": "ERROR", "message": f"입력값에 오류가 있습니다. line: {line}", "data": None},
    )
    assert _registered(seller) == before


def test_unreadable_json_names_the_line_where_reading_stopped(seller: Seller) -> None:
    text = '{\n  "displayCategoryCode": 56137,\n  "sellerProductName": "상품" oops\n}'
    answer = _send_text(seller, text)
    assert (answer.status_code, answer.json()) == (
        400,
        {"code": "ERROR", "message": "입력값에 오류가 있습니다. line: 3", "data": None},
    )
