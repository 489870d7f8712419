"""The control plane under /_mock: plays the buyer, the courier, Coupang's reviewers and the clock.

Generic routes live here; API-group modules add their own with `registry.control` (orders,
returns, reviews …). Control routes answer in plain JSON (not Coupang envelopes): they are ours.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, request

from . import (
    control_schema,
    state_routes,  # scenarios and snapshots
)
from .clock import ClockRangeError
from .core import BODY_METHODS, MockServices, run_tickers
from .domains.fsm import flush_coverage, transition_coverage
from .errors import ApiError, json_response
from .registry import CONTROL_ROUTES
from .runtime import system_tx
from .spec import iter_operations
from .validation import JsonLimits, SizeLimits, check_size, parse_json

TOKEN_HEADER = "X-Mock-Token"
VENDOR_ID_RE = re.compile(r"^[A-Z][0-9]{8}$")
# Fetch metadata a browser sends: only the mock's own pages (or a typed URL) may write.
SAME_SITE_FETCHES = {"same-origin", "none"}
# The body types a page on another origin can send without a CORS preflight (which the mock never
# grants); any other type, or none (curl -X POST, requests' bytes bodies, YAML scenarios), is a non-browser client.
BROWSER_SIMPLE_TYPES = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
KEY_RE = re.compile(r"[!-+\--~]{1,128}")  # printable ASCII except space and comma

bp = Blueprint("control", __name__, url_prefix="/_mock")
JOURNAL_LIMIT_MAX = 10_000
LIMIT_RE = re.compile(r"^[0-9]{1,5}$")


def services() -> MockServices:
    return current_app.extensions["coupang_mock"]


def body() -> dict[str, Any]:
    """One JSON object (empty means {}), read with the API's limits (depth, number length, finite
    numbers); anything else is a 400 naming `body`."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    settings = services().settings
    try:
        data = parse_json(raw, JsonLimits(settings.max_json_depth, settings.max_number_length))
    except ApiError as err:
        raise ApiError(400, f"control body: {err.message}", extra={"field": "body"}) from None
    if not isinstance(data, dict):
        raise ApiError(400, "control body must be a JSON object", extra={"field": "body"})
    return data


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
    """Who may drive the control plane. Without a token: loopback clients that name this mock in
    `Host` (a DNS-rebinding page names its own host). With a token: whoever sends it. In both cases no
    write from another web origin, and no write typed as a cross-site form or no-cors fetch can type it."""
    settings = services().settings
    check_size(
        len(request.full_path),
        request.content_length,
        SizeLimits(settings.max_url_bytes, settings.max_body_bytes),
        envelope="application",
    )
    if settings.control_token:
        # A browser cannot add a header to a page it navigates to: GETs (read-only) may carry ?token=.
        supplied = request.headers.get(TOKEN_HEADER) or (
            request.args.get("token", "") if request.method == "GET" else ""
        )
        sent = supplied.encode("latin-1", "replace")
        if not hmac.compare_digest(sent, settings.control_token.encode("utf-8")):
            raise ApiError(403, f"control plane: missing or wrong {TOKEN_HEADER}")
    else:
        if not _is_loopback(request.remote_addr or ""):
            raise ApiError(403, "control plane is reachable from loopback only (set a control token)")
        if not _host_allowed(request.headers.get("Host"), settings.allowed_hosts):
            raise ApiError(
                403,
                "control plane: Host is not this mock (loopback names, the bind host or --allowed-host)",
            )
    if request.method in BODY_METHODS:
        _refuse_cross_site_write()


def _refuse_cross_site_write() -> None:
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.host}".lower()
    if origin is not None and origin.lower() != own:
        raise ApiError(403, f"control plane: writes from another origin ({origin[:80]}) are refused")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCHES:
        raise ApiError(403, f"control plane: writes from a {fetch_site[:20]} page are refused")
    media_type = (request.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media_type in BROWSER_SIMPLE_TYPES:
        raise ApiError(
            415,
            f"control plane writes take Content-Type: application/json (or none), not {media_type}"
            " (a type any web page can send)",
        )


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _host_allowed(host_header: str | None, allowed: tuple[str, ...]) -> bool:
    if not host_header:  # HTTP/1.0 without Host: no browser sends that
        return True
    name = host_header.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost") or _is_loopback(name):
        return True
    return name in {h.strip().lower().strip("[]") for h in allowed}


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
    for name in ("accessKey", "secretKey"):
        if data.get(name) is not None and not _valid_key(data[name]):
            raise ApiError(400, f"{name} must be 1 to 128 printable ASCII characters without spaces or commas")
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
    if vendor_id is not None and not (isinstance(vendor_id, str) and _valid_vendor_id(vendor_id)):
        raise ApiError(400, "vendorId must look like A00012345 (a capital letter and 8 digits)")
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


@bp.delete("/faults/<int:rule_id>")
def remove_fault(rule_id: int) -> Any:
    if not services().faults.remove(rule_id):
        raise ApiError(404, f"fault rule {rule_id} does not exist")
    return json_response({"removed": rule_id})


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


@bp.put("/ladder")
def configure_ladder() -> Any:
    """Thresholds of the blocking ladder (ladder.py), for everyone or one vendor (`vendorId`)."""
    data = dict(body())
    vendor_id = data.pop("vendorId", None)
    if vendor_id is not None and (not isinstance(vendor_id, str) or services().vendors.get(vendor_id) is None):
        raise ApiError(400, "vendorId: no such vendor", extra={"field": "vendorId"})
    try:
        updated = services().ladder.configure(vendor_id, data)
    except ValueError as exc:  # "<field>: why"
        raise ApiError(400, str(exc), extra={"field": str(exc).split(":", 1)[0]}) from None
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
    if not LIMIT_RE.match(limit) or int(limit) > JOURNAL_LIMIT_MAX:
        raise ApiError(400, f"limit must be an integer from 0 to {JOURNAL_LIMIT_MAX}", extra={"field": "limit"})
    return json_response(services().journal.recent(vendor_arg(), int(limit)))


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
    services().journal.flush()  # this process's counts wait with its journal batch
    return json_response(transition_coverage(services().store))


@bp.get("/coverage")
def coverage() -> Any:
    return json_response(coverage_report(services()))


@bp.post("/auth/diagnose")
def diagnose_auth() -> Any:
    """The gateway's HMAC checks on a header the caller sends (or a journal entry's), every one that can
    run, plus which usual client mistake explains a wrong signature (the dashboard's HMAC debugger)."""
    from .ui.diagnose import signing_mistakes
    from .ui.routes import journal_diagnosis

    data = body()
    if "journalId" in data:
        return json_response(journal_diagnosis(data))
    for name in ("authorization", "method", "path", "query"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise ApiError(400, f"{name} must be a string")
    method, path = data.get("method"), data.get("path")
    if not method or not path or not path.startswith("/"):
        raise ApiError(400, "method and path are required (path as sent, starting with '/', without the query)")
    s = services()
    query = (data.get("query") or "").removeprefix("?")
    checks = s.auth.diagnose(
        data.get("authorization"), method.upper(), path, query, now=s.wall(), key_now=s.clock.now()
    )
    failed = next((c for c in checks if not c["ok"]), None)
    verdict = "ok" if failed is None else s.auth.refusal_of(failed["check"])
    mistakes = signing_mistakes(data.get("authorization"), method, path, query, lookup=s.vendors.by_access_key)
    return json_response({"ok": failed is None, "verdict": verdict, "checks": checks, **mistakes})


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


def _valid_key(value: Any) -> bool:
    # What a CEA header can carry: anything else makes a key no request can use.
    return isinstance(value, str) and bool(KEY_RE.fullmatch(value))


def _valid_vendor_id(value: str) -> bool:
    # The API's own path pattern (ASCII): full-width digits would make a vendor no path can reach.
    return bool(VENDOR_ID_RE.fullmatch(value))


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
        _flush_coverage(s)
        return json_response(payload, status)

    view.__name__ = func.__name__
    return view
