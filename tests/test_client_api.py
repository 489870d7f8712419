"""The generated client: one method per operation, and what it sends is what the spec describes."""

from __future__ import annotations

import inspect
import itertools
import json
import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st

import coupang_mock.client as client_package
from coupang_mock.client import (
    ApiResponse,
    AuthError,
    CoupangClient,
    CoupangError,
    NotFoundError,
    Pager,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from coupang_mock.client import _generated as generated
from coupang_mock.client.codegen import Method, method_arguments, methods_of, render, short_name, snake
from coupang_mock.client.signing import parse_authorization
from coupang_mock.contract import client_check
from coupang_mock.server import spec

DOCUMENT = spec.load_copy()
OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT)}
METHODS = {m.current.operation_id: m for m in methods_of(list(OPERATIONS.values()))}
METHOD_OF = {op.operation_id: m for m in METHODS.values() for op in m.variants.values()}
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


class CapturingSession(requests.Session):
    """Records the prepared requests and answers canned (status, body, headers) replies in turn."""

    def __init__(self, *replies: Any) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []
        self.replies = list(replies) or [{"code": 200, "message": "OK", "data": []}]

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        reply = self.replies[min(len(self.sent), len(self.replies)) - 1]
        status, body, headers = reply if isinstance(reply, tuple) else (200, reply, {})
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.headers.update(headers)
        return response


def _client(session: requests.Session, **kwargs: Any) -> CoupangClient:
    return CoupangClient("ak", "sk", "A00012345", base_url="http://mock.test", session=session, **kwargs)


def _bound(client: CoupangClient, operation_id: str) -> tuple[Callable[..., Any], dict[str, Any]]:
    family, name, options = generated.METHODS[operation_id]
    return getattr(getattr(client, family), name), dict(options)


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def _path_values(template: str, path: str) -> dict[str, list[str]]:
    """The path parameters as the server's router would see them."""
    names = re.findall(r"\{([^}]+)\}", template)
    pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template))
    match = re.fullmatch(pattern, path)
    assert match is not None, (template, path)
    return {name: [unquote(value)] for name, value in zip(names, match.groups(), strict=True)}


# --- one method per operation ----------------------------------------------------------------------


def test_generated_module_is_up_to_date() -> None:
    with open(generated.__file__, encoding="utf-8") as fh:
        assert fh.read() == render(spec.load_copy()), "run: python -m coupang_mock.client.codegen"


def test_every_operation_has_a_method_and_every_method_an_operation() -> None:
    client = _client(CapturingSession())
    public: set[tuple[str, str]] = set()
    for family_name in generated.FAMILIES:
        family = getattr(client, family_name)
        public |= {(family_name, m) for m, _ in inspect.getmembers(family, inspect.ismethod) if not m.startswith("_")}
    assert set(generated.METHODS) == set(OPERATIONS)
    reached = {(family, name) for family, name, _ in generated.METHODS.values()}
    pagers = {(snake(m.tag), f"{m.name}_all") for m in METHODS.values() if m.paging_param is not None}
    assert public == reached | pagers
    for operation_id, (family, _name, _options) in generated.METHODS.items():
        assert snake(OPERATIONS[operation_id].tag) == family


def _minimal_kwargs(method: Method, operation_id: str) -> dict[str, Any]:
    """Required arguments of the chosen operation, with a placeholder value each."""
    chosen = OPERATIONS[operation_id]
    required = {(p["in"], p["name"]) for p in chosen.parameters if p.get("required")}
    kwargs: dict[str, Any] = {}
    for p, arg in method_arguments(method):
        if (p["in"], p["name"]) in required and p["name"] != "vendorId":
            kwargs[arg] = 7
    if chosen.request_schema is not None and chosen.body_required:
        kwargs["body"] = {}
    return kwargs


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_method_and_options_reach_exactly_that_operation(operation_id: str) -> None:
    op = OPERATIONS[operation_id]
    session = CapturingSession()
    client = _client(session)
    call, options = _bound(client, operation_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        call(**_minimal_kwargs(METHOD_OF[operation_id], operation_id), **options)
    sent = session.sent[-1]
    assert sent.method == op.method
    path = urlsplit(sent.url).path
    assert _template_regex(op.path).match(path), (path, op.path)
    # the seller's own vendorId goes wherever a path has it
    if "{vendorId}" in op.path:
        assert "/A00012345" in path


@pytest.mark.parametrize(
    ("tag", "operation_id", "expected"),
    [
        ("products", "createSellerProduct", "create"),
        ("products", "listSellerProducts", "list"),
        ("products", "requestSellerProductApproval", "request_approval"),
        ("products", "getSellerProductsByExternalSku", "get_by_external_sku"),
        ("products", "updateVendorItemPrice", "update_vendor_item_price"),
        ("orders", "listOrdersheets", "list_ordersheets"),
        ("orders", "acknowledgeOrdersheets", "acknowledge_ordersheets"),
        ("returns", "approveReturnRequest", "approve"),
        ("returns", "confirmReturnReceipt", "confirm_receipt"),
        ("returns", "listReturnWithdrawalsByPeriod", "list_withdrawals_by_period"),
        ("exchanges", "rejectExchangeRequest", "reject"),
        ("exchanges", "uploadExchangeInvoice", "upload_invoice"),
        ("categories", "listDisplayCategories", "list"),
        ("categories", "checkAutoCategoryAgreed", "check_auto_category_agreed"),
        ("coupons", "createInstantCoupon", "create_instant"),
        ("coupons", "listInstantCouponItemsByStatus", "list_instant_items_by_status"),
        ("cs", "replyOnlineInquiry", "reply_online_inquiry"),
        ("logistics", "createOutboundShippingCenter", "create_outbound_shipping_center"),
    ],
)
def test_method_names_are_short_and_derived_from_the_operation_id(tag: str, operation_id: str, expected: str) -> None:
    assert short_name(tag, operation_id) == expected


def test_method_names_are_unique_per_family() -> None:
    names = [(m.tag, m.name) for m in METHODS.values()]
    assert len(names) == len(set(names))


def test_docstrings_carry_the_korean_name_and_the_documented_messages() -> None:
    client = _client(CapturingSession())
    checked = 0
    for method in METHODS.values():
        doc = inspect.getdoc(getattr(getattr(client, snake(method.tag)), method.name)) or ""
        raw = method.current.raw
        assert raw.get("x-name-ko", "") in doc
        assert method.current.operation_id in doc
        for other in method.variants.values():
            assert other.operation_id in doc
        for status, response in raw.get("responses", {}).items():
            if str(status) in ("400", "404", "500"):
                assert f"({status})" in doc
                examples = next(iter(spec.deref(DOCUMENT, response).get("content", {}).values()), {}).get("examples")
                first = next(iter((examples or {}).values()), {}).get("value")
                if isinstance(first, dict) and first.get("message"):
                    assert first["message"] in doc
                    checked += 1
    assert checked > 50


# --- request shapes ---------------------------------------------------------------------------------


ARGUMENTS = client_check.method_arguments_by_operation(OPERATIONS.values())


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_requests_match_the_spec_and_are_signed(operation_id: str) -> None:
    # the harness's client-conformance check (contract_tests/client_check.py) on our own client
    failure = client_check.check_operation(OPERATIONS[operation_id], ARGUMENTS[operation_id], SCHEMA, max_examples=5)
    assert failure is None, failure.message


def _broken_signing(session: requests.Session) -> CoupangClient:
    return CoupangClient("ak", "another-secret", "A00012345", base_url="http://mock.test", session=session)


class _DropsTheQuery(CoupangClient):
    def _send(self, method: str, path: str, query_string: str, body: Any, headers: Any) -> requests.Response:
        return super()._send(method, path, "", body, headers)


class _WrongMethod(CoupangClient):
    def _send(self, method: str, path: str, query_string: str, body: Any, headers: Any) -> requests.Response:
        return super()._send("POST" if method == "GET" else "GET", path, query_string, body, headers)


@pytest.mark.parametrize(
    ("make_client", "operation_id", "defect"),
    [
        (_broken_signing, "getOrdersheetByShipmentboxid", "the signature does not verify"),
        (
            lambda session: _DropsTheQuery("ak", client_check.SECRET_KEY, "A00012345", session=session),
            "listOrdersheets",
            "the spec refuses what the client sent: Required",
        ),
        (
            lambda session: _WrongMethod("ak", client_check.SECRET_KEY, "A00012345", session=session),
            "getSellerProduct",
            "sent POST, the spec says GET",
        ),
    ],
    ids=["wrong-secret", "drops-required-query", "wrong-method"],
)
def test_the_client_check_reports_a_broken_client(make_client: Any, operation_id: str, defect: str) -> None:
    report = client_check.check_client(make_client, operations=[operation_id], max_examples=2)
    assert report.checked == [operation_id]
    assert [f.operation_id for f in report.failures] == [operation_id]
    assert report.failures[0].message.startswith(defect), report.failures[0].message


def test_the_client_check_reports_a_missing_method(monkeypatch: pytest.MonkeyPatch) -> None:
    methods = dict(generated.METHODS)
    methods.pop("approveReturnRequest")
    monkeypatch.setattr(generated, "METHODS", methods)
    report = client_check.check_client(operations=None, max_examples=1)
    assert ("approveReturnRequest", "client_method") in {(f.operation_id, f.check) for f in report.failures}


def test_required_query_vendor_id_is_filled_in() -> None:
    session = CapturingSession()
    _client(session).cs.list_call_center_inquiries(partner_counseling_status="NONE")
    assert parse_qs(urlsplit(session.sent[-1].url).query)["vendorId"] == ["A00012345"]


def test_keyword_arguments_are_encoded_as_coupang_expects() -> None:
    session = CapturingSession()
    _client(session).orders.list_ordersheets(
        created_at_from="2026-03-01+09:00", created_at_to="2026-03-02+09:00", status="ACCEPT", max_per_page=10
    )
    url = urlsplit(session.sent[-1].url)
    assert url.path == "/v2/providers/openapi/apis/api/v5/vendors/A00012345/ordersheets"
    assert url.query == "createdAtFrom=2026-03-01%2B09:00&createdAtTo=2026-03-02%2B09:00&status=ACCEPT&maxPerPage=10"


# --- legacy versions and PATCH twins ----------------------------------------------------------------


def test_legacy_true_picks_the_only_older_version() -> None:
    session = CapturingSession()
    _client(session).orders.get_ordersheet_by_shipmentboxid(shipment_box_id=1, legacy=True)
    assert "/api/v4/vendors/A00012345/ordersheets/1" in session.sent[-1].url


def test_legacy_true_is_refused_when_several_older_versions_exist() -> None:
    client = _client(CapturingSession())
    with pytest.raises(TypeError, match="choose one of"):
        client.logistics.list_outbound_shipping_places(legacy=True)
    with pytest.raises(TypeError, match="no variant"):
        client.orders.list_ordersheets(created_at_from="a", created_at_to="b", status="ACCEPT", legacy="v9")  # type: ignore[arg-type]


def test_a_parameter_only_an_older_version_knows_is_refused_on_the_current_one() -> None:
    session = CapturingSession()
    client = _client(session)
    with pytest.raises(TypeError, match="vendorItemId"):
        client.cs.list_online_inquiries(answered_type="ALL", vendor_item_id=5)
    assert not session.sent
    client.cs.list_online_inquiries(answered_type="ALL", vendor_item_id=5, legacy=True)
    assert "vendorItemId=5" in session.sent[-1].url and "/v4/" in session.sent[-1].url


def test_patch_twin_is_reached_with_patch_true() -> None:
    session = CapturingSession()
    _client(session).returns.approve(receipt_id=3, body={"vendorId": "A00012345"}, legacy="v4", patch=True)
    assert session.sent[-1].method == "PATCH" and "/v4/" in session.sent[-1].url


def test_deprecated_operations_warn() -> None:
    with pytest.warns(DeprecationWarning, match="getCategoryMetasByCategoryId"):
        _client(CapturingSession()).misc.get_category_metas_by_category_id(category_id=1)


# --- answers, errors, retries, hooks ----------------------------------------------------------------


def test_payload_is_unwrapped_and_raw_kept() -> None:
    session = CapturingSession({"code": 200, "message": "OK", "data": [{"a": 1}], "nextToken": ""})
    client = _client(session)
    assert client.products.list() == [{"a": 1}]
    assert client.last_response is not None and client.last_response.status == 200
    assert client.last_response.body["nextToken"] == ""
    assert isinstance(client.last_response.raw, requests.Response)


def test_bare_answers_are_returned_as_they_are() -> None:
    session = CapturingSession([{"settlementType": "MONTHLY"}])
    assert _client(session).settlement.get_settlement_histories(revenue_recognition_year_month="2026-02") == [
        {"settlementType": "MONTHLY"}
    ]


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, {"code": 400, "message": "취소반품접수내역이 존재하지 않습니다."}, ValidationError),
        (401, {"code": "ERROR", "message": "Invalid signature.", "transactionId": "t-1"}, AuthError),
        (404, {"code": 404, "message": "Not Found"}, NotFoundError),
        (500, {"code": 500, "message": "Internal Exception"}, ServerError),
    ],
)
def test_errors_are_typed_and_carry_coupangs_code_and_message(
    status: int, body: dict[str, Any], kind: type[CoupangError]
) -> None:
    client = _client(CapturingSession((status, body, {})), retry=RetryPolicy(max_retries=0))
    with pytest.raises(kind) as caught:
        client.returns.approve(receipt_id=1, body={})
    assert (caught.value.status, caught.value.code, caught.value.message) == (status, body["code"], body["message"])
    assert caught.value.response is not None and caught.value.body == body
    assert client.last_response is not None and client.last_response.status == status


def test_429_is_retried_with_backoff_and_the_hooks_see_every_attempt() -> None:
    busy = (429, {"code": "ERROR", "message": "Too Many Requests"}, {"Retry-After": "2"})
    session = CapturingSession(busy, (429, busy[1], {}), {"code": 200, "message": "OK", "data": True})
    slept: list[float] = []
    seen: list[tuple[str, Any]] = []
    client = _client(
        session,
        sleep=slept.append,
        seed=1,
        retry=RetryPolicy(max_retries=3, base_delay=0.5, max_delay=8.0),
        on_request=lambda method, path, query, body: seen.append(("request", method)),
        on_response=lambda method, path, response, seconds: seen.append(("response", response.status)),
    )
    # a POST: 429 means Coupang did not process it, so even a write is retried
    assert client.orders.complete_long_term_undelivery(body={"shipmentBoxId": 1, "invoiceNumber": "1"}) is True
    assert len(session.sent) == 3
    assert slept[0] == 2.0 and 0.5 <= slept[1] <= 1.0
    assert seen == [("request", "POST"), ("response", 429)] * 2 + [("request", "POST"), ("response", 200)]


def test_429_after_every_retry_raises_rate_limit_error() -> None:
    busy = (429, {"code": "ERROR", "message": "Too Many Requests"}, {})
    client = _client(CapturingSession(busy), sleep=lambda _: None, retry=RetryPolicy(max_retries=2))
    with pytest.raises(RateLimitError):
        client.products.get(seller_product_id=1)


def test_last_response_is_per_thread() -> None:
    import threading

    client = _client(CapturingSession())
    client.products.list()
    seen: list[ApiResponse | None] = []
    worker = threading.Thread(target=lambda: seen.append(client.last_response))
    worker.start()
    worker.join()
    assert seen == [None] and client.last_response is not None


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUPANG_ACCESS_KEY", "ak")
    monkeypatch.setenv("COUPANG_SECRET_KEY", "sk")
    monkeypatch.setenv("COUPANG_VENDOR_ID", "A00000001")
    monkeypatch.setenv("COUPANG_BASE_URL", "http://127.0.0.1:9/")
    client = CoupangClient.from_env()
    assert (client.vendor_id, client.base_url) == ("A00000001", "http://127.0.0.1:9")
    assert hasattr(client, "orders")


def test_py_typed_is_shipped() -> None:
    assert (Path(client_package.__file__).parent / "py.typed").exists()
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"coupang_mock.client" = ["py.typed"]' in pyproject


def test_client_sends_a_fresh_signature_each_time() -> None:
    moments = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)])
    session = CapturingSession()
    client = CoupangClient(
        "ak", "sk", "A00012345", base_url="http://mock.test", session=session, now=lambda: next(moments)
    )
    client.request("GET", "/x")
    client.request("GET", "/x")
    first, second = (parse_authorization(r.headers["Authorization"]) for r in session.sent)
    assert first and second and first.signed_date != second.signed_date


# --- paging -----------------------------------------------------------------------------------------


def _pages(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _answer(body: Any) -> ApiResponse:
    return ApiResponse(200, body, requests.Response())


def _fake_listing(style: str, pages: list[list[int]], calls: list[Any]) -> Callable[[Any], ApiResponse]:
    """One Coupang listing per paging style, answering like the documented envelopes."""

    def fetch(position: Any) -> ApiResponse:
        calls.append(position)
        if style == "nextToken":
            index = int(position or 0)
            following = str(index + 1) if index + 1 < len(pages) else ""
            return _answer({"code": 200, "message": "OK", "data": pages[index], "nextToken": following})
        if style == "token":
            index = int(position or 0)
            more = index + 1 < len(pages)
            body = {"code": 200, "message": "OK", "data": pages[index], "hasNext": more}
            return _answer({**body, "nextToken": str(index + 1) if more else ""})
        if style == "pageIndex":
            following = str(position + 1) if position < len(pages) else ""
            return _answer({"code": 200, "message": "OK", "data": pages[position - 1], "nextPageIndex": following})
        if style == "pagination":
            pagination = {"currentPage": position, "totalPages": len(pages), "totalElements": 0, "countPerPage": 1}
            return _answer(
                {"code": 200, "message": "OK", "data": {"content": pages[position - 1], "pagination": pagination}}
            )
        # plain page numbers without pagination: an empty page ends the listing
        page = pages[position - 1] if position <= len(pages) else []
        return _answer({"code": 200, "message": "OK", "data": {"content": page}})

    return fetch


STYLES = {"nextToken": "nextToken", "token": "token", "pageIndex": "pageIndex", "pagination": "page", "bare": "page"}


@pytest.mark.parametrize("fake_style", sorted(STYLES))
@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.integers(), max_size=30), size=st.integers(min_value=1, max_value=7))
def test_pager_yields_every_item_once_in_order(fake_style: str, items: list[int], size: int) -> None:
    calls: list[Any] = []
    pager = Pager(_fake_listing(fake_style, _pages(items, size), calls), STYLES[fake_style])
    assert list(pager) == items
    first = {"nextToken": None, "token": "", "pageIndex": 1, "pagination": 1, "bare": 1}[fake_style]
    assert calls[0] == first


@pytest.mark.parametrize("fake_style", sorted(STYLES))
def test_pager_is_lazy(fake_style: str) -> None:
    calls: list[Any] = []
    pager = Pager(_fake_listing(fake_style, _pages(list(range(20)), 3), calls), STYLES[fake_style])
    assert calls == []
    assert list(itertools.islice(pager, 4)) == [0, 1, 2, 3]
    assert len(calls) == 2


def test_generated_pager_sends_the_cursor_and_keeps_the_other_arguments() -> None:
    session = CapturingSession(
        {"code": 200, "message": "OK", "data": [1, 2], "nextToken": "abc"},
        {"code": 200, "message": "OK", "data": [3], "nextToken": ""},
    )
    items = list(
        _client(session).returns.list_all(
            search_type="timeFrame", created_at_from="2026-03-01T00:00", created_at_to="2026-03-01T01:00"
        )
    )
    assert items == [1, 2, 3]
    first, second = (parse_qs(urlsplit(r.url).query) for r in session.sent)
    assert "nextToken" not in first and second["nextToken"] == ["abc"]
    assert first["createdAtFrom"] == second["createdAtFrom"] == ["2026-03-01T00:00"]


def test_every_pageable_operation_has_a_pager() -> None:
    client = _client(CapturingSession())
    pageable = {
        op.operation_id
        for op in OPERATIONS.values()
        if {"nextToken", "token", "pageNum", "pageIndex", "page"}
        & {p["name"] for p in op.parameters if p["in"] == "query"}
    }
    for operation_id in pageable:
        family, name, _ = generated.METHODS[operation_id]
        assert callable(getattr(getattr(client, family), f"{name}_all")), operation_id
