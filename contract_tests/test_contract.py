"""pytest entry of the harness: `pytest --pyargs contract_tests --coupang-base-url URL …`.

One test per operation of the spec. Without --coupang-base-url it starts an in-process mock.
Options come from the coupang-mock pytest plugin (`pytest --help`, group coupang-mock).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.runner import Runner
from contract_tests.session import in_process_mock, make_target


def _list(value: str | None) -> list[str] | None:
    return value.split(",") if value else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "operation_id" not in metafunc.fixturenames:
        return
    from mock_server import spec

    config = metafunc.config
    ops = _list(config.getoption("--coupang-operations"))
    tags = _list(config.getoption("--coupang-tags"))
    chosen = [
        op.operation_id
        for op in spec.iter_operations(spec.load())
        if (not ops or op.operation_id in ops) and (not tags or op.tag in tags)
    ]
    metafunc.parametrize("operation_id", chosen)


@pytest.fixture(scope="session")
def contract_runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    config = request.config
    seed_value = config.getoption("--coupang-seed")

    def build(url: str) -> Runner:
        target = make_target(
            url,
            config.getoption("--coupang-access-key"),
            config.getoption("--coupang-secret-key"),
            config.getoption("--coupang-vendor-id"),
            allow_writes=config.getoption("--coupang-allow-writes"),
        )
        return Runner(target, max_examples=config.getoption("--coupang-max-examples"), seed_value=seed_value)

    base_url = config.getoption("--coupang-base-url")
    if base_url:
        yield build(base_url)
        return
    with in_process_mock(seed_value) as url:
        yield build(url)


@pytest.fixture(scope="session")
def unserved(contract_runner: Runner) -> set[str]:
    return contract_runner.target.unserved_operations()


def test_operation_conforms(contract_runner: Runner, unserved: set[str], operation_id: str) -> None:
    op: Any = contract_runner.selected(operations=[operation_id])[0]
    result = contract_runner.run_operation(op, operation_id, unserved)
    if result.skipped:
        pytest.skip(result.skipped)
    assert not result.failures, "\n\n".join(
        f"[{f.check}] {f.message}\nReproduce with:\n{f.curl}" for f in result.failures
    )
