"""Runtime settings of one mock instance; every field can be set from the CLI or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

DEFAULT_VENDOR_ID = "A00012345"
# The keys of common.yaml's test vectors, so the documented vectors verify against the default vendor.
DEFAULT_ACCESS_KEY = "00000000-0000-0000-0000-000000000000"
DEFAULT_SECRET_KEY = "fake-secret-key-for-test-vectors-only"


@dataclass
class ThrottleClass:
    rate_per_second: float
    burst: int


@dataclass
class Settings:
    seed: int = 0
    auth_window_seconds: int = 300
    auth_debug: bool = True
    key_validity_days: int = 180
    throttle_enabled: bool = True
    rate_per_second: float = 10.0
    burst: int = 10
    block_seconds: float = 0.0
    warn_ratio: float = 0.9
    # Product create/update are limited harder since 2023-10-12; Coupang publishes no number.
    strict_classes: dict[str, ThrottleClass] = field(
        default_factory=lambda: {
            "product-write": ThrottleClass(rate_per_second=5.0, burst=5),
            "rocket-growth-orders": ThrottleClass(rate_per_second=50 / 60, burst=50),
        }
    )
    gateway_timeout_ms: int = 3000
    control_token: str | None = None
    default_vendor_id: str = DEFAULT_VENDOR_ID
    default_access_key: str = DEFAULT_ACCESS_KEY
    default_secret_key: str = DEFAULT_SECRET_KEY
    frozen_clock: bool = False
    journal_size: int = 1000
    # 3k requests with 100 KB queries must not hold 100+ MiB: the journal is capped in bytes too.
    journal_bytes: int = 4 * 1024 * 1024
    journal_entry_bytes: int = 8 * 1024
    # Real-sleep latency faults of one vendor occupy at most this many threads per process.
    real_latency_slots: int = 2
    store_url: str = "memory"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """COUPANG_MOCK_<FIELD> environment variables, then explicit overrides."""
        settings = cls()
        for f in fields(cls):
            raw = os.environ.get(f"COUPANG_MOCK_{f.name.upper()}")
            if raw is None or f.name == "strict_classes":
                continue
            setattr(settings, f.name, _parse(raw, getattr(settings, f.name)))
        for name, value in overrides.items():
            if value is not None:
                setattr(settings, name, value)
        return settings


def _parse(raw: str, current: object) -> object:
    if isinstance(current, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    return raw
