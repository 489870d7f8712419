"""Option items (vendor-items) through the HTTP API: inventory, quantity, prices, sale status (every
edge of ITEM_MACHINE), auto-generated options, and the stock orders decrement."""

from __future__ import annotations

from typing import Any

import pytest

from coupang_mock.server.domains.products import ITEM_MACHINE
from coupang_mock.server.pytest_plugin import MockHandle
from tests.test_products_support import MARKET, PRODUCTS, VENDOR_ITEMS, Seller

DELETED = "삭제된 상품은 변경이 불가능합니다."
MONITORED = "판매재개에 실패했습니다. [옵션ID({id})은 쿠팡의 모니터링에 의해 '판매중지'된 상품입니다."


@pytest.fixture
def seller(coupang_mock: MockHandle, coupang_client: Any) -> Seller:
    return Seller(coupang_mock.base_url, coupang_client)


@pytest.fixture
def option(seller: Seller) -> int:
    """The first option of an approved two-option product: 10,000 won, 10 in stock."""
    return seller.quick({}, {})["vendorItemIds"][0]


def _inventory(seller: Seller, vendor_item_id: int) -> dict[str, Any]:
    return seller.ok("GET", f"{VENDOR_ITEMS}/{vendor_item_id}/inventories")["data"]


def _deleted_option(seller: Seller) -> int:
    quick = seller.quick({})
    vendor_item_id = quick["vendorItemIds"][0]
    seller.ok("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/sales/stop")
    seller.ok("DELETE", f"{PRODUCTS}/{quick['sellerProductId']}")
    return vendor_item_id


def test_inventory_of_an_approved_option(seller: Seller, option: int) -> None:
    answer = seller.ok("GET", f"{VENDOR_ITEMS}/{option}/inventories")
    assert answer == {
        "code": "SUCCESS",
        "message": "",
        "data": {"sellerItemId": option, "amountInStock": 10, "salePrice": 10000, "onSale": True},
    }


def test_inventory_of_unknown_or_deleted_options(seller: Seller) -> None:
    unknown = seller.call("GET", f"{VENDOR_ITEMS}/123/inventories")
    assert (unknown.status, unknown.message, unknown.body["code"]) == (
        400,
        "유효한 옵션이 없습니다:[vendorItemId=123]",
        "ERROR",
    )
    deleted = _deleted_option(seller)
    answer = seller.call("GET", f"{VENDOR_ITEMS}/{deleted}/inventories")
    assert answer.message == f"유효한 옵션이 없습니다:[vendorItemId={deleted}]"


GENERIC_ID = "Invalid parameter 'vendorItemId': must be integer"
MALFORMED_OPTION_IDS = [
    # the operations whose upstream words a malformed id itself (products.yaml → errors)
    ("inventory", "GET", "{id}/inventories", "유효하지 않은 ID가 입력되었습니다."),
    ("price", "PUT", "{id}/prices/12000", "유효하지 않은 ID입니다."),
    ("original price", "PUT", "{id}/original-prices/15000", "Invalid vendorItemId."),
    # the reference gives no text for these: the gateway's generic one
    ("quantity", "PUT", "{id}/quantities/5", GENERIC_ID),
    ("stop", "PUT", "{id}/sales/stop", GENERIC_ID),
    ("resume", "PUT", "{id}/sales/resume", GENERIC_ID),
    ("opt-in", "POST", "{id}/auto-generated/opt-in", GENERIC_ID),
    ("opt-out", "POST", "{id}/auto-generated/opt-out", GENERIC_ID),
]


@pytest.mark.parametrize("value", ["abc", "12ab", "1.5"])
@pytest.mark.parametrize(
    ("case", "method", "path", "message"), MALFORMED_OPTION_IDS, ids=[c[0] for c in MALFORMED_OPTION_IDS]
)
def test_malformed_option_ids_are_refused_per_operation(
    seller: Seller, option: int, case: str, method: str, path: str, message: str, value: str
) -> None:
    answer = seller.call(method, f"{VENDOR_ITEMS}/{path.format(id=value)}")
    assert (answer.status, answer.message) == (400, message), answer
    assert _inventory(seller, option) == {
        "sellerItemId": option,
        "amountInStock": 10,
        "salePrice": 10000,
        "onSale": True,
    }


def test_option_id_zero_is_an_unknown_option_not_a_malformed_one(seller: Seller) -> None:
    assert seller.call("GET", f"{VENDOR_ITEMS}/0/inventories").message == "유효한 옵션이 없습니다:[vendorItemId=0]"
    assert seller.call("PUT", f"{VENDOR_ITEMS}/0/original-prices/100").message == "Invalid vendorItemId."


# ---------------------------------------------------------------- quantity


@pytest.mark.parametrize("quantity", [0, 350, 99999])
def test_quantity_sets_the_stock(seller: Seller, option: int, quantity: int) -> None:
    answer = seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/quantities/{quantity}")
    assert answer == {"code": "SUCCESS", "message": "재고 변경을 완료했습니다.", "data": None}
    assert _inventory(seller, option)["amountInStock"] == quantity
    product = seller.ok("GET", f"{PRODUCTS}/{_product_of(seller, option)}")["data"]
    assert product["items"][0]["maximumBuyCount"] == quantity


def _product_of(seller: Seller, vendor_item_id: int) -> int:
    rows = seller.ok("GET", PRODUCTS, vendorId=seller.vendor_id, maxPerPage=100)["data"]
    for row in rows:
        items = seller.ok("GET", f"{PRODUCTS}/{row['sellerProductId']}")["data"]["items"]
        if any(item["vendorItemId"] == vendor_item_id for item in items):
            return row["sellerProductId"]
    raise AssertionError(f"no product has {vendor_item_id}")


QUANTITY_ERRORS = [
    ("too many", "OPTION", 100000, "유효하지 않은 재고수량입니다."),
    ("negative", "OPTION", -1, "유효하지 않은 재고수량입니다."),
    ("unknown", "123", 5, "재고변경에 실패했습니다. [vendoritemid 123 not found]"),
    ("deleted", "DELETED", 5, "재고변경에 실패했습니다. [옵션ID[{id}] : 삭제된 상품은 변경이 불가능합니다.]"),
]


def _target(seller: Seller, option: int, which: str) -> int:
    if which == "OPTION":
        return option
    return _deleted_option(seller) if which == "DELETED" else int(which)


@pytest.mark.parametrize(("case", "which", "quantity", "message"), QUANTITY_ERRORS, ids=[c[0] for c in QUANTITY_ERRORS])
def test_quantity_refusals(seller: Seller, option: int, case: str, which: str, quantity: int, message: str) -> None:
    target = _target(seller, option, which)
    answer = seller.call("PUT", f"{VENDOR_ITEMS}/{target}/quantities/{quantity}")
    assert (answer.status, answer.message, answer.body["code"]) == (400, message.format(id=target), "ERROR")
    assert _inventory(seller, option)["amountInStock"] == 10


# ---------------------------------------------------------------- sale price


@pytest.mark.parametrize(("price", "force"), [(5000, None), (20000, None), (12340, False), (4990, True), (99990, True)])
def test_price_within_the_band_or_forced(seller: Seller, option: int, price: int, force: bool | None) -> None:
    answer = seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/prices/{price}", forceSalePriceUpdate=force)
    assert answer == {"code": "SUCCESS", "message": "가격 변경을 완료했습니다.", "data": None}
    assert _inventory(seller, option)["salePrice"] == price


BAND = "판매가 변경이 불가능합니다. 변경전 판매가의 최대 50% 인하/최대 100%인상까지 변경가능합니다."
UNITS = "가격은 최소 10원 단위로 입력가능합니다. (1원단위 입력 불가)"
PRICE_ERRORS: list[tuple[str, str, int, dict[str, Any], str]] = [
    ("below band", "OPTION", 4990, {}, f"가격변경에 실패했습니다. [옵션ID[{{id}}] : {BAND}]"),
    ("above band", "OPTION", 20010, {}, f"가격변경에 실패했습니다. [옵션ID[{{id}}] : {BAND}]"),
    ("won units", "OPTION", 10005, {}, f"가격변경에 실패했습니다. [옵션ID[{{id}}]: {UNITS}]"),
    ("zero", "OPTION", 0, {"forceSalePriceUpdate": True}, f"가격변경에 실패했습니다. [옵션ID[{{id}}]: {UNITS}]"),
    ("unknown", "123", 10000, {}, "유효하지 않은 ID입니다."),
    ("deleted", "DELETED", 10000, {}, f"가격변경에 실패했습니다. [옵션ID[{{id}}] : {DELETED}]"),
    ("ap alone", "OPTION", 12000, {"apMinSalePrice": 9000}, "apMinSalePrice and apActive must be provided together"),
    ("ap active alone", "OPTION", 12000, {"apActive": True}, "apMinSalePrice and apActive must be provided together"),
    (
        "ap floor",
        "OPTION",
        12000,
        {"apMinSalePrice": 12000, "apActive": True},
        "apMinSalePrice must be less than price",
    ),
]


@pytest.mark.parametrize(("case", "which", "price", "query", "message"), PRICE_ERRORS, ids=[c[0] for c in PRICE_ERRORS])
def test_price_refusals(
    seller: Seller, option: int, case: str, which: str, price: int, query: dict[str, Any], message: str
) -> None:
    target = _target(seller, option, which)
    answer = seller.call("PUT", f"{VENDOR_ITEMS}/{target}/prices/{price}", **query)
    assert (answer.status, answer.message, answer.body["code"]) == (400, message.format(id=target), "ERROR")
    assert _inventory(seller, option)["salePrice"] == 10000


def test_automatic_pricing_is_shown_on_the_product(seller: Seller, option: int) -> None:
    seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/prices/12000", apMinSalePrice=9000, apActive=True)
    item = seller.ok("GET", f"{PRODUCTS}/{_product_of(seller, option)}")["data"]["items"][0]
    assert item["autoPricingInfoView"] == {"minSalePrice": 9000, "active": True} and item["salePrice"] == 12000


# ---------------------------------------------------------------- original price


def test_original_price(seller: Seller, option: int) -> None:
    answer = seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/original-prices/0")
    assert answer == {"code": "SUCCESS", "message": "할인율 기준가격이 변경되었습니다.", "data": None}
    seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/original-prices/25000")
    item = seller.ok("GET", f"{PRODUCTS}/{_product_of(seller, option)}")["data"]["items"][0]
    assert item["originalPrice"] == 25000


ORIGINAL_ERRORS = [
    ("won units", "OPTION", 12345, f"original price change failed. [옵션ID[{{id}}]: {UNITS}]"),
    ("unknown", "123", 10000, "Invalid vendorItemId."),
    ("deleted", "DELETED", 10000, f"original price change failed. [옵션ID[{{id}}] : {DELETED}]"),
]


@pytest.mark.parametrize(("case", "which", "price", "message"), ORIGINAL_ERRORS, ids=[c[0] for c in ORIGINAL_ERRORS])
def test_original_price_refusals(seller: Seller, option: int, case: str, which: str, price: int, message: str) -> None:
    target = _target(seller, option, which)
    answer = seller.call("PUT", f"{VENDOR_ITEMS}/{target}/original-prices/{price}")
    assert (answer.status, answer.message) == (400, message.format(id=target))


# ---------------------------------------------------------------- sale status: every ITEM_MACHINE pair


def _monitor(seller: Seller, vendor_item_id: int, stopped: bool) -> Any:
    path = f"/vendors/{seller.vendor_id}/vendor-items/{vendor_item_id}/monitoring"
    return seller.control("POST", path, {"stopped": stopped})


def _reach(seller: Seller, state: str) -> tuple[int, int]:
    quick = seller.quick({})
    vendor_item_id = quick["vendorItemIds"][0]
    if state in ("STOPPED", "DELETED"):
        seller.ok("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/sales/stop")
    if state == "SUSPENDED":
        assert _monitor(seller, vendor_item_id, True).status == 200
    if state == "DELETED":
        seller.ok("DELETE", f"{PRODUCTS}/{quick['sellerProductId']}")
    return quick["sellerProductId"], vendor_item_id


def _state(seller: Seller, vendor_item_id: int) -> str:
    """ON_SALE/STOPPED from the inventory API, SUSPENDED as the refusal of a resume, DELETED when gone."""
    answer = seller.call("GET", f"{VENDOR_ITEMS}/{vendor_item_id}/inventories")
    if answer.status != 200:
        return "DELETED"
    if answer.data["onSale"]:
        return "ON_SALE"
    probe = _monitor(seller, vendor_item_id, True)  # idempotent for SUSPENDED, a real move otherwise
    suspended = probe.status == 409
    if not suspended:
        _monitor(seller, vendor_item_id, False)  # undo: back to STOPPED
    return "SUSPENDED" if suspended else "STOPPED"


ITEM_EVENTS = ("STOP", "RESUME", "MONITOR_STOP", "MONITOR_RELEASE", "DELETE")
ITEM_PAIRS = [(s, e) for s in ITEM_MACHINE.states for e in ITEM_EVENTS]


def _trigger(seller: Seller, product_id: int, vendor_item_id: int, event: str) -> Any:
    if event == "STOP":
        return seller.call("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/sales/stop")
    if event == "RESUME":
        return seller.call("PUT", f"{VENDOR_ITEMS}/{vendor_item_id}/sales/resume")
    if event in ("MONITOR_STOP", "MONITOR_RELEASE"):
        return _monitor(seller, vendor_item_id, event == "MONITOR_STOP")
    return seller.call("DELETE", f"{PRODUCTS}/{product_id}")


def _item_refusal(state: str, event: str, product_id: int, vendor_item_id: int) -> tuple[int, str]:
    if event == "DELETE":  # the product cannot go while this option is on sale, nor twice
        return (
            400,
            f"업체상품[{product_id}]이 없거나 삭제가 불가능한 상태입니다. 삭제는 '저장중', '임시저장' 상태에서만 가능합니다.",
        )
    if state == "DELETED":
        if event.startswith("MONITOR"):
            return 404, f"vendorItemId {vendor_item_id} does not exist"
        action = {"STOP": "판매중지에 실패했습니다.", "RESUME": "판매재개에 실패했습니다."}[event]
        return 400, f"{action} [옵션ID[{vendor_item_id}] : {DELETED}]"
    if event == "RESUME":
        return 400, MONITORED.format(id=vendor_item_id)
    return 409, f"vendorItemId {vendor_item_id} is {state}"


def _legal(state: str, event: str) -> bool:
    # the product-level rule (every option stopped) keeps an on-sale option from being deleted
    return ITEM_MACHINE.can(state, event) and (state, event) != ("ON_SALE", "DELETE")


def test_item_pairs_cover_the_table() -> None:
    assert set(ITEM_MACHINE.table) <= set(ITEM_PAIRS)


@pytest.mark.parametrize(("state", "event"), ITEM_PAIRS, ids=[f"{s}-{e}" for s, e in ITEM_PAIRS])
def test_every_sale_status_move(seller: Seller, state: str, event: str) -> None:
    product_id, vendor_item_id = _reach(seller, state)
    assert _state(seller, vendor_item_id) == state
    answer = _trigger(seller, product_id, vendor_item_id, event)
    if _legal(state, event):
        assert answer.status == 200, answer
        assert _state(seller, vendor_item_id) == ITEM_MACHINE.table[(state, event)]
    else:
        assert (answer.status, answer.message) == _item_refusal(state, event, product_id, vendor_item_id)
        assert _state(seller, vendor_item_id) == state


def test_stop_and_resume_answers(seller: Seller, option: int) -> None:
    stop = seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/sales/stop")
    assert stop == {"code": "SUCCESS", "message": "판매 중지 처리되었습니다.", "data": None}
    resume = seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/sales/resume")
    assert resume == {"code": "SUCCESS", "message": "판매가 재개되었습니다.", "data": None}


@pytest.mark.parametrize(
    ("action", "path"), [("판매중지에 실패했습니다.", "stop"), ("판매재개에 실패했습니다.", "resume")]
)
def test_stop_resume_of_unknown_options(seller: Seller, action: str, path: str) -> None:
    answer = seller.call("PUT", f"{VENDOR_ITEMS}/123/sales/{path}")
    assert (answer.status, answer.message) == (400, f"{action} [vendoritemid 123 not found]")


# ---------------------------------------------------------------- auto-generated options


def _generate(seller: Seller, vendor_item_id: int, multiple: int = 2) -> Any:
    path = f"/vendors/{seller.vendor_id}/vendor-items/{vendor_item_id}/auto-generated"
    return seller.control("POST", path, {"multiple": multiple})


def test_auto_generated_option_follows_its_base_price(seller: Seller, option: int) -> None:
    generated = _generate(seller, option, 3)
    assert generated.status == 201 and generated.body["salePrice"] == 30000 and generated.body["quantity"] == 3
    new_id = generated.body["vendorItemId"]
    refused = seller.call("PUT", f"{VENDOR_ITEMS}/{new_id}/prices/31000")
    assert refused.message == (
        "자동생성옵션의 가격을 직접 수정할 수 없습니다. 기준 판매자옵션 가격으로 자동생성옵션 가격도 변경할 수 있습니다."
    )
    seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/prices/12000")
    assert _inventory(seller, new_id)["salePrice"] == 36000
    items = seller.ok("GET", f"{PRODUCTS}/{_product_of(seller, option)}")["data"]["items"]
    assert [i["isAutoGenerated"] for i in items] == ["false", "false", "true"]
    assert items[2]["vendorItemId"] == new_id and items[2]["salePrice"] == 36000


@pytest.mark.parametrize("level", ["item", "seller"])
def test_opt_out_stops_generation_and_opt_in_restores_it(seller: Seller, option: int, level: str) -> None:
    path = f"{VENDOR_ITEMS}/{option}/auto-generated" if level == "item" else f"{MARKET}/seller/auto-generated"
    assert seller.ok("POST", f"{path}/opt-out") == {"code": "SUCCESS", "message": "", "data": "success"}
    refused = _generate(seller, option)
    assert (refused.status, refused.message) == (
        409,
        f"auto-generated options are disabled for vendorItemId {option} (opt-out)",
    )
    assert seller.ok("POST", f"{path}/opt-in") == {"code": "SUCCESS", "message": "", "data": "success"}
    assert _generate(seller, option).status == 201


def test_opt_in_of_an_unknown_option_fails_in_the_body(seller: Seller) -> None:
    for action in ("opt-in", "opt-out"):
        answer = seller.call("POST", f"{VENDOR_ITEMS}/123/auto-generated/{action}")
        assert (answer.status, answer.body) == (
            200,
            {"code": "FAILED", "message": "유효하지 않은 ID입니다.", "data": None},
        )


def test_deleting_a_product_needs_its_generated_options_stopped_too(seller: Seller) -> None:
    quick = seller.quick({})
    base = quick["vendorItemIds"][0]
    generated = _generate(seller, base).body["vendorItemId"]
    seller.ok("PUT", f"{VENDOR_ITEMS}/{base}/sales/stop")
    assert seller.call("DELETE", f"{PRODUCTS}/{quick['sellerProductId']}").status == 400
    seller.ok("PUT", f"{VENDOR_ITEMS}/{generated}/sales/stop")
    seller.ok("DELETE", f"{PRODUCTS}/{quick['sellerProductId']}")
    assert seller.call("GET", f"{VENDOR_ITEMS}/{generated}/inventories").status == 400


# ---------------------------------------------------------------- stock is what orders take


def test_orders_decrement_the_stock_and_a_stopped_option_cannot_be_ordered(seller: Seller, option: int) -> None:
    order = seller.control(
        "POST", f"/vendors/{seller.vendor_id}/orders", {"items": [{"vendorItemId": option, "quantity": 3}]}
    )
    assert order.status in (200, 201), order
    assert _inventory(seller, option)["amountInStock"] == 7
    seller.ok("PUT", f"{VENDOR_ITEMS}/{option}/sales/stop")
    refused = seller.control(
        "POST", f"/vendors/{seller.vendor_id}/orders", {"items": [{"vendorItemId": option, "quantity": 1}]}
    )
    assert refused.status == 400 and _inventory(seller, option)["amountInStock"] == 7
