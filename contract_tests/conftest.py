"""Terminal summary of `pytest --pyargs coupang_mock.contract`: the transition-coverage report."""

from __future__ import annotations

import pytest

from coupang_mock.contract.runner import coverage_text
from coupang_mock.contract.test_contract import COVERAGE_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    collected = config.stash.get(COVERAGE_KEY, None)
    if not collected:
        return
    text = coverage_text(collected.get("transitions"), collected.get("stateful", []))
    if text:
        terminalreporter.section("coupang contract: transition coverage")
        terminalreporter.write_line(text)
