"""Gateway authentication: CEA HMAC verification with Coupang's own 401 messages.

One sequence of checks serves both the gateway (stop at the first failure, answer Coupang's words and,
with auth debug on, what the mock saw) and `diagnose` (run every check that can run, for the HMAC
debugger and `POST /_mock/auth/diagnose`).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from coupang_mock.client.signing import (
    ALGORITHM,
    SIGNED_DATE_FORMAT,
    ParsedAuthorization,
    parse_authorization,
    parse_signed_date,
    signature,
    string_to_sign,
)

from .errors import ApiError, gateway_error
from .vendors import VendorRegistry

EXPIRED = "Specified signature is expired."
INVALID_SIGNATURE = "Invalid signature."
INVALID_FORMAT = "HMAC format is invalid."
NOT_AUTHORIZED = "Request is not authorized."
UNKNOWN_KEY = "Unknown error occurred, please contact api-gateway channel for the details."
VENDOR_MISMATCH = "The vendorId in path or requestBody doesn't match the one got from api-gateway."

# The gateway's answer when a check fails.
REFUSALS = {
    "header": NOT_AUTHORIZED,
    "format": INVALID_FORMAT,
    "algorithm": INVALID_FORMAT,
    "signedDate": INVALID_FORMAT,
    "accessKey": UNKNOWN_KEY,
    "dateSkew": EXPIRED,
    "signature": INVALID_SIGNATURE,
    "keyAge": NOT_AUTHORIZED,
}
HEADER_PARTS = ("algorithm", "access-key", "signed-date", "signature")
HEADER_SHAPE = "CEA algorithm=HmacSHA256, access-key=…, signed-date=yyMMdd'T'HHmmss'Z', signature=<64 hex digits>"
_HEX64_RE = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class AuthResult:
    vendor_id: str
    access_key: str
    skew_seconds: float = 0.0  # server wall time minus the signed-date: the misuse report watches its drift
    key_age_days: float = 0.0


@dataclass(frozen=True)
class Check:
    """One step of the verification (REFUSALS has Coupang's message when it fails). The words are
    only composed when someone reads them: the gateway runs these checks on every request."""

    check: str
    ok: bool
    describe: Callable[[], str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        return self.describe()

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, **self.extra}


@dataclass
class _Seen:
    """What the checks found on the way, for the caller that needs the vendor afterwards."""

    parsed: ParsedAuthorization | None = None
    vendor: dict[str, Any] | None = None
    signed_at: datetime | None = None
    key_age: timedelta | None = None


@dataclass
class AuthFailure(Exception):
    message: str
    expected: str | None = None
    debug: dict[str, Any] | None = None

    def to_error(self, debug: bool) -> ApiError:
        extra: dict[str, Any] = {}
        if self.message == NOT_AUTHORIZED:
            extra["messages"] = {"korean": "인증되지 않은 요청입니다.", "english": NOT_AUTHORIZED}
        if debug and self.expected is not None:
            extra["expectedStringToSign"] = self.expected
        if debug and self.debug is not None:
            extra["debug"] = self.debug
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
        seen = _Seen()
        for step in self._checks(header, method, path, raw_query, now, key_now, seen):
            if not step.ok:
                debug = {"check": step.check, "detail": step.detail}
                raise AuthFailure(REFUSALS[step.check], step.extra.get("expectedStringToSign"), debug)
        if seen.vendor is None or seen.parsed is None:  # unreachable: every check ran and passed
            raise AuthFailure(NOT_AUTHORIZED)
        return AuthResult(
            vendor_id=seen.vendor["vendorId"],
            access_key=seen.parsed.access_key,
            skew_seconds=(now - seen.signed_at).total_seconds() if seen.signed_at else 0.0,
            key_age_days=seen.key_age.total_seconds() / 86400 if seen.key_age else 0.0,
        )

    @staticmethod
    def refusal_of(check: str) -> str:
        return REFUSALS[check]

    def diagnose(
        self, authorization: str | None, method: str, path: str, query: str, now: datetime, key_now: datetime
    ) -> list[dict[str, Any]]:
        """Every check that can run on this header (format, algorithm, date and skew, key known and its
        age, signature with expected and received string-to-sign), in the gateway's order."""
        checks = self._checks(authorization, method, path, query, now, key_now, _Seen())
        return [step.to_json() for step in checks]

    def _checks(
        self,
        header: str | None,
        method: str,
        path: str,
        raw_query: str,
        now: datetime,
        key_now: datetime,
        seen: _Seen,
    ) -> Iterator[Check]:
        if not header:
            yield Check("header", False, lambda: "no Authorization header was sent")
            return
        parsed = seen.parsed = parse_authorization(header)
        if parsed is None:
            yield Check("format", False, lambda: format_problem(header))
            return
        yield Check("format", True, lambda: "CEA header with algorithm, access-key, signed-date and signature")
        known = parsed.algorithm == ALGORITHM
        yield Check(
            "algorithm", known, lambda: f"algorithm is {parsed.algorithm!r}" + ("" if known else f"; only {ALGORITHM}")
        )
        try:
            signed_at: datetime | None = parse_signed_date(parsed.signed_date)
        except ValueError:
            signed_at = None
        seen.signed_at = signed_at
        yield Check(
            "signedDate",
            signed_at is not None,
            lambda: (
                f"signed-date {parsed.signed_date!r}"
                + (
                    " parsed"
                    if signed_at
                    else f" is not {SIGNED_DATE_FORMAT.replace('%', '')} UTC, e.g. 251120T113608Z"
                )
            ),
        )
        expected = string_to_sign(parsed.signed_date, method, path, raw_query)
        vendor = seen.vendor = self._vendors.by_access_key(parsed.access_key)
        yield self._key_check(parsed.access_key, vendor)
        if signed_at is not None:
            yield self._skew_check(parsed.signed_date, signed_at, now, expected)
        if vendor is None:
            return
        yield _signature_check(vendor["secretKey"], parsed.signature, expected)
        yield self._age_check(vendor, key_now, seen)

    @staticmethod
    def _key_check(access_key: str, vendor: dict[str, Any] | None) -> Check:
        if vendor is None:
            return Check(
                "accessKey",
                False,
                lambda: (
                    f"access key {access_key!r} is not registered on this mock: create a vendor with "
                    "POST /_mock/vendors (or `coupang-mock keys --base-url <mock>`), or sign with the default "
                    "vendor's keys (`coupang-mock keys`)"
                ),
            )
        return Check("accessKey", True, lambda: f"access key of vendor {vendor['vendorId']}")

    def _skew_check(self, signed_date: str, signed_at: datetime, now: datetime, expected: str) -> Check:
        skew = (now - signed_at).total_seconds()
        window = int(self._window.total_seconds())
        ok = abs(skew) <= window

        def detail() -> str:
            return (
                f"server time {now.strftime(SIGNED_DATE_FORMAT)} ({now.isoformat()}), signed-date {signed_date} "
                f"({signed_at.isoformat()}): {'behind' if skew >= 0 else 'ahead'} by {abs(skew):.0f} s, "
                f"window ±{window} s"
            )

        return Check("dateSkew", ok, detail, {"expectedStringToSign": expected} if not ok else {})

    def _age_check(self, vendor: dict[str, Any], key_now: datetime, seen: _Seen) -> Check:
        age = seen.key_age = key_now - datetime.fromisoformat(vendor["issuedAt"])
        # Coupang documents that keys stop working after 180 days but not the message: inferred.
        return Check(
            "keyAge",
            age <= self._validity,
            lambda: (
                f"key issued {vendor['issuedAt']}, {age.total_seconds() / 86400:.1f} days ago (test clock); "
                f"keys are valid {self._validity.days} days"
            ),
        )


def _signature_check(secret_key: str, received: str, expected: str) -> Check:
    wanted = signature(secret_key, expected)
    # Bytes on both sides: compare_digest refuses non-ASCII str, and a header may carry anything.
    ok = hmac.compare_digest(wanted.encode("ascii"), received.lower().encode("utf-8", "surrogatepass"))

    def detail() -> str:
        if ok:
            return "HMAC-SHA256 of the string-to-sign matches"
        if not _HEX64_RE.match(received):
            return f"signature is not 64 hex digits ({len(received)} characters received)"
        return (
            "signature does not match HMAC-SHA256(secretKey, stringToSign): check the secret key, and that "
            "the path and the query are signed exactly as sent (still percent-encoded, no '?')"
        )

    return Check(
        "signature",
        ok,
        detail,
        {"expectedStringToSign": expected, "receivedSignature": received},
    )


def format_problem(header: str) -> str:
    """Which part of a CEA header failed to parse, in words."""
    text = header.strip()
    scheme, _, rest = text.partition(" ")
    if scheme != "CEA":
        return f"the header must start with 'CEA ' (got {scheme[:20]!r}); expected {HEADER_SHAPE}"
    parts = [part.strip() for part in rest.split(",")]
    for index, name in enumerate(HEADER_PARTS):
        if index >= len(parts) or not parts[index]:
            return f"'{name}=' is missing; expected {HEADER_SHAPE}"
        key, equals, value = parts[index].partition("=")
        if key != name or not equals:
            return f"part {index + 1} must be '{name}=…', got {parts[index][:40]!r}"
        if not value or any(c.isspace() for c in value):
            return f"'{name}' has no value or contains whitespace"
    if len(parts) > len(HEADER_PARTS):
        return f"unexpected text after signature: {','.join(parts[len(HEADER_PARTS) :])[:40]!r}"
    return f"the header does not match {HEADER_SHAPE}"
