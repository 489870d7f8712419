"""The request path of the Coupang API surface, one step per method so it reads top to bottom:

route (spec) → authenticate → throttle → faults → validate (spec) → vendor binding
→ domain handler inside a store transaction → response (+ journal)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Request, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from . import spec as spec_module
from .auth import VENDOR_MISMATCH, Authenticator, AuthFailure, AuthResult
from .clock import TestClock, wall_clock
from .domains.fsm import flush_coverage, pending_coverage
from .errors import ApiError, LocatedError, json_response, not_found
from .faults import FaultInjector, FaultRule
from .ids import IdFactory
from .journal import Journal
from .registry import HANDLERS, TICKERS, VALIDATION_SHAPES, Reply, RequestContext
from .runtime import system_tx
from .settings import Settings
from .store import MemoryStore, Store, Tx
from .throttle import WARNING_HEADER, Admission, Throttle
from .validation import OperationValidator
from .vendors import VendorRegistry

log = logging.getLogger("coupang_mock")
VENDOR_MISMATCH_EXT = "x-vendor-mismatch-message"
VENDOR_ID_RE = re.compile(r"^[A-Z][0-9]{8}$")
# Product create/update carry a stricter limit since 2023-10-12; the Rocket Growth order API is held to
# 50 calls a minute (common.yaml → rate_limits). Its single-order read shares the quota (inferred).
THROTTLE_CLASSES = {
    "createSellerProduct": "product-write",
    "updateSellerProduct": "product-write",
    "updateSellerProductPartial": "product-write",
    "listRgOrders": "rocket-growth-orders",
    "getRgOrder": "rocket-growth-orders",
}


def _rule_path(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", r"<\1>", path)


@dataclass
class MockServices:
    """Everything one mock instance owns; injected so tests can swap clock, store or sleep."""

    settings: Settings
    store: Store = field(default_factory=MemoryStore)
    clock: TestClock = field(default_factory=TestClock)
    wall: Callable[[], datetime] = wall_clock
    document: dict[str, Any] = field(default_factory=spec_module.load)

    def __post_init__(self) -> None:
        s = self.settings
        self.vendors = VendorRegistry(self.store, s)
        self.auth = Authenticator(self.vendors, s.auth_window_seconds, s.key_validity_days)
        # Runtime state lives in the store (shared by workers, kept across restarts): attach each part.
        self.clock.attach(self.store)
        self.throttle = Throttle(s)
        self.faults = FaultInjector(s.seed, real_slots=s.real_latency_slots)
        self.journal = Journal(s.journal_size, s.journal_bytes, s.journal_entry_bytes)
        for part in (self.throttle, self.faults, self.journal):
            part.attach(self.store)
        self.ids = IdFactory(self.settings.seed)
        self.operations = {op.operation_id: op for op in spec_module.iter_operations(self.document)}
        self.validators = {op_id: OperationValidator(op) for op_id, op in self.operations.items()}
        self.url_map = Map(
            [Rule(_rule_path(op.path), endpoint=op_id, methods=[op.method]) for op_id, op in self.operations.items()],
            strict_slashes=False,
        )
        self.vendors.ensure_default(self.clock.now())

    def served(self, operation_id: str) -> bool:
        op = self.operations[operation_id]
        return op.handler_id in HANDLERS

    def reset(self, vendor_id: str | None = None) -> None:
        if vendor_id:
            self.store.reset(vendor_id)
        else:
            for tenant in self.store.tenants():
                self.store.reset(tenant)
        self.throttle.reset(vendor_id)
        self.journal.clear(vendor_id)
        if vendor_id is None:
            self.faults.clear()
            self.clock.reset()


def raw_path(request: Request) -> str:
    """The path exactly as the client sent (and signed) it, before percent-decoding."""
    uri = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
    if uri:
        return uri.split("?", 1)[0]
    return quote(request.path, safe="/:@!$&'()*+,;=-._~")


def run_tickers(tx: Any, now: datetime, services: MockServices) -> None:
    for tick in TICKERS:
        tick(tx, now, services)


class Gateway:
    def __init__(self, services: MockServices) -> None:
        self.s = services

    def __call__(self, request: Request) -> Response:
        entry: dict[str, Any] = {
            "at": self.s.wall().isoformat(),
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
        }
        try:
            response = self._handle(request, entry)
        except ApiError as err:
            response = err.to_response()
        except Exception:  # a bug in the mock must still look like Coupang, never a traceback
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = ApiError(500, "Internal Exception").to_response()
        entry["status"] = response.status_code
        self._record(entry)
        return response

    def _record(self, entry: dict[str, Any]) -> None:
        """Journal entry and this request's transition counts, in one system transaction."""
        if self.s.journal.max_entries <= 0 and not pending_coverage():
            return
        try:
            with system_tx(self.s.store) as tx:
                self.s.journal.record(entry, tx=tx)
                flush_coverage(tx)
        except Exception:  # the answer is decided; a failing journal must not turn it into a 500
            log.exception("journal write failed for %s %s", entry["method"], entry["path"])

    def _handle(self, request: Request, entry: dict[str, Any]) -> Response:
        operation_id, path_params = self._route(request)
        entry["operationId"] = operation_id
        raw_query = request.query_string.decode("latin-1")
        auth, now, admission, fault = self._admit(request, raw_query, entry, operation_id)
        admission.raise_if_rejected()
        if fault is not None:
            entry["faultId"] = fault.id
        latency = self.s.faults.enact(fault, request.path, auth.vendor_id, self._timeout_ms(request))
        if latency:
            entry["faultLatencyMs"], entry["faultLatencyMode"] = latency.ms, latency.mode
        operation = self.s.operations[operation_id]
        handler = HANDLERS.get(operation.handler_id)
        if handler is None:
            raise ApiError(
                501,
                f"coupang-mock does not serve {operation_id} ({operation.method} {operation.path}) yet",
                extra={"operationId": operation_id},
            )
        self._bind_vendor(auth, operation, path_params.get("vendorId"), request.args.get("vendorId"))
        raw_body = request.get_data(cache=False) if request.method in {"POST", "PUT", "PATCH", "DELETE"} else b""
        path_values, query, body = self._validate(operation, request, path_params, raw_body)
        if isinstance(body, dict):
            self._bind_vendor(auth, operation, None, None, body.get("vendorId"))
        try:
            reply = self._dispatch(handler, operation_id, auth, path_values, query, body, request, now)
        except LocatedError as err:
            raise err.located(raw_body) from None
        headers = dict(reply.headers or {})
        if admission.warning:
            headers[WARNING_HEADER] = admission.warning
        if latency:
            headers.update(latency.headers())
        return json_response(reply.body, reply.status, headers)

    def _admit(
        self, request: Request, raw_query: str, entry: dict[str, Any], operation_id: str
    ) -> tuple[AuthResult, datetime, Admission, FaultRule | None]:
        """One short system transaction decides admission: key, clock, throttle bucket, fault counters
        (committed before the request goes on, so a refusal or a fired fault is counted by every worker)."""
        with system_tx(self.s.store) as tx:
            auth = self._authenticate(request, raw_query, entry, tx)
            self.s.vendors.sync(tx)
            now = self.s.clock.now(auth.vendor_id, tx=tx)
            admission = self.s.throttle.check(tx, auth.vendor_id, THROTTLE_CLASSES.get(operation_id), now)
            if admission.rejected:
                return auth, now, admission, None
            fault = self.s.faults.pick(tx, operation_id, request.method, request.path, auth.vendor_id)
        return auth, now, admission, fault

    def _route(self, request: Request) -> tuple[str, dict[str, str]]:
        adapter = self.s.url_map.bind("mock", path_info=request.path)
        try:
            return adapter.match(method=request.method)
        except NotFound:
            raise not_found() from None
        except MethodNotAllowed:
            raise ApiError(405, f"Request method '{request.method}' not supported") from None

    def _authenticate(self, request: Request, raw_query: str, entry: dict[str, Any], tx: Tx) -> AuthResult:
        try:
            result = self.s.auth.verify(
                request.headers.get("Authorization"),
                request.method,
                raw_path(request),
                raw_query,
                now=self.s.wall(),
                key_now=self.s.clock.now(tx=tx),
            )
        except AuthFailure as failure:
            entry["auth"] = failure.message
            if failure.expected is not None:
                entry["expectedStringToSign"] = failure.expected
            raise failure.to_error(self.s.settings.auth_debug) from None
        entry["auth"] = "ok"
        entry["vendorId"] = result.vendor_id
        return result

    def _validate(
        self, operation: spec_module.Operation, request: Request, path_params: dict[str, str], raw_body: bytes
    ) -> tuple[dict[str, Any], dict[str, Any], Any]:
        validator = self.s.validators[operation.operation_id]
        try:
            path_values = validator.validate_params(validator.path, {k: [v] for k, v in path_params.items()})
            query = validator.validate_params(validator.query, {k: request.args.getlist(k) for k in request.args})
            body = (
                validator.parse_body(raw_body, request.content_type)
                if request.method in {"POST", "PUT", "PATCH", "DELETE"}
                else None
            )
        except ApiError as err:
            shape = VALIDATION_SHAPES.get(operation.tag)
            raise (shape(err) if shape else err) from None
        return path_values, query, body

    def _timeout_ms(self, request: Request) -> int:
        raw = request.headers.get("X-EXTENDED-TIMEOUT", "")
        return int(raw) if raw.isdigit() else self.s.settings.gateway_timeout_ms

    @staticmethod
    def _bind_vendor(
        auth: AuthResult,
        operation: spec_module.Operation,
        in_path: str | None,
        in_query: str | None,
        in_body: Any = None,
    ) -> None:
        """The key owns one vendorId; a malformed one in the path is a wrong path (404). Some upstream
        services word the refusal themselves (`x-vendor-mismatch-message`: {own} is the key's vendorId,
        {requested} the one sent), in their family's envelope."""
        if in_path is not None and not VENDOR_ID_RE.match(in_path):
            raise not_found()
        requested = next((v for v in (in_path, in_query, in_body) if v is not None and v != auth.vendor_id), None)
        if requested is None:
            return
        worded = operation.raw.get(VENDOR_MISMATCH_EXT)
        if not worded:
            raise ApiError(400, VENDOR_MISMATCH)
        refusal = ApiError(400, worded.replace("{own}", auth.vendor_id).replace("{requested}", str(requested)))
        shape = VALIDATION_SHAPES.get(operation.tag)
        raise shape(refusal) if shape else refusal

    def _dispatch(
        self,
        handler: Callable[[RequestContext], Any],
        operation_id: str,
        auth: AuthResult,
        path: dict[str, Any],
        query: dict[str, Any],
        body: Any,
        request: Request,
        now: datetime,
    ) -> Reply:
        with self.s.vendors.pinned(), self.s.store.transaction(auth.vendor_id) as tx:
            run_tickers(tx, now, self.s)
            ctx = RequestContext(
                services=self.s,
                operation=self.s.operations[operation_id],
                vendor_id=auth.vendor_id,
                path_params=path,
                query=query,
                body=body,
                tx=tx,
                now=now,
                headers=dict(request.headers),
            )
            result = handler(ctx)
        return result if isinstance(result, Reply) else Reply(result)
