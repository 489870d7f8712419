"""Scenario files: every example loads, declared statuses are what the seller API reads, bad files
are refused with FILE:LINE: field: message and change nothing, POST /_mock/scenarios."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coupang_mock.client import CoupangClient, ValidationError
from coupang_mock.server import scenarios, snapshots
from coupang_mock.server.cli import main
from coupang_mock.server.core import MockServices
from coupang_mock.server.domains.products import STATUS_NAMES
from coupang_mock.server.errors import ApiError
from coupang_mock.server.scenario_actor import Actor
from coupang_mock.server.server import RunningServer

VENDOR = "A00012345"
CANCELED_READ = "해당 주문이 취소 또는 반품되었습니다."


def post_scenario(server: RunningServer, text: str = "", **params: str) -> requests.Response:
    return requests.post(f"{server.base_url}/_mock/scenarios", data=text.encode(), params=params, timeout=60)


def documents(services: MockServices, vendor_id: str = VENDOR) -> dict[str, Any]:
    return snapshots.export(services, vendor_id)["documents"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize("name", scenarios.example_names())
def test_every_example_loads_and_the_seller_api_reads_what_it_declares(
    name: str, server: RunningServer, client: CoupangClient
) -> None:
    response = post_scenario(server, example=name)
    assert response.status_code == 201, response.text
    (vendor,) = response.json()["vendors"]
    (declared,) = scenarios.parse(*scenarios.read_source(name)).data["vendors"]
    # a box whose goods all came back reads like a canceled one (orders.yaml notes)
    returned = {str(r["order"]) for r in declared.get("returns", []) if r.get("status") == "RETURNS_COMPLETED"}
    assert vendor["vendorId"] == VENDOR
    for product in vendor.get("products", {}).values():
        read = client.products.get(seller_product_id=product["sellerProductId"])
        assert read["statusName"] == STATUS_NAMES[product["status"]]
    for alias, order in vendor["orders"].items():
        for box_id in order["shipmentBoxIds"]:
            if order["status"] == "CANCELED" or alias in returned:
                with pytest.raises(ValidationError) as refused:
                    client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)
                assert refused.value.message == CANCELED_READ
            else:
                sheet = client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)
                assert sheet["status"] == order["status"]
    for receipt in vendor.get("returns", {}).values():
        (read,) = client.returns.get(receipt_id=receipt["receiptId"])
        assert read["receiptStatus"] == receipt["status"]


def test_examples_ship_with_the_package_and_in_the_repository() -> None:
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "examples"
    assert {"seller-day", "claims-backlog"} <= set(scenarios.example_names())
    assert sorted(p.stem for p in folder.glob("*.yaml")) == scenarios.example_names()
    text, source = scenarios.read_source("seller-day")
    assert source == "seller-day.yaml" and text == (folder / "seller-day.yaml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- declared statuses, one table per lifecycle

HEADER = """
clock: "2026-03-02T10:00:00+09:00"
vendors:
  - products:
      - {id: dear, name: 코트, price: 150000, stock: 20}
      - {id: cheap, name: 양말, price: 9000, stock: 20}
    orders:
      - {id: o1, items: [{product: dear}], status: FINAL_DELIVERY}
"""


@pytest.mark.parametrize("status", ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "CANCELED"])
def test_orders_reach_every_declared_status(status: str, services: MockServices) -> None:
    text = HEADER + f"      - {{id: o2, items: [{{product: cheap, quantity: 2}}], status: {status}}}\n"
    order = scenarios.run(services, text, "orders.yaml")["vendors"][0]["orders"]["o2"]
    assert order["status"] == status
    read = functools.partial(
        Actor(services, VENDOR).api, "getOrdersheetByShipmentboxid", path={"shipmentBoxId": order["shipmentBoxIds"][0]}
    )
    if status == "CANCELED":
        with pytest.raises(ApiError) as refused:
            read()
        assert refused.value.message == CANCELED_READ
    else:
        assert read()["data"]["status"] == status


@pytest.mark.parametrize(
    ("product", "status"),
    [
        ("dear", "RETURNS_UNCHECKED"),
        ("dear", "VENDOR_WAREHOUSE_CONFIRM"),
        ("dear", "RETURNS_COMPLETED"),  # confirm, then the seller approves
        ("cheap", "RETURNS_COMPLETED"),  # quick refund: the domain completes it on the way
        ("dear", "REQUEST_COUPANG_CHECK"),
        ("dear", "WITHDRAWN"),
    ],
)
def test_returns_reach_every_declared_status(product: str, status: str, services: MockServices) -> None:
    text = HEADER + (
        f"      - {{id: o2, items: [{{product: {product}}}], status: FINAL_DELIVERY}}\n"
        f"    returns:\n      - {{id: r, order: o2, reasonCode: DAMAGED, status: {status}}}\n"
    )
    receipt = scenarios.run(services, text, "returns.yaml")["vendors"][0]["returns"]["r"]
    assert receipt["status"] == status
    if status != "WITHDRAWN":  # withdrawn receipts leave the reads (withdrawal history only)
        (read,) = Actor(services, VENDOR).api("getReturnRequest", path={"receiptId": receipt["receiptId"]})["data"]
        assert read["receiptStatus"] == status


@pytest.mark.parametrize("status", ["RELEASE_STOP_UNCHECKED", "RETURNS_COMPLETED", "RETURNS_UNCHECKED", "WITHDRAWN"])
def test_a_return_of_an_acknowledged_order_is_a_stop_shipment_request(status: str, services: MockServices) -> None:
    """The buyer cancels after acknowledgement: the seller stops the shipment or says it already left."""
    text = HEADER + (
        "      - {id: o2, items: [{product: dear}], status: INSTRUCT}\n"
        f"    returns:\n      - {{id: r, order: o2, status: {status}}}\n"
    )
    built = scenarios.run(services, text, "stop.yaml")
    assert built["vendors"][0]["returns"]["r"]["status"] == status


def test_a_cheap_return_cannot_wait_in_the_warehouse(services: MockServices) -> None:
    """Under ₩100,000 the domain refunds on pickup: the scenario follows it and says why it stopped."""
    text = HEADER + (
        "      - {id: o2, items: [{product: cheap}], status: FINAL_DELIVERY}\n"
        "    returns:\n      - {order: o2, status: VENDOR_WAREHOUSE_CONFIRM}\n"
    )
    before = documents(services)
    with pytest.raises(scenarios.ScenarioError) as refused:
        scenarios.run(services, text, "quick.yaml")
    assert (refused.value.line, refused.value.path) == (11, "vendors[0].returns[0].status")
    assert "RETURNS_COMPLETED" in refused.value.message
    assert documents(services) == before


@pytest.mark.parametrize(
    "status",
    [
        "RECEIPT",
        "RECEIPT/Delivering",
        "RECEIPT/CompleteCollect",
        "PROGRESS",
        "PROGRESS/Redelivery",
        "REJECT",
        "CANCEL",
        "SUCCESS",
    ],
)
def test_exchanges_reach_every_declared_status(status: str, services: MockServices) -> None:
    text = HEADER + f"    exchanges:\n      - {{id: x, order: o1, status: {status}}}\n"
    built = scenarios.run(services, text, "exchanges.yaml")
    reached = built["vendors"][0]["exchanges"]["x"]["status"]
    assert reached == status or reached.split("/")[0] == status


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("ONLINE", "NOANSWER"),
        ("ONLINE", "ANSWERED"),
        ("ONLINE", "DELETED"),
        ("CALL_CENTER", "REQUEST_ANSWER"),
        ("CALL_CENTER", "ANSWERED"),
        ("CALL_CENTER", "COMPLETE"),
        ("CALL_CENTER", "TRANSFER"),
        ("CALL_CENTER", "CONFIRMED"),
        ("CALL_CENTER", "CLOSED"),
    ],
)
def test_inquiries_reach_every_declared_status(kind: str, status: str, services: MockServices) -> None:
    text = HEADER + f"    inquiries:\n      - {{id: q, kind: {kind}, order: o1, status: {status}}}\n"
    built = scenarios.run(services, text, "cs.yaml")
    assert built["vendors"][0]["inquiries"]["q"]["status"] == status


@pytest.mark.parametrize("status", ["saved", "approving", "in_review", "approved", "denied", "APPROVED"])
def test_products_reach_every_declared_status(status: str, services: MockServices) -> None:
    text = f"vendors:\n  - reviewPolicy: {{decision: MANUAL}}\n    products:\n      - {{id: p, status: {status}}}\n"
    built = scenarios.run(services, text, "products.yaml")
    assert built["vendors"][0]["products"]["p"]["status"] == status.upper()


def test_a_new_vendor_gets_the_declared_keys_and_clock(server: RunningServer) -> None:
    text = """
vendors:
  - vendorId: B00000077
    accessKey: scenario-access
    secretKey: scenario-secret
    clock: 2026-05-01T09:00:00+09:00
    products: [{id: p, name: 우산, price: 12000}]
    orders: [{items: [{product: p}], status: INSTRUCT}]
"""
    response = post_scenario(server, text)
    assert response.status_code == 201, response.text
    vendor = response.json()["vendors"][0]
    assert vendor["now"].startswith("2026-05-01T00:00:00")
    api = CoupangClient("scenario-access", "scenario-secret", "B00000077", base_url=server.base_url)
    box_id = vendor["orders"]["0"]["shipmentBoxIds"][0]
    assert api.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)["status"] == "INSTRUCT"


def test_reset_false_builds_on_top_and_reset_true_replaces(services: MockServices) -> None:
    text = "vendors:\n  - products: [{id: p}]\n"
    scenarios.run(services, text, "a.yaml")
    scenarios.run(services, "reset: false\n" + text, "b.yaml")
    assert len(documents(services)["products"]) == 2
    scenarios.run(services, text, "c.yaml")
    assert len(documents(services)["products"]) == 1


# ---------------------------------------------------------------- refusals: FILE:LINE: field: message

BAD_FILES = [
    ("yaml-syntax", "vendors:\n  - {vendorId: A00012345\n", 3, "(yaml)", "expected ',' or '}'"),
    ("not-a-mapping", "- vendors\n", 1, "(root)", "a scenario is a mapping"),
    ("empty", "", 1, "(root)", "a scenario is a mapping"),
    (
        "billion-laughs",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, n in zip("abcdefg", "bcdefgh", strict=True)
        )
        + "vendors: [{}]\n",
        1,
        "(yaml)",
        "expands to more than 200000 values",
    ),
    ("too-deep", "vendors: " + "[" * 5000 + "]" * 5000 + "\n", 1, "(yaml)", "nests too deeply"),
    ("no-vendors", "name: x\n", 1, "(root)", "must contain ['vendors']"),
    ("unknown-field", "vendors:\n  - vendorId: A00012345\n    prodcts: []\n", 3, "vendors[0].prodcts", "unknown field"),
    ("bad-vendor-id", "vendors:\n  - vendorId: shop-1\n", 2, "vendors[0].vendorId", "must match pattern"),
    ("bad-clock", "clock: tomorrow\nvendors: [{}]\n", 1, "clock", "must match pattern"),
    ("clock-range", 'clock: "2999-01-01T00:00:00Z"\nvendors: [{}]\n', 1, "clock", "between the years 2000 and 2100"),
    (
        "zero-quantity",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - items:\n          - {product: p, quantity: 0}\n",
        5,
        "vendors[0].orders[0].items[0].quantity",
        "must be bigger than or equal to 1",
    ),
    (
        "unknown-product",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - items: [{product: q}]\n",
        4,
        "vendors[0].orders[0].items[0].product",
        "no product with id 'q' (known: p)",
    ),
    (
        "unknown-order-status",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - {items: [{product: p}], status: PAID}\n",
        4,
        "vendors[0].orders[0].status",
        "unknown order status 'PAID'",
    ),
    (
        "unreachable-order-status",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - items: [{product: p}]\n        status: NONE_TRACKING\n",
        5,
        "vendors[0].orders[0].status",
        "cannot bring an order to NONE_TRACKING; reachable: ACCEPT, CANCELED, DELIVERING",
    ),
    (
        "stop-request-of-a-delivered-order",
        "vendors:\n  - products: [{id: p}]\n    orders: [{id: o, items: [{product: p}], status: FINAL_DELIVERY}]\n"
        "    returns:\n      - {order: o, status: RELEASE_STOP_UNCHECKED}\n",
        5,
        "vendors[0].returns[0].status",
        "cannot bring a return that starts at RETURNS_UNCHECKED to RELEASE_STOP_UNCHECKED",
    ),
    (
        "option-out-of-range",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - items: [{product: p, option: 1}]\n",
        4,
        "vendors[0].orders[0].items[0].option",
        "has 1 option(s)",
    ),
    (
        "order-of-unapproved",
        "vendors:\n  - products: [{id: p, status: approving}]\n    orders:\n      - items: [{product: p}]\n",
        4,
        "vendors[0].orders[0].items[0].product",
        "is not approved",
    ),
    (
        "duplicate-id",
        "vendors:\n  - products:\n      - {id: p}\n      - {id: p}\n",
        4,
        "vendors[0].products[1].id",
        "id 'p' is used twice",
    ),
    (
        "confirmed-before-delivery",
        "vendors:\n  - products: [{id: p}]\n    orders:\n      - {items: [{product: p}], confirmed: true}\n",
        4,
        "vendors[0].orders[0].confirmed",
        "status FINAL_DELIVERY",
    ),
    (
        "unknown-claim-order",
        "vendors:\n  - returns:\n      - {order: nope}\n",
        3,
        "vendors[0].returns[0].order",
        "no order with id 'nope'",
    ),
    (
        "question-about-nothing",
        "vendors:\n  - inquiries:\n      - {kind: ONLINE, content: hi}\n",
        3,
        "vendors[0].inquiries[0]",
        "needs product or order",
    ),
    (
        "bad-enum",
        "vendors:\n  - inquiries:\n      - {kind: EMAIL, content: hi}\n",
        3,
        "vendors[0].inquiries[0].kind",
        "must be one of ['ONLINE', 'CALL_CENTER']",
    ),
    (
        "vendor-twice",
        "vendors:\n  - {}\n  - {vendorId: A00012345}\n",
        3,
        "vendors[1].vendorId",
        "listed twice",
    ),
    (
        "other-keys",
        "vendors:\n  - {vendorId: A00012345, secretKey: not-the-one}\n",
        2,
        "vendors[0].secretKey",
        "already exists with another secretKey",
    ),
    # refused while building: the domain's own message, the entry's line, everything rolled back
    (
        "return-before-shipping",
        "vendors:\n  - products: [{id: p}]\n    orders: [{id: o, items: [{product: p}]}]\n    returns:\n"
        "      - {order: o}\n",
        5,
        "vendors[0].returns[0]",
        "the mock refused:",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_file_names_its_line_and_field_and_changes_nothing(
    text: str, line: int, field: str, message: str, services: MockServices
) -> None:
    scenarios.run(services, "vendors:\n  - products: [{id: before, name: 기존 상품}]\n", "before.yaml")
    before = snapshots.export(services, VENDOR)
    with pytest.raises(scenarios.ScenarioError) as refused:
        scenarios.run(services, text, "shop.yaml")
    assert str(refused.value).startswith(f"shop.yaml:{line}: {field}: ")
    assert message in refused.value.message
    after = snapshots.export(services, VENDOR)
    assert after["documents"] == before["documents"]


def test_post_scenarios_answers_the_error_fields(server: RunningServer) -> None:
    response = post_scenario(server, "vendors:\n  - orders: [{items: [{product: x}]}]\n", source="ci.yaml")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400
    assert body["message"] == "ci.yaml:2: vendors[0].orders[0].items[0].product: no product with id 'x' (known: none)"
    assert (body["file"], body["line"], body["field"]) == ("ci.yaml", 2, "vendors[0].orders[0].items[0].product")


def test_post_scenarios_takes_json_too_and_lists_examples(server: RunningServer) -> None:
    body = '{"vendors": [{"products": [{"id": "p", "name": "컵"}], "orders": [{"items": [{"product": "p"}]}]}]}'
    response = post_scenario(server, body)
    assert response.status_code == 201, response.text
    assert response.json()["vendors"][0]["orders"]["0"]["status"] == "ACCEPT"
    listed = requests.get(f"{server.base_url}/_mock/scenarios", timeout=10).json()
    assert listed == {"examples": scenarios.example_names()}
    schema = requests.get(f"{server.base_url}/_mock/scenarios/schema", timeout=10).json()
    assert schema["required"] == ["vendors"]
    assert post_scenario(server, example="no-such-example").status_code == 404


def test_serve_refuses_a_bad_scenario_before_listening(tmp_path: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("vendors:\n  - orders: [{items: []}]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--scenario", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: vendors[0].orders[0].items: " in result.output
    missing = CliRunner().invoke(main, ["serve", "--port", "0", "--scenario", "no-such-scenario"])
    assert missing.exit_code == 1 and "seller-day" in missing.output


def test_the_readme_example_builds(services: MockServices) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scenarios, triggers and snapshots", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    built = scenarios.run(services, example, "README.md")["vendors"][0]
    assert built["orders"]["o1"]["status"] == "FINAL_DELIVERY"
    assert built["returns"]["0"]["status"] == "VENDOR_WAREHOUSE_CONFIRM"
    assert built["inquiries"]["1"]["status"] == "TRANSFER"


def test_serve_prints_the_ids_a_trigger_needs(services: MockServices) -> None:
    built = scenarios.run(services, *scenarios.read_source("seller-day"))
    lines = scenarios.summary_lines(built, per_kind=3)
    shipped = built["vendors"][0]["orders"]["shipped"]
    assert lines[0] == "scenario seller-day: vendor A00012345 at 2026-03-02T01:00:00Z"
    assert not any("shipped" in line for line in lines)  # the 6th order: past the first 3
    assert "  … and 7 more orders (POST /_mock/scenarios answers them all)" in lines
    everything = scenarios.summary_lines(built)
    assert any(line.split()[:2] == ["product", "socks"] and "vendorItemIds=-" in line for line in everything)
    assert any(f"shipmentBoxIds={shipped['shipmentBoxIds'][0]} status=DEPARTURE" in line for line in everything)


def test_products_ship_from_the_declared_centers(services: MockServices) -> None:
    text = """
vendors:
  - centers:
      outbound: [{name: 부산센터}, {id: seoul, name: 서울센터, fields: {vendorId: B00000001}}]
      return: [{name: 반품센터}]
    products:
      - {id: a, name: 부산 상품}
      - {id: b, name: 서울 상품, outbound: seoul}
"""
    built = scenarios.run(services, text, "centers.yaml")["vendors"][0]
    centers = built["centers"]
    assert set(centers) == {"outbound", "return"} and set(centers["outbound"]) == {"0", "seoul"}
    actor = Actor(services, VENDOR)
    read = {
        name: actor.api("getSellerProduct", path={"sellerProductId": p["sellerProductId"]})["data"]
        for name, p in built["products"].items()
    }
    assert read["a"]["outboundShippingPlaceCode"] == centers["outbound"]["0"]
    assert read["b"]["outboundShippingPlaceCode"] == centers["outbound"]["seoul"]
    assert str(read["b"]["returnCenterCode"]) == str(centers["return"]["0"])
