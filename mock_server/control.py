"""The control plane under /_mock: plays the buyer, the courier, Coupang's reviewers and the clock.

Generic routes live here; API-group modules add their own with `registry.control` (orders,
returns, reviews …). Control routes answer in plain JSON (not Coupang envelopes): they are ours.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, request

from . import state_routes  # scenarios and snapshots
from .core import MockServices, run_tickers
from .errors import ApiError, json_response
from .registry import CONTROL_ROUTES
from .spec import iter_operations

bp = Blueprint("control", __name__, url_prefix="/_mock")


def services() -> MockServices:
    return current_app.extensions["coupang_mock"]


def body() -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "control body must be a JSON object")
    return data


def guard() -> None:
    """Loopback only, unless a control token is configured (then the token is required)."""
    token = services().settings.control_token
    if token:
        # A browser cannot add a header to a page it navigates to: GETs (read-only) may carry ?token=.
        supplied = request.headers.get("X-Mock-Token") or (
            request.args.get("token") if request.method == "GET" else None
        )
        if supplied != token:
            raise ApiError(403, "control plane: missing or wrong X-Mock-Token")
        return
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ApiError(403, "control plane is reachable from loopback only (set a control token)")


@bp.get("/health")
def health() -> Any:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("coupang-mock")
    except PackageNotFoundError:  # run from a source tree without an install
        installed = "unknown"
    s = services()
    served = sum(1 for op_id in s.operations if s.served(op_id))
    return json_response({"status": "ok", "version": installed, "operations": served})


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
    vendor_id = request.args.get("vendorId") or body().get("vendorId")
    services().reset(vendor_id)
    return json_response({"reset": vendor_id or "all"})


@bp.get("/clock")
def get_clock() -> Any:
    vendor_id = request.args.get("vendorId")
    return json_response({"now": services().clock.now(vendor_id).isoformat()})


@bp.post("/clock")
def move_clock() -> Any:
    data = body()
    clock = services().clock
    vendor_id = data.get("vendorId")
    if "advanceSeconds" in data:
        seconds = data["advanceSeconds"]
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise ApiError(400, "advanceSeconds must be a number")
        now = clock.advance(float(seconds), vendor_id)
    elif "now" in data:
        try:
            now = clock.set(datetime.fromisoformat(str(data["now"])), vendor_id)
        except ValueError:
            raise ApiError(400, "now must be ISO-8601 with a UTC offset, e.g. 2026-01-02T09:00:00+09:00") from None
    else:
        raise ApiError(400, "give advanceSeconds or now")
    _catch_up(vendor_id)
    return json_response({"now": now.isoformat()})


def _catch_up(vendor_id: str | None) -> None:
    """Moving the clock lets timed transitions happen now, not at the next API call."""
    s = services()
    tenants = [vendor_id] if vendor_id else s.store.tenants()
    for tenant in tenants:
        with s.store.transaction(tenant) as tx:
            run_tickers(tx, s.clock.now(tenant), s)


@bp.post("/faults")
def add_fault() -> Any:
    try:
        rule = services().faults.add(body())
    except (TypeError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(rule.to_json(), 201)


@bp.get("/faults")
def list_faults() -> Any:
    return json_response([r.to_json() for r in services().faults.list()])


@bp.delete("/faults")
def clear_faults() -> Any:
    services().faults.clear()
    return json_response({"cleared": True})


@bp.delete("/faults/<int:rule_id>")
def remove_fault(rule_id: int) -> Any:
    if not services().faults.remove(rule_id):
        raise ApiError(404, f"fault rule {rule_id} does not exist")
    return json_response({"removed": rule_id})


@bp.put("/throttle")
def configure_throttle() -> Any:
    data = body()
    for name in ("ratePerSecond", "blockSeconds"):
        if name in data and (not isinstance(data[name], int | float) or isinstance(data[name], bool) or data[name] < 0):
            raise ApiError(400, f"{name} must be a non-negative number")
    if "burst" in data and (not isinstance(data["burst"], int) or data["burst"] < 1):
        raise ApiError(400, "burst must be a positive integer")
    if "enabled" in data and not isinstance(data["enabled"], bool):
        raise ApiError(400, "enabled must be true or false")
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


@bp.put("/ladder")
def configure_ladder() -> Any:
    """Thresholds of the blocking ladder (ladder.py), for everyone or one vendor (`vendorId`)."""
    data = dict(body())
    vendor_id = data.pop("vendorId", None)
    if vendor_id is not None and (not isinstance(vendor_id, str) or services().vendors.get(vendor_id) is None):
        raise ApiError(400, "vendorId: no such vendor")
    try:
        updated = services().ladder.configure(vendor_id, data)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response({"vendorId": vendor_id, **updated.to_json()})


@bp.get("/ladder")
def ladder_state() -> Any:
    """A vendor's place on the ladder (OPEN, HELD, DENIED, BLOCKED, until when) and its thresholds."""
    s = services()
    vendor_id = request.args.get("vendorId") or s.settings.default_vendor_id
    if s.vendors.get(vendor_id) is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    rung = s.ladder.rung(vendor_id, s.clock.now(vendor_id))
    settings = s.ladder.for_vendor(vendor_id).to_json()
    return json_response({"vendorId": vendor_id, "state": rung.state, "until": rung.until, "settings": settings})


@bp.get("/journal")
def journal() -> Any:
    limit = request.args.get("limit", "100")
    if not limit.isdigit():
        raise ApiError(400, "limit must be a non-negative integer")
    return json_response(services().journal.recent(request.args.get("vendorId"), int(limit)))


@bp.get("/lint")
def misuse_report() -> Any:
    """What the vendor's calls would run into in production (see mock_server/lint.py)."""
    from . import lint

    s = services()
    vendor_id = request.args.get("vendorId")
    if vendor_id is not None and s.vendors.get(vendor_id) is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    vendors = [vendor_id] if vendor_id else [v["vendorId"] for v in s.vendors.all()]
    return json_response(lint.report({v: lint.vendor_findings(s, v) for v in vendors}))


@bp.get("/openapi.json")
def openapi() -> Any:
    return json_response(services().document)


@bp.get("/transitions")
def transitions() -> Any:
    from .domains.fsm import transition_coverage

    return json_response(transition_coverage())


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
    app.register_blueprint(state_routes.bp)
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
        return json_response(payload, status)

    view.__name__ = func.__name__
    return view
