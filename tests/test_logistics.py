"""Outbound shipping places and return centers through the HTTP API (logistics.yaml)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_products_support import (
    DROP,
    OUTBOUND_V2,
    RETURN_BY_CODE,
    Seller,
    outbound_body,
    return_body,
    with_changes,
)


@pytest.fixture
def seller(server: Any, client: Any) -> Seller:
    return Seller(server.base_url, client)


A0 = "placeAddresses.0"

# ---------------------------------------------------------------- outbound shipping places


def test_create_outbound_then_find_it_by_code_name_and_page(seller: Seller) -> None:
    code = seller.outbound()
    assert 1_000_000_000 <= code < 10_000_000_000  # a per-vendor 6-digit prefix, then a sequence
    by_code = seller.ok("GET", OUTBOUND_V2, placeCodes=code)
    assert set(by_code) == {"content", "pagination"}  # bare page, no code/message wrapper
    place = by_code["content"][0]
    assert place["outboundShippingPlaceCode"] == code
    assert place["shippingPlaceName"] == "강남 물류센터 출고지"
    assert place["createDate"] == "2026/03/02"
    assert place["remoteInfos"][0]["deliveryCode"] == "CJGLS" and place["remoteInfos"][0]["usable"] is True
    assert seller.ok("GET", OUTBOUND_V2, placeNames="강남 물류센터 출고지")["content"][0] == place
    assert seller.ok("GET", OUTBOUND_V2, pageNum=1, pageSize=10)["pagination"] == {
        "currentPage": 1,
        "countPerPage": 10,
        "totalPages": 1,
        "totalElements": 1,
    }


def test_outbound_list_needs_a_selector(seller: Seller) -> None:
    answer = seller.call("GET", OUTBOUND_V2)
    assert answer.status == 400
    assert answer.message == "(pageNum & pageSize) or placeCodes or placeNames must be provided to call this API"


def test_v4_paths_create_and_list_in_the_legacy_envelope(seller: Seller) -> None:
    created = seller.ok("POST", f"{seller.v4}/outboundShippingCenters", outbound_body(seller.vendor_id))
    code = int(created["data"]["resultMessage"])
    listed = seller.ok("GET", f"{seller.v4}/outboundShippingCenters", searchType="FULL", vendorId=seller.vendor_id)
    assert listed["code"] == "200" and listed["data"]["content"][0]["outboundShippingPlaceCode"] == code
    by_code = seller.ok(
        "GET",
        f"{seller.v4}/outboundShippingCenters",
        searchType="OSPC",
        vendorId=seller.vendor_id,
        outboundShippingPlaceCodes=code,
    )
    assert [p["outboundShippingPlaceCode"] for p in by_code["data"]["content"]] == [code]


def test_paging_outbound_places_returns_each_once(seller: Seller) -> None:
    codes = [
        seller.outbound(shippingPlaceName=f"출고지 {i}", **{f"{A0}.returnAddressDetail": f"{i}층"}) for i in range(7)
    ]
    seen = []
    for page in (1, 2, 3):
        seen += [
            p["outboundShippingPlaceCode"] for p in seller.ok("GET", OUTBOUND_V2, pageNum=page, pageSize=3)["content"]
        ]
    assert sorted(seen) == sorted(codes)


OUTBOUND_ERRORS = [
    ({f"{A0}.returnZipCode": DROP}, 400, "Post code can't be empty"),
    ({f"{A0}.returnZipCode": "06a36"}, 400, "The format of postal code is invalid, it can only be number"),
    (
        {f"{A0}.returnZipCode": "0623"},
        400,
        "The format of postal code is invalid, it can only be number, min length is 5 and max length is 6",
    ),
    ({f"{A0}.companyContactNumber": DROP}, 400, "Must input the default phone number(phoneNumber1)"),
    (
        {f"{A0}.companyContactNumber": "02-12-34"},
        400,
        "Please input the correct phone number format including numbers and '-' (min 9, max 13)",
    ),
    (
        {f"{A0}.phoneNumber2": "010-1234-56789"},
        400,
        "Please input the correct phone number format including numbers and '-' (min 9, max 13)",
    ),
    ({f"{A0}.returnAddress": DROP}, 400, "Must input the default address(address1)"),
    (
        {f"{A0}.countryCode": "KOR"},
        400,
        "The length of country code is 2, please input correct length country code",
    ),
    ({"placeAddresses": DROP}, 400, "The address detail info can't be null(placeAddress)"),
    ({"placeAddresses": []}, 400, "The address detail info can't be null(placeAddress)"),
    ({"userId": DROP}, 400, "params are not allowed null..."),
    ({"shippingPlaceName": DROP}, 400, "params are not allowed null..."),
    (
        {"shippingPlaceName": "가" * 51},
        400,
        "The max length of the shipping place name is 50, please input the correct length name",
    ),
    ({"remoteInfos.0.jeju": 900}, 400, "배송비는 0원, 1000원 이상 20000원 이하만 가능합니다."),
    ({"remoteInfos.0.notJeju": 20100}, 400, "배송비는 0원, 1000원 이상 20000원 이하만 가능합니다."),
    ({"remoteInfos.0.jeju": 3050}, 400, "배송비는 0원, 1000원 이상 20000원 이하만 가능합니다."),
    (
        {"remoteInfos": [{"deliveryCode": "EPOST", "jeju": 500, "notJeju": 0}]},
        400,
        "배송비는 0원, 100원 이상 400원 이하만 가능합니다.",
    ),
    ({"remoteInfos.0.deliveryCode": "NOPE"}, 500, "Internal Exception"),
    ({"remoteInfos.0.deliveryCode": "KOREX"}, 500, "Internal Exception"),  # merged courier
    # the outbound service's own words for a body vendor other than the key's (logistics.yaml)
    ({"vendorId": "A99999999"}, 400, "params's vendorId not equals gateway's vendorId!"),
    # texts of the mock's own (x-inferred: Coupang documents none)
    (
        {f"{A0}.returnAddress": "가" * 151},
        400,
        "The max length of the address is 150, please input the correct length address",
    ),
    (
        {f"{A0}.returnAddressDetail": "가" * 201},
        400,
        "The max length of the address detail is 200, please input the correct length address detail",
    ),
    ({f"{A0}.addressType": "OVERSEA"}, 400, "OVERSEA address is only allowed for a global(overseas) shipping place"),
    (
        {"remoteInfos": [{"deliveryCode": "CJGLS", "jeju": 3000, "notJeju": 3000}] * 2},
        400,
        "The deliveryCode is registered more than once: CJGLS",
    ),
]


@pytest.mark.parametrize(("changes", "status", "message"), OUTBOUND_ERRORS)
def test_outbound_create_refusals_are_verbatim_and_store_nothing(
    seller: Seller, changes: dict[str, Any], status: int, message: str
) -> None:
    answer = seller.call("POST", f"{seller.v5}/outboundShippingCenters", outbound_body(seller.vendor_id, **changes))
    assert (answer.status, answer.message) == (status, message)
    assert seller.outbound_count() == 0


def test_a_long_address_is_fine_up_to_the_limits(seller: Seller) -> None:
    seller.outbound(**{f"{A0}.returnAddress": "가" * 150, f"{A0}.returnAddressDetail": "나" * 200})
    assert seller.outbound_count() == 1


OUTBOUND_UPDATE_ERRORS = [
    ({"vendorId": "A99999999"}, "params's vendorId not equals gateway's vendorId!"),
    (
        {f"{A0}.returnAddress": "가" * 151},
        "The max length of the address is 150, please input the correct length address",
    ),
    ({f"{A0}.addressType": "OVERSEA"}, "OVERSEA address is only allowed for a global(overseas) shipping place"),
    (
        {"remoteInfos": [{"deliveryCode": "CJGLS", "jeju": 1000, "notJeju": 1000}]},  # a second CJGLS row
        "The deliveryCode is registered more than once: CJGLS",
    ),
]


@pytest.mark.parametrize("version", ["v5", "v4"])
@pytest.mark.parametrize(("changes", "message"), OUTBOUND_UPDATE_ERRORS)
def test_outbound_update_refusals_change_nothing(
    seller: Seller, version: str, changes: dict[str, Any], message: str
) -> None:
    code = seller.outbound()
    before = seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"]
    body = outbound_body(seller.vendor_id, outboundShippingPlaceCode=code, shippingPlaceName="바뀌면 안됨", **changes)
    base = seller.v5 if version == "v5" else seller.v4
    answer = seller.call("PUT", f"{base}/outboundShippingCenters/{code}", body)
    assert (answer.status, answer.message) == (400, message)
    assert seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"] == before


def test_v4_outbound_create_words_the_vendor_mismatch_like_v5(seller: Seller) -> None:
    body = outbound_body(seller.vendor_id, vendorId="A99999999")
    answer = seller.call("POST", f"{seller.v4}/outboundShippingCenters", body)
    assert (answer.status, answer.message) == (400, "params's vendorId not equals gateway's vendorId!")
    assert seller.outbound_count() == 0


@pytest.mark.parametrize(
    ("jeju", "courier"), [(0, "CJGLS"), (1000, "HANJIN"), (20000, "KGB"), (100, "EPOST"), (400, "EPOST"), (0, "EPOST")]
)
def test_remote_fee_limits_accept_the_documented_range(seller: Seller, jeju: int, courier: str) -> None:
    seller.outbound(remoteInfos=[{"deliveryCode": courier, "jeju": jeju, "notJeju": jeju}])


def test_same_address_or_same_name_is_a_duplicate(seller: Seller) -> None:
    code = seller.outbound()
    same_address = seller.call(
        "POST", f"{seller.v5}/outboundShippingCenters", outbound_body(seller.vendor_id, shippingPlaceName="다른 이름")
    )
    assert same_address.status == 400
    assert same_address.message == f"[출고지중복] 이미 등록된 주소지명이 있습니다 (중복 주소지 코드:{code})"
    same_name = seller.call(
        "POST",
        f"{seller.v5}/outboundShippingCenters",
        outbound_body(seller.vendor_id, **{f"{A0}.returnAddressDetail": "3층"}),
    )
    assert same_name.status == 400
    assert same_name.message == "[출고지중복] Duplicated request. name:강남 물류센터 출고지"
    assert seller.outbound_count() == 1


def test_roadname_needs_a_jibun_entry(seller: Seller) -> None:
    road = {**outbound_body(seller.vendor_id)["placeAddresses"][0], "addressType": "ROADNAME"}
    alone = seller.call(
        "POST", f"{seller.v5}/outboundShippingCenters", outbound_body(seller.vendor_id, placeAddresses=[road])
    )
    assert (alone.status, alone.message) == (400, "ROADNAME address must be registered together with a JIBUN address")
    assert seller.outbound_count() == 0
    both = [road, {**road, "addressType": "JIBUN", "returnAddress": "서울특별시 강남구 역삼동 823-1"}]
    seller.outbound(placeAddresses=both)


def test_update_outbound_changes_name_and_remote_rows(seller: Seller) -> None:
    code = seller.outbound()
    row_id = seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"][0]["remoteInfos"][0]["remoteInfoId"]
    body = outbound_body(
        seller.vendor_id,
        outboundShippingPlaceCode=code,
        shippingPlaceName="새 이름",
        remoteInfos=[
            {"remoteInfoId": row_id, "deliveryCode": "CJGLS", "jeju": 4000, "notJeju": 5000, "usable": True},
            {"deliveryCode": "EPOST", "jeju": 300, "notJeju": 400},
        ],
    )
    answer = seller.ok("PUT", f"{seller.v5}/outboundShippingCenters/{code}", body)
    assert answer["data"] == {"resultCode": "SUCCESS", "resultMessage": "Modify successfully"}
    place = seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"][0]
    assert place["shippingPlaceName"] == "새 이름"
    assert {(r["deliveryCode"], r["jeju"]) for r in place["remoteInfos"]} == {("CJGLS", 4000), ("EPOST", 300)}
    body["remoteInfos"] = [{"remoteInfoId": row_id, "deliveryCode": "CJGLS", "jeju": 0, "notJeju": 0, "usable": False}]
    seller.ok("PUT", f"{seller.v5}/outboundShippingCenters/{code}", body)
    rows = seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"][0]["remoteInfos"]
    assert [r["deliveryCode"] for r in rows] == ["EPOST"]


@pytest.mark.parametrize("body_code_offset", [1, None])
def test_update_outbound_with_wrong_code_does_not_match(seller: Seller, body_code_offset: int | None) -> None:
    code = seller.outbound()
    path_code = code if body_code_offset else code + 99
    body = outbound_body(seller.vendor_id, shippingPlaceName="바뀌면 안됨")
    body["outboundShippingPlaceCode"] = code + (body_code_offset or 0)
    answer = seller.call("PUT", f"{seller.v5}/outboundShippingCenters/{path_code}", body)
    assert answer.status == 400 and answer.message == "The shippingPlaceId doesn't match~"
    assert seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"][0]["shippingPlaceName"] == "강남 물류센터 출고지"


# ---------------------------------------------------------------- return centers


def test_create_return_center_then_list_and_get_by_code(seller: Seller) -> None:
    code = seller.return_center()
    assert len(str(code)) == 10
    listed = seller.ok("GET", f"{seller.v5}/returnShippingCenters")
    assert listed["code"] == 200 and listed["message"] == "SUCCESS"
    center = listed["data"]["content"][0]
    assert center["returnCenterCode"] == str(code)
    assert center["deliverName"] == "CJ대한통운" and center["goodsflowStatus"] == "승인"
    assert center["returnFee02kg"] == center["returnFee05kg"] == 3000
    assert center["createdAt"] == 1772413200000  # 2026-03-02T01:00Z in epoch millis
    by_code = seller.ok("GET", RETURN_BY_CODE, returnCenterCodes=f"{code},1100999999")
    assert by_code["data"] == [center]
    legacy = seller.ok(
        "GET", "/v2/providers/greatwall_api/apis/api/v2/return/shipping-places/center-code", returnCenterCodes=code
    )
    assert "returnFee02kg" not in legacy["data"][0] and legacy["data"][0]["returnFee05kg"] == 3000


def test_return_center_by_code_needs_codes(seller: Seller) -> None:
    answer = seller.call("GET", RETURN_BY_CODE, returnCenterCodes="")
    assert answer.status == 400 and answer.message == "center code should not be empty..."


def test_unverified_contract_registers_but_answers_500(seller: Seller) -> None:
    answer = seller.call(
        "POST",
        f"{seller.v5}/returnShippingCenters",
        return_body(seller.vendor_id, **{"goodsflowInfoOpenApiDto.contractNumber": "00000000"}),
    )
    assert answer.status == 500 and answer.message == "등록되었으나 계약확인에 실패하였습니다"
    center = seller.ok("GET", f"{seller.v5}/returnShippingCenters")["data"]["content"][0]
    assert center["goodsflowStatus"] == "승인불가"


RETURN_ERRORS = [
    ({"goodsflowInfoOpenApiDto.deliverCode": "EPOST"}, 500, "서버 에러 (알 수 없는 에러 / 신규 에러)"),
    (
        {f"{A0}.companyContactNumber": "1234"},
        400,
        "Please input the correct phone number format including numbers and '-' (min 9, max 13)",
    ),
    ({"userId": DROP}, 400, "params are not allowed null..."),
    # the return-center service's own words for a body vendor other than the key's (logistics.yaml)
    ({"vendorId": "A99999999"}, 400, "Invalid vendor ID"),
    # texts of the mock's own (x-inferred: Coupang documents none)
    ({"goodsflowInfoOpenApiDto.returnFee05kg": 0}, 400, "반품지 택배 계약 요금은 0원보다 커야 합니다."),
    ({"goodsflowInfoOpenApiDto.vendorCashFee20kg": -3000}, 400, "반품지 택배 계약 요금은 0원보다 커야 합니다."),
    ({"goodsflowInfoOpenApiDto.consumerCashFee10kg": 2500.5}, 400, "반품지 택배 계약 요금은 0원보다 커야 합니다."),
    (
        {"goodsflowInfoOpenApiDto.deliverCode": "KDEXP"},  # a courier, but not a Goodsflow one
        400,
        "반품 택배사는 HYUNDAI, KGB, EPOST, HANJIN, CJGLS, ILYANG 중에서만 선택 가능합니다.",
    ),
    (
        {f"{A0}.returnAddress": "가" * 151},
        400,
        "The max length of the address is 150, please input the correct length address",
    ),
    (
        {f"{A0}.returnAddressDetail": "가" * 201},
        400,
        "The max length of the address detail is 200, please input the correct length address detail",
    ),
]


@pytest.mark.parametrize(("changes", "status", "message"), RETURN_ERRORS)
def test_return_center_refusals_store_nothing(
    seller: Seller, changes: dict[str, Any], status: int, message: str
) -> None:
    answer = seller.call("POST", f"{seller.v5}/returnShippingCenters", return_body(seller.vendor_id, **changes))
    assert (answer.status, answer.message) == (status, message)
    assert seller.return_count() == 0


def test_v4_return_create_words_the_vendor_mismatch_like_v5(seller: Seller) -> None:
    body = return_body(seller.vendor_id, vendorId="A99999999")
    answer = seller.call("POST", f"{seller.v4}/returnShippingCenters", body)
    assert (answer.status, answer.message) == (400, "Invalid vendor ID")
    assert seller.return_count() == 0


RETURN_UPDATE_ERRORS = [
    (
        {"goodsflowInfoOpenApiDto.deliverCode": "HANJIN"},
        "반품지의 택배사 및 계약 정보는 변경할 수 없습니다. 새 반품지를 생성해 주세요.",
    ),
    (
        {"goodsflowInfoOpenApiDto.contractNumber": "87654321"},
        "반품지의 택배사 및 계약 정보는 변경할 수 없습니다. 새 반품지를 생성해 주세요.",
    ),
    ({"goodsflowInfoOpenApiDto.returnFee10kg": 0}, "반품지 택배 계약 요금은 0원보다 커야 합니다."),
    (
        {f"{A0}.returnAddressDetail": "가" * 201},
        "The max length of the address detail is 200, please input the correct length address detail",
    ),
    # the reference names no own text for the update: the gateway's
    ({"vendorId": "A99999999"}, "The vendorId in path or requestBody doesn't match the one got from api-gateway."),
]


@pytest.mark.parametrize(("changes", "message"), RETURN_UPDATE_ERRORS)
def test_return_center_update_refusals_change_nothing(seller: Seller, changes: dict[str, Any], message: str) -> None:
    code = seller.return_center()
    before = seller.ok("GET", RETURN_BY_CODE, returnCenterCodes=code)["data"]
    body = return_body(
        seller.vendor_id,
        returnCenterCode=code,
        shippingPlaceName="바뀌면 안됨",
        **{"goodsflowInfoOpenApiDto.returnFee05kg": 3500, **changes},
    )
    answer = seller.call("PUT", f"{seller.v5}/returnShippingCenters/{code}", body)
    assert (answer.status, answer.message) == (400, message)
    assert seller.ok("GET", RETURN_BY_CODE, returnCenterCodes=code)["data"] == before


def test_return_center_duplicates(seller: Seller) -> None:
    seller.return_center()
    same = seller.call("POST", f"{seller.v5}/returnShippingCenters", return_body(seller.vendor_id))
    assert same.status == 400 and same.message == "등록된 서비스 신청 정보가 있습니다"
    moved = return_body(seller.vendor_id, **{f"{A0}.returnAddressDetail": "지하 2층"})
    same_name = seller.call("POST", f"{seller.v5}/returnShippingCenters", moved)
    assert same_name.status == 400 and same_name.message == "[출고지중복] Duplicated request. name: 강남 반품센터"
    seller.return_center(shippingPlaceName="두번째 반품센터")
    assert seller.return_count() == 2


def test_update_return_center_fees_and_refusals(seller: Seller) -> None:
    code = seller.return_center()
    other = seller.return_center(shippingPlaceName="두번째 반품센터")
    body = return_body(seller.vendor_id, returnCenterCode=code, **{"goodsflowInfoOpenApiDto.returnFee05kg": 3500})
    assert (
        seller.ok("PUT", f"{seller.v5}/returnShippingCenters/{code}", body)["data"]["resultMessage"]
        == "Modify successfully"
    )
    found = seller.ok("GET", RETURN_BY_CODE, returnCenterCodes=code)["data"][0]
    assert found["returnFee05kg"] == 3500 and found["returnFee02kg"] == 3500
    mismatch = seller.call("PUT", f"{seller.v5}/returnShippingCenters/{other}", body)
    assert mismatch.status == 400 and mismatch.message == "The shippingPlaceId doesn't match~"
    taken = with_changes(body, {"shippingPlaceName": "두번째 반품센터"})
    clash = seller.call("PUT", f"{seller.v5}/returnShippingCenters/{code}", taken)
    assert clash.status == 400 and clash.message == f"이미 등록된 주소지명이 있습니다 (중복 주소지 코드:{other})"
    assert seller.ok("GET", RETURN_BY_CODE, returnCenterCodes=code)["data"][0]["shippingPlaceName"] == "강남 반품센터"


# ---------------------------------------------------------------- codes are issued globally (issue 17)


def test_two_vendors_never_get_the_same_center_codes_or_product_ids(seller: Seller) -> None:
    mine = seller.control("POST", f"/vendors/{seller.vendor_id}/catalog/quick-product", {})
    other = seller.control("POST", "/vendors", {}).body["vendorId"]
    theirs = seller.control("POST", f"/vendors/{other}/catalog/quick-product", {})
    assert mine.status == theirs.status == 201
    for key in ("outboundShippingPlaceCode", "returnCenterCode", "sellerProductId"):
        assert mine.body[key] != theirs.body[key], key
    # each vendor still finds its own place by code, and not the other's
    code = theirs.body["outboundShippingPlaceCode"]
    assert seller.ok("GET", OUTBOUND_V2, placeCodes=code)["content"] == []
    assert seller.ok("GET", OUTBOUND_V2, placeCodes=mine.body["outboundShippingPlaceCode"])["content"]
