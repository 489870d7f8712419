"""Errors and envelopes: the exact JSON shapes Coupang's gateway and upstream APIs answer with."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response

JSON_TYPE = "application/json;charset=UTF-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, content_type=JSON_TYPE, headers=headers)


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


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def gateway_error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, message, envelope="gateway", extra=extra)
