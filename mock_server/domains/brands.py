"""Coupang's brand library (package data `mock_server/data/brands.json`) and a vendor's enrolled brands.

Store kind (per vendor, owned here): `brands-enrolled`, key brandId → {brandId, enrolledAt}.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from importlib import resources
from typing import Any

from ..errors import ApiError
from ..store import Tx, declare_index
from .query_paging import iso_key

ENROLLED = "brands-enrolled"
# enrolment order: one call enrols several brands at the same moment
declare_index(ENROLLED, "byEnrolled", lambda doc: (iso_key(doc["enrolledAt"]), doc.get("order", 0), doc["brandId"]))
NAME_REQUIRED = "brandName is required"  # verbatim (misc.yaml → search-brands errors)
MAX_PER_PAGE = 10


@functools.cache
def library() -> dict[str, dict[str, Any]]:
    text = resources.files("coupang_mock.server.data").joinpath("brands.json").read_text(encoding="utf-8")
    return {entry["brandId"]: entry for entry in json.loads(text)["brands"]}


def render(brand: dict[str, Any]) -> dict[str, Any]:
    return {
        "brandId": brand["brandId"],
        "brandName": brand["brandName"],
        "brandLogoUrl": brand["brandLogoUrl"],
        "isUIDRequired": brand["isUIDRequired"],
        "allowedUIDTypes": list(brand["allowedUIDTypes"]),
    }


def search(name: Any, page: int, size: int) -> dict[str, Any]:
    """Case-insensitive substring over the brand name and its other spelling, sorted by name."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, NAME_REQUIRED, code="ERROR", extra={"data": None})
    needle = name.strip().casefold()
    found = sorted(
        (b for b in library().values() if any(needle in n.casefold() for n in (b["brandName"], *b["aliases"]))),
        key=lambda b: b["brandName"],
    )
    start = (page - 1) * size
    return {
        "page": page,
        "countPerPage": size,
        "totalCount": len(found),
        "items": [render(b) for b in found[start : start + size]],
    }


def get(brand_id: str) -> dict[str, Any] | None:
    return library().get(brand_id)


def enrolled(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.find(ENROLLED, "byEnrolled")
    return [{"brandId": doc["brandId"], "brandName": library()[doc["brandId"]]["brandName"]} for doc in rows]


def enroll(tx: Tx, now: datetime, brand_ids: list[Any]) -> list[dict[str, Any]]:
    """Control plane: the seller registered these brands in WING (unknown ids refuse the whole call)."""
    unknown = [b for b in brand_ids if not isinstance(b, str) or b not in library()]
    if unknown:
        raise ApiError(400, f"unknown brandIds: {unknown}")
    for brand_id in brand_ids:
        if tx.get(ENROLLED, brand_id) is None:
            entry = {"brandId": brand_id, "enrolledAt": now.isoformat(), "order": tx.next_seq(ENROLLED)}
            tx.put(ENROLLED, brand_id, entry)
    return enrolled(tx)
