"""The test clock: every piece of domain time and the throttle read it, so tests never sleep.

Its state (frozen base, global offset, per-vendor offsets) is kept in the store, so every worker
process reads the same time and a restart on the same SQLite file keeps the offsets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .runtime import RUNTIME, from_micros, system_tx, to_micros
from .store import MemoryStore, Store, Tx

KST = timezone(timedelta(hours=9), "KST")
# Beyond these the clock is a mistake, not a test: datetime arithmetic overflows near year 9999, and
# Coupang's date fields and KST conversions assume a four-digit year (x-inferred bounds).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
CLOCK_KEY = "clock"
VENDOR_OFFSETS = "clock-offsets"


def wall_clock() -> datetime:
    return datetime.now(UTC)


class ClockRangeError(ValueError):
    """A move would take the clock outside [EARLIEST, LATEST); `field` is the input that asked for it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class TestClock:
    """Wall time plus an offset (global, or per vendor); optionally frozen.

    Frozen clocks only move when told to, which is what deterministic tests want; the default
    follows real time so a long-running mock still ages orders. A clock starts on a private
    in-memory store and is attached to the instance's store by MockServices; the store's state wins
    when it already has one (a restart continues where it stopped).
    """

    __test__ = False  # not a pytest test class

    def __init__(self, source: Callable[[], datetime] = wall_clock, frozen_at: datetime | None = None) -> None:
        self._source = source
        self._store: Store = MemoryStore()
        with system_tx(self._store) as tx:
            tx.put(RUNTIME, CLOCK_KEY, _global_doc(frozen_at, 0, 0))

    def attach(self, store: Store) -> None:
        with system_tx(self._store) as tx:
            current = tx.get(RUNTIME, CLOCK_KEY)
        with system_tx(store) as tx:
            if tx.get(RUNTIME, CLOCK_KEY) is None:
                tx.put(RUNTIME, CLOCK_KEY, current or _global_doc(None, 0, 0))
        self._store = store

    # ---------------------------------------------------------------- reads

    def now(self, vendor_id: str | None = None, *, tx: Tx | None = None) -> datetime:
        if tx is not None:
            return self._now_in(tx, vendor_id)
        with system_tx(self._store, write=False) as own:
            return self._now_in(own, vendor_id)

    def _now_in(self, tx: Tx, vendor_id: str | None) -> datetime:
        clock = _global(tx)
        return _clamped(self._base(clock), clock["offsetUs"] + self._vendor_offset(tx, clock, vendor_id))

    def _base(self, clock: dict[str, Any]) -> datetime:
        frozen = clock.get("frozenAtUs")
        return from_micros(frozen) if frozen is not None else self._source()

    @staticmethod
    def _vendor_offset(tx: Tx, clock: dict[str, Any], vendor_id: str | None) -> int:
        if not vendor_id:
            return 0
        doc = tx.get(VENDOR_OFFSETS, vendor_id)
        # A global reset bumps the generation instead of deleting every vendor's document.
        return int(doc["offsetUs"]) if doc and doc.get("generation") == clock["generation"] else 0

    # ---------------------------------------------------------------- moves

    def advance(self, seconds: float, vendor_id: str | None = None) -> datetime:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise ClockRangeError("advanceSeconds", "advanceSeconds must be a finite number")
        span = (LATEST - EARLIEST).total_seconds()
        if abs(seconds) > span:
            raise ClockRangeError("advanceSeconds", f"advanceSeconds must be within ±{span:.0f}")
        with system_tx(self._store) as tx:
            return self._shift(tx, round(seconds * 1_000_000), vendor_id, "advanceSeconds")

    def set(self, moment: datetime, vendor_id: str | None = None) -> datetime:
        if moment.tzinfo is None:
            raise ClockRangeError("now", "the moment needs a UTC offset")
        _check_range(moment, "now")
        with system_tx(self._store) as tx:
            delta = moment - self._now_in(tx, vendor_id)
            micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
            return self._shift(tx, micros, vendor_id, "now")

    def _shift(self, tx: Tx, micros: int, vendor_id: str | None, field: str) -> datetime:
        clock = _global(tx)
        vendor_offset = self._vendor_offset(tx, clock, vendor_id)
        base = self._base(clock)
        target = base + timedelta(microseconds=clock["offsetUs"] + vendor_offset + micros)
        _check_range(target, field)
        if vendor_id:
            tx.put(VENDOR_OFFSETS, vendor_id, {"offsetUs": vendor_offset + micros, "generation": clock["generation"]})
        else:
            tx.put(RUNTIME, CLOCK_KEY, {**clock, "offsetUs": clock["offsetUs"] + micros})
        return target

    def freeze(self, moment: datetime | None = None) -> None:
        if moment is not None:
            _check_range(moment, "now")
        with system_tx(self._store) as tx:
            clock = _global(tx)
            at = moment or self._base(clock) + timedelta(microseconds=clock["offsetUs"])
            tx.put(RUNTIME, CLOCK_KEY, _global_doc(at, 0, clock["generation"]))

    def reset(self, vendor_id: str | None = None) -> None:
        with system_tx(self._store) as tx:
            if vendor_id:
                tx.delete(VENDOR_OFFSETS, vendor_id)
                return
            clock = _global(tx)
            tx.put(RUNTIME, CLOCK_KEY, {**clock, "offsetUs": 0, "generation": clock["generation"] + 1})


def _global_doc(frozen_at: datetime | None, offset_us: int, generation: int) -> dict[str, Any]:
    return {
        "frozenAtUs": to_micros(frozen_at) if frozen_at is not None else None,
        "offsetUs": offset_us,
        "generation": generation,
    }


def _global(tx: Tx) -> dict[str, Any]:
    return tx.get(RUNTIME, CLOCK_KEY) or _global_doc(None, 0, 0)


def _check_range(moment: datetime, field: str) -> None:
    if not EARLIEST <= moment < LATEST:
        raise ClockRangeError(
            field, f"{field} would put the clock at {moment.isoformat()}: it must stay in [2000-01-01, 2100-01-01)"
        )


def _clamped(base: datetime, offset_us: int) -> datetime:
    # Validated moves keep the clock in range; wall time drifting past a bound must still not crash.
    try:
        return min(max(base + timedelta(microseconds=offset_us), EARLIEST), LATEST)
    except OverflowError:
        return LATEST if offset_us > 0 else EARLIEST
