"""Run the spec-driven contract checks against one target and report what failed, reproducibly.

For every operation the target may be sent (see Target.writes_permitted), schemathesis generates
requests from the spec; each is signed like a real client, sent, and judged by schemathesis'
conformance checks plus Coupang's own (envelopes, messages, exact ids). One extra request per
operation carries a broken signature and must get a 401.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import checks as st_checks

from client.signing import encode_query
from mock_server import spec as spec_module

from .checks import COUPANG_CHECKS
from .target import Target

SCHEMATHESIS_CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


@dataclass
class Failure:
    operation_id: str
    check: str
    message: str
    curl: str

    def to_json(self) -> dict[str, str]:
        return {"operationId": self.operation_id, "check": self.check, "message": self.message, "curl": self.curl}


@dataclass
class OperationResult:
    operation_id: str
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Report:
    base_url: str
    seed: int
    results: dict[str, OperationResult] = field(default_factory=dict)
    transitions: dict[str, Any] | None = None

    @property
    def failures(self) -> list[Failure]:
        return [f for r in self.results.values() for f in r.failures]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "baseUrl": self.base_url,
            "seed": self.seed,
            "operations": {
                op: {"requests": r.requests, "skipped": r.skipped, "failures": [f.to_json() for f in r.failures]}
                for op, r in sorted(self.results.items())
            },
            "summary": {
                "run": sum(1 for r in self.results.values() if not r.skipped),
                "skipped": sum(1 for r in self.results.values() if r.skipped),
                "requests": sum(r.requests for r in self.results.values()),
                "failures": len(self.failures),
            },
            "transitions": self.transitions,
        }

    def junit_xml(self) -> str:
        cases = []
        for op, result in sorted(self.results.items()):
            inner = ""
            if result.skipped:
                inner = f'<skipped message="{escape(result.skipped, {chr(34): "&quot;"})}"/>'
            for failure in result.failures:
                text = escape(f"{failure.message}\n\nReproduce with:\n{failure.curl}")
                inner += f'<failure message="{escape(failure.check, {chr(34): "&quot;"})}">{text}</failure>'
            cases.append(f'<testcase classname="contract" name="{escape(op)}">{inner}</testcase>')
        failures = len(self.failures)
        skipped = sum(1 for r in self.results.values() if r.skipped)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<testsuite name="coupang-contract" tests="{len(cases)}" failures="{failures}" skipped="{skipped}">'
            + "".join(cases)
            + "</testsuite>\n"
        )


def curl_line(target: Target, method: str, path: str, query: str, body: Any) -> str:
    """A curl command that signs itself at replay time (`coupang-mock sign` reads the keys from env)."""
    url = target.base_url.rstrip("/") + path + (f"?{query}" if query else "")
    sign = f"$(coupang-mock sign {method} {shlex.quote(path)} {shlex.quote(query)})"
    parts = [
        f"COUPANG_ACCESS_KEY=... COUPANG_SECRET_KEY=... curl -sS -X {method} {shlex.quote(url)}",
        f'-H "Authorization: {sign}"',
        "-H 'Content-Type: application/json;charset=UTF-8'",
    ]
    if body is not None:
        parts.append("--data " + shlex.quote(json.dumps(body, ensure_ascii=False)))
    return " ".join(parts)


def _pin_vendor(case: Any, vendor_id: str) -> None:
    """Generated vendorIds would only ever test the vendor-mismatch refusal: pin them to the key's."""
    if case.path_parameters and "vendorId" in case.path_parameters:
        case.path_parameters["vendorId"] = vendor_id
    if isinstance(case.query, dict) and "vendorId" in case.query:
        case.query["vendorId"] = vendor_id
    if isinstance(case.body, dict) and "vendorId" in case.body:
        case.body["vendorId"] = vendor_id


def _body(case: Any) -> Any:
    return case.body if isinstance(case.body, dict | list | str | int | float | bool) else None


def _query_pairs(query: Any) -> list[tuple[str, Any]]:
    return list(query.items()) if isinstance(query, dict) else []


class Runner:
    def __init__(
        self,
        target: Target,
        *,
        max_examples: int = 5,
        seed_value: int = 0,
        stop_after: int = 3,
        document: dict[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.max_examples = max_examples
        self.seed = seed_value
        self.stop_after = stop_after
        self.document = document if document is not None else spec_module.load_copy()
        self.schema = schemathesis.openapi.from_dict(self.document)
        self.client = target.client()

    def selected(self, operations: Iterable[str] | None = None, tags: Iterable[str] | None = None) -> list[Any]:
        wanted_ops = set(operations or [])
        wanted_tags = set(tags or [])
        chosen = []
        for result in self.schema.get_all_operations():
            op = result.ok()
            raw = op.definition.raw
            if wanted_ops and raw.get("operationId") not in wanted_ops:
                continue
            if wanted_tags and not wanted_tags & set(raw.get("tags") or []):
                continue
            chosen.append(op)
        return chosen

    def run(self, operations: Iterable[str] | None = None, tags: Iterable[str] | None = None) -> Report:
        report = Report(self.target.base_url, self.seed)
        unserved = self.target.unserved_operations()
        for op in self.selected(operations, tags):
            operation_id = op.definition.raw.get("operationId", op.label)
            report.results[operation_id] = self.run_operation(op, operation_id, unserved)
        if self.target.has_control_plane:
            try:
                report.transitions = self.target.control("GET", "/transitions")
            except requests.RequestException:
                report.transitions = None
        return report

    def skip_reason(self, op: Any, operation_id: str, unserved: set[str]) -> str | None:
        if operation_id in unserved:
            return "not served by this mock (501)"
        if not self.target.is_read_only(op.method, operation_id) and not self.target.writes_permitted():
            return "write operation: read-only run (use --allow-writes)"
        return None

    def run_operation(self, op: Any, operation_id: str, unserved: set[str] | None = None) -> OperationResult:
        result = OperationResult(operation_id)
        result.skipped = self.skip_reason(op, operation_id, unserved or set())
        if result.skipped:
            return result
        if self.target.has_control_plane and not self.target.is_production:
            self.target.control("POST", "/reset", vendorId=self.target.vendor_id)
        self._check_auth_enforced(op, operation_id, result)

        @seed(self.seed)
        @settings(
            max_examples=self.max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def exercise(case: Any) -> None:
            if len(result.failures) >= self.stop_after:
                return
            self._exercise(case, operation_id, result)

        exercise()
        return result

    def _send(self, method: str, path: str, query: str, body: Any, broken_signature: bool = False) -> requests.Response:
        self.target.pace()
        headers = None
        if broken_signature:
            from client.signing import sign

            valid = sign(self.target.access_key, self.target.secret_key, method, path, query)
            headers = {"Authorization": valid[:-4] + ("0000" if not valid.endswith("0000") else "1111")}
        return self.client.send_raw(method, path, query, body, headers)

    def _exercise(self, case: Any, operation_id: str, result: OperationResult) -> None:
        _pin_vendor(case, self.target.vendor_id)
        path = case.formatted_path
        query = encode_query(_query_pairs(case.query))
        body = _body(case)
        response = self._send(case.method.upper(), path, query, body)
        result.requests += 1
        curl = curl_line(self.target, case.method.upper(), path, query, body)
        try:
            case.validate_response(response, checks=SCHEMATHESIS_CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group of check failures
            self._record(result, Failure(operation_id, "schemathesis", _first_lines(exc), curl))
        for name, check in COUPANG_CHECKS.items():
            problem = check(response, case.operation.definition.raw)
            if problem:
                self._record(result, Failure(operation_id, name, problem, curl))

    def _check_auth_enforced(self, op: Any, operation_id: str, result: OperationResult) -> None:
        """One request with a wrong signature: a faithful gateway answers 401 before anything else."""
        path = op.path.replace("{vendorId}", self.target.vendor_id)
        path = re.sub(r"\{[^}]+\}", "1", path)
        response = self._send(op.method.upper(), path, "", None, broken_signature=True)
        result.requests += 1
        if response.status_code != 401:
            curl = curl_line(self.target, op.method.upper(), path, "", None)
            self._record(
                result,
                Failure(
                    operation_id, "auth_enforced", f"a wrong signature got HTTP {response.status_code}, not 401", curl
                ),
            )

    def _record(self, result: OperationResult, failure: Failure) -> None:
        key = (failure.check, failure.message.splitlines()[0] if failure.message else "")
        if any((f.check, f.message.splitlines()[0] if f.message else "") == key for f in result.failures):
            return
        result.failures.append(failure)


def _first_lines(exc: BaseException, limit: int = 12) -> str:
    text = str(exc).strip() or type(exc).__name__
    return "\n".join(text.splitlines()[:limit])
