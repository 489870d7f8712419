"""pytest fixtures for integrators: `coupang_mock`, `coupang_client`, `coupang_clock`.

The server starts once per session in a thread (waitress on a free 127.0.0.1 port); every test
gets its own vendor, so tests are isolated without restarting anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupang-mock")
    group.addoption("--coupang-mock-throttle", action="store_true", help="keep the 10 req/s throttle on in fixtures")
    group.addoption("--coupang-mock-seed", type=int, default=0, help="seed of the in-process mock")
    group.addoption(
        "--coupang-mock-lint",
        choices=("summary", "off", "strict"),
        default="summary",
        help="misuse report of the fixtures' vendors at the end (strict: fail the session on findings)",
    )
    # contract harness (pytest --pyargs coupang_mock.contract …)
    group.addoption("--coupang-base-url", default=None, help="contract target (default: an in-process mock)")
    group.addoption("--coupang-access-key", default=None)
    group.addoption("--coupang-secret-key", default=None)
    group.addoption("--coupang-vendor-id", default=None)
    group.addoption(
        "--coupang-allow-writes", action="store_true", help="run write operations against a non-mock target"
    )
    group.addoption("--coupang-max-examples", type=int, default=5)
    group.addoption("--coupang-seed", type=int, default=0)
    group.addoption("--coupang-operations", default=None, help="comma-separated operationIds")
    group.addoption("--coupang-tags", default=None, help="comma-separated tags")


@dataclass
class MockHandle:
    base_url: str
    vendor_id: str
    access_key: str
    secret_key: str
    services: Any  # mock_server.core.MockServices of the in-process server

    def control(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        """Call /_mock…; raises for an error status so tests fail loudly."""
        response = requests.request(
            method, f"{self.base_url}/_mock{path}", json=json, params=params or None, timeout=30
        )
        if response.status_code >= 400:
            raise AssertionError(f"control {method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def client(self, **kwargs: Any) -> CoupangClient:
        return CoupangClient(self.access_key, self.secret_key, self.vendor_id, base_url=self.base_url, **kwargs)

    def reset(self) -> None:
        self.control("POST", "/reset", vendorId=self.vendor_id)


@dataclass
class ClockControl:
    handle: MockHandle

    def now(self) -> datetime:
        return datetime.fromisoformat(self.handle.control("GET", "/clock", vendorId=self.handle.vendor_id)["now"])

    def advance(self, seconds: float) -> datetime:
        body = {"advanceSeconds": seconds, "vendorId": self.handle.vendor_id}
        return datetime.fromisoformat(self.handle.control("POST", "/clock", json=body)["now"])

    def set(self, moment: datetime) -> datetime:
        body = {"now": moment.isoformat(), "vendorId": self.handle.vendor_id}
        return datetime.fromisoformat(self.handle.control("POST", "/clock", json=body)["now"])


LINT_KEY = pytest.StashKey[list[tuple[str, list[Any]]]]()


@pytest.fixture(scope="session")
def coupang_mock_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    from coupang_mock.server.app import create_app
    from coupang_mock.server.server import start_in_thread
    from coupang_mock.server.settings import Settings

    settings = Settings.from_env(
        seed=request.config.getoption("--coupang-mock-seed"),
        throttle_enabled=bool(request.config.getoption("--coupang-mock-throttle")),
    )
    app = create_app(settings)
    running = start_in_thread(app)
    running.services = app.extensions["coupang_mock"]  # type: ignore[attr-defined]
    yield running
    running.stop()


@pytest.fixture
def coupang_mock(coupang_mock_server: Any, request: pytest.FixtureRequest) -> Iterator[MockHandle]:
    base = coupang_mock_server.base_url
    created = requests.post(f"{base}/_mock/vendors", json={}, timeout=30).json()
    handle = MockHandle(
        base, created["vendorId"], created["accessKey"], created["secretKey"], coupang_mock_server.services
    )
    yield handle
    if request.config.getoption("--coupang-mock-lint") != "off":
        from coupang_mock.server.lint import vendor_findings

        found = vendor_findings(handle.services, handle.vendor_id)
        request.config.stash.setdefault(LINT_KEY, []).append((request.node.nodeid, found))
    handle.reset()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """What the session's calls would run into in production, one line per rule."""
    collected = config.stash.get(LINT_KEY, None)
    if not collected:
        return
    by_rule: dict[str, dict[str, Any]] = {}
    for nodeid, findings in collected:
        for finding in findings:
            row = by_rule.setdefault(finding.rule, {"finding": finding, "tests": 0, "count": 0, "first": nodeid})
            row["tests"] += 1
            row["count"] += finding.count
    if not by_rule:
        return
    terminalreporter.section("coupang-mock misuse report")
    for rule, row in sorted(by_rule.items()):
        finding = row["finding"]
        terminalreporter.write_line(
            f"{rule}: {finding.title}: {row['count']}× in {row['tests']} test(s), first in {row['first']}"
        )
        terminalreporter.write_line(f"    policy: {finding.policy}")
    terminalreporter.write_line(
        "(GET /_mock/lint or `coupang-mock lint` for examples; --coupang-mock-lint=off hides this)"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    collected = session.config.stash.get(LINT_KEY, None)
    if session.config.getoption("--coupang-mock-lint") == "strict" and collected and any(f for _, f in collected):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def coupang_client(coupang_mock: MockHandle) -> CoupangClient:
    return coupang_mock.client()


@pytest.fixture
def coupang_clock(coupang_mock: MockHandle) -> ClockControl:
    return ClockControl(coupang_mock)
