"""Seller-product texts and shapes: Coupang's verbatim messages, the field lists of a product and an
option item, the enums and defaults, and the error constructors every product module answers with.

Texts the sources do not give are grouped under "x-inferred" and noted in the spec.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..errors import ApiError, LocatedError

# ---------------------------------------------------------------- verbatim texts (products.yaml)

NPE = "java.lang.NullPointerException"
BAD_INPUT = "입력값에 오류가 있습니다. line: {line}"
MISSING_ATTRIBUTE = "카테고리의 필수 속성이 존재하지 않습니다."
BAD_CENTER = "올바른 반품지 센터코드를 입력 하세요."
REMOTE_COURIER = "[택배사 코드]를 확인해 주세요."
DISPLAY_NAME_TOO_LONG = "'노출상품명' 최대 길이(100자)를 초과했습니다."
RETURN_CHARGE_RANGE = (
    "일반배송상품의 경우, 반품배송비는 초도반품비의 100%~150%까지만 입력가능합니다. 반품배송비를 변경해주세요"
)
AGENT_BUY_DOMESTIC = "배송방법을 확인해 주시기 바랍니다."
AGENT_BUY_PCC = "배송방법이 구매대행인 경우에는 쿠팡에서 배송을 위해 고객에게 PCCC를 의무적으로 입력하도록 합니다."
AB_MULTI = "혼합 구성 상품 등록할 때, 여러 개 옵션 구성은 불가능 합니다."
AB_ATTRIBUTES = "혼합 구성 상품 등록할 때, 속성(attributeTypeName) 입력할 수 없습니다."
BAD_BUNDLE = "bundleInfo에서 허용하지 않는 값입니다."
BUNDLE_FIXED = "bundleInfo 는 변경 불가 합니다."
DUPLICATE_OPTIONS = "아이템과 같은 옵션 및 옵션값을 가지고 있는 아이템이 중복으로 존재합니다"
DUPLICATE_ITEM_NAME = "중복된 아이템 이름이 존재합니다."
MANDATORY_OPTION = "필수 구매 옵션(미입력 시 등록/노출 제한)이 존재하지 않습니다."
MANDATORY_OPTION_ITEM = "필수 구매 옵션 (미입력시 등록/노출 제한) 존재하지 않습니다."
NOT_ALLOWED_OPTION = "유효하지 않은 구매 옵션이 존재합니다. Attribute(s) Not Allowed"
INVALID_OPTION_VALUE = "[]. 유효하지 않은 구매 옵션 값 혹은 단위가 존재합니다."
INVALID_UNIT_ITEM = "유효하지 않은 단위값입니다."
SELECT_VALUE = "attributeValueName 값이 올바르지 않습니다. 에러 스펙 가이드를 참고하여 입력 가능한 값을 입력해 주세요."
AUTO_PRICING_MIN = "autoPricingInfo.minSalePrice must be less than salePrice"
AUTO_PRICING_APPROVED = "autoPricingInfo cannot be modified after product approval"
ON_SALE_NOT_DELETABLE = "판매중인 상품은 삭제할 수 없습니다."
APPROVED_NOT_DELETABLE = "vendorItem로 생성된 아이템은 삭제가 불가능합니다."
DELETED_PRODUCT = "삭제된 상품은 변경이 불가능합니다."
PENDING_PRODUCT = "승인 대기중 상품은 수정할 수 없습니다."
SAVING_PRODUCT = "생성이 진행중인 상품은 수정할 수 없습니다."
ID_MISMATCH = "업체상품아이디를 다시 확인해주세요."
ID_MISSING = "업체상품아이디를 반드시 입력해주세요."
OTHER_VENDOR = "업체[{vendor}]는 다른 업체[{owner}]의 상품을 조회할 수 없습니다."
REQUEST_STATES = '"임시저장", "승인완료", "승인반려", "부분승인완료" 상태의 상품만 승인 요청 가능합니다.'
TIME_WINDOW = "검색 허용 범위를 초과했습니다. 최대 허용 범위는 10분입니다."
CREATED_AT_FORMAT = "Format of createdAt is yyyy-MM-dd"
PRICE_UNIT = "가격은 최소 10원 단위로 입력가능합니다. (1원단위 입력 불가)"
PRICE_BAND = "판매가 변경이 불가능합니다. 변경전 판매가의 최대 50% 인하/최대 100%인상까지 변경가능합니다."
AUTO_GENERATED_PRICE = (
    "자동생성옵션의 가격을 직접 수정할 수 없습니다. 기준 판매자옵션 가격으로 자동생성옵션 가격도 변경할 수 있습니다."
)
AP_TOGETHER = "apMinSalePrice and apActive must be provided together"
AP_MIN = "apMinSalePrice must be less than price"
BAD_QUANTITY = "유효하지 않은 재고수량입니다."
LEGACY_FREE_OVER = "배송비 종류가 {amount}이상 무료배송이면 조건부무료가 {amount}원, 초도배송비가 0원 입니다."

# x-inferred: refusals whose text the sources do not give (spec notes them)
TOO_MANY_ITEMS = "아이템은 최대 200개까지 등록 가능합니다."
NO_ITEMS = "아이템을 1개 이상 입력해주세요."
ITEM_NAME_TOO_LONG = "'아이템명' 최대 길이(150자)를 초과했습니다."
PRODUCT_NAME_TOO_LONG = "'등록상품명' 최대 길이(100자)를 초과했습니다."
SALE_PERIOD = "판매종료일시는 판매시작일시 이후여야 합니다."
FEE_REQUIRED = "배송비 종류({kind})에 필요한 배송비 정보를 입력해주세요."
FREE_SHIP_OVER_UNIT = "조건부 무료배송 금액은 100원 단위로 입력해주세요."
CONDITIONAL_RETURN = "조건부 무료배송의 경우 초도반품배송비는 0원입니다."
CHARGE_RECEIVED_CATEGORY = "착불 배송은 지정된 카테고리에서만 선택할 수 있습니다."
COLD_FRESH_REQUIRED = "신선식품은 배송방법을 신선냉동(COLD_FRESH)으로 입력해주세요."
REPRESENTATION_IMAGE = "대표이미지(REPRESENTATION)는 1개 등록해야 합니다."
IMAGE_COUNT = "이미지 개수를 확인해주세요. (상세이미지 최대 9개, 중고상태이미지 최대 4개)"
IMAGE_PATH = "이미지 경로(cdnPath 또는 vendorPath)를 200자 이내로 입력해주세요."
TOO_MANY_OPTIONS = "구매옵션은 최대 3개까지 입력 가능합니다."
SEARCH_TAGS = "검색어는 최대 20개, 각 20자 이내로 입력해주세요."
SEARCH_TAG_CHARS = "검색어에 사용할 수 없는 특수문자가 포함되어 있습니다."
OFFER_CONDITION = "카테고리에서 허용하지 않는 상품상태(offerCondition)입니다."
OFFER_DESCRIPTION = "상품상태설명(offerDescription)은 중고상품에만 700자 이내로 입력할 수 있습니다."
CERT_NOT_ALLOWED = "카테고리에서 허용하지 않는 인증유형입니다. [{type}]"
CERT_CODE = "인증번호를 입력해주세요. [{type}]"
CERT_MANDATORY = "필수 인증정보를 입력해주세요. [{name}]"
DOCUMENT_MISSING = "필수 구비서류를 등록해주세요. [{name}]"
DOCUMENT_PATH = "구비서류 경로(documentPath 또는 vendorDocumentPath)를 150자 이내로 입력해주세요."
SAME_DAY = "당일출고 마감시간은 10시~23시 정각으로 입력해주세요."
BARCODE_REASON = "바코드 없음 사유는 100자 이내로 입력해주세요."
CATEGORY_FIXED = "노출카테고리는 변경할 수 없습니다."
OFFER_CONDITION_FIXED = "상품상태(offerCondition)는 변경할 수 없습니다."
SINGLE_ITEM_FIXED = "단일상품으로 등록된 상품에는 옵션을 추가할 수 없습니다."
UNKNOWN_ITEM = "존재하지 않는 아이템입니다. [sellerProductItemId={id}]"
INFLOW_LIMIT = "상품 등록 가능 개수를 초과했습니다."
BAD_TOKEN = "nextToken 값이 올바르지 않습니다."
DENY_REASON = "상품 정보가 판매 기준에 맞지 않아 승인이 반려되었습니다."
IMAGE_DOWNLOAD = "이미지 다운로드에 실패했습니다. (vendorPath: {path})"
PARTIAL_REASON = "일부 옵션이 판매 기준에 맞지 않아 부분 승인되었습니다."

PRODUCT_FIELDS = (
    "displayCategoryCode", "sellerProductName", "vendorId", "saleStartedAt", "saleEndedAt", "displayProductName",
    "brand", "brandId", "generalProductName", "productGroup", "deliveryMethod", "deliveryCompanyCode",
    "deliveryChargeType", "deliveryCharge", "freeShipOverAmount", "deliveryChargeOnReturn", "remoteAreaDeliverable",
    "unionDeliveryType", "returnCenterCode", "returnChargeName", "companyContactNumber", "returnZipCode",
    "returnAddress", "returnAddressDetail", "returnCharge", "returnChargeVendor", "afterServiceInformation",
    "afterServiceContactNumber", "outboundShippingPlaceCode", "vendorUserId", "requested", "requiredDocuments",
    "extraInfoMessage", "manufacture", "bundleInfo",
)  # fmt: skip
ITEM_FIELDS = (
    "itemName", "originalPrice", "salePrice", "autoPricingInfo", "maximumBuyCount", "maximumBuyForPerson",
    "maximumBuyForPersonPeriod", "outboundShippingTimeDay", "sameDayShipping", "unitCount", "adultOnly", "taxType",
    "parallelImported", "overseasPurchased", "pccNeeded", "externalVendorSku", "barcode", "emptyBarcode",
    "emptyBarcodeReason", "modelNo", "extraProperties", "certifications", "searchTags", "images", "notices",
    "attributes", "contents", "offerCondition", "offerDescription",
)  # fmt: skip
# the fields the partial (no-approval) update may change (products.yaml → get-seller-product-partial)
PARTIAL_FIELDS = (
    "deliveryMethod", "deliveryCompanyCode", "deliveryChargeType", "deliveryCharge", "freeShipOverAmount",
    "deliveryChargeOnReturn", "remoteAreaDeliverable", "unionDeliveryType", "returnCenterCode", "returnChargeName",
    "companyContactNumber", "returnZipCode", "returnAddress", "returnAddressDetail", "returnCharge",
    "outboundShippingPlaceCode", "pccNeeded", "extraInfoMessage",
)  # fmt: skip
# product fields copied onto vendor-item documents: what the orders domain needs to ship
SHIPPING_FIELDS = (
    "outboundShippingPlaceCode", "returnCenterCode", "deliveryChargeType", "deliveryCharge", "freeShipOverAmount",
    "deliveryCompanyCode", "deliveryMethod", "unionDeliveryType", "remoteAreaDeliverable", "returnCharge",
    "deliveryChargeOnReturn",
)  # fmt: skip
REQUIRED_FIELDS = (
    "sellerProductName", "saleStartedAt", "saleEndedAt", "deliveryMethod", "deliveryCompanyCode",
    "deliveryChargeType", "remoteAreaDeliverable", "unionDeliveryType", "returnCenterCode", "returnCharge",
    "outboundShippingPlaceCode", "vendorUserId", "items",
)  # fmt: skip
REQUIRED_ITEM_FIELDS = (
    "itemName", "originalPrice", "salePrice", "maximumBuyCount", "maximumBuyForPerson", "maximumBuyForPersonPeriod",
    "outboundShippingTimeDay", "unitCount", "images",
)  # fmt: skip
ENUMS: dict[str, tuple[str, ...]] = {
    "deliveryMethod": ("SEQUENCIAL", "COLD_FRESH", "MAKE_ORDER", "AGENT_BUY", "VENDOR_DIRECT"),
    "deliveryChargeType": (
        "FREE", "NOT_FREE", "CHARGE_RECEIVED", "CONDITIONAL_FREE",
        "FREE_DELIVERY_OVER_9800", "FREE_DELIVERY_OVER_19800", "FREE_DELIVERY_OVER_30000",
    ),
    "remoteAreaDeliverable": ("Y", "N"),
    "unionDeliveryType": ("UNION_DELIVERY", "NOT_UNION_DELIVERY"),
}  # fmt: skip
ITEM_ENUMS: dict[str, tuple[str, ...]] = {
    "adultOnly": ("ADULT_ONLY", "EVERYONE"),
    "taxType": ("TAX", "FREE"),
    "parallelImported": ("PARALLEL_IMPORTED", "NOT_PARALLEL_IMPORTED"),
    "overseasPurchased": ("OVERSEAS_PURCHASED", "NOT_OVERSEAS_PURCHASED"),
    "offerCondition": ("NEW", "REFURBISHED", "USED_BEST", "USED_GOOD", "USED_NORMAL"),
}
ITEM_DEFAULTS: dict[str, Any] = {
    "adultOnly": "EVERYONE",
    "taxType": "TAX",
    "parallelImported": "NOT_PARALLEL_IMPORTED",
    "overseasPurchased": "NOT_OVERSEAS_PURCHASED",
    "pccNeeded": False,
    "offerCondition": "NEW",
    "certifications": [],
    "searchTags": [],
    "notices": [],
    "attributes": [],
    "contents": [],
}
IMAGE_TYPES = ("REPRESENTATION", "DETAIL", "USED_PRODUCT")
CONTENTS_TYPES = (
    "IMAGE",
    "IMAGE_NO_SPACE",
    "TEXT",
    "IMAGE_TEXT",
    "TEXT_IMAGE",
    "IMAGE_IMAGE",
    "TEXT_TEXT",
    "TITLE",
    "HTML",
)
USED_CONDITIONS = ("USED_BEST", "USED_GOOD", "USED_NORMAL")
LEGACY_FREE_OVER_AMOUNTS = {
    "FREE_DELIVERY_OVER_9800": 9800,
    "FREE_DELIVERY_OVER_19800": 19800,
    "FREE_DELIVERY_OVER_30000": 30000,
}
SALE_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
SEARCH_TAG_RE = re.compile(r"^[0-9A-Za-z가-힣ㄱ-ㅎㅏ-ㅣ\s!@#$%^&*\-+;:'.]*$")
DEFAULT_SETTINGS: dict[str, Any] = {
    "reviewDecision": "APPROVE",
    "reviewDelaySeconds": 60,
    "reviewReason": None,
    "savingSeconds": 0,
    "autoCategoryAgreed": False,
    "permittedCount": None,
    "restricted": False,
    "autoGeneratedOptIn": True,
    "mandatoryOptionPolicy": "AUTO",
}
MANDATORY_OPTION_POLICIES = ("AUTO", "REJECT", "WARN")
MANDATORY_OPTION_DAY = date(2026, 2, 2)  # 필수 구매옵션 입력 의무화 (seed 001 notice)


def error(message: str, **extra: Any) -> ApiError:
    """Product APIs answer HTTP 400 {"code":"ERROR","message":…,"data":null} (products.yaml → envelope)."""
    return ApiError(400, message, code="ERROR", extra={"data": None, **extra})


def bad_input(value: Any) -> LocatedError:
    """Jackson cannot map `value`: the generic input error naming the body line that holds it."""
    return LocatedError(400, BAD_INPUT, value, code="ERROR", extra={"data": None})
