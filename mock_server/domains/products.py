"""Seller products (등록상품) with their option items, the approval lifecycle and vendor items.

Store kinds (per vendor):
    products          key sellerProductId: the product fields as registered, `items[]` (each with
                      sellerProductItemId, vendorItemId once approved) and `mock` (status, times,
                      histories, productId) — `status` is the wire code of PRODUCT_MACHINE.
    vendor-items      written through `inventory.put_item` at approval: what orders sell and the
                      vendor-item APIs change (live price, stock, sale status).
    catalog-settings  key "settings": review policy, auto-category agreement, inflow limits.
    catalog-queue     key "queue": sellerProductId → {action, dueAt} for the ticker (one document,
                      so the ticker never scans products).

Every refusal is Coupang's own text (products.yaml → errors); texts the sources do not give are
grouped under "x-inferred" below and noted in the spec.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from ..errors import ApiError, LocatedError
from ..store import Tx
from . import categories, inventory, logistics, timefmt
from .fsm import IllegalTransition, StateMachine

KIND = "products"
ID_KIND, ID_DIGITS = "seller-product", 10  # sellerProductIds: IdFactory kind and length (per-vendor prefix)
SETTINGS_KIND, SETTINGS_KEY = "catalog-settings", "settings"
QUEUE_KIND, QUEUE_KEY = "catalog-queue", "queue"
IdSource = Callable[[str, int], int]
SYSTEM = "쿠팡 셀러 시스템"

# ---------------------------------------------------------------- lifecycle

STATUS_NAMES = {
    "SAVING": "임시저장중",
    "SAVED": "임시저장",
    "APPROVING": "승인대기중",
    "IN_REVIEW": "심사중",
    "APPROVED": "승인완료",
    "PARTIAL_APPROVED": "부분승인완료",
    "DENIED": "승인반려",
    "DELETED": "상품삭제",
}
EDITABLE = ("SAVED", "APPROVED", "PARTIAL_APPROVED", "DENIED")
REQUESTABLE = ("SAVED", "APPROVED", "PARTIAL_APPROVED", "DENIED")
PRODUCT_MACHINE = StateMachine(
    name="product",
    states=tuple(STATUS_NAMES),
    table={
        ("SAVING", "SAVE_DONE"): "SAVED",
        **{(s, "REQUEST_APPROVAL"): "APPROVING" for s in REQUESTABLE},
        ("APPROVING", "START_REVIEW"): "IN_REVIEW",
        ("IN_REVIEW", "APPROVE"): "APPROVED",
        ("IN_REVIEW", "PARTIAL_APPROVE"): "PARTIAL_APPROVED",
        ("IN_REVIEW", "DENY"): "DENIED",
        # full update (approval required): back through saving; PARTIAL_APPROVED allowed (x-inferred)
        **{(s, "UPDATE"): "SAVING" for s in EDITABLE},
        # partial update changes delivery/return fields in place: not while saving, pending or deleted
        **{(s, "PARTIAL_UPDATE"): s for s in (*EDITABLE, "IN_REVIEW")},
        # delete: never while an approval is pending (승인대기중/심사중)
        **{(s, "DELETE"): "DELETED" for s in ("SAVING", *EDITABLE)},
    },
    initial="SAVING",
    terminal=frozenset({"DELETED"}),
)
DECISIONS = {"APPROVE": "APPROVE", "DENY": "DENY", "PARTIAL_APPROVE": "PARTIAL_APPROVE"}

# Option items after approval: on sale, stopped by the seller, stopped by Coupang's monitoring.
ITEM_MACHINE = StateMachine(
    name="vendor-item",
    states=("ON_SALE", "STOPPED", "SUSPENDED", "DELETED"),
    table={
        ("ON_SALE", "STOP"): "STOPPED",
        ("STOPPED", "STOP"): "STOPPED",
        ("SUSPENDED", "STOP"): "SUSPENDED",
        ("ON_SALE", "RESUME"): "ON_SALE",
        ("STOPPED", "RESUME"): "ON_SALE",
        ("ON_SALE", "MONITOR_STOP"): "SUSPENDED",
        ("STOPPED", "MONITOR_STOP"): "SUSPENDED",
        ("SUSPENDED", "MONITOR_RELEASE"): "STOPPED",
        **{(s, "DELETE"): "DELETED" for s in ("ON_SALE", "STOPPED", "SUSPENDED")},
    },
    initial="ON_SALE",
    terminal=frozenset({"DELETED"}),
)

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


# ---------------------------------------------------------------- settings and the ticker queue


def settings(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(tx.get(SETTINGS_KIND, SETTINGS_KEY) or {})}


def update_settings(tx: Tx, changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**settings(tx), **changes}
    tx.put(SETTINGS_KIND, SETTINGS_KEY, merged)
    return merged


def _queue(tx: Tx) -> dict[str, Any]:
    return tx.get(QUEUE_KIND, QUEUE_KEY) or {}


def _schedule(tx: Tx, product_id: int, action: str | None, due: datetime | None = None) -> None:
    queue = _queue(tx)
    if action is None:
        queue.pop(str(product_id), None)
    else:
        queue[str(product_id)] = {"action": action, "dueAt": due.isoformat() if due else None}
    tx.put(QUEUE_KIND, QUEUE_KEY, queue)


def due_actions(tx: Tx, now: datetime) -> list[tuple[int, str]]:
    """Queued (sellerProductId, action) whose time has come, oldest first."""
    entries = [
        (timefmt.parse_iso(entry["dueAt"]), int(pid), entry["action"])
        for pid, entry in _queue(tx).items()
        if entry.get("dueAt") and timefmt.parse_iso(entry["dueAt"]) <= now
    ]
    return [(pid, action) for _, pid, action in sorted(entries)]


# ---------------------------------------------------------------- reading


def get(tx: Tx, product_id: Any) -> dict[str, Any] | None:
    try:
        return tx.get(KIND, int(product_id))
    except (TypeError, ValueError):
        return None


def all_products(tx: Tx) -> list[dict[str, Any]]:
    return [doc for _, doc in tx.items(KIND)]


def status_of(product: dict[str, Any]) -> str:
    return product["mock"]["status"]


def save(tx: Tx, product: dict[str, Any]) -> None:
    tx.put(KIND, product["sellerProductId"], product)


# ---------------------------------------------------------------- validation helpers


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value: Any, *, required: bool = True, minimum: int = 0) -> int:
    """A non-negative whole number (JSON numbers or numeric strings, as Jackson coerces them)."""
    if value is None or value == "":
        if required:
            raise error(NPE)
        return 0
    if isinstance(value, bool):
        raise bad_input(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value)
    if not isinstance(value, int | float) or value != int(value) or value < minimum:
        raise bad_input(value)
    return int(value)


def _bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # examples send pccNeeded as the string "false"
    raise bad_input(value)


def _enum(value: Any, allowed: Iterable[str]) -> str:
    if value not in tuple(allowed):
        raise bad_input(value)  # Jackson cannot map the value: Coupang's generic input error
    return str(value)


def _price(value: Any, *, positive: bool) -> int:
    amount = _int(value)
    if amount % 10 or (positive and amount <= 0):
        raise error(PRICE_UNIT)
    return amount


# ---------------------------------------------------------------- product-level validation


def _check_required(body: dict[str, Any]) -> None:
    for name in REQUIRED_FIELDS:
        if _blank(body.get(name)):
            raise error(NPE)


def _check_names_and_dates(body: dict[str, Any]) -> None:
    if len(str(body["sellerProductName"])) > 100:
        raise error(PRODUCT_NAME_TOO_LONG)
    if len(str(body.get("displayProductName") or "")) > 100:
        raise error(DISPLAY_NAME_TOO_LONG)
    for name in ("saleStartedAt", "saleEndedAt"):
        if not isinstance(body[name], str) or not SALE_DATE_RE.match(body[name]):
            raise bad_input(body[name])
        try:
            datetime.fromisoformat(body[name])
        except ValueError:
            raise bad_input(body[name]) from None
    if body["saleEndedAt"] < body["saleStartedAt"]:
        raise error(SALE_PERIOD)


def _check_enums(body: dict[str, Any]) -> None:
    for name, allowed in ENUMS.items():
        _enum(body.get(name), allowed)
    bundle = body.get("bundleInfo")
    if bundle is not None and (
        not isinstance(bundle, dict) or bundle.get("bundleType", "SINGLE") not in ("SINGLE", "AB")
    ):
        raise error(BAD_BUNDLE)


def resolve_category(tx: Tx, body: dict[str, Any]) -> tuple[categories.Category, bool]:
    """The leaf the product goes to and whether it was auto-matched (omitted code + agreement)."""
    code = body.get("displayCategoryCode")
    if _blank(code) or code == 0:
        if not settings(tx)["autoCategoryAgreed"]:
            raise error(categories.NO_MANAGEMENT_CATEGORY)
        predicted = categories.predict(str(body.get("sellerProductName") or ""), str(body.get("brand") or ""))
        leaf = categories.find(predicted["predictedCategoryId"]) if predicted["predictedCategoryId"] else None
        return leaf or categories.fallback_leaf(), True
    leaf = categories.usable_leaf(code)
    if leaf is None:
        raise error(categories.NO_MANAGEMENT_CATEGORY)
    return leaf, False


def _fill_return_address(tx: Tx, body: dict[str, Any]) -> None:
    """A real return center supplies the manual return fields the seller left out (x-inferred)."""
    code = str(body["returnCenterCode"]).strip()
    if code == logistics.NO_RETURN_CENTER:
        for name in ("returnChargeName", "companyContactNumber", "returnZipCode", "returnAddress"):
            if _blank(body.get(name)):
                raise error(NPE)
        return
    center = logistics.usable_return(tx, code)
    if center is None:
        raise error(BAD_CENTER)
    address = center["placeAddresses"][0]
    defaults = {
        "returnChargeName": center["shippingPlaceName"],
        "companyContactNumber": address["companyContactNumber"],
        "returnZipCode": address["returnZipCode"],
        "returnAddress": address["returnAddress"],
        "returnAddressDetail": address["returnAddressDetail"],
    }
    for name, value in defaults.items():
        if _blank(body.get(name)):
            body[name] = value
    body["returnCenterCode"] = code


def _check_fees(body: dict[str, Any], leaf: categories.Category) -> None:
    """Shipping-fee consistency per deliveryChargeType (products.yaml notes → shipping fee rules)."""
    kind = body["deliveryChargeType"]
    needed = {
        "FREE": ("deliveryChargeOnReturn",),
        "NOT_FREE": ("deliveryCharge",),
        "CHARGE_RECEIVED": ("deliveryCharge",),
        "CONDITIONAL_FREE": ("deliveryCharge", "freeShipOverAmount"),
    }.get(kind, ())
    if any(body.get(name) is None for name in needed):
        raise error(FEE_REQUIRED.format(kind=kind))
    for name in ("deliveryCharge", "freeShipOverAmount", "deliveryChargeOnReturn", "returnCharge"):
        body[name] = _int(body.get(name), required=False)
    if kind in LEGACY_FREE_OVER_AMOUNTS:
        amount = LEGACY_FREE_OVER_AMOUNTS[kind]
        if body["freeShipOverAmount"] != amount or body["deliveryChargeOnReturn"] != 0:
            raise error(LEGACY_FREE_OVER.format(amount=amount))
    if kind == "CONDITIONAL_FREE":
        if body["freeShipOverAmount"] < 100 or body["freeShipOverAmount"] % 100:
            raise error(FREE_SHIP_OVER_UNIT)
        if body["deliveryChargeOnReturn"] != 0:
            raise error(CONDITIONAL_RETURN)
    if kind == "CHARGE_RECEIVED" and not categories.allows_charge_received(leaf):
        raise error(CHARGE_RECEIVED_CATEGORY)
    general = body["deliveryMethod"] in ("SEQUENCIAL", "COLD_FRESH")
    if kind == "FREE" and general:
        on_return, charge = body["deliveryChargeOnReturn"], body["returnCharge"]
        if not on_return <= charge <= on_return * 1.5:
            raise ApiError(400, RETURN_CHARGE_RANGE, code="VALIDATION", extra={"data": None})


def _check_delivery(tx: Tx, body: dict[str, Any], leaf: categories.Category, items: list[dict[str, Any]]) -> None:
    if not logistics.courier_usable(body["deliveryCompanyCode"]):
        raise ApiError(500, "Internal Exception")  # Coupang's answer to a wrong courier code (common.yaml)
    outbound = logistics.usable_outbound(tx, body["outboundShippingPlaceCode"])
    if outbound is None:
        raise error(BAD_CENTER)
    body["outboundShippingPlaceCode"] = outbound["outboundShippingPlaceCode"]
    if body["remoteAreaDeliverable"] == "Y":
        couriers = {row["deliveryCode"] for row in outbound["remoteInfos"] if row.get("usable", True)}
        if body["deliveryCompanyCode"] not in couriers:
            raise error(REMOTE_COURIER)
    if body["deliveryMethod"] == "AGENT_BUY":
        if not outbound["global"]:
            raise error(AGENT_BUY_DOMESTIC)
        if not all(_bool(item.get("pccNeeded")) for item in items):
            raise error(AGENT_BUY_PCC)
    if categories.profile(leaf).get("coldFresh") and body["deliveryMethod"] not in ("COLD_FRESH", "VENDOR_DIRECT"):
        raise error(COLD_FRESH_REQUIRED)


def _check_documents(body: dict[str, Any], meta: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    documents = body.get("requiredDocuments") or []
    if not isinstance(documents, list):
        raise bad_input(documents)
    for document in documents:
        if not isinstance(document, dict) or _blank(document.get("templateName")):
            raise error(NPE)
        path = document.get("documentPath") or document.get("vendorDocumentPath")
        if _blank(path) or len(str(path)) > 150:
            raise error(DOCUMENT_PATH)
    sent = {d["templateName"] for d in documents}
    parallel = any(i.get("parallelImported") == "PARALLEL_IMPORTED" for i in items)
    overseas = any(i.get("overseasPurchased") == "OVERSEAS_PURCHASED" for i in items)
    for template in meta["requiredDocumentNames"]:
        level = template["required"]
        needed = (
            level == "MANDATORY"
            or (level == "MANDATORY_PARALLEL_IMPORTED" and parallel)
            or (level == "MANDATORY_OVERSEAS_PURCHASED" and overseas)
        )
        if needed and template["templateName"] not in sent:
            raise error(DOCUMENT_MISSING.format(name=template["templateName"]))
    return documents


# ---------------------------------------------------------------- item-level validation


def _check_item_basics(item: dict[str, Any], meta: dict[str, Any]) -> None:
    for name in REQUIRED_ITEM_FIELDS:
        if item.get(name) is None or (name == "itemName" and _blank(item[name])):
            raise error(NPE)
    if len(str(item["itemName"])) > 150:
        raise error(ITEM_NAME_TOO_LONG)
    item["salePrice"] = _price(item["salePrice"], positive=True)
    item["originalPrice"] = _price(item["originalPrice"], positive=False)
    item["maximumBuyCount"] = _int(item["maximumBuyCount"])
    if item["maximumBuyCount"] > 99999:
        raise error(BAD_QUANTITY)
    item["maximumBuyForPerson"] = _int(item["maximumBuyForPerson"])
    item["maximumBuyForPersonPeriod"] = _int(item["maximumBuyForPersonPeriod"], minimum=1)
    item["outboundShippingTimeDay"] = _int(item["outboundShippingTimeDay"])
    item["unitCount"] = _int(item["unitCount"])
    for name, allowed in ITEM_ENUMS.items():
        item[name] = _enum(item.get(name, ITEM_DEFAULTS[name]) or ITEM_DEFAULTS[name], allowed)
    item["pccNeeded"] = _bool(item.get("pccNeeded"))
    if item["offerCondition"] not in meta["allowedOfferConditions"]:
        raise error(OFFER_CONDITION)
    description = item.get("offerDescription")
    if description and (item["offerCondition"] not in USED_CONDITIONS or len(str(description)) > 700):
        raise error(OFFER_DESCRIPTION)
    if len(str(item.get("emptyBarcodeReason") or "")) > 100:
        raise error(BARCODE_REASON)
    _check_auto_pricing(item)
    _check_same_day(item.get("sameDayShipping"))
    _check_search_tags(item.get("searchTags"))
    _check_images(item.get("images"))
    _check_contents(item.get("contents"))


def _check_auto_pricing(item: dict[str, Any]) -> None:
    info = item.get("autoPricingInfo")
    if info is None:
        return
    if not isinstance(info, dict):
        raise bad_input(info)
    minimum = info.get("minSalePrice")
    if minimum is not None and _int(minimum) >= item["salePrice"]:
        raise error(AUTO_PRICING_MIN)


def _check_same_day(same_day: Any) -> None:
    if same_day is None:
        return
    if not isinstance(same_day, dict):
        raise bad_input(same_day)
    if _bool(same_day.get("active")):
        hour, minute = same_day.get("cutOffTimeHour"), same_day.get("cutOffTimeMinute", 0)
        if not isinstance(hour, int) or not 10 <= hour <= 23 or minute not in (0, None):
            raise error(SAME_DAY)


def _check_search_tags(tags: Any) -> None:
    if tags is None:
        return
    if not isinstance(tags, list) or len(tags) > 20 or any(not isinstance(t, str) or len(t) > 20 for t in tags):
        raise error(SEARCH_TAGS)
    if not all(SEARCH_TAG_RE.match(t) for t in tags):
        raise error(SEARCH_TAG_CHARS)


def _check_images(images: Any) -> None:
    if not isinstance(images, list):
        raise error(NPE)
    for image in images:
        if not isinstance(image, dict):
            raise bad_input(image)
        _enum(image.get("imageType"), IMAGE_TYPES)
        _int(image.get("imageOrder"))
        path = image.get("cdnPath") or image.get("vendorPath")
        if _blank(path) or any(len(str(image.get(k) or "")) > 200 for k in ("cdnPath", "vendorPath")):
            raise error(IMAGE_PATH)
    kinds = [image["imageType"] for image in images]
    if kinds.count("REPRESENTATION") != 1:
        raise error(REPRESENTATION_IMAGE)
    if kinds.count("DETAIL") > 9 or kinds.count("USED_PRODUCT") > 4:
        raise error(IMAGE_COUNT)


def _check_contents(contents: Any) -> None:
    if contents is None:
        return
    if not isinstance(contents, list):
        raise bad_input(contents)
    for block in contents:
        if not isinstance(block, dict):
            raise bad_input(block)
        _enum(block.get("contentsType"), CONTENTS_TYPES)
        details = block.get("contentDetails")
        if not isinstance(details, list):
            raise error(NPE)
        for detail in details:
            if not isinstance(detail, dict) or detail.get("content") is None:
                raise error(NPE)
            _enum(detail.get("detailType"), ("IMAGE", "TEXT"))


def image_problem(items: list[dict[str, Any]]) -> str | None:
    """A vendorPath Coupang could not download (non-http(s) URL, port other than 80/443) → rejection."""
    for item in items:
        for image in item.get("images") or []:
            path = image.get("vendorPath")
            if not path or image.get("cdnPath"):
                continue
            url = urlparse(str(path))
            try:
                port = url.port
            except ValueError:
                port = -1
            if url.scheme not in ("http", "https") or not url.hostname or port not in (None, 80, 443):
                return IMAGE_DOWNLOAD.format(path=path)
    return None


def _check_notices(item: dict[str, Any], meta: dict[str, Any], auto_matched: bool) -> None:
    notices = item.get("notices") or []
    groups = {g["noticeCategoryName"]: g for g in meta["noticeCategories"]}
    if not notices:
        if auto_matched:
            item["notices"] = _default_notices()
            return
        first = meta["noticeCategories"][0]
        raise error(_notice_message(_mandatory_details(first)[0], first["noticeCategoryName"]))
    if not isinstance(notices, list) or any(not isinstance(n, dict) for n in notices):
        raise bad_input(notices)
    for notice in notices:
        if _blank(notice.get("noticeCategoryName")) or _blank(notice.get("noticeCategoryDetailName")):
            raise error(NPE)
    chosen = notices[0]["noticeCategoryName"]
    for notice in notices:
        group = groups.get(notice["noticeCategoryName"])
        names = {d["noticeCategoryDetailName"] for d in group["noticeCategoryDetailNames"]} if group else set()
        if notice["noticeCategoryName"] != chosen or notice["noticeCategoryDetailName"] not in names:
            raise error(_notice_message(notice["noticeCategoryDetailName"], notice["noticeCategoryName"]))
    sent = {n["noticeCategoryDetailName"] for n in notices if not _blank(n.get("content"))}
    for detail in _mandatory_details(groups[chosen]):
        if detail not in sent:
            raise error(_notice_message(detail, chosen))


def _notice_message(detail: str, group: str) -> str:
    return f"입력된 상품필수 고지정보[{detail}]가 카테고리[{group}]에서 제공하는 것과 다릅니다."


def _mandatory_details(group: dict[str, Any]) -> list[str]:
    return [d["noticeCategoryDetailName"] for d in group["noticeCategoryDetailNames"] if d["required"] == "MANDATORY"]


def _default_notices() -> list[dict[str, Any]]:
    """What auto category matching registers: 기타 재화 / 상세정보참조 for every detail."""
    group = categories.notice_group("기타 재화")
    return [
        {
            "noticeCategoryName": "기타 재화",
            "noticeCategoryDetailName": d["noticeCategoryDetailName"],
            "content": "상세페이지 참조",
        }
        for d in group["noticeCategoryDetailNames"]
    ]


def _check_certifications(item: dict[str, Any], meta: dict[str, Any]) -> None:
    certs = item.get("certifications") or []
    if not isinstance(certs, list):
        raise bad_input(certs)
    allowed = {c["certificationType"]: c for c in meta["certifications"]}
    for cert in certs:
        if not isinstance(cert, dict):
            raise bad_input(cert)
        kind = cert.get("certificationType")
        if kind not in allowed:
            raise error(CERT_NOT_ALLOWED.format(type=kind))
        if allowed[kind]["dataType"] == "CODE" and _blank(cert.get("certificationCode")):
            raise error(CERT_CODE.format(type=kind))
    mandatory = [c for c in meta["certifications"] if c["required"] == "MANDATORY"]
    sent = {cert.get("certificationType") for cert in certs}
    if mandatory and not sent & {c["certificationType"] for c in mandatory}:
        raise error(CERT_MANDATORY.format(name=mandatory[0]["name"]))


# ---------------------------------------------------------------- attributes (purchase options)


def _entered(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Attributes with a value; "" means not entered (products.yaml → attributes)."""
    attributes = item.get("attributes") or []
    if not isinstance(attributes, list):
        raise bad_input(attributes)
    for attribute in attributes:
        if not isinstance(attribute, dict) or _blank(attribute.get("attributeTypeName")):
            raise error(NPE)
        if attribute.get("attributeValueName") is None:
            raise error(NPE)
        if len(attribute["attributeTypeName"]) > 25:
            raise bad_input(attribute["attributeTypeName"])
        if len(str(attribute["attributeValueName"])) > 30:
            raise bad_input(attribute["attributeValueName"])
        attribute["exposed"] = _enum(attribute.get("exposed") or "EXPOSED", ("EXPOSED", "NONE"))
    return [a for a in attributes if str(a["attributeValueName"]) != ""]


def _value_ok(definition: dict[str, Any], value: str) -> bool:
    if definition["dataType"] == "NUMBER":
        units = "|".join(re.escape(u) for u in definition["usableUnits"])
        pattern = rf"^\d+(\.\d+)?({units})$" if units else r"^\d+(\.\d+)?$"
        return bool(re.match(pattern, value))
    if definition["dataType"] == "DATE":
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", value))
    return bool(value.strip())


def _error_item(index: int, item: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"itemIndex": index, "itemName": item.get("itemName"), "itemAttributes": rows}


def _check_attributes(
    items: list[dict[str, Any]], meta: dict[str, Any], bundle_type: str, reject: bool
) -> dict[str, Any] | None:
    definitions = {a["attributeTypeName"]: a for a in meta["attributes"]}
    entered = [_entered(item) for item in items]
    if bundle_type == "AB":
        if len(items) > 1:
            raise error(AB_MULTI)
        if entered[0]:
            raise error(AB_ATTRIBUTES)
        return None
    _refuse_unknown(items, entered, definitions)
    _refuse_bad_values(items, entered, definitions)
    warning = _refuse_missing(items, entered, meta, reject)
    for attributes in entered:
        if sum(1 for a in attributes if a["exposed"] == "EXPOSED") > 3:
            raise error(TOO_MANY_OPTIONS)
    combos = [
        tuple(
            sorted((a["attributeTypeName"], str(a["attributeValueName"])) for a in attrs if a["exposed"] == "EXPOSED")
        )
        for attrs in entered
    ]
    filled = [c for c in combos if c]
    if len(filled) != len(set(filled)):
        raise error(DUPLICATE_OPTIONS)
    return warning


def _refuse_unknown(
    items: list[dict[str, Any]], entered: list[list[dict[str, Any]]], definitions: dict[str, Any]
) -> None:
    """Since 2024-10-10 only meta-defined options are allowed (free option names are refused)."""
    problems = []
    for index, (item, attributes) in enumerate(zip(items, entered, strict=True)):
        rows = [
            {
                "attributeTypeName": a["attributeTypeName"],
                "attributeValueName": a["attributeValueName"],
                "message": "허용되지 않는 구매 옵션입니다.",
            }
            for a in attributes
            if a["attributeTypeName"] not in definitions
        ]
        if rows:
            problems.append(_error_item(index, item, rows))
    if problems:
        details = (
            "카테고리에서 제공하지 않는 구매 옵션이 있습니다. 자세한 사항은 아래 errorItems 에서 확인할 수 있습니다."
        )
        raise error(NOT_ALLOWED_OPTION, details=details, errorItems=problems)


def _refuse_bad_values(
    items: list[dict[str, Any]], entered: list[list[dict[str, Any]]], definitions: dict[str, Any]
) -> None:
    problems, first_bad, select_bad = [], None, False
    for index, (item, attributes) in enumerate(zip(items, entered, strict=True)):
        rows = []
        for attribute in attributes:
            definition, value = definitions[attribute["attributeTypeName"]], str(attribute["attributeValueName"])
            if definition["inputType"] == "SELECT":
                select_bad = select_bad or value not in definition["inputValues"]
                continue
            if not _value_ok(definition, value):
                first_bad = first_bad or value
                rows.append(
                    {
                        "attributeTypeName": attribute["attributeTypeName"],
                        "attributeValueName": value,
                        "message": INVALID_UNIT_ITEM,
                    }
                )
        if rows:
            problems.append(_error_item(index, item, rows))
    if select_bad:
        raise error(SELECT_VALUE)
    if problems:
        details = f"'{first_bad}'의 단위값이 유효하지 않습니다. 자세한 사항은 아래 errorItems 에서 확인할 수 있습니다."
        raise error(INVALID_OPTION_VALUE, details=details, errorItems=problems)


def _refuse_missing(
    items: list[dict[str, Any]], entered: list[list[dict[str, Any]]], meta: dict[str, Any], reject: bool
) -> dict[str, Any] | None:
    """MANDATORY attributes of group NONE, and exactly one of each MANDATORY groupNumber group.

    Missing ones are refused since 2026-02-02 (`reject`); before, the product registers with the
    same details/errorItems as a warning (exposure restricted, MOTA_V2) — returned here.
    """
    singles = [a for a in meta["attributes"] if a["required"] == "MANDATORY" and a["groupNumber"] == "NONE"]
    groups: dict[str, list[str]] = {}
    for a in meta["attributes"]:
        if a["required"] == "MANDATORY" and a["groupNumber"] != "NONE":
            groups.setdefault(a["groupNumber"], []).append(a["attributeTypeName"])
    if not singles and not groups:
        return None
    missing_rows, overfull_details = [], None
    for index, (item, attributes) in enumerate(zip(items, entered, strict=True)):
        names = {a["attributeTypeName"] for a in attributes}
        if not names and not meta["isAllowSingleItem"]:
            raise error(MISSING_ATTRIBUTE)
        rows = [
            {"attributeTypeName": a["attributeTypeName"], "attributeValueName": None, "message": MANDATORY_OPTION_ITEM}
            for a in singles
            if a["attributeTypeName"] not in names
        ]
        for number, members in groups.items():
            chosen = [m for m in members if m in names]
            if not chosen:
                rows.append(
                    {"attributeTypeName": members[0], "attributeValueName": None, "message": MANDATORY_OPTION_ITEM}
                )
            elif len(chosen) > 1:
                listed = ", ".join(f"'{m}'" for m in members)
                overfull_details = f"번들 속성 그룹(groupNumber={number})의 {listed}에서 필수 속성을 하나만 선택합니다"
        if rows:
            missing_rows.append(_error_item(index, item, rows))
    if missing_rows:
        names = sorted({row["attributeTypeName"] for entry in missing_rows for row in entry["itemAttributes"]})
        details = f"다음과 같이 필수 구매 옵션을 입력해주세요: {', '.join(names)}"
        if not reject:
            return {"details": details, "errorItems": missing_rows}
        raise error(MANDATORY_OPTION, details=details, errorItems=missing_rows)
    if overfull_details:
        raise error(INVALID_OPTION_VALUE, details=overfull_details, errorItems=[])
    return None


def rejects_missing_options(tx: Tx, now: datetime) -> bool:
    """The 2026-02-02 rule (missing mandatory options refused) per the vendor's policy setting."""
    policy = settings(tx)["mandatoryOptionPolicy"]
    if policy == "AUTO":
        return timefmt.kst_date(now) >= MANDATORY_OPTION_DAY
    return bool(policy == "REJECT")


# ---------------------------------------------------------------- validate a whole body


def validate(
    tx: Tx, raw: dict[str, Any], now: datetime, existing: dict[str, Any] | None = None
) -> tuple[dict[str, Any], categories.Category, dict[str, Any] | None]:
    """A normalised copy of a create/update body, its leaf category and the missing-option warning."""
    body = {name: copy.deepcopy(raw[name]) for name in (*PRODUCT_FIELDS, "items") if name in raw}
    _check_required(body)
    raw_items = body.pop("items")
    if not isinstance(raw_items, list):
        raise error(NPE)
    if not raw_items:
        raise error(NO_ITEMS)
    if len(raw_items) > 200:
        raise error(TOO_MANY_ITEMS)
    items = [_item_copy(item) for item in raw_items]
    _check_names_and_dates(body)
    _check_enums(body)
    body["bundleInfo"] = {"bundleType": (body.get("bundleInfo") or {}).get("bundleType", "SINGLE")}
    body["requested"] = _bool(body.get("requested"))
    if existing is None:
        leaf, auto = resolve_category(tx, body)
    else:
        leaf, auto = _immutable_category(existing, body), False
    body["displayCategoryCode"] = leaf.code
    meta = categories.metas(leaf)
    _fill_return_address(tx, body)
    _check_fees(body, leaf)
    _check_delivery(tx, body, leaf, items)
    for item in items:
        _check_item_basics(item, meta)
        _check_notices(item, meta, auto)
        _check_certifications(item, meta)
    names = [item["itemName"] for item in items]
    if len(names) != len(set(names)):
        raise error(DUPLICATE_ITEM_NAME if existing else DUPLICATE_OPTIONS)
    warning = _check_attributes(items, meta, body["bundleInfo"]["bundleType"], rejects_missing_options(tx, now))
    body["requiredDocuments"] = _check_documents(body, meta, items)
    return {**body, "items": items}, leaf, warning


def _item_copy(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_input(raw)
    item = {name: copy.deepcopy(raw[name]) for name in ITEM_FIELDS if name in raw}
    for name in ("sellerProductItemId", "vendorItemId"):
        if raw.get(name) not in (None, ""):
            item[name] = _int(raw[name])
    for name, default in ITEM_DEFAULTS.items():
        if item.get(name) is None:
            item[name] = copy.deepcopy(default)
    return item


def _immutable_category(existing: dict[str, Any], body: dict[str, Any]) -> categories.Category:
    code = body.get("displayCategoryCode")
    if not _blank(code) and str(code) != str(existing["displayCategoryCode"]):
        raise error(CATEGORY_FIXED)
    leaf = categories.find(existing["displayCategoryCode"])
    assert leaf is not None
    return leaf


# ---------------------------------------------------------------- create / update / lifecycle


def inflow_status(tx: Tx, vendor_id: str) -> dict[str, Any]:
    current = settings(tx)
    registered = sum(1 for p in all_products(tx) if status_of(p) != "DELETED")
    return {
        "vendorId": vendor_id,
        "restricted": bool(current["restricted"]),
        "registeredCount": registered,
        "permittedCount": current["permittedCount"],
    }


def create(tx: Tx, raw: dict[str, Any], now: datetime, ids: IdSource, vendor_id: str) -> dict[str, Any]:
    inflow = inflow_status(tx, vendor_id)
    if inflow["restricted"] or (
        inflow["permittedCount"] is not None and inflow["registeredCount"] >= inflow["permittedCount"]
    ):
        raise error(INFLOW_LIMIT)
    body, leaf, warning = validate(tx, raw, now)
    product_id = ids(ID_KIND, ID_DIGITS)
    for item in body["items"]:
        item.pop("vendorItemId", None)
        item["sellerProductItemId"] = ids("seller-product-item", 11)
    product = {
        **body,
        "vendorId": vendor_id,
        "sellerProductId": product_id,
        "mock": {
            "status": PRODUCT_MACHINE.initial,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
            "categoryId": leaf.category_id,
            "productId": None,
            "histories": [],
            "everApproved": False,
            "warning": warning,
        },
    }
    _after_save(tx, product, now)
    return product


def update(tx: Tx, raw: dict[str, Any], now: datetime, ids: IdSource) -> dict[str, Any]:
    """Approval-required update: full replacement, back to 임시저장 (then review when requested)."""
    product = _product_for_change(tx, raw.get("sellerProductId"), None)
    _transition(product, "UPDATE", PENDING_PRODUCT)
    _check_immutable(product, raw)
    body, _leaf, warning = validate(tx, raw, now, existing=product)
    product["mock"]["warning"] = warning
    body["items"] = _merge_items(tx, product, body["items"], ids)
    for name in PRODUCT_FIELDS:
        if name in body:
            product[name] = body[name]
    product["items"] = body["items"]
    product["mock"]["updatedAt"] = now.isoformat()
    _after_save(tx, product, now)
    return product


def _check_immutable(product: dict[str, Any], raw: dict[str, Any]) -> None:
    """What was fixed at registration is refused before any content rule (changing it means a new product)."""
    bundle = raw.get("bundleInfo")
    sent = bundle.get("bundleType", "SINGLE") if isinstance(bundle, dict) else "SINGLE" if bundle is None else bundle
    if sent != product["bundleInfo"]["bundleType"]:
        raise error(BUNDLE_FIXED)
    old = {item["sellerProductItemId"]: item for item in product["items"]}
    for item in raw.get("items") or []:
        if not isinstance(item, dict):
            continue
        item_id = str(item.get("sellerProductItemId") or "")
        previous = old.get(int(item_id)) if item_id.isdigit() else None
        condition = item.get("offerCondition")
        if previous is not None and condition is not None and condition != previous["offerCondition"]:
            raise error(OFFER_CONDITION_FIXED)


def _merge_items(
    tx: Tx, product: dict[str, Any], new_items: list[dict[str, Any]], ids: IdSource
) -> list[dict[str, Any]]:
    """Keep (sellerProductItemId), add (without) and drop (never-approved only) option items."""
    old = {item["sellerProductItemId"]: item for item in product["items"]}
    kept = {item.get("sellerProductItemId") for item in new_items} - {None}
    for item_id in kept - set(old):
        raise error(UNKNOWN_ITEM.format(id=item_id))
    for item_id, item in old.items():
        if item_id in kept or item.get("vendorItemId") is None:
            continue
        live = inventory.get_item(tx, item["vendorItemId"]) or {}
        raise error(ON_SALE_NOT_DELETABLE if live.get("onSale") else APPROVED_NOT_DELETABLE)
    adding = any(item.get("sellerProductItemId") is None for item in new_items)
    if adding and len(old) == 1 and product["mock"]["everApproved"]:
        raise error(SINGLE_ITEM_FIXED)
    merged = []
    for item in new_items:
        previous = old.get(item.get("sellerProductItemId"))
        if previous is None:
            item.pop("vendorItemId", None)
            item["sellerProductItemId"] = ids("seller-product-item", 11)
        else:
            _keep_approved_values(tx, previous, item)
        merged.append(item)
    return merged


def _keep_approved_values(tx: Tx, previous: dict[str, Any], item: dict[str, Any]) -> None:
    """Approved items keep their live price/stock (vendor-item APIs own them) and their attributes."""
    if previous["offerCondition"] != item["offerCondition"]:
        raise error(OFFER_CONDITION_FIXED)
    vendor_item_id = previous.get("vendorItemId")
    item["vendorItemId"] = vendor_item_id
    if vendor_item_id is None:
        return
    if item.get("autoPricingInfo") is not None:
        raise error(AUTO_PRICING_APPROVED)
    names = {a["attributeTypeName"] for a in item.get("attributes") or [] if str(a.get("attributeValueName", "")) != ""}
    dropped = [a["attributeTypeName"] for a in previous.get("attributes") or [] if a["attributeTypeName"] not in names]
    if dropped:
        raise error(f"필수 옵션이({','.join(dropped)}) 입력되지 않았습니다")
    for name in ("salePrice", "originalPrice", "maximumBuyCount", "autoPricingInfo"):
        if name in previous:
            item[name] = previous[name]
        else:
            item.pop(name, None)


def _after_save(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    """SAVING → SAVED now, or after savingSeconds (the documented lock while Coupang processes)."""
    delay = int(settings(tx)["savingSeconds"] or 0)
    if delay > 0:
        save(tx, product)
        _schedule(tx, product["sellerProductId"], "SAVE_DONE", now + timedelta(seconds=delay))
        return
    finish_saving(tx, product, now)


def finish_saving(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(product["mock"]["status"], "SAVE_DONE")
    _history(product, now, "SAVED", product.get("vendorUserId") or product["vendorId"], "판매자 임시저장")
    _schedule(tx, product["sellerProductId"], None)
    if product.get("requested"):
        _request(tx, product, now)
    else:
        save(tx, product)


def request_approval(tx: Tx, product_id: Any, now: datetime) -> dict[str, Any]:
    product = get(tx, product_id)
    if product is None:
        raise error(f"상품({product_id})의 데이터가 없습니다.")
    if status_of(product) == "SAVING":
        raise error(locked_message(product))
    if not PRODUCT_MACHINE.can(status_of(product), "REQUEST_APPROVAL"):
        raise error(REQUEST_STATES)
    product["requested"] = True
    _request(tx, product, now)
    return product


def _request(tx: Tx, product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "REQUEST_APPROVAL")
    actor = product.get("vendorUserId") or product["vendorId"]
    _history(product, now, None, actor, "판매자 승인요청", label="승인요청")
    _history(product, now, "APPROVING", SYSTEM, "승인 관련 정보 생성 중")
    save(tx, product)
    policy = settings(tx)
    if policy["reviewDecision"] != "MANUAL":
        due = now + timedelta(seconds=float(policy["reviewDelaySeconds"] or 0))
        _schedule(tx, product["sellerProductId"], "REVIEW", due)


def review(
    tx: Tx,
    product: dict[str, Any],
    decision: str,
    now: datetime,
    ids: IdSource,
    reason: str | None = None,
    selected: list[int] | None = None,
) -> dict[str, Any]:
    """Coupang's reviewer: APPROVING → IN_REVIEW → APPROVED | PARTIAL_APPROVED | DENIED."""
    if status_of(product) == "APPROVING":
        start_review(product, now)
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), decision)
    _schedule(tx, product["sellerProductId"], None)
    if decision == "DENY":
        _history(product, now, "DENIED", SYSTEM, reason or DENY_REASON)
    else:
        chosen = _approved_selection(product, decision, selected)
        _approve_items(tx, product, chosen, ids)
        comment = reason or ("승인 완료" if decision == "APPROVE" else PARTIAL_REASON)
        _history(product, now, status_of(product), SYSTEM, comment)
    save(tx, product)
    return product


def start_review(product: dict[str, Any], now: datetime) -> None:
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "START_REVIEW")
    _history(product, now, "IN_REVIEW", SYSTEM, "상품 심사 중")


def _approved_selection(product: dict[str, Any], decision: str, selected: list[int] | None) -> list[dict[str, Any]]:
    items = product["items"]
    if decision == "APPROVE":
        return items
    if selected:  # sellerProductItemIds, or vendorItemIds of items approved before
        wanted = {int(s) for s in selected}
        chosen = [i for i in items if i["sellerProductItemId"] in wanted or i.get("vendorItemId") in wanted]
    else:  # default: the first half, at least one (x-inferred)
        chosen = items[: max(1, len(items) // 2)]
    return chosen


def _approve_items(tx: Tx, product: dict[str, Any], chosen: list[dict[str, Any]], ids: IdSource) -> None:
    if product["mock"]["productId"] is None:
        product["mock"]["productId"] = ids("display-product", 10)
    product["mock"]["everApproved"] = True
    for item in chosen:
        if item.get("vendorItemId") is None:
            item["vendorItemId"] = ids("vendor-item", 11)
        existing = inventory.get_item(tx, item["vendorItemId"])
        inventory.put_item(tx, _vendor_item(product, item, existing))


def _vendor_item(product: dict[str, Any], item: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The vendor-items document (inventory.py contract); live price/stock/sale state survive re-approval."""
    live = existing or {
        "salePrice": item["salePrice"],
        "originalPrice": item["originalPrice"],
        "quantity": item["maximumBuyCount"],
        "saleStatus": ITEM_MACHINE.initial,
        "onSale": True,
        "autoGenerated": False,
        "autoGeneratedOptIn": True,
    }
    document = {
        **live,
        "vendorItemId": item["vendorItemId"],
        "sellerProductId": product["sellerProductId"],
        "sellerProductItemId": item["sellerProductItemId"],
        "sellerProductName": product["sellerProductName"],
        "itemName": item["itemName"],
        "approved": True,
        "deleted": False,
        "externalVendorSku": item.get("externalVendorSku") or "",
        "maximumBuyCount": live["quantity"],
        "maximumBuyForPerson": item["maximumBuyForPerson"],
        "unitCount": item["unitCount"],
        "outboundShippingTimeDay": item["outboundShippingTimeDay"],
        "pccNeeded": item["pccNeeded"],
        "taxType": item["taxType"],
        "adultOnly": item["adultOnly"],
        "displayCategoryCode": product["displayCategoryCode"],
    }
    document.update({name: product.get(name) for name in SHIPPING_FIELDS})
    return document


def locked_message(product: dict[str, Any]) -> str:
    return (
        f"상품 정보가 등록 또는 수정되고 있습니다. 잠시 후 다시 조회해 주시기 바랍니다. [{product['sellerProductId']}]"
    )


def _product_for_change(tx: Tx, body_id: Any, path_id: Any) -> dict[str, Any]:
    if _blank(body_id):
        raise error(ID_MISSING)
    if path_id is not None and str(body_id) != str(path_id):
        raise error(ID_MISMATCH)
    product = get(tx, body_id)
    if product is None:
        raise error(f"존재하지 않는 등록상품아이디 [{body_id}]입니다.")
    return product


def _transition(product: dict[str, Any], event: str, pending_message: str) -> None:
    """Apply event or refuse with the text for the state the product is in."""
    try:
        product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), event)
    except IllegalTransition:
        raise error(
            {"DELETED": DELETED_PRODUCT, "SAVING": SAVING_PRODUCT}.get(status_of(product), pending_message)
        ) from None


def partial_update(tx: Tx, path_id: Any, raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Delivery/return fields at once, without approval; the same consistency rules as create."""
    product = _product_for_change(tx, raw.get("sellerProductId"), path_id)
    _transition(product, "PARTIAL_UPDATE", PENDING_PRODUCT)
    body = {name: product.get(name) for name in PRODUCT_FIELDS if name in product}
    changes = {name: copy.deepcopy(raw[name]) for name in PARTIAL_FIELDS if name in raw and name != "pccNeeded"}
    body.update(changes)
    if changes.get("returnCenterCode") and str(changes["returnCenterCode"]) != str(product["returnCenterCode"]):
        for name in (
            "returnChargeName",
            "companyContactNumber",
            "returnZipCode",
            "returnAddress",
            "returnAddressDetail",
        ):
            if name not in raw:
                body.pop(name, None)  # a new center brings its own address
    items = copy.deepcopy(product["items"])
    if "pccNeeded" in raw:
        for item in items:
            item["pccNeeded"] = _bool(raw["pccNeeded"])
    leaf = categories.find(product["displayCategoryCode"])
    assert leaf is not None
    _check_enums(body)
    _fill_return_address(tx, body)
    _check_fees(body, leaf)
    _check_delivery(tx, body, leaf, items)
    product.update({name: body[name] for name in body if name in PRODUCT_FIELDS})
    product["items"] = items
    product["mock"]["updatedAt"] = now.isoformat()
    save(tx, product)
    _sync_vendor_items(tx, product)
    return product


def _sync_vendor_items(tx: Tx, product: dict[str, Any]) -> None:
    for item in product["items"]:
        if item.get("vendorItemId") is None:
            continue
        document = inventory.get_item(tx, item["vendorItemId"])
        if document is not None:
            document.update({name: product.get(name) for name in SHIPPING_FIELDS})
            document["pccNeeded"] = item["pccNeeded"]
            inventory.put_item(tx, document)


def delete(tx: Tx, product_id: Any, now: datetime) -> dict[str, Any]:
    product = get(tx, product_id)
    refused = error(
        f"업체상품[{product_id}]이 없거나 삭제가 불가능한 상태입니다. 삭제는 '저장중', '임시저장' 상태에서만 가능합니다."
    )
    if product is None or not PRODUCT_MACHINE.can(status_of(product), "DELETE"):
        raise refused
    live = live_documents(tx, product)
    if any(doc and doc.get("onSale") for doc in live):
        raise refused  # every option must be sales-stopped first
    product["mock"]["status"] = PRODUCT_MACHINE.next(status_of(product), "DELETE")
    _history(product, now, "DELETED", product.get("vendorUserId") or product["vendorId"], "판매자 상품삭제")
    _schedule(tx, product["sellerProductId"], None)
    for document in live:
        if document is not None:
            document["saleStatus"] = ITEM_MACHINE.next(document["saleStatus"], "DELETE")
            document.update(onSale=False, deleted=True)
            inventory.put_item(tx, document)
    save(tx, product)
    return product


def _history(
    product: dict[str, Any], now: datetime, status: str | None, actor: str, comment: str, label: str | None = None
) -> None:
    product["mock"]["histories"].append(
        {
            "createdAt": now.isoformat(),
            "status": label or STATUS_NAMES[status or "SAVED"],
            "createdBy": actor,
            "comment": comment,
        }
    )


def tick(tx: Tx, now: datetime, ids: IdSource) -> None:
    """Timed behaviour: finish saving, and the automatic reviewer's decision when due."""
    policy = None
    for product_id, action in due_actions(tx, now):
        product = get(tx, product_id)
        if product is None:
            _schedule(tx, product_id, None)
            continue
        if action == "SAVE_DONE" and status_of(product) == "SAVING":
            finish_saving(tx, product, now)
        elif action == "REVIEW" and status_of(product) in ("APPROVING", "IN_REVIEW"):
            policy = policy or settings(tx)
            problem = image_problem(product["items"])
            decision = "DENY" if problem else policy["reviewDecision"]
            review(tx, product, DECISIONS.get(decision, "APPROVE"), now, ids, problem or policy.get("reviewReason"))
        else:
            _schedule(tx, product_id, None)


# ---------------------------------------------------------------- rendering


def render(tx: Tx, product: dict[str, Any]) -> dict[str, Any]:
    """get-seller-product: the registered fields plus ids, status and the live vendor-item values."""
    mock = product["mock"]
    body = {name: copy.deepcopy(product[name]) for name in PRODUCT_FIELDS if name in product}
    return {
        "sellerProductId": product["sellerProductId"],
        "statusName": STATUS_NAMES[mock["status"]],
        "categoryId": mock["categoryId"],
        "productId": mock["productId"],
        "mdId": None,
        "mdName": None,
        "contributorType": "API_SELLER",
        "exchangeType": "AFTER",
        "deliverySurcharge": 0,
        "bundlePackingDelivery": None,
        **body,
        "items": [_render_item(tx, product, item) for item in product["items"]]
        + [_render_generated(tx, product, vendor_item_id) for vendor_item_id in _generated_ids(product)],
    }


def _render_generated(tx: Tx, product: dict[str, Any], vendor_item_id: int) -> dict[str, Any]:
    """An auto-generated option shows as an item of its product, rendered like its base option."""
    document = inventory.get_item(tx, vendor_item_id) or {}
    base = next(i for i in product["items"] if i.get("vendorItemId") == document.get("baseVendorItemId"))
    rendered = _render_item(tx, product, {**base, "vendorItemId": vendor_item_id})
    rendered.update(
        sellerProductItemId=document["sellerProductItemId"],
        itemName=document["itemName"],
        externalVendorSku=document.get("externalVendorSku", ""),
        unitCount=document["unitCount"],
    )
    return rendered


def _render_item(tx: Tx, product: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    rendered = copy.deepcopy(item)
    rendered.setdefault("vendorItemId", None)
    live = inventory.get_item(tx, item["vendorItemId"]) if item.get("vendorItemId") else None
    if live is not None:
        rendered.update(
            salePrice=live["salePrice"], originalPrice=live["originalPrice"], maximumBuyCount=live["quantity"]
        )
    pricing = (live or {}).get("autoPricing") or item.get("autoPricingInfo")
    rendered.pop("autoPricingInfo", None)
    if pricing:
        rendered["autoPricingInfoView"] = pricing
    editable = item.get("vendorItemId") is None
    rendered["attributes"] = [
        {**a, "exposed": a.get("exposed") or "EXPOSED", "editable": editable} for a in item.get("attributes") or []
    ]
    rendered["isAutoGenerated"] = "true" if (live or {}).get("autoGenerated") else "false"
    rendered["bestPriceGuaranteed3P"] = False
    rendered["freePriceType"] = None
    return rendered


def render_partial(product: dict[str, Any]) -> dict[str, Any]:
    data = {"sellerProductId": product["sellerProductId"]}
    for name in PARTIAL_FIELDS:
        if name == "pccNeeded":
            data[name] = bool(product["items"] and product["items"][0].get("pccNeeded"))
        else:
            data[name] = product.get(name, "" if name == "extraInfoMessage" else None)
    return data


def summary(product: dict[str, Any]) -> dict[str, Any]:
    mock = product["mock"]
    return {
        "sellerProductId": product["sellerProductId"],
        "sellerProductName": product["sellerProductName"],
        "displayCategoryCode": product["displayCategoryCode"],
        "categoryId": mock["categoryId"],
        "productId": mock["productId"],
        "vendorId": product["vendorId"],
        "mdId": None,
        "mdName": None,
        "saleStartedAt": product["saleStartedAt"],
        "saleEndedAt": product["saleEndedAt"],
        "brand": product.get("brand"),
        "statusName": STATUS_NAMES[mock["status"]],
        "createdAt": timefmt.legacy_t(timefmt.parse_iso(mock["createdAt"])),
    }


def histories(product: dict[str, Any]) -> list[dict[str, Any]]:
    """Newest first, times as yyyy-MM-dd'T'HH:mm:ss KST."""
    return [
        {**entry, "createdAt": timefmt.legacy_t(timefmt.parse_iso(entry["createdAt"]))}
        for entry in reversed(product["mock"]["histories"])
    ]


# ---------------------------------------------------------------- listing


def listing(tx: Tx, query: dict[str, Any]) -> list[dict[str, Any]]:
    """list-seller-products filters; newest first (stable: sellerProductIds only grow)."""
    found = sorted(all_products(tx), key=lambda p: p["sellerProductId"], reverse=True)
    # deleted products show only when asked for (x-inferred)
    wanted = query.get("status")
    found = [p for p in found if (status_of(p) == wanted if wanted else status_of(p) != "DELETED")]
    if query.get("sellerProductId") not in (None, ""):
        found = [p for p in found if str(p["sellerProductId"]) == str(query["sellerProductId"])]
    if query.get("sellerProductName"):
        found = [p for p in found if str(query["sellerProductName"]) in p["sellerProductName"]]
    if query.get("manufacture"):
        found = [p for p in found if str(query["manufacture"]) in str(p.get("manufacture") or "")]
    if query.get("createdAt"):
        day = _created_day(str(query["createdAt"]))
        found = [p for p in found if timefmt.kst_date(timefmt.parse_iso(p["mock"]["createdAt"])).isoformat() == day]
    if query.get("violationTypes"):
        found = _violating(found, query["violationTypes"], query.get("violationTypeAndOr"))
    if query.get("businessTypes"):
        found = []  # the mock registers no Rocket Growth products
    return found


def violations(product: dict[str, Any]) -> list[str]:
    """MOTA_V2 while the last create/update registered with missing mandatory options."""
    return ["MOTA_V2"] if product["mock"].get("warning") else []


def _violating(found: list[dict[str, Any]], wanted: Any, mode: Any) -> list[dict[str, Any]]:
    kinds = set(wanted if isinstance(wanted, list) else str(wanted).split(","))
    if len(kinds) > 1 and mode not in ("AND", "OR"):
        raise error("violationTypeAndOr 값을 입력해주세요.")  # x-inferred: the sources give no text
    test = all if mode == "AND" else any
    return [p for p in found if test(kind in violations(p) for kind in kinds)]


def _created_day(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise error(CREATED_AT_FORMAT)
    try:
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise error(CREATED_AT_FORMAT) from None


def page_by_token(products: list[dict[str, Any]], token: Any, size: int) -> tuple[list[dict[str, Any]], str]:
    """nextToken is a page key: omitted or 1 = first page, "" when there is no next page."""
    text = "" if token is None else str(token).strip()
    if text in ("", "0"):
        page = 1
    elif text.isdigit():
        page = int(text)
    else:
        raise error(BAD_TOKEN)
    chunk = products[(page - 1) * size : page * size]
    return chunk, (str(page + 1) if page * size < len(products) else "")


def time_frame(tx: Tx, start_text: str, end_text: str) -> list[dict[str, Any]]:
    start = timefmt.parse_query_datetime(start_text, "createdAtFrom")
    end = timefmt.parse_query_datetime(end_text, "createdAtTo")
    if end - start > timedelta(minutes=10):
        raise error(TIME_WINDOW)  # an inverted window is simply empty (spec x-inferred)
    chosen = [p for p in all_products(tx) if start <= timefmt.parse_iso(p["mock"]["createdAt"]) <= end]
    return sorted(chosen, key=lambda p: p["sellerProductId"])


def by_external_sku(tx: Tx, sku: str) -> list[dict[str, Any]]:
    return [
        p
        for p in sorted(all_products(tx), key=lambda p: p["sellerProductId"])
        if status_of(p) != "DELETED" and any(item.get("externalVendorSku") == sku for item in p["items"])
    ]


# ---------------------------------------------------------------- vendor items (옵션)


def vendor_item(tx: Tx, vendor_item_id: Any) -> dict[str, Any] | None:
    try:
        return inventory.get_item(tx, int(vendor_item_id))
    except (TypeError, ValueError):
        return None


def _owner_item(tx: Tx, document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    product = get(tx, document["sellerProductId"])
    if product is None:
        return None
    item = next((i for i in product["items"] if i.get("vendorItemId") == document["vendorItemId"]), None)
    return (product, item) if item else None


def set_quantity(tx: Tx, document: dict[str, Any], quantity: int) -> None:
    if quantity < 0 or quantity > 99999:
        raise error(BAD_QUANTITY)
    document.update(quantity=quantity, maximumBuyCount=quantity)
    inventory.put_item(tx, document)


def price_problem(document: dict[str, Any], price: int, force: bool) -> str | None:
    """Why Coupang refuses a new sale price: 10-won units, and -50 %/+100 % unless forced."""
    if price <= 0 or price % 10:
        return PRICE_UNIT
    old = document["salePrice"]
    if not force and (price < old * 0.5 or price > old * 2):
        return PRICE_BAND
    return None


def set_price(tx: Tx, document: dict[str, Any], price: int) -> None:
    document["salePrice"] = price
    inventory.put_item(tx, document)


def set_auto_pricing(tx: Tx, document: dict[str, Any], minimum: int, active: bool) -> None:
    document["autoPricing"] = {"minSalePrice": minimum, "active": active}
    inventory.put_item(tx, document)


def set_original_price(tx: Tx, document: dict[str, Any], price: int) -> None:
    document["originalPrice"] = price
    inventory.put_item(tx, document)


def change_sale_status(tx: Tx, document: dict[str, Any], event: str) -> None:
    """STOP / RESUME / MONITOR_STOP / MONITOR_RELEASE through ITEM_MACHINE (IllegalTransition on refusal)."""
    document["saleStatus"] = ITEM_MACHINE.next(document.get("saleStatus", "ON_SALE"), event)
    document["onSale"] = document["saleStatus"] == "ON_SALE"
    inventory.put_item(tx, document)


def set_auto_generated(tx: Tx, document: dict[str, Any], opt_in: bool) -> None:
    document["autoGeneratedOptIn"] = opt_in
    inventory.put_item(tx, document)


# ---------------------------------------------------------------- auto-generated options (자동생성옵션)

AUTO_GENERATE_OFF = "auto-generated options are disabled for vendorItemId {id} (opt-out)"


def _generated_ids(product: dict[str, Any]) -> list[int]:
    return list(product["mock"].get("autoGenerated") or [])


def live_documents(tx: Tx, product: dict[str, Any]) -> list[dict[str, Any]]:
    """Every vendor-item document of the product: approved options and auto-generated ones."""
    ids = [i["vendorItemId"] for i in product["items"] if i.get("vendorItemId")] + _generated_ids(product)
    return [doc for doc in (inventory.get_item(tx, vendor_item_id) for vendor_item_id in ids) if doc is not None]


def auto_generate(tx: Tx, base: dict[str, Any], multiple: int, ids: IdSource) -> dict[str, Any]:
    """Coupang's bundle-quantity option of `base` (×multiple), only while both opt-ins hold.

    Stock of the generated option is what the base stock covers; its price follows the base price.
    """
    if base.get("autoGenerated") or not base.get("autoGeneratedOptIn", True) or not settings(tx)["autoGeneratedOptIn"]:
        raise ApiError(409, AUTO_GENERATE_OFF.format(id=base["vendorItemId"]))
    product = get(tx, base["sellerProductId"])
    assert product is not None
    document = {
        **copy.deepcopy(base),
        "vendorItemId": ids("vendor-item", 11),
        "sellerProductItemId": ids("seller-product-item", 11),
        "itemName": f"{base['itemName']} x {multiple}",
        "autoGenerated": True,
        "baseVendorItemId": base["vendorItemId"],
        "multiple": multiple,
        "salePrice": base["salePrice"] * multiple,
        "originalPrice": base["originalPrice"] * multiple,
        "quantity": base["quantity"] // multiple,
        "unitCount": base["unitCount"] * multiple,
        "externalVendorSku": "",
    }
    document["maximumBuyCount"] = document["quantity"]
    inventory.put_item(tx, document)
    product["mock"]["autoGenerated"] = [*_generated_ids(product), document["vendorItemId"]]
    save(tx, product)
    return document


def reprice_generated(tx: Tx, base: dict[str, Any]) -> None:
    """A base option's new price re-prices its auto-generated options by their multiple."""
    product = get(tx, base["sellerProductId"])
    for vendor_item_id in _generated_ids(product) if product else []:
        document = inventory.get_item(tx, vendor_item_id)
        if document is not None and document.get("baseVendorItemId") == base["vendorItemId"]:
            document["salePrice"] = base["salePrice"] * document["multiple"]
            inventory.put_item(tx, document)
