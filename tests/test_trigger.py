"""`coupang-mock trigger …` and `coupang-mock state …` against a mock running in a thread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from coupang_mock.client import CoupangClient
from coupang_mock.server.cli import main
from coupang_mock.server.server import RunningServer

VENDOR = "A00012345"
SHOP = """
clock: "2026-03-02T10:00:00+09:00"
vendors:
  - reviewPolicy: {decision: MANUAL}
    products:
      - {id: coat, name: 코트, price: 150000, stock: 50}
      - {id: waiting, name: 장갑, status: approving}
    orders:
      - {id: new, items: [{product: coat}]}
      - {id: shipped, items: [{product: coat}], status: DEPARTURE}
      - {id: delivered, items: [{product: coat}], status: FINAL_DELIVERY}
      - {id: delivered2, items: [{product: coat}], status: FINAL_DELIVERY}
"""


@pytest.fixture
def shop(server: RunningServer) -> dict[str, Any]:
    response = requests.post(f"{server.base_url}/_mock/scenarios", data=SHOP.encode(), timeout=60)
    assert response.status_code == 201, response.text
    return response.json()["vendors"][0]  # type: ignore[no-any-return]


def trigger(server: RunningServer, *args: str) -> Result:
    return CliRunner().invoke(main, ["trigger", "--base-url", server.base_url, *args])


def lines(result: Result) -> dict[str, str]:
    assert result.exit_code == 0, result.output
    return dict(line.split(" ", 1) for line in result.output.splitlines())


def item(shop: dict[str, Any]) -> str:
    return str(shop["products"]["coat"]["vendorItemIds"][0])


def test_order_prints_the_ids_and_json_prints_the_answer(server: RunningServer, shop: dict[str, Any]) -> None:
    printed = lines(trigger(server, "order", f"{item(shop)}:2"))
    assert set(printed) == {"orderId", "shipmentBoxIds"}
    answer = json.loads(trigger(server, "--json", "order", item(shop)).output)
    assert json.loads(trigger(server, "order", item(shop), "--json").output)["orderId"] > answer["orderId"]
    assert set(answer) == {"orderId", "shipmentBoxIds"}
    assert int(printed["orderId"]) != answer["orderId"]


def test_cancel_address_and_the_seller_sees_them(
    server: RunningServer, shop: dict[str, Any], client: CoupangClient
) -> None:
    new = shop["orders"]["new"]
    box_id = new["shipmentBoxIds"][0]
    printed = lines(trigger(server, "address", str(new["orderId"]), "name=김쿠팡", "addr1=부산광역시 해운대구"))
    assert printed["orderId"] == str(new["orderId"])
    sheet = client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)
    assert sheet["receiver"]["addr1"] == "부산광역시 해운대구"
    cancelled = trigger(server, "cancel", str(new["orderId"]), "--reason", "CHANGEMIND")
    assert cancelled.exit_code == 0, cancelled.output
    assert "receiptId" in cancelled.output


def test_ship_moves_the_box_and_a_refusal_exits_1_with_the_mock_message(
    server: RunningServer, shop: dict[str, Any]
) -> None:
    box_id = str(shop["orders"]["shipped"]["shipmentBoxIds"][0])
    assert lines(trigger(server, "ship", box_id, "pickup"))["status"] == "DELIVERING"
    assert lines(trigger(server, "ship", box_id, "deliver"))["status"] == "FINAL_DELIVERY"
    again = trigger(server, "ship", box_id, "deliver")
    assert again.exit_code == 1
    assert f"409: box {box_id} is FINAL_DELIVERY: the courier cannot report DELIVERED" in again.output


def test_confirm_return_exchange_and_withdraw(server: RunningServer, shop: dict[str, Any]) -> None:
    delivered, other = shop["orders"]["delivered"], shop["orders"]["delivered2"]
    assert lines(trigger(server, "confirm", str(delivered["orderId"])))["confirmedShipmentBoxIds"] == str(
        delivered["shipmentBoxIds"][0]
    )
    returned = lines(trigger(server, "return", str(delivered["orderId"]), item(shop), "--reason", "DAMAGED"))
    assert returned["receiptStatus"] == "RETURNS_UNCHECKED"
    withdrawn = lines(trigger(server, "withdraw", returned["receiptId"]))
    assert withdrawn["receiptStatus"] == "WITHDRAWN"
    exchanged = lines(trigger(server, "exchange", str(other["orderId"]), item(shop)))
    assert exchanged["exchangeStatus"] == "RECEIPT"
    assert lines(trigger(server, "withdraw", "--exchange", exchanged["exchangeId"]))["exchangeStatus"] == "CANCEL"
    picked = lines(trigger(server, "return", str(other["orderId"]), item(shop), "--pickup"))
    assert picked["receiptStatus"] == "RETURNS_UNCHECKED"


def test_inquiry_and_its_events(server: RunningServer, shop: dict[str, Any]) -> None:
    asked = lines(trigger(server, "inquiry", "--item", item(shop), "--content", "재입고 되나요?"))
    assert asked["state"] == "NOANSWER"
    deleted = lines(trigger(server, "inquiry", "--id", asked["inquiryId"], "--event", "customerDelete"))
    assert deleted["state"] == "DELETED"
    order_id = str(shop["orders"]["shipped"]["orderId"])
    case = lines(
        trigger(server, "inquiry", "--kind", "CALL_CENTER", "--order", order_id, "--content", "x", "--transfer")
    )
    assert case["state"] == "TRANSFER"
    usage = trigger(server, "inquiry", "--id", asked["inquiryId"])
    assert usage.exit_code == 2 and "--id and --event go together" in usage.output
    refused = trigger(server, "inquiry", "--content", "")
    assert refused.exit_code == 1 and "content must be a non-empty string" in refused.output


def test_review_decides_a_waiting_product(server: RunningServer, shop: dict[str, Any], client: CoupangClient) -> None:
    product_id = str(shop["products"]["waiting"]["sellerProductId"])
    decided = lines(trigger(server, "review", product_id, "--decision", "DENY", "--reason", "이미지 불량"))
    assert decided["status"] == "DENIED"
    assert client.products.get(seller_product_id=int(product_id))["statusName"] == "승인반려"
    assert trigger(server, "review", product_id).exit_code == 1


def test_clock_reads_advances_and_sets(server: RunningServer, shop: dict[str, Any]) -> None:
    assert lines(trigger(server, "clock"))["now"].startswith("2026-03-02T01:00:00")
    assert lines(trigger(server, "clock", "--advance", "2d"))["now"].startswith("2026-03-04T01:00:00")
    assert lines(trigger(server, "clock", "--advance", "90m"))["now"].startswith("2026-03-04T02:30:00")
    assert lines(trigger(server, "clock", "--set", "2026-04-01T09:00:00+09:00"))["now"].startswith("2026-04-01T00:00")
    assert trigger(server, "clock", "--advance", "soon").exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["order", "abc"], "use VENDOR_ITEM_ID or VENDOR_ITEM_ID:QUANTITY"),
        (["address", "1", "novalue"], "use FIELD=VALUE (name, addr1, addr2, postCode, safeNumber)"),
        (["ship", "1", "fly"], "'fly' is not one of 'pickup', 'deliver'"),
    ],
)
def test_bad_arguments_are_usage_errors(server: RunningServer, args: list[str], message: str) -> None:
    result = trigger(server, *args)
    assert result.exit_code == 2 and message in result.output


def test_an_unreachable_mock_exits_1() -> None:
    result = CliRunner().invoke(main, ["trigger", "--base-url", "http://127.0.0.1:9", "clock"])
    assert result.exit_code == 1 and "cannot reach the mock" in result.output


def test_state_export_and_import_round_trip(
    server: RunningServer, shop: dict[str, Any], client: CoupangClient, tmp_path: Path
) -> None:
    box_id = shop["orders"]["shipped"]["shipmentBoxIds"][0]
    out = tmp_path / "shop.json"
    exported = CliRunner().invoke(main, ["state", "export", "--base-url", server.base_url, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8"))["vendor"]["vendorId"] == VENDOR
    trigger(server, "ship", str(box_id), "deliver")
    assert client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)["status"] == "FINAL_DELIVERY"
    imported = CliRunner().invoke(main, ["state", "import", str(out), "--base-url", server.base_url])
    assert lines(imported)["vendorId"] == VENDOR
    assert client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=box_id)["status"] == "DEPARTURE"
    printed = CliRunner().invoke(main, ["state", "export", "--base-url", server.base_url])
    assert json.loads(printed.output)["documents"] == json.loads(out.read_text(encoding="utf-8"))["documents"]
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert CliRunner().invoke(main, ["state", "import", str(broken), "--base-url", server.base_url]).exit_code == 1
