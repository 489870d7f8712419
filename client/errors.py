"""Typed errors carrying what Coupang said: HTTP status, its code and its message."""

from __future__ import annotations

from typing import Any


class CoupangError(Exception):
    def __init__(self, status: int, code: Any, message: str, response: Any = None, body: Any = None) -> None:
        super().__init__(f"HTTP {status} [{code}] {message}")
        self.status = status
        self.code = code
        self.message = message
        self.response = response
        self.body = body

    @property
    def transaction_id(self) -> str | None:
        return self.body.get("transactionId") if isinstance(self.body, dict) else None


class AuthError(CoupangError):
    """401/403: signature, key, IP or the CDN block."""


class RateLimitError(CoupangError):
    """429: the per-vendor limit; retried with backoff before it reaches you."""


class ValidationError(CoupangError):
    """400: Coupang refused the parameters or the body."""


class NotFoundError(CoupangError):
    """404: wrong path, wrong vendorId, or an unknown resource."""


class ServerError(CoupangError):
    """5xx: upstream failure or gateway time-out (a write may still have happened: re-read first)."""


def error_for(status: int) -> type[CoupangError]:
    if status in (401, 403):
        return AuthError
    if status == 429:
        return RateLimitError
    if status == 404:
        return NotFoundError
    if status >= 500:
        return ServerError
    if status >= 400:
        return ValidationError
    return CoupangError
