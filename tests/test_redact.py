"""Redaction of recordings: no personal value survives, fakes keep their format, joins line up."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server.proxy import Exchange, redact_exchange
from coupang_mock.server.redact import EMAIL_RE, SECRET_MARK, Redactor, field_kind

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
names = st.text(HANGUL, min_size=3, max_size=3)
phones = st.from_regex(r"\A(010|011|0502|0503|0504|02|031)-\d{4}-\d{4}\Z")
emails = st.from_regex(r"\A[a-z][a-z0-9]{4,9}@[a-z]{3,8}\.(com|co\.kr|net)\Z")
zips = st.from_regex(r"\A\d{5}\Z")
customs = st.from_regex(r"\AP\d{12}\Z")
accounts = st.from_regex(r"\A\d{3}-\d{6}-\d{5}\Z")
addr1s = st.builds(
    lambda city, road, n: f"서울특별시 {city}구 {road}로 {n}", st.text(HANGUL, min_size=2, max_size=3),
    st.text(HANGUL, min_size=2, max_size=4), st.integers(1, 999),
)  # fmt: skip
addr2s = st.builds(lambda word, n: f"{word}빌딩 {n}층", st.text(HANGUL, min_size=2, max_size=4), st.integers(1, 80))
texts = st.text(HANGUL | st.sampled_from(" .?!"), min_size=12, max_size=60)
ids = st.integers(10**13, 10**18)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """An order sheet, a return request, an inquiry and a settlement row sharing one buyer, plus the
    personal values in them by kind."""
    buyer, receiver = draw(names), draw(names)
    phone, safe, email = draw(phones), draw(phones), draw(emails)
    zip_code, pccc, account = draw(zips), draw(customs), draw(accounts)
    addr1, addr2, note, question = draw(addr1s), draw(addr2s), draw(texts), draw(texts)
    order = {
        "shipmentBoxId": draw(ids),
        "orderId": draw(ids),
        "orderer": {"name": buyer, "email": email, "safeNumber": safe, "ordererNumber": phone},
        "receiver": {"name": receiver, "safeNumber": safe, "addr1": addr1, "addr2": addr2, "postCode": zip_code},
        "parcelPrintMessage": note,
        "overseaShippingInfoDto": {"personalCustomsClearanceCode": pccc, "ordererPhoneNumber": phone},
        "orderItems": [{"vendorItemId": draw(ids), "vendorItemName": "사과 1kg"}],
    }
    returned = {
        "receiptId": draw(ids),
        "requesterName": buyer,
        "requesterPhoneNumber": safe,
        "requesterRealPhoneNumber": phone,
        "requesterAddress": addr1,
        "requesterAddressDetail": addr2,
        "requesterZipCode": zip_code,
    }
    inquiry = {
        "inquiryId": draw(ids),
        "content": question,
        "commentDtoList": [{"content": f"{note} 연락처 {phone} / {email}"}],
        "buyerEmail": email,
    }
    settlement = {"bankAccount": account, "bankAccountHolder": buyer}
    personal = {
        "name": [buyer, receiver],
        "phone": [phone, safe],
        "email": [email],
        "zip": [zip_code],
        "customs": [pccc],
        "account": [account],
        "address": [addr1, addr2],
        "text": [note, question],
    }
    body = {"code": 200, "message": "OK", "data": [order, returned, inquiry, settlement]}
    return body, personal


def _exchange(body: dict[str, Any], phone: str, email: str) -> Exchange:
    return Exchange(
        started=datetime(2026, 3, 2, tzinfo=UTC),
        seconds=0.002,
        method="POST",
        path=f"/v2/providers/openapi/apis/api/v4/vendors/A00012345/inquiries/{quote(email)}",
        query=f"receiverPhone={quote(phone)}&status=ACCEPT&accessToken=abc123",
        request_headers=[("Authorization", "CEA algorithm=HmacSHA256, access-key=ak, signature=s"), ("Cookie", "c=1")],
        request_body=json.dumps({"content": body["data"][2]["content"], "replyBy": "wing_id"}).encode(),
        status=200,
        response_headers=[("Content-Type", "application/json"), ("X-Note", f"call {phone}")],
        response_body=json.dumps(body, ensure_ascii=False).encode(),
    )


def _scalars(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _scalars(v)]
    if isinstance(node, list):
        return [s for v in node for s in _scalars(v)]
    return [] if node is None else [str(node)]


FORMATS = {
    "phone": lambda original: re.sub(r"\d", r"\\d", re.escape(original)),
    "email": lambda _original: EMAIL_RE.pattern,
    "zip": lambda _original: r"\d{5}",
    "customs": lambda _original: r"P\d{12}",
    "account": lambda original: re.sub(r"\d", r"\\d", re.escape(original)),
    "name": lambda _original: r"[\uac00-\ud7a3]{3}",
}


@given(payloads())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_personal_value_survives_anywhere_in_a_recording(case: tuple[dict[str, Any], dict[str, list[str]]]) -> None:
    body, personal = case
    phone, email = personal["phone"][0], personal["email"][0]
    record = redact_exchange(Redactor(), _exchange(body, phone, email))
    text = json.dumps(record, ensure_ascii=False)
    leaves = (
        set(_scalars(record)) | set(record["request"]["path"].split("/")) | set(record["request"]["query"].split("="))
    )
    for kind, values in personal.items():
        for value in values:
            assert value not in leaves, (kind, value)
            if len(value) >= 8:  # a 5-digit zip may legitimately occur inside an 18-digit id
                assert value not in text and quote(value) not in text, (kind, value)
    assert "CEA algorithm" not in text and "abc123" not in text and "Cookie" not in text


@given(payloads())
@settings(max_examples=40, deadline=None)
def test_redacted_values_keep_their_format_and_join(case: tuple[dict[str, Any], dict[str, list[str]]]) -> None:
    body, _ = case
    redactor = Redactor()
    order, returned, inquiry, settlement = redactor.json(body)["data"]
    original = body["data"][0]
    checks = {
        "phone": (original["orderer"]["safeNumber"], order["orderer"]["safeNumber"]),
        "email": (original["orderer"]["email"], order["orderer"]["email"]),
        "zip": (original["receiver"]["postCode"], order["receiver"]["postCode"]),
        "customs": (
            original["overseaShippingInfoDto"]["personalCustomsClearanceCode"],
            order["overseaShippingInfoDto"]["personalCustomsClearanceCode"],
        ),
        "account": (body["data"][3]["bankAccount"], settlement["bankAccount"]),
        "name": (original["orderer"]["name"], order["orderer"]["name"]),
    }
    for kind, (before, after) in checks.items():
        assert re.fullmatch(FORMATS[kind](before), after), (kind, before, after)
        assert after != before
    # the same person and numbers redact alike everywhere, so joins still line up
    assert returned["requesterName"] == order["orderer"]["name"] == settlement["bankAccountHolder"]
    assert returned["requesterPhoneNumber"] == order["receiver"]["safeNumber"] == order["orderer"]["safeNumber"]
    assert returned["requesterZipCode"] == order["receiver"]["postCode"]
    assert inquiry["buyerEmail"] == order["orderer"]["email"]
    assert order["orderId"] == original["orderId"] and order["orderItems"] == original["orderItems"]  # not personal


def test_the_same_value_in_a_query_and_a_body_becomes_the_same_fake() -> None:
    redactor = Redactor()
    query = redactor.query("receiverPhone=010-1234-5678&status=ACCEPT")
    body = redactor.json({"receiver": {"safeNumber": "010-1234-5678"}})
    assert query == "receiverPhone=" + quote(body["receiver"]["safeNumber"], safe="") + "&status=ACCEPT"


def test_another_recording_gets_other_fakes() -> None:
    value = {"receiver": {"name": "홍길동", "safeNumber": "0502-1234-5678"}}
    assert Redactor(b"a" * 32).json(value) != Redactor(b"b" * 32).json(value)
    assert Redactor(b"a" * 32).json(value) == Redactor(b"a" * 32).json(value)


@pytest.mark.parametrize(
    ("key", "parent", "kind"),
    [
        ("name", "receiver", "name"),
        ("name", "orderer", "name"),
        ("name", None, None),  # a product or category name
        ("name", "brand", None),
        ("safeNumber", None, "phone"),
        ("requesterRealPhoneNumber", None, "phone"),
        ("addr1", "receiver", "address"),
        ("returnAddressDetail", None, "address"),
        ("postCode", None, "zip"),
        ("deliveryAddressZipCode", None, "zip"),
        ("buyerEmail", None, "email"),
        ("personalCustomsClearanceCode", None, "customs"),
        ("bankAccount", None, "account"),
        ("ordererSsn", None, "ssn"),
        ("content", None, "text"),
        ("parcelPrintMessage", None, "text"),
        ("vendorItemName", None, None),
        ("message", None, None),  # error texts stay: they are what drift reports compare
        ("shipmentBoxId", None, None),
    ],
)
def test_field_kinds(key: str, parent: str | None, kind: str | None) -> None:
    assert field_kind(key, parent) == kind


@pytest.mark.parametrize(
    "name", ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Secret-Key", "X-Auth-Token"]
)
def test_secret_headers_are_never_recorded(name: str) -> None:
    kept = Redactor().headers([(name, "s3cr3t"), ("X-Requested-By", "A00012345")])
    assert kept == {"X-Requested-By": "A00012345"}


@pytest.mark.parametrize(
    ("text", "survives", "shape"),
    [
        ("문의: 010-2222-3333 으로 연락 바랍니다", "010-2222-3333", r"문의: 010-\d{4}-\d{4} 으로 연락 바랍니다"),
        (
            "mail me at kim.minsu@example.co.kr please",
            "kim.minsu@example.co.kr",
            rf"mail me at {EMAIL_RE.pattern} please",
        ),
        ("통관부호 P123456789012 입니다", "P123456789012", r"통관부호 P\d{12} 입니다"),
        ("안심번호 +82-504-1636-1453", "+82-504-1636-1453", r"안심번호 \+82-504-\d{4}-\d{4}"),
        ("01098765432", "01098765432", r"010\d{8}"),
    ],
)
def test_patterns_are_redacted_in_any_string(text: str, survives: str, shape: str) -> None:
    redacted = Redactor().json({"anyField": text})["anyField"]
    assert survives not in redacted
    assert re.fullmatch(shape, redacted)


@pytest.mark.parametrize(
    "text",
    [
        "shipmentBoxId 222498000000000001",
        "9b0e6e40-2b3f-4b64-8a60-6f0d2d1c0e11",
        "2026-03-02T10:00:00+09:00",
        "Required String parameter 'status' is not present",
    ],
)
def test_ids_dates_and_messages_are_left_alone(text: str) -> None:
    assert Redactor().text(text) == text


def test_secret_query_values_are_masked_and_the_rest_of_the_query_is_byte_identical() -> None:
    assert Redactor().query("a=%2c&token=xyz&b=1+2") == f"a=%2c&token={quote(SECRET_MARK)}&b=1+2"
    assert Redactor().query("nextToken=123&maxPerPage=10") == "nextToken=123&maxPerPage=10"  # a paging cursor
