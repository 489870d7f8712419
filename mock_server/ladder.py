"""Coupang's blocking ladder, per vendor, on the test clock.

The per-second token bucket (throttle.py) answers one request; the ladder is what happens to a vendor
afterwards (common.yaml rate_limits, http_errors):

- a throttled call HOLDs the vendor: every call answers 429 for a few minutes (not a sliding 1-s window);
- calls that keep coming while held, many 404s on wrong vendorIds, or several calls in flight at once from
  one vendor (multi-server / multi-thread fan-out) BLOCK it: 302, the answer of a blocked IP or vendorId;
- a burst of errors within a second DENIES it: the CDN's 403 "Access Denied" HTML page;
- each ends by itself (`release`) when its period is over on the test clock.

Every number is inferred (Coupang publishes "minutes to tens of minutes" and no thresholds) and
configurable per server and per vendor (`PUT /_mock/ladder`). The table is a StateMachine like every
lifecycle, so its edges show in /_mock/transitions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from .domains.fsm import StateMachine
from .errors import ApiError, gateway_error
from .faults import AKAMAI_403

OPEN, HELD, DENIED, BLOCKED = "OPEN", "HELD", "DENIED", "BLOCKED"
LADDER_MACHINE = StateMachine(
    "gatewayLadder",
    (OPEN, HELD, DENIED, BLOCKED),
    {
        (OPEN, "overLimit"): HELD,
        (OPEN, "errorBurst"): DENIED,
        (OPEN, "notFoundBurst"): BLOCKED,
        (OPEN, "fanOut"): BLOCKED,
        (HELD, "sustained"): BLOCKED,
        (HELD, "errorBurst"): DENIED,
        (HELD, "release"): OPEN,
        (DENIED, "release"): OPEN,
        (BLOCKED, "release"): OPEN,
    },
    initial=OPEN,
)
# The key of the kept threshold changes among the rungs (no vendorId looks like it), and of everyone's.
SETTINGS_KEY, EVERYONE = "~settings", "*"
# Where a blocked client is sent; Coupang documents the 302 but not its target (inferred).
BLOCKED_LOCATION = "https://www.coupang.com/np/blocked"


@dataclass(frozen=True)
class LadderSettings:
    """Seconds and counts; 0 switches a rung off. The server defaults are in Settings/serve."""

    hold_seconds: float = 0.0  # HELD after a throttled call
    deny_seconds: float = 600.0  # DENIED (403) after an error burst
    block_seconds: float = 1800.0  # BLOCKED (302)
    error_burst: int = 20  # errors within one second that deny
    not_found_burst: int = 10  # 404s / foreign vendorIds within not_found_window that block
    not_found_window: float = 60.0
    sustained_calls: int = 50  # calls while HELD within sustained_window that block
    sustained_window: float = 60.0
    fan_out: int = 0  # requests of one vendor in flight at once that block (0: off)

    WIRE: ClassVar[dict[str, str]] = {
        "holdSeconds": "hold_seconds",
        "denySeconds": "deny_seconds",
        "blockSeconds": "block_seconds",
        "errorBurst": "error_burst",
        "notFoundBurst": "not_found_burst",
        "notFoundWindowSeconds": "not_found_window",
        "sustainedCalls": "sustained_calls",
        "sustainedWindowSeconds": "sustained_window",
        "fanOut": "fan_out",
    }

    def to_json(self) -> dict[str, Any]:
        values = asdict(self)
        return {wire: values[name] for wire, name in self.WIRE.items()}

    def updated(self, changes: dict[str, Any]) -> LadderSettings:
        """A copy with wire-named changes; ValueError naming the field for anything else."""
        kwargs: dict[str, Any] = {}
        for wire, value in changes.items():
            name = self.WIRE.get(wire)
            if name is None:
                raise ValueError(f"{wire}: unknown ladder field; known: {sorted(self.WIRE)}")
            integral = isinstance(getattr(self, name), int) and not isinstance(getattr(self, name), float)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 86400 * 7:
                raise ValueError(f"{wire}: a number from 0 to 604800")
            if integral and value != int(value):
                raise ValueError(f"{wire}: a whole number")
            kwargs[name] = int(value) if integral else float(value)
        return replace(self, **kwargs)


@dataclass
class Rung:
    """One vendor's place on the ladder plus the recent events that move it."""

    state: str = OPEN
    until: str | None = None
    held_calls: list[str] | None = None
    errors: list[str] | None = None
    not_found: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Rung:
        return cls(**{k: v for k, v in (data or {}).items() if k in {f.name for f in fields(cls)}})


Load = Callable[[str], dict[str, Any] | None]
Save = Callable[[str, dict[str, Any]], None]
Atomic = Callable[[], AbstractContextManager[Any]]


class Ladder:
    """`check` before a call, `throttled` when the bucket refused it, `observe` after it was answered.

    Rungs are read and written through `load`/`save` (a process dict by default; the store when the
    server shares state between workers), each read-modify-write inside `atomic` (a process lock by
    default; the store's system transaction when shared, so that the gateway can join it and decide
    ladder and bucket in one step). In-flight counts are per process."""

    def __init__(
        self, settings: LadderSettings, load: Load | None = None, save: Save | None = None, atomic: Atomic | None = None
    ) -> None:
        self.settings = settings
        self._memory: dict[str, dict[str, Any]] = {}
        self._load = load or self._memory.get
        self._save = save or self._memory.__setitem__
        lock = threading.RLock()
        self._lock: Atomic = atomic or (lambda: lock)
        self._flight_lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    def for_vendor(self, vendor_id: str) -> LadderSettings:
        changes = self._load(SETTINGS_KEY) or {}
        return self.settings.updated(changes.get(EVERYONE, {})).updated(changes.get(vendor_id, {}))

    def configure(self, vendor_id: str | None, changes: dict[str, Any]) -> LadderSettings:
        """Changes are kept (wire names) beside the rungs, so every worker answers by the same thresholds;
        changing everyone's voids the per-vendor ones."""
        with self._lock():
            kept = self._load(SETTINGS_KEY) or {}
            key = EVERYONE if vendor_id is None else vendor_id
            updated = self.for_vendor(key).updated(changes)  # ValueError naming the field
            own = {**kept.get(key, {}), **changes}
            self._save(SETTINGS_KEY, {EVERYONE: own} if vendor_id is None else {**kept, key: own})
            return updated

    def reset(self, vendor_id: str | None = None) -> None:
        """Like its throttle settings, a vendor's ladder settings survive a reset of its state; its rung does not."""
        with self._lock():
            if vendor_id is None:
                self._memory.clear()
                self._save(SETTINGS_KEY, {})
            else:
                self._save(vendor_id, Rung().to_json())

    def rung(self, vendor_id: str, now: datetime) -> Rung:
        rung = Rung.from_json(self._load(vendor_id))
        if rung.state != OPEN and rung.until and now >= datetime.fromisoformat(rung.until):
            rung = Rung(state=LADDER_MACHINE.next(rung.state, "release"))
            self._save(vendor_id, rung.to_json())
        return rung

    def check(self, vendor_id: str, now: datetime, path: str) -> None:
        """Refuse a call of a held, denied or blocked vendor the way Coupang's edge does."""
        refusal = self.refusal(vendor_id, now, path)
        if refusal is not None:
            raise refusal

    def refusal(self, vendor_id: str, now: datetime, path: str) -> ApiError | None:
        """What the edge answers a held, denied or blocked vendor (None: open); the call is counted."""
        with self._lock():
            rung = self.rung(vendor_id, now)
            if rung.state == HELD:
                rung = self._held_call(vendor_id, rung, now)
            if rung.state == OPEN:
                return None
        return self._answer(rung.state, path)

    def throttled(self, vendor_id: str, now: datetime) -> None:
        """The token bucket refused a call: hold the vendor (when holding is on)."""
        s = self.for_vendor(vendor_id)
        with self._lock():
            rung = self.rung(vendor_id, now)
            if rung.state == OPEN and s.hold_seconds > 0:
                self._move(vendor_id, rung, "overLimit", now, s.hold_seconds)

    def observe(self, vendor_id: str, status: int, now: datetime, foreign_vendor: bool = False) -> None:
        """An answered call: errors and not-founds climb the ladder."""
        if status < 400:
            return
        s = self.for_vendor(vendor_id)
        with self._lock():
            rung = self.rung(vendor_id, now)
            rung.errors = [*_recent(rung.errors, now, 1.0), now.isoformat()]
            if status == 404 or foreign_vendor:
                rung.not_found = [*_recent(rung.not_found, now, s.not_found_window), now.isoformat()]
            if s.error_burst and len(rung.errors) >= s.error_burst and LADDER_MACHINE.can(rung.state, "errorBurst"):
                self._move(vendor_id, rung, "errorBurst", now, s.deny_seconds)
            elif s.not_found_burst and len(rung.not_found or []) >= s.not_found_burst and rung.state == OPEN:
                self._move(vendor_id, rung, "notFoundBurst", now, s.block_seconds)
            else:
                self._save(vendor_id, rung.to_json())

    def enter(self, vendor_id: str, now: datetime) -> None:
        """A call starts; too many of one vendor at once is the fan-out Coupang blocks."""
        s = self.for_vendor(vendor_id)
        with self._flight_lock:
            self._in_flight[vendor_id] = in_flight = self._in_flight.get(vendor_id, 0) + 1
        if s.fan_out and in_flight > s.fan_out:
            with self._lock():
                rung = self.rung(vendor_id, now)
                if rung.state == OPEN:
                    self._move(vendor_id, rung, "fanOut", now, s.block_seconds)

    def leave(self, vendor_id: str) -> None:
        with self._flight_lock:
            self._in_flight[vendor_id] = max(0, self._in_flight.get(vendor_id, 0) - 1)

    def _held_call(self, vendor_id: str, rung: Rung, now: datetime) -> Rung:
        """Calls that keep coming while held are the sustained abuse Coupang blocks."""
        s = self.for_vendor(vendor_id)
        rung.held_calls = [*_recent(rung.held_calls, now, s.sustained_window), now.isoformat()]
        if s.sustained_calls and len(rung.held_calls) >= s.sustained_calls:
            return self._move(vendor_id, rung, "sustained", now, s.block_seconds)
        self._save(vendor_id, rung.to_json())
        return rung

    def _move(self, vendor_id: str, rung: Rung, event: str, now: datetime, seconds: float) -> Rung:
        until = (now + timedelta(seconds=seconds)).isoformat()
        moved = Rung(state=LADDER_MACHINE.next(rung.state, event), until=until)
        self._save(vendor_id, moved.to_json())
        return moved

    @staticmethod
    def _answer(state: str, path: str) -> ApiError:
        if state == DENIED:
            return ApiError(
                403, "Access Denied", envelope="raw", body=AKAMAI_403.format(path=path), content_type="text/html"
            )
        if state == BLOCKED:
            return ApiError(
                302,
                "Blocked",
                envelope="raw",
                body="",
                content_type="text/html",
                headers={"Location": BLOCKED_LOCATION},
            )
        return gateway_error(429, "Too Many Requests")


def _recent(stamps: list[str] | None, now: datetime, window: float) -> list[str]:
    since = now - timedelta(seconds=window)
    return [s for s in stamps or [] if datetime.fromisoformat(s) > since]
