"""Drift reports: what real exchanges did that the spec (or the mock) does not.

`coupang-mock drift DIR` judges every recorded exchange against the spec (conformance.py) and
counts the findings per operation, with one redacted example each. `--against-mock` replays the
recordings on a mock and reports where the mock's answers have another shape than reality's.
Both render as Markdown (people), JSON (tools) and JUnit XML (CI).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr

import requests

from coupang_mock.contract.checks import message_of

from .conformance import Conformance, Finding, json_type, short

log = logging.getLogger("coupang_mock.drift")
RECORD_FORMAT = "coupang-mock-recording/1"
UNKNOWN = "(unknown operation)"


@dataclass
class Drift:
    operation_id: str
    kind: str
    where: str
    detail: str
    count: int = 0
    example: str = ""
    exchange: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "detail": self.detail,
            "count": self.count,
            "example": self.example,
            "exchange": self.exchange,
        }


@dataclass
class DriftReport:
    title: str = "Drift of real Coupang answers from the spec"
    drifts: dict[tuple[str, str, str, str], Drift] = field(default_factory=dict)
    exchanges: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    unreadable: list[str] = field(default_factory=list)

    def add(self, exchange: str, operation_id: str | None, findings: list[Finding]) -> None:
        operation = operation_id or UNKNOWN
        self.exchanges[operation] += 1
        for finding in findings:
            key = (operation, *finding.key)
            drift = self.drifts.get(key)
            if drift is None:
                drift = Drift(operation, finding.kind, finding.where, finding.detail, 0, finding.example, exchange)
                self.drifts[key] = drift
            drift.count += 1

    @property
    def ok(self) -> bool:
        return not self.drifts and not self.unreadable

    def by_operation(self) -> dict[str, list[Drift]]:
        grouped: dict[str, list[Drift]] = {op: [] for op in sorted(self.exchanges)}
        for drift in self.drifts.values():
            grouped.setdefault(drift.operation_id, []).append(drift)
        for drifts in grouped.values():
            drifts.sort(key=lambda d: (d.kind, d.where, -d.count))
        return grouped

    def summary(self) -> dict[str, int]:
        return {
            "exchanges": sum(self.exchanges.values()),
            "operations": len(self.exchanges),
            "drifts": len(self.drifts),
            "operationsWithDrift": len({d.operation_id for d in self.drifts.values()}),
            "dropped": self.dropped,
            "unreadable": len(self.unreadable),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "summary": self.summary(),
            "operations": {
                op: {"exchanges": self.exchanges[op], "drifts": [d.to_json() for d in drifts]}
                for op, drifts in self.by_operation().items()
            },
            "unreadable": self.unreadable,
        }

    def to_markdown(self) -> str:
        s = self.summary()
        lines = [
            f"# {self.title}",
            "",
            f"{s['exchanges']} exchanges, {s['operations']} operations, {s['drifts']} drifts "
            f"in {s['operationsWithDrift']} operations.",
        ]
        if self.dropped:
            lines.append(f"{self.dropped} exchanges were not analysed (the proxy's queue was full).")
        if self.unreadable:
            lines.append(f"Unreadable recordings: {', '.join(self.unreadable)}")
        if not self.drifts:
            lines += ["", "No drift: every exchange matched."]
            return "\n".join(lines) + "\n"
        for op, drifts in self.by_operation().items():
            if not drifts:
                continue
            lines += ["", f"## {op} ({self.exchanges[op]} exchanges)", ""]
            lines += ["| kind | where | what | count | example (redacted) | exchange |", "|---|---|---|---|---|---|"]
            lines += [
                f"| {d.kind} | `{_cell(d.where)}` | {_cell(d.detail)} | {d.count} | {_code(d.example)} | {d.exchange} |"
                for d in drifts
            ]
        return "\n".join(lines) + "\n"

    def to_junit(self) -> str:
        grouped = self.by_operation()
        failing = sum(1 for drifts in grouped.values() if drifts)
        cases: list[str] = []
        for op, drifts in grouped.items():
            case = f'  <testcase classname="coupang-mock.drift" name={quoteattr(op)}'
            if not drifts:
                cases.append(case + "/>")
                continue
            text = "\n".join(f"{d.kind} {d.where}: {d.detail} (x{d.count}) e.g. {d.example}" for d in drifts)
            cases.append(
                f"{case}>\n    <failure message={quoteattr(f'{len(drifts)} drifts')}>{escape(text)}</failure>\n"
                "  </testcase>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<testsuite name={quoteattr(self.title)} tests="{len(grouped)}" failures="{failing}">\n'
            + "\n".join(cases)
            + "\n</testsuite>\n"
        )

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        if fmt == "junit":
            return self.to_junit()
        return self.to_markdown()

    def write(self, path: str | Path) -> None:
        """The format follows the file's suffix: .json, .xml (JUnit), anything else Markdown."""
        target = Path(path)
        fmt = {".json": "json", ".xml": "junit"}.get(target.suffix.lower(), "markdown")
        target.write_text(self.render(fmt), encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text).replace('`', chr(39))}`" if text else ""


# ------------------------------------------------------------------------------------- recordings


def load_recordings(directory: str | Path, report: DriftReport | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, record) in recording order; an unreadable file is listed in the report, not fatal."""
    for path in sorted(Path(directory).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s: %s", path, exc)
            if report is not None:
                report.unreadable.append(path.name)
            continue
        if isinstance(record, dict) and record.get("format") == RECORD_FORMAT:
            yield path.stem, record
        elif report is not None:
            report.unreadable.append(path.name)


def drift_report(directory: str | Path, conformance: Conformance | None = None) -> DriftReport:
    judge = conformance or Conformance()
    report = DriftReport()
    for name, record in load_recordings(directory, report):
        verdict = judge.judge(record)
        report.add(name, verdict.operation_id, verdict.findings)
    return report


# ------------------------------------------------------------------------------------ against a mock


def flatten(value: Any, where: str = "", out: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every field path of a body (array positions folded) with the JSON types seen there."""
    out = {} if out is None else out
    out.setdefault(where, set()).add(json_type(value))
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{where}.{key}" if where else key, out)
    elif isinstance(value, list):
        for item in value:
            flatten(item, where + "[]", out)
    return out


def _parent(path: str) -> str:
    if path.endswith("[]"):
        return path[:-2]
    return path.rsplit(".", 1)[0] if "." in path else ""


def _comparable(path: str, other: dict[str, set[str]]) -> bool:
    """A field can be missing on one side only where that side has its object: an empty list or a
    null object is not a shape difference."""
    return not path.endswith("[]") and "object" in other.get(_parent(path), set())


def _compatible(a: set[str], b: set[str]) -> bool:
    a, b = a - {"null"}, b - {"null"}
    widen = {"integer": "number"}
    return not a or not b or bool(a & b) or bool({widen.get(t, t) for t in a} & {widen.get(t, t) for t in b})


def shape_diff(recorded: dict[str, Any], status: int, body: Any) -> list[Finding]:
    """Where the mock's answer has another shape than the recorded one (status class, envelope keys,
    field names and types, error text); only containers present on both sides are compared."""
    rec_status = int(recorded["status"])
    rec_body = recorded.get("body")
    if rec_status // 100 != status // 100:
        return [
            Finding(
                "mock-status",
                "HTTP",
                f"the mock answers {status // 100}xx where Coupang answered {rec_status // 100}xx",
                short(body),
            )
        ]
    findings: list[Finding] = []
    if rec_status >= 400:
        findings += _error_text(rec_body, body)
    if isinstance(rec_body, dict) and isinstance(body, dict):
        findings += [Finding("mock-envelope", k, "absent from the mock's answer") for k in rec_body if k not in body]
        findings += [
            Finding("mock-envelope", k, "only the mock sends it", short(body[k])) for k in body if k not in rec_body
        ]
    real, mock = flatten(rec_body), flatten(body)
    for path, types in real.items():
        if "." not in path and "[" not in path:
            continue  # the envelope, judged above
        if path not in mock:
            if _comparable(path, mock):
                findings.append(Finding("mock-missing-field", path, "Coupang sends it, the mock does not"))
        elif not _compatible(types, mock[path]):
            detail = f"mock: {'|'.join(sorted(mock[path]))}, Coupang: {'|'.join(sorted(types))}"
            findings.append(Finding("mock-type", path, detail))
    for path in mock:
        if ("." in path or "[" in path) and path not in real and _comparable(path, real):
            findings.append(Finding("mock-extra-field", path, "the mock sends it, Coupang does not"))
    return findings


def _error_text(rec_body: Any, body: Any) -> list[Finding]:
    real, mock = message_of(rec_body), message_of(body)
    if real is None:
        return []

    def fold(text: str | None) -> str:
        return re.sub(r"\d+", "#", (text or "").strip())

    if fold(real) == fold(mock):
        return []
    return [Finding("mock-error-text", "message", f"Coupang: {short(real)}", short(mock or ""))]


@dataclass
class MockTarget:
    base_url: str
    access_key: str
    secret_key: str
    vendor_id: str


@contextmanager
def _mock(target: MockTarget | None) -> Iterator[MockTarget]:
    """The given mock, or a fresh in-process one (throttle off) for the duration of the replay."""
    if target is not None:
        yield target
        return
    from .app import create_app
    from .server import start_in_thread
    from .settings import Settings

    settings = Settings.from_env(throttle_enabled=False)
    running = start_in_thread(create_app(settings), threads=2)
    try:
        yield MockTarget(
            running.base_url, settings.default_access_key, settings.default_secret_key, settings.default_vendor_id
        )
    finally:
        running.stop()


def against_mock(
    directory: str | Path, target: MockTarget | None = None, conformance: Conformance | None = None
) -> DriftReport:
    """Replay every recorded exchange (in order, as the mock's own vendor) and compare shapes."""
    from coupang_mock.client import CoupangClient, RetryPolicy

    judge = conformance or Conformance()
    report = DriftReport(title="Where the mock's answers differ from the recorded ones")
    with _mock(target) as mock:
        client = CoupangClient(
            mock.access_key, mock.secret_key, mock.vendor_id, base_url=mock.base_url, retry=RetryPolicy(max_retries=0)
        )
        for name, record in load_recordings(directory, report):
            request = record["request"]
            matched = judge.match(request["method"], request["path"])
            path, query, body = _as_vendor(request, _recorded_vendor(request, matched), mock.vendor_id)
            try:
                answer = client.send_raw(request["method"], path, query, body)
            except requests.RequestException as exc:
                report.unreadable.append(f"{name} (mock unreachable: {exc})")
                continue
            try:
                parsed = answer.json() if answer.content else None
            except ValueError:
                parsed = None
            findings = shape_diff(record["response"], answer.status_code, parsed)
            report.add(name, matched[0].operation_id if matched else None, findings)
    return report


def _recorded_vendor(request: dict[str, Any], matched: tuple[Any, dict[str, str]] | None) -> str | None:
    if matched and "vendorId" in matched[1]:
        return matched[1]["vendorId"]
    headers = {k.lower(): v for k, v in (request.get("headers") or {}).items()}
    if headers.get("x-requested-by"):
        return str(headers["x-requested-by"])
    values = parse_qs(request.get("query") or "").get("vendorId")
    return values[0] if values else None


def _as_vendor(request: dict[str, Any], recorded: str | None, own: str) -> tuple[str, str, Any]:
    """The recorded request with the recorded seller's vendorId swapped for the mock vendor's."""
    path, query, body = request["path"], request.get("query") or "", request.get("body")
    if not recorded or recorded == own:
        return path, query, body
    if body is not None:
        body = json.loads(json.dumps(body, ensure_ascii=False).replace(recorded, own))
    return path.replace(recorded, own), query.replace(recorded, own), body
