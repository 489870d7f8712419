"""The test clock: every piece of domain time and the throttle read it, so tests never sleep."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def wall_clock() -> datetime:
    return datetime.now(UTC)


class TestClock:
    """Wall time plus an offset (global, or per vendor); optionally frozen.

    Frozen clocks only move when told to, which is what deterministic tests want; the default
    follows real time so a long-running mock still ages orders.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, source: Callable[[], datetime] = wall_clock, frozen_at: datetime | None = None) -> None:
        self._source = source
        self._frozen_at = frozen_at
        self._offset = timedelta()
        self._tenant_offsets: dict[str, timedelta] = {}
        self._lock = threading.Lock()

    def _base(self) -> datetime:
        return self._frozen_at if self._frozen_at is not None else self._source()

    def now(self, vendor_id: str | None = None) -> datetime:
        with self._lock:
            offset = self._offset + self._tenant_offsets.get(vendor_id or "", timedelta())
            return self._base() + offset

    def advance(self, seconds: float, vendor_id: str | None = None) -> datetime:
        with self._lock:
            delta = timedelta(seconds=seconds)
            if vendor_id:
                self._tenant_offsets[vendor_id] = self._tenant_offsets.get(vendor_id, timedelta()) + delta
            else:
                self._offset += delta
        return self.now(vendor_id)

    def set(self, moment: datetime, vendor_id: str | None = None) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("the moment needs a UTC offset")
        current = self.now(vendor_id)
        return self.advance((moment - current).total_seconds(), vendor_id)

    def freeze(self, moment: datetime | None = None) -> None:
        with self._lock:
            self._frozen_at = moment or (self._base() + self._offset)
            self._offset = timedelta()

    def reset(self, vendor_id: str | None = None) -> None:
        with self._lock:
            if vendor_id:
                self._tenant_offsets.pop(vendor_id, None)
            else:
                self._offset = timedelta()
                self._tenant_offsets.clear()
