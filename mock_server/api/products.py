"""HTTP glue of the products group (seller products, vendor items) and Coupang's reviewer.

Rules live in `mock_server.domains.products`; this module reads the request, calls the domain and
builds each endpoint's envelope. Control routes under /_mock/vendors/<vendorId>/… play the
reviewer, set the review policy and create ready-to-sell products for other groups' tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import MockServices
from ..domains import categories, logistics, product_items, product_lists, products
from ..domains import product_rules as rules
from ..domains import product_texts as texts
from ..domains.fsm import IllegalTransition
from ..errors import ApiError, MalformedJson
from ..registry import RequestContext, control, handles, ticker, validation_shape
from ..simulate import int_arg, vendor_tx
from ..store import Tx

MAX_PER_PAGE = 100
VENDOR_ID_MISSING = "업체코드는 반드시 입력되어야 합니다."
RG_KEYS = ("rocketGrowthAdditionalInformation", "marketplaceShippingAndReturnInfo")
# x-inferred: the mock's vendors never accepted the Rocket Growth API terms
RG_NOT_AGREED = "로켓그로스 API 이용약관에 동의하지 않은 업체입니다. WING에서 약관 동의 후 이용해 주세요."


def _ok(data: Any, message: str = "") -> dict[str, Any]:
    """Seller-product family envelope: {"code":"SUCCESS","message":…,"data":…}."""
    return {"code": "SUCCESS", "message": message, "data": data}


def _ids(ctx: RequestContext) -> products.IdSource:
    return ctx.next_id


def _size(raw: Any, default: int = 10) -> int:
    return min(max(int(raw), 1), MAX_PER_PAGE) if raw not in (None, "") else default


# ---------------------------------------------------------------- seller products


@validation_shape("products")
def _validation_refusal(err: ApiError) -> ApiError:
    if isinstance(err, MalformedJson):  # Coupang's products service words unreadable JSON itself
        return texts.error(texts.BAD_INPUT.replace("{line}", str(err.line)))
    return ApiError(err.status, err.message, code="ERROR", extra={"data": None})


@handles("createSellerProduct")
def create_seller_product(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if any(body.get(key) is not None for key in RG_KEYS):
        raise texts.error(RG_NOT_AGREED)
    product = products.create(ctx.tx, body, ctx.now, _ids(ctx), ctx.vendor_id)
    return _saved(product)


def _saved(product: dict[str, Any]) -> dict[str, Any]:
    """SUCCESS; registered-but-flagged products (pre-2026-02-02 rule) carry message "[]" and the warning."""
    warning = product["mock"].get("warning")
    if not warning:
        return _ok(product["sellerProductId"])
    return {**_ok(product["sellerProductId"], "[]"), **warning}


@handles("getSellerProduct")
def get_seller_product(ctx: RequestContext) -> dict[str, Any]:
    product_id = ctx.path_params["sellerProductId"]
    if products.get(ctx.tx, product_id) is None:
        owner = _other_owner(ctx, product_id)
        if owner is not None:
            raise texts.error(texts.OTHER_VENDOR.format(vendor=ctx.vendor_id, owner=owner))
    product = _readable(ctx.tx, product_id, period=True)
    return _ok(products.render(ctx.tx, product))


def _other_owner(ctx: RequestContext, product_id: int) -> str | None:
    """The vendor whose id prefix `product_id` carries, when it is another one (ids.py): tells another
    vendor's product from an unknown id without opening that vendor's store."""
    tenants = (v["vendorId"] for v in ctx.services.vendors.all() if v["vendorId"] != ctx.vendor_id)
    return ctx.services.ids.owner_of(product_id, products.ID_KIND, products.ID_DIGITS, tenants)


def _readable(tx: Tx, product_id: int, *, period: bool) -> dict[str, Any]:
    product = products.get(tx, product_id)
    if product is None:  # the partial get's text has no trailing period (products.yaml)
        raise texts.error(f"상품({product_id})의 데이터가 없습니다" + ("." if period else ""))
    if products.status_of(product) == "SAVING":
        raise texts.error(products.locked_message(product))
    return product


@handles("updateSellerProduct")
def update_seller_product(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if any(body.get(key) is not None for key in RG_KEYS):
        raise texts.error(RG_NOT_AGREED)
    product = products.update(ctx.tx, body, ctx.now, _ids(ctx))
    return _saved(product)


@handles("getSellerProductPartial")
def get_seller_product_partial(ctx: RequestContext) -> dict[str, Any]:
    product = _readable(ctx.tx, ctx.path_params["sellerProductId"], period=False)
    return _ok(products.render_partial(product))


@handles("updateSellerProductPartial")
def update_seller_product_partial(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    product = products.partial_update(ctx.tx, ctx.path_params["sellerProductId"], body, ctx.now)
    return _ok(product["sellerProductId"])


@handles("requestSellerProductApproval")
def request_seller_product_approval(ctx: RequestContext) -> dict[str, Any]:
    product_id = ctx.path_params["sellerProductId"]
    products.request_approval(ctx.tx, product_id, ctx.now)
    message = f"{product_id} 승인 요청되었습니다. 승인 내용에 문제가 있을 경우 승인 요청이 처리되지 않을 수 있습니다."
    return _ok(str(product_id), message)


@handles("deleteSellerProduct")
def delete_seller_product(ctx: RequestContext) -> dict[str, Any]:
    product_id = ctx.path_params["sellerProductId"]
    products.delete(ctx.tx, product_id, ctx.now)
    return _ok(str(product_id), "삭제되었습니다")


@handles("getSellerProductInflowStatus")
def get_inflow_status(ctx: RequestContext) -> dict[str, Any]:
    return _ok(products.inflow_status(ctx.tx, ctx.vendor_id))


@handles("listSellerProducts")
def list_seller_products(ctx: RequestContext) -> dict[str, Any]:
    if not ctx.query.get("vendorId"):
        raise texts.error(VENDOR_ID_MISSING)
    size = _size(ctx.query.get("maxPerPage"))
    page, token = product_lists.listing_page(ctx.tx, ctx.query, ctx.query.get("nextToken"), size)
    return {"code": "SUCCESS", "message": "", "nextToken": token, "data": [products.summary(p) for p in page]}


@handles("listSellerProductsTimeFrame")
def list_seller_products_time_frame(ctx: RequestContext) -> dict[str, Any]:
    found = product_lists.time_frame(ctx.tx, str(ctx.query["createdAtFrom"]), str(ctx.query["createdAtTo"]))
    return _ok([products.summary(p) for p in found])


@handles("listSellerProductStatusHistories")
def list_status_histories(ctx: RequestContext) -> dict[str, Any]:
    product_id = ctx.path_params["sellerProductId"]
    product = products.get(ctx.tx, product_id)
    if product is None:
        raise texts.error(f"상품({product_id})의 데이터가 없습니다.")
    entries = products.histories(product)
    page, token = product_lists.page_by_token(entries, ctx.query.get("nextToken"), _size(ctx.query.get("maxPerPage")))
    return {"code": "SUCCESS", "message": "", "nextToken": token, "data": page}


@handles("getSellerProductsByExternalSku")
def get_by_external_sku(ctx: RequestContext) -> dict[str, Any]:
    found = product_lists.by_external_sku(ctx.tx, str(ctx.path_params["externalVendorSkuCode"]))
    return _ok([products.summary(p) for p in found])


# ---------------------------------------------------------------- vendor items (옵션)


def _option(ctx: RequestContext, action: str | None, unknown: str) -> dict[str, Any]:
    """The vendor-item document, or Coupang's per-API refusal for an unknown or deleted option.

    `action` is the Korean prefix of that API's failure texts ("가격변경에 실패했습니다." …);
    `unknown` is its text for an id it does not know.
    """
    vendor_item_id = ctx.path_params["vendorItemId"]
    document = product_items.vendor_item(ctx.tx, vendor_item_id)
    if document is None:
        raise texts.error(unknown.format(id=vendor_item_id))
    if document.get("deleted"):
        raise texts.error(f"{action} [옵션ID[{vendor_item_id}] : {texts.DELETED_PRODUCT}]")
    return document


def _done(message: str) -> dict[str, Any]:
    return {"code": "SUCCESS", "message": message, "data": None}


@handles("getVendorItemInventory")
def get_vendor_item_inventory(ctx: RequestContext) -> dict[str, Any]:
    vendor_item_id = ctx.path_params["vendorItemId"]
    document = product_items.vendor_item(ctx.tx, vendor_item_id)
    if document is None or document.get("deleted"):
        raise texts.error(f"유효한 옵션이 없습니다:[vendorItemId={vendor_item_id}]")
    return _ok(
        {
            "sellerItemId": document["vendorItemId"],
            "amountInStock": document["quantity"],
            "salePrice": document["salePrice"],
            "onSale": bool(document.get("onSale")),
        }
    )


@handles("updateVendorItemQuantity")
def update_vendor_item_quantity(ctx: RequestContext) -> dict[str, Any]:
    document = _option(ctx, "재고변경에 실패했습니다.", "재고변경에 실패했습니다. [vendoritemid {id} not found]")
    product_items.set_quantity(ctx.tx, document, int(ctx.path_params["quantity"]))
    return _done("재고 변경을 완료했습니다.")


@handles("updateVendorItemPrice")
def update_vendor_item_price(ctx: RequestContext) -> dict[str, Any]:
    action = "가격변경에 실패했습니다."
    document = _option(ctx, action, "유효하지 않은 ID입니다.")
    vendor_item_id, price = document["vendorItemId"], int(ctx.path_params["price"])
    if document.get("autoGenerated"):
        raise texts.error(texts.AUTO_GENERATED_PRICE)
    minimum, active = ctx.query.get("apMinSalePrice"), ctx.query.get("apActive")
    if (minimum is None) != (active is None):
        raise texts.error(texts.AP_TOGETHER)
    problem = product_items.price_problem(document, price, bool(ctx.query.get("forceSalePriceUpdate")))
    if problem == texts.PRICE_UNIT:
        raise texts.error(f"{action} [옵션ID[{vendor_item_id}]: {problem}]")
    if problem:
        raise texts.error(f"{action} [옵션ID[{vendor_item_id}] : {problem}]")
    if minimum is not None:
        if int(minimum) >= price:
            raise texts.error(texts.AP_MIN)
        product_items.set_auto_pricing(ctx.tx, document, int(minimum), bool(active))
    product_items.set_price(ctx.tx, document, price)
    product_items.reprice_generated(ctx.tx, document)
    return _done("가격 변경을 완료했습니다.")


@handles("updateVendorItemOriginalPrice")
def update_vendor_item_original_price(ctx: RequestContext) -> dict[str, Any]:
    action = "original price change failed."
    document = _option(ctx, action, "Invalid vendorItemId.")
    price = int(ctx.path_params["originalPrice"])
    if price < 0 or price % 10:
        raise texts.error(f"{action} [옵션ID[{document['vendorItemId']}]: {texts.PRICE_UNIT}]")
    product_items.set_original_price(ctx.tx, document, price)
    return _done("할인율 기준가격이 변경되었습니다.")


@handles("resumeVendorItemSales")
def resume_vendor_item_sales(ctx: RequestContext) -> dict[str, Any]:
    action = "판매재개에 실패했습니다."
    document = _option(ctx, action, action + " [vendoritemid {id} not found]")
    try:
        product_items.change_sale_status(ctx.tx, document, "RESUME")
    except IllegalTransition:  # stopped by Coupang's monitoring: only Coupang can lift it
        vendor_item_id = document["vendorItemId"]
        raise texts.error(
            f"{action} [옵션ID({vendor_item_id})은 쿠팡의 모니터링에 의해 '판매중지'된 상품입니다."
        ) from None
    return _done("판매가 재개되었습니다.")


@handles("stopVendorItemSales")
def stop_vendor_item_sales(ctx: RequestContext) -> dict[str, Any]:
    action = "판매중지에 실패했습니다."
    document = _option(ctx, action, action + " [vendoritemid {id} not found]")
    product_items.change_sale_status(ctx.tx, document, "STOP")
    return _done("판매 중지 처리되었습니다.")


def _auto_generated(ctx: RequestContext, opt_in: bool) -> dict[str, Any]:
    document = product_items.vendor_item(ctx.tx, ctx.path_params["vendorItemId"])
    if document is None or document.get("deleted"):
        # FAILED is an ordinary outcome of these APIs (HTTP 200, spec); the reason goes in message
        return {"code": "FAILED", "message": "유효하지 않은 ID입니다.", "data": None}
    product_items.set_auto_generated(ctx.tx, document, opt_in)
    return _ok("success")


@handles("optInAutoGeneratedOptionVendorItem")
def opt_in_vendor_item(ctx: RequestContext) -> dict[str, Any]:
    return _auto_generated(ctx, True)


@handles("optOutAutoGeneratedOptionVendorItem")
def opt_out_vendor_item(ctx: RequestContext) -> dict[str, Any]:
    return _auto_generated(ctx, False)


@handles("optInAutoGeneratedOptionSeller")
def opt_in_seller(ctx: RequestContext) -> dict[str, Any]:
    rules.update_settings(ctx.tx, {"autoGeneratedOptIn": True})
    return _ok("success")


@handles("optOutAutoGeneratedOptionSeller")
def opt_out_seller(ctx: RequestContext) -> dict[str, Any]:
    rules.update_settings(ctx.tx, {"autoGeneratedOptIn": False})
    return _ok("success")


# ---------------------------------------------------------------- timed behaviour


@ticker(due=products.due)
def review_ticker(tx: Tx, now: datetime, services: MockServices) -> None:
    """Saving finishes and the automatic reviewer decides when their test-clock time has come."""
    products.tick(tx, now, lambda kind, digits: services.ids.next(tx, kind, digits))


# ---------------------------------------------------------------- control plane


@control("/vendors/<vendor_id>/products/<seller_product_id>/review", methods=("POST",))
def review_product(services: MockServices, body: dict[str, Any], vendor_id: str, seller_product_id: str) -> Any:
    """Play Coupang's reviewer now: {"decision": APPROVE|DENY|PARTIAL_APPROVE|START_REVIEW, "reason"?,
    "vendorItemIds"? (or "sellerProductItemIds": the options PARTIAL_APPROVE approves)}.

    START_REVIEW only moves 승인대기중 → 심사중 and leaves the decision for later.
    """
    decision = body.get("decision", "APPROVE")
    if decision not in (*products.DECISIONS, "START_REVIEW"):
        raise ApiError(400, "decision must be APPROVE, DENY, PARTIAL_APPROVE or START_REVIEW")
    selected = body.get("sellerProductItemIds") or body.get("vendorItemIds")
    if selected is not None and (not isinstance(selected, list) or not all(isinstance(s, int) for s in selected)):
        raise ApiError(400, "vendorItemIds / sellerProductItemIds must be a list of integers")
    with vendor_tx(services, vendor_id) as (tx, now, ids):
        product = products.get(tx, int_arg(seller_product_id, "sellerProductId"))
        if product is None:
            raise ApiError(404, f"sellerProductId {seller_product_id} does not exist")
        status = products.status_of(product)
        waiting = ("APPROVING",) if decision == "START_REVIEW" else ("APPROVING", "IN_REVIEW")
        if status not in waiting:
            raise ApiError(409, f"product {seller_product_id} is {status}, not waiting for {decision}")
        if decision == "START_REVIEW":
            products.start_review(product, now)
            products.save(tx, product)
        else:
            products.review(tx, product, decision, now, ids, body.get("reason"), selected)
        return _review_result(product)


def _review_result(product: dict[str, Any]) -> dict[str, Any]:
    return {
        "sellerProductId": product["sellerProductId"],
        "status": products.status_of(product),
        "statusName": products.STATUS_NAMES[products.status_of(product)],
        "vendorItemIds": [i["vendorItemId"] for i in product["items"] if i.get("vendorItemId")],
    }


POLICY_FIELDS = {
    "decision": "reviewDecision",
    "delaySeconds": "reviewDelaySeconds",
    "reason": "reviewReason",
    "savingSeconds": "savingSeconds",
}


@control("/vendors/<vendor_id>/review-policy", methods=("PUT", "GET"))
def review_policy(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """How the automatic reviewer decides: {"decision": APPROVE|DENY|PARTIAL_APPROVE|MANUAL, "delaySeconds", "reason", "savingSeconds"}."""
    changes: dict[str, Any] = {}
    for wire, key in POLICY_FIELDS.items():
        if wire not in body:
            continue
        value = body[wire]
        if wire == "decision" and value not in (*products.DECISIONS, "MANUAL"):
            raise ApiError(400, "decision must be APPROVE, DENY, PARTIAL_APPROVE or MANUAL")
        if wire.endswith("Seconds") and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            raise ApiError(400, f"{wire} must be a non-negative number")
        changes[key] = value
    with vendor_tx(services, vendor_id) as (tx, _now, _ids):
        current = rules.update_settings(tx, changes) if changes else rules.settings(tx)
    return {wire: current[key] for wire, key in POLICY_FIELDS.items()}


SETTINGS_FIELDS = ("autoCategoryAgreed", "permittedCount", "restricted", "mandatoryOptionPolicy")


@control("/vendors/<vendor_id>/catalog/settings", methods=("PUT", "GET"))
def catalog_settings(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """Vendor facts set in WING: {"autoCategoryAgreed": bool, "permittedCount": int|null, "restricted": bool,
    "mandatoryOptionPolicy": AUTO|REJECT|WARN} — AUTO applies the 2026-02-02 rule by the vendor's clock date,
    REJECT refuses products missing mandatory options, WARN registers them flagged (MOTA_V2) as before."""
    changes = {k: body[k] for k in SETTINGS_FIELDS if k in body}
    for name in ("autoCategoryAgreed", "restricted"):
        if name in changes and not isinstance(changes[name], bool):
            raise ApiError(400, f"{name} must be true or false")
    if changes.get("mandatoryOptionPolicy", "AUTO") not in texts.MANDATORY_OPTION_POLICIES:
        raise ApiError(400, "mandatoryOptionPolicy must be AUTO, REJECT or WARN")
    permitted = changes.get("permittedCount")
    if permitted is not None and (isinstance(permitted, bool) or not isinstance(permitted, int)):
        raise ApiError(400, "permittedCount must be an integer or null")
    with vendor_tx(services, vendor_id) as (tx, _now, _ids):
        current = rules.update_settings(tx, changes) if changes else rules.settings(tx)
    return {k: current[k] for k in SETTINGS_FIELDS}


@control("/vendors/<vendor_id>/vendor-items/<vendor_item_id>/monitoring", methods=("POST",))
def monitoring(services: MockServices, body: dict[str, Any], vendor_id: str, vendor_item_id: str) -> Any:
    """Coupang's monitoring stops an option ({"stopped": true}) or lifts the stop ({"stopped": false})."""
    event = "MONITOR_STOP" if body.get("stopped", True) else "MONITOR_RELEASE"
    with vendor_tx(services, vendor_id) as (tx, _now, _ids):
        document = product_items.vendor_item(tx, int_arg(vendor_item_id, "vendorItemId"))
        if document is None or document.get("deleted"):
            raise ApiError(404, f"vendorItemId {vendor_item_id} does not exist")
        try:
            product_items.change_sale_status(tx, document, event)
        except IllegalTransition:
            raise ApiError(409, f"vendorItemId {vendor_item_id} is {document['saleStatus']}") from None
        return {
            "vendorItemId": document["vendorItemId"],
            "saleStatus": document["saleStatus"],
            "onSale": document["onSale"],
        }


@control("/vendors/<vendor_id>/vendor-items/<vendor_item_id>/auto-generated", methods=("POST",))
def auto_generate(services: MockServices, body: dict[str, Any], vendor_id: str, vendor_item_id: str) -> Any:
    """Coupang generates a bundle-quantity option of an approved option: {"multiple": 2..100}.

    Refused (409) when the option or the seller opted out; answers the new option's document fields.
    """
    multiple = body.get("multiple", 2)
    if isinstance(multiple, bool) or not isinstance(multiple, int) or not 2 <= multiple <= 100:
        raise ApiError(400, "multiple must be an integer from 2 to 100")
    with vendor_tx(services, vendor_id) as (tx, _now, ids):
        base = product_items.vendor_item(tx, int_arg(vendor_item_id, "vendorItemId"))
        if base is None or base.get("deleted"):
            raise ApiError(404, f"vendorItemId {vendor_item_id} does not exist")
        document = product_items.auto_generate(tx, base, multiple, ids)
        keys = ("vendorItemId", "baseVendorItemId", "multiple", "itemName", "salePrice", "quantity")
        return {key: document[key] for key in keys}, 201


# ---------------------------------------------------------------- quick product (for tests and users)

QUICK_CATEGORY = "기타 재화"


@control("/vendors/<vendor_id>/catalog/quick-product", methods=("POST",))
def quick_product(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """A valid product (centers included) registered and, unless "approve": false, approved at once.

    Body: {"items": [{"itemName", "salePrice", "quantity", …any item field}], "approve": true,
    "product": {…any product field}}. Answers {sellerProductId, vendorItemIds, …}.
    """
    raw_items = body.get("items") or [{"itemName": "기본 옵션", "salePrice": 10000, "quantity": 100}]
    if not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
        raise ApiError(400, 'items must be a list of {"itemName", "salePrice", "quantity"}')
    overrides = body.get("product") or {}
    if not isinstance(overrides, dict):
        raise ApiError(400, "product must be an object")
    with vendor_tx(services, vendor_id) as (tx, now, ids):
        outbound, return_code = _quick_centers(tx, now, ids, vendor_id)
        request = quick_body(vendor_id, outbound, return_code, raw_items, overrides)
        request["requested"] = bool(body.get("approve", True))
        product = products.create(tx, request, now, ids, vendor_id)
        if body.get("approve", True):
            products.review(tx, product, "APPROVE", now, ids)
        return {
            **_review_result(product),
            "outboundShippingPlaceCode": outbound,
            "returnCenterCode": str(return_code),
        }, 201


def _quick_centers(tx: Tx, now: datetime, ids: products.IdSource, vendor_id: str) -> tuple[int, int]:
    """Reuse the vendor's first usable centers, or register a pair."""
    outbound = logistics.first_domestic_outbound(tx)
    if outbound is None:
        outbound = logistics.create_outbound(tx, quick_outbound_body(vendor_id), now, ids)
    returns = logistics.first_usable_return(tx)
    if returns is None:
        returns = logistics.create_return(tx, quick_return_body(vendor_id), now, ids)
    return outbound["outboundShippingPlaceCode"], returns["returnCenterCode"]


def quick_outbound_body(vendor_id: str) -> dict[str, Any]:
    return {
        "vendorId": vendor_id,
        "userId": "mock-seller",
        "shippingPlaceName": "쿠팡목 기본 출고지",
        "usable": True,
        "global": False,
        "placeAddresses": [
            {
                "addressType": "JIBUN",
                "countryCode": "KR",
                "companyContactNumber": "02-1234-5678",
                "returnZipCode": "06236",
                "returnAddress": "서울특별시 강남구 역삼동 737",
                "returnAddressDetail": "1층 출고장",
            }
        ],
        "remoteInfos": [{"deliveryCode": "CJGLS", "jeju": 3000, "notJeju": 3000}],
    }


def quick_return_body(vendor_id: str) -> dict[str, Any]:
    fees = {f"{k}{t}": 3000 for k in logistics.FEE_KINDS for t in logistics.FEE_TIERS}
    return {
        "vendorId": vendor_id,
        "userId": "mock-seller",
        "shippingPlaceName": "쿠팡목 기본 반품지",
        "goodsflowInfoOpenApiDto": {"deliverCode": "CJGLS", "contractNumber": "81234567", **fees},
        "placeAddresses": [
            {
                "addressType": "JIBUN",
                "companyContactNumber": "02-1234-5678",
                "returnZipCode": "06236",
                "returnAddress": "서울특별시 강남구 역삼동 737",
                "returnAddressDetail": "지하 1층 반품장",
            }
        ],
    }


def quick_body(
    vendor_id: str, outbound: int, return_code: int, raw_items: list[dict[str, Any]], overrides: dict[str, Any]
) -> dict[str, Any]:
    """A create body for the 기타 재화 leaf (no mandatory options) that passes every check."""
    leaf = categories.leaf_by_name(QUICK_CATEGORY)
    notices = [
        {
            "noticeCategoryName": "기타 재화",
            "noticeCategoryDetailName": d["noticeCategoryDetailName"],
            "content": "상세페이지 참조",
        }
        for d in categories.notice_group("기타 재화")["noticeCategoryDetailNames"]
    ]
    items = []
    for index, raw in enumerate(raw_items):
        entry = dict(raw)
        quantity = entry.pop("quantity", entry.get("maximumBuyCount", 100))
        sale_price = entry.get("salePrice", 10000)
        items.append(
            {
                "itemName": f"옵션 {index + 1}",
                "originalPrice": sale_price,
                "maximumBuyForPerson": 0,
                "maximumBuyForPersonPeriod": 1,
                "outboundShippingTimeDay": 1,
                "unitCount": 1,
                "adultOnly": "EVERYONE",
                "taxType": "TAX",
                "parallelImported": "NOT_PARALLEL_IMPORTED",
                "overseasPurchased": "NOT_OVERSEAS_PURCHASED",
                "pccNeeded": False,
                "externalVendorSku": f"MOCK-SKU-{index + 1}",
                "emptyBarcode": True,
                "emptyBarcodeReason": "자체제작",
                "certifications": [{"certificationType": "NOT_REQUIRED", "certificationCode": ""}],
                "searchTags": [],
                "images": [
                    {"imageOrder": 0, "imageType": "REPRESENTATION", "vendorPath": "https://image.example.com/a.jpg"}
                ],
                "notices": notices,
                "attributes": [{"attributeTypeName": "수량", "attributeValueName": f"{index + 1}개"}],
                "contents": [
                    {"contentsType": "TEXT", "contentDetails": [{"content": "상세설명", "detailType": "TEXT"}]}
                ],
                "offerCondition": "NEW",
                **entry,
                "salePrice": sale_price,
                "maximumBuyCount": quantity,
            }
        )
    return {
        "displayCategoryCode": leaf.code,
        "sellerProductName": items[0]["itemName"] if len(items) == 1 else "쿠팡목 테스트 상품",
        "vendorId": vendor_id,
        "saleStartedAt": "2020-01-01T00:00:00",
        "saleEndedAt": "2099-12-31T23:59:59",
        "displayProductName": "쿠팡목 테스트 상품",
        "brand": "쿠팡목",
        "generalProductName": "테스트 상품",
        "deliveryMethod": "SEQUENCIAL",
        "deliveryCompanyCode": "CJGLS",
        "deliveryChargeType": "FREE",
        "deliveryCharge": 0,
        "freeShipOverAmount": 0,
        "deliveryChargeOnReturn": 2500,
        "remoteAreaDeliverable": "N",
        "unionDeliveryType": "UNION_DELIVERY",
        "returnCenterCode": str(return_code),
        "returnCharge": 2500,
        "outboundShippingPlaceCode": outbound,
        "vendorUserId": "mock-seller",
        "requested": True,
        "items": items,
        "requiredDocuments": [],
        "manufacture": "쿠팡목",
        "bundleInfo": {"bundleType": "SINGLE"},
        **overrides,
    }
