"""Gateway authentication: CEA HMAC verification with Coupang's own 401 messages."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coupang_mock.client.signing import parse_authorization, parse_signed_date, signature, string_to_sign

from .errors import ApiError, gateway_error
from .vendors import VendorRegistry

EXPIRED = "Specified signature is expired."
INVALID_SIGNATURE = "Invalid signature."
INVALID_FORMAT = "HMAC format is invalid."
NOT_AUTHORIZED = "Request is not authorized."
UNKNOWN_KEY = "Unknown error occurred, please contact api-gateway channel for the details."
VENDOR_MISMATCH = "The vendorId in path or requestBody doesn't match the one got from api-gateway."


@dataclass(frozen=True)
class AuthResult:
    vendor_id: str
    access_key: str
    skew_seconds: float = 0.0  # server wall time minus the signed-date: the misuse report watches its drift
    key_age_days: float = 0.0


@dataclass
class AuthFailure(Exception):
    message: str
    expected: str | None = None

    def to_error(self, debug: bool) -> ApiError:
        extra: dict[str, Any] = {}
        if self.message == NOT_AUTHORIZED:
            extra["messages"] = {"korean": "인증되지 않은 요청입니다.", "english": NOT_AUTHORIZED}
        if debug and self.expected is not None:
            extra["expectedStringToSign"] = self.expected
        return gateway_error(401, self.message, **extra)


class Authenticator:
    def __init__(self, vendors: VendorRegistry, window_seconds: int, key_validity_days: int) -> None:
        self._vendors = vendors
        self._window = timedelta(seconds=window_seconds)
        self._validity = timedelta(days=key_validity_days)

    def verify(
        self, header: str | None, method: str, path: str, raw_query: str, now: datetime, key_now: datetime
    ) -> AuthResult:
        """`now` checks the signed-date (wall time, as the client signs); `key_now` the key's age (test clock)."""
        if not header:
            raise AuthFailure(NOT_AUTHORIZED)
        parsed = parse_authorization(header)
        if parsed is None or parsed.algorithm != "HmacSHA256":
            raise AuthFailure(INVALID_FORMAT)
        try:
            signed_at = parse_signed_date(parsed.signed_date)
        except ValueError:
            raise AuthFailure(INVALID_FORMAT) from None
        expected = string_to_sign(parsed.signed_date, method, path, raw_query)
        vendor = self._vendors.by_access_key(parsed.access_key)
        if vendor is None:
            raise AuthFailure(UNKNOWN_KEY)
        if abs(now - signed_at) > self._window:
            raise AuthFailure(EXPIRED, expected)
        if not hmac.compare_digest(signature(vendor["secretKey"], expected), parsed.signature.lower()):
            raise AuthFailure(INVALID_SIGNATURE, expected)
        issued = datetime.fromisoformat(vendor["issuedAt"])
        if key_now - issued > self._validity:
            # Coupang documents that keys stop working after 180 days but not the message: inferred.
            raise AuthFailure(NOT_AUTHORIZED)
        return AuthResult(
            vendor_id=vendor["vendorId"],
            access_key=parsed.access_key,
            skew_seconds=(now - signed_at).total_seconds(),
            key_age_days=(key_now - issued).total_seconds() / 86400,
        )
