"""A corpus of hostile and careless requests across every API family and the control plane.

Each one must get a 4xx (Coupang's status where it is known), leave every stored document as it was,
and leave the server answering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from coupang_mock.client.signing import format_signed_date, sign
from coupang_mock.server.app import create_app
from coupang_mock.server.core import MockServices
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from tests.conftest import ECHO, THINGS, fixture_document
from tests.test_hardening import snapshot

V = DEFAULT_VENDOR_ID
OPENAPI4 = f"/v2/providers/openapi/apis/api/v4/vendors/{V}"
OPENAPI5 = f"/v2/providers/openapi/apis/api/v5/vendors/{V}"
OPENAPI6 = f"/v2/providers/openapi/apis/api/v6/vendors/{V}"
SELLER = "/v2/providers/seller_api/apis/api/v1/marketplace"
FMS1 = f"/v2/providers/fms/apis/api/v1/vendors/{V}"
FMS2 = f"/v2/providers/fms/apis/api/v2/vendors/{V}"
DOWNLOAD = "/v2/providers/marketplace_openapi/apis/api/v1"
RG = f"/v2/providers/rg_open_api/apis/api/v1/vendors/{V}"
HUGE = "9" * 5000
DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECT = b'{"a":' * 5000 + b"1" + b"}" * 5000
LIST = "createdAtFrom=2026-03-01&createdAtTo=2026-03-02"
LIST_T = "createdAtFrom=2026-03-01T00:00:00&createdAtTo=2026-03-02T00:00:00"


@dataclass(frozen=True)
class Bad:
    id: str
    method: str
    path: str
    query: str = ""
    body: bytes | None = None
    status: int | None = None  # Coupang's status where known; else any 4xx
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    signed: bool = True
    says: str | None = None  # a piece of the message that names the problem

    def send(self, base_url: str) -> requests.Response:
        headers: dict[str, Any] = {}
        if self.signed and not self.path.startswith("/_mock"):
            headers["Authorization"] = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, self.method, self.path, self.query)
        if self.content_type:
            headers["Content-Type"] = self.content_type
        now = format_signed_date(datetime.now(UTC))  # "{now}": a current signed-date, so only the rest is wrong
        headers.update({k: v.replace("{now}", now).encode("utf-8") for k, v in self.headers.items()})
        url = base_url + self.path + (f"?{self.query}" if self.query else "")
        return requests.request(self.method, url, data=self.body, headers=headers, timeout=60)


def body(text: str) -> bytes:
    return text.encode("utf-8")


ACK = Bad("", "PUT", f"{OPENAPI5}/ordersheets/acknowledgement")
CORPUS = [
    # --- the gateway, whatever the family: JSON that is not JSON, or too much of it
    Bad("deep-array", ACK.method, ACK.path, body=DEEP, status=400),
    Bad("deep-object", ACK.method, ACK.path, body=DEEP_OBJECT, status=400),
    Bad(
        "number-5000-digits",
        ACK.method,
        ACK.path,
        body=body(f'{{"vendorId":"{V}","shipmentBoxIds":[{HUGE}]}}'),
        status=400,
    ),
    Bad(
        "float-overflow", ACK.method, ACK.path, body=body(f'{{"vendorId":"{V}","shipmentBoxIds":[1e999]}}'), status=400
    ),
    Bad(
        "int64-overflow",
        ACK.method,
        ACK.path,
        body=body(f'{{"vendorId":"{V}","shipmentBoxIds":[9223372036854775808]}}'),
        status=400,
    ),
    Bad("nan-token", ACK.method, ACK.path, body=body(f'{{"vendorId":"{V}","shipmentBoxIds":[NaN]}}'), status=400),
    Bad("invalid-utf8", ACK.method, ACK.path, body=b'{"vendorId":"\xff\xfe"}', status=400),
    Bad("truncated", ACK.method, ACK.path, body=b'{"vendorId":"A00012345","shipmentBoxIds":[1,', status=400),
    Bad("json-string", ACK.method, ACK.path, body=b'"hello"', status=400),
    Bad("json-null", ACK.method, ACK.path, body=b"null", status=400),
    Bad("control-char", ACK.method, ACK.path, body=b'{"vendorId":"A000\x0112345"}', status=400),
    Bad("lone-surrogate", ACK.method, ACK.path, body=b'{"vendorId":"\\ud800","shipmentBoxIds":[1]}', status=400),
    Bad(
        "text-plain",
        ACK.method,
        ACK.path,
        body=body(f'{{"vendorId":"{V}","shipmentBoxIds":[1]}}'),
        content_type="text/plain",
        status=415,
    ),
    Bad(
        "form-encoded",
        ACK.method,
        ACK.path,
        body=b"vendorId=A00012345",
        content_type="application/x-www-form-urlencoded",
        status=415,
    ),
    # --- path and query values
    Bad("path-5000-digits", "GET", f"{OPENAPI5}/ordersheets/{HUGE}", status=400),
    Bad("path-negative-id", "GET", f"{OPENAPI5}/ordersheets/-5", status=400),
    Bad("path-full-width-digits", "GET", f"{OPENAPI5}/ordersheets/%EF%BC%91%EF%BC%92%EF%BC%93", status=400),
    Bad("path-superscript-digit", "GET", f"{OPENAPI5}/ordersheets/%C2%B2", status=400),
    Bad("query-5000-digits", "GET", f"{OPENAPI5}/ordersheets", f"{LIST}&status=ACCEPT&maxPerPage={HUGE}", status=400),
    Bad("query-superscript", "GET", f"{OPENAPI5}/ordersheets", f"{LIST}&status=ACCEPT&maxPerPage=%C2%B2", status=400),
    Bad("query-bad-enum", "GET", f"{OPENAPI5}/ordersheets", f"{LIST}&status=BOGUS", status=400),
    Bad("query-missing-required", "GET", f"{OPENAPI5}/ordersheets", "createdAtFrom=2026-03-01", status=400),
    Bad(
        "query-garbage-date",
        "GET",
        f"{OPENAPI5}/ordersheets",
        "createdAtFrom=%00%FF&createdAtTo=x&status=ACCEPT",
        status=400,
    ),
    Bad(
        "malformed-vendor-in-path",
        "GET",
        "/v2/providers/openapi/apis/api/v5/vendors/a1/ordersheets",
        f"{LIST}&status=ACCEPT",
        status=404,
    ),
    Bad(
        "full-width-vendor-in-path",
        "GET",
        "/v2/providers/openapi/apis/api/v5/vendors/A%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98/ordersheets",
        f"{LIST}&status=ACCEPT",
        status=404,
    ),
    # --- headers and the gateway's own refusals
    Bad("timeout-superscript", "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": "²"}, status=400),
    Bad("timeout-not-a-number", "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": "soon"}, status=400),
    Bad("timeout-8-digits", "GET", ECHO, "status=ACCEPT", headers={"X-EXTENDED-TIMEOUT": "12345678"}, status=400),
    Bad(
        "signature-non-ascii",
        "GET",
        ECHO,
        "status=ACCEPT",
        signed=False,
        status=401,
        headers={
            "Authorization": f"CEA algorithm=HmacSHA256, access-key={DEFAULT_ACCESS_KEY}, signed-date={{now}}, signature={'é' * 64}",
        },
    ),
    Bad("no-authorization", "GET", ECHO, "status=ACCEPT", signed=False, status=401),
    Bad(
        "authorization-garbage",
        "GET",
        ECHO,
        "status=ACCEPT",
        signed=False,
        status=401,
        headers={"Authorization": "CEA ☃"},
    ),
    Bad("wrong-method", "DELETE", f"{OPENAPI5}/ordersheets", status=405),
    Bad("options", "OPTIONS", f"{OPENAPI5}/ordersheets", status=405),
    Bad("unknown-path", "GET", "/v2/providers/openapi/apis/api/v9/nothing", status=404),
    Bad("url-too-long", "GET", ECHO, "status=ACCEPT&pad=" + "x" * 9000, status=414),
    # --- products
    Bad("product-create-array", "POST", f"{SELLER}/seller-products", body=b"[]", status=400),
    Bad("product-create-deep", "POST", f"{SELLER}/seller-products", body=DEEP, status=400),
    Bad("product-get-huge-id", "GET", f"{SELLER}/seller-products/{HUGE}", status=400),
    Bad("product-get-text-id", "GET", f"{SELLER}/seller-products/abc", status=400),
    Bad("quantity-huge", "PUT", f"{SELLER}/vendor-items/1/quantities/{HUGE}", status=400),
    Bad("quantity-item-huge", "PUT", f"{SELLER}/vendor-items/{HUGE}/quantities/1", status=400),
    Bad("price-full-width", "PUT", f"{SELLER}/vendor-items/1/prices/%EF%BC%91%EF%BC%90%EF%BC%90", status=400),
    Bad(
        "partial-update-string-id",
        "PUT",
        f"{SELLER}/seller-products/1/partial",
        body=b'{"sellerProductId":"x","items":"y"}',
    ),
    # --- categories
    Bad("category-huge-code", "GET", f"{SELLER}/meta/display-categories/{HUGE}", status=400),
    Bad(
        "predict-not-object",
        "POST",
        "/v2/providers/openapi/apis/api/v1/categorization/predict",
        body=b"[1,2]",
        status=400,
    ),
    # --- coupons
    Bad(
        "contract-int64-overflow", "GET", f"{FMS2}/contract", f"vendorId={V}&contractId=9223372036854775808", status=400
    ),
    Bad("contract-text", "GET", f"{FMS2}/contract", f"vendorId={V}&contractId=abc", status=400),
    Bad("instant-coupon-deep", "POST", f"{FMS2}/coupon", body=DEEP, status=400),
    Bad("coupons-bad-status", "GET", f"{FMS2}/coupons", f"vendorId={V}&status=BOGUS", status=400),
    Bad("download-coupon-huge-id", "GET", f"{DOWNLOAD}/coupons/{HUGE}", status=400),
    # --- cs
    Bad(
        "inquiries-pagenum-huge",
        "GET",
        f"{OPENAPI5}/onlineInquiries",
        f"vendorId={V}&answeredType=ALL&inquiryStartAt=2026-03-01&inquiryEndAt=2026-03-02&pageNum=878931571534762014150250987520",
        status=400,
    ),
    Bad(
        "inquiries-bad-answered-type",
        "GET",
        f"{OPENAPI5}/onlineInquiries",
        f"vendorId={V}&answeredType=BOGUS&inquiryStartAt=2026-03-01&inquiryEndAt=2026-03-02",
        status=400,
    ),
    Bad("inquiry-reply-string", "POST", f"{OPENAPI4}/onlineInquiries/1/replies", body=b'"reply"', status=400),
    Bad(
        "callcenter-superscript-id",
        "GET",
        "/v2/providers/openapi/apis/api/v5/vendors/callCenterInquiries/%C2%B2",
        status=400,
    ),
    # --- exchanges
    Bad(
        "exchanges-order-huge",
        "GET",
        f"{OPENAPI4}/exchangeRequests",
        f"{LIST_T}&orderId={HUGE}",
        status=400,
        says="'orderId'",
    ),
    Bad("exchange-reject-deep", "PUT", f"{OPENAPI4}/exchangeRequests/1/rejection", body=DEEP, status=400),
    # --- logistics
    Bad("outbound-create-array", "POST", f"{OPENAPI5}/outboundShippingCenters", body=b"[]", status=400),
    Bad(
        "return-centers-missing-codes",
        "GET",
        "/v2/providers/openapi/apis/api/v3/return/shipping-places/center-code",
        status=400,
    ),
    # --- misc
    Bad("rg-orders-garbage-date", "GET", f"{RG}/rg/orders", "paidDateFrom=%FF&paidDateTo=x", status=400),
    Bad("rg-order-huge-id", "GET", f"{RG}/rg/order/{HUGE}", status=400),
    Bad("cashback-delete-no-rule", "DELETE", f"{OPENAPI4}/products/items/cashback", status=400),
    # --- orders
    Bad(
        "invoices-wrong-type",
        "POST",
        f"{OPENAPI4}/orders/invoices",
        body=body(f'{{"vendorId":"{V}","orderSheetInvoiceApplyDtos":"x"}}'),
        status=400,
    ),
    Bad("cancel-superscript-order", "POST", f"{OPENAPI6}/orders/%C2%B2/cancel", body=b"{}", status=400),
    Bad("orders-by-huge-order-id", "GET", f"{OPENAPI5}/{HUGE}/ordersheets", status=400),
    Bad("ack-vendor-mismatch", ACK.method, ACK.path, body=b'{"vendorId":"A99999999","shipmentBoxIds":[1]}', status=400),
    # --- returns
    Bad("returns-missing-dates", "GET", f"{OPENAPI6}/returnRequests", status=400),
    Bad("return-huge-receipt", "GET", f"{OPENAPI6}/returnRequests/{HUGE}", status=400),
    Bad("withdraw-list-deep", "POST", f"{OPENAPI4}/returnWithdrawList", body=DEEP, status=400),
    # --- settlement
    Bad(
        "revenue-missing-token",
        "GET",
        "/v2/providers/openapi/apis/api/v1/revenue-history",
        f"vendorId={V}&recognitionDateFrom=2026-03-01&recognitionDateTo=2026-03-02",
        status=400,
    ),
    Bad(
        "settlement-garbage-month",
        "GET",
        "/v2/providers/marketplace_openapi/apis/api/v1/settlement-histories",
        "revenueRecognitionYearMonth=%C2%B2%C2%B2",
        status=400,
    ),
    # --- the control plane
    Bad("control-deep", "POST", "/_mock/vendors", body=DEEP, status=400),
    Bad("control-huge-number", "POST", "/_mock/vendors", body=body(f'{{"vendorId":{HUGE}}}'), status=400),
    Bad("control-not-object", "POST", "/_mock/vendors", body=b"[]", status=400),
    Bad(
        "control-full-width-vendor", "POST", "/_mock/vendors", body=body('{"vendorId":"A１２３４５６７８"}'), status=400
    ),
    Bad("control-key-not-string", "POST", "/_mock/vendors", body=b'{"accessKey":{"a":1}}', status=400),
    Bad(
        "control-csrf-reset",
        "POST",
        "/_mock/reset",
        body=b"{}",
        content_type="text/plain",
        headers={"Origin": "http://attacker.example"},
        status=403,
    ),
    Bad("control-rebinding", "GET", "/_mock/vendors", headers={"Host": "attacker.example"}, status=403),
    Bad("control-text-plain", "POST", "/_mock/reset", body=b"{}", content_type="text/plain", status=415),
    Bad("control-reset-vendor-number", "POST", "/_mock/reset", body=b'{"vendorId":123}', status=400),
    Bad("control-journal-superscript", "GET", "/_mock/journal", "limit=%C2%B2", status=400),
    Bad("control-journal-5000-digits", "GET", "/_mock/journal", f"limit={HUGE}", status=400),
    Bad("control-confirm-superscript", "POST", f"/_mock/vendors/{V}/orders/%C2%B2/confirm", body=b"{}", status=400),
    Bad("control-diagnose-empty", "POST", "/_mock/auth/diagnose", body=b"{}", status=400),
    Bad("control-options", "OPTIONS", "/_mock/vendors", status=405),
    Bad("control-wrong-method", "DELETE", "/_mock/vendors", status=405),
]


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[tuple[RunningServer, MockServices]]:
    from coupang_mock.server.clock import TestClock
    from tests.conftest import START

    services = MockServices(
        Settings(throttle_enabled=False), clock=TestClock(frozen_at=START), document=fixture_document()
    )
    running = start_in_thread(create_app(services=services))
    # Something stored, so "unchanged" means something.
    thing = Bad("", "POST", THINGS, body=body(f'{{"vendorId":"{V}","name":"kept"}}'))
    assert thing.send(running.base_url).status_code == 200
    yield running, services
    running.stop()


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(CORPUS) >= 60
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_bad_input_is_refused_and_changes_nothing(corpus_server: tuple[RunningServer, MockServices], case: Bad) -> None:
    running, services = corpus_server
    before = snapshot(services)
    response = case.send(running.base_url)
    assert 400 <= response.status_code < 500, f"{response.status_code} {response.text[:300]}"
    if case.status is not None:
        assert response.status_code == case.status, response.text[:300]
    if case.says is not None:
        assert case.says in response.text
    if response.status_code != 400 or response.headers.get("Content-Type", "").startswith("application/json"):
        assert isinstance(response.json(), dict)
    assert snapshot(services) == before
    alive = Bad("", "GET", ECHO, "status=ACCEPT").send(running.base_url)
    assert alive.status_code == 200
