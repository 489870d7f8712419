"""The request path of the Coupang API surface, one step per method so it reads top to bottom:

route (spec) → authenticate → throttle → faults → validate (spec) → vendor binding
→ domain handler inside a store transaction → response (+ journal)
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Request, Response
from werkzeug.exceptions import HTTPException

from . import spec as spec_module
from .accesslog import ENTRY_KEY
from .auth import VENDOR_MISMATCH, Authenticator, AuthFailure, AuthResult
from .clock import TestClock, wall_clock
from .domains.fsm import take_coverage
from .errors import ApiError, LocatedError, bug_response, gateway_error, json_response, not_found
from .faults import FaultInjector, FaultRule, Latency
from .ids import IdFactory
from .journal import Journal
from .ladder import Ladder
from .registry import HANDLERS, TICKERS, VALIDATION_SHAPES, Reply, RequestContext
from .routing import MethodNotAllowed, RouteNotFound, Router
from .runtime import LearnedReads, system_run, system_tx
from .settings import Settings
from .store import MemoryStore, Store, Tx, WriterGuess
from .throttle import WARNING_HEADER, Admission, Throttle
from .ui.diagnose import signing_mistakes
from .validation import JsonLimits, OperationValidator, SizeLimits, check_size
from .vendors import VendorRegistry

log = logging.getLogger("coupang_mock")
GATE_KEY = "coupang_mock.gate"  # the admission time of a request the ladder watches
VENDOR_MISMATCH_EXT = "x-vendor-mismatch-message"
VENDOR_ID_RE = re.compile(r"^[A-Z][0-9]{8}$")
# The spec's pattern for X-EXTENDED-TIMEOUT (milliseconds); what the gateway answers otherwise is not
# documented: the mock refuses with a 400 in the gateway envelope (inferred).
EXTENDED_TIMEOUT_RE = re.compile(r"^[0-9]{1,7}$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Product create/update carry a stricter limit since 2023-10-12; the Rocket Growth order API is held to
# 50 calls a minute (common.yaml → rate_limits). Its single-order read shares the quota (inferred).
THROTTLE_CLASSES = {
    "createSellerProduct": "product-write",
    "updateSellerProduct": "product-write",
    "updateSellerProductPartial": "product-write",
    "listRgOrders": "rocket-growth-orders",
    "getRgOrder": "rocket-growth-orders",
}


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JOURNAL_BODY_CAP = 16 * 1024  # bytes of a request/response body kept per journal entry
_SIGNATURE_RE = re.compile(r"(signature=)([0-9A-Za-z]{0,4})[^,\s]*")


def journal_headers(headers: Any) -> dict[str, str]:
    """Request headers as the journal shows them: the signature is masked (it is a replayable secret)."""
    shown = dict(headers.items())
    if "Authorization" in shown:
        shown["Authorization"] = _SIGNATURE_RE.sub(r"\1\2…", shown["Authorization"])
    return shown


def journal_body(prefix: str, raw: bytes) -> dict[str, Any]:
    """`<prefix>Body` as text capped at JOURNAL_BODY_CAP, with `<prefix>BodyTruncated` when cut."""
    text = raw[:JOURNAL_BODY_CAP].decode("utf-8", errors="replace")
    return {f"{prefix}Body": text, f"{prefix}BodyTruncated": len(raw) > JOURNAL_BODY_CAP}


LADDER_KIND = "ladder-rungs"


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
        self.journal = Journal(s.journal_size, s.journal_bytes, s.journal_entry_bytes, s.journal_flush_ms / 1000)
        for part in (self.throttle, self.faults, self.journal):
            part.attach(self.store)
        self.ladder = Ladder(
            s.ladder(), load=self._ladder_rung, save=self._save_ladder_rung, atomic=lambda: system_tx(self.store)
        )
        self.ids = IdFactory(self.settings.seed)
        self.operations = {op.operation_id: op for op in spec_module.iter_operations(self.document)}
        self.validators = {op_id: OperationValidator(op) for op_id, op in self.operations.items()}
        self.router = Router()
        for op_id, op in self.operations.items():
            self.router.add(op.method, op.path, op_id)
        self.vendors.ensure_default(self.clock.now())

    # The ladder's rungs are runtime state like the throttle's buckets: every worker sees the same rung.
    def _ladder_rung(self, vendor_id: str) -> dict[str, Any] | None:
        with system_tx(self.store) as tx:
            return tx.get(LADDER_KIND, vendor_id)

    def _save_ladder_rung(self, vendor_id: str, rung: dict[str, Any]) -> None:
        with system_tx(self.store) as tx:
            tx.put(LADDER_KIND, vendor_id, rung)

    def served(self, operation_id: str) -> bool:
        op = self.operations[operation_id]
        return op.handler_id in HANDLERS

    def close(self) -> None:
        """The journal's last batch, then the store's connections (SQL stores)."""
        self.journal.close()
        close = getattr(self.store, "close", None)
        if close is not None:
            close()

    def reset(self, vendor_id: str | None = None) -> None:
        if vendor_id:
            self.store.reset(vendor_id)
        else:
            for tenant in self.store.tenants():
                self.store.reset(tenant)
        self.throttle.reset(vendor_id)
        self.ladder.reset(vendor_id)
        if vendor_id is None:  # rungs live in the store's system tenant, which a reset keeps
            for vendor in self.vendors.all():
                self.ladder.reset(vendor["vendorId"])
        self.journal.clear(vendor_id)
        if vendor_id is None:
            self.faults.clear()
            self.clock.reset()


def access_key_of(authorization: str | None) -> str | None:
    """The access key an Authorization header names, unchecked (a hint for reading ahead, not auth)."""
    if not authorization or "access-key=" not in authorization:
        return None
    return authorization.split("access-key=", 1)[1].split(",", 1)[0][:64]


def raw_path(request: Request) -> str:
    """The path exactly as the client sent (and signed) it, before percent-decoding."""
    uri = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
    if uri:
        return uri.split("?", 1)[0]
    return quote(request.path, safe="/:@!$&'()*+,;=-._~")


def run_tickers(tx: Tx, now: datetime, services: MockServices) -> None:
    """Every timed domain with something due, after one probe of all their ranges."""
    asked = [(domain, domain.due(tx, now)) for domain in TICKERS]
    found = iter(tx.probe([probe for _, probes in asked for probe in probes]))
    for domain, probes in asked:
        hits = [next(found) for _ in probes]
        if any(hits):
            domain.tick(tx, now, services)


class Gateway:
    def __init__(self, services: MockServices) -> None:
        self.s = services
        self._admission_writes = True  # a guess, refreshed by every admission (see `_admit`)
        self._admission_reads = LearnedReads()
        self._writers = WriterGuess()
        # Writers take turns within the process: a writer holds the store's write lock (SQLite's is the
        # whole file, shared with the other workers) for its transaction, and with this process's other
        # threads running Python beside it, it waited for the GIL between statements and held the lock
        # longer. Creates on two workers × 8 threads: 474/s, with turns 610/s (bench/RESULTS.md).
        self._writer_turn = threading.Lock()

    def __call__(self, request: Request) -> Response:
        entry: dict[str, Any] = {
            "at": self.s.wall().isoformat(),
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "requestHeaders": journal_headers(request.headers),
        }
        request.environ[ENTRY_KEY] = entry  # the access log names the operation and auth verdict
        started = time.perf_counter()
        # Read (and cache) the body first so the journal keeps it even when auth refuses the request.
        entry.update(journal_body("request", request.get_data(cache=True) if request.method in BODY_METHODS else b""))
        try:
            response = self._handle(request, entry)
        except ApiError as err:
            entry["message"] = err.message  # the misuse report reads refusals (window too wide …)
            if err.status >= 500:
                # Raised on purpose: a documented Coupang 5xx (or 501 unserved), unless a fault rule said so.
                entry.setdefault("serverError", "unserved" if err.status == 501 else "documented")
            response = err.to_response()
        except HTTPException as err:  # werkzeug's own refusals (unreadable request) in the gateway's words
            response = gateway_error(err.code or 400, err.name).to_response()
        except Exception:  # a bug in the mock must still look like Coupang, never a traceback
            response, entry["errorId"] = bug_response(f"{request.method} {request.path}")
            entry["serverError"] = "bug"
        entry["status"] = response.status_code
        entry["latencyMs"] = round((time.perf_counter() - started) * 1000, 2)
        self._climb(request, entry, response.status_code)
        entry.update(journal_body("response", response.get_data()))
        self._record(entry)
        return response

    def _record(self, entry: dict[str, Any]) -> None:
        """The journal entry and this request's transition counts, written in a batch (journal.py)."""
        try:
            self.s.journal.append(entry, take_coverage())
        except Exception:  # the answer is decided; a failing journal must not turn it into a 500
            log.exception("journal write failed for %s %s", entry["method"], entry["path"])

    def _handle(self, request: Request, entry: dict[str, Any]) -> Response:
        settings = self.s.settings
        check_size(
            len(raw_path(request)) + len(request.query_string) + 1,
            request.content_length,
            SizeLimits(settings.max_url_bytes, settings.max_body_bytes),
            envelope="gateway",
        )
        operation_id, path_params = self._route(request)
        entry["operationId"] = operation_id
        raw_query = request.query_string.decode("latin-1")
        timeout_ms = self._timeout_ms(request)
        try:
            auth, now, admission, fault, gated = self._admit(request, raw_query, entry, operation_id)
        except ApiError:
            if entry.get("auth") not in (None, "ok"):
                self._explain_refusal(request, raw_query, entry)  # after the admission transaction
            raise
        self._gate(request, auth.vendor_id, now, admission, gated, entry)
        if fault is not None:
            entry["faultId"] = fault.id
        try:
            latency = self.s.faults.enact(fault, request.path, auth.vendor_id, timeout_ms)
        except ApiError as err:
            entry["fault"] = True  # simulated: the journal tells it from a real refusal or a bug
            if err.status >= 500:
                entry["serverError"] = "fault"
            raise
        if latency:
            entry["faultLatencyMs"], entry["faultLatencyMode"] = latency.ms, latency.mode
        # Taken after admission and any real-latency sleep: those stay concurrent (fan-out still sees a
        # vendor's calls in flight together, a slow fault holds no turn).
        turn = self._writer_turn if self._writers.starts_as_writer(operation_id) else nullcontext()
        with turn:
            return self._answer(request, operation_id, path_params, auth, now, admission, latency)

    def _answer(
        self,
        request: Request,
        operation_id: str,
        path_params: dict[str, str],
        auth: AuthResult,
        now: datetime,
        admission: Admission,
        latency: Latency | None,
    ) -> Response:
        """Validation, the vendor's transaction and the rendered answer of an admitted call."""
        operation = self.s.operations[operation_id]
        handler = HANDLERS.get(operation.handler_id)
        if handler is None:
            raise ApiError(
                501,
                f"coupang-mock does not serve {operation_id} ({operation.method} {operation.path}) yet",
                extra={"operationId": operation_id},
            )
        self._bind_vendor(auth, operation, path_params.get("vendorId"), request.args.get("vendorId"))
        raw_body = request.get_data(cache=False) if request.method in BODY_METHODS else b""
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
    ) -> tuple[AuthResult, datetime, Admission, FaultRule | None, bool]:
        """One short system transaction decides admission: key, clock, ladder rung, throttle bucket, fault
        counters (committed before the request goes on, so a refusal or a fired fault is counted by every
        worker). Rung and bucket are decided together: a call that took a token is not turned away by a
        hold another call set in between. The last value says whether the vendor climbs the ladder.

        A vendor without a throttle usually writes nothing here, so after such a call the next one is
        admitted optimistically (not queued behind the file's writer); if it does write and loses a race
        it is admitted again as a writer."""

        def decide(tx: Tx) -> tuple[AuthResult, datetime, Admission, FaultRule | None, bool]:
            auth = self._authenticate(request, raw_query, entry, tx)
            self.s.vendors.sync(tx)
            now = self.s.clock.now(auth.vendor_id, tx=tx)
            gated = self.s.throttle.limits(auth.vendor_id, tx=tx).enabled
            if gated:
                entry["gate"] = True  # what the gate answers is not an error of the call: it does not climb
                refusal = self.s.ladder.refusal(auth.vendor_id, now, request.path)
                if refusal is not None:
                    return auth, now, Admission(rejected=True, refusal=refusal), None, gated
            admission = self.s.throttle.check(tx, auth.vendor_id, THROTTLE_CLASSES.get(operation_id), now)
            if admission.rejected:
                if gated:
                    self.s.ladder.throttled(auth.vendor_id, now)
                return auth, now, admission, None, gated
            fault = self.s.faults.pick(tx, operation_id, request.method, request.path, auth.vendor_id)
            return auth, now, admission, fault, gated

        recurring = access_key_of(request.headers.get("Authorization"))

        def admit(tx: Tx) -> tuple[AuthResult, datetime, Admission, FaultRule | None, bool]:
            return self._admission_reads.run(tx, recurring, decide)

        admitted = system_run(self.s.store, admit, write=self._admission_writes)
        self._admission_writes = admitted[4]  # a throttled vendor's admission writes its bucket
        return admitted

    def _gate(
        self, request: Request, vendor_id: str, now: datetime, admission: Admission, gated: bool, entry: dict[str, Any]
    ) -> None:
        """The verdict of `_admit`, raised after its transaction committed; an admitted gated call is
        counted in flight (fan-out) and watched when answered."""
        admission.raise_if_rejected()
        if gated:
            del entry["gate"]
            self.s.ladder.enter(vendor_id, now)
            request.environ[GATE_KEY] = now

    def _climb(self, request: Request, entry: dict[str, Any], status: int) -> None:
        """After the answer: errors and not-founds of a gated vendor move it on the ladder."""
        vendor_id, now = entry.get("vendorId"), request.environ.get(GATE_KEY)
        if not vendor_id or now is None:
            return
        self.s.ladder.leave(vendor_id)
        self.s.ladder.observe(vendor_id, status, now, entry.get("message") == VENDOR_MISMATCH)

    def _route(self, request: Request) -> tuple[str, dict[str, str]]:
        try:
            return self.s.router.match(request.method, request.path)
        except RouteNotFound:
            raise not_found() from None
        except MethodNotAllowed as exc:
            allowed = ", ".join(exc.allowed)
            raise ApiError(
                405, f"Request method '{request.method}' not supported", headers={"Allow": allowed}
            ) from None

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
        entry["skewSeconds"] = round(result.skew_seconds, 1)
        entry["keyAgeDays"] = round(result.key_age_days, 2)
        return result

    def _explain_refusal(self, request: Request, raw_query: str, entry: dict[str, Any]) -> None:
        """The dashboard's view of a 401: each check, and the string the client actually signed."""
        report = signing_mistakes(
            request.headers.get("Authorization"),
            request.method,
            raw_path(request),
            raw_query,
            lookup=self.s.vendors.by_access_key,
        )
        # the gateway's own checks (as /_mock/auth/diagnose answers them) and the client mistake behind them
        entry["authChecks"] = self.s.auth.diagnose(
            request.headers.get("Authorization"),
            request.method,
            raw_path(request),
            raw_query,
            now=self.s.wall(),
            key_now=self.s.clock.now(),
        )
        entry["receivedStringToSign"] = report["receivedStringToSign"]
        entry["stringToSignDiff"] = report.get("diff")
        entry["authHint"] = report.get("hint")
        if report.get("vendorId"):
            entry["keyVendorId"] = report["vendorId"]  # whose key it was: the dashboard lists it under them

    def _validate(
        self, operation: spec_module.Operation, request: Request, path_params: dict[str, str], raw_body: bytes
    ) -> tuple[dict[str, Any], dict[str, Any], Any]:
        validator = self.s.validators[operation.operation_id]
        try:
            path_values = validator.validate_params(validator.path, {k: [v] for k, v in path_params.items()})
            query = validator.validate_params(validator.query, {k: request.args.getlist(k) for k in request.args})
            limits = JsonLimits(self.s.settings.max_json_depth, self.s.settings.max_number_length)
            body = (
                validator.parse_body(raw_body, request.content_type, limits) if request.method in BODY_METHODS else None
            )
        except ApiError as err:
            shape = VALIDATION_SHAPES.get(operation.tag)
            raise (shape(err) if shape else err) from None
        return path_values, query, body

    def _timeout_ms(self, request: Request) -> int:
        raw = request.headers.get("X-EXTENDED-TIMEOUT", "")
        if not raw:
            return self.s.settings.gateway_timeout_ms
        if not EXTENDED_TIMEOUT_RE.match(raw):
            raise gateway_error(400, "X-EXTENDED-TIMEOUT must be a number of milliseconds (1 to 7 digits)")
        return int(raw)

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
        # `now` was read at admission: the system tenant cannot be opened inside the vendor's transaction
        def run(tx: Any) -> Any:
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
            return handler(ctx)

        # Optimistic (reads don't queue behind writers) unless the operation lost that race before.
        with self.s.vendors.pinned():
            result = self._writers.run(self.s.store, auth.vendor_id, operation_id, run)
        return result if isinstance(result, Reply) else Reply(result)
