"""Served throughput with worker processes, against a bare WSGI app on the same server (run by hand).

    python bench/bench_workers.py [--seconds 10] [--connections 16] [--skip-granian]

Targets (issue 13): single GET >= 0.5x, list page of 50 >= 0.3x, POST create product >= 0.3x the bare
app on gunicorn sync -w2, measured in the same run. Load from wrk (apt-get install wrk) with a
signed Authorization header computed just before each run (the signature stays valid 5 minutes).
Also: RSS of each server's process tree, and the latency-fault isolation check (another vendor's
p50 while one vendor has a 2 s real-latency fault on 8 concurrent requests).
Raw JSON goes to bench/out/; the table is printed for bench/RESULTS.md ("Workers").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coupang_mock.client.signing import encode_query, sign  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY  # noqa: E402
from tests.test_products_support import outbound_body, product_body, return_body  # noqa: E402

OUT = ROOT / "bench" / "out"
VENDOR = "A00012345"
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}"
PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
KST = timezone(timedelta(hours=9))
BARE_BODY = json.dumps({"code": "200", "message": "OK", "data": {"shipmentBoxId": 123456789012345678}}).encode()


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The baseline: a WSGI app that answers every request with a small JSON body."""
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BARE_BODY)))])
    return [BARE_BODY]


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    log = open(OUT / f"server-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/_mock/clock", timeout=30)
                break
            except requests.RequestException:
                time.sleep(0.3)
        time.sleep(2)  # let every worker finish booting, not just the first
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and its children (the master and its workers)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        pids += [int(c) for c in children]
    return total / 1024


# ---------------------------------------------------------------- load


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str], body: str | None = None) -> dict[str, Any]:
    script = None
    if body is not None:
        script = OUT / "post.lua"
        script.write_text(f'wrk.method = "POST"\nwrk.body = [==[{body}]==]\n', encoding="utf-8")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    text = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": rps,
        "p50Ms": _ms(p50),
        "p99Ms": _ms(p99),
        "non2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socketErrors": errors.group(1) if errors else None,
        "raw": text,
    }


def _ms(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def signed(method: str, path: str, query: str = "") -> dict[str, str]:
    return {
        "Authorization": sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, method, path, query),
        "Content-Type": "application/json;charset=UTF-8",
    }


# ---------------------------------------------------------------- the mock's data


def prepare(base: str) -> dict[str, Any]:
    """Centers, a sellable item and 60 ACCEPT orders of the default vendor; the requests to measure."""
    session = requests.Session()

    def api(method: str, path: str, body: Any) -> Any:
        response = session.request(method, base + path, json=body, headers=signed(method, path), timeout=60)
        response.raise_for_status()
        return response.json()

    outbound = int(api("POST", f"{V5}/outboundShippingCenters", outbound_body(VENDOR))["data"]["resultMessage"])
    return_code = int(api("POST", f"{V5}/returnShippingCenters", return_body(VENDOR))["data"]["resultMessage"])
    items = session.post(
        f"{base}/_mock/vendors/{VENDOR}/catalog/items",
        json={"items": [{"itemName": "벤치 상품", "salePrice": 10000, "quantity": 100_000}]},
        timeout=60,
    ).json()["vendorItemIds"]
    boxes = []
    for _ in range(60):
        placed = session.post(
            f"{base}/_mock/vendors/{VENDOR}/orders",
            json={"items": [{"vendorItemId": items[0], "quantity": 1}]},
            timeout=60,
        ).json()
        boxes += placed["shipmentBoxIds"]
    today = datetime.now(KST).strftime("%Y-%m-%d")
    list_query = encode_query({"createdAtFrom": today, "createdAtTo": today, "status": "ACCEPT", "maxPerPage": "50"})
    listed = session.get(
        f"{base}{V5}/ordersheets?{list_query}", headers=signed("GET", f"{V5}/ordersheets", list_query), timeout=60
    ).json()
    assert len(listed["data"]) == 50, listed
    return {
        "get": (f"{V5}/ordersheets/{boxes[0]}", ""),
        "list": (f"{V5}/ordersheets", list_query),
        "post": (PRODUCTS, json.dumps(product_body(VENDOR, outbound, return_code), ensure_ascii=False)),
    }


def measure(base: str, requests_: dict[str, Any], seconds: int, connections: int) -> dict[str, Any]:
    results = {}
    for name in ("get", "list"):
        path, query = requests_[name]
        url = f"{base}{path}" + (f"?{query}" if query else "")
        results[name] = wrk(url, seconds, connections, signed("GET", path, query))
    path, body = requests_["post"]
    results["post"] = wrk(f"{base}{path}", seconds, connections, signed("POST", path), body)
    return results


# ---------------------------------------------------------------- latency isolation


def latency_isolation(python: str) -> dict[str, Any]:
    """Another vendor's p50 while vendor A has a 2 s real-latency fault on 8 concurrent requests,
    with the per-vendor bound (2 slots) and without it (slots = all 8 threads)."""
    outcome = {}
    for label, slots in (("bounded-2", "2"), ("unbounded-8", "8")):
        port = free_port()
        env = {"COUPANG_MOCK_REAL_LATENCY_SLOTS": slots, "COUPANG_MOCK_THROTTLE_ENABLED": "false"}
        command = [python, "-m", "coupang_mock.server.cli", "serve", "--port", str(port), "--threads", "8"]
        with running(command, port, env):
            base = f"http://127.0.0.1:{port}"
            other = requests.post(f"{base}/_mock/vendors", json={}, timeout=30).json()
            requests.post(
                f"{base}/_mock/faults", json={"vendorId": VENDOR, "latencyMs": 2000, "real": True}, timeout=30
            )
            outcome[label] = _other_vendor_p50(base, other)
    return outcome


def _other_vendor_p50(base: str, other: dict[str, Any]) -> dict[str, Any]:
    stop = threading.Event()
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}/ordersheets/1"

    def slow_caller() -> None:
        session = requests.Session()
        while not stop.is_set():
            session.get(base + path, headers=signed("GET", path), timeout=30)

    slow = [threading.Thread(target=slow_caller, daemon=True) for _ in range(8)]
    for thread in slow:
        thread.start()
    time.sleep(1)
    other_path = f"/v2/providers/openapi/apis/api/v5/vendors/{other['vendorId']}/ordersheets/1"
    timings = []
    session = requests.Session()
    # Paced, not back to back: a request arriving while the slow vendor holds every thread waits.
    for _ in range(60):
        started = time.perf_counter()
        headers = {"Authorization": sign(other["accessKey"], other["secretKey"], "GET", other_path, "")}
        session.get(base + other_path, headers=headers, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - started)))
    stop.set()
    for thread in slow:
        thread.join(5)
    ordered = sorted(timings)
    return {
        "p50Ms": round(statistics.median(ordered), 1),
        "p90Ms": round(ordered[int(len(ordered) * 0.9)], 1),
        "meanMs": round(statistics.fmean(ordered), 1),
        "maxMs": round(ordered[-1], 1),
    }


def journal_memory(python: str, requests_sent: int = 3000) -> dict[str, Any]:
    """RSS growth of one serve process after requests with 100 KB queries (issue 14: +109 MiB before
    the journal had a byte cap)."""
    port = free_port()
    command = [python, "-m", "coupang_mock.server.cli", "serve", "--port", str(port)]
    with running(command, port) as process:
        base = f"http://127.0.0.1:{port}"
        before = tree_rss_mib(process.pid)
        session = requests.Session()
        query = "q=" + "x" * 100_000
        for _ in range(requests_sent):
            session.get(f"{base}{V5}/ordersheets?{query}", timeout=30)
        after = tree_rss_mib(process.pid)
        held = len(requests.get(f"{base}/_mock/journal", params={"limit": 10_000}, timeout=60).content)
    return {
        "requests": requests_sent,
        "rssBeforeMiB": round(before, 1),
        "rssAfterMiB": round(after, 1),
        "journalJsonBytes": held,
    }


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-granian", action="store_true")
    parser.add_argument("--latency-only", action="store_true", help="only the latency-fault isolation check")
    parser.add_argument("--journal-only", action="store_true", help="only the journal memory check")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.latency_only:
        print(json.dumps(latency_isolation(sys.executable), indent=2))
        return
    if args.journal_only:
        print(json.dumps(journal_memory(sys.executable), indent=2))
        return
    python = sys.executable
    gunicorn = str(Path(python).with_name("gunicorn"))
    granian = shutil.which("granian", path=str(Path(python).parent))
    scratch = Path(tempfile.mkdtemp(prefix="bench-workers-"))

    def mock_env(db: Path, **extra: str) -> dict[str, str]:
        # Servers started without the CLI read their settings from the environment.
        return {"COUPANG_MOCK_THROTTLE_ENABLED": "false", "COUPANG_MOCK_STORE_URL": f"sqlite:///{db}", **extra}

    serve = [python, "-m", "coupang_mock.server.cli", "serve"]
    factory = "coupang_mock.server.app:create_app"
    servers: list[tuple[str, str, Callable[[int], list[str]], Callable[[Path], dict[str, str]]]] = [
        (
            "bare",
            "gunicorn sync -w2",
            lambda p: [
                gunicorn,
                "-w2",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{p}",
                "--chdir",
                str(ROOT / "bench"),
                "bench_workers:bare_app",
            ],
            lambda db: {},
        ),
        (
            "mock",
            "serve --workers 2 (gunicorn gthread, 8 threads)",
            lambda p: [*serve, "--workers", "2", "--port", str(p)],
            mock_env,
        ),
        (
            "mock",
            "gunicorn sync -w2",
            lambda p: [gunicorn, "-w2", "-k", "sync", "-b", f"127.0.0.1:{p}", f"{factory}()"],
            mock_env,
        ),
        (
            "mock",
            "serve (1 process, waitress, memory store)",
            lambda p: [*serve, "--port", str(p)],
            lambda db: {"COUPANG_MOCK_THROTTLE_ENABLED": "false"},
        ),
        (
            "mock",
            "serve --workers 2, throttle on (1e6/s)",
            lambda p: [*serve, "--workers", "2", "--port", str(p)],
            lambda db: mock_env(
                db,
                COUPANG_MOCK_THROTTLE_ENABLED="true",
                COUPANG_MOCK_RATE_PER_SECOND="1000000",
                COUPANG_MOCK_BURST="1000000",
            ),
        ),
    ]
    if granian and not args.skip_granian:
        granian_wsgi = [granian, "--interface", "wsgi", "--workers", "2", "--blocking-threads", "8"]
        servers += [
            (
                "bare",
                "granian wsgi -w2",
                lambda p: [
                    *granian_wsgi,
                    "--port",
                    str(p),
                    "--working-dir",
                    str(ROOT / "bench"),
                    "bench_workers:bare_app",
                ],
                lambda db: {},
            ),
            ("mock", "granian wsgi -w2", lambda p: [*granian_wsgi, "--port", str(p), "--factory", factory], mock_env),
        ]
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg": os.getloadavg(),
        "cpus": os.cpu_count(),
        "seconds": args.seconds,
        "connections": args.connections,
        "runs": [],
    }
    for index, (app, server, command, env) in enumerate(servers):
        port = free_port()
        with running(command(port), port, env(scratch / f"run{index}.db")) as process:
            base = f"http://127.0.0.1:{port}"
            if app == "bare":
                target = {"get": ("/x", ""), "list": ("/x", "a=1"), "post": ("/x", "{}")}
            else:
                target = prepare(base)
            results = measure(base, target, args.seconds, args.connections)
            rss = tree_rss_mib(process.pid)
        run = {"app": app, "server": server, "rssMiB": round(rss, 1), **results}
        report["runs"].append(run)
        print(
            f"{app:5} {server:48} " + "  ".join(f"{k} {results[k]['rps']:8.0f}/s" for k in ("get", "list", "post")),
            f"  rss {rss:.0f} MiB",
            flush=True,
        )
    report["latencyIsolation"] = latency_isolation(python)
    shutil.rmtree(scratch, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (OUT / f"workers-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))


def table(report: dict[str, Any]) -> str:
    bare = next(r for r in report["runs"] if r["app"] == "bare")
    lines = [
        f"wrk -t2 -c{report['connections']} -d{report['seconds']}s, {report['cpus']} cores, load average at start "
        f"{report['loadavg'][0]:.1f}; ratios to the bare app on gunicorn sync -w2 in the same run",
        "",
        "| app | server | GET one sheet | GET list of 50 | POST create product | RSS (tree) |",
        "|---|---|---|---|---|---|",
    ]
    for run in report["runs"]:
        cells = []
        for name in ("get", "list", "post"):
            ratio = run[name]["rps"] / bare[name]["rps"]
            extra = f", {run[name]['non2xx']} non-2xx" if run[name]["non2xx"] and run["app"] == "mock" else ""
            cells.append(f"{run[name]['rps']:.0f}/s ({ratio:.2f}×, p50 {run[name]['p50Ms']:.1f} ms{extra})")
        lines.append(f"| {run['app']} | {run['server']} | " + " | ".join(cells) + f" | {run['rssMiB']:.0f} MiB |")
    iso = report["latencyIsolation"]
    lines += [
        "",
        "Other vendor's latency while vendor A has a 2 s real-latency fault on 8 concurrent requests "
        "(1 process, 8 threads): "
        + "; ".join(
            f"{k}: p50 {v['p50Ms']} ms, p90 {v['p90Ms']} ms, mean {v['meanMs']} ms, max {v['maxMs']} ms"
            for k, v in iso.items()
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
