"""The whole contract harness against the in-process mock: every operation of the spec (fixed seed,
few examples each) and every stateful reference model, zero failures. Unserved operations (501) are
skipped one by one with the reason; the transition-coverage report is checked and printed (-s)."""

from __future__ import annotations

import pytest

from coupang_mock.contract import stateful
from coupang_mock.contract.runner import Report
from coupang_mock.contract.session import run_contract
from coupang_mock.server import spec

SEED = 1
OPERATION_EXAMPLES = 2
STATEFUL_EXAMPLES = 12
UNSERVED = "not served by this mock (501)"

OPERATIONS = [op.operation_id for op in spec.iter_operations(spec.load())]
MODELS = ["OpenApiLinks", *(m.__name__ for m in stateful.MODELS)]
# edges every CI run must exercise on the mock (machine, "from --event--> to")
REQUIRED_EDGES = [
    ("shipment-box", "ACCEPT --acknowledge--> INSTRUCT"),
    ("shipment-box", "INSTRUCT --uploadInvoice--> DEPARTURE"),
    ("shipment-box", "DEPARTURE --delivered--> FINAL_DELIVERY"),
    ("shipment-box", "ACCEPT --cancelAll--> CANCELED"),
    ("product", "APPROVING --START_REVIEW--> IN_REVIEW"),
    ("product", "IN_REVIEW --APPROVE--> APPROVED"),
    ("receipt", "RETURNS_UNCHECKED --confirmReceipt--> VENDOR_WAREHOUSE_CONFIRM"),
    ("receipt", "VENDOR_WAREHOUSE_CONFIRM --approve--> RETURNS_COMPLETED"),
    ("receipt", "RETURNS_UNCHECKED --withdraw--> WITHDRAWN"),
]


@pytest.fixture(scope="module")
def report() -> Report:
    result = run_contract(
        base_url=None, max_examples=OPERATION_EXAMPLES, seed_value=SEED, stateful_examples=STATEFUL_EXAMPLES
    )
    print("\n" + result.coverage_text())
    return result


def _explain(report: Report) -> str:
    return "\n\n".join(f"{f.operation_id} [{f.check}] {f.message}\nReproduce with:\n{f.curl}" for f in report.failures)


def test_the_whole_harness_finds_no_failure(report: Report) -> None:
    assert report.ok, _explain(report)
    assert set(report.results) == set(OPERATIONS)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation(report: Report, operation_id: str) -> None:
    """One line per operation: run and clean, or skipped because the mock does not serve it."""
    result = report.results[operation_id]
    if result.skipped:
        # on a mock every write is permitted: the only acceptable reason is an unserved operation
        assert result.skipped == UNSERVED
        pytest.skip(f"{operation_id}: {result.skipped}")
    assert result.requests >= 2  # the broken-signature probe and at least one generated request
    assert not result.failures, _explain(report)


@pytest.mark.parametrize("model", MODELS)
def test_stateful_model(report: Report, model: str) -> None:
    result = next(r for r in report.stateful if r.model == model)
    if result.skipped:
        assert result.skipped.startswith("operations not served by this mock (501)"), result.skipped
        pytest.skip(f"{model}: {result.skipped}")
    assert result.failure is None, _explain(report)
    assert result.runs >= (STATEFUL_EXAMPLES if model != "OpenApiLinks" else 2)
    assert result.edges


def test_transition_coverage_report(report: Report) -> None:
    assert report.transitions is not None
    exercised = {
        (name, f"{e['from']} --{e['event']}--> {e['to']}")
        for name, row in report.transitions.items()
        for e in row["edges"]
        if e["count"] > 0
    }
    missing = [edge for edge in REQUIRED_EDGES if edge not in exercised]
    assert not missing, missing
    text = report.coverage_text()
    for name, row in report.transitions.items():
        assert f"  {name}: {row['covered']}/{row['total']} edges" in text
    for model in MODELS:
        assert f"model {model}:" in text
    assert report.to_json()["summary"]["failures"] == 0
