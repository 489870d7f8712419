"""CEA HMAC: the documented test vectors, and a property over arbitrary paths and queries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from coupang_mock.client.signing import (
    authorization_header,
    encode_query,
    parse_authorization,
    sign,
    signature,
    string_to_sign,
)
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

COMMON = Path(__file__).resolve().parents[2] / "shared" / "reference" / "common.yaml"
VECTORS = [
    {
        "secretKey": DEFAULT_SECRET_KEY,
        "method": "GET",
        "path": "/v2/providers/openapi/apis/api/v5/vendors/A00012345/ordersheets",
        "query": "createdAtFrom=2025-11-01%2B09:00&createdAtTo=2025-11-20%2B09:00&status=ACCEPT&maxPerPage=50",
        "signedDate": "251120T113608Z",
        "signature": "6adad4f8f6f07a129c29425c123c13a2341d49b4523e3be3ae202f28d651da25",
    },
    {
        "secretKey": DEFAULT_SECRET_KEY,
        "method": "PUT",
        "path": "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets/acknowledgement",
        "query": "",
        "signedDate": "251120T113608Z",
        "signature": "5a0a1aefb661120592eb66a4a8249ef4fe9c11dd1282d1a3f26ef81e9ae0eae1",
    },
]


@pytest.mark.parametrize("vector", VECTORS, ids=["GET-with-query", "PUT-no-query"])
def test_documented_vectors(vector: dict[str, str]) -> None:
    message = string_to_sign(vector["signedDate"], vector["method"], vector["path"], vector["query"])
    assert signature(vector["secretKey"], message) == vector["signature"]


@pytest.mark.skipif(
    not COMMON.exists(),
    reason="needs ../shared/reference (the Coupang catalogue beside a development checkout; not shipped, not in CI clones)",
)
def test_vectors_match_the_catalogue() -> None:
    catalogue = yaml.safe_load(COMMON.read_text(encoding="utf-8"))["auth"]["test_vectors"]
    for documented in catalogue:
        message = string_to_sign(
            documented["signedDate"], documented["method"], documented["path"], documented["query"]
        )
        assert message == documented.get("string_to_sign", message)
        assert signature(documented["secretKey"], message) == documented["signature"]


def test_vector_header_round_trips() -> None:
    v = VECTORS[0]
    header = authorization_header(DEFAULT_ACCESS_KEY, v["signedDate"], v["signature"])
    parsed = parse_authorization(header)
    assert parsed is not None
    assert (parsed.access_key, parsed.signed_date, parsed.signature) == (
        DEFAULT_ACCESS_KEY,
        v["signedDate"],
        v["signature"],
    )
    assert parse_authorization(header.replace(", ", ",")) == parsed


def test_encode_query_keeps_coupang_style() -> None:
    assert (
        encode_query({"createdAtFrom": "2025-11-01+09:00", "status": "ACCEPT"})
        == "createdAtFrom=2025-11-01%2B09:00&status=ACCEPT"
    )
    assert encode_query([("a", [1, 2]), ("b", None), ("c", True)]) == "a=1&a=2&c=true"


SESSION = requests.Session()

path_segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#", exclude_categories=("Cc", "Cs")),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in {".", ".."})
query_value = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", " ", "+", "~", "%", "a b", "%2B"]
)
query_pairs = st.lists(st.tuples(st.sampled_from(["text", "q", "x", "text"]), query_value), max_size=5)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=path_segment, pairs=query_pairs)
def test_client_signature_is_accepted_and_tampering_is_not(server, segment: str, pairs: list[tuple[str, str]]) -> None:
    """Any path/query the client signs verifies on the server; any single change breaks it."""
    from urllib.parse import quote

    base = server.base_url
    path = "/v2/providers/openapi/apis/api/v4/vendors/A00012345/fixture/things/" + quote(segment, safe="")
    query = encode_query(pairs)
    header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "PUT", path, query)

    def send(method: str, p: str, q: str, auth: str) -> requests.Response:
        prepared = requests.Request(method, base + p, headers={"Authorization": auth}).prepare()
        prepared.url = base + p + (f"?{q}" if q else "")
        return SESSION.send(prepared, timeout=10)

    ok = send("PUT", path, query, header)
    # Authentication comes before validation: anything but 401 means the signature passed.
    assert ok.status_code in {200, 400}, ok.text
    parsed = parse_authorization(header)
    assert parsed is not None
    tampered = [
        send("PATCH", path, query, header),
        send("PUT", path + "x", query, header),
        send("PUT", path, query + "&z=1", header),
        send("PUT", path, query, header.replace(parsed.signed_date, _shift(parsed.signed_date))),
        send("PUT", path, query, header.replace(parsed.signature, _flip(parsed.signature))),
    ]
    for response in tampered:
        assert response.status_code == 401, response.text
        assert response.json()["message"] in {"Invalid signature.", "Specified signature is expired."}


def _shift(signed_date: str) -> str:
    moment = datetime.strptime(signed_date, "%y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return (moment.replace(second=(moment.second + 1) % 60)).strftime("%y%m%dT%H%M%SZ")


def _flip(sig: str) -> str:
    return ("0" if sig[0] != "0" else "1") + sig[1:]
