"""Helpers of the catalog tests (logistics, categories, products): signed calls and valid bodies."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any

import requests
from jsonschema import Draft202012Validator

from coupang_mock.client import CoupangClient
from coupang_mock.client.signing import encode_query

MARKET = "/v2/providers/seller_api/apis/api/v1/marketplace"
PRODUCTS = f"{MARKET}/seller-products"
VENDOR_ITEMS = f"{MARKET}/vendor-items"
META = f"{MARKET}/meta"
OUTBOUND_V2 = "/v2/providers/marketplace_openapi/apis/api/v2/vendor/shipping-place/outbound"
RETURN_BY_CODE = "/v2/providers/openapi/apis/api/v3/return/shipping-places/center-code"


@dataclass
class Answer:
    status: int
    body: Any

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def message(self) -> Any:
        return self.body.get("message") if isinstance(self.body, dict) else None


class Seller:
    """One vendor seen through the signed API and the control plane, never raising on 4xx/5xx."""

    def __init__(self, base_url: str, client: CoupangClient) -> None:
        self.base_url = base_url
        self.client = client
        self.vendor_id = client.vendor_id
        self.v4 = f"/v2/providers/openapi/apis/api/v4/vendors/{self.vendor_id}"
        self.v5 = f"/v2/providers/openapi/apis/api/v5/vendors/{self.vendor_id}"

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Answer:
        params = {k: v for k, v in query.items() if v is not None}
        response = self.client.send_raw(method, path, encode_query(params), body)
        return Answer(response.status_code, response.json() if response.content else None)

    def ok(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        answer = self.call(method, path, body, **query)
        assert answer.status == 200, answer
        return answer.body

    def control(self, method: str, path: str, body: Any = None) -> Answer:
        response = requests.request(method, f"{self.base_url}/_mock{path}", json=body, timeout=30)
        return Answer(response.status_code, response.json() if response.content else None)

    def advance(self, seconds: float) -> None:
        answer = self.control("POST", "/clock", {"advanceSeconds": seconds, "vendorId": self.vendor_id})
        assert answer.status == 200, answer

    # logistics -----------------------------------------------------------------------------------
    def outbound(self, **changes: Any) -> int:
        body = outbound_body(self.vendor_id, **changes)
        return int(self.ok("POST", f"{self.v5}/outboundShippingCenters", body)["data"]["resultMessage"])

    def return_center(self, **changes: Any) -> int:
        body = return_body(self.vendor_id, **changes)
        return int(self.ok("POST", f"{self.v5}/returnShippingCenters", body)["data"]["resultMessage"])

    def outbound_count(self) -> int:
        return self.ok("GET", OUTBOUND_V2, pageNum=1, pageSize=50)["pagination"]["totalElements"]

    def return_count(self) -> int:
        return self.ok("GET", f"{self.v5}/returnShippingCenters", pageNum=1, pageSize=50)["data"]["pagination"][
            "totalElements"
        ]

    # products ------------------------------------------------------------------------------------
    def centers(self) -> tuple[int, int]:
        return self.outbound(), self.return_center()

    def create(self, body: dict[str, Any]) -> Answer:
        return self.call("POST", PRODUCTS, body)

    def product(self, seller_product_id: int) -> Answer:
        return self.call("GET", f"{PRODUCTS}/{seller_product_id}")

    def status(self, seller_product_id: int) -> str:
        return self.ok("GET", f"{PRODUCTS}/{seller_product_id}")["data"]["statusName"]

    def review(self, seller_product_id: int, decision: str = "APPROVE", **extra: Any) -> Answer:
        path = f"/vendors/{self.vendor_id}/products/{seller_product_id}/review"
        return self.control("POST", path, {"decision": decision, **extra})

    def policy(self, **policy: Any) -> Answer:
        return self.control("PUT", f"/vendors/{self.vendor_id}/review-policy", policy)

    def quick(self, *items: dict[str, Any], approve: bool = True, **extra: Any) -> dict[str, Any]:
        entries = [{"itemName": f"옵션{i}", "salePrice": 10000, "quantity": 10, **item} for i, item in enumerate(items)]
        answer = self.control(
            "POST", f"/vendors/{self.vendor_id}/catalog/quick-product", {"items": entries, "approve": approve, **extra}
        )
        assert answer.status == 201, answer
        return answer.body


def outbound_body(vendor_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "vendorId": vendor_id,
        "userId": "wing_seoul01",
        "shippingPlaceName": "강남 물류센터 출고지",
        "usable": True,
        "global": False,
        "placeAddresses": [
            {
                "addressType": "JIBUN",
                "countryCode": "KR",
                "companyContactNumber": "02-1234-5678",
                "phoneNumber2": "010-1234-5678",
                "returnZipCode": "06236",
                "returnAddress": "서울특별시 강남구 역삼동 737",
                "returnAddressDetail": "2층 출고장",
            }
        ],
        "remoteInfos": [{"deliveryCode": "CJGLS", "jeju": 3000, "notJeju": 5000}],
    }
    return _apply(body, changes)


def return_body(vendor_id: str, **changes: Any) -> dict[str, Any]:
    fees = {
        f"{k}{t}": 3000
        for k in ("vendorCreditFee", "vendorCashFee", "consumerCashFee", "returnFee")
        for t in ("05kg", "10kg", "20kg")
    }
    body: dict[str, Any] = {
        "vendorId": vendor_id,
        "userId": "wing_seoul01",
        "shippingPlaceName": "강남 반품센터",
        "goodsflowInfoOpenApiDto": {
            "deliverCode": "CJGLS",
            "deliverName": "CJ대한통운",
            "contractNumber": "81234567",
            "contractCustomerNumber": "",
            **fees,
        },
        "placeAddresses": [
            {
                "addressType": "JIBUN",
                "countryCode": "KR",
                "companyContactNumber": "02-1234-5678",
                "phoneNumber2": "",
                "returnZipCode": "06236",
                "returnAddress": "서울특별시 강남구 역삼동 737",
                "returnAddressDetail": "지하 1층 반품장",
            }
        ],
    }
    return _apply(body, changes)


DROP = object()


def _apply(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Changes keyed by dotted paths ("placeAddresses.0.returnZipCode"); DROP removes the key."""
    result = copy.deepcopy(body)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__") if "__" in dotted else dotted.split(".")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DROP:
            del node[key]
        else:
            node[key] = value
    return result


def with_changes(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return _apply(body, changes)


# ---------------------------------------------------------------- product bodies built from the category meta


def leaf_code(name: str) -> int:
    from coupang_mock.server.domains import categories

    return categories.leaf_by_name(name).code


def _value(definition: dict[str, Any], index: int) -> str:
    if definition["inputType"] == "SELECT":
        return definition["inputValues"][index % len(definition["inputValues"])]
    if definition["dataType"] == "NUMBER":
        return f"{index + 1}{definition['usableUnits'][0]}" if definition["usableUnits"] else str(index + 1)
    return f"값{index + 1}"


def meta_attributes(meta: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """Every MANDATORY attribute (the first of each group); the first one varies per item."""
    chosen, groups = [], set()
    for definition in meta["attributes"]:
        if definition["required"] != "MANDATORY":
            continue
        if definition["groupNumber"] != "NONE":
            if definition["groupNumber"] in groups:
                continue
            groups.add(definition["groupNumber"])
        chosen.append(definition)
    if not chosen:  # no mandatory option: one optional exposed attribute keeps items distinct
        chosen = [d for d in meta["attributes"] if d["exposed"] == "EXPOSED"][:1]
    return [
        {"attributeTypeName": d["attributeTypeName"], "attributeValueName": _value(d, index if n == 0 else 0)}
        for n, d in enumerate(chosen)
    ]


def meta_notices(meta: dict[str, Any]) -> list[dict[str, Any]]:
    group = meta["noticeCategories"][0]
    return [
        {
            "noticeCategoryName": group["noticeCategoryName"],
            "noticeCategoryDetailName": d["noticeCategoryDetailName"],
            "content": "상세페이지 참조",
        }
        for d in group["noticeCategoryDetailNames"]
    ]


def meta_certifications(meta: dict[str, Any]) -> list[dict[str, Any]]:
    mandatory = [c for c in meta["certifications"] if c["required"] == "MANDATORY"]
    if mandatory:
        return [{"certificationType": mandatory[0]["certificationType"], "certificationCode": "R-R-ABC-1234"}]
    return (
        [{"certificationType": "NOT_REQUIRED", "certificationCode": ""}]
        if any(c["certificationType"] == "NOT_REQUIRED" for c in meta["certifications"])
        else []
    )


def item_body(meta: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    item = {
        "itemName": f"옵션{index + 1}",
        "originalPrice": 15000,
        "salePrice": 12000,
        "maximumBuyCount": 50,
        "maximumBuyForPerson": 0,
        "maximumBuyForPersonPeriod": 1,
        "outboundShippingTimeDay": 2,
        "unitCount": 1,
        "adultOnly": "EVERYONE",
        "taxType": "TAX",
        "parallelImported": "NOT_PARALLEL_IMPORTED",
        "overseasPurchased": "NOT_OVERSEAS_PURCHASED",
        "pccNeeded": False,
        "externalVendorSku": f"SKU-{index + 1:04d}",
        "emptyBarcode": True,
        "emptyBarcodeReason": "자체제작",
        "certifications": meta_certifications(meta),
        "searchTags": ["테스트"],
        "images": [{"imageOrder": 0, "imageType": "REPRESENTATION", "vendorPath": "https://img.example.com/a.jpg"}],
        "notices": meta_notices(meta),
        "attributes": meta_attributes(meta, index),
        "contents": [
            {"contentsType": "TEXT", "contentDetails": [{"content": "<p>상세설명</p>", "detailType": "TEXT"}]}
        ],
        "offerCondition": "NEW",
    }
    return _apply(item, changes)


def product_body(
    vendor_id: str, outbound: int, return_code: int, category: str = "기타 재화", items: int = 1, **changes: Any
) -> dict[str, Any]:
    from coupang_mock.server.domains import categories

    leaf = categories.leaf_by_name(category)
    meta = categories.metas(leaf)
    documents = [
        {"templateName": t["templateName"], "vendorDocumentPath": "https://docs.example.com/a.pdf"}
        for t in meta["requiredDocumentNames"]
        if t["required"] == "MANDATORY"
    ]
    body: dict[str, Any] = {
        "displayCategoryCode": leaf.code,
        "sellerProductName": "테스트 상품",
        "vendorId": vendor_id,
        "saleStartedAt": "2025-01-01T00:00:00",
        "saleEndedAt": "2099-01-01T23:59:59",
        "displayProductName": "테스트브랜드 테스트 상품",
        "brand": "테스트브랜드",
        "generalProductName": "테스트 상품",
        "deliveryMethod": "COLD_FRESH" if categories.profile(leaf).get("coldFresh") else "SEQUENCIAL",
        "deliveryCompanyCode": "CJGLS",
        "deliveryChargeType": "CONDITIONAL_FREE",
        "deliveryCharge": 3000,
        "freeShipOverAmount": 30000,
        "deliveryChargeOnReturn": 0,
        "remoteAreaDeliverable": "N",
        "unionDeliveryType": "UNION_DELIVERY",
        "returnCenterCode": str(return_code),
        "returnChargeName": "강남 반품센터",
        "companyContactNumber": "02-1234-5678",
        "returnZipCode": "06236",
        "returnAddress": "서울특별시 강남구 역삼동 737",
        "returnAddressDetail": "지하 1층 반품장",
        "returnCharge": 3000,
        "outboundShippingPlaceCode": outbound,
        "vendorUserId": "wing_test_user",
        "requested": False,
        "items": [item_body(meta, i) for i in range(items)],
        "requiredDocuments": documents,
        "manufacture": "테스트제조사",
        "bundleInfo": {"bundleType": "SINGLE"},
    }
    return _apply(body, changes)


# ---------------------------------------------------------------- response schemas of the spec


@functools.cache
def _operations() -> dict[str, Any]:
    from coupang_mock.server import spec

    document = spec.load_copy()
    return {op.operation_id: (document, op) for op in spec.iter_operations(document)}


@functools.cache
def _validator(operation_id: str, status: int) -> Draft202012Validator:
    from coupang_mock.server import spec

    document, op = _operations()[operation_id]
    responses = op.raw["responses"]
    assert str(status) in responses, f"{operation_id} answered {status}, which the spec does not declare"
    response = spec.deref(document, responses[str(status)])
    schema = next(media["schema"] for kind, media in response["content"].items() if "json" in kind)
    return Draft202012Validator(schema)


def assert_schema(operation_id: str, answer: Answer) -> Answer:
    """The answer validates against the operation's declared schema for its status."""
    _validator(operation_id, answer.status).validate(answer.body)
    return answer
