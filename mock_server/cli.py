"""The `coupang-mock` command: serve, keys, coverage, contract."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from .settings import Settings


@click.group()
def main() -> None:
    """A local, stateful Coupang seller OpenAPI (api-gateway.coupang.com) and its contract tests."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--seed", default=None, type=int, help="Seed for ids and generated data (default 0).")
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-throttle", is_flag=True, help="Switch the 10 req/s per-vendor throttle off.")
@click.option("--no-auth-debug", is_flag=True, help="Do not show the expected string-to-sign in 401 bodies.")
@click.option("--auth-window", default=None, type=int, help="Allowed signed-date skew in seconds (default 300).")
@click.option("--vendor-id", default=None, help="Default vendor id (default A00012345).")
@click.option("--access-key", default=None, help="Default vendor's access key.")
@click.option("--secret-key", default=None, help="Default vendor's secret key.")
@click.option("--control-token", default=None, help="Allow /_mock from other hosts, with this X-Mock-Token.")
@click.option(
    "--store", "store_url", default=None, help="memory (default) or sqlite:///path.db (state survives restarts)."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes (gunicorn) sharing one SQLite store; a temporary file when --store is not given.",
)
def serve(
    host: str,
    port: int,
    seed: int | None,
    threads: int,
    no_throttle: bool,
    no_auth_debug: bool,
    auth_window: int | None,
    vendor_id: str | None,
    access_key: str | None,
    secret_key: str | None,
    control_token: str | None,
    store_url: str | None,
    workers: int,
) -> None:
    """Run the mock on waitress (one process) or gunicorn (--workers N) until Ctrl-C or SIGTERM."""
    from .app import create_app
    from .server import serve_forever, serve_workers

    scratch = _worker_store(workers, store_url)
    if scratch is not None:
        store_url = f"sqlite:///{scratch / 'mock.db'}"

    settings = Settings.from_env(
        seed=seed,
        throttle_enabled=False if no_throttle else None,
        auth_debug=False if no_auth_debug else None,
        auth_window_seconds=auth_window,
        default_vendor_id=vendor_id,
        default_access_key=access_key,
        default_secret_key=secret_key,
        control_token=control_token,
        store_url=store_url,
    )

    def announce(base_url: str) -> None:
        click.echo(f"coupang-mock listening on {base_url}")
        click.echo(f"  vendorId   {settings.default_vendor_id}")
        click.echo(f"  accessKey  {settings.default_access_key}")
        click.echo(f"  secretKey  {settings.default_secret_key}")
        click.echo(f"  control    {base_url}/_mock  (docs: {base_url}/_mock/docs)")
        if workers > 1:
            click.echo(f"  workers    {workers} (store {store_url})")
        sys.stdout.flush()

    # gunicorn's workers are forks that unwind through this frame when they exit: only the process
    # that started serving may remove the shared file or say it stopped.
    owner = os.getpid()
    try:
        if workers > 1:
            serve_workers(lambda: create_app(settings), host, port, workers, threads, announce)
        else:
            serve_forever(create_app(settings), host, port, threads, announce)
    finally:
        if os.getpid() == owner:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            click.echo("coupang-mock stopped")


def _worker_store(workers: int, store_url: str | None) -> Path | None:
    """A scratch directory for the shared SQLite file of N workers when no store was named."""
    if workers == 1 or (store_url and store_url != "memory"):
        return None
    if store_url == "memory":
        raise click.UsageError(
            "the memory store lives inside one process: with --workers > 1 give --store sqlite:///path.db "
            "(or no --store for a temporary SQLite file)"
        )
    return Path(tempfile.mkdtemp(prefix="coupang-mock-"))


@main.command()
@click.option("--base-url", default=None, help="Create a new vendor on a running mock instead of printing the default.")
def keys(base_url: str | None) -> None:
    """Print the default vendor's credentials, or create a vendor on a running mock."""
    if base_url:
        import requests

        response = requests.post(base_url.rstrip("/") + "/_mock/vendors", json={}, timeout=10)
        response.raise_for_status()
        click.echo(json.dumps(response.json(), indent=2))
        return
    s = Settings.from_env()
    click.echo(
        json.dumps(
            {"vendorId": s.default_vendor_id, "accessKey": s.default_access_key, "secretKey": s.default_secret_key},
            indent=2,
        )
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def coverage(as_json: bool) -> None:
    """Which spec operations the mock serves, per tag."""
    from . import api  # noqa: F401  (registering handlers is what makes an operation served)
    from .control import coverage_report
    from .core import MockServices

    report = coverage_report(MockServices(Settings.from_env()))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    total = served = 0
    for tag, row in sorted(report.items()):
        total += row["operations"]
        served += row["served"]
        click.echo(f"{tag:12} {row['served']:3}/{row['operations']:<3} served")
        for op in row["unserved"]:
            click.echo(f"    - {op} (501)")
    click.echo(f"{'total':12} {served:3}/{total:<3} served")


@main.command()
@click.argument("method")
@click.argument("path")
@click.argument("query", default="")
def sign(method: str, path: str, query: str) -> None:
    """Print an Authorization header for METHOD PATH [QUERY] (keys from COUPANG_ACCESS_KEY/COUPANG_SECRET_KEY).

    QUERY is the raw, already-encoded query string without '?'. Used by the harness's replay lines.
    """
    import os

    from coupang_mock.client.signing import sign as make_header

    access = os.environ.get("COUPANG_ACCESS_KEY", Settings.from_env().default_access_key)
    secret = os.environ.get("COUPANG_SECRET_KEY", Settings.from_env().default_secret_key)
    click.echo(make_header(access, secret, method, path, query))


@main.command()
@click.option("--base-url", default=None, help="Target; default: an in-process mock on a free port.")
@click.option("--access-key", envvar="COUPANG_ACCESS_KEY", default=None)
@click.option("--secret-key", envvar="COUPANG_SECRET_KEY", default=None)
@click.option("--vendor-id", envvar="COUPANG_VENDOR_ID", default=None)
@click.option("--operations", default=None, help="Comma-separated operationIds.")
@click.option("--tags", default=None, help="Comma-separated tags (API groups).")
@click.option("--max-examples", default=5, show_default=True, type=int)
@click.option("--seed", "seed_value", default=0, show_default=True, type=int)
@click.option("--allow-writes", is_flag=True, help="Also run write operations against a non-mock target.")
@click.option("--rate", default=None, type=float, help="Requests per second (default 8 against non-mock targets).")
@click.option(
    "--stateful-examples",
    default=10,
    show_default=True,
    type=int,
    help="Cases per lifecycle model (0: no stateful models).",
)
@click.option(
    "--client",
    "client_only",
    is_flag=True,
    help="Check client/ instead of a server: generated inputs through every method, judged against the spec.",
)
@click.option("--junit-xml", type=click.Path(dir_okay=False), default=None)
@click.option("--report", "report_file", type=click.Path(dir_okay=False), default=None, help="JSON report file.")
def contract(
    base_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    vendor_id: str | None,
    operations: str | None,
    tags: str | None,
    max_examples: int,
    seed_value: int,
    allow_writes: bool,
    rate: float | None,
    stateful_examples: int,
    client_only: bool,
    junit_xml: str | None,
    report_file: str | None,
) -> None:
    """Check a Coupang API surface (this mock, another mock, or production read-only) against specs/."""
    if client_only:
        _check_client(operations, max_examples, seed_value)
    from coupang_mock.contract.session import run_contract

    report = run_contract(
        base_url=base_url,
        access_key=access_key,
        secret_key=secret_key,
        vendor_id=vendor_id,
        operations=operations.split(",") if operations else None,
        tags=tags.split(",") if tags else None,
        max_examples=max_examples,
        seed_value=seed_value,
        allow_writes=allow_writes,
        rate=rate,
        stateful_examples=stateful_examples,
    )
    summary = report.to_json()["summary"]
    for failure in report.failures:
        click.echo(f"FAIL {failure.operation_id} [{failure.check}] {failure.message}\n  reproduce: {failure.curl}\n")
    coverage = report.coverage_text()
    if coverage:
        click.echo(coverage)
    click.echo(
        f"{summary['run']} operations run, {summary['skipped']} skipped, {summary['requests']} requests, "
        f"{summary['failures']} failures"
    )
    if junit_xml:
        with open(junit_xml, "w", encoding="utf-8") as fh:
            fh.write(report.junit_xml())
    if report_file:
        with open(report_file, "w", encoding="utf-8") as fh:
            json.dump(report.to_json(), fh, ensure_ascii=False, indent=2)
    sys.exit(0 if report.ok else 1)


def _check_client(operations: str | None, max_examples: int, seed_value: int) -> None:
    from coupang_mock.contract.client_check import check_client

    report = check_client(
        operations=operations.split(",") if operations else None, max_examples=max_examples, seed_value=seed_value
    )
    for failure in report.failures:
        click.echo(f"FAIL {failure.operation_id} [{failure.check}] {failure.message}")
    click.echo(f"client: {len(report.checked)} operations checked, {len(report.failures)} failures")
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
