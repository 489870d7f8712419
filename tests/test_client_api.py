"""The generated client: one method per operation, and what it sends is what the spec describes."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client import CoupangClient, Pager
from client import _generated as generated
from client.codegen import arguments, render, snake
from client.signing import parse_authorization, signature, string_to_sign
from mock_server import spec
from mock_server.errors import ApiError
from mock_server.validation import OperationValidator

DOCUMENT = spec.load_copy()
OPERATIONS = {op.operation_id: op for op in spec.iter_operations(DOCUMENT)}
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


class CapturingSession(requests.Session):
    """Records the prepared request instead of sending it, and answers a canned body."""

    def __init__(self, body: Any = None) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []
        self.body = body if body is not None else {"code": 200, "message": "OK", "data": []}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.body).encode()
        response.headers["Content-Type"] = "application/json"
        return response


def _client(session: requests.Session) -> CoupangClient:
    return CoupangClient("ak", "sk", "A00012345", base_url="http://mock.test", session=session)


def test_generated_module_is_up_to_date() -> None:
    with open(generated.__file__, encoding="utf-8") as fh:
        assert fh.read() == render(spec.load_copy()), "run: python -m client.codegen"


def test_every_operation_has_a_method_and_back() -> None:
    client = _client(CapturingSession())
    methods = set()
    for name in generated.FAMILIES:
        family = getattr(client, name)
        methods |= {(name, m) for m, _ in inspect.getmembers(family, inspect.ismethod) if not m.startswith("_")}
    expected = {(snake(op.tag), snake(op_id)) for op_id, op in OPERATIONS.items()}
    assert methods == expected
    assert set(generated.OPERATIONS) == set(OPERATIONS)


def _kwargs(op: spec.Operation, case: Any) -> dict[str, Any]:
    values = {("path", k): v for k, v in (case.path_parameters or {}).items()}
    values.update({("query", k): v for k, v in (case.query or {}).items()})
    kwargs = {arg: values[(p["in"], p["name"])] for p, arg in arguments(op) if (p["in"], p["name"]) in values}
    if op.request_schema is not None and isinstance(case.body, dict | list):
        kwargs["body"] = case.body
    return kwargs


SENDABLE = sorted(
    op_id for op_id, op in OPERATIONS.items() if op.request_schema is None or op.body_required is not None
)


@pytest.mark.parametrize("operation_id", SENDABLE)
def test_requests_match_the_spec_and_are_signed(operation_id: str) -> None:
    op = OPERATIONS[operation_id]
    st_op = SCHEMA[op.path][op.method.lower()]
    validator = OperationValidator(op)

    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=st_op.as_strategy())
    def check(case: Any) -> None:
        session = CapturingSession()
        client = _client(session)
        family = getattr(client, snake(op.tag))
        getattr(family, snake(op.operation_id))(**_kwargs(op, case))
        sent = session.sent[-1]
        url = urlsplit(sent.url)
        assert sent.method == op.method
        raw = {k: v for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            validator.validate_params(validator.query, raw)
            if sent.body:
                validator.parse_body(
                    sent.body if isinstance(sent.body, bytes) else sent.body.encode(), "application/json"
                )
        except ApiError as err:  # what the client sent must pass the server's own validation
            raise AssertionError(f"{operation_id}: {err.message}") from None
        parsed = parse_authorization(sent.headers["Authorization"])
        assert parsed is not None
        expected = string_to_sign(parsed.signed_date, op.method, url.path, url.query)
        assert parsed.signature == signature("sk", expected)

    check()


def test_payload_is_unwrapped_and_raw_kept() -> None:
    session = CapturingSession({"code": 200, "message": "OK", "data": [{"a": 1}], "nextToken": ""})
    client = _client(session)
    if not generated.FAMILIES:
        pytest.skip("no operations in the spec yet")
    family_name = next(iter(generated.FAMILIES))
    family = getattr(client, family_name)
    op_id = next(k for k, v in generated.OPERATIONS.items() if snake(v[2]) == family_name)
    op = OPERATIONS[op_id]
    kwargs = {arg: 1 for p, arg in arguments(op) if p.get("required") and p["name"] != "vendorId"}
    if op.body_required:
        kwargs["body"] = {}
    assert getattr(family, snake(op_id))(**kwargs) == [{"a": 1}]
    assert client.last_response is not None and client.last_response.status == 200


@given(st.lists(st.integers(), max_size=40), st.integers(min_value=1, max_value=7))
def test_pager_yields_every_item_once(items: list[int], size: int) -> None:
    pages = [items[i : i + size] for i in range(0, len(items), size)] or [[]]

    class Fake:
        def __init__(self) -> None:
            self._client = self
            self.last_response: Any = None

        def listing(self, next_token: str | None = None) -> list[int]:
            index = int(next_token or 0)
            following = str(index + 1) if index + 1 < len(pages) else ""
            self.last_response = type("R", (), {"body": {"data": pages[index], "nextToken": following}})()
            return pages[index]

    fake = Fake()
    assert list(Pager.items(fake.listing, "nextToken")) == items


def test_client_sends_datetime_free_signature_each_time() -> None:
    moments = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)])
    session = CapturingSession()
    client = CoupangClient(
        "ak", "sk", "A00012345", base_url="http://mock.test", session=session, now=lambda: next(moments)
    )
    client.request("GET", "/x")
    client.request("GET", "/x")
    first, second = (parse_authorization(r.headers["Authorization"]) for r in session.sent)
    assert first and second and first.signed_date != second.signed_date
