"""The gateway's router against werkzeug's Map (what routed before): same endpoint, params and 404/405 for
every path of the spec and for hostile variations of them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed as WzMethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from coupang_mock.server import spec
from coupang_mock.server.routing import MethodNotAllowed, RouteNotFound, Router

OPERATIONS = list(spec.iter_operations(spec.load()))
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _reference() -> Map:
    rules = [
        Rule(re.sub(r"\{([^}]+)\}", r"<\1>", op.path), endpoint=op.operation_id, methods=[op.method])
        for op in OPERATIONS
    ]
    return Map(rules, strict_slashes=False)


def _ours() -> Router:
    router = Router()
    for op in OPERATIONS:
        router.add(op.method, op.path, op.operation_id)
    return router


REFERENCE, OURS = _reference(), _ours()


def _outcome_reference(method: str, path: str) -> object:
    try:
        return REFERENCE.bind("mock", path_info=path).match(method=method)
    except NotFound:
        return "404"
    except WzMethodNotAllowed as err:
        return ("405", sorted(set(err.valid_methods or []) - {"HEAD", "OPTIONS"}))


def _outcome_ours(method: str, path: str) -> object:
    try:
        return OURS.match(method, path)
    except RouteNotFound:
        return "404"
    except MethodNotAllowed as err:
        return ("405", err.allowed)


def _concrete(template: str, fill: str) -> str:
    return re.sub(r"\{[^}]+\}", fill, template)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
@pytest.mark.parametrize("fill", ["A00012345", "123456789012345678", "withdrawRequests"])
def test_every_spec_path_routes_like_werkzeug(operation: spec.Operation, fill: str) -> None:
    path = _concrete(operation.path, fill)
    for method in METHODS:
        assert _outcome_ours(method, path) == _outcome_reference(method, path), (method, path)


segment = st.sampled_from(
    [
        "v2",
        "providers",
        "openapi",
        "apis",
        "api",
        "v4",
        "v5",
        "vendors",
        "A00012345",
        "ordersheets",
        "returnRequests",
        "1",
        "",
        "%2F",
        "한글",
        "..",
        "products",
        "seller_api",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(segment, max_size=9), st.sampled_from(METHODS), st.booleans())
def test_arbitrary_paths_route_like_werkzeug(parts: list[str], method: str, slash: bool) -> None:
    path = "/" + "/".join(parts) + ("/" if slash else "")
    assert _outcome_ours(method, path) == _outcome_reference(method, path), (method, path)


def test_a_literal_segment_wins_over_a_parameter_and_falls_back_by_method() -> None:
    router = Router()
    router.add("GET", "/things/{thingId}", "getThing")
    router.add("POST", "/things/search", "searchThings")
    assert router.match("POST", "/things/search") == ("searchThings", {})
    assert router.match("GET", "/things/search") == ("getThing", {"thingId": "search"})
    with pytest.raises(MethodNotAllowed) as refused:
        router.match("DELETE", "/things/search")
    assert refused.value.allowed == ["GET", "POST"]
