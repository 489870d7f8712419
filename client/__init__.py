"""Thin Python client for the Coupang seller OpenAPI (works against coupang-mock and production)."""

from .core import ApiResponse, CoupangClient, RetryPolicy
from .errors import AuthError, CoupangError, NotFoundError, RateLimitError, ServerError, ValidationError

__all__ = [
    "ApiResponse",
    "AuthError",
    "CoupangClient",
    "CoupangError",
    "NotFoundError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "ValidationError",
]
