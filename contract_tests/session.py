"""Setting up one harness run: the target (given, or an in-process mock) and its vendor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import requests

from .runner import Progress, Report, Runner
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
    """Keys given: use them. None given and the target is a mock: a fresh vendor of its own, with its
    throttle switched off (a contract run is a burst by design; the throttle has its own tests)."""
    probe = Target(base_url, access_key or "", secret_key or "", vendor_id or "", allow_writes, rate)
    unreachable = probe.reachable()
    if unreachable:
        raise SystemExit(unreachable)
    if access_key and secret_key and vendor_id:
        return probe
    if not probe.has_control_plane:
        raise SystemExit("--access-key, --secret-key and --vendor-id are needed for a target without /_mock")
    created = probe.control("POST", "/vendors", json={})
    target = Target(base_url, created["accessKey"], created["secretKey"], created["vendorId"], allow_writes, rate)
    target.notes.append(f"created vendor {target.vendor_id} on the mock for this run")
    try:
        target.control("PUT", "/throttle", json={"vendorId": target.vendor_id, "enabled": False})
        target.notes.append(f"switched the throttle off for {target.vendor_id} (PUT /_mock/throttle)")
    except requests.RequestException as exc:
        target.notes.append(f"could not switch the throttle off ({exc}); requests are not paced")
    return target


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
    progress: Progress | None = None,
    on_target: Callable[[Target], None] | None = None,
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
                progress=progress,
                on_target=on_target,
            )
    target = make_target(base_url, access_key, secret_key, vendor_id, allow_writes, rate)
    if operations or tags:
        stateful_examples = 0
    if on_target:
        on_target(target)
    runner = Runner(
        target,
        max_examples=max_examples,
        seed_value=seed_value,
        stateful_examples=stateful_examples,
        progress=progress,
    )
    return runner.run(operations, tags)
