"""Runtime settings of one mock instance; every field can be set from the CLI or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ladder import LadderSettings

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
    # Entries are written in batches this long after the first (0: each in its own transaction).
    journal_flush_ms: float = 50.0
    # Real-sleep latency faults of one vendor occupy at most this many threads per process.
    real_latency_slots: int = 2
    store_url: str = "memory"
    # The blocking ladder (ladder.py); hold 0 = off, which tests and fixtures keep; `serve` holds 300 s.
    ladder_hold_seconds: float = 0.0
    ladder_deny_seconds: float = 600.0
    ladder_block_seconds: float = 1800.0
    ladder_error_burst: int = 20
    ladder_not_found_burst: int = 10
    ladder_sustained_calls: int = 50
    ladder_fan_out: int = 0
    access_log: str = "off"  # off | text | json (serve turns it on)
    # Limits against hostile or careless clients. Coupang publishes none of these numbers: the body
    # cap stands in for the gateway's 413 (10 MiB inferred), depth/number length follow Jackson's read
    # constraints, the rest keep a developer machine responsive.
    max_body_bytes: int = 10 * 1024 * 1024
    max_json_depth: int = 500
    max_number_length: int = 1000
    max_url_bytes: int = 8192
    max_header_bytes: int = 65536
    connection_limit: int = 1000
    idle_timeout_seconds: int = 30
    threads: int = 8
    # Host names the control plane answers besides loopback ones (DNS-rebinding defence).
    allowed_hosts: tuple[str, ...] = ()

    def ladder(self) -> LadderSettings:
        from .ladder import LadderSettings

        return LadderSettings(
            hold_seconds=self.ladder_hold_seconds,
            deny_seconds=self.ladder_deny_seconds,
            block_seconds=self.ladder_block_seconds,
            error_burst=self.ladder_error_burst,
            not_found_burst=self.ladder_not_found_burst,
            sustained_calls=self.ladder_sustained_calls,
            fan_out=self.ladder_fan_out,
        )

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
    if isinstance(current, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(current, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    return raw
