"""jsonio: orjson where it can, the standard library where it cannot, the same JSON either way."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupang_mock.server import jsonio

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(exclude_categories=("Cs",))),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@pytest.fixture(params=["orjson", "stdlib"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stdlib":
        monkeypatch.setattr(jsonio, "orjson", None)
    elif jsonio.orjson is None:
        pytest.skip("orjson is not installed here")
    return str(request.param)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_answers_parse_to_what_the_standard_library_says(engine: str, value: Any) -> None:
    text = jsonio.dumps(value)
    assert json.loads(text) == json.loads(json.dumps(value))
    assert jsonio.dump_bytes(value) == text.encode()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_store_documents_round_trip_exactly(engine: str, value: Any) -> None:
    back = jsonio.load_doc(jsonio.dump_doc(value))
    assert back == value
    assert _types(back) == _types(value), "an integer stays an integer, whatever its size"


def test_both_engines_write_korean_unescaped_and_compact(engine: str) -> None:
    body = {"code": "200", "message": "OK", "data": [{"name": "한*준", "n": 222498000000000001}]}
    assert jsonio.dumps(body) == '{"code":"200","message":"OK","data":[{"name":"한*준","n":222498000000000001}]}'


def test_values_orjson_refuses_take_the_standard_librarys_path(engine: str) -> None:
    assert jsonio.dumps({"n": 2**70}) == '{"n":1180591620717411303424}'
    assert jsonio.dumps({1: "a"}) == '{"1":"a"}'
    assert jsonio.load_doc(jsonio.dump_doc({"n": -(2**70)})) == {"n": -(2**70)}


def test_a_document_an_older_version_wrote_with_nan_is_still_read() -> None:
    assert math.isnan(jsonio.load_doc('{"x":NaN}')["x"])


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__
