"""Deterministic, realistic Coupang ids: same seed and same calls give the same ids."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .store import Tx


class IdFactory:
    def __init__(self, seed: int) -> None:
        self._seed = seed

    def next(self, tx: Tx, kind: str, digits: int = 10) -> int:
        """A `digits`-long id: a 6-digit prefix per (seed, vendor, kind), then a sequence."""
        if digits < 9:
            return tx.next_seq(kind)
        return self._prefix(tx.tenant, kind) * 10 ** (digits - 6) + tx.next_seq(kind)

    def _prefix(self, tenant: str, kind: str) -> int:
        salt = hashlib.sha256(f"{self._seed}:{tenant}:{kind}".encode()).hexdigest()
        return 100_000 + int(salt, 16) % 900_000

    def issued_to_other(self, value: int, kind: str, digits: int, tenant: str, tenants: Iterable[str]) -> bool:
        """Whether `value` carries the prefix of another vendor: lets a handler tell "someone else's id"
        from "no such id" without opening other vendors' stores."""
        return self.owner_of(value, kind, digits, (t for t in tenants if t != tenant)) is not None

    def owner_of(self, value: int, kind: str, digits: int, tenants: Iterable[str]) -> str | None:
        """The vendor among `tenants` whose prefix `value` carries (ids of `digits` >= 9 only)."""
        if digits < 9 or not 10 ** (digits - 1) <= value < 10**digits:
            return None
        prefix = value // 10 ** (digits - 6)
        return next((t for t in tenants if self._prefix(t, kind) == prefix), None)
