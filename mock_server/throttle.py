"""Per-vendor token buckets on the test clock, answering like Coupang's gateway (429, X-CAG-Warnings).

Limits, buckets and blocks are store documents (system tenant), so a vendor's requests count against
one bucket whichever worker process serves them. A request reads the limits and its one or two
buckets and writes the buckets back, inside the gateway's system transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import ApiError, gateway_error
from .runtime import RUNTIME, system_tx, to_micros
from .settings import Settings, ThrottleClass
from .store import MemoryStore, Store, Tx

TOO_MANY = "Too Many Requests"
WARNING_HEADER = "X-CAG-Warnings"
THROTTLE_KEY = "throttle"
LIMITS = "throttle-limits"
BUCKETS = "throttle-buckets"
DEFAULT_CLASS = "default"


@dataclass
class Bucket:
    rate: float
    burst: int
    tokens: float
    updated_us: int
    blocked_until_us: int | None = None

    def refill(self, now_us: int) -> None:
        elapsed = max(0, now_us - self.updated_us) / 1_000_000
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated_us = now_us


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
    rejected: bool = False
    refusal: ApiError | None = None  # what to answer instead of the bucket's 429 (the ladder's rung)

    def raise_if_rejected(self) -> None:
        if self.refusal is not None:
            raise self.refusal
        if self.rejected:
            raise gateway_error(429, TOO_MANY)


class Throttle:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._store: Store = MemoryStore()

    def attach(self, store: Store) -> None:
        self._store = store

    # ---------------------------------------------------------------- limits

    def limits(self, vendor_id: str, *, tx: Tx | None = None) -> VendorLimits:
        if tx is None:
            with system_tx(self._store, write=False) as own:
                return self.limits(vendor_id, tx=own)
        defaults = self._defaults(tx)
        own_limits = tx.get(LIMITS, vendor_id) if vendor_id else None
        # Changing the defaults bumps the generation, which voids every per-vendor setting at once.
        if own_limits and own_limits.get("generation") == defaults["generation"]:
            defaults = {**defaults, **own_limits}
        return VendorLimits(
            bool(defaults["enabled"]),
            float(defaults["rate"]),
            int(defaults["burst"]),
            float(defaults["blockSeconds"]),
            dict(self._settings.strict_classes),
        )

    def _defaults(self, tx: Tx) -> dict[str, Any]:
        s = self._settings
        stored = tx.get(RUNTIME, THROTTLE_KEY) or {}
        return {
            "enabled": s.throttle_enabled,
            "rate": s.rate_per_second,
            "burst": s.burst,
            "blockSeconds": s.block_seconds,
            "generation": 0,
            **stored,
        }

    def configure(
        self,
        vendor_id: str | None,
        *,
        enabled: bool | None = None,
        rate: float | None = None,
        burst: int | None = None,
        block_seconds: float | None = None,
    ) -> VendorLimits:
        """Per vendor, or the default for everyone when vendor_id is None (which voids per-vendor ones)."""
        changes = {
            k: v
            for k, v in {"enabled": enabled, "rate": rate, "burst": burst, "blockSeconds": block_seconds}.items()
            if v is not None
        }
        with system_tx(self._store) as tx:
            defaults = self._defaults(tx)
            if vendor_id is None:
                tx.put(RUNTIME, THROTTLE_KEY, {**defaults, **changes, "generation": defaults["generation"] + 1})
                return self.limits("", tx=tx)
            current = self.limits(vendor_id, tx=tx)
            tx.put(
                LIMITS,
                vendor_id,
                {
                    "enabled": current.enabled,
                    "rate": current.rate,
                    "burst": current.burst,
                    "blockSeconds": current.block_seconds,
                    **changes,
                    "generation": defaults["generation"],
                },
            )
            self._drop_buckets(tx, vendor_id)
            return self.limits(vendor_id, tx=tx)

    def reset(self, vendor_id: str | None = None) -> None:
        with system_tx(self._store) as tx:
            if vendor_id is None:
                # Back to the settings, under a generation no bucket or vendor limit was written with.
                tx.put(RUNTIME, THROTTLE_KEY, {"generation": self._defaults(tx)["generation"] + 1})
                return
            # Like its keys, a vendor's throttle settings survive a reset of its state; its buckets don't.
            self._drop_buckets(tx, vendor_id)

    def _drop_buckets(self, tx: Tx, vendor_id: str) -> None:
        for name in (DEFAULT_CLASS, *self._settings.strict_classes):
            tx.delete(BUCKETS, _bucket_key(vendor_id, name))

    # ---------------------------------------------------------------- on the request path

    def admit(self, vendor_id: str, throttle_class: str | None, now: datetime) -> Admission:
        """Take a token (or refuse with 429): the public one-shot form of `check`."""
        with system_tx(self._store) as tx:
            admission = self.check(tx, vendor_id, throttle_class, now)
        admission.raise_if_rejected()
        return admission

    def check(self, tx: Tx, vendor_id: str, throttle_class: str | None, now: datetime) -> Admission:
        """Take a token in `tx`; a refusal is returned, not raised, so its block is committed too."""
        limits = self.limits(vendor_id, tx=tx)
        if not limits.enabled:
            return Admission()
        generation = self._defaults(tx)["generation"]
        checks = [(DEFAULT_CLASS, limits.rate, limits.burst)]
        cls = limits.classes.get(throttle_class or "")
        if cls:
            checks.append((throttle_class or "", cls.rate_per_second, cls.burst))
        now_us = to_micros(now)
        buckets = [
            (name, self._bucket(tx, vendor_id, name, rate, burst, now_us, generation)) for name, rate, burst in checks
        ]
        admission = self._take([b for _, b in buckets], limits, now_us)
        for name, bucket in buckets:
            tx.put(BUCKETS, _bucket_key(vendor_id, name), _bucket_doc(bucket, generation))
        return admission

    def _take(self, buckets: list[Bucket], limits: VendorLimits, now_us: int) -> Admission:
        for bucket in buckets:
            if bucket.blocked_until_us and now_us < bucket.blocked_until_us:
                return Admission(rejected=True)
            bucket.refill(now_us)
        if any(b.tokens < 1.0 for b in buckets):
            for bucket in buckets:
                if bucket.tokens < 1.0 and limits.block_seconds > 0:
                    bucket.blocked_until_us = now_us + round(limits.block_seconds * 1_000_000)
            return Admission(rejected=True)
        for bucket in buckets:
            bucket.tokens -= 1.0
        used = max(1.0 - b.tokens / b.burst for b in buckets)
        if used >= self._settings.warn_ratio:
            return Admission(warning=f"throttling threshold {used:.0%} reached ({limits.rate:g} requests/s)")
        return Admission()

    @staticmethod
    def _bucket(tx: Tx, vendor_id: str, name: str, rate: float, burst: int, now_us: int, generation: int) -> Bucket:
        doc = tx.get(BUCKETS, _bucket_key(vendor_id, name))
        if doc is None or doc.get("generation") != generation:
            return Bucket(rate=rate, burst=burst, tokens=float(burst), updated_us=now_us)
        return Bucket(
            rate=rate,
            burst=burst,
            tokens=float(doc["tokens"]),
            updated_us=int(doc["updatedUs"]),
            blocked_until_us=doc.get("blockedUntilUs"),
        )


def _bucket_doc(bucket: Bucket, generation: int) -> dict[str, Any]:
    return {
        "tokens": bucket.tokens,
        "updatedUs": bucket.updated_us,
        "blockedUntilUs": bucket.blocked_until_us,
        "generation": generation,
    }


def _bucket_key(vendor_id: str, name: str) -> str:
    return f"{vendor_id}/{name}"
