"""Client conformance: the spec's generated inputs go through `client/`, and what it sends is judged.

No server is involved: the client talks to a capturing session. For every operation of the spec the
client must have a method (and every method an operation); for generated path/query/body values the
request it sends must hit the operation's method and path template, pass the same validation the mock
applies (spec-driven), and carry a CEA signature that verifies with the client's secret key.

`check_client(make_client=...)` takes a factory so a harness user can judge a configured or patched
client; the project's own tests also feed it a deliberately broken one to prove the checks can fail.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings

from coupang_mock.client import CoupangClient
from coupang_mock.client import _generated as generated
from coupang_mock.client.codegen import method_arguments, methods_of
from coupang_mock.client.signing import parse_authorization, signature, string_to_sign
from coupang_mock.server import spec
from coupang_mock.server.errors import ApiError
from coupang_mock.server.validation import OperationValidator

from .runner import Failure

ACCESS_KEY, SECRET_KEY, VENDOR_ID = "ak-client-check", "sk-client-check", "A00012345"
BASE_URL = "http://client-check.invalid"
# whole-product bodies are slow to generate; fewer of them keep a run short
LARGE_BODY_CHARS = 20_000

ClientFactory = Callable[[requests.Session], CoupangClient]
Arguments = list[tuple[dict[str, Any], str]]


class CapturingSession(requests.Session):
    """Records prepared requests and answers every one with an empty success envelope."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"code": 200, "message": "OK", "data": []}).encode()
        response.headers["Content-Type"] = "application/json"
        return response


def default_client(session: requests.Session) -> CoupangClient:
    return CoupangClient(ACCESS_KEY, SECRET_KEY, VENDOR_ID, base_url=BASE_URL, session=session)


@dataclass
class ClientReport:
    checked: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "$")


def _path_values(template: str, path: str) -> dict[str, list[str]] | None:
    names = re.findall(r"\{([^}]+)\}", template)
    match = _template_regex(template).match(path)
    if match is None:
        return None
    return {name: [unquote(value)] for name, value in zip(names, match.groups(), strict=True)}


def _arguments(operation: spec.Operation, arguments: Arguments, case: Any) -> dict[str, Any]:
    """The generated case as an integrator passes it: the method's keywords, raw path values, body=."""
    # schemathesis hands path values already percent-encoded; an integrator passes them raw
    values = {("path", k): unquote(v) if isinstance(v, str) else v for k, v in (case.path_parameters or {}).items()}
    values.update({("query", k): v for k, v in (case.query or {}).items()})
    declared = {(p["in"], p["name"]) for p in operation.parameters}
    kwargs = {
        arg: values[(p["in"], p["name"])]
        for p, arg in arguments
        if (p["in"], p["name"]) in values and (p["in"], p["name"]) in declared
    }
    if operation.request_schema is not None and isinstance(case.body, dict | list):
        kwargs["body"] = case.body
    return kwargs


def method_arguments_by_operation(operations: Iterable[spec.Operation]) -> dict[str, Arguments]:
    """operationId → the (parameter, keyword) pairs of the client method that reaches it."""
    return {
        op.operation_id: method_arguments(method)
        for method in methods_of(list(operations))
        for op in method.variants.values()
    }


def judge(operation: spec.Operation, sent: requests.PreparedRequest, secret_key: str) -> str | None:
    """What is wrong with one request the client sent for `operation` (None: nothing)."""
    url = urlsplit(sent.url or "")
    if sent.method != operation.method:
        return f"sent {sent.method}, the spec says {operation.method}"
    path_values = _path_values(operation.path, url.path)
    if path_values is None:
        return f"sent path {url.path} does not match {operation.path}"
    validator = OperationValidator(operation)
    try:
        validator.validate_params(validator.path, path_values)
        validator.validate_params(validator.query, parse_qs(url.query, keep_blank_values=True))
        if sent.body:
            raw = sent.body if isinstance(sent.body, bytes) else str(sent.body).encode()
            validator.parse_body(raw, "application/json")
    except ApiError as err:
        return f"the spec refuses what the client sent: {err.message}"
    parsed = parse_authorization(sent.headers.get("Authorization", ""))
    if parsed is None:
        return "no CEA Authorization header"
    expected = string_to_sign(parsed.signed_date, operation.method, url.path, url.query)
    if parsed.signature != signature(secret_key, expected):
        return f"the signature does not verify (string to sign: {expected!r})"
    return None


def _method_map_failures(operations: dict[str, spec.Operation]) -> list[Failure]:
    missing = sorted(set(operations) - set(generated.METHODS))
    extra = sorted(set(generated.METHODS) - set(operations))
    failures = [Failure(op, "client_method", "the spec has it, the client has no method", "") for op in missing]
    failures += [Failure(op, "client_method", "the client has a method, the spec no operation", "") for op in extra]
    return failures


def check_operation(
    operation: spec.Operation,
    arguments: Arguments,
    schema: Any,
    make_client: ClientFactory = default_client,
    secret_key: str = SECRET_KEY,
    max_examples: int = 3,
    seed_value: int = 0,
) -> Failure | None:
    """Generated inputs through the client's method for `operation`; the first defect found, if any."""
    family, name, options = generated.METHODS[operation.operation_id]
    st_operation = schema[operation.path][operation.method.lower()]
    examples = 1 if len(json.dumps(operation.request_schema or {})) > LARGE_BODY_CHARS else max_examples
    found: list[str] = []

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=st_operation.as_strategy())
    def run(case: Any) -> None:
        session = CapturingSession()
        call = getattr(getattr(make_client(session), family), name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                call(**_arguments(operation, arguments, case), **dict(options))
            except TypeError as err:  # the method does not take what the spec declares
                found.append(f"the method refuses the spec's parameters: {err}")
                raise AssertionError(found[-1]) from None
        problem = judge(operation, session.sent[-1], secret_key) if session.sent else "nothing was sent"
        if problem:
            found.append(problem)
            raise AssertionError(problem)

    try:
        run()
    except AssertionError:
        return Failure(operation.operation_id, "client_conformance", found[0] if found else "failed", "")
    return None


def check_client(
    make_client: ClientFactory = default_client,
    operations: Iterable[str] | None = None,
    max_examples: int = 3,
    seed_value: int = 0,
    secret_key: str = SECRET_KEY,
) -> ClientReport:
    """Every (selected) operation of the spec through the client; a report of what is wrong."""
    document = spec.load_copy()
    all_operations = {op.operation_id: op for op in spec.iter_operations(document)}
    wanted = set(operations) if operations else set(all_operations)
    schema = schemathesis.openapi.from_dict(document)
    arguments = method_arguments_by_operation(all_operations.values())
    report = ClientReport(failures=_method_map_failures(all_operations) if not operations else [])
    for operation_id in sorted(wanted & set(all_operations) & set(generated.METHODS)):
        failure = check_operation(
            all_operations[operation_id],
            arguments[operation_id],
            schema,
            make_client,
            secret_key,
            max_examples,
            seed_value,
        )
        report.checked.append(operation_id)
        if failure:
            report.failures.append(failure)
    return report
