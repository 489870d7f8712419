"""Fault injection: make chosen requests fail or slow down the way Coupang's gateway does."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .errors import ApiError, gateway_error

# What the CDN in front of the gateway answers after a burst of errors (seen by integrators).
AKAMAI_403 = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    'You don\'t have permission to access "http://api-gateway.coupang.com{path}" on this server.<P>\n'
    "Reference #18.5e2d3e17.1732060000.1a2b3c4d\n</BODY>\n</HTML>\n"
)
TIMEOUT_MESSAGE = "Request timed out, if the situation continues consider applying timeout extension."


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
    preset: str | None = None  # "akamai-403" | "upstream-521" | "internal-500"
    latency_ms: int = 0
    virtual_latency: bool = False
    probability: float = 1.0
    count: int | None = None

    def matches(self, operation_id: str | None, method: str, path: str, vendor_id: str | None) -> bool:
        return (
            (self.operation_id is None or self.operation_id == operation_id)
            and (self.path_prefix is None or path.startswith(self.path_prefix))
            and (self.method is None or self.method.upper() == method)
            and (self.vendor_id is None or self.vendor_id == vendor_id)
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {_camel(k): v for k, v in data.items() if v is not None}


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
    "virtualLatency": "virtual_latency",
    "probability": "probability",
    "count": "count",
}
PRESETS = {"akamai-403", "upstream-521", "internal-500", "timeout-504"}


class FaultInjector:
    def __init__(self, seed: int, sleep: Callable[[float], None] = time.sleep) -> None:
        self._rules: list[FaultRule] = []
        self._rng = random.Random(seed)
        self._next_id = 1
        self._lock = threading.Lock()
        self._sleep = sleep

    def add(self, spec: dict[str, Any]) -> FaultRule:
        unknown = set(spec) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        kwargs = {_FIELDS[k]: v for k, v in spec.items()}
        if kwargs.get("preset") and kwargs["preset"] not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}")
        if not (kwargs.get("status") or kwargs.get("preset") or kwargs.get("latency_ms")):
            raise ValueError("a fault needs status, preset or latencyMs")
        probability = kwargs.get("probability", 1.0)
        if not isinstance(probability, int | float) or not 0 <= probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        with self._lock:
            rule = FaultRule(id=self._next_id, **kwargs)
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def list(self) -> list[FaultRule]:
        return list(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            kept = [rule for rule in self._rules if rule.id != rule_id]
            removed = len(kept) != len(self._rules)
            self._rules[:] = kept
        return removed

    def _pick(self, operation_id: str | None, method: str, path: str, vendor_id: str | None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if not rule.matches(operation_id, method, path, vendor_id):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                return rule
        return None

    def apply(self, operation_id: str | None, method: str, path: str, vendor_id: str | None, timeout_ms: int) -> None:
        """Raise the injected answer, or sleep the injected latency; return to let the request through."""
        rule = self._pick(operation_id, method, path, vendor_id)
        if rule is None:
            return
        if rule.latency_ms:
            waited = min(rule.latency_ms, timeout_ms)
            if not rule.virtual_latency:
                self._sleep(waited / 1000)
            if rule.latency_ms > timeout_ms:
                raise gateway_error(504, TIMEOUT_MESSAGE)
        if rule.preset or rule.status:
            raise self._answer(rule, path)

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
