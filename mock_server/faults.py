"""Fault injection: make chosen requests fail or slow down the way Coupang's gateway does.

Rules and their counters are one document in the store (every worker applies the same rules, a
restart keeps them). Probability draws are a hash of (seed, rule, draw number), so a rule fires on
the same requests in any process. Latency is virtual by default: the answer says how long it would
have taken (`X-Mock-Latency-Ms`) and no thread sleeps. A rule with `"real": true` sleeps, at most a
few requests per vendor at a time, so one vendor's slow fault never takes the threads of others.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from . import control_schema
from .errors import ApiError, gateway_error
from .runtime import RUNTIME, system_tx
from .store import MemoryStore, Store, Tx

# What the CDN in front of the gateway answers after a burst of errors (seen by integrators).
AKAMAI_403 = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    'You don\'t have permission to access "http://api-gateway.coupang.com{path}" on this server.<P>\n'
    "Reference #18.5e2d3e17.1732060000.1a2b3c4d\n</BODY>\n</HTML>\n"
)
TIMEOUT_MESSAGE = "Request timed out, if the situation continues consider applying timeout extension."
PRESETS = {"akamai-403", "upstream-521", "internal-500", "timeout-504"}
FAULTS_KEY = "faults"
# Every request reads the rule list: a bound keeps that read small.
MAX_RULES = 100
LATENCY_HEADER = "X-Mock-Latency-Ms"
LATENCY_MODE_HEADER = "X-Mock-Latency-Mode"


@dataclass
class FaultRule:
    id: int
    operation_id: str | None = None
    path_prefix: str | None = None
    method: str | None = None
    vendor_id: str | None = None
    status: int | None = None
    body: Any = None
    content_type: str | None = None
    preset: str | None = None  # "akamai-403" | "upstream-521" | "internal-500" | "timeout-504"
    latency_ms: int = 0
    real: bool = False
    probability: float = 1.0
    count: int | None = None
    draws: int = field(default=0, repr=False)

    def matches(self, operation_id: str | None, method: str, path: str, vendor_id: str | None) -> bool:
        return (
            (self.operation_id is None or self.operation_id == operation_id)
            and (self.path_prefix is None or path.startswith(self.path_prefix))
            and (self.method is None or self.method.upper() == method)
            and (self.vendor_id is None or self.vendor_id == vendor_id)
        )

    @property
    def virtual_latency(self) -> bool:
        return not self.real

    def to_json(self) -> dict[str, Any]:
        data = {_camel(f.name): getattr(self, f.name) for f in fields(self) if f.name != "draws"}
        data["virtualLatency"] = not self.real
        return {k: v for k, v in data.items() if v is not None}

    def to_doc(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FaultRule:
        return cls(**doc)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


_FIELDS = {
    "operationId": "operation_id",
    "pathPrefix": "path_prefix",
    "method": "method",
    "vendorId": "vendor_id",
    "status": "status",
    "body": "body",
    "contentType": "content_type",
    "preset": "preset",
    "latencyMs": "latency_ms",
    "real": "real",
    "probability": "probability",
    "count": "count",
}


@dataclass(frozen=True)
class Latency:
    """What a latency fault did to an admitted request: `mode` real, virtual, or virtual-busy (the
    vendor's real-sleep slots were taken, so this one was not slept)."""

    ms: int
    mode: str

    def headers(self) -> dict[str, str]:
        return {LATENCY_HEADER: str(self.ms), LATENCY_MODE_HEADER: self.mode}


def parse_rule(spec: Any) -> dict[str, Any]:
    """The rule's fields from a wire definition, checked against control.yaml's Fault schema."""
    control_schema.check("FaultInput", spec)
    kwargs = {_FIELDS[k]: v for k, v in spec.items() if k in _FIELDS}
    if "virtualLatency" in spec:
        if "real" in spec and spec["real"] == spec["virtualLatency"]:
            raise control_schema.ControlInputError("real", "real and virtualLatency contradict each other")
        kwargs["real"] = not spec["virtualLatency"]
    if not (kwargs.get("status") or kwargs.get("preset") or kwargs.get("latency_ms")):
        raise control_schema.ControlInputError("status", "a fault needs status, preset or latencyMs")
    return kwargs


class FaultInjector:
    def __init__(self, seed: int, sleep: Callable[[float], None] = time.sleep, real_slots: int = 2) -> None:
        self._seed = seed
        self._sleep = sleep
        self._store: Store = MemoryStore()
        self._real_slots = max(1, real_slots)
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_guard = threading.Lock()

    def attach(self, store: Store) -> None:
        self._store = store

    def add(self, spec: dict[str, Any]) -> FaultRule:
        kwargs = parse_rule(spec)
        with system_tx(self._store) as tx:
            doc = _doc(tx)
            if len(doc["rules"]) >= MAX_RULES:
                raise control_schema.ControlInputError("faults", f"at most {MAX_RULES} fault rules at a time")
            rule = FaultRule(id=doc["nextId"], **kwargs)
            tx.put(RUNTIME, FAULTS_KEY, {"rules": [*doc["rules"], rule.to_doc()], "nextId": rule.id + 1})
        return rule

    def list(self) -> list[FaultRule]:
        with system_tx(self._store, write=False) as tx:
            return [FaultRule.from_doc(r) for r in _doc(tx)["rules"]]

    def clear(self) -> None:
        with system_tx(self._store) as tx:
            tx.put(RUNTIME, FAULTS_KEY, {**_doc(tx), "rules": []})

    def remove(self, rule_id: int) -> bool:
        """Drop one rule (the dashboard's Remove button); False when there was none with that id."""
        with system_tx(self._store) as tx:
            doc = _doc(tx)
            kept = [r for r in doc["rules"] if r["id"] != rule_id]
            if len(kept) == len(doc["rules"]):
                return False
            tx.put(RUNTIME, FAULTS_KEY, {**doc, "rules": kept})
        return True

    # ---------------------------------------------------------------- on the request path

    def pick(self, tx: Tx, operation_id: str | None, method: str, path: str, vendor_id: str | None) -> FaultRule | None:
        """The first rule that fires for this request, its counters updated in `tx` (commit before acting)."""
        doc = tx.get(RUNTIME, FAULTS_KEY)
        if not doc or not doc["rules"]:
            return None
        rules = [FaultRule.from_doc(r) for r in doc["rules"]]
        chosen = None
        for rule in rules:
            if not rule.matches(operation_id, method, path, vendor_id):
                continue
            if rule.probability < 1.0:
                rule.draws += 1
                if self._draw(rule) >= rule.probability:
                    continue
            if rule.count is not None:
                rule.count -= 1
            chosen = rule
            break
        kept = [r.to_doc() for r in rules if r.count is None or r.count > 0]
        if kept != doc["rules"]:
            tx.put(RUNTIME, FAULTS_KEY, {**doc, "rules": kept})
        return chosen

    def _draw(self, rule: FaultRule) -> float:
        digest = hashlib.blake2b(f"{self._seed}:{rule.id}:{rule.draws}".encode(), digest_size=8).digest()
        return int.from_bytes(digest) / 2**64

    def enact(self, rule: FaultRule | None, path: str, vendor_id: str | None, timeout_ms: int) -> Latency | None:
        """Raise the injected answer, or apply the injected latency; return to let the request through."""
        if rule is None:
            return None
        latency = self._delay(rule, vendor_id or "", timeout_ms) if rule.latency_ms else None
        if rule.latency_ms > timeout_ms:
            raise gateway_error(504, TIMEOUT_MESSAGE)
        if rule.preset or rule.status:
            raise self._answer(rule, path)
        return latency

    def apply(
        self, operation_id: str | None, method: str, path: str, vendor_id: str | None, timeout_ms: int
    ) -> Latency | None:
        with system_tx(self._store) as tx:
            rule = self.pick(tx, operation_id, method, path, vendor_id)
        return self.enact(rule, path, vendor_id, timeout_ms)

    def _delay(self, rule: FaultRule, vendor_id: str, timeout_ms: int) -> Latency:
        waited = min(rule.latency_ms, timeout_ms)
        if not rule.real:
            return Latency(waited, "virtual")
        slot = self._slot(vendor_id)
        if not slot.acquire(blocking=False):
            # Waiting for a slot would hold this thread too, which is the starvation the bound prevents.
            return Latency(waited, "virtual-busy")
        try:
            self._sleep(waited / 1000)
        finally:
            slot.release()
        return Latency(waited, "real")

    def _slot(self, vendor_id: str) -> threading.BoundedSemaphore:
        with self._slots_guard:
            slot = self._slots.get(vendor_id)
            if slot is None:
                slot = self._slots[vendor_id] = threading.BoundedSemaphore(self._real_slots)
            return slot

    @staticmethod
    def _answer(rule: FaultRule, path: str) -> ApiError:
        if rule.preset == "akamai-403":
            return ApiError(
                403, "Access Denied", envelope="raw", body=AKAMAI_403.format(path=path), content_type="text/html"
            )
        if rule.preset == "upstream-521":
            return gateway_error(521, "connection timed out: upstream-api.coupang.internal:80")
        if rule.preset == "timeout-504":
            return gateway_error(504, TIMEOUT_MESSAGE)
        if rule.preset == "internal-500":
            return ApiError(500, "Internal Exception")
        status = int(rule.status or 500)
        if rule.body is None:
            return ApiError(status, "Injected fault")
        if isinstance(rule.body, str):
            return ApiError(
                status, rule.body, envelope="raw", body=rule.body, content_type=rule.content_type or "text/plain"
            )
        return ApiError(
            status,
            str(rule.body.get("message", "")) if isinstance(rule.body, dict) else "",
            envelope="raw",
            body=rule.body,
        )


def _doc(tx: Tx) -> dict[str, Any]:
    return tx.get(RUNTIME, FAULTS_KEY) or {"rules": [], "nextId": 1}
