"""The `coupang-mock` command: serve, keys, coverage, contract, proxy, drift."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from .settings import Settings
from .trigger import state, trigger


@click.group()
@click.version_option(package_name="coupang-mock", prog_name="coupang-mock")
def main() -> None:
    """A local, stateful Coupang seller OpenAPI (api-gateway.coupang.com) and its contract tests."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--seed", default=None, type=int, help="Seed for ids and generated data (default 0).")
@click.option(
    "--scenario", default=None, help="Build this state first: a scenario FILE or an example name (seller-day)."
)
@click.option("--no-throttle", is_flag=True, help="Switch the 10 req/s per-vendor throttle off.")
@click.option("--no-auth-debug", is_flag=True, help="Do not show the expected string-to-sign in 401 bodies.")
@click.option("--auth-window", default=None, type=int, help="Allowed signed-date skew in seconds (default 300).")
@click.option("--vendor-id", default=None, help="Default vendor id (default A00012345).")
@click.option("--access-key", default=None, help="Default vendor's access key.")
@click.option("--secret-key", default=None, help="Default vendor's secret key.")
@click.option("--control-token", default=None, help="Allow /_mock from other hosts, with this X-Mock-Token.")
@click.option(
    "--store",
    "store_url",
    default=None,
    help="memory (default), sqlite:///path.db (survives restarts) or postgresql://user:pass@host/db (shared by workers).",
)
@click.option(
    "--hold-seconds",
    envvar="COUPANG_MOCK_LADDER_HOLD_SECONDS",
    default=300.0,
    show_default=True,
    type=float,
    help="How long a vendor over its rate limit gets 429 (Coupang: minutes to tens of minutes; 0 = off).",
)
@click.option("--quiet", is_flag=True, help="No access-log line per request.")
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Access-log format."
)
# Limits against hostile or careless clients (defaults in settings.py; COUPANG_MOCK_<NAME> works too).
@click.option("--threads", default=None, type=int, help="Worker threads (default 8).")
@click.option("--max-body-bytes", default=None, type=int, help="Larger bodies get 413 (default 10 MiB).")
@click.option("--max-json-depth", default=None, type=int, help="Deeper JSON gets 400 (default 500).")
@click.option("--max-number-length", default=None, type=int, help="Longer JSON numbers get 400 (default 1000).")
@click.option("--max-url-bytes", default=None, type=int, help="Longer path+query gets 414 (default 8192).")
@click.option("--connection-limit", default=None, type=int, help="Open connections accepted (default 1000).")
@click.option("--idle-timeout", default=None, type=int, help="Seconds an idle connection stays open (default 30).")
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Host name the control plane also answers to, besides loopback names and --host (repeatable).",
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
    scenario: str | None,
    no_throttle: bool,
    no_auth_debug: bool,
    auth_window: int | None,
    vendor_id: str | None,
    access_key: str | None,
    secret_key: str | None,
    control_token: str | None,
    store_url: str | None,
    workers: int,
    hold_seconds: float,
    quiet: bool,
    log_format: str,
    threads: int | None,
    max_body_bytes: int | None,
    max_json_depth: int | None,
    max_number_length: int | None,
    max_url_bytes: int | None,
    connection_limit: int | None,
    idle_timeout: int | None,
    allowed_hosts: tuple[str, ...],
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
        access_log="off" if quiet else log_format,
        ladder_hold_seconds=hold_seconds,
        threads=threads,
        max_body_bytes=max_body_bytes,
        max_json_depth=max_json_depth,
        max_number_length=max_number_length,
        max_url_bytes=max_url_bytes,
        connection_limit=connection_limit,
        idle_timeout_seconds=idle_timeout,
    )
    settings.allowed_hosts = (*settings.allowed_hosts, *allowed_hosts, host)
    if not quiet:
        _log_to_stderr()
    # One process builds the scenario into the store; with --workers they all start from it.
    app = create_app(settings)
    if scenario:
        _load_scenario(app.extensions["coupang_mock"], scenario)

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
            serve_workers(lambda: create_app(settings), host, port, workers, settings.threads, announce)
        else:
            serve_forever(app, host, port, settings.threads, announce)
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


def _log_to_stderr() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("coupang_mock.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


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


def _load_scenario(services: Any, name: str) -> None:
    from .scenarios import ScenarioError, read_source, run, summary_lines

    try:
        built = run(services, *read_source(name))
    except ScenarioError as err:
        raise click.ClickException(f"scenario refused: {err}") from None
    for line in summary_lines(built):
        click.echo(line)


main.add_command(trigger)
main.add_command(state)


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
@click.option("--base-url", default="http://127.0.0.1:8080", show_default=True, envvar="COUPANG_MOCK_URL")
@click.option("--vendor-id", default=None, help="One vendor (default: every vendor).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is found (for CI).")
def lint(base_url: str, vendor_id: str | None, as_json: bool, strict: bool) -> None:
    """Misuse report of a running mock: what these calls would run into in production."""
    import requests

    from .lint import text

    params = {"vendorId": vendor_id} if vendor_id else None
    try:
        response = requests.get(base_url.rstrip("/") + "/_mock/lint", params=params, timeout=30)
    except requests.ConnectionError:
        raise click.ClickException(f"cannot connect to {base_url}: is the mock running?") from None
    if response.status_code != 200:
        raise click.ClickException(f"{response.status_code}: {response.text[:200]}")
    report = response.json()
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else text(report))
    sys.exit(1 if strict and report["findings"] else 0)


@main.command()
@click.argument("method")
@click.argument("path")
@click.argument("query", default="")
@click.option("--access-key", envvar="COUPANG_ACCESS_KEY", default=None, help="Default: the mock's default key.")
@click.option("--secret-key", envvar="COUPANG_SECRET_KEY", default=None, help="Default: the mock's default key.")
def sign(method: str, path: str, query: str, access_key: str | None, secret_key: str | None) -> None:
    """Print an Authorization header for METHOD PATH [QUERY].

    QUERY is the raw, already-encoded query string without '?'. Keys: --access-key/--secret-key, else
    COUPANG_ACCESS_KEY/COUPANG_SECRET_KEY, else the mock's default vendor (said on stderr, since a header
    signed with them only works against a mock). Used by the harness's replay lines.
    """
    from coupang_mock.client.signing import sign as make_header

    defaults = Settings.from_env()
    if not (access_key and secret_key):
        click.echo(
            f"coupang-mock sign: no keys given, signing with the mock's default vendor {defaults.default_vendor_id} "
            "(set COUPANG_ACCESS_KEY and COUPANG_SECRET_KEY for another vendor or production)",
            err=True,
        )
    access = access_key or defaults.default_access_key
    secret = secret_key or defaults.default_secret_key
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
@click.option("--verbose", "-v", is_flag=True, help="Also print the transition-coverage tables.")
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
    verbose: bool,
) -> None:
    """Check a Coupang API surface (this mock, another mock, or production read-only) against specs/."""
    _require_harness()
    if client_only:
        _check_client(operations, max_examples, seed_value)
    from coupang_mock.contract.session import run_contract

    from .progress import ProgressPrinter

    printer = ProgressPrinter(click.get_text_stream("stderr"))

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
        progress=printer,
        on_target=lambda target: [printer.note(note) for note in target.notes],
    )
    printer.done()
    summary = report.to_json()["summary"]
    coverage = report.coverage_text()
    if verbose and coverage:
        click.echo(coverage)
    if report.throttle_hint:
        click.echo(report.throttle_hint)
    # failures last, where a terminal leaves them on screen
    for failure in report.failures:
        click.echo(f"FAIL {failure.operation_id} [{failure.check}] {failure.message}\n  reproduce: {failure.curl}\n")
    models = [m for m in report.stateful if not m.skipped]
    click.echo(
        f"{summary['run']} operations run, {summary['skipped']} skipped, {summary['requests']} requests, "
        f"{len(models)} stateful models run, {summary['failures']} failures"
    )
    if junit_xml:
        with open(junit_xml, "w", encoding="utf-8") as fh:
            fh.write(report.junit_xml())
    if report_file:
        with open(report_file, "w", encoding="utf-8") as fh:
            json.dump(report.to_json(), fh, ensure_ascii=False, indent=2)
    sys.exit(0 if report.ok else 1)


def _require_harness() -> None:
    """The harness needs the [harness] extra; say so instead of an ImportError traceback."""
    import importlib.util

    missing = [name for name in ("schemathesis", "hypothesis", "pytest") if importlib.util.find_spec(name) is None]
    if missing:
        raise click.ClickException(f"this command needs {', '.join(missing)}: pip install 'coupang-mock[harness]'")


def _check_client(operations: str | None, max_examples: int, seed_value: int) -> None:
    from coupang_mock.contract.client_check import check_client

    report = check_client(
        operations=operations.split(",") if operations else None, max_examples=max_examples, seed_value=seed_value
    )
    for failure in report.failures:
        click.echo(f"FAIL {failure.operation_id} [{failure.check}] {failure.message}")
    click.echo(f"client: {len(report.checked)} operations checked, {len(report.failures)} failures")
    sys.exit(0 if report.ok else 1)


# ------------------------------------------------------------------ drift from real Coupang (proxy, drift)


@main.command()
@click.option("--upstream", required=True, help="Where requests go, e.g. https://api-gateway.coupang.com.")
@click.option("--listen", default="127.0.0.1:8081", show_default=True, help="host:port to listen on.")
@click.option(
    "--record", "record_dir", type=click.Path(file_okay=False), default=None, help="Write redacted exchanges here."
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Drift report at exit (.md/.json/.xml).",
)
@click.option("--allow-writes", is_flag=True, help="Forward write operations to a non-mock upstream.")
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--timeout", default=60.0, show_default=True, type=float, help="Upstream timeout in seconds.")
def proxy(
    upstream: str,
    listen: str,
    record_dir: str | None,
    report_file: str | None,
    allow_writes: bool,
    threads: int,
    timeout: float,
) -> None:
    """Forward a client's calls to UPSTREAM unchanged; record them redacted and report drift from the spec."""
    from .proxy import build_proxy, serve

    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise click.BadParameter("expected host:port", param_hint="--listen")
    try:
        running = build_proxy(upstream, record_dir, report_file, allow_writes, threads, timeout)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--upstream") from None

    def announce(base_url: str) -> None:
        click.echo(f"coupang-mock proxy listening on {base_url} -> {upstream}")
        if record_dir:
            click.echo(f"  recording (redacted) to {record_dir}")
        sys.stdout.flush()

    serve(running, host or "127.0.0.1", int(port), threads, announce)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json", "junit"]), default="markdown", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option(
    "--against-mock", is_flag=True, help="Replay the recordings on a mock and report where its answers differ."
)
@click.option("--mock-url", default=None, help="With --against-mock: a running mock (default: a fresh in-process one).")
@click.option("--access-key", envvar="COUPANG_ACCESS_KEY", default=None)
@click.option("--secret-key", envvar="COUPANG_SECRET_KEY", default=None)
@click.option("--vendor-id", envvar="COUPANG_VENDOR_ID", default=None)
def drift(
    directory: str,
    fmt: str,
    output: str | None,
    against_mock: bool,
    mock_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    vendor_id: str | None,
) -> None:
    """What recorded exchanges in DIRECTORY did that the spec does not say (exit 1 when anything)."""
    from . import drift as drift_module

    if against_mock:
        defaults = Settings.from_env()
        target = None
        if mock_url:
            target = drift_module.MockTarget(
                mock_url,
                access_key or defaults.default_access_key,
                secret_key or defaults.default_secret_key,
                vendor_id or defaults.default_vendor_id,
            )
        report = drift_module.against_mock(directory, target)
    else:
        report = drift_module.drift_report(directory)
    text = report.render(fmt)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
