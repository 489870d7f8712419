"""A served request costs a fixed number of store round trips, whatever is stored (issue 13).

Statement counts are deterministic where timings are not, so they are asserted here; the timings are
bench/'s. The SQLite store is traced: admission is one prefetch of the documents the same access key
read last time, the vendor's transaction one probe of every timed domain's due range plus the reads
of the handler, and the journal is written in batches outside the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coupang_mock.client.signing import encode_query, sign
from coupang_mock.server.app import create_app
from coupang_mock.server.clock import TestClock
from coupang_mock.server.core import MockServices
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Settings
from coupang_mock.server.store import SqliteStore
from coupang_mock.server.store.sqlite import SqliteDialect
from tests.conftest import START, fixture_document

VENDOR = "A00012345"
V4 = f"/v2/providers/openapi/apis/api/v4/vendors/{VENDOR}/ordersheets"
# One admission (BEGIN, prefetch, COMMIT) and one vendor transaction (BEGIN, order policy, due probe,
# the box, COMMIT): eight statements for one order sheet.
GET_ONE_STATEMENTS = 8
# The same with one page query (50 rows by index, documents by primary key) in place of the box read.
LIST_PAGE_STATEMENTS = 8


class Traced:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.statements: list[str] = []
        original = SqliteDialect.connect

        def connect(dialect: SqliteDialect) -> Any:
            db = original(dialect)
            db.set_trace_callback(self.statements.append)
            return db

        monkeypatch.setattr(SqliteDialect, "connect", connect)
        # Batches are written a minute later: none lands inside a measured request.
        settings = Settings(throttle_enabled=False, journal_flush_ms=60_000)
        self.services = MockServices(
            settings,
            store=SqliteStore(str(folder / "cost.db")),
            clock=TestClock(frozen_at=START),
            document=fixture_document(),
        )
        self.http = create_app(services=self.services).test_client()

    def orders(self, count: int) -> list[int]:
        item = self.http.post(
            f"/_mock/vendors/{VENDOR}/catalog/items",
            json={"items": [{"itemName": "원가", "salePrice": 10000, "quantity": 99999}]},
        ).get_json()["vendorItemIds"][0]
        boxes = []
        for _ in range(count):
            placed = self.http.post(
                f"/_mock/vendors/{VENDOR}/orders", json={"items": [{"vendorItemId": item, "quantity": 1}]}
            )
            boxes.extend(placed.get_json()["shipmentBoxIds"])
        return boxes

    def cost(self, path: str, query: str = "") -> int:
        """Statements of the second of two identical calls (the first teaches admission what to prefetch)."""
        for _attempt in range(2):
            self.statements.clear()
            headers = {"Authorization": sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", path, query)}
            answer = self.http.get(path + ("?" + query if query else ""), headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
        return len(self.statements)


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Traced]:
    shop = Traced(monkeypatch, tmp_path)
    yield shop
    shop.services.close()


def test_one_order_sheet_costs_the_same_few_statements_at_any_volume(traced: Traced) -> None:
    costs = []
    for more in (5, 195):
        box = traced.orders(more)[0]
        costs.append(traced.cost(f"{V4}/{box}"))
    assert costs == [GET_ONE_STATEMENTS, GET_ONE_STATEMENTS], "\n".join(traced.statements)


def test_a_list_page_costs_the_same_statements_at_any_volume(traced: Traced) -> None:
    query = encode_query(
        {"createdAtFrom": "2026-03-01", "createdAtTo": "2026-03-03", "status": "ACCEPT", "maxPerPage": "50"}
    )
    costs = []
    for more in (60, 240):
        traced.orders(more)
        costs.append(traced.cost(V4, query))
    assert costs == [LIST_PAGE_STATEMENTS, LIST_PAGE_STATEMENTS], "\n".join(traced.statements)


def test_nothing_due_means_no_timed_domain_reads_its_documents(traced: Traced) -> None:
    box = traced.orders(3)[0]
    traced.cost(f"{V4}/{box}")
    probes = [s for s in traced.statements if "EXISTS" in s]
    assert len(probes) == 1, "one probe for every timed domain"
    assert not [s for s in traced.statements if "FROM idx" in s and "EXISTS" not in s], "no ticker ran a query"
