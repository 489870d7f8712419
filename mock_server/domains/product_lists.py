"""Seller-product lists: the filtered, paged list, the 10-minute time frame and the SKU lookup.

Each list asks the store for the rows of its page through an index declared in `products`; the
substring filters Coupang offers (name, manufacturer) and the violation filter are applied while
walking that index, so a page is cut after filtering and stays exact.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ..store import IndexKey, Tx, index_of
from . import products, timefmt
from .product_texts import BAD_TOKEN, CREATED_AT_FORMAT, TIME_WINDOW, error
from .query_paging import Keep, iso_key, numbered_page

Product = dict[str, Any]


def listing_page(tx: Tx, query: dict[str, Any], token: Any, size: int) -> tuple[list[Product], str]:
    """list-seller-products: newest sellerProductId first, `nextToken` the next page number."""
    index, prefix, keep = _plan(query)
    page = page_number(token)
    if query.get("businessTypes"):
        return [], ""  # the mock registers no Rocket Growth products
    if query.get("sellerProductId") not in (None, ""):
        one = products.get(tx, query["sellerProductId"])
        found = [one] if one is not None and _in_prefix(index, prefix, one) and (keep is None or keep(one)) else []
        return _slice(found, page, size)
    rows, more = numbered_page(tx, products.KIND, index, page, size, prefix=prefix, reverse=True, keep=keep)
    return rows, (str(page + 1) if more else "")


def _plan(query: dict[str, Any]) -> tuple[str, IndexKey, Keep | None]:
    """The index answering the indexable filters, and a check for the rest."""
    tests: list[Keep] = []
    wanted = query.get("status")  # deleted products show only when asked for (x-inferred)
    if query.get("createdAt"):
        day = _created_day(str(query["createdAt"]))
        index, prefix = "createdDay", (products.GONE if wanted == "DELETED" else products.LIVE, day)
        if wanted:
            tests.append(lambda p: products.status_of(p) == wanted)
    elif wanted:
        index, prefix = "statusById", (wanted,)
    else:
        index, prefix = "listed", (products.LIVE,)
    if query.get("sellerProductName"):
        name = str(query["sellerProductName"])
        tests.append(lambda p: name in p["sellerProductName"])
    if query.get("manufacture"):
        maker = str(query["manufacture"])
        tests.append(lambda p: maker in str(p.get("manufacture") or ""))
    if query.get("violationTypes"):
        tests.append(_violation_test(query["violationTypes"], query.get("violationTypeAndOr")))
    if not tests:
        return index, prefix, None
    return index, prefix, lambda p: all(test(p) for test in tests)


def _in_prefix(index: str, prefix: IndexKey, product: Product) -> bool:
    key = index_of(products.KIND, index).key(product)
    return key is not None and key[: len(prefix)] == tuple(prefix)


def violations(product: Product) -> list[str]:
    """MOTA_V2 while the last create/update registered with missing mandatory options."""
    return ["MOTA_V2"] if product["mock"].get("warning") else []


def _violation_test(wanted: Any, mode: Any) -> Keep:
    kinds = set(wanted if isinstance(wanted, list) else str(wanted).split(","))
    if len(kinds) > 1 and mode not in ("AND", "OR"):
        raise error("violationTypeAndOr 값을 입력해주세요.")  # x-inferred: the sources give no text
    test = all if mode == "AND" else any
    return lambda p: test(kind in violations(p) for kind in kinds)


def _created_day(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise error(CREATED_AT_FORMAT)
    try:
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise error(CREATED_AT_FORMAT) from None


def page_number(token: Any) -> int:
    """nextToken is a page key: omitted, 0 or 1 = first page."""
    text = "" if token is None else str(token).strip()
    if text in ("", "0"):
        return 1
    if text.isdigit():
        return int(text)
    raise error(BAD_TOKEN)


def _slice(rows: list[Any], page: int, size: int) -> tuple[list[Any], str]:
    chunk = rows[(page - 1) * size : page * size]
    return chunk, (str(page + 1) if page * size < len(rows) else "")


def page_by_token(rows: list[Any], token: Any, size: int) -> tuple[list[Any], str]:
    """A page of an in-document list (a product's status histories); "" when no page follows."""
    return _slice(rows, page_number(token), size)


def time_frame(tx: Tx, start_text: str, end_text: str) -> list[Product]:
    start = timefmt.parse_query_datetime(start_text, "createdAtFrom")
    end = timefmt.parse_query_datetime(end_text, "createdAtTo")
    if end - start > timedelta(minutes=10):
        raise error(TIME_WINDOW)  # an inverted window is simply empty (spec x-inferred)
    if end < start:
        return []
    lo, hi = iso_key(start), iso_key(end + timedelta(microseconds=1))
    return sorted(tx.find(products.KIND, "recent", lo=lo, hi=hi), key=lambda p: p["sellerProductId"])


def by_external_sku(tx: Tx, sku: str) -> list[Product]:
    return products.with_sku(tx, sku)
