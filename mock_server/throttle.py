"""Per-vendor token buckets on the test clock, answering like Coupang's gateway (429, X-CAG-Warnings)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .errors import ApiError, gateway_error
from .settings import Settings, ThrottleClass

TOO_MANY = "Too Many Requests"
WARNING_HEADER = "X-CAG-Warnings"


@dataclass
class Bucket:
    rate: float
    burst: int
    tokens: float
    updated: datetime
    blocked_until: datetime | None = None

    def refill(self, now: datetime) -> None:
        elapsed = max(0.0, (now - self.updated).total_seconds())
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated = now


@dataclass
class VendorLimits:
    enabled: bool
    rate: float
    burst: int
    block_seconds: float
    classes: dict[str, ThrottleClass] = field(default_factory=dict)


@dataclass(frozen=True)
class Admission:
    warning: str | None = None


class Throttle:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._limits: dict[str, VendorLimits] = {}
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def limits(self, vendor_id: str) -> VendorLimits:
        s = self._settings
        return self._limits.get(vendor_id) or VendorLimits(
            s.throttle_enabled, s.rate_per_second, s.burst, s.block_seconds, dict(s.strict_classes)
        )

    def configure(
        self,
        vendor_id: str | None,
        *,
        enabled: bool | None = None,
        rate: float | None = None,
        burst: int | None = None,
        block_seconds: float | None = None,
    ) -> VendorLimits:
        """Per vendor, or the default for everyone when vendor_id is None."""
        with self._lock:
            if vendor_id is None:
                s = self._settings
                s.throttle_enabled = s.throttle_enabled if enabled is None else enabled
                s.rate_per_second = rate or s.rate_per_second
                s.burst = burst or s.burst
                s.block_seconds = s.block_seconds if block_seconds is None else block_seconds
                self._limits.clear()
                self._buckets.clear()
                return self.limits("")
            current = self.limits(vendor_id)
            updated = VendorLimits(
                current.enabled if enabled is None else enabled,
                rate or current.rate,
                burst or current.burst,
                current.block_seconds if block_seconds is None else block_seconds,
                current.classes,
            )
            self._limits[vendor_id] = updated
            for key in [k for k in self._buckets if k[0] == vendor_id]:
                del self._buckets[key]
            return updated

    def reset(self, vendor_id: str | None = None) -> None:
        with self._lock:
            if vendor_id is None:
                self._buckets.clear()
                self._limits.clear()
            else:  # like its keys, a vendor's throttle settings survive a reset of its state
                for key in [k for k in self._buckets if k[0] == vendor_id]:
                    del self._buckets[key]

    def admit(self, vendor_id: str, throttle_class: str | None, now: datetime) -> Admission:
        limits = self.limits(vendor_id)
        if not limits.enabled:
            return Admission()
        with self._lock:
            checks = [("default", limits.rate, limits.burst)]
            cls = limits.classes.get(throttle_class or "")
            if cls:
                checks.append((throttle_class or "", cls.rate_per_second, cls.burst))
            buckets = [self._bucket(vendor_id, name, rate, burst, now) for name, rate, burst in checks]
            for bucket in buckets:
                if bucket.blocked_until and now < bucket.blocked_until:
                    raise self._rejection()
                bucket.refill(now)
            if any(b.tokens < 1.0 for b in buckets):
                for bucket in buckets:
                    if bucket.tokens < 1.0 and limits.block_seconds > 0:
                        bucket.blocked_until = now + timedelta(seconds=limits.block_seconds)
                raise self._rejection()
            for bucket in buckets:
                bucket.tokens -= 1.0
            used = max(1.0 - b.tokens / b.burst for b in buckets)
            if used >= self._settings.warn_ratio:
                return Admission(warning=f"throttling threshold {used:.0%} reached ({limits.rate:g} requests/s)")
            return Admission()

    def _bucket(self, vendor_id: str, name: str, rate: float, burst: int, now: datetime) -> Bucket:
        key = (vendor_id, name)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(rate=rate, burst=burst, tokens=float(burst), updated=now)
        return bucket

    @staticmethod
    def _rejection() -> ApiError:
        return gateway_error(429, TOO_MANY)
