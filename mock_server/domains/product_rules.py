"""Seller-product validation: what Coupang refuses in a create/update body, and the vendor's catalog settings.

Every refusal is Coupang's own text (products.yaml → errors); texts the sources do not give are
grouped in `product_texts` and noted in the spec. Store kind (per vendor):
    catalog-settings  key "settings": review policy, auto-category agreement, inflow limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from ..errors import ApiError
from ..jsonio import clone
from ..store import Tx
from . import categories, logistics, timefmt
from .product_texts import (
    AB_ATTRIBUTES,
    AB_MULTI,
    AGENT_BUY_DOMESTIC,
    AGENT_BUY_PCC,
    AUTO_PRICING_MIN,
    BAD_BUNDLE,
    BAD_CENTER,
    BAD_QUANTITY,
    BARCODE_REASON,
    CATEGORY_FIXED,
    CERT_CODE,
    CERT_MANDATORY,
    CERT_NOT_ALLOWED,
    CHARGE_RECEIVED_CATEGORY,
    COLD_FRESH_REQUIRED,
    CONDITIONAL_RETURN,
    CONTENTS_TYPES,
    DEFAULT_SETTINGS,
    DISPLAY_NAME_TOO_LONG,
    DOCUMENT_MISSING,
    DOCUMENT_PATH,
    DUPLICATE_ITEM_NAME,
    DUPLICATE_OPTIONS,
    ENUMS,
    FEE_REQUIRED,
    FREE_SHIP_OVER_UNIT,
    IMAGE_COUNT,
    IMAGE_DOWNLOAD,
    IMAGE_PATH,
    IMAGE_TYPES,
    INVALID_OPTION_VALUE,
    INVALID_UNIT_ITEM,
    ITEM_DEFAULTS,
    ITEM_ENUMS,
    ITEM_FIELDS,
    ITEM_NAME_TOO_LONG,
    LEGACY_FREE_OVER,
    LEGACY_FREE_OVER_AMOUNTS,
    MANDATORY_OPTION,
    MANDATORY_OPTION_DAY,
    MANDATORY_OPTION_ITEM,
    MISSING_ATTRIBUTE,
    NO_ITEMS,
    NOT_ALLOWED_OPTION,
    NPE,
    OFFER_CONDITION,
    OFFER_DESCRIPTION,
    PRICE_UNIT,
    PRODUCT_FIELDS,
    PRODUCT_NAME_TOO_LONG,
    REMOTE_COURIER,
    REPRESENTATION_IMAGE,
    REQUIRED_FIELDS,
    REQUIRED_ITEM_FIELDS,
    RETURN_CHARGE_RANGE,
    SALE_DATE_RE,
    SALE_PERIOD,
    SAME_DAY,
    SEARCH_TAG_CHARS,
    SEARCH_TAG_RE,
    SEARCH_TAGS,
    SELECT_VALUE,
    TOO_MANY_ITEMS,
    TOO_MANY_OPTIONS,
    USED_CONDITIONS,
    bad_input,
    error,
)

SETTINGS_KIND, SETTINGS_KEY = "catalog-settings", "settings"

# ---------------------------------------------------------------- settings and the ticker queue


def settings(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(tx.get(SETTINGS_KIND, SETTINGS_KEY) or {})}


def update_settings(tx: Tx, changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**settings(tx), **changes}
    tx.put(SETTINGS_KIND, SETTINGS_KEY, merged)
    return merged


def blank(value: Any) -> bool:
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


def as_bool(value: Any, default: bool = False) -> bool:
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
        if blank(body.get(name)):
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


def check_enums(body: dict[str, Any]) -> None:
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
    if blank(code) or code == 0:
        if not settings(tx)["autoCategoryAgreed"]:
            raise error(categories.NO_MANAGEMENT_CATEGORY)
        predicted = categories.predict(str(body.get("sellerProductName") or ""), str(body.get("brand") or ""))
        leaf = categories.find(predicted["predictedCategoryId"]) if predicted["predictedCategoryId"] else None
        return leaf or categories.fallback_leaf(), True
    leaf = categories.usable_leaf(code)
    if leaf is None:
        raise error(categories.NO_MANAGEMENT_CATEGORY)
    return leaf, False


def fill_return_address(tx: Tx, body: dict[str, Any]) -> None:
    """A real return center supplies the manual return fields the seller left out (x-inferred)."""
    code = str(body["returnCenterCode"]).strip()
    if code == logistics.NO_RETURN_CENTER:
        for name in ("returnChargeName", "companyContactNumber", "returnZipCode", "returnAddress"):
            if blank(body.get(name)):
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
        if blank(body.get(name)):
            body[name] = value
    body["returnCenterCode"] = code


def check_fees(body: dict[str, Any], leaf: categories.Category) -> None:
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


def check_delivery(tx: Tx, body: dict[str, Any], leaf: categories.Category, items: list[dict[str, Any]]) -> None:
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
        if not all(as_bool(item.get("pccNeeded")) for item in items):
            raise error(AGENT_BUY_PCC)
    if categories.profile(leaf).get("coldFresh") and body["deliveryMethod"] not in ("COLD_FRESH", "VENDOR_DIRECT"):
        raise error(COLD_FRESH_REQUIRED)


def _check_documents(body: dict[str, Any], meta: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    documents = body.get("requiredDocuments") or []
    if not isinstance(documents, list):
        raise bad_input(documents)
    for document in documents:
        if not isinstance(document, dict) or blank(document.get("templateName")):
            raise error(NPE)
        path = document.get("documentPath") or document.get("vendorDocumentPath")
        if blank(path) or len(str(path)) > 150:
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
        if item.get(name) is None or (name == "itemName" and blank(item[name])):
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
    item["pccNeeded"] = as_bool(item.get("pccNeeded"))
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
    if as_bool(same_day.get("active")):
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
        if blank(path) or any(len(str(image.get(k) or "")) > 200 for k in ("cdnPath", "vendorPath")):
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
        if blank(notice.get("noticeCategoryName")) or blank(notice.get("noticeCategoryDetailName")):
            raise error(NPE)
    chosen = notices[0]["noticeCategoryName"]
    for notice in notices:
        group = groups.get(notice["noticeCategoryName"])
        names = {d["noticeCategoryDetailName"] for d in group["noticeCategoryDetailNames"]} if group else set()
        if notice["noticeCategoryName"] != chosen or notice["noticeCategoryDetailName"] not in names:
            raise error(_notice_message(notice["noticeCategoryDetailName"], notice["noticeCategoryName"]))
    sent = {n["noticeCategoryDetailName"] for n in notices if not blank(n.get("content"))}
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
        if allowed[kind]["dataType"] == "CODE" and blank(cert.get("certificationCode")):
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
        if not isinstance(attribute, dict) or blank(attribute.get("attributeTypeName")):
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
    body = {name: clone(raw[name]) for name in (*PRODUCT_FIELDS, "items") if name in raw}
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
    check_enums(body)
    body["bundleInfo"] = {"bundleType": (body.get("bundleInfo") or {}).get("bundleType", "SINGLE")}
    body["requested"] = as_bool(body.get("requested"))
    if existing is None:
        leaf, auto = resolve_category(tx, body)
    else:
        leaf, auto = _immutable_category(existing, body), False
    body["displayCategoryCode"] = leaf.code
    meta = categories.metas(leaf)
    fill_return_address(tx, body)
    check_fees(body, leaf)
    check_delivery(tx, body, leaf, items)
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
    item = {name: clone(raw[name]) for name in ITEM_FIELDS if name in raw}
    for name in ("sellerProductItemId", "vendorItemId"):
        if raw.get(name) not in (None, ""):
            item[name] = _int(raw[name])
    for name, default in ITEM_DEFAULTS.items():
        if item.get(name) is None:
            item[name] = clone(default)
    return item


def _immutable_category(existing: dict[str, Any], body: dict[str, Any]) -> categories.Category:
    code = body.get("displayCategoryCode")
    if not blank(code) and str(code) != str(existing["displayCategoryCode"]):
        raise error(CATEGORY_FIXED)
    leaf = categories.find(existing["displayCategoryCode"])
    assert leaf is not None
    return leaf


# ---------------------------------------------------------------- create / update / lifecycle
