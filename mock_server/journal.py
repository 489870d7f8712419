"""A ring buffer of recent requests, so an integrator can see what the mock saw and why it refused."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def recent(self, vendor_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            entries = [e for e in self._entries if vendor_id is None or e.get("vendorId") == vendor_id]
        return list(reversed(entries[-limit:])) if limit > 0 else []

    def clear(self, vendor_id: str | None = None) -> None:
        with self._lock:
            if vendor_id is None:
                self._entries.clear()
            else:
                kept = [e for e in self._entries if e.get("vendorId") != vendor_id]
                self._entries.clear()
                self._entries.extend(kept)
