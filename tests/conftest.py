"""Fixtures of the project's own tests. The integrator-facing fixtures come from the plugin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.server import spec
from coupang_mock.server.app import create_app
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import MockServices
from coupang_mock.server.registry import HANDLERS, Reply, handles
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID, Settings
from coupang_mock.server.store import MemoryStore, PostgresStore, SqliteStore, Store

pytest_plugins = ["pytester"]  # the plugin's own session summary is tested in a child pytest

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
# The store behind `services`: run the whole suite on another one with COUPANG_MOCK_TEST_STORE=sqlite
# (or postgres, which needs COUPANG_MOCK_TEST_PG=postgresql://…, as .ci/run exports).
TEST_STORE = os.environ.get("COUPANG_MOCK_TEST_STORE", "memory")
PG_URL = os.environ.get("COUPANG_MOCK_TEST_PG")
PG_MISSING = "COUPANG_MOCK_TEST_PG is not set (.ci/run sets it when it could start PostgreSQL)"


def open_test_store(kind: str, folder: Path) -> Store:
    """A fresh, empty store of `kind` (memory | sqlite | postgres); the caller closes SQL stores."""
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SqliteStore(str(folder / "store.db"))
    if kind == "postgres":
        if not PG_URL:
            pytest.skip(PG_MISSING)
        store = PostgresStore(PG_URL)
        store.reset()
        return store
    raise pytest.UsageError(f"COUPANG_MOCK_TEST_STORE={kind!r}: use memory, sqlite or postgres")


def fixture_document() -> dict[str, Any]:
    document = spec.load_copy()
    extra = yaml.safe_load((FIXTURES / "fixture_paths.yaml").read_text(encoding="utf-8"))
    document["paths"].update(extra["paths"])
    document["tags"].extend(extra["tags"])
    return document


def _register_fixture_handlers() -> None:
    if "fixtureEcho" in HANDLERS:
        return

    @handles("fixtureEcho")
    def echo(ctx: Any) -> dict[str, Any]:
        return {"code": 200, "message": "OK", "data": {"query": ctx.query, "vendorId": ctx.vendor_id}}

    @handles("fixtureCreateThing")
    def create(ctx: Any) -> dict[str, Any]:
        thing_id = ctx.next_id("thing", 18)
        ctx.tx.put("things", thing_id, {"thingId": thing_id, **ctx.body})
        return {"code": 200, "message": "OK", "data": thing_id}

    @handles("fixtureGetThing")
    def get(ctx: Any) -> Any:
        thing = ctx.tx.get("things", ctx.path_params["thingId"])
        if thing is None:
            return Reply({"code": 404, "message": "not found"}, 404)
        return {"code": 200, "message": "OK", "data": thing}

    @handles("fixtureTouchThing")
    def touch(ctx: Any) -> dict[str, Any]:
        return {"code": 200, "message": "OK", "data": ctx.operation.operation_id}

    @handles("fixtureBoom")
    def boom(ctx: Any) -> dict[str, Any]:
        ctx.tx.put("things", 1, {"half": "written"})
        raise RuntimeError("a bug in a handler")


_register_fixture_handlers()


@pytest.fixture
def clock() -> TestClock:
    return TestClock(frozen_at=START)


@pytest.fixture
def settings() -> Settings:
    """Throttle off: domain tests make many calls on a frozen clock (test_throttle_faults turns it on)."""
    return Settings(throttle_enabled=False)


@pytest.fixture
def services(settings: Settings, clock: TestClock, tmp_path: Path) -> Iterator[MockServices]:
    services = MockServices(
        settings, store=open_test_store(TEST_STORE, tmp_path), clock=clock, document=fixture_document()
    )
    yield services
    services.close()


@pytest.fixture
def app(services: MockServices) -> Any:
    return create_app(services=services)


@pytest.fixture
def server(app: Any) -> Iterator[RunningServer]:
    running = start_in_thread(app)
    yield running
    running.stop()


@pytest.fixture
def client(server: RunningServer) -> CoupangClient:
    return CoupangClient(
        DEFAULT_ACCESS_KEY,
        DEFAULT_SECRET_KEY,
        DEFAULT_VENDOR_ID,
        base_url=server.base_url,
        retry=RetryPolicy(max_retries=0),
    )


ECHO = f"/v2/providers/openapi/apis/api/v5/vendors/{DEFAULT_VENDOR_ID}/fixture/echo"
THINGS = f"/v2/providers/openapi/apis/api/v4/vendors/{DEFAULT_VENDOR_ID}/fixture/things"
