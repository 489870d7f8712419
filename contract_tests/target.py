"""Who the harness talks to, and what it may do there (safe by default against production)."""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

import requests

from coupang_mock.client import CoupangClient, RetryPolicy

PRODUCTION_HOST = "api-gateway.coupang.com"
PRODUCTION_WRITES_ENV = "COUPANG_CONTRACT_ALLOW_PRODUCTION_WRITES"
# POST operations that only read (searches, look-ups by ids): safe against production.
READ_ONLY_POSTS = frozenset({"searchBrands", "predictCategory", "listReturnWithdrawalsByIds"})


@dataclass
class Target:
    base_url: str
    access_key: str
    secret_key: str
    vendor_id: str
    allow_writes: bool = False
    rate_per_second: float | None = None  # None: unlimited on a mock, 8/s elsewhere (limit is 10/s)
    _last_call: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _http: requests.Session = field(default_factory=requests.Session, repr=False)  # keep-alive for /_mock
    notes: list[str] = field(default_factory=list)  # what the harness did to the target, said up front
    sent: int = 0
    throttled: int = 0  # answers 429: a failure after these is the throttle's doing, not the contract's

    @property
    def host(self) -> str:
        return urlparse(self.base_url).hostname or ""

    @property
    def is_production(self) -> bool:
        return self.host == PRODUCTION_HOST

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @cached_property
    def has_control_plane(self) -> bool:
        if self.is_production:
            return False
        try:
            response = requests.get(self.base_url.rstrip("/") + "/_mock/clock", timeout=5)
            return response.status_code == 200 and "now" in response.json()
        except (requests.RequestException, ValueError):
            return False

    def writes_permitted(self) -> bool:
        """Loopback or a /_mock server: yes. Production: --allow-writes AND the env confirmation."""
        if self.is_production:
            return self.allow_writes and os.environ.get(PRODUCTION_WRITES_ENV) == "yes"
        return self.allow_writes or self.is_loopback or self.has_control_plane

    def is_read_only(self, method: str, operation_id: str) -> bool:
        return method.upper() == "GET" or operation_id in READ_ONLY_POSTS

    def client(self, **kwargs: Any) -> CoupangClient:
        kwargs.setdefault("retry", RetryPolicy(max_retries=0))
        kwargs.setdefault("on_response", lambda _m, _p, response, _s: self.count(response.status))
        return CoupangClient(self.access_key, self.secret_key, self.vendor_id, base_url=self.base_url, **kwargs)

    def count(self, status: int) -> None:
        with self._lock:
            self.sent += 1
            self.throttled += status == 429

    def throttle_hint(self) -> str | None:
        """Why failures may be the throttle's: "throttled: 30 of 40 requests got 429; use …"."""
        if not self.throttled:
            return None
        fix = (
            "the harness vendor's throttle could not be switched off: run the mock with --no-throttle"
            if self.has_control_plane
            else "lower --rate (Coupang allows 10 requests/s per vendor)"
        )
        return f"throttled: {self.throttled} of {self.sent} requests got 429; {fix}"

    def reachable(self) -> str | None:
        """None when the base URL answers at all, else why not (in words a user can act on)."""
        try:
            requests.get(self.base_url.rstrip("/") + "/", timeout=10)
        except requests.ConnectionError:
            return f"cannot connect to {self.base_url}: is the server running (coupang-mock serve)?"
        except requests.RequestException as exc:
            return f"cannot reach {self.base_url}: {type(exc).__name__}"
        return None

    def pace(self) -> None:
        """Keep under Coupang's 10 req/s per vendor when the target is not a mock."""
        rate = self.rate_per_second if self.rate_per_second is not None else (None if self.has_control_plane else 8.0)
        if not rate:
            return
        with self._lock:
            wait = self._last_call + 1.0 / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_call = time.monotonic()

    def control(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = self._http.request(
            method, self.base_url.rstrip("/") + "/_mock" + path, json=json, params=params or None, timeout=30
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def unserved_operations(self) -> set[str]:
        """Operations a coupang-mock target answers 501 for (empty when it cannot tell)."""
        if not self.has_control_plane:
            return set()
        try:
            report = self.control("GET", "/coverage")
        except requests.RequestException:
            return set()
        return {op for row in report.values() for op in row.get("unserved", [])}
