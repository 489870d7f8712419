"""Fitting the Python ecosystem: version, health probe, access log, progress, extras, the spec cache and a
harness that works against a throttled mock."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coupang_mock.client.signing import sign
from coupang_mock.contract.session import make_target, run_contract
from coupang_mock.server import spec
from coupang_mock.server.accesslog import AccessLog
from coupang_mock.server.app import create_app
from coupang_mock.server.cli import main
from coupang_mock.server.core import MockServices
from coupang_mock.server.progress import ProgressPrinter
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import Settings
from coupang_mock.server.validation import OperationValidator
from tests.conftest import ECHO


def test_version_is_the_installed_distribution() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"coupang-mock, version {version('coupang-mock')}"


def test_health_answers_without_state_and_from_any_host(server: RunningServer) -> None:
    answer = requests.get(server.base_url + "/_mock/health", headers={"Host": "ci-service:8080"}, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["operations"] > 100
    assert set(body) == {"status", "version", "operations"}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_access_log_line_names_operation_vendor_status_and_auth(fmt: str, client: Any, services: MockServices) -> None:
    lines: list[str] = []
    app = create_app(services=services)
    app.wsgi_app = AccessLog(app.wsgi_app, fmt, emit=lines.append)  # type: ignore[method-assign]
    auth = sign(client.access_key, client.secret_key, "GET", ECHO, "status=ACCEPT")
    app.test_client().get(ECHO + "?status=ACCEPT", headers={"Authorization": auth})
    app.test_client().get(ECHO + "?status=ACCEPT", headers={"Authorization": "nonsense"})
    ok, refused = lines
    if fmt == "json":
        first, second = json.loads(ok), json.loads(refused)
        assert (first["status"], first["operationId"], first["vendorId"], first["auth"]) == (
            200,
            "fixtureEcho",
            client.vendor_id,
            "ok",
        )
        assert second["status"] == 401 and second["auth"] not in (None, "ok") and second["latencyMs"] >= 0
    else:
        assert " 200 GET " in ok and "op=fixtureEcho" in ok and f"vendor={client.vendor_id}" in ok and "auth=ok" in ok
        assert " 401 GET " in refused and "vendor=-" in refused


def test_access_log_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError):
        AccessLog(lambda env, start: [], "xml")


def test_progress_is_plain_lines_in_ci_and_one_line_on_a_terminal() -> None:
    plain = io.StringIO()
    printer = ProgressPrinter(plain, tty=False)
    printer("operation", "listX", 0, 2, "")
    printer("operation", "listX", 1, 2, "ok (3 requests)")
    printer.note("created vendor A1")
    printer("model", "OrderLifecycle", 1, 1, "FAILED")
    assert plain.getvalue().splitlines() == [
        "[1/2] operation listX: ok (3 requests)",
        "note: created vendor A1",
        "[1/1] stateful model OrderLifecycle: FAILED",
    ]
    tty = io.StringIO()
    printer = ProgressPrinter(tty, tty=True, width=4)
    printer("operation", "a", 0, 2, "")
    printer("operation", "a", 1, 2, "ok")
    printer("operation", "b", 2, 2, "ok")
    printer.done()
    text = tty.getvalue()
    assert text.count("\n") == 1 and "\r" in text and "[####] 2/2 operations: b ok" in text


def test_commands_needing_the_harness_extra_say_which(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "schemathesis" else real(name))
    result = CliRunner().invoke(main, ["contract", "--client"])
    assert result.exit_code != 0
    assert "pip install 'coupang-mock[harness]'" in result.output and "schemathesis" in result.output


@pytest.fixture
def throttled_mock() -> Any:
    """A mock as `coupang-mock serve` runs it: throttle on at Coupang's 10 requests/s."""
    running = start_in_thread(create_app(Settings(seed=1, throttle_enabled=True)))
    yield running
    running.stop()


def test_harness_switches_its_own_vendors_throttle_off_and_says_so(throttled_mock: RunningServer) -> None:
    target = make_target(throttled_mock.base_url, None, None, None)
    assert any("throttle off" in note for note in target.notes)
    api = target.client()
    statuses = [api.send_raw("GET", "/v2/providers/openapi/apis/api/v1/categorization/meta").status_code]
    for _ in range(30):  # three times the burst: all pass for the harness vendor
        response = api.send_raw("GET", f"/v2/providers/openapi/apis/api/v5/vendors/{target.vendor_id}/ordersheets")
        statuses.append(response.status_code)
    assert 429 not in statuses


def test_contract_against_a_throttled_mock_passes(throttled_mock: RunningServer) -> None:
    report = run_contract(
        base_url=throttled_mock.base_url, tags=["orders"], max_examples=1, seed_value=1, stateful_examples=0
    )
    assert report.ok, [f.message for f in report.failures]
    assert report.throttle_hint is None and report.notes


def test_throttled_failures_name_the_429s(throttled_mock: RunningServer) -> None:
    vendor = requests.post(throttled_mock.base_url + "/_mock/vendors", json={}, timeout=10).json()
    limits = {"vendorId": vendor["vendorId"], "ratePerSecond": 0.01, "burst": 2}  # slow machines refill no token
    requests.put(throttled_mock.base_url + "/_mock/throttle", json=limits, timeout=10).raise_for_status()
    target = make_target(throttled_mock.base_url, vendor["accessKey"], vendor["secretKey"], vendor["vendorId"])
    api = target.client()
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{target.vendor_id}/ordersheets"
    for _ in range(25):
        target.count(api.send_raw("GET", path, "status=ACCEPT").status_code)
    hint = target.throttle_hint()
    assert hint is not None and hint.startswith(f"throttled: {target.throttled} of {target.sent} requests got 429")
    assert target.throttled >= 20


def test_an_unreachable_target_is_said_in_words() -> None:
    with pytest.raises(SystemExit) as stopped:
        make_target("http://127.0.0.1:9", None, None, None)
    assert "cannot connect to http://127.0.0.1:9" in str(stopped.value)


def test_spec_cache_is_used_rebuilt_when_torn_and_keyed_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    source = tmp_path / "specs"
    shutil.copytree(spec.specs_dir(), source)
    cache = tmp_path / "cache"
    monkeypatch.setenv("COUPANG_MOCK_CACHE_DIR", str(cache))
    spec.load.cache_clear()
    try:
        first = spec.load(str(source))
        (cached,) = cache.glob("spec-*.json")
        assert json.loads(cached.read_text(encoding="utf-8")) == first == spec.bundle(source)
        cached.write_text("{torn", encoding="utf-8")
        spec.load.cache_clear()
        assert spec.load(str(source)) == first  # rebuilt from YAML, then re-cached
        assert json.loads(cached.read_text(encoding="utf-8")) == first
        root = source / "openapi.yaml"
        root.write_text(root.read_text(encoding="utf-8").replace("title:", "title: changed", 1), encoding="utf-8")
        spec.load.cache_clear()
        changed = spec.load(str(source))
        assert changed["info"]["title"].startswith("changed") and len(list(cache.glob("spec-*.json"))) == 2
    finally:
        spec.load.cache_clear()


def test_validators_compile_on_first_use_only() -> None:
    operation = next(op for op in spec.iter_operations(spec.load()) if op.operation_id == "acknowledgeOrdersheets")
    validator = OperationValidator(operation)
    assert "body" not in vars(validator) and "query" not in vars(validator)
    assert validator.body is not None and "body" in vars(validator)


def test_sign_says_when_it_falls_back_to_the_default_keys() -> None:
    from coupang_mock.client.signing import parse_authorization

    fallback = CliRunner().invoke(main, ["sign", "GET", "/v2/x", "a=1"], env={"COUPANG_ACCESS_KEY": None})
    assert fallback.exit_code == 0
    assert "signing with the mock's default vendor A00012345" in fallback.stderr
    assert parse_authorization(fallback.stdout.strip()).access_key == "00000000-0000-0000-0000-000000000000"
    given = CliRunner().invoke(
        main, ["sign", "GET", "/v2/x", "a=1"], env={"COUPANG_ACCESS_KEY": "ak-1", "COUPANG_SECRET_KEY": "sk-1"}
    )
    assert given.exit_code == 0 and given.stderr == ""
    assert parse_authorization(given.stdout.strip()).access_key == "ak-1"
