"""Coupang CEA HMAC signing: the one implementation that both the client and the mock use.

signature = hex(HMAC-SHA256(secret, signed_date + METHOD + path + raw_query)); the query is the
exact string sent on the wire (still percent-encoded, without '?'); the body is never signed.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

SIGNED_DATE_FORMAT = "%y%m%dT%H%M%SZ"
ALGORITHM = "HmacSHA256"

# Order of parts is fixed in every official example; whitespace after commas is optional
# (seller samples use ", ", the Partners sample uses ",").
_HEADER_RE = re.compile(
    r"^CEA algorithm=(?P<algorithm>[^,\s]+),\s*access-key=(?P<access_key>[^,\s]+),\s*"
    r"signed-date=(?P<signed_date>[^,\s]+),\s*signature=(?P<signature>[^,\s]+)\s*$"
)


def format_signed_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SIGNED_DATE_FORMAT)


@functools.lru_cache(maxsize=256)  # one value per second of traffic; strptime costs more than the HMAC
def parse_signed_date(value: str) -> datetime:
    return datetime.strptime(value, SIGNED_DATE_FORMAT).replace(tzinfo=UTC)


def string_to_sign(signed_date: str, method: str, path: str, query: str) -> str:
    return f"{signed_date}{method.upper()}{path}{query}"


def signature(secret_key: str, message: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(access_key: str, signed_date: str, sig: str) -> str:
    return f"CEA algorithm={ALGORITHM}, access-key={access_key}, signed-date={signed_date}, signature={sig}"


def sign(access_key: str, secret_key: str, method: str, path: str, query: str, moment: datetime | None = None) -> str:
    """The Authorization header value for one request."""
    signed_date = format_signed_date(moment or datetime.now(UTC))
    sig = signature(secret_key, string_to_sign(signed_date, method, path, query))
    return authorization_header(access_key, signed_date, sig)


@dataclass(frozen=True)
class ParsedAuthorization:
    algorithm: str
    access_key: str
    signed_date: str
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization | None:
    match = _HEADER_RE.match(value.strip())
    if not match:
        return None
    return ParsedAuthorization(**match.groupdict())


def encode_query(params: object) -> str:
    """Percent-encode query parameters the way they will be sent (and therefore signed).

    Accepts a mapping or a sequence of pairs; list values become repeated keys; None values are
    dropped. Only unreserved characters and ':' stay literal (':' as in Coupang's own examples,
    `2025-11-01%2B09:00`); everything else is %XX, so no HTTP library re-encodes it afterwards.
    """
    pairs: list[tuple[str, object]] = []
    items = params.items() if hasattr(params, "items") else params  # type: ignore[union-attr]
    for key, value in items:  # type: ignore[union-attr]
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value)
        else:
            pairs.append((key, value))
    return "&".join(f"{quote(str(k), safe=':')}={quote(_text(v), safe=':')}" for k, v in pairs)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
