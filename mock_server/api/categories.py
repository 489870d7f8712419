"""HTTP glue of the categories group: the display-category tree, metas and the recommender.

The tree is read-only package data (`domains.categories`); the only per-vendor state is the
auto-category agreement, kept in the catalog settings of the products domain.
"""

from __future__ import annotations

from typing import Any

from ..domains import categories, product_rules
from ..errors import ApiError
from ..registry import RequestContext, handles


def _ok(data: Any) -> dict[str, Any]:
    """The seller_api family envelope: {"code":"SUCCESS","message":"","data":…}."""
    return {"code": "SUCCESS", "message": "", "data": data}


def _node(ctx: RequestContext, not_numeric: str = categories.NOT_NUMERIC_DISPLAY) -> categories.Category:
    raw = ctx.path_params["displayCategoryCode"]
    code = categories.parse_code(raw, not_numeric)
    node = categories.find(code)
    if node is None:
        raise categories.not_found(code)
    return node


@handles("listDisplayCategories")
def list_display_categories(ctx: RequestContext) -> dict[str, Any]:
    # RFM/CGF keep the branches operable for Rocket Growth (package data decides; x-inferred).
    # locale: the package data carries Korean names only, so every locale answers Korean (x-inferred).
    rocket_growth = ctx.query.get("registrationType") in ("RFM", "CGF")
    return _ok(categories.render_tree(categories.ROOT, rocket_growth_only=rocket_growth))


@handles("getDisplayCategory")
def get_display_category(ctx: RequestContext) -> dict[str, Any]:
    return _ok(categories.render_one_level(_node(ctx)))


@handles("checkDisplayCategoryStatus")
def check_display_category_status(ctx: RequestContext) -> dict[str, Any]:
    node = _node(ctx)
    if node.code == categories.ROOT_CODE or not node.is_leaf:
        raise categories.not_leaf(node)
    return _ok(node.status == "ACTIVE")


@handles("getCategoryRelatedMetas")
def get_category_related_metas(ctx: RequestContext) -> dict[str, Any]:
    code = categories.parse_code(ctx.path_params["displayCategoryCode"], categories.NOT_NUMERIC_EXHIBIT)
    node = categories.find(code)
    if node is None or not node.is_leaf or node.code == categories.ROOT_CODE:
        raise ApiError(400, categories.NO_MANAGEMENT_CATEGORY, code="ERROR", extra={"data": None})
    return _ok(categories.metas(node))


@handles("predictCategory")
def predict_category(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    name = body.get("productName")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, categories.EMPTY_PRODUCT_NAME)
    attributes = body.get("attributes")
    values = " ".join(str(v) for v in attributes.values()) if isinstance(attributes, dict) else ""
    extra = " ".join(str(body.get(k) or "") for k in ("brand", "productDescription")) + " " + values
    return {"code": 200, "message": "OK", "data": categories.predict(name, extra)}


@handles("checkAutoCategoryAgreed")
def check_auto_category_agreed(ctx: RequestContext) -> dict[str, Any]:
    return _ok(bool(product_rules.settings(ctx.tx)["autoCategoryAgreed"]))
