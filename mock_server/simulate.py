"""The shared mechanism of every control route that acts on one vendor (buyer, courier, reviewer, CS).

A control route acts like an API call of that vendor: the vendor must exist, timed behaviour is caught
up first, and everything happens in one store transaction on the vendor's test-clock time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .core import MockServices, run_tickers
from .domains.inventory import is_positive_int, item_quantities
from .errors import ApiError
from .store import Tx

NewId = Callable[[str, int], int]
__all__ = ["NewId", "VendorTx", "int_arg", "is_positive_int", "item_quantities", "vendor_tx"]


@dataclass(frozen=True)
class VendorTx:
    tx: Tx
    now: datetime
    new_id: NewId

    def __iter__(self) -> Iterator[Any]:
        # Lets routes unpack `with vendor_tx(...) as (tx, now, new_id):`.
        return iter((self.tx, self.now, self.new_id))


@contextmanager
def vendor_tx(services: MockServices, vendor_id: str) -> Iterator[VendorTx]:
    if services.vendors.get(vendor_id) is None:
        raise ApiError(404, f"vendor {vendor_id} does not exist")
    now = services.clock.now(vendor_id)  # before the vendor transaction: SQLite cannot nest the system one
    with services.store.transaction(vendor_id) as tx:
        run_tickers(tx, now, services)
        yield VendorTx(tx, now, lambda kind, digits: services.ids.next(tx, kind, digits))


def int_arg(value: Any, name: str) -> int:
    """A numeric id taken from a control-route path or body; anything else is the caller's 400."""
    text = str(value)
    # ASCII and at most 19 digits: isdigit() alone lets '²' through to int(), and ids are Longs.
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        raise ApiError(400, f"{name} must be an integer")
    return int(text)
