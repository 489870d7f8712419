"""Deterministic, realistic Coupang ids: same seed and same calls give the same ids."""

from __future__ import annotations

import hashlib

from .store import Tx


class IdFactory:
    def __init__(self, seed: int) -> None:
        self._seed = seed

    def next(self, tx: Tx, kind: str, digits: int = 10) -> int:
        """A `digits`-long id: a 6-digit prefix per (seed, vendor, kind), then a sequence."""
        if digits < 9:
            return tx.next_seq(kind)
        salt = hashlib.sha256(f"{self._seed}:{tx.tenant}:{kind}".encode()).hexdigest()
        prefix = 100_000 + int(salt, 16) % 900_000
        return prefix * 10 ** (digits - 6) + tx.next_seq(kind)
