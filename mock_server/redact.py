"""Personal data out of recordings: by field name and by value pattern, format-keeping and deterministic.

A recording of real traffic is committed by teams and attached to issues, so nothing personal may
survive in it: buyers' names, phone and safe numbers, addresses, zip codes, emails, personal customs
clearance codes, bank accounts and the free text of inquiries. Each value is replaced by a fake of the
same format (a phone stays a phone, a zip code keeps its digits count) so the recording still validates
against the spec, and the same value always becomes the same fake within one recording (HMAC with a
salt that lives only in memory), so joins between exchanges still line up. Ids are not personal and
are kept. Secrets (the Authorization header, cookies, tokens) are dropped, never written.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, unquote

# Exact wire names (lower-cased) and what they hold. Field names come from specs/paths and
# shared/reference (orders, returns, exchanges, cs, settlement, logistics).
_FIELDS: dict[str, tuple[str, ...]] = {
    "name": (
        "customername",
        "requestername",
        "receivername",
        "orderername",
        "buyername",
        "receptionistname",
        "deliverycustomername",
        "returncustomername",
        "bankaccountholder",
        "delivername",
        "accountholder",
        "depositorname",
        "recipientname",
        "contactname",
        "managername",
    ),
    "phone": (
        "safenumber",
        "safetynumber",
        "orderernumber",
        "ordererphonenumber",
        "receivernumber",
        "receiverphonenumber",
        "requesterphonenumber",
        "requesterrealphonenumber",
        "customerphone",
        "customermobile",
        "deliveryphone",
        "deliverymobile",
        "returnphone",
        "returnmobile",
        "buyerphone",
        "vendorphone",
        "phonenumber",
        "phonenumber2",
        "companycontactnumber",
        "afterservicecontactnumber",
        "contactnumber",
        "mobile",
        "phone",
        "tel",
        "phones",
    ),
    "address": (
        "addr1",
        "addr2",
        "address",
        "addressdetail",
        "customeraddress",
        "customeraddressdetail",
        "deliveryaddress",
        "deliveryaddressdetail",
        "requesteraddress",
        "requesteraddressdetail",
        "returnaddress",
        "returnaddressdetail",
        "vendoraddress",
        "vendoraddressdetail",
        "receiveraddress",
    ),
    "zip": (
        "postcode",
        "zipcode",
        "customerzipcode",
        "deliveryaddresszipcode",
        "requesterzipcode",
        "returnaddresszipcode",
        "returnzipcode",
        "vendorzipcode",
        "receiverzipcode",
    ),
    "email": ("email", "buyeremail", "ordereremail", "receiveremail", "contactemail"),
    "customs": ("personalcustomsclearancecode", "customsclearancecode", "pccc"),
    "account": ("bankaccount", "accountnumber", "bankaccountnumber", "refundaccount"),
    "ssn": ("ordererssn", "ssn", "residentnumber"),
    "text": (
        "content",
        "contents",
        "comment",
        "inquirycontent",
        "answercontent",
        "replycontent",
        "memo",
        "deliverymemo",
        "returnmemo",
        "parcelprintmessage",
        "cancelreason",
        "reasondetail",
        "question",
        "answer",
        "reply",
        "replymessage",
        "buyermessage",
        "requestmessage",
    ),
}
FIELD_KINDS: dict[str, str] = {name: kind for kind, names in _FIELDS.items() for name in names}
# `name` alone is a product or category name, except inside these objects (the person's own name).
PERSON_OBJECTS = frozenset({"receiver", "orderer", "requester", "customer", "buyer", "recipient", "returncustomer"})
# Never written, whatever the value: credentials and session material.
_SECRET_WORDS = ("authorization", "cookie", "secret", "token", "password", "signature", "api-key", "apikey")
# Named like a token, but a paging cursor: needed to replay and to judge the request.
_PAGING_TOKENS = frozenset({"nexttoken", "pagetoken", "continuationtoken", "next-token"})
SECRET_MARK = "[secret]"

PHONE_RE = re.compile(
    r"(?<![\w+-])(?:(?:\+82-?\d{1,3}|0\d{1,3})-[\d*]{3,4}-\d{4}|01[016789]\d{7,8}|050\d{8,9})(?![\w-])"
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CUSTOMS_RE = re.compile(r"(?<![A-Za-z0-9])[Pp]\d{12}(?!\d)")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = ((EMAIL_RE, "email"), (CUSTOMS_RE, "customs"), (PHONE_RE, "phone"))

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = "민서지현준우예도하윤수연은아시영재성진호유채원건태가나다라마바사"
_CITIES = ("서울특별시 가상구", "부산광역시 시험구", "경기도 예시시", "대전광역시 모의구", "인천광역시 샘플구")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _PAGING_TOKENS and any(word in lowered for word in _SECRET_WORDS)


def field_kind(key: str, parent: str | None) -> str | None:
    """What personal data a field holds, by its wire name (and its parent's, for a bare `name`)."""
    lowered = key.lower()
    if lowered == "name":
        return "name" if parent is not None and parent.lower() in PERSON_OBJECTS else None
    return FIELD_KINDS.get(lowered)


class Redactor:
    """One per recording: the salt and the value → fake table live only in this object's memory."""

    def __init__(self, salt: bytes | None = None) -> None:
        self._salt = salt or secrets.token_bytes(32)
        self._fakes: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    # public surface ---------------------------------------------------------------------------------
    def json(self, value: Any, key: str | None = None, parent: str | None = None) -> Any:
        """A redacted copy of a parsed JSON value; `key` is the field holding it."""
        kind = field_kind(key, parent) if key is not None else None
        if isinstance(value, dict):
            return {k: self.json(v, k, key) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(item, key, parent) for item in value]
        if kind is not None:
            return self.value(kind, value)
        if isinstance(value, str):
            return self.text(value)
        return value

    def value(self, kind: str, value: Any) -> Any:
        """The fake for one scalar of a known kind; numbers stay numbers of the same digits count."""
        if value is None or isinstance(value, bool) or value == "":
            return value
        if isinstance(value, int):
            fake = self.fake("digits", str(value))
            return int(fake) if fake[0] != "0" else int("9" + fake[1:])
        if isinstance(value, float):
            return value
        return self.fake(kind, str(value))

    def text(self, value: str) -> str:
        """Pattern redaction of a string no field name vouches for: phones, emails, customs codes."""
        for pattern, kind in _PATTERNS:
            value = pattern.sub(lambda match, k=kind: self.fake(k, match.group(0)), value)
        return value

    def query(self, raw_query: str) -> str:
        """The raw query with personal values replaced, every untouched byte as it was sent."""
        if not raw_query:
            return raw_query
        return "&".join(self._query_pair(pair) for pair in raw_query.split("&"))

    def path(self, raw_path: str) -> str:
        return "/".join(self._encoded(segment, self.text) for segment in raw_path.split("/"))

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Headers to record: secrets dropped, values pattern-redacted, repeated names joined."""
        kept: dict[str, str] = {}
        for name, value in headers:
            if is_secret(name):
                continue
            value = self.text(value)
            kept[name] = f"{kept[name]}, {value}" if name in kept else value
        return kept

    # fakes ------------------------------------------------------------------------------------------
    def fake(self, kind: str, original: str) -> str:
        with self._lock:
            cached = self._fakes.get((kind, original))
            if cached is None:
                cached = self._new_fake(kind, original)
                self._fakes[(kind, original)] = cached
            return cached

    def _new_fake(self, kind: str, original: str) -> str:
        maker = _MAKERS.get(kind, _fake_text)
        for attempt in range(32):
            stream = _Stream(hmac.new(self._salt, f"{kind}\0{attempt}\0{original}".encode(), hashlib.sha256).digest())
            fake = maker(original, stream)
            if original not in fake and fake not in original:
                return fake
        return maker(original, _Stream(secrets.token_bytes(32))) + "0"  # only for degenerate inputs like "0"

    def _query_pair(self, pair: str) -> str:
        name, sep, raw_value = pair.partition("=")
        key = unquote(name.replace("+", " "))
        if is_secret(key):
            return f"{name}{sep}{quote(SECRET_MARK)}" if sep else name
        kind = field_kind(key, None)
        return name + sep + self._encoded(raw_value, (lambda v: self.value(kind, v)) if kind else self.text)

    @staticmethod
    def _encoded(raw: str, redact: Callable[[str], Any]) -> str:
        decoded = unquote(raw.replace("+", " "))
        redacted = str(redact(decoded))
        return raw if redacted == decoded else quote(redacted, safe="")


class _Stream:
    """Pseudo-random choices drawn from one HMAC digest (re-hashed when used up)."""

    def __init__(self, seed: bytes) -> None:
        self._block = seed
        self._number = int.from_bytes(seed, "big")

    def below(self, n: int) -> int:
        if self._number < n * 4:
            self._block = hashlib.sha256(self._block).digest()
            self._number = int.from_bytes(self._block, "big")
        self._number, choice = divmod(self._number, n)
        return choice

    def digit(self) -> str:
        return str(self.below(10))

    def pick(self, options: str | tuple[str, ...]) -> str:
        return options[self.below(len(options))]


def _replace_digits(value: str, stream: _Stream, keep: int = 0) -> str:
    """Every digit after the first `keep` ones replaced; letters, separators and masks stay."""
    out: list[str] = []
    seen = 0
    for char in value:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= keep else stream.digit())
        else:
            out.append(char)
    return "".join(out)


def _fake_phone(value: str, stream: _Stream) -> str:
    # The operator prefix (010, 0502, 02 …) says what kind of number it is; the subscriber part goes.
    groups = re.findall(r"\d+", value)
    if len(groups) > 2:  # +82-10-…: the country code and the operator stay
        keep = len(groups[0]) + (len(groups[1]) if value.startswith("+") else 0)
    else:
        keep = 4 if value.lstrip("+").startswith("050") else 3
    return _replace_digits(value, stream, keep)


def _fake_digits(value: str, stream: _Stream) -> str:
    return _replace_digits(value, stream)


def _fake_email(value: str, stream: _Stream) -> str:
    return "user" + "".join(stream.pick(_LETTERS + "0123456789") for _ in range(10)) + "@example.com"


def _fake_name(value: str, stream: _Stream) -> str:
    if _HANGUL.search(value):
        length = max(2, min(len(value.replace(" ", "")), 4))
        return stream.pick(_SURNAMES) + "".join(stream.pick(_GIVEN) for _ in range(length - 1))
    words = value.split() or [value]
    return " ".join("".join(stream.pick(_LETTERS) for _ in range(max(2, len(word)))).capitalize() for word in words)


def _fake_address(value: str, stream: _Stream) -> str:
    number = 1 + stream.below(999)
    if not _HANGUL.search(value):
        return f"{number} Test Street"
    if re.search(r"(시|도|구|로|길)(\s|$)", value):
        return f"{stream.pick(_CITIES)} 테스트로 {number}"
    return f"{101 + stream.below(20)}동 {number}호"


def _fake_text(value: str, stream: _Stream) -> str:
    return "(redacted text " + "".join(stream.pick(_LETTERS) for _ in range(8)) + f", {len(value)} chars)"


_MAKERS: dict[str, Callable[[str, _Stream], str]] = {
    "name": _fake_name,
    "phone": _fake_phone,
    "address": _fake_address,
    "zip": _fake_digits,
    "digits": _fake_digits,
    "email": _fake_email,
    "customs": _fake_digits,
    "account": _fake_digits,
    "ssn": _fake_digits,
    "text": _fake_text,
}
