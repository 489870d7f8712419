"""Outbound shipping places (출고지) and return centers (반품지) of a vendor.

Store kinds (DEVELOPING.md → cross-domain contracts):
    outbound-centers  key outboundShippingPlaceCode
        outboundShippingPlaceCode, shippingPlaceName, usable, global, userId, createdAt (ISO UTC),
        placeAddresses[], remoteInfos[{remoteInfoId, deliveryCode, jeju, notJeju, usable}]
    return-centers    key returnCenterCode (numeric; rendered as a string like Coupang does)
        returnCenterCode, shippingPlaceName, usable, userId, createdAt, deliverCode, deliverName,
        contractNumber, contractCustomerNumber, goodsflowStatus, errorMessage, fee tiers, placeAddresses[]

Validation messages are Coupang's own (logistics.yaml → errors). Where Coupang documents no text
the message is marked x-inferred in the spec.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any

from ..errors import ApiError
from ..jsonio import clone
from ..store import Tx, declare_index
from . import query_paging, timefmt

OUTBOUND = "outbound-centers"
RETURN = "return-centers"
OUTBOUND_ADDRESSES = "outbound-center-addresses"
NO_RETURN_CENTER = "NO_RETURN_CENTERCODE"
# Goodsflow automatic pickup is contracted only with these couriers (logistics.yaml notes).
RETURN_COURIERS = ("HYUNDAI", "KGB", "EPOST", "HANJIN", "CJGLS", "ILYANG")
FEE_TIERS = ("05kg", "10kg", "20kg")
FEE_KINDS = ("vendorCreditFee", "vendorCashFee", "consumerCashFee", "returnFee")
SYSTEM_GOODSFLOW_OK = "승인"
SYSTEM_GOODSFLOW_FAIL = "승인불가"

# verbatim texts (logistics.yaml)
NULL_PARAMS = "params are not allowed null..."
NO_ADDRESSES = "The address detail info can't be null(placeAddress)"
NO_PHONE = "Must input the default phone number(phoneNumber1)"
BAD_PHONE = "Please input the correct phone number format including numbers and '-' (min 9, max 13)"
NO_ZIP = "Post code can't be empty"
ZIP_NOT_DIGITS = "The format of postal code is invalid, it can only be number"
ZIP_LENGTH = "The format of postal code is invalid, it can only be number, min length is 5 and max length is 6"
NO_ADDRESS = "Must input the default address(address1)"
COUNTRY_LENGTH = "The length of country code is 2, please input correct length country code"
NAME_TOO_LONG = "The max length of the shipping place name is 50, please input the correct length name"
FEE_RANGE = "배송비는 0원, 1000원 이상 20000원 이하만 가능합니다."
FEE_RANGE_EPOST = "배송비는 0원, 100원 이상 400원 이하만 가능합니다."
CODE_MISMATCH = "The shippingPlaceId doesn't match~"
NO_SELECTOR = "(pageNum & pageSize) or placeCodes or placeNames must be provided to call this API"
NO_CENTER_CODES = "center code should not be empty..."
RETURN_DUPLICATE = "등록된 서비스 신청 정보가 있습니다"
CONTRACT_FAILED = "등록되었으나 계약확인에 실패하였습니다"
EPOST_CUSTOMER = "서버 에러 (알 수 없는 에러 / 신규 에러)"
# x-inferred texts: Coupang documents no message for these refusals
ADDRESS_TOO_LONG = "The max length of the address is 150, please input the correct length address"
DETAIL_TOO_LONG = "The max length of the address detail is 200, please input the correct length address detail"
ROADNAME_NEEDS_JIBUN = "ROADNAME address must be registered together with a JIBUN address"
OVERSEA_ONLY_GLOBAL = "OVERSEA address is only allowed for a global(overseas) shipping place"
# Coupang answers wrong codes with its generic 500 (common.yaml → status codes; spec x-inferred)
BAD_COURIER = "Internal Exception"
DUPLICATE_COURIER = "The deliveryCode is registered more than once: {code}"
BAD_RETURN_COURIER = "반품 택배사는 HYUNDAI, KGB, EPOST, HANJIN, CJGLS, ILYANG 중에서만 선택 가능합니다."
BAD_FEE = "반품지 택배 계약 요금은 0원보다 커야 합니다."
COURIER_FIXED = "반품지의 택배사 및 계약 정보는 변경할 수 없습니다. 새 반품지를 생성해 주세요."

# Coupang issues center codes globally: a per-vendor prefix (ids.py) keeps two vendors' codes apart.
CODE_DIGITS = 10
PHONE_RE = re.compile(r"^\d{2,4}-?\d{3,4}-?\d{4}$")
IdSource = Callable[[str, int], int]


def _usable(center: dict[str, Any]) -> bool:
    return bool(center.get("usable", True))


# Lists run by code; uniqueness checks look names (and outbound addresses, via links) up.
declare_index(OUTBOUND, "byCode", lambda c: (c["outboundShippingPlaceCode"],))
declare_index(OUTBOUND, "byName", lambda c: (c["shippingPlaceName"], c["outboundShippingPlaceCode"]))
declare_index(
    OUTBOUND, "domesticUsable", lambda c: (c["outboundShippingPlaceCode"],) if _usable(c) and not c["global"] else None
)
query_paging.declare_links(OUTBOUND_ADDRESSES)
declare_index(RETURN, "byCode", lambda c: (c["returnCenterCode"],))
declare_index(RETURN, "byName", lambda c: (c["shippingPlaceName"], c["returnCenterCode"]))
declare_index(RETURN, "usable", lambda c: (c["returnCenterCode"],) if _usable(c) else None)


def _bad(message: str, status: int = 400) -> ApiError:
    return ApiError(status, message)


# ---------------------------------------------------------------- couriers


@functools.cache
def couriers() -> dict[str, dict[str, Any]]:
    """The courier code table shipped as package data (shared with the orders domain)."""
    text = resources.files("coupang_mock.server.data").joinpath("couriers.json").read_text(encoding="utf-8")
    return {entry["code"]: entry for entry in json.loads(text)["couriers"]}


def courier_usable(code: Any) -> bool:
    entry = couriers().get(code) if isinstance(code, str) else None
    return bool(entry) and not entry.get("discontinued")


def courier_name(code: str) -> str:
    return couriers().get(code, {}).get("name", code)


# ---------------------------------------------------------------- shared field rules


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_phone(value: Any, required: bool) -> None:
    if _blank(value):
        if required:
            raise _bad(NO_PHONE)
        return
    if not isinstance(value, str) or not 9 <= len(value) <= 13 or not PHONE_RE.match(value):
        raise _bad(BAD_PHONE)


def check_zip(value: Any) -> None:
    if _blank(value):
        raise _bad(NO_ZIP)
    text = str(value)
    if not text.isdigit():
        raise _bad(ZIP_NOT_DIGITS)
    if not 5 <= len(text) <= 6:
        raise _bad(ZIP_LENGTH)


def check_addresses(addresses: Any, *, allow_oversea: bool, country_required: bool) -> list[dict[str, Any]]:
    """placeAddresses of either center kind; returns the normalised list."""
    if not isinstance(addresses, list) or not addresses:
        raise _bad(NO_ADDRESSES)
    normalised = []
    for address in addresses:
        if not isinstance(address, dict):
            raise _bad(NO_ADDRESSES)
        kind = address.get("addressType")
        if kind not in ("JIBUN", "ROADNAME", "OVERSEA"):
            raise _bad(NULL_PARAMS)
        if kind == "OVERSEA" and not allow_oversea:
            raise _bad(OVERSEA_ONLY_GLOBAL)
        country = address.get("countryCode")
        if _blank(country):
            if country_required:
                raise _bad(NULL_PARAMS)
            country = "KR"
        if len(str(country)) != 2:
            raise _bad(COUNTRY_LENGTH)
        check_phone(address.get("companyContactNumber"), required=True)
        check_phone(address.get("phoneNumber2"), required=False)
        check_zip(address.get("returnZipCode"))
        if _blank(address.get("returnAddress")):
            raise _bad(NO_ADDRESS)
        if len(address["returnAddress"]) > 150:
            raise _bad(ADDRESS_TOO_LONG)
        detail = address.get("returnAddressDetail") or ""
        if len(detail) > 200:
            raise _bad(DETAIL_TOO_LONG)
        normalised.append(
            {
                "addressType": kind,
                "countryCode": str(country),
                "companyContactNumber": address["companyContactNumber"],
                "phoneNumber2": address.get("phoneNumber2") or "",
                "returnZipCode": str(address["returnZipCode"]),
                "returnAddress": address["returnAddress"],
                "returnAddressDetail": detail,
            }
        )
    kinds = {a["addressType"] for a in normalised}
    if "ROADNAME" in kinds and "JIBUN" not in kinds:
        raise _bad(ROADNAME_NEEDS_JIBUN)
    return normalised


def _address_keys(addresses: list[dict[str, Any]]) -> set[str]:
    # a trailing space in the detail makes a different address (logistics.yaml → return center rules)
    return {json.dumps([a["returnAddress"], a["returnAddressDetail"]], ensure_ascii=False) for a in addresses}


def check_remote_fee(code: str, fee: Any) -> int:
    """0, or 1,000-20,000 (EPOST 100-400), in 100-won steps (catalogue validator limits)."""
    low, high, message = (100, 400, FEE_RANGE_EPOST) if code == "EPOST" else (1000, 20000, FEE_RANGE)
    if isinstance(fee, bool) or not isinstance(fee, int | float) or fee != int(fee):
        raise _bad(message)
    value = int(fee)
    if value != 0 and (not low <= value <= high or value % 100):
        raise _bad(message)
    return value


def _check_name(name: Any, required: bool) -> str | None:
    if _blank(name):
        if required:
            raise _bad(NULL_PARAMS)
        return None
    if len(name) > 50:
        raise _bad(NAME_TOO_LONG)
    return str(name)


def _require(body: dict[str, Any], *names: str) -> None:
    if any(_blank(body.get(name)) for name in names):
        raise _bad(NULL_PARAMS)


# ---------------------------------------------------------------- outbound shipping places


def first_domestic_outbound(tx: Tx) -> dict[str, Any] | None:
    """The vendor's usable non-global outbound place with the lowest code, if any."""
    found = tx.find(OUTBOUND, "domesticUsable", limit=1)
    return found[0] if found else None


def _save_outbound(tx: Tx, center: dict[str, Any], before: dict[str, Any] | None) -> None:
    code = center["outboundShippingPlaceCode"]
    old = _address_keys(before["placeAddresses"]) if before else set()
    query_paging.sync_links(tx, OUTBOUND_ADDRESSES, code, old, _address_keys(center["placeAddresses"]))
    tx.put(OUTBOUND, code, center)


def get_outbound(tx: Tx, code: Any) -> dict[str, Any] | None:
    try:
        return tx.get(OUTBOUND, int(code))
    except (TypeError, ValueError):
        return None


def usable_outbound(tx: Tx, code: Any) -> dict[str, Any] | None:
    """For products: the vendor's outbound place if it exists and is usable (stores are per vendor)."""
    center = get_outbound(tx, code)
    return center if center and center.get("usable", True) else None


def _remote_infos(
    rows: Any, existing: list[dict[str, Any]], new_id: Callable[[], int], *, updating: bool
) -> list[dict[str, Any]]:
    """Remote-area fee rows: on update, a remoteInfoId modifies (usable=true) or deletes (usable=false)."""
    if rows is None:
        return existing
    if not isinstance(rows, list):
        raise _bad(NULL_PARAMS)
    by_id = {row["remoteInfoId"]: row for row in existing}
    result = dict(by_id) if updating else {}
    for row in rows:
        if not isinstance(row, dict):
            raise _bad(NULL_PARAMS)
        code = row.get("deliveryCode")
        if not courier_usable(code):
            raise _bad(BAD_COURIER, 500)
        jeju = check_remote_fee(code, row.get("jeju"))
        not_jeju = check_remote_fee(code, row.get("notJeju"))
        row_id = row.get("remoteInfoId") if updating else None
        if row_id is not None:
            if row_id not in by_id:
                raise _bad(CODE_MISMATCH)
            if row.get("usable") is False:
                result.pop(row_id, None)
                continue
        else:
            row_id = new_id()
        result[row_id] = {
            "remoteInfoId": row_id,
            "deliveryCode": code,
            "jeju": jeju,
            "notJeju": not_jeju,
            "usable": True,
        }
    codes = [row["deliveryCode"] for row in result.values()]
    for code in codes:
        if codes.count(code) > 1:
            raise _bad(DUPLICATE_COURIER.format(code=code))
    return list(result.values())


def _other_usable(tx: Tx, kind: str, codes: list[int], own_code: int | None) -> list[dict[str, Any]]:
    centers = (tx.get(kind, code) for code in codes if code != own_code)
    return [c for c in centers if c is not None and _usable(c)]


def _check_outbound_unique(tx: Tx, name: str, addresses: list[dict[str, Any]], own_code: int | None) -> None:
    sharing = {code for key in _address_keys(addresses) for code in query_paging.linked(tx, OUTBOUND_ADDRESSES, key)}
    clash = _other_usable(tx, OUTBOUND, sorted(sharing), own_code)
    if clash:
        raise _bad(
            f"[출고지중복] 이미 등록된 주소지명이 있습니다 (중복 주소지 코드:{clash[0]['outboundShippingPlaceCode']})"
        )
    named = [c["outboundShippingPlaceCode"] for c in tx.find(OUTBOUND, "byName", prefix=(name,))]
    if _other_usable(tx, OUTBOUND, named, own_code):
        raise _bad(f"[출고지중복] Duplicated request. name:{name}")


def create_outbound(tx: Tx, body: dict[str, Any], now: datetime, ids: IdSource) -> dict[str, Any]:
    _require(body, "vendorId", "userId")
    name = _check_name(body.get("shippingPlaceName"), required=True)
    assert name is not None
    is_global = bool(body.get("global", False))
    addresses = check_addresses(body.get("placeAddresses"), allow_oversea=is_global, country_required=True)
    remote = _remote_infos(body.get("remoteInfos"), [], lambda: ids("remote-info", 6), updating=False)
    _check_outbound_unique(tx, name, addresses, None)
    code = ids("outbound-center", CODE_DIGITS)
    center = {
        "outboundShippingPlaceCode": code,
        "shippingPlaceName": name,
        "usable": body.get("usable", True) is not False,
        "global": is_global,
        "userId": body["userId"],
        "createdAt": now.isoformat(),
        "placeAddresses": addresses,
        "remoteInfos": remote,
    }
    _save_outbound(tx, center, None)
    return center


def update_outbound(tx: Tx, path_code: int, body: dict[str, Any], ids: IdSource) -> dict[str, Any]:
    _require(body, "vendorId", "userId")
    body_code = body.get("outboundShippingPlaceCode")
    center = get_outbound(tx, path_code)
    before = clone(center)  # its address links are replaced on save
    if center is None or (body_code is not None and str(body_code) != str(path_code)):
        raise _bad(CODE_MISMATCH)
    # `global` is fixed after creation: a different value is ignored, not refused (spec x-inferred)
    name = _check_name(body.get("shippingPlaceName"), required=False) or center["shippingPlaceName"]
    addresses = check_addresses(body.get("placeAddresses"), allow_oversea=center["global"], country_required=True)
    remote = _remote_infos(body.get("remoteInfos"), center["remoteInfos"], lambda: ids("remote-info", 6), updating=True)
    _check_outbound_unique(tx, name, addresses, center["outboundShippingPlaceCode"])
    center.update(shippingPlaceName=name, placeAddresses=addresses, remoteInfos=remote, userId=body["userId"])
    if body.get("usable") is not None:
        center["usable"] = bool(body["usable"])
    _save_outbound(tx, center, before)
    return center


def render_outbound(center: dict[str, Any]) -> dict[str, Any]:
    created = timefmt.parse_iso(center["createdAt"])
    return {
        "outboundShippingPlaceCode": center["outboundShippingPlaceCode"],
        "shippingPlaceName": center["shippingPlaceName"],
        "createDate": timefmt.to_kst(created).strftime("%Y/%m/%d"),
        "usable": center["usable"],
        "placeAddresses": center["placeAddresses"],
        "remoteInfos": center["remoteInfos"],
    }


def query_outbound(
    tx: Tx, codes: list[Any] | None, names: list[str] | None, page: int | None, size: int | None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Look places up by code/name and/or list them page by page; at least one selector is required."""
    if codes or names:
        centers = _selected_outbound(tx, codes or [], names or [])
        if page is None or size is None:
            return centers, _pagination(1, max(len(centers), 1), len(centers))
        size, page = min(max(size, 1), 50), max(page, 1)
        return centers[(page - 1) * size : page * size], _pagination(page, size, len(centers))
    if page is None or size is None:
        raise _bad(NO_SELECTOR)
    return _page_by_code(tx, OUTBOUND, page, size)


def _selected_outbound(tx: Tx, codes: list[Any], names: list[str]) -> list[dict[str, Any]]:
    """The places named by code or by name, once each, by code."""
    chosen = {c["outboundShippingPlaceCode"]: c for c in (get_outbound(tx, code) for code in codes) if c}
    for name in names:
        chosen.update({c["outboundShippingPlaceCode"]: c for c in tx.find(OUTBOUND, "byName", prefix=(str(name),))})
    return [chosen[code] for code in sorted(chosen)]


def _page_by_code(tx: Tx, kind: str, page: int, size: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    size, page = min(max(size, 1), 50), max(page, 1)
    rows = tx.find(kind, "byCode", offset=(page - 1) * size, limit=size)
    return rows, _pagination(page, size, tx.count(kind, "byCode"))


def _pagination(page: int, size: int, total: int) -> dict[str, int]:
    return {"currentPage": page, "countPerPage": size, "totalPages": (total + size - 1) // size, "totalElements": total}


# ---------------------------------------------------------------- return centers


def first_usable_return(tx: Tx) -> dict[str, Any] | None:
    """The vendor's usable return center with the lowest code, if any."""
    found = tx.find(RETURN, "usable", limit=1)
    return found[0] if found else None


def get_return(tx: Tx, code: Any) -> dict[str, Any] | None:
    try:
        return tx.get(RETURN, int(str(code).strip()))
    except (TypeError, ValueError):
        return None


def usable_return(tx: Tx, code: Any) -> dict[str, Any] | None:
    center = get_return(tx, code)
    return center if center and center.get("usable", True) else None


def _fees(dto: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, int]:
    fees: dict[str, int] = {}
    for kind in FEE_KINDS:
        for tier in FEE_TIERS:
            key = f"{kind}{tier}"
            value = dto.get(key, existing.get(key) if existing else None)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise _bad(BAD_FEE if value is not None else NULL_PARAMS)
            fees[key] = int(value)
        # the 2kg tier appears only in responses; Coupang fills it from the contract (x-inferred: = 5kg)
        fees[f"{kind}02kg"] = fees[f"{kind}05kg"]
    return fees


def _check_return_unique(tx: Tx, name: str, addresses: list[dict[str, Any]], own_code: int | None) -> None:
    keys = _address_keys(addresses)
    for center in tx.find(RETURN, "byName", prefix=(name,)):
        if center["returnCenterCode"] == own_code or not _usable(center):
            continue
        if own_code is not None:
            raise _bad(f"이미 등록된 주소지명이 있습니다 (중복 주소지 코드:{center['returnCenterCode']})")
        if keys & _address_keys(center["placeAddresses"]):
            raise _bad(RETURN_DUPLICATE)
        raise _bad(f"[출고지중복] Duplicated request. name: {name}")


def contract_verified(contract_number: str) -> bool:
    """Goodsflow contract check, simulated: an all-zero contract code fails (spec x-inferred)."""
    return bool(contract_number.strip("0"))


def create_return(tx: Tx, body: dict[str, Any], now: datetime, ids: IdSource) -> dict[str, Any]:
    """The new center; goodsflowStatus 승인불가 when the contract does not verify (caller answers 500)."""
    _require(body, "vendorId", "userId")
    name = _check_name(body.get("shippingPlaceName"), required=True)
    assert name is not None
    dto = body.get("goodsflowInfoOpenApiDto")
    if not isinstance(dto, dict):
        raise _bad(NULL_PARAMS)
    deliver_code = dto.get("deliverCode")
    if deliver_code not in RETURN_COURIERS:
        raise _bad(BAD_RETURN_COURIER)
    contract = dto.get("contractNumber")
    if _blank(contract):
        raise _bad(NULL_PARAMS)
    if deliver_code == "EPOST" and _blank(dto.get("contractCustomerNumber")):
        raise _bad(EPOST_CUSTOMER, 500)
    fees = _fees(dto, None)
    addresses = check_addresses(body.get("placeAddresses"), allow_oversea=False, country_required=False)
    _check_return_unique(tx, name, addresses, None)
    verified = contract_verified(str(contract))
    code = ids("return-center", CODE_DIGITS)
    center = {
        "returnCenterCode": code,
        "shippingPlaceName": name,
        "usable": body.get("usable", True) is not False,
        "userId": body["userId"],
        "createdAt": now.isoformat(),
        "deliverCode": deliver_code,
        "deliverName": dto.get("deliverName") or courier_name(deliver_code),
        "contractNumber": str(contract),
        "contractCustomerNumber": dto.get("contractCustomerNumber") or "",
        "goodsflowStatus": SYSTEM_GOODSFLOW_OK if verified else SYSTEM_GOODSFLOW_FAIL,
        "errorMessage": "" if verified else CONTRACT_FAILED,
        "placeAddresses": addresses,
        **fees,
    }
    tx.put(RETURN, code, center)
    return center


def update_return(tx: Tx, path_code: int, body: dict[str, Any]) -> dict[str, Any]:
    _require(body, "vendorId", "userId", "returnCenterCode")
    center = get_return(tx, path_code)
    if center is None or str(body["returnCenterCode"]) != str(path_code):
        raise _bad(CODE_MISMATCH)
    dto = body.get("goodsflowInfoOpenApiDto") or body.get("goodsflowInfoDto") or {}
    if not isinstance(dto, dict):
        raise _bad(NULL_PARAMS)
    for key in ("deliverCode", "contractNumber", "contractCustomerNumber"):
        if not _blank(dto.get(key)) and str(dto[key]) != str(center.get(key) or ""):
            raise _bad(COURIER_FIXED)
    name = _check_name(body.get("shippingPlaceName"), required=False) or center["shippingPlaceName"]
    addresses = check_addresses(body.get("placeAddresses"), allow_oversea=False, country_required=False)
    fees = _fees(dto, center)
    _check_return_unique(tx, name, addresses, center["returnCenterCode"])
    center.update(shippingPlaceName=name, placeAddresses=addresses, userId=body["userId"], **fees)
    if body.get("usable") is not None:
        center["usable"] = bool(body["usable"])
    tx.put(RETURN, center["returnCenterCode"], center)
    return center


def render_return(center: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    fees = {f"{k}{t}": center[f"{k}{t}"] for t in ("02kg", *FEE_TIERS) for k in FEE_KINDS}
    return {
        "vendorId": vendor_id,
        "returnCenterCode": str(center["returnCenterCode"]),
        "shippingPlaceName": center["shippingPlaceName"],
        "deliverCode": center["deliverCode"],
        "deliverName": center["deliverName"],
        "goodsflowStatus": center["goodsflowStatus"],
        "errorMessage": center["errorMessage"],
        "createdAt": int(timefmt.parse_iso(center["createdAt"]).timestamp() * 1000),
        **fees,
        "usable": center["usable"],
        "placeAddresses": center["placeAddresses"],
    }


def list_returns(tx: Tx, page: int, size: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    return _page_by_code(tx, RETURN, page, size)


def returns_by_codes(tx: Tx, raw_codes: Any) -> list[dict[str, Any]]:
    parts = [str(p) for p in raw_codes] if isinstance(raw_codes, list) else str(raw_codes or "").split(",")
    codes = [p.strip() for p in parts if p and p.strip()]
    if not codes:
        raise _bad(NO_CENTER_CODES)
    found = (get_return(tx, code) for code in codes[:100])
    return [center for center in found if center is not None]
