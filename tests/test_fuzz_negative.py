"""schemathesis over every operation, positive and negative data, a few examples each with a fixed seed
(CI budget: about a minute). Fails on any 5xx the operation does not document and on any bug of the
mock (a logged traceback, a 500 carrying X-Mock-Error-Id). The big run is `python bench/fuzz.py`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from schemathesis import GenerationMode

from coupang_mock.server import spec

BENCH_FUZZ = Path(__file__).resolve().parent.parent / "bench" / "fuzz.py"


def _fuzz_module() -> ModuleType:
    loaded = sys.modules.get("coupang_mock_bench_fuzz")
    if loaded is not None:
        return loaded
    module_spec = importlib.util.spec_from_file_location("coupang_mock_bench_fuzz", BENCH_FUZZ)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module
    module_spec.loader.exec_module(module)
    return module


def test_documented_statuses_judge_5xx() -> None:
    fuzz = _fuzz_module()
    assert fuzz.is_documented(500, {"200", "500"})
    assert fuzz.is_documented(503, {"5XX"})
    assert not fuzz.is_documented(500, {"200", "400"})


def test_negative_and_positive_fuzz_finds_no_undocumented_5xx() -> None:
    fuzz = _fuzz_module()
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    with fuzz.counting_tracebacks() as tracebacks, fuzz.in_process_mock(seed_value=3) as base_url:
        report = fuzz.Fuzzer(base_url, seed_value=3).run(examples=2, modes=modes)
    operations = sum(1 for _ in spec.iter_operations(spec.load()))
    assert report.operations == operations
    assert report.by_mode["negative"] >= operations  # every operation got negative data
    findings = "\n".join(
        f"{f.status} {f.operation_id} {f.mode} {f.method} {f.path}?{f.query}" for f in report.undocumented_5xx
    )
    assert not report.undocumented_5xx, findings
    assert tracebacks.count == 0 and report.bug_ids == []
