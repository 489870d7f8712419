"""pytest entry of the harness: `pytest --pyargs coupang_mock.contract --coupang-base-url URL …`.

One test per operation of the spec, one per operation through `client/` (client conformance: no
server needed), then one per stateful reference model (skipped with the reason
where the target cannot run it). Without --coupang-base-url it starts an in-process mock. Options
come from the coupang-mock pytest plugin (`pytest --help`, group coupang-mock). The transition
coverage of the run is printed in the terminal summary (contract_tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coupang_mock.contract import stateful
from coupang_mock.contract.runner import Runner, replay_line, transitions_delta
from coupang_mock.contract.session import in_process_mock, make_target

COVERAGE_KEY = pytest.StashKey[dict[str, Any]]()


def _list(value: str | None) -> list[str] | None:
    return value.split(",") if value else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "model_name" in metafunc.fixturenames:
        filtered = metafunc.config.getoption("--coupang-operations") or metafunc.config.getoption("--coupang-tags")
        names = ["OpenApiLinks", *(m.__name__ for m in stateful.MODELS)]
        metafunc.parametrize("model_name", [] if filtered else names)
    if "operation_id" not in metafunc.fixturenames and "client_operation_id" not in metafunc.fixturenames:
        return
    from coupang_mock.server import spec

    config = metafunc.config
    ops = _list(config.getoption("--coupang-operations"))
    tags = _list(config.getoption("--coupang-tags"))
    chosen = [
        op.operation_id
        for op in spec.iter_operations(spec.load())
        if (not ops or op.operation_id in ops) and (not tags or op.tag in tags)
    ]
    metafunc.parametrize("operation_id" if "operation_id" in metafunc.fixturenames else "client_operation_id", chosen)


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

    def measured(runner: Runner) -> Iterator[Runner]:
        """The session's runner; what it exercised is left in the stash for the terminal summary."""
        before = runner.transitions()
        collected: dict[str, Any] = {"stateful": []}
        config.stash[COVERAGE_KEY] = collected
        yield runner
        collected["transitions"] = transitions_delta(before, runner.transitions())

    base_url = config.getoption("--coupang-base-url")
    if base_url:
        yield from measured(build(base_url))
        return
    with in_process_mock(seed_value) as url:
        yield from measured(build(url))


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


def test_state_machine(contract_runner: Runner, request: pytest.FixtureRequest, model_name: str) -> None:
    examples = request.config.getoption("--coupang-max-examples") * 2
    if model_name == "OpenApiLinks":
        result = contract_runner.run_links(max(2, examples // 4))
    else:
        model = next(m for m in stateful.MODELS if m.__name__ == model_name)
        result = stateful.run_model(
            model, contract_runner.target, max_examples=examples, seed_value=contract_runner.seed
        )
    request.config.stash[COVERAGE_KEY]["stateful"].append(result)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.failure is None, (
        f"{result.failure}\n\nLast request:\n{replay_line(contract_runner.target, result.request)}"
    )


@pytest.fixture(scope="session")
def client_conformance() -> Any:
    """The spec's operations, the client's argument mapping and schemathesis' view, built once."""
    import schemathesis

    from coupang_mock.contract import client_check
    from coupang_mock.server import spec

    document = spec.load_copy()
    operations = {op.operation_id: op for op in spec.iter_operations(document)}
    arguments = client_check.method_arguments_by_operation(operations.values())
    return operations, arguments, schemathesis.openapi.from_dict(document)


def test_client_conforms(client_conformance: Any, request: pytest.FixtureRequest, client_operation_id: str) -> None:
    from coupang_mock.contract import client_check

    operations, arguments, schema = client_conformance
    failure = client_check.check_operation(
        operations[client_operation_id],
        arguments[client_operation_id],
        schema,
        max_examples=request.config.getoption("--coupang-max-examples"),
        seed_value=request.config.getoption("--coupang-seed"),
    )
    assert failure is None, failure.message
