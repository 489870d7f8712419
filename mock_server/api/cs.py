"""HTTP glue of the CS group: product Q&A and Coupang call-center inquiries, plus their control routes.

Rules and both transition tables live in `mock_server.domains.cs`; this module maps query/body to the
domain and builds the envelopes (cs_page for the lists, standard for the single read, ack for writes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import envelopes
from ..core import MockServices
from ..domains import cs
from ..errors import ApiError
from ..registry import RequestContext, control, handles, ticker
from ..simulate import int_arg, vendor_tx
from ..store import Tx


def _legacy(ctx: RequestContext) -> bool:
    return ctx.operation.api_format == "legacy"


def _paging(ctx: RequestContext) -> tuple[int, int]:
    return ctx.query.get("pageNum") or 1, ctx.query.get("pageSize") or 10


def _page(ctx: RequestContext, found: cs.Page, render: Any) -> dict[str, Any]:
    page, size = _paging(ctx)
    chunk, total = found
    body = envelopes.cs_page([render(doc) for doc in chunk], page, size, total)
    if _legacy(ctx):
        body["code"] = "200"  # docs2019 answers carry the code as a string
    return body


def _body(ctx: RequestContext) -> dict[str, Any]:
    return ctx.body if isinstance(ctx.body, dict) else {}


# ---------------------------------------------------------------- product Q&A


@handles("listOnlineInquiries")
def list_online_inquiries(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    item_filter = query.get("vendorItemId") if _legacy(ctx) else None
    # docs2019 (v4): a vendorItemId alone lists all of that option's questions; otherwise both dates.
    days = cs.window(query.get("inquiryStartAt"), query.get("inquiryEndAt"), optional=item_filter is not None)
    found = cs.list_online(ctx.tx, query["answeredType"], days, item_filter, *_paging(ctx))
    legacy = _legacy(ctx)
    return _page(ctx, found, lambda doc: cs.render_online(doc, legacy, ctx.now))


@handles("replyOnlineInquiry")
def reply_online_inquiry(ctx: RequestContext) -> dict[str, Any]:
    cs.reply_online(ctx.tx, ctx.now, ctx.next_id, ctx.vendor_id, ctx.path_params["inquiryId"], _body(ctx))
    return envelopes.ack()


# ---------------------------------------------------------------- call-center inquiries


@handles("listCallCenterInquiries")
def list_call_center_inquiries(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    item_filter = query.get("vendorItemId")
    days = cs.window(query.get("inquiryStartAt"), query.get("inquiryEndAt"), optional=item_filter is not None)
    status = query["partnerCounselingStatus"]
    found = cs.list_call_center(ctx.tx, status, days, item_filter, query.get("orderId"), *_paging(ctx))
    legacy = _legacy(ctx)
    return _page(ctx, found, lambda doc: cs.render_call_center(doc, legacy))


@handles("getCallCenterInquiry")
def get_call_center_inquiry(ctx: RequestContext) -> dict[str, Any]:
    inquiry_id = ctx.path_params["inquiryId"]
    inquiry = cs.get(ctx.tx, inquiry_id)
    if inquiry is None or inquiry["kind"] != cs.CALL_CENTER:
        raise ApiError(404, cs.OTHER_VENDOR if _issued_to_another_vendor(ctx, inquiry_id) else cs.NOT_FOUND)
    legacy = _legacy(ctx)
    return envelopes.standard(cs.render_call_center(inquiry, legacy), code="200" if legacy else 200)


def _issued_to_another_vendor(ctx: RequestContext, inquiry_id: int) -> bool:
    """Ids carry a per-vendor prefix (ids.py), so another vendor's inquiry is recognised without
    opening that vendor's store (inferred: Coupang answers the "Vendor id should be same" 404)."""
    tenants = (vendor["vendorId"] for vendor in ctx.services.vendors.all())
    return ctx.services.ids.issued_to_other(inquiry_id, "callCenterInquiryId", 9, ctx.vendor_id, tenants)


@handles("replyCallCenterInquiry")
def reply_call_center_inquiry(ctx: RequestContext) -> dict[str, Any]:
    cs.reply_call_center(ctx.tx, ctx.now, ctx.next_id, ctx.vendor_id, ctx.path_params["inquiryId"], _body(ctx))
    return envelopes.ack()


@handles("confirmCallCenterInquiry")
def confirm_call_center_inquiry(ctx: RequestContext) -> dict[str, Any]:
    cs.confirm_call_center(ctx.tx, ctx.now, ctx.vendor_id, ctx.path_params["inquiryId"], _body(ctx))
    return envelopes.ack()


@ticker(due=cs.due)
def tick(tx: Tx, now: datetime, services: MockServices) -> None:
    cs.tick(tx, now, lambda kind, digits: services.ids.next(tx, kind, digits))


# ---------------------------------------------------------------- control plane: customers, Coupang CS


@control("/vendors/<vendor_id>/inquiries", methods=("POST",))
def create_inquiry(services: MockServices, body: dict[str, Any], vendor_id: str) -> tuple[Any, int]:
    """A customer asks (ONLINE) or Coupang CS transfers a case (CALL_CENTER, status NO_ANSWER|TRANSFER)."""
    with vendor_tx(services, vendor_id) as (tx, now, new_id):
        inquiry = cs.create(tx, now, new_id, body if isinstance(body, dict) else {})
    answer: dict[str, Any] = {"inquiryId": inquiry["inquiryId"], "kind": inquiry["kind"], "state": inquiry["state"]}
    if inquiry["kind"] == cs.CALL_CENTER:
        answer["answerId"] = inquiry["replies"][0]["answerId"]
    return answer, 201


@control("/vendors/<vendor_id>/inquiries/<inquiry_id>/events", methods=("POST",))
def inquiry_event(services: MockServices, body: dict[str, Any], vendor_id: str, inquiry_id: str) -> Any:
    """{"event": "customerDelete"} (ONLINE) or "counsellorComplete" / "counsellorClose" (CALL_CENTER)."""
    event = str((body or {}).get("event") or "")
    with vendor_tx(services, vendor_id) as (tx, now, _new_id):
        inquiry = cs.external_event(tx, now, int_arg(inquiry_id, "inquiryId"), event)
    return {"inquiryId": inquiry["inquiryId"], "kind": inquiry["kind"], "state": inquiry["state"]}


@control("/vendors/<vendor_id>/wing-users", methods=("GET", "PUT"))
def wing_users(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """The vendor's WING login ids accepted as replyBy / confirmBy: PUT {"userIds": [...]}."""
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        users = cs.set_wing_users(tx, body["userIds"]) if "userIds" in (body or {}) else cs.wing_users(tx)
    return {"vendorId": vendor_id, "userIds": users}
