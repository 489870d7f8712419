"""Fuzz every operation of the spec with schemathesis (positive and negative data), signed like a real
client, and count what must never happen: a 5xx the operation does not document, and a traceback.

    python bench/fuzz.py --requests 30000 --seed 1 --out bench/out/fuzz.json

Without --base-url it starts the mock in this process on a free port (throttle off) and also counts
the tracebacks the mock logs. Against a running mock (`coupang-mock serve --no-throttle`) tracebacks
show as 500s carrying X-Mock-Error-Id. tests/test_fuzz_negative.py runs the same engine, small.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.signing import encode_query
from coupang_mock.server import spec as spec_module
from coupang_mock.server.errors import ERROR_ID_HEADER
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID


@dataclass
class Finding:
    operation_id: str
    mode: str
    status: int
    method: str
    path: str
    query: str
    body: Any
    answer: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "body": json.dumps(self.body, ensure_ascii=False)[:500]}


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_mode: Counter[str] = field(default_factory=Counter)
    undocumented_5xx: list[Finding] = field(default_factory=list)
    documented_5xx: Counter[str] = field(default_factory=Counter)  # "<operationId> <status>": Coupang's own 5xx
    bug_ids: list[str] = field(default_factory=list)
    tracebacks: int = 0
    generation_errors: Counter[str] = field(default_factory=Counter)
    operations: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "operations": self.operations,
            "seconds": round(self.seconds, 1),
            "byMode": dict(self.by_mode),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "fiveXX": sum(v for k, v in self.statuses.items() if k >= 500),
            "undocumented5xx": len(self.undocumented_5xx),
            "documented5xx": dict(self.documented_5xx.most_common()),
            "tracebacks": self.tracebacks,
            "bugIds": self.bug_ids[:50],
            "generationErrors": dict(self.generation_errors),
            "findings": [f.to_json() for f in self.undocumented_5xx[:50]],
        }


class _TracebackCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.count += 1


def documented_statuses(raw_operation: dict[str, Any]) -> set[str]:
    return {str(code).upper() for code in (raw_operation.get("responses") or {})}


def is_documented(status: int, documented: set[str]) -> bool:
    return str(status) in documented or f"{str(status)[0]}XX" in documented or "DEFAULT" in documented


def _pin_vendor(case: Any, vendor_id: str) -> None:
    for part in (case.path_parameters, case.query, case.body):
        if isinstance(part, dict) and "vendorId" in part:
            part["vendorId"] = vendor_id


def _headers(case: Any) -> dict[str, str]:
    """Generated header values the HTTP stack can carry (latin-1, no line breaks)."""
    out: dict[str, str] = {}
    for name, value in (case.headers or {}).items():
        text = str(value)
        if name.lower() == "authorization":
            continue
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            continue
        if "\r" not in text and "\n" not in text:
            out[name] = text
    return out


class Fuzzer:
    def __init__(self, base_url: str, seed_value: int = 0, document: dict[str, Any] | None = None) -> None:
        self.document = document if document is not None else spec_module.load_copy()
        self.schema = schemathesis.openapi.from_dict(self.document)
        self.seed = seed_value
        self.client = CoupangClient(
            DEFAULT_ACCESS_KEY,
            DEFAULT_SECRET_KEY,
            DEFAULT_VENDOR_ID,
            base_url=base_url,
            retry=RetryPolicy(max_retries=0),
            timeout=60,
        )
        self.report = FuzzReport()

    def operations(self, wanted: Iterable[str] | None = None) -> list[Any]:
        chosen = set(wanted or [])
        ops = [result.ok() for result in self.schema.get_all_operations()]
        return [op for op in ops if not chosen or op.definition.raw.get("operationId") in chosen]

    def run(self, examples: int, modes: Iterable[GenerationMode], wanted: Iterable[str] | None = None) -> FuzzReport:
        started = time.monotonic()
        ops = self.operations(wanted)
        self.report.operations = len(ops)
        for op in ops:
            for mode in modes:
                self._fuzz(op, mode, examples)
        self.report.seconds += time.monotonic() - started
        return self.report

    def _fuzz(self, op: Any, mode: GenerationMode, examples: int) -> None:
        operation_id = op.definition.raw.get("operationId", op.label)
        documented = documented_statuses(op.definition.raw)
        # Negative cases keep the generated vendorId half the time, so the binding refusal is fuzzed too.
        counter = iter(range(10**9))

        @seed(self.seed)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode))
        def exercise(case: Any) -> None:
            if mode is GenerationMode.POSITIVE or next(counter) % 2 == 0:
                _pin_vendor(case, DEFAULT_VENDOR_ID)
            self._send(case, operation_id, mode.value, documented)

        try:
            exercise()
        except Exception as exc:  # generation can give up on a schema; count it, fuzz the rest
            self.report.generation_errors[f"{operation_id}/{mode.value}: {type(exc).__name__}"] += 1

    def _send(self, case: Any, operation_id: str, mode: str, documented: set[str]) -> None:
        method = case.method.upper()
        path = case.formatted_path
        query = encode_query(list(case.query.items()) if isinstance(case.query, dict) else [])
        body = case.body if isinstance(case.body, dict | list | str | int | float | bool) else None
        try:
            response = self.client.send_raw(method, path, query, body, _headers(case))
        except requests.RequestException as exc:
            # The request could not even be sent (e.g. an unencodable URL): not the server's doing.
            self.report.generation_errors[f"{operation_id}/{mode}: {type(exc).__name__}"] += 1
            return
        self.report.requests += 1
        self.report.by_mode[mode] += 1
        self.report.statuses[response.status_code] += 1
        if ERROR_ID_HEADER in response.headers:
            self.report.bug_ids.append(response.headers[ERROR_ID_HEADER])
        if response.status_code >= 500 and not is_documented(response.status_code, documented):
            finding = Finding(operation_id, mode, response.status_code, method, path, query, body, response.text[:300])
            self.report.undocumented_5xx.append(finding)
        elif response.status_code >= 500:
            self.report.documented_5xx[f"{operation_id} {response.status_code}"] += 1


@contextmanager
def in_process_mock(seed_value: int) -> Iterator[str]:
    from coupang_mock.server.app import create_app
    from coupang_mock.server.server import start_in_thread
    from coupang_mock.server.settings import Settings

    app = create_app(Settings(seed=seed_value, throttle_enabled=False))
    running = start_in_thread(app)
    try:
        yield running.base_url
    finally:
        running.stop()


@contextmanager
def counting_tracebacks() -> Iterator[_TracebackCounter]:
    counter = _TracebackCounter()
    logger = logging.getLogger("coupang_mock")
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30000, help="Aim for about this many requests in total.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--operations", default=None, help="Comma-separated operationIds (default: all).")
    parser.add_argument("--out", default="bench/out/fuzz.json")
    args = parser.parse_args(argv)
    wanted = args.operations.split(",") if args.operations else None
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with counting_tracebacks() as tracebacks:
        if args.base_url:
            report = _run(args.base_url, args.seed, args.requests, modes, wanted, out, tracebacks)
        else:
            with in_process_mock(args.seed) as base_url:
                report = _run(base_url, args.seed, args.requests, modes, wanted, out, tracebacks)
    summary = _write(report, tracebacks, out)
    print(json.dumps({k: v for k, v in summary.items() if k != "findings"}, ensure_ascii=False))
    return 0 if not report.undocumented_5xx and not report.tracebacks and not report.bug_ids else 1


def _write(report: FuzzReport, tracebacks: _TracebackCounter, out: Path) -> dict[str, Any]:
    report.tracebacks = tracebacks.count
    summary = report.to_json()
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def _run(
    base_url: str,
    seed_value: int,
    total: int,
    modes: tuple[GenerationMode, ...],
    wanted: list[str] | None,
    out: Path,
    tracebacks: _TracebackCounter,
) -> FuzzReport:
    """Rounds of a few examples per operation and mode, with a new seed each round, until the total is
    reached (hypothesis stops early on small input spaces, so a fixed per-operation count undershoots).
    The summary is rewritten after every round, so a run cut short still reports."""
    fuzzer = Fuzzer(base_url, seed_value)
    per_round = max(1, min(10, total // (len(fuzzer.operations(wanted)) * len(modes))))
    rounds = 0
    while fuzzer.report.requests < total and rounds < 1000:
        fuzzer.seed = seed_value * 1000 + rounds
        fuzzer.run(per_round, modes, wanted)
        rounds += 1
        summary = _write(fuzzer.report, tracebacks, out)
        print(
            f"round {rounds}: {fuzzer.report.requests} requests, {summary['undocumented5xx']} undocumented 5xx, "
            f"{summary['tracebacks']} tracebacks",
            file=sys.stderr,
            flush=True,
        )
    return fuzzer.report


if __name__ == "__main__":
    sys.exit(main())
