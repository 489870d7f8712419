"""Snapshots: export → reset → import gives identical seller API answers; refusals change nothing."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.client import CoupangClient
from coupang_mock.client.signing import encode_query
from coupang_mock.server import scenarios, snapshots
from coupang_mock.server.core import MockServices
from coupang_mock.server.errors import ApiError
from coupang_mock.server.scenario_actor import Actor
from coupang_mock.server.server import RunningServer
from coupang_mock.server.settings import Settings as MockSettings

VENDOR = "A00012345"
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}"
PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
ORDER_STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY")


def seller_reads(built: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A set of seller API reads covering every kind of thing a scenario builds (paths, queries)."""
    day = built["now"][:10]
    reads: list[tuple[str, dict[str, Any]]] = [
        (f"{PRODUCTS}/{p['sellerProductId']}", {}) for p in built.get("products", {}).values()
    ]
    for order in built.get("orders", {}).values():
        for box_id in order["shipmentBoxIds"]:
            reads += [(f"{V5}/ordersheets/{box_id}", {}), (f"{V5}/ordersheets/{box_id}/history", {})]
    reads += [
        (f"{V5}/ordersheets", {"createdAtFrom": f"{day}+09:00", "createdAtTo": f"{day}+09:00", "status": status})
        for status in ORDER_STATUSES
    ]
    reads += [
        (f"/v2/providers/openapi/apis/api/v6/vendors/{VENDOR}/returnRequests/{r['receiptId']}", {})
        for r in built.get("returns", {}).values()
    ]
    reads += [
        (
            f"/v2/providers/openapi/apis/api/v6/vendors/{VENDOR}/returnRequests",
            {"createdAtFrom": day, "createdAtTo": day, "cancelType": "RETURN"},
        ),
        (
            f"/v2/providers/openapi/apis/api/v4/vendors/{VENDOR}/exchangeRequests",
            {"createdAtFrom": f"{day}T00:00:00", "createdAtTo": f"{day}T23:59:59"},
        ),
        (
            f"{V5}/onlineInquiries",
            {"vendorId": VENDOR, "answeredType": "ALL", "inquiryStartAt": day, "inquiryEndAt": day},
        ),
        (f"{V5}/callCenterInquiries", {"vendorId": VENDOR, "partnerCounselingStatus": "NONE"}),
        ("/v2/providers/marketplace_openapi/apis/api/v2/vendor/shipping-place/outbound", {"pageNum": 1}),
    ]
    return reads


def answers(client: CoupangClient, reads: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    found = []
    for path, query in reads:
        response = client.send_raw("GET", path, encode_query(query), None)
        found.append((response.status_code, response.json()))
    return found


def control(server: RunningServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{server.base_url}/_mock{path}", timeout=60, **kwargs)


@pytest.mark.parametrize("example", scenarios.example_names())
def test_export_reset_import_gives_identical_answers(
    example: str, server: RunningServer, client: CoupangClient
) -> None:
    built = control(server, "POST", "/scenarios", params={"example": example}).json()["vendors"][0]
    reads = seller_reads(built)
    before = answers(client, reads)
    assert sum(1 for status, _ in before if status == 200) >= len(reads) // 2
    snapshot = control(server, "GET", f"/vendors/{VENDOR}/snapshot").json()

    assert control(server, "POST", "/reset", params={"vendorId": VENDOR}).status_code == 200
    control(server, "POST", "/clock", json={"advanceSeconds": 3 * 86400, "vendorId": VENDOR})
    assert answers(client, reads) != before

    restored = control(server, "PUT", f"/vendors/{VENDOR}/snapshot", json=snapshot)
    assert restored.status_code == 200, restored.text
    assert restored.json()["now"] == snapshot["clock"]["now"]
    assert answers(client, reads) == before
    assert control(server, "GET", f"/vendors/{VENDOR}/snapshot").json() == snapshot


def test_ids_issued_after_a_restore_never_collide(services: MockServices) -> None:
    built = scenarios.run(services, *scenarios.read_source("seller-day"))["vendors"][0]
    snapshot = snapshots.export(services, VENDOR)
    services.reset(VENDOR)
    snapshots.restore(services, VENDOR, snapshot)
    item = built["products"]["tshirt"]["vendorItemIds"][0]
    placed = Actor(services, VENDOR).control("POST", "/orders", {"items": [{"vendorItemId": item, "quantity": 1}]})
    assert placed["orderId"] not in {o["orderId"] for o in built["orders"].values()}
    boxes = {b for o in built["orders"].values() for b in o["shipmentBoxIds"]}
    assert not boxes & set(placed["shipmentBoxIds"])


def test_a_snapshot_moves_to_another_server_with_its_vendor_and_keys(services: MockServices) -> None:
    text = "vendors:\n  - {vendorId: B00000042, accessKey: ak-42, secretKey: sk-42, products: [{id: p}]}\n"
    built = scenarios.run(services, text, "b.yaml")["vendors"][0]
    snapshot = snapshots.export(services, "B00000042")
    elsewhere = MockServices(MockSettings(throttle_enabled=False))
    assert elsewhere.vendors.get("B00000042") is None
    snapshots.restore(elsewhere, "B00000042", snapshot)
    assert elsewhere.vendors.get("B00000042")["secretKey"] == "sk-42"  # type: ignore[index]
    path = {"sellerProductId": built["products"]["p"]["sellerProductId"]}
    here = Actor(services, "B00000042").api("getSellerProduct", path=path)
    there = Actor(elsewhere, "B00000042").api("getSellerProduct", path=path)
    assert there == here


def _broken(change: Any) -> Any:
    def apply(snapshot: dict[str, Any]) -> Any:
        copied = copy.deepcopy(snapshot)
        change(copied)
        return copied

    return apply


BAD_SNAPSHOTS = [
    ("not-an-object", lambda s: [s], 400, "a snapshot must be a JSON object"),
    ("format", _broken(lambda s: s.update(format="coupang-mock-snapshot/9")), 400, "format must be"),
    ("no-vendor", _broken(lambda s: s.pop("vendor")), 400, "vendor must be an object"),
    ("other-vendor", _broken(lambda s: s["vendor"].update(vendorId="A00099999")), 400, "vendor.vendorId"),
    ("other-keys", _broken(lambda s: s["vendor"].update(secretKey="stolen")), 409, "other keys"),
    ("clock", _broken(lambda s: s["clock"].update(now="yesterday")), 400, "clock.now"),
    ("clock-range", _broken(lambda s: s["clock"].update(now="9999-12-31T23:59:59+00:00")), 400, "clock.now"),
    ("sequences", _broken(lambda s: s.update(sequences={"orderId": -1})), 400, "sequences.orderId"),
    ("documents", _broken(lambda s: s.update(documents=[])), 400, "documents must be an object"),
    ("kind", _broken(lambda s: s["documents"].update(orders=[1])), 400, "documents.orders must be"),
    ("document", _broken(lambda s: s["documents"]["orders"].update(x="y")), 400, "documents.orders.x must be"),
]


@pytest.mark.parametrize(
    ("change", "status", "message"), [c[1:] for c in BAD_SNAPSHOTS], ids=[c[0] for c in BAD_SNAPSHOTS]
)
def test_a_bad_snapshot_is_refused_and_changes_nothing(
    change: Any, status: int, message: str, server: RunningServer, client: CoupangClient
) -> None:
    built = control(server, "POST", "/scenarios", params={"example": "seller-day"}).json()["vendors"][0]
    snapshot = control(server, "GET", f"/vendors/{VENDOR}/snapshot").json()
    reads = seller_reads(built)
    before = answers(client, reads)
    refused = control(server, "PUT", f"/vendors/{VENDOR}/snapshot", json=change(snapshot))
    assert refused.status_code == status
    assert message in refused.json()["message"]
    assert control(server, "GET", f"/vendors/{VENDOR}/snapshot").json()["documents"] == snapshot["documents"]
    assert answers(client, reads) == before


def test_a_snapshot_that_is_not_json_is_a_400(server: RunningServer) -> None:
    refused = control(server, "PUT", f"/vendors/{VENDOR}/snapshot", data=b"{not json")
    assert refused.status_code == 400
    deep = (
        b'{"format": "coupang-mock-snapshot/1", "documents": {"k": {"x": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_002
    )
    assert control(server, "PUT", f"/vendors/{VENDOR}/snapshot", data=deep).status_code == 400
    assert control(server, "GET", "/vendors/Z00000000/snapshot").status_code == 404


def test_the_snapshot_keeps_the_vendor_clock(services: MockServices) -> None:
    services.clock.advance(5 * 3600, VENDOR)
    snapshot = snapshots.export(services, VENDOR)
    assert snapshot["clock"]["offsetSeconds"] == 5 * 3600
    services.clock.advance(86400, VENDOR)
    snapshots.restore(services, VENDOR, snapshot)
    assert services.clock.now(VENDOR) - services.clock.now() == timedelta(hours=5)


def test_every_id_sequence_in_the_code_is_carried() -> None:
    """Snapshots read sequences by name: a new id kind must be listed in snapshots.SEQUENCE_KINDS."""
    root = Path(snapshots.__file__).resolve().parent
    pattern = re.compile(r"""(?:new_id|next_id|next_seq|ids)\(\s*['"]([A-Za-z-]+)['"]""")
    constants = re.compile(r"""ID_KIND, ID_DIGITS = ['"]([A-Za-z-]+)['"]""")
    used: set[str] = set()
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(pattern.findall(text)) | set(constants.findall(text))
    used.discard("vendor-ids")  # the system tenant's vendor counter, not a vendor's
    assert used and sorted(used - set(snapshots.SEQUENCE_KINDS)) == []


STATUS = st.sampled_from(("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "CANCELED"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(st.tuples(STATUS, st.integers(1, 3), st.booleans()), min_size=1, max_size=6))
def test_any_built_state_round_trips(services: MockServices, orders: list[tuple[str, int, bool]]) -> None:
    """Whatever a scenario builds, export → reset → import gives the same documents, sequences and reads."""
    lines = ["vendors:", "  - products: [{id: p, name: 모자, price: 150000, stock: 500}]", "    orders:"]
    lines += [
        f"      - {{id: o{i}, items: [{{product: p, quantity: {q}}}], status: {s}}}"
        for i, (s, q, _) in enumerate(orders)
    ]
    returned = [i for i, (s, _, ret) in enumerate(orders) if ret and s == "FINAL_DELIVERY"]
    if returned:
        lines += ["    returns:"] + [f"      - {{order: o{i}}}" for i in returned]
    built = scenarios.run(services, "\n".join(lines) + "\n", "generated.yaml")["vendors"][0]
    actor = Actor(services, VENDOR)

    def reads() -> list[Any]:
        found = []
        for order in built["orders"].values():
            for box_id in order["shipmentBoxIds"]:
                try:
                    found.append(actor.api("getOrdersheetHistory", path={"shipmentBoxId": box_id}))
                except ApiError as err:  # a refusal is an answer too
                    found.append((err.status, err.message))
        return found

    before, snapshot = reads(), snapshots.export(services, VENDOR)
    services.reset(VENDOR)
    snapshots.restore(services, VENDOR, snapshot)
    again = snapshots.export(services, VENDOR)
    assert (again["documents"], again["sequences"]) == (snapshot["documents"], snapshot["sequences"])
    assert reads() == before
