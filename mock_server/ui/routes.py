"""HTTP glue of the dashboard: the page, its static files and the read-only JSON it fetches.

Everything lives under /_mock, so the control plane's guard (loopback or X-Mock-Token) covers it.
State-changing buttons post to the existing control routes; the only writes added here are the
seller's own API calls (acknowledge, upload invoice, request approval), which go through the real
gateway, signed with the vendor's key, so they appear in the journal like any client call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.test import EnvironBuilder

from coupang_mock.client.signing import sign

from ..control import services
from ..core import Gateway, MockServices
from ..domains.fsm import MACHINES, transition_coverage
from ..errors import ApiError, json_response
from ..simulate import int_arg, vendor_tx
from . import journal_view, state
from .svg import coverage_counts, machine_svg

HERE = Path(__file__).resolve().parent
bp = Blueprint(
    "ui",
    __name__,
    url_prefix="/_mock",
    static_folder=str(HERE / "static"),
    static_url_path="/ui/static",
    template_folder=str(HERE / "templates"),
)
JOURNAL_SCAN = 10_000  # the journal is a bounded ring: filtering it never grows with stored state


@bp.get("/ui")
def page() -> Any:
    # the guard has checked ?token= already; the page hands it to its fetches as X-Mock-Token
    token = request.args.get("token", "") if services().settings.control_token else ""
    return Response(render_template("ui.html", token=token), content_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- journal


@bp.get("/ui/api/journal")
def journal_list() -> Any:
    limit = request.args.get("limit", "200")
    if not limit.isdigit():
        raise ApiError(400, "limit must be a non-negative integer")
    vendor_id = request.args.get("vendorId") or None
    status, operation = request.args.get("status"), request.args.get("operationId")
    rows = [
        journal_view.summary(entry)
        for entry in services().journal.recent(None, JOURNAL_SCAN)
        if journal_view.matches(entry, vendor_id, status, operation)
    ]
    return json_response(rows[: int(limit)])


def _entry(entry_id: int) -> dict[str, Any]:
    entry = services().journal.entry(entry_id)
    if entry is not None:
        return entry
    raise ApiError(404, f"journal entry {entry_id} does not exist (the journal keeps the most recent requests)")


@bp.get("/journal/<int:entry_id>")
def journal_entry(entry_id: int) -> Any:
    return json_response(_entry(entry_id))


@bp.get("/journal/<int:entry_id>/curl")
def journal_curl(entry_id: int) -> Any:
    """A curl line signed now with the key of the vendor that sent it (the mock knows every key)."""
    s = services()
    entry = _entry(entry_id)
    vendor = s.vendors.get(entry["vendorId"]) if entry.get("vendorId") else None
    access_key = journal_view.access_key_of(entry)
    if vendor is None and access_key:
        vendor = s.vendors.by_access_key(access_key)
    if vendor is None:
        raise ApiError(409, "this request names no vendor of this mock: sign it with `coupang-mock sign` instead")
    line = journal_view.curl_line(entry, request.host_url, vendor["accessKey"], vendor["secretKey"], s.wall())
    return Response(line + "\n", content_type="text/plain; charset=utf-8")


def journal_diagnosis(data: dict[str, Any]) -> dict[str, Any]:
    """POST /_mock/auth/diagnose {journalId}: the checks the gateway recorded for that request."""
    entry = _entry(int_arg(data["journalId"], "journalId"))
    checks = entry.get("authChecks") or [
        {
            "check": "gateway",
            "ok": entry.get("auth") == "ok",
            "detail": entry.get("auth") or "not authenticated (no route)",
        }
    ]
    return {
        "ok": entry.get("auth") == "ok",
        "verdict": entry.get("auth") or "not authenticated (no route)",
        "checks": checks,
        "expectedStringToSign": entry.get("expectedStringToSign"),
        "receivedStringToSign": entry.get("receivedStringToSign"),
        "diff": entry.get("stringToSignDiff"),
        "hint": entry.get("authHint"),
        "request": {k: entry.get(k) for k in ("method", "path", "query")}
        | {"authorization": (entry.get("requestHeaders") or {}).get("Authorization")},
    }


# ---------------------------------------------------------------- state


def _view(kind: str) -> state.KindView:
    view = state.VIEWS.get(kind)
    if view is None:
        raise ApiError(404, f"no state view for {kind!r}; one of {sorted(state.VIEWS)}")
    return view


@bp.get("/ui/api/vendors/<vendor_id>/state/<kind>")
def state_list(vendor_id: str, kind: str) -> Any:
    view = _view(kind)
    with vendor_tx(services(), vendor_id) as (tx, _now, _new_id):
        return json_response(state.listing(tx, view, request.args.get("status") or None))


@bp.get("/ui/api/vendors/<vendor_id>/state/<kind>/<record_id>")
def state_detail(vendor_id: str, kind: str, record_id: str) -> Any:
    view = _view(kind)
    with vendor_tx(services(), vendor_id) as (tx, _now, _new_id):
        doc = tx.get(view.kind, int_arg(record_id, view.id_field))
        if doc is None:
            raise ApiError(404, f"{view.id_field} {record_id} does not exist for vendor {vendor_id}")
        if request.args.get("only") == "record":  # the page's change poll: one by-id read, nothing derived
            return json_response({"record": doc})
        return json_response(state.detail(tx, view, doc, vendor_id))


@bp.post("/ui/api/vendors/<vendor_id>/<kind>/<record_id>/seller/<action>")
def seller_call(vendor_id: str, kind: str, record_id: str, action: str) -> Any:
    """The seller's API call for a record, made by the dashboard through the real gateway (journaled)."""
    build = state.SELLER_CALLS.get((kind, action))
    if build is None:
        known = sorted(f"{k}/{a}" for k, a in state.SELLER_CALLS)
        raise ApiError(404, f"no seller action {kind}/{action}; one of {known}")
    view = _view(kind)
    s = services()
    with vendor_tx(s, vendor_id) as (tx, _now, _new_id):
        record = tx.get(view.kind, int_arg(record_id, view.id_field))
    if record is None:
        raise ApiError(404, f"{view.id_field} {record_id} does not exist for vendor {vendor_id}")
    method, path, payload = build(vendor_id, record)
    answer = _gateway_call(s, vendor_id, method, path, payload)
    return json_response({"status": answer.status_code, "body": answer.get_json(silent=True)}, 200)


def _gateway_call(s: MockServices, vendor_id: str, method: str, path: str, payload: dict[str, Any] | None) -> Response:
    vendor = s.vendors.get(vendor_id)
    if vendor is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    header = sign(vendor["accessKey"], vendor["secretKey"], method, path, "", s.wall())
    builder = EnvironBuilder(
        path=path,
        method=method,
        json=payload,  # None: no body
        headers={"Authorization": header, "User-Agent": "coupang-mock-dashboard"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    return Gateway(s)(builder.get_request())


# ---------------------------------------------------------------- clock, throttle, coverage


@bp.get("/ui/api/throttle")
def throttle_settings() -> Any:
    limits = services().throttle.limits(request.args.get("vendorId") or "")
    return json_response(
        {
            "enabled": limits.enabled,
            "ratePerSecond": limits.rate,
            "burst": limits.burst,
            "blockSeconds": limits.block_seconds,
            "classes": {k: {"ratePerSecond": c.rate_per_second, "burst": c.burst} for k, c in limits.classes.items()},
        }
    )


@bp.get("/ui/api/clocks")
def clocks() -> Any:
    s = services()
    rows = [{"vendorId": None, "now": s.clock.now().isoformat()}]
    rows += [{"vendorId": v["vendorId"], "now": s.clock.now(v["vendorId"]).isoformat()} for v in s.vendors.all()]
    return json_response({"wall": s.wall().isoformat(), "clocks": rows})


@bp.get("/ui/api/machines/<name>.svg")
def machine_drawing(name: str) -> Any:
    machine = MACHINES.get(name)
    if machine is None:
        raise ApiError(404, f"no state machine {name!r}")
    svg = machine_svg(machine, coverage_counts(transition_coverage(), name))
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
