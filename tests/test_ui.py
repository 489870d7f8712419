"""The dashboard's server side: journal fields, JSON routes, HMAC diagnosis, state view, docs rendering."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.client.signing import authorization_header, format_signed_date, sign, signature, string_to_sign
from coupang_mock.server.auth import Authenticator
from coupang_mock.server.core import JOURNAL_BODY_CAP, MockServices
from coupang_mock.server.domains.orders import BOX_MACHINE
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from coupang_mock.server.store import INDEXES
from coupang_mock.server.ui import markdown
from coupang_mock.server.ui.diagnose import (
    HINTS,
    mistake_hint,
    received_string_to_sign,
    signed_variant,
    signing_mistakes,
    text_diff,
)

V = DEFAULT_VENDOR_ID
ORDERSHEETS = f"/v2/providers/openapi/apis/api/v5/vendors/{V}/ordersheets"
QUERY = "createdAtFrom=2026-03-01&createdAtTo=2026-03-02&status=ACCEPT"
ACK = f"/v2/providers/openapi/apis/api/v5/vendors/{V}/ordersheets/acknowledgement"


def signed(method: str, path: str, query: str = "", at: datetime | None = None, key: str = DEFAULT_SECRET_KEY) -> str:
    return sign(DEFAULT_ACCESS_KEY, key, method, path, query, at or datetime.now(UTC))


@pytest.fixture
def wall_services(settings: Settings) -> MockServices:
    """Real wall time: the journal's 401 diagnosis compares the signed-date with it."""
    return MockServices(settings)


@pytest.fixture
def http(wall_services: MockServices) -> Any:
    from coupang_mock.server.app import create_app

    return create_app(services=wall_services).test_client()


def newest(http: Any, **params: str) -> dict[str, Any]:
    rows = http.get("/_mock/ui/api/journal", query_string=params).get_json()
    entry: dict[str, Any] = http.get(f"/_mock/journal/{rows[0]['id']}").get_json()
    return entry


def order_box(http: Any, vendor: str = V) -> tuple[int, int]:
    item = http.post(
        f"/_mock/vendors/{vendor}/catalog/items",
        json={"items": [{"itemName": "대시보드", "salePrice": 1000, "quantity": 9}]},
    ).get_json()["vendorItemIds"][0]
    order = http.post(f"/_mock/vendors/{vendor}/orders", json={"items": [{"vendorItemId": item, "quantity": 1}]})
    assert order.status_code == 201
    return order.get_json()["orderId"], order.get_json()["shipmentBoxIds"][0]


# ---------------------------------------------------------------- journal entries


def test_journal_entry_keeps_headers_with_the_signature_masked_bodies_latency_and_an_id(http: Any) -> None:
    _order_id, box = order_box(http)
    header = signed("PUT", ACK)
    body = {"vendorId": V, "shipmentBoxIds": [box]}
    answer = http.put(ACK, json=body, headers={"Authorization": header})
    assert answer.status_code == 200
    entry = newest(http, vendorId=V)
    assert entry["operationId"] == "acknowledgeOrdersheets" and entry["status"] == 200
    shown = entry["requestHeaders"]["Authorization"]
    sent_signature = header.rsplit("signature=", 1)[1]
    assert sent_signature not in shown and shown.endswith(f"signature={sent_signature[:4]}…")
    assert shown.startswith(header.rsplit("signature=", 1)[0])  # access key and signed-date stay readable
    assert '"shipmentBoxIds"' in entry["requestBody"] and entry["requestBodyTruncated"] is False
    assert entry["responseBody"] == answer.get_data(as_text=True)
    assert isinstance(entry["latencyMs"], float) and entry["latencyMs"] >= 0
    assert isinstance(entry["id"], int)


def test_journal_bodies_are_capped(http: Any) -> None:
    big = b'{"vendorId": "' + V.encode() + b'", "pad": "' + b"x" * (JOURNAL_BODY_CAP * 2) + b'"}'
    http.put(ACK, data=big, content_type="application/json", headers={"Authorization": signed("PUT", ACK)})
    entry = newest(http, vendorId=V)
    assert entry["requestBodyTruncated"] is True
    assert len(entry["requestBody"].encode()) <= JOURNAL_BODY_CAP


def test_journal_ids_increase_and_filters_apply(http: Any) -> None:
    http.get(ORDERSHEETS + "?" + QUERY, headers={"Authorization": signed("GET", ORDERSHEETS, QUERY)})
    http.get(ORDERSHEETS + "?" + QUERY)  # unsigned: 401
    http.get("/no/such/path")
    rows = http.get("/_mock/ui/api/journal").get_json()
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert [r["status"] for r in http.get("/_mock/ui/api/journal?status=401").get_json()] == [401]
    assert {r["status"] for r in http.get("/_mock/ui/api/journal?status=4xx").get_json()} == {401, 404}
    listed = http.get("/_mock/ui/api/journal?operationId=ordersheets").get_json()
    assert {r["operationId"] for r in listed} == {"listOrdersheets"} and len(listed) == 2
    assert [r["status"] for r in http.get(f"/_mock/ui/api/journal?vendorId={V}").get_json()] == [200]
    assert len(http.get("/_mock/ui/api/journal?limit=1").get_json()) == 1


@pytest.mark.parametrize("bad", ["-1", "x", "1.5"])
def test_journal_limit_must_be_a_count(http: Any, bad: str) -> None:
    answer = http.get(f"/_mock/ui/api/journal?limit={bad}")
    assert answer.status_code == 400 and answer.get_json()["message"] == "limit must be a non-negative integer"


def test_unknown_journal_entry_is_404(http: Any) -> None:
    assert http.get("/_mock/journal/999999").status_code == 404
    assert http.get("/_mock/journal/999999/curl").status_code == 404


def test_a_refused_signature_is_listed_under_the_key_owner_with_its_diagnosis(http: Any) -> None:
    wrong = signed("GET", ORDERSHEETS, "?" + QUERY)
    assert http.get(f"{ORDERSHEETS}?{QUERY}", headers={"Authorization": wrong}).status_code == 401
    entry = newest(http, vendorId=V)
    assert entry.get("vendorId") is None and entry["keyVendorId"] == V
    assert entry["auth"] == "Invalid signature."
    assert [c["check"] for c in entry["authChecks"] if not c["ok"]] == ["signature"]
    assert entry["receivedStringToSign"] == entry["expectedStringToSign"].replace("ordersheets", "ordersheets?")
    assert entry["stringToSignDiff"]["expected"] == "" and entry["stringToSignDiff"]["received"] == "?"


# ---------------------------------------------------------------- copy as curl


def test_curl_line_is_signed_now_and_replays_the_request(http: Any, wall_services: MockServices) -> None:
    _order_id, box = order_box(http)
    wrong = signed("PUT", ACK, key="not-the-secret")
    assert (
        http.put(ACK, json={"vendorId": V, "shipmentBoxIds": [box]}, headers={"Authorization": wrong}).status_code
        == 401
    )
    entry = newest(http, status="401")
    line = http.get(f"/_mock/journal/{entry['id']}/curl").get_data(as_text=True)
    words = shlex.split(line)
    assert words[:4] == ["curl", "-sS", "-X", "PUT"] and words[4] == f"http://localhost{ACK}"
    header = words[words.index("-H") + 1].removeprefix("Authorization: ")
    body = words[words.index("--data-raw") + 1]
    replay = http.put(ACK, data=body, content_type="application/json", headers={"Authorization": header})
    assert replay.status_code == 200, replay.get_data(as_text=True)
    assert "Content-Type: application/json" in words


def test_curl_of_an_unsigned_request_names_no_vendor(http: Any) -> None:
    http.get(ORDERSHEETS)
    entry = newest(http)
    answer = http.get(f"/_mock/journal/{entry['id']}/curl")
    assert answer.status_code == 409 and "coupang-mock sign" in answer.get_json()["message"]


# ---------------------------------------------------------------- HMAC diagnosis


NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VENDOR = {"vendorId": V, "secretKey": DEFAULT_SECRET_KEY, "issuedAt": (NOW - timedelta(days=10)).isoformat()}


def lookup(key: str) -> dict[str, Any] | None:
    return VENDOR if key == DEFAULT_ACCESS_KEY else None


class Keys:
    """The one registry call the authenticator makes."""

    by_access_key = staticmethod(lookup)


def header_at(at: datetime, *, algorithm: str = "HmacSHA256", access: str = DEFAULT_ACCESS_KEY) -> str:
    date = format_signed_date(at)
    sig = signature(DEFAULT_SECRET_KEY, string_to_sign(date, "GET", ORDERSHEETS, QUERY))
    return authorization_header(access, date, sig).replace("HmacSHA256", algorithm)


@pytest.mark.parametrize(
    ("header", "kwargs", "verdict"),
    [
        (None, {}, "header"),
        ("Bearer abc", {}, "format"),
        (header_at(NOW, algorithm="HmacSHA1"), {}, "algorithm"),
        (header_at(NOW).replace(format_signed_date(NOW), "2026-03-02"), {}, "signedDate"),
        (header_at(NOW - timedelta(minutes=6)), {}, "dateSkew"),
        (header_at(NOW + timedelta(minutes=6)), {}, "dateSkew"),
        (header_at(NOW, access="unknown-key"), {}, "accessKey"),
        (header_at(NOW), {"key_now": NOW + timedelta(days=171)}, "keyAge"),
        (header_at(NOW), {"path": ORDERSHEETS + "/x"}, "signature"),
        (header_at(NOW), {}, None),
    ],
    ids=["missing", "format", "algorithm", "date-format", "late", "early", "key", "key-age", "signature", "ok"],
)
def test_the_debugger_shows_the_gateways_checks_and_the_first_failing_is_the_verdict(
    header: str | None, kwargs: dict[str, Any], verdict: str | None
) -> None:
    path, key_now = kwargs.get("path", ORDERSHEETS), kwargs.get("key_now", NOW)
    checks = Authenticator(Keys(), 300, 180).diagnose(header, "GET", path, QUERY, NOW, key_now)  # type: ignore[arg-type]
    assert next((c["check"] for c in checks if not c["ok"]), None) == verdict
    assert all(c["detail"] for c in checks)


def mistakes(header: str | None, path: str = ORDERSHEETS) -> dict[str, Any]:
    return signing_mistakes(header, "GET", path, QUERY, lookup=lookup)


def test_a_good_signature_shows_the_same_string_on_both_sides() -> None:
    report = mistakes(header_at(NOW))
    assert report["vendorId"] == V
    assert report["receivedStringToSign"] == report["expectedStringToSign"]
    assert report["expectedStringToSign"] == f"{format_signed_date(NOW)}GET{ORDERSHEETS}{QUERY}"
    assert report["diff"] is None and report["hint"] is None


def test_a_signature_over_another_path_is_found_and_named() -> None:
    sent = header_at(NOW)  # signed for ORDERSHEETS, sent to ORDERSHEETS + "/"
    report = mistakes(sent, ORDERSHEETS + "/")
    assert report["receivedStringToSign"] == f"{format_signed_date(NOW)}GET{ORDERSHEETS}{QUERY}"
    assert report["diff"]["expected"] == "/" and report["diff"]["received"] == ""
    assert report["hint"] == HINTS["trailing slash"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer abc",
        header_at(NOW).replace(format_signed_date(NOW), "2026-03-02"),
    ],
    ids=["missing", "format", "date-format"],
)
def test_no_string_to_sign_without_a_readable_header(header: str | None) -> None:
    assert set(mistakes(header).values()) == {None}


@pytest.mark.parametrize(
    "header",
    [header_at(NOW, access="unknown-key"), header_at(NOW).rsplit("signature=", 1)[0] + "signature=ab12…"],
    ids=["unknown-key", "masked"],
)
def test_the_expected_string_alone_when_the_signature_cannot_be_checked(header: str) -> None:
    report = mistakes(header)
    assert report["expectedStringToSign"] == f"{format_signed_date(NOW)}GET{ORDERSHEETS}{QUERY}"
    assert report["receivedStringToSign"] is None and report["hint"] is None
    assert report["vendorId"] == (None if "unknown-key" in header else V)


MISTAKES = [
    ("question mark", lambda p, q: (p, "?" + q)),
    ("no query", lambda p, q: (p, "")),
    ("decoded query", lambda p, q: (p, q.replace("%2B", "+"))),
    ("decoded path", lambda p, q: (p.replace("%20", " "), q)),
    ("trailing slash", lambda p, q: (p + "/", q)),
]


@pytest.mark.parametrize(("name", "mistake"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_the_usual_mistakes_are_recognised(name: str, mistake: Any) -> None:
    path, query = "/v2/a%20b/ordersheets", "createdAtFrom=2026-03-01%2B09:00&status=ACCEPT"
    date = format_signed_date(NOW)
    sent_path, sent_query = mistake(path, query)
    sent = signature(DEFAULT_SECRET_KEY, f"{date}GET{sent_path}{sent_query}")
    found = received_string_to_sign(DEFAULT_SECRET_KEY, date, "GET", path, query, sent)
    assert found == f"{date}GET{sent_path}{sent_query}"


@pytest.mark.parametrize(("name", "mistake"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_named(name: str, mistake: Any) -> None:
    path, query = "/v2/a%20b/ordersheets", "createdAtFrom=2026-03-01%2B09:00&status=ACCEPT"
    date = format_signed_date(NOW)
    sent_path, sent_query = mistake(path, query)
    sent = signature(DEFAULT_SECRET_KEY, f"{date}GET{sent_path}{sent_query}")
    found = signed_variant(DEFAULT_SECRET_KEY, date, "GET", path, query, sent)
    assert found is not None and found[1] == [name]
    assert mistake_hint(found[1]) == HINTS[name]


def test_a_wrong_secret_matches_no_variant() -> None:
    date = format_signed_date(NOW)
    sent = signature("another-secret", f"{date}GET{ORDERSHEETS}{QUERY}")
    assert received_string_to_sign(DEFAULT_SECRET_KEY, date, "GET", ORDERSHEETS, QUERY, sent) is None
    assert mistake_hint(None).startswith("No usual variant")


@given(st.text(max_size=30), st.text(max_size=30))
def test_text_diff_rebuilds_both_strings(expected: str, received: str) -> None:
    diff = text_diff(expected, received)
    assert diff is not None
    assert diff["prefix"] + diff["expected"] + diff["suffix"] == expected
    assert diff["prefix"] + diff["received"] + diff["suffix"] == received


def test_diagnose_route_checks_a_pasted_header_and_a_journal_entry(http: Any) -> None:
    wrong = signed("GET", ORDERSHEETS, "?" + QUERY)
    report = http.post(
        "/_mock/auth/diagnose", json={"authorization": wrong, "method": "GET", "path": ORDERSHEETS, "query": QUERY}
    ).get_json()
    assert [c["check"] for c in report["checks"] if not c["ok"]] == ["signature"]
    assert report["diff"]["received"] == "?" and report["hint"] == HINTS["question mark"]
    http.get(f"{ORDERSHEETS}?{QUERY}", headers={"Authorization": wrong})
    entry_id = http.get("/_mock/ui/api/journal").get_json()[0]["id"]
    stored = http.post("/_mock/auth/diagnose", json={"journalId": entry_id}).get_json()
    assert [(c["check"], c["ok"]) for c in stored["checks"]] == [(c["check"], c["ok"]) for c in report["checks"]]
    assert stored["request"]["path"] == ORDERSHEETS and stored["request"]["query"] == QUERY


PATH_AND_METHOD = "method and path are required (path as sent, starting with '/', without the query)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"authorization": "x", "path": "/a"}, PATH_AND_METHOD),
        ({"authorization": "x", "method": "GET"}, PATH_AND_METHOD),
        ({"authorization": 5, "method": "GET", "path": "/a"}, "authorization must be a string"),
        ({"journalId": "abc"}, "journalId must be an integer"),
    ],
)
def test_diagnose_route_refuses_bad_input(http: Any, body: dict[str, Any], message: str) -> None:
    answer = http.post("/_mock/auth/diagnose", json=body)
    assert answer.status_code == 400 and answer.get_json()["message"] == message


# ---------------------------------------------------------------- state view


def test_state_lists_by_status_and_offers_the_events_of_the_table(http: Any) -> None:
    order_id, box = order_box(http)
    listing = http.get(f"/_mock/ui/api/vendors/{V}/state/boxes").get_json()
    assert [r["id"] for r in listing["records"]] == [box] and listing["total"] == 1
    counts = {s["status"]: s["count"] for s in listing["statuses"]}
    assert counts["ACCEPT"] == 1 and counts["INSTRUCT"] == 0
    assert http.get(f"/_mock/ui/api/vendors/{V}/state/boxes?status=INSTRUCT").get_json()["records"] == []
    detail = http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()
    assert {a["label"] for a in detail["actions"]} == {"acknowledge (발주확인)", "buyer cancels"}
    cancel = next(a for a in detail["actions"] if a["label"] == "buyer cancels")
    assert cancel["url"] == f"/_mock/vendors/{V}/orders/{order_id}/cancel"
    assert http.post(cancel["url"], json=cancel["body"]).status_code == 200
    after = http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()
    assert after["state"] == "CANCELED" and after["actions"] == []
    assert http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}?only=record").get_json() == {
        "record": after["record"]
    }
    assert after["history"][0]["what"] == "ACCEPT"


def test_seller_calls_go_through_the_gateway_and_the_buttons_reach_delivered(http: Any) -> None:
    _order_id, box = order_box(http)
    base = f"/_mock/ui/api/vendors/{V}/boxes/{box}/seller"
    for action, state in (("acknowledge", "INSTRUCT"), ("invoice", "DEPARTURE")):
        answer = http.post(f"{base}/{action}").get_json()
        assert answer["status"] == 200, answer
        assert http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()["state"] == state
    journal = http.get(f"/_mock/ui/api/journal?vendorId={V}").get_json()
    assert [r["operationId"] for r in journal[:2]] == ["uploadInvoices", "acknowledgeOrdersheets"]
    detail = http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()
    deliver = next(a for a in detail["actions"] if a["label"] == "courier delivers")
    assert http.post(deliver["url"], json=deliver["body"]).get_json()["status"] == "FINAL_DELIVERY"
    labels = {a["label"] for a in http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()["actions"]}
    assert labels == {"buyer confirms purchase", "buyer returns", "buyer asks for an exchange"}
    # a seller call the table refuses is reported as Coupang answered it (200 with a failed row), not raised
    again = http.post(f"{base}/acknowledge").get_json()
    assert again["status"] == 200 and again["body"]["data"]["responseList"][0]["succeed"] is False


def test_return_button_creates_a_receipt_with_its_own_buttons(http: Any) -> None:
    _order_id, box = order_box(http)
    for action in ("acknowledge", "invoice"):
        http.post(f"/_mock/ui/api/vendors/{V}/boxes/{box}/seller/{action}")
    http.post(f"/_mock/vendors/{V}/shipments/{box}/track", json={"event": "DELIVERED"})
    detail = http.get(f"/_mock/ui/api/vendors/{V}/state/boxes/{box}").get_json()
    ret = next(a for a in detail["actions"] if a["label"] == "buyer returns")
    created = http.post(ret["url"], json=ret["body"])
    assert created.status_code == 201, created.get_json()
    receipts = http.get(f"/_mock/ui/api/vendors/{V}/state/receipts").get_json()["records"]
    assert [r["id"] for r in receipts] == [created.get_json()["receiptId"]]
    receipt = http.get(f"/_mock/ui/api/vendors/{V}/state/receipts/{receipts[0]['id']}").get_json()
    assert "buyer withdraws" in {a["label"] for a in receipt["actions"]}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/_mock/ui/api/vendors/A99999999/state/boxes", 404),
        (f"/_mock/ui/api/vendors/{V}/state/nothing", 404),
        (f"/_mock/ui/api/vendors/{V}/state/boxes/abc", 400),
        (f"/_mock/ui/api/vendors/{V}/state/boxes/123", 404),
    ],
)
def test_state_routes_refuse_unknown_things(http: Any, url: str, status: int) -> None:
    answer = http.get(url)
    assert answer.status_code == status and "message" in answer.get_json()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("boxes/1/seller/ship", 404),
        ("boxes/1/seller/acknowledge", 404),
        ("boxes/x/seller/invoice", 400),
        ("receipts/1/seller/acknowledge", 404),
        ("products/1/seller/request-approval", 404),
    ],
)
def test_seller_call_refuses_unknown_action_or_record(http: Any, path: str, status: int) -> None:
    answer = http.post(f"/_mock/ui/api/vendors/{V}/{path}")
    assert answer.status_code == status and answer.get_json()["message"]


def test_seller_requests_approval_then_the_reviewer_decides(http: Any) -> None:
    product = http.post(f"/_mock/vendors/{V}/catalog/quick-product", json={"approve": False}).get_json()
    url = f"/_mock/ui/api/vendors/{V}/state/products/{product['sellerProductId']}"
    detail = http.get(url).get_json()
    assert detail["state"] == "SAVED" and [a["actor"] for a in detail["actions"]] == ["seller"]
    assert http.post(detail["actions"][0]["url"]).get_json()["status"] == 200
    detail = http.get(url).get_json()
    assert detail["state"] == "APPROVING"
    deny = next(a for a in detail["actions"] if a["label"] == "reviewer denies")
    assert http.post(deny["url"], json=deny["body"]).status_code == 200
    detail = http.get(url).get_json()
    assert detail["state"] == "DENIED" and "대시보드에서 반려" in detail["history"][-1]["what"]


def test_every_viewed_kind_has_both_indexes() -> None:
    from coupang_mock.server.ui import state

    for kind in state.VIEWS:
        assert {"byStatus", "recent"} <= set(INDEXES[kind]), kind


# ---------------------------------------------------------------- faults, throttle, clocks, coverage, guard


def test_one_fault_is_removed_by_id(http: Any) -> None:
    first = http.post("/_mock/faults", json={"status": 500, "operationId": "a"}).get_json()
    second = http.post("/_mock/faults", json={"status": 500, "operationId": "b"}).get_json()
    assert http.delete(f"/_mock/faults/{first['id']}").get_json() == {"removed": first["id"]}
    assert [r["id"] for r in http.get("/_mock/faults").get_json()] == [second["id"]]
    assert http.delete(f"/_mock/faults/{first['id']}").status_code == 404


def test_throttle_and_clocks_are_readable(http: Any) -> None:
    http.put("/_mock/throttle", json={"vendorId": V, "enabled": True, "ratePerSecond": 3, "burst": 4})
    shown = http.get(f"/_mock/ui/api/throttle?vendorId={V}").get_json()
    assert (shown["enabled"], shown["ratePerSecond"], shown["burst"]) == (True, 3, 4)
    http.post("/_mock/clock", json={"vendorId": V, "advanceSeconds": 86400})
    clocks = {c["vendorId"]: c["now"] for c in http.get("/_mock/ui/api/clocks").get_json()["clocks"]}
    assert datetime.fromisoformat(clocks[V]) - datetime.fromisoformat(clocks[None]) > timedelta(hours=23)


def test_machine_svg_highlights_exercised_edges(http: Any) -> None:
    _order_id, box = order_box(http)
    http.post(f"/_mock/ui/api/vendors/{V}/boxes/{box}/seller/acknowledge")
    svg = http.get("/_mock/ui/api/machines/shipment-box.svg")
    assert svg.content_type.startswith("image/svg+xml")
    text = svg.get_data(as_text=True)
    assert '<g class="edge covered" data-edge="ACCEPT|acknowledge|INSTRUCT">' in text
    assert text.count('<g class="state') == len(BOX_MACHINE.states)
    assert http.get("/_mock/ui/api/machines/nope.svg").status_code == 404


def test_page_and_assets_are_served_offline(http: Any) -> None:
    page = http.get("/_mock/ui").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    css = http.get("/_mock/ui/static/app.css").get_data(as_text=True)
    for font in ("Noto Sans KR", "Nanum Gothic", "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo"):
        assert f'"{font}"' in css
    assert http.get("/_mock/ui/static/app.js").status_code == 200


def test_dashboard_is_guarded_like_the_control_plane() -> None:
    from coupang_mock.server.app import create_app

    client = create_app(services=MockServices(Settings(control_token="s3cret"))).test_client()
    assert client.get("/_mock/ui").status_code == 403
    assert client.get("/_mock/ui/api/journal").status_code == 403
    page = client.get("/_mock/ui?token=s3cret")
    assert page.status_code == 200 and 'content="s3cret"' in page.get_data(as_text=True)
    assert client.get("/_mock/ui/api/journal", headers={"X-Mock-Token": "s3cret"}).status_code == 200
    # the query token is for page loads only: it never authorises a change
    assert client.post("/_mock/faults?token=s3cret", json={"status": 500}).status_code == 403
    docs = client.get("/_mock/docs?token=s3cret").get_data(as_text=True)
    assert 'href="/_mock/ui?token=s3cret#journal?operationId=acknowledgeOrdersheets"' in docs
    remote = create_app(services=MockServices(Settings())).test_client()
    assert remote.get("/_mock/ui", environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 403


# ---------------------------------------------------------------- docs and Markdown


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("a `b<c>` d", "<p>a <code>b&lt;c&gt;</code> d</p>"),
        ("**leaf** and *one*", "<p><strong>leaf</strong> and <em>one</em></p>"),
        ("The *_PARALLEL levels, 5 * 2", "<p>The *_PARALLEL levels, 5 * 2</p>"),
        ("`**not bold**`", "<p><code>**not bold**</code></p>"),
        ("<script>x</script>", "<p>&lt;script&gt;x&lt;/script&gt;</p>"),
        ("see [docs](/_mock/docs)", '<p>see <a href="/_mock/docs">docs</a></p>'),
        ("see [x](javascript:alert(1))", "<p>see [x](javascript:alert(1))</p>"),
        ("at https://a.b/c.", '<p>at <a href="https://a.b/c">https://a.b/c</a>.</p>'),
        ("- a\n  more\n- b", "<ul><li>a more</li><li>b</li></ul>"),
        ("- a\n  - b\n- c", "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"),
        ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
        (
            "| h | i |\n|---|---|\n| `x` | y |",
            "<table><thead><tr><th>h</th><th>i</th></tr></thead><tbody><tr><td><code>x</code></td><td>y</td></tr></tbody></table>",
        ),
        ("```\n<a> **b**\n```", "<pre><code>&lt;a&gt; **b**</code></pre>"),
        ("one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>"),
        ("", ""),
    ],
)
def test_markdown_subset(source: str, html: str) -> None:
    assert markdown.render(source) == html


@given(st.text(max_size=200))
def test_markdown_never_lets_markup_through(text: str) -> None:
    rendered = markdown.render(text)
    assert "<script" not in rendered and "<img" not in rendered.lower()


def test_docs_page_lists_the_control_plane_and_links_to_the_dashboard(http: Any) -> None:
    page = http.get("/_mock/docs").get_data(as_text=True)
    assert 'id="search"' in page
    assert 'id="mockPlaceOrder"' in page and 'href="/_mock/ui#state/boxes"' in page
    assert 'href="/_mock/ui#journal?operationId=acknowledgeOrdersheets"' in page
    assert "<strong>leaf</strong>" in page


# ---------------------------------------------------------------- every offered button works


def _press(http: Any, action: dict[str, Any]) -> None:
    answer = http.post(action["url"], json=action["body"])
    assert answer.status_code < 400, (action, answer.get_json())
    result = answer.get_json()
    if "/seller/" in action["url"]:  # the gateway's own answer is wrapped: it must be a success too
        assert result["status"] == 200, (action, result)
        data = result["body"].get("data")
        rows = data.get("responseList") if isinstance(data, dict) else None  # bulk answers: every row succeeded
        assert not rows or all(row["succeed"] for row in rows), (action, result)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 7)), min_size=1, max_size=10))
def test_every_button_the_state_view_offers_is_accepted(http: Any, choices: list[tuple[int, int]]) -> None:
    """A random walk over every record's buttons (boxes, then the receipts, exchanges and inquiries they
    lead to): whatever the transition tables offer, the route behind the button accepts."""
    vendor = http.post("/_mock/vendors", json={}).get_json()["vendorId"]
    order_box(http, vendor)
    product = http.post(f"/_mock/vendors/{vendor}/catalog/quick-product", json={"approve": False}).get_json()
    http.post(f"/_mock/vendors/{vendor}/inquiries", json={"kind": "CALL_CENTER", "content": "문의"})
    assert product["sellerProductId"]
    for pick_record, pick_action in choices:
        offers = []
        for kind in ("boxes", "receipts", "exchanges", "products", "inquiries"):
            for record in http.get(f"/_mock/ui/api/vendors/{vendor}/state/{kind}").get_json()["records"]:
                detail = http.get(f"/_mock/ui/api/vendors/{vendor}/state/{kind}/{record['id']}").get_json()
                if detail["actions"]:
                    offers.append(detail["actions"])
        if not offers:
            break
        actions = offers[pick_record % len(offers)]
        _press(http, actions[pick_action % len(actions)])
