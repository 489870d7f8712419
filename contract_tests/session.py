"""Setting up one harness run: the target (given, or an in-process mock) and its vendor."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .runner import Report, Runner
from .target import Target


@contextmanager
def in_process_mock(seed: int = 0) -> Iterator[str]:
    """A mock on a free loopback port for the duration of the block (throttle off)."""
    from coupang_mock.server.app import create_app
    from coupang_mock.server.server import start_in_thread
    from coupang_mock.server.settings import Settings

    running = start_in_thread(create_app(Settings.from_env(seed=seed, throttle_enabled=False)))
    try:
        yield running.base_url
    finally:
        running.stop()


def make_target(
    base_url: str,
    access_key: str | None,
    secret_key: str | None,
    vendor_id: str | None,
    allow_writes: bool = False,
    rate: float | None = None,
) -> Target:
    """Keys given: use them. None given and the target is a mock: a fresh vendor of its own."""
    if access_key and secret_key and vendor_id:
        return Target(base_url, access_key, secret_key, vendor_id, allow_writes, rate)
    probe = Target(base_url, "", "", "", allow_writes, rate)
    if not probe.has_control_plane:
        raise SystemExit("--access-key, --secret-key and --vendor-id are needed for a target without /_mock")
    created = probe.control("POST", "/vendors", json={})
    return Target(base_url, created["accessKey"], created["secretKey"], created["vendorId"], allow_writes, rate)


def run_contract(
    *,
    base_url: str | None,
    access_key: str | None = None,
    secret_key: str | None = None,
    vendor_id: str | None = None,
    operations: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    max_examples: int = 5,
    seed_value: int = 0,
    allow_writes: bool = False,
    rate: float | None = None,
    stateful_examples: int = 10,
) -> Report:
    """Every selected operation, then the stateful reference models with stateful_examples cases each
    (0: none). The models run on whole runs only (no --operations/--tags filter), and only where the
    target permits them (a mock with /_mock; skipped with the reason elsewhere)."""
    if base_url is None:
        with in_process_mock(seed_value) as url:
            return run_contract(
                base_url=url,
                operations=operations,
                tags=tags,
                max_examples=max_examples,
                seed_value=seed_value,
                allow_writes=allow_writes,
                rate=rate,
                stateful_examples=stateful_examples,
            )
    target = make_target(base_url, access_key, secret_key, vendor_id, allow_writes, rate)
    if operations or tags:
        stateful_examples = 0
    runner = Runner(target, max_examples=max_examples, seed_value=seed_value, stateful_examples=stateful_examples)
    return runner.run(operations, tags)
