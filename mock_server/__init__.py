"""coupang-mock: a stateful local stand-in for the Coupang seller OpenAPI."""

from __future__ import annotations

__version__ = "0.1.0"
