"""CoupangClient: signs, sends, retries and raises; the per-operation methods build on `request`."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import requests

from .errors import CoupangError, error_for
from .signing import encode_query, sign

DEFAULT_BASE_URL = "https://api-gateway.coupang.com"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 521})
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "PATCH", "HEAD"})

QueryParams = Mapping[str, Any] | Sequence[tuple[str, Any]] | None
# on_request(method, path, query_string, body) before every attempt (retries included)
RequestHook = Callable[[str, str, str, Any], None]
# on_response(method, path, response, seconds) after every attempt, errors and 429s included
ResponseHook = Callable[[str, str, "ApiResponse", float], None]


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter: delay = min(cap, base * 2**attempt) * U(0.5, 1)."""

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A timed-out POST may have been applied (Coupang's own advice: re-read before retrying).
    retry_unsafe_on_5xx: bool = False

    def delay(self, attempt: int, rng: random.Random, retry_after: str | None = None) -> float:
        if retry_after and retry_after.isdigit():
            return min(self.max_delay, float(retry_after))
        return min(self.max_delay, self.base_delay * 2**attempt) * rng.uniform(0.5, 1.0)

    def should_retry(self, method: str, status: int, attempt: int) -> bool:
        if attempt >= self.max_retries or status not in RETRY_STATUSES:
            return False
        return status == 429 or method in IDEMPOTENT or self.retry_unsafe_on_5xx


@dataclass
class ApiResponse:
    """The parsed body plus the raw `requests.Response` for whoever needs headers or timing."""

    status: int
    body: Any
    raw: requests.Response

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) and "data" in self.body else self.body


class BaseClient:
    """Signing, sending, retrying and raising; `CoupangClient` adds one method per operation.

    The base URL is the only difference between the mock and Coupang's gateway. `on_request` /
    `on_response` are hooks for logging and metrics; `last_response` is the raw answer of the
    latest call made by this thread.
    """

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        vendor_id: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        *,
        extended_timeout_ms: int | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_response: ResponseHook | None = None,
        on_request: RequestHook | None = None,
        seed: int | None = None,
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.vendor_id = vendor_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.extended_timeout_ms = extended_timeout_ms
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self._sleep = sleep
        self._now = now
        self._rng = random.Random(seed)
        self.on_response = on_response
        self.on_request = on_request
        self._local = threading.local()

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """COUPANG_ACCESS_KEY, COUPANG_SECRET_KEY, COUPANG_VENDOR_ID and COUPANG_BASE_URL (optional)."""
        return cls(
            os.environ["COUPANG_ACCESS_KEY"],
            os.environ["COUPANG_SECRET_KEY"],
            os.environ["COUPANG_VENDOR_ID"],
            os.environ.get("COUPANG_BASE_URL", DEFAULT_BASE_URL),
            **kwargs,
        )

    @property
    def last_response(self) -> ApiResponse | None:
        return getattr(self._local, "response", None)

    @last_response.setter
    def last_response(self, response: ApiResponse | None) -> None:
        self._local.response = response

    def request(
        self,
        method: str,
        path: str,
        query: QueryParams = None,
        body: Any = None,
        *,
        raw_query: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """Send one call; raise a CoupangError subclass for any status >= 400 (after retries)."""
        method = method.upper()
        query_string = raw_query if raw_query is not None else encode_query(query or {})
        attempt = 0
        while True:
            if self.on_request:
                self.on_request(method, path, query_string, body)
            started = time.monotonic()
            response = self._send(method, path, query_string, body, headers)
            result = ApiResponse(response.status_code, _parse(response), response)
            if self.on_response:
                self.on_response(method, path, result, time.monotonic() - started)
            if not self.retry.should_retry(method, response.status_code, attempt):
                break
            self._sleep(self.retry.delay(attempt, self._rng, response.headers.get("Retry-After")))
            attempt += 1
        self.last_response = result
        if response.status_code >= 400:
            raise _error(result)
        return result

    def send_raw(
        self, method: str, path: str, query_string: str = "", body: Any = None, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        """One signed attempt, no retries, no exceptions: for harnesses that judge the answer themselves."""
        return self._send(method.upper(), path, query_string, body, headers)

    def _send(
        self, method: str, path: str, query_string: str, body: Any, headers: Mapping[str, str] | None
    ) -> requests.Response:
        # Signed per attempt: the signed-date is part of the signature and expires.
        all_headers = {
            "Authorization": sign(self.access_key, self.secret_key, method, path, query_string, self._now()),
            "X-Requested-By": self.vendor_id,
            "Content-Type": "application/json;charset=UTF-8",
        }
        if self.extended_timeout_ms:
            all_headers["X-EXTENDED-TIMEOUT"] = str(self.extended_timeout_ms)
        all_headers.update(headers or {})
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        prepared = self.session.prepare_request(
            requests.Request(method, self.base_url + path, headers=all_headers, data=data)
        )
        # Set the URL last so requests cannot re-quote the query after it was signed.
        prepared.url = self.base_url + path + (f"?{query_string}" if query_string else "")
        return self.session.send(prepared, timeout=self.timeout)


def _parse(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _error(result: ApiResponse) -> CoupangError:
    body = result.body
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message", "") if isinstance(body, dict) else str(body or "")[:500]
    return error_for(result.status)(result.status, code, message, result.raw, body)
