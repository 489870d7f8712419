"""Errors and envelopes: the exact JSON shapes Coupang's gateway and upstream APIs answer with."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from flask import Response

from . import jsonio

JSON_TYPE = "application/json;charset=UTF-8"
ERROR_ID_HEADER = "X-Mock-Error-Id"
log = logging.getLogger("coupang_mock")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(jsonio.dump_bytes(body), status=status, content_type=JSON_TYPE, headers=headers)


class ApiError(Exception):
    """An answer other than success, raised anywhere below the gateway and rendered once.

    `envelope` picks the body family: "application" {"code": status, "message"}, "gateway"
    {"code": "ERROR", "message", "transactionId"}, or "raw" (body given as is).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        envelope: str = "application",
        code: Any = None,
        extra: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.envelope = envelope
        self.code = code
        self.extra = extra or {}
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}

    def to_body(self) -> Any:
        if self.envelope == "raw":
            return self.body
        if self.envelope == "gateway":
            return {"code": "ERROR", "message": self.message, "transactionId": str(uuid.uuid4()), **self.extra}
        return {"code": self.code if self.code is not None else self.status, "message": self.message, **self.extra}

    def to_response(self) -> Response:
        body = self.to_body()
        if isinstance(body, str):
            return Response(
                body, status=self.status, content_type=self.content_type or "text/html", headers=self.headers
            )
        return json_response(body, self.status, self.headers)


class LocatedError(ApiError):
    """A refusal naming the line of the request body that holds the offending value (`{line}` in the
    message), like Jackson's mapping errors; the gateway fills the line in from the raw body."""

    def __init__(self, status: int, template: str, value: Any, **kwargs: Any) -> None:
        super().__init__(status, template.replace("{line}", "1"), **kwargs)
        self.template = template
        self.value = value

    def located(self, raw: bytes) -> ApiError:
        message = self.template.replace("{line}", str(line_of(raw, self.value)))
        return ApiError(self.status, message, envelope=self.envelope, code=self.code, extra=self.extra)


class MalformedJson(ApiError):
    """The body is not JSON; `line` is where the parser gave up (families may word this themselves)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(400, message)
        self.line = line


def line_of(raw: bytes, value: Any) -> int:
    """The first line of the raw JSON text where `value` (or, for a container, its first scalar or key)
    appears; 1 when it cannot be told (a compact body is one line anyway)."""
    needle = _needle(value)
    if needle is None:
        return 1
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _needle(value: Any) -> str | None:
    # A loop, not recursion: the value may be nested as deep as the body limits allow.
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    if isinstance(value, dict):
        return json.dumps(next(iter(value)), ensure_ascii=False) if value else None
    return json.dumps(value, ensure_ascii=False)


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def gateway_error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, message, envelope="gateway", extra=extra)


def bug_response(where: str) -> tuple[Response, str]:
    """A bug in the mock answers like Coupang's own crash, but is logged once with an id that is also
    in the journal and in a response header, so it can be told from a simulated 500. Call from an
    `except` block (the traceback is logged)."""
    error_id = uuid.uuid4().hex[:12]
    log.exception("coupang-mock bug %s in %s", error_id, where)
    return ApiError(500, "Internal Exception", headers={ERROR_ID_HEADER: error_id}).to_response(), error_id
