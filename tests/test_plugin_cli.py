"""The pytest plugin fixtures (as an integrator uses them) and the CLI commands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from coupang_mock.client import CoupangClient
from coupang_mock.server.cli import main
from coupang_mock.server.pytest_plugin import ClockControl, MockHandle


def test_plugin_fixtures_give_an_isolated_vendor(
    coupang_mock: MockHandle, coupang_client: CoupangClient, coupang_clock: ClockControl
) -> None:
    assert coupang_client.vendor_id == coupang_mock.vendor_id != "A00012345"
    vendor = coupang_mock.control("GET", f"/vendors/{coupang_mock.vendor_id}")
    assert vendor["accessKey"] == coupang_client.access_key
    before = coupang_clock.now()
    after = coupang_clock.advance(3600)
    assert after - before >= timedelta(seconds=3600)
    # a signed call with the fixture's client is authenticated (404: no such route in the spec)
    response = coupang_client.session.get(coupang_mock.base_url + "/v2/providers/none", timeout=10)
    assert response.status_code == 404


def test_two_tests_get_two_vendors(coupang_mock: MockHandle, coupang_mock_server: object) -> None:
    other = coupang_mock.control("POST", "/vendors", json={})
    assert other["vendorId"] != coupang_mock.vendor_id


def test_cli_keys_prints_default_credentials() -> None:
    result = CliRunner().invoke(main, ["keys"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "vendorId": "A00012345",
        "accessKey": "00000000-0000-0000-0000-000000000000",
        "secretKey": "fake-secret-key-for-test-vectors-only",
    }


def test_cli_coverage_lists_every_tag() -> None:
    result = CliRunner().invoke(main, ["coverage", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert all({"operations", "served", "unserved"} <= set(row) for row in report.values())
    text = CliRunner().invoke(main, ["coverage"])
    assert text.exit_code == 0 and "total" in text.output


def test_cli_serve_help_names_the_flags() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for flag in ("--port", "--seed", "--no-throttle", "--no-auth-debug", "--control-token"):
        assert flag in result.output


def test_serve_runs_on_waitress_and_stops_on_ctrl_c() -> None:
    import os
    import signal
    import subprocess
    import sys

    import requests

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("coupang-mock listening on http://127.0.0.1:")
        base_url = first.split()[-1]
        banner = "".join(proc.stdout.readline() for _ in range(4))
        assert "A00012345" in banner and "fake-secret-key-for-test-vectors-only" in banner
        assert requests.get(base_url + "/_mock/clock", timeout=5).status_code == 200
        assert requests.get(base_url + "/_mock/clock", timeout=5).headers.get("Server") == "coupang-mock"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_cli_contract_runs_against_an_in_process_mock_and_prints_coverage(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    args = ["contract", "--tags", "categories", "--max-examples", "1", "--seed", "1", "--report", str(report_file)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "transition coverage" not in result.output  # the tables go to --verbose and --report
    assert result.output.rstrip().endswith("0 failures")  # the summary closes the output
    assert "operation listDisplayCategories: ok" in result.output  # progress, one line per operation
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["summary"]["failures"] == 0 and report["summary"]["run"] >= 5
    assert report["transitions"] is not None
    verbose = CliRunner().invoke(main, [*args, "--verbose"])
    assert "transition coverage" in verbose.output  # the per-machine edge report of the target


def test_cli_contract_client_mode_checks_every_operation_through_the_client() -> None:
    result = CliRunner().invoke(main, ["contract", "--client", "--max-examples", "1"])
    assert result.exit_code == 0, result.output
    from coupang_mock.server import spec

    every = len(list(spec.iter_operations(spec.load())))
    assert f"client: {every} operations checked, 0 failures" in result.output
