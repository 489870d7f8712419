"""Acting on one vendor in process, through the same paths a request takes.

A scenario builds state with the seller's own API operations (spec validation, then the operation's
handler inside the vendor's store transaction, tickers first, exactly like the gateway's dispatch)
and with the control routes that play the buyer, the courier, Coupang's reviewer and CS. Signing,
throttling, fault injection and the journal are left out on purpose: they guard the HTTP edge, and a
scenario must neither be slowed to 10 req/s nor fail because a test armed a fault.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from .core import MockServices, run_tickers
from .errors import ApiError
from .registry import CONTROL_ROUTES, HANDLERS, Reply, RequestContext

JSON = "application/json"


class Actor:
    """One vendor's seller API and control plane, called as functions; errors raise `ApiError`."""

    def __init__(self, services: MockServices, vendor_id: str) -> None:
        self.services = services
        self.vendor_id = vendor_id

    def api(
        self,
        operation_id: str,
        path: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Call a seller operation; answers its body, raises ApiError for a refusal (status >= 400)."""
        s = self.services
        operation = s.operations[operation_id]
        handler = HANDLERS[operation.handler_id]
        validator = s.validators[operation_id]
        raw_path = {"vendorId": self.vendor_id, **(path or {})}
        path_values = validator.validate_params(
            validator.path, {k: [str(v)] for k, v in raw_path.items() if k in validator.path.params}
        )
        query_values = validator.validate_params(validator.query, {k: [str(v)] for k, v in (query or {}).items()})
        raw_body = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        parsed = (
            validator.parse_body(raw_body, JSON) if operation.method in {"POST", "PUT", "PATCH", "DELETE"} else None
        )
        with s.store.transaction(self.vendor_id) as tx:
            now = s.clock.now(self.vendor_id)
            run_tickers(tx, now, s)
            ctx = RequestContext(s, operation, self.vendor_id, path_values, query_values, parsed, tx, now, {})
            result = handler(ctx)
        reply = result if isinstance(result, Reply) else Reply(result)
        if reply.status >= 400:
            message = reply.body.get("message") if isinstance(reply.body, dict) else reply.body
            raise ApiError(reply.status, str(message))
        return reply.body

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call this vendor's control route at path (under /_mock/vendors/{vendorId}); answers its body."""
        full = f"/vendors/{self.vendor_id}{path}"
        for route in CONTROL_ROUTES:
            found = _rule_pattern(route.rule).fullmatch(full)
            if found and method in route.methods:
                result = route.func(self.services, body or {}, **found.groupdict())
                return result[0] if isinstance(result, tuple) else result
        raise KeyError(f"no control route {method} {full}")

    def read(self, reader: Any) -> Any:
        """Run `reader(tx)` in the vendor's transaction (timed behaviour caught up first)."""
        s = self.services
        with s.store.transaction(self.vendor_id) as tx:
            run_tickers(tx, s.clock.now(self.vendor_id), s)
            return reader(tx)


@functools.cache
def _rule_pattern(rule: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"<([^>]+)>", r"(?P<\1>[^/]+)", rule))


def bulk_failure(answer: Any) -> str | None:
    """The message of the first failed line of a bulk answer (HTTP 200 even when lines failed)."""
    data = answer.get("data") if isinstance(answer, dict) else None
    lines = data.get("responseList") if isinstance(data, dict) else data
    if isinstance(data, dict) and data.get("resultCode") == "FAIL":
        return str(data.get("resultMessage"))
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict) and line.get("succeed") is False:
            return str(line.get("resultMessage") or line.get("resultCode") or "failed")
    return None
