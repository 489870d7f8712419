"""Index-backed paging (domains/query_paging.py) and the product lists built on it, at the domain level.

The reference is the obvious computation over every document (filter, sort, slice); the helpers must
give exactly that while asking the store only for indexed rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coupang_mock.server.api import products as products_api
from coupang_mock.server.domains import logistics, product_lists, products, query_paging
from coupang_mock.server.ids import IdFactory
from coupang_mock.server.store import MemoryStore, declare_index

KIND = "test-query-rows"
declare_index(KIND, "byGroup", lambda doc: (doc["group"], doc["n"]))
LINKS = "test-query-links"
query_paging.declare_links(LINKS)
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VENDOR = "A00099999"

rows_strategy = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(0, 9)), min_size=0, max_size=query_paging.WALK_BATCH * 2 + 30
)


def _store(rows: list[tuple[str, int]]) -> MemoryStore:
    store = MemoryStore()
    with store.transaction("t") as tx:
        for n, (group, tag) in enumerate(rows):
            tx.put(KIND, n, {"n": n, "group": group, "tag": tag})
    return store


@settings(max_examples=40, deadline=None)
@given(
    rows=rows_strategy,
    page=st.integers(1, 6),
    size=st.integers(1, 120),
    reverse=st.booleans(),
    wanted=st.sets(st.integers(0, 9)),
)
def test_filtered_pages_are_cut_after_filtering(
    rows: list[tuple[str, int]], page: int, size: int, reverse: bool, wanted: set[int]
) -> None:
    """Across walk batches, a filtered page is the slice of the filtered, ordered list."""
    expected = sorted((n for n, (group, tag) in enumerate(rows) if group == "a" and tag in wanted), reverse=reverse)
    with _store(rows).transaction("t") as tx:
        query = {"prefix": ("a",), "reverse": reverse, "keep": lambda doc: doc["tag"] in wanted}
        found, more = query_paging.numbered_page(tx, KIND, "byGroup", page, size, **query)
        total = query_paging.count(tx, KIND, "byGroup", **query)
        listed, token = query_paging.offset_page(tx, KIND, "byGroup", (page - 1) * size, size, **query)
    start = (page - 1) * size
    assert [doc["n"] for doc in found] == [doc["n"] for doc in listed] == expected[start : start + size]
    assert more == (start + size < len(expected)) and total == len(expected)
    assert token == (str(start + size) if more else "")


def test_page_numbers_start_at_one() -> None:
    with _store([]).transaction("t") as tx, pytest.raises(Exception, match="Page index must not be less than zero"):
        query_paging.numbered_page(tx, KIND, "byGroup", 0, 10)


@given(st.lists(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.sampled_from([UTC])), min_size=2))
def test_iso_keys_sort_like_the_times(moments: list[datetime]) -> None:
    keys = [query_paging.iso_key(moment.isoformat()) for moment in moments]
    assert sorted(range(len(moments)), key=lambda i: keys[i]) == sorted(range(len(moments)), key=lambda i: moments[i])


def test_links_follow_each_change_of_the_owners_values() -> None:
    store = MemoryStore()
    with store.transaction("t") as tx:
        query_paging.sync_links(tx, LINKS, 7, set(), {"x", "y"})
        query_paging.sync_links(tx, LINKS, 3, set(), {"x"})
        query_paging.sync_links(tx, LINKS, 7, {"x", "y"}, {"y", "z"})
        assert query_paging.linked(tx, LINKS, "x") == [3]
        assert query_paging.linked(tx, LINKS, "y") == [7] == query_paging.linked(tx, LINKS, "z")
        assert query_paging.linked(tx, LINKS, "x|7") == []


# ---------------------------------------------------------------- product lists over many products


@pytest.fixture(scope="module")
def catalog() -> tuple[MemoryStore, list[dict[str, Any]]]:
    """A vendor with 450 products (a third deleted, every fifth named 현미), built through the domain."""
    store, ids = MemoryStore(), IdFactory(seed=1)
    with store.transaction(VENDOR) as tx:
        new_id = lambda kind, digits: ids.next(tx, kind, digits)  # noqa: E731
        outbound = logistics.create_outbound(tx, products_api.quick_outbound_body(VENDOR), NOW, new_id)
        returns = logistics.create_return(tx, products_api.quick_return_body(VENDOR), NOW, new_id)
        body = products_api.quick_body(
            VENDOR, outbound["outboundShippingPlaceCode"], returns["returnCenterCode"], [{}], {"requested": False}
        )
        template = products.create(tx, body, NOW, new_id, VENDOR)
        made = [template]
        for n in range(449):
            made.append(_copy(tx, new_id, template, n))
    return store, made


def _copy(tx: Any, new_id: Any, template: dict[str, Any], n: int) -> dict[str, Any]:
    product = json.loads(json.dumps(template))
    product["sellerProductId"] = new_id(products.ID_KIND, products.ID_DIGITS)
    product["sellerProductName"] = f"{'유기농 현미' if n % 5 == 0 else '백미'} {n}"
    product["items"][0]["externalVendorSku"] = f"SKU-{n % 7}"
    product["mock"]["createdAt"] = (NOW + timedelta(minutes=n)).isoformat()
    if n % 3 == 0:
        product["mock"]["status"] = "DELETED"
    products.save(tx, product)
    return product


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sellerProductName": "현미"},
        {"status": "DELETED"},
        {"status": "DELETED", "sellerProductName": "현미"},
        {"createdAt": "2026-03-02"},
        {"createdAt": "2026-03-02", "status": "SAVED", "sellerProductName": "백미"},
    ],
)
def test_every_page_of_a_filtered_list_is_exact(catalog: tuple[MemoryStore, list[Any]], query: dict[str, Any]) -> None:
    store, made = catalog
    expected = [p["sellerProductId"] for p in sorted(made, key=lambda p: -p["sellerProductId"]) if _matches(p, query)]
    seen: list[int] = []
    with store.transaction(VENDOR) as tx:
        token: Any = None
        while True:
            page, token = product_lists.listing_page(tx, query, token, 37)
            seen += [p["sellerProductId"] for p in page]
            if token == "":
                break
    assert seen == expected and expected


def _matches(product: dict[str, Any], query: dict[str, Any]) -> bool:
    status = product["mock"]["status"]
    created = datetime.fromisoformat(product["mock"]["createdAt"]) + timedelta(hours=9)  # KST day
    return (
        (status == query["status"] if "status" in query else status != "DELETED")
        and query.get("sellerProductName", "") in product["sellerProductName"]
        and ("createdAt" not in query or created.date().isoformat() == query["createdAt"])
    )


def test_inflow_count_and_sku_lookup_skip_deleted_products(catalog: tuple[MemoryStore, list[Any]]) -> None:
    store, made = catalog
    live = [p for p in made if p["mock"]["status"] != "DELETED"]
    with store.transaction(VENDOR) as tx:
        assert products.inflow_status(tx, VENDOR)["registeredCount"] == len(live)
        found = [p["sellerProductId"] for p in product_lists.by_external_sku(tx, "SKU-3")]
    assert found == sorted(p["sellerProductId"] for p in live if p["items"][0]["externalVendorSku"] == "SKU-3")


def test_sku_links_follow_an_update_and_a_delete() -> None:
    store, ids = MemoryStore(), IdFactory(seed=2)
    with store.transaction(VENDOR) as tx:
        new_id = lambda kind, digits: ids.next(tx, kind, digits)  # noqa: E731
        outbound = logistics.create_outbound(tx, products_api.quick_outbound_body(VENDOR), NOW, new_id)
        returns = logistics.create_return(tx, products_api.quick_return_body(VENDOR), NOW, new_id)
        body = products_api.quick_body(
            VENDOR, outbound["outboundShippingPlaceCode"], returns["returnCenterCode"], [{}], {"requested": False}
        )
        product = products.create(tx, body, NOW, new_id, VENDOR)
        product["items"][0]["externalVendorSku"] = "NEW-SKU"
        products.save(tx, product)
        assert product_lists.by_external_sku(tx, "MOCK-SKU-1") == []
        assert [p["sellerProductId"] for p in product_lists.by_external_sku(tx, "NEW-SKU")] == [
            product["sellerProductId"]
        ]
        products.delete(tx, product["sellerProductId"], NOW)
        assert product_lists.by_external_sku(tx, "NEW-SKU") == []


def test_the_review_ticker_reads_only_due_products() -> None:
    store, ids = MemoryStore(), IdFactory(seed=3)
    with store.transaction(VENDOR) as tx:
        new_id = lambda kind, digits: ids.next(tx, kind, digits)  # noqa: E731
        outbound = logistics.create_outbound(tx, products_api.quick_outbound_body(VENDOR), NOW, new_id)
        returns = logistics.create_return(tx, products_api.quick_return_body(VENDOR), NOW, new_id)
        body = products_api.quick_body(
            VENDOR, outbound["outboundShippingPlaceCode"], returns["returnCenterCode"], [{}], {}
        )
        waiting = products.create(tx, body, NOW, new_id, VENDOR)  # review due 60 s later (default policy)
        assert products.due_actions(tx, NOW + timedelta(seconds=59)) == []
        assert products.due_actions(tx, NOW + timedelta(seconds=60)) == [(waiting["sellerProductId"], "REVIEW")]
        products.tick(tx, NOW + timedelta(seconds=60), new_id)
        assert products.get(tx, waiting["sellerProductId"])["mock"]["status"] == "APPROVED"
        assert tx.count(products.KIND, "due") == 0  # decided: out of the ticker's index
