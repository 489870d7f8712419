"""One access-log line per request: time, vendor, operationId, status, latency, auth verdict.

A WSGI middleware around the Flask app; the gateway leaves its journal entry in the WSGI environ, so the
line names the operation and the auth verdict without a second routing step.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

ENTRY_KEY = "coupang_mock.entry"
log = logging.getLogger("coupang_mock.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class AccessLog:
    def __init__(self, app: WsgiApp, fmt: str = "text", emit: Callable[[str], None] | None = None) -> None:
        if fmt not in {"text", "json"}:
            raise ValueError("log format must be text or json")
        self._app = app
        self._fmt = fmt
        self._emit = emit or log.info

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: Any, *exc: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *exc)

        result = self._app(environ, capture)
        self._emit(self.line(environ, status[0] if status else "500", (time.perf_counter() - started) * 1000))
        return result

    def line(self, environ: dict[str, Any], status: str, latency_ms: float) -> str:
        entry = environ.get(ENTRY_KEY) or {}
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "status": int(status.split(" ", 1)[0]),
            "latencyMs": round(latency_ms, 2),
            "vendorId": entry.get("vendorId"),
            "operationId": entry.get("operationId"),
            "auth": entry.get("auth"),
        }
        if self._fmt == "json":
            return json.dumps(record, ensure_ascii=False)
        return (
            f"{record['time']} {record['status']} {record['method']} {record['path']} "
            f"op={record['operationId'] or '-'} vendor={record['vendorId'] or '-'} "
            f"auth={record['auth'] or '-'} {record['latencyMs']:.1f}ms"
        )
