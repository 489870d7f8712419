"""The control plane under /_mock: plays the buyer, the courier, Coupang's reviewers and the clock.

Generic routes live here; API-group modules add their own with `registry.control` (orders,
returns, reviews …). Control routes answer in plain JSON (not Coupang envelopes): they are ours.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, request

from . import control_schema
from .clock import ClockRangeError
from .core import MockServices, run_tickers
from .domains.fsm import flush_coverage, transition_coverage
from .errors import ApiError, json_response
from .registry import CONTROL_ROUTES
from .runtime import system_tx
from .spec import iter_operations

bp = Blueprint("control", __name__, url_prefix="/_mock")
JOURNAL_LIMIT_MAX = 10_000
LIMIT_RE = re.compile(r"^[0-9]{1,5}$")


def services() -> MockServices:
    return current_app.extensions["coupang_mock"]


def body() -> dict[str, Any]:
    return control_schema.parse_body(request.get_data(cache=True))


def checked(schema: str, data: Any) -> Any:
    """`data` if it fits components/schemas/<schema> of control.yaml, else 400 naming the field."""
    try:
        control_schema.check(schema, data)
    except control_schema.ControlInputError as exc:
        raise exc.to_error() from None
    return data


def vendor_arg() -> str | None:
    return checked("VendorQuery", {k: v for k, v in request.args.items() if k == "vendorId"}).get("vendorId")


def guard() -> None:
    """Loopback only, unless a control token is configured (then the token is required)."""
    token = services().settings.control_token
    if token:
        if request.headers.get("X-Mock-Token") != token:
            raise ApiError(403, "control plane: missing or wrong X-Mock-Token")
        return
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ApiError(403, "control plane is reachable from loopback only (set a control token)")


@bp.post("/vendors")
def create_vendor() -> Any:
    data = body()
    s = services()
    vendor_id = data.get("vendorId")
    if vendor_id is not None and (not isinstance(vendor_id, str) or not _valid_vendor_id(vendor_id)):
        raise ApiError(400, "vendorId must look like A00012345 (a capital letter and 8 digits)")
    try:
        record = s.vendors.create(s.clock.now(), vendor_id, data.get("accessKey"), data.get("secretKey"))
    except ValueError as exc:
        raise ApiError(409, str(exc)) from None
    return json_response(_public(record), 201)


@bp.get("/vendors")
def list_vendors() -> Any:
    return json_response([_public(v) for v in services().vendors.all()])


@bp.get("/vendors/<vendor_id>")
def get_vendor(vendor_id: str) -> Any:
    record = services().vendors.get(vendor_id)
    if record is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    return json_response(_public(record))


@bp.post("/reset")
def reset() -> Any:
    vendor_id = vendor_arg() or checked("VendorQuery", body()).get("vendorId")
    services().reset(vendor_id)
    return json_response({"reset": vendor_id or "all"})


@bp.get("/clock")
def get_clock() -> Any:
    return json_response({"now": services().clock.now(vendor_arg()).isoformat()})


@bp.post("/clock")
def move_clock() -> Any:
    data = checked("ClockMove", body())
    clock = services().clock
    vendor_id = data.get("vendorId")
    if ("advanceSeconds" in data) == ("now" in data):
        raise control_schema.ControlInputError("advanceSeconds", "give advanceSeconds or now (one of them)").to_error()
    try:
        if "advanceSeconds" in data:
            now = clock.advance(data["advanceSeconds"], vendor_id)
        else:
            now = clock.set(_moment(data["now"]), vendor_id)
    except ClockRangeError as exc:
        raise control_schema.ControlInputError(exc.field, str(exc)).to_error() from None
    _catch_up(vendor_id)
    return json_response({"now": now.isoformat()})


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise control_schema.ControlInputError(
            "now", "now must be ISO-8601 with a UTC offset, e.g. 2026-01-02T09:00:00+09:00"
        ).to_error()
    return moment


def _catch_up(vendor_id: str | None) -> None:
    """Moving the clock lets timed transitions happen now, not at the next API call."""
    s = services()
    tenants = [vendor_id] if vendor_id else s.store.tenants()
    for tenant in tenants:
        now = s.clock.now(tenant)  # read before the vendor transaction: SQLite cannot nest the system one
        with s.store.transaction(tenant) as tx:
            run_tickers(tx, now, s)
    _flush_coverage(s)


def _flush_coverage(s: MockServices) -> None:
    with system_tx(s.store) as tx:
        flush_coverage(tx)


@bp.post("/faults")
def add_fault() -> Any:
    try:
        rule = services().faults.add(body())
    except control_schema.ControlInputError as exc:
        raise exc.to_error() from None
    return json_response(rule.to_json(), 201)


@bp.get("/faults")
def list_faults() -> Any:
    return json_response([r.to_json() for r in services().faults.list()])


@bp.delete("/faults")
def clear_faults() -> Any:
    services().faults.clear()
    return json_response({"cleared": True})


@bp.put("/throttle")
def configure_throttle() -> Any:
    data = checked("ThrottleSettings", body())
    limits = services().throttle.configure(
        data.get("vendorId"),
        enabled=data.get("enabled"),
        rate=data.get("ratePerSecond"),
        burst=data.get("burst"),
        block_seconds=data.get("blockSeconds"),
    )
    return json_response(
        {
            "vendorId": data.get("vendorId"),
            "enabled": limits.enabled,
            "ratePerSecond": limits.rate,
            "burst": limits.burst,
            "blockSeconds": limits.block_seconds,
        }
    )


@bp.get("/journal")
def journal() -> Any:
    limit = request.args.get("limit", "100")
    if not LIMIT_RE.match(limit) or int(limit) > JOURNAL_LIMIT_MAX:
        raise ApiError(400, f"limit must be an integer from 0 to {JOURNAL_LIMIT_MAX}", extra={"field": "limit"})
    return json_response(services().journal.recent(vendor_arg(), int(limit)))


@bp.get("/openapi.json")
def openapi() -> Any:
    return json_response(services().document)


@bp.get("/transitions")
def transitions() -> Any:
    return json_response(transition_coverage(services().store))


@bp.get("/coverage")
def coverage() -> Any:
    return json_response(coverage_report(services()))


def coverage_report(s: MockServices) -> dict[str, Any]:
    per_tag: dict[str, dict[str, Any]] = {}
    for op in iter_operations(s.document):
        tag = per_tag.setdefault(op.tag, {"operations": 0, "served": 0, "unserved": []})
        tag["operations"] += 1
        if s.served(op.operation_id):
            tag["served"] += 1
        else:
            tag["unserved"].append(op.operation_id)
    return per_tag


def _valid_vendor_id(value: str) -> bool:
    return len(value) == 9 and value[0].isupper() and value[1:].isdigit()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("vendorId", "accessKey", "secretKey", "issuedAt")}


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    for route in CONTROL_ROUTES:
        app.add_url_rule(
            "/_mock" + route.rule,
            endpoint=f"control.{route.func.__module__}.{route.func.__name__}",
            view_func=_control_view(route.func),
            methods=list(route.methods),
        )


def _control_view(func: Any) -> Any:
    def view(**path_params: Any) -> Any:
        s = services()
        result = func(s, body(), **path_params)
        payload, status = result if isinstance(result, tuple) else (result, 200)
        _flush_coverage(s)
        return json_response(payload, status)

    view.__name__ = func.__name__
    return view
