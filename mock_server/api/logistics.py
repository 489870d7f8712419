"""HTTP glue of the logistics group: outbound shipping places (출고지) and return centers (반품지).

Rules live in `mock_server.domains.logistics`; this module maps query/body to the domain and builds
each endpoint's envelope (logistics.yaml → response envelopes).
"""

from __future__ import annotations

from typing import Any

from ..domains import logistics
from ..registry import Reply, RequestContext, handles


def _result(message: str) -> dict[str, Any]:
    """Create/update answer: {"code":"200","message":"SUCCESS","data":{resultCode,resultMessage}}."""
    return {"code": "200", "message": "SUCCESS", "data": {"resultCode": "SUCCESS", "resultMessage": message}}


def _body(ctx: RequestContext) -> dict[str, Any]:
    return ctx.body if isinstance(ctx.body, dict) else {}


def _as_list(value: Any) -> list[Any] | None:
    if value in (None, "", []):
        return None
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- outbound shipping places


@handles("createOutboundShippingCenter")
def create_outbound(ctx: RequestContext) -> dict[str, Any]:
    center = logistics.create_outbound(ctx.tx, _body(ctx), ctx.now, ctx.next_id)
    return _result(str(center["outboundShippingPlaceCode"]))


@handles("updateOutboundShippingCenter")
def update_outbound(ctx: RequestContext) -> dict[str, Any]:
    logistics.update_outbound(ctx.tx, ctx.path_params["outboundShippingPlaceCode"], _body(ctx), ctx.next_id)
    return _result("Modify successfully")


@handles("listOutboundShippingPlaces")
def list_outbound(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    legacy = ctx.operation.api_format == "legacy"
    if legacy:  # docs2019 v4: searchType OSPC = by codes, FULL = the whole (paged) list
        codes = _as_list(query.get("outboundShippingPlaceCodes")) if query.get("searchType") == "OSPC" else None
        names = None
        page = query.get("pageNum") or (None if codes else 1)
        size = query.get("pageSize") or (None if codes else 10)
    else:
        codes, names = _as_list(query.get("placeCodes")), _as_list(query.get("placeNames"))
        page, size = query.get("pageNum"), query.get("pageSize")
    found, pagination = logistics.query_outbound(ctx.tx, codes, names, page, size)
    page_body = {"content": [logistics.render_outbound(c) for c in found], "pagination": pagination}
    # the current API answers bare {content, pagination}; v4 wrapped it in the usual envelope
    return {"code": "200", "message": "SUCCESS", "data": page_body} if legacy else page_body


# ---------------------------------------------------------------- return centers


@handles("createReturnShippingCenter")
def create_return(ctx: RequestContext) -> Any:
    center = logistics.create_return(ctx.tx, _body(ctx), ctx.now, ctx.next_id)
    if center["goodsflowStatus"] != logistics.SYSTEM_GOODSFLOW_OK:
        # registered all the same (it stays listable) but Coupang answers 500: a Reply keeps the write
        return Reply({"code": 500, "message": logistics.CONTRACT_FAILED}, 500)
    return _result(str(center["returnCenterCode"]))


@handles("updateReturnShippingCenter")
def update_return(ctx: RequestContext) -> dict[str, Any]:
    logistics.update_return(ctx.tx, ctx.path_params["returnCenterCode"], _body(ctx))
    return _result("Modify successfully")


@handles("listReturnShippingCenters")
def list_returns(ctx: RequestContext) -> dict[str, Any]:
    page = ctx.query.get("pageNum") or 1
    size = ctx.query.get("pageSize") or 10
    found, pagination = logistics.list_returns(ctx.tx, page, size)
    content = [logistics.render_return(c, ctx.vendor_id) for c in found]
    return {"code": 200, "message": "SUCCESS", "data": {"content": content, "pagination": pagination}}


@handles("getReturnShippingCentersByCode")
def returns_by_code(ctx: RequestContext) -> dict[str, Any]:
    found = logistics.returns_by_codes(ctx.tx, ctx.query.get("returnCenterCodes"))
    rendered = [logistics.render_return(c, ctx.vendor_id) for c in found]
    if ctx.operation.api_format == "legacy":  # the greatwall v2 path predates the 2 kg tier
        rendered = [{k: v for k, v in row.items() if not k.endswith("02kg")} for row in rendered]
    return {"code": "200", "message": "SUCCESS", "data": rendered}
