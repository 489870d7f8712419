"""Served throughput against a bare WSGI app and Prism, at 1k / 10k / 100k stored orders and products
(issue 13). One command, run by hand (never by the test suite):

    python bench/bench_compare.py [--sizes 1000,10000,100000] [--duration 10] [--skip-prism] [--skip-memory]

What it does, in one run so every ratio compares numbers measured minutes apart on the same machine:
- installs what it needs outside the package: wrk (apt-get, as root), gunicorn (pip), Prism
  (`npm install --prefix bench/out/node @stoplight/prism-cli`); a tool that cannot be installed, or a
  Prism that cannot load the spec, is reported as missing with the reason, and the rest still runs;
- bare WSGI: the Workers bench's function answering a fixed small JSON (bench_workers.bare_app) on
  `gunicorn -k sync -w2`;
- Prism: `prism mock` on the mock's bundled Coupang document (bench/out/openapi.json, no control plane);
- per size N: a fresh SQLite file seeded with N approved products and N one-box ACCEPT orders of the
  default vendor through the domain functions (no HTTP), then
  `coupang-mock serve --workers 2 --store sqlite:///… --no-throttle --quiet`, and, for reference, one
  waitress process on the memory store holding the same state (a snapshot restored);
- three workloads, `wrk -t2 -c32 -d<duration>` each (after a 1 s warm-up): GET one order sheet (256
  boxes spread over the seeded ones, each path signed once per run: the signature covers the path and
  stays valid ±5 min), GET the ACCEPT list, first page of 50 over a 20-day window, POST create product
  (a valid body, the name varied per request by the Lua script). Every server gets the same scripts.
Reports req/s, ratio to bare and to Prism, the cost at N over the cost at the smallest size, and the RSS
of each coupang-mock process tree after its run. Raw JSON: bench/out/compare.json; the markdown table is
printed for bench/RESULTS.md ("Served comparison (issue 13)").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from bench_workers import _ms, free_port, tree_rss_mib  # noqa: E402  (the Workers bench's helpers)

OUT = BENCH / "out"
NODE = OUT / "node"
VENDOR = "A00012345"  # the default vendor (settings.DEFAULT_VENDOR_ID), signed with the default keys
V5 = f"/v2/providers/openapi/apis/api/v5/vendors/{VENDOR}"
PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
KST = timezone(timedelta(hours=9))
SPREAD_DAYS = 20
BATCH = 2000
GET_TARGETS = 256
NAME_SLOT = "__N__"
SIGNATURE_SECONDS = 240  # signed once per wrk run; the mock accepts 300 s of skew
WORKLOADS = ("get", "list", "post")
TITLES = {"get": "GET one order sheet", "list": "GET list of 50", "post": "POST create product"}
# issue 13's floors, as ratios to bare WSGI on the same workload, and the ceiling of cost growth
TARGETS = {"get": 0.5, "list": 0.3, "post": 0.3}
COST_GROWTH_MAX = 1.5


# ---------------------------------------------------------------- tools, installed outside the package


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing and this is not root: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def ensure_gunicorn() -> str:
    found = Path(sys.executable).with_name("gunicorn")
    if not found.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "gunicorn"], check=True)
    return str(found)


def ensure_prism() -> tuple[str | None, str]:
    """The prism binary, or None and why not."""
    prism = NODE / "node_modules" / ".bin" / "prism"
    if prism.exists():
        return str(prism), "installed"
    if not shutil.which("npm"):
        return None, "npm is not installed (Node.js is needed for Prism)"
    NODE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--prefix", str(NODE), "@stoplight/prism-cli"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not prism.exists():
        return None, f"npm install @stoplight/prism-cli failed: {(done.stderr or done.stdout).strip()[-400:]}"
    return str(prism), "installed now"


# ---------------------------------------------------------------- the mock's state (subprocesses)


def seed(db: Path, size: int) -> dict[str, Any]:
    """`size` approved products and `size` one-box ACCEPT orders of the default vendor, written through
    the domain functions in large transactions (the approach of bench_scale_products/orders)."""
    from bench_scale_products import _copy

    from coupang_mock.server.app import create_app
    from coupang_mock.server.core import MockServices
    from coupang_mock.server.domains import order_placing, products
    from coupang_mock.server.settings import Settings
    from coupang_mock.server.store import open_store

    services = MockServices(Settings(throttle_enabled=False), store=open_store(f"sqlite:///{db}"))
    http = create_app(services=services).test_client()

    def control(path: str, body: Any) -> Any:
        answer = http.post(f"/_mock/vendors/{VENDOR}{path}", json=body)
        assert answer.status_code < 300, (path, answer.status_code, answer.get_json())
        return answer.get_json()

    began = time.perf_counter()
    quick = control("/catalog/quick-product", {})
    for first in range(0, size - 1, BATCH):
        with services.store.transaction(VENDOR) as tx:
            template = products.get(tx, quick["sellerProductId"])
            for n in range(first, min(first + BATCH, size - 1)):
                _copy(tx, services, template, n)
    products_seconds = time.perf_counter() - began

    began = time.perf_counter()
    item_request = [{"itemName": f"벤치 상품 {i}", "salePrice": 12900, "quantity": 10**7} for i in range(5)]
    items = control("/catalog/items", {"items": item_request})["vendorItemIds"]
    now = services.clock.now(VENDOR)
    start = now - timedelta(days=SPREAD_DAYS)
    step = (timedelta(days=SPREAD_DAYS) - timedelta(minutes=1)) / size
    boxes: list[int] = []
    for first in range(0, size, BATCH):
        with services.store.transaction(VENDOR) as tx:

            def new_id(kind: str, digits: int, tx: Any = tx) -> int:
                return services.ids.next(tx, kind, digits)

            for n in range(first, min(first + BATCH, size)):
                request = {
                    "items": [{"vendorItemId": items[n % len(items)], "quantity": 1}],
                    "paidAt": (start + step * n).isoformat(),
                }
                boxes += order_placing.place_order(tx, now, new_id, services.settings.seed, request)["shipmentBoxIds"]
    orders_seconds = time.perf_counter() - began
    services.store.analyze()  # type: ignore[attr-defined]  # planner statistics, as after a load
    return {
        "size": size,
        "seedSeconds": {"products": round(products_seconds, 1), "orders": round(orders_seconds, 1)},
        "boxIds": boxes[:: max(1, len(boxes) // GET_TARGETS)][:GET_TARGETS],
        "listQuery": {
            "createdAtFrom": start.astimezone(KST).date().isoformat(),
            "createdAtTo": now.astimezone(KST).date().isoformat(),
            "status": "ACCEPT",
            "maxPerPage": "50",
        },
        "productBody": product_body(quick),
        "dbMiB": round(db.stat().st_size / 2**20, 1),
    }


def product_body(quick: dict[str, Any]) -> dict[str, Any]:
    """A valid createSellerProduct body on the quick product's centers, its name a slot for the script."""
    from coupang_mock.server.api import products as products_api

    body = products_api.quick_body(
        VENDOR, quick["outboundShippingPlaceCode"], int(quick["returnCenterCode"]), [{"itemName": "벤치 옵션"}], {}
    )
    address = products_api.quick_return_body(VENDOR)["placeAddresses"][0]
    body.update(  # the HTTP schema asks for the return address the quick route lets the domain fill in
        returnChargeName="쿠팡목 기본 반품지",
        **{name: address[name] for name in ("companyContactNumber", "returnZipCode", "returnAddress")},
        returnAddressDetail=address["returnAddressDetail"],
        sellerProductName=f"측정 상품 {NAME_SLOT}",
    )
    return body


def serve_memory(db: Path, port: int) -> None:
    """`coupang-mock serve` as it runs by default (one waitress process, 8 threads, memory store), holding
    the seeded vendor's state: a snapshot of the SQLite file restored (ids continue past the seeded ones)."""
    from coupang_mock.server import snapshots
    from coupang_mock.server.app import create_app
    from coupang_mock.server.core import MockServices
    from coupang_mock.server.server import serve_forever
    from coupang_mock.server.settings import Settings
    from coupang_mock.server.store import open_store

    settings = Settings(throttle_enabled=False)
    source = MockServices(settings, store=open_store(f"sqlite:///{db}"))
    snapshot = snapshots.export(source, VENDOR)
    source.close()
    services = MockServices(settings)
    snapshots.restore(services, VENDOR, snapshot)
    del snapshot, source
    _trim_heap()
    serve_forever(create_app(services=services), "127.0.0.1", port, 8, lambda url: print("ready", url, flush=True))


def _trim_heap() -> None:
    """Return the restore's freed heap to the system, so the RSS measured after the run is the state's."""
    import ctypes
    import gc

    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# ---------------------------------------------------------------- servers


@contextmanager
def serving(name: str, command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[Any]:
    """Start a server in its own process group, wait until it answers HTTP, stop the whole group after."""
    import requests

    log_path = OUT / f"compare-{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}): {log_path.read_text()[-800:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer within 300 s: {log_path.read_text()[-800:]}")
            try:
                requests.get(f"http://127.0.0.1:{port}/_mock/health", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.3)
        time.sleep(1.5)  # every worker booted, not just the first one to answer
        yield process
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---------------------------------------------------------------- load


def sign(method: str, path: str, query: str = "") -> str:
    from coupang_mock.client.signing import sign as cea_sign
    from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

    return cea_sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, method, path, query)


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def scripts(meta: dict[str, Any]) -> dict[str, str]:
    """One wrk Lua script per workload, signed now (the signed-date is valid for ±5 minutes)."""
    from coupang_mock.client.signing import encode_query

    content = 'wrk.headers["Content-Type"] = "application/json;charset=UTF-8"\n'
    targets = [f"{V5}/ordersheets/{box}" for box in meta["boxIds"]]
    pairs = ",\n".join(f"{{{lua_string(p)}, {lua_string(sign('GET', p))}}}" for p in targets)
    get = (
        content
        + f"local targets = {{\n{pairs}\n}}\nlocal n = 0\n"
        + "function request()\n  n = n + 1\n  local t = targets[n % #targets + 1]\n"
        + '  wrk.headers["Authorization"] = t[2]\n  return wrk.format("GET", t[1])\nend\n'
    )
    query = encode_query(meta["listQuery"])
    path = f"{V5}/ordersheets"
    listing = (
        content
        + f'wrk.headers["Authorization"] = {lua_string(sign("GET", path, query))}\n'
        + f'wrk.method = "GET"\nwrk.path = {lua_string(path + "?" + query)}\n'
    )
    body = json.dumps(meta["productBody"], ensure_ascii=False)
    head, tail = body.split(NAME_SLOT)
    post = (
        content
        + f'wrk.headers["Authorization"] = {lua_string(sign("POST", PRODUCTS))}\n'
        + "local count = 0\nlocal threads = 0\n"
        + 'function setup(thread)\n  threads = threads + 1\n  thread:set("id", threads)\nend\n'
        + "function request()\n  count = count + 1\n"
        + f"  local body = {lua_string(head)} .. id .. '-' .. count .. {lua_string(tail)}\n"
        + f'  return wrk.format("POST", {lua_string(PRODUCTS)}, nil, body)\nend\n'
    )
    return {"get": get, "list": listing, "post": post}


def wrk(base: str, script: str, seconds: float, connections: int, threads: int) -> dict[str, Any]:
    path = OUT / "compare-workload.lua"
    path.write_text(script, encoding="utf-8")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    text = subprocess.run([*command, "-s", str(path), base], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": float(found.group(1)) if found else 0.0,
        "p50Ms": _ms(re.search(r"50%\s+([\d.]+)(us|ms|s)\b", text)),
        "p99Ms": _ms(re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)),
        "non2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socketErrors": errors.group(1) if errors else None,
        "raw": text,
    }


def probe(base: str, meta: dict[str, Any]) -> dict[str, Any]:
    """One request of each workload before the load: what each server really answers."""
    import requests

    from coupang_mock.client.signing import encode_query

    box_path = f"{V5}/ordersheets/{meta['boxIds'][0]}"
    query = encode_query(meta["listQuery"])
    body = json.dumps(meta["productBody"], ensure_ascii=False).replace(NAME_SLOT, "probe").encode()
    headers = {"Content-Type": "application/json;charset=UTF-8"}
    answers = {
        "get": requests.get(base + box_path, headers={**headers, "Authorization": sign("GET", box_path)}, timeout=60),
        "list": requests.get(
            f"{base}{V5}/ordersheets?{query}",
            headers={**headers, "Authorization": sign("GET", f"{V5}/ordersheets", query)},
            timeout=60,
        ),
        "post": requests.post(
            base + PRODUCTS, data=body, headers={**headers, "Authorization": sign("POST", PRODUCTS)}, timeout=60
        ),
    }
    seen = {}
    for name, answer in answers.items():
        seen[name] = {"status": answer.status_code, "bytes": len(answer.content), "head": answer.text[:240]}
        with suppress(ValueError, AttributeError):
            data = answer.json().get("data")
            if isinstance(data, list):
                seen[name]["rows"] = len(data)
    return seen


def measure(
    base: str, meta: dict[str, Any], args: argparse.Namespace, only: tuple[str, ...] = WORKLOADS
) -> dict[str, Any]:
    results: dict[str, Any] = {"probe": probe(base, meta)}
    for name, script in scripts(meta).items():
        if name not in only:
            continue
        wrk(base, script, args.warmup, min(8, args.connections), args.threads)
        results[name] = wrk(base, script, args.duration, args.connections, args.threads)
        print(f"    {name:4} {results[name]['rps']:9.1f}/s  non-2xx {results[name]['non2xx']}", flush=True)
    return results


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per workload")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of wrk before each measured run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--skip-prism", action="store_true")
    parser.add_argument("--skip-memory", action="store_true", help="no 1-process memory-store reference")
    sub = parser.add_subparsers(dest="internal")
    seed_cmd = sub.add_parser("_seed")
    seed_cmd.add_argument("--db", type=Path, required=True)
    seed_cmd.add_argument("--size", type=int, required=True)
    seed_cmd.add_argument("--meta", type=Path, required=True)
    memory_cmd = sub.add_parser("_serve-memory")
    memory_cmd.add_argument("--db", type=Path, required=True)
    memory_cmd.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.internal == "_seed":
        args.meta.write_text(json.dumps(seed(args.db, args.size), ensure_ascii=False), encoding="utf-8")
    elif args.internal == "_serve-memory":
        serve_memory(args.db, args.port)
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    if args.duration + args.warmup > SIGNATURE_SECONDS:
        sys.exit(f"--duration: each run's signatures are valid {SIGNATURE_SECONDS} s (the mock's ±5 min window)")
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    gunicorn = ensure_gunicorn()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavgStart": os.getloadavg(),
        "duration": args.duration,
        "connections": args.connections,
        "wrkThreads": args.threads,
        "sizes": [int(s) for s in args.sizes.split(",")],
        "servers": {},
        "seeds": {},
    }
    began = time.monotonic()
    metas = {size: seeded(size) for size in report["sizes"]}
    report["seeds"] = {
        str(size): {k: v for k, v in meta.items() if k not in ("boxIds", "productBody")} for size, meta in metas.items()
    }
    smallest = metas[report["sizes"][0]]
    port = free_port()
    bare = [gunicorn, "-k", "sync", "-w2", "-b", f"127.0.0.1:{port}", "--chdir", str(BENCH), "bench_workers:bare_app"]
    report["servers"]["bare"] = run_server("bare", bare, port, smallest, args, label="bare WSGI (gunicorn sync -w2)")
    if "failed" in report["servers"]["bare"]:
        sys.exit(f"the bare WSGI baseline failed, no ratio can be given: {report['servers']['bare']['failed']}")
    if not args.skip_prism:
        report["servers"]["prism"] = run_prism(smallest, args)
    for size in report["sizes"]:
        db = OUT / f"compare-{size}.db"
        port = free_port()
        command = [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--workers", "2"]
        command += ["--store", f"sqlite:///{db}", "--no-throttle", "--quiet", "--port", str(port)]
        key = "mock-workers"
        label = "coupang-mock serve --workers 2 (SQLite)"
        report["servers"].setdefault(key, {"label": label, "bySize": {}})["bySize"][str(size)] = run_server(
            f"{key}-{size}", command, port, metas[size], args, label=label
        )
        if not args.skip_memory:
            key, label = "mock-memory", "coupang-mock serve, 1 process (memory store)"
            port = free_port()
            command = [sys.executable, str(BENCH / "bench_compare.py"), "_serve-memory", "--db", str(db)]
            report["servers"].setdefault(key, {"label": label, "bySize": {}})["bySize"][str(size)] = run_server(
                f"{key}-{size}", [*command, "--port", str(port)], port, metas[size], args, label=label
            )
    report["loadavgEnd"] = os.getloadavg()
    report["seconds"] = round(time.monotonic() - began)
    (OUT / "compare.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(report))


def seeded(size: int) -> dict[str, Any]:
    db, meta = OUT / f"compare-{size}.db", OUT / f"compare-{size}.meta.json"
    for stale in OUT.glob(f"compare-{size}.db*"):
        stale.unlink()
    print(f"seeding {size:,} orders and {size:,} products …", flush=True)
    began = time.monotonic()
    command = [sys.executable, str(BENCH / "bench_compare.py"), "_seed", "--db", str(db), "--size", str(size)]
    subprocess.run([*command, "--meta", str(meta)], check=True)
    found = json.loads(meta.read_text(encoding="utf-8"))
    found["seedWallSeconds"] = round(time.monotonic() - began, 1)
    print(f"  seeded in {found['seedWallSeconds']} s ({found['seedSeconds']}), {found['dbMiB']} MiB", flush=True)
    return found


def run_server(
    name: str, command: list[str], port: int, meta: dict[str, Any], args: argparse.Namespace, *, label: str
) -> dict[str, Any]:
    """One server's workloads; a server that fails is reported as failed and the run goes on."""
    print(f"{name}: {' '.join(command[:6])} …", flush=True)
    started = time.monotonic()
    try:
        with serving(name, command, port) as process:
            ready = round(time.monotonic() - started, 1)
            results = measure(f"http://127.0.0.1:{port}", meta, args)
            rss = tree_rss_mib(process.pid)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as failed:
        print(f"  {name} failed: {str(failed)[:300]}", flush=True)
        return {"label": label, "failed": str(failed)[:800]}
    return {"label": label, "readySeconds": ready, "rssMiB": rss, "loadavg": os.getloadavg(), **results}


def run_prism(meta: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Prism on the bundled Coupang document; missing (with the reason) when it cannot run."""
    from coupang_mock.server import spec

    prism, why = ensure_prism()
    if prism is None:
        print(f"prism: missing: {why}", flush=True)
        return {"label": "Prism mock", "missing": why}
    document = OUT / "openapi.json"
    document.write_text(json.dumps(spec.load(), ensure_ascii=False), encoding="utf-8")

    def command(port: int) -> list[str]:
        return [prism, "mock", "-h", "127.0.0.1", "-p", str(port), str(document)]

    port = free_port()
    found = run_server("prism", command(port), port, meta, args, label="Prism mock (@stoplight/prism-cli)")
    if "failed" in found:
        return {"label": "Prism mock", "missing": found["failed"]}
    log = (OUT / "compare-prism.log").read_text(errors="replace")
    found["specLog"] = sorted({_unstamped(line) for line in log.splitlines() if re.search(r"error|warn", line, re.I)})
    found["install"] = why
    if found["probe"]["get"]["status"] >= 300:
        # Prism is JavaScript: an 18-digit shipmentBoxId is over 2^53, so it refuses the path with a 400
        # example. Measure it once more on ids it can hold, and compare the mock with that (its best case).
        safe = {**meta, "boxIds": [box % 10**15 for box in meta["boxIds"]]}
        port = free_port()
        with (
            suppress(RuntimeError, OSError, subprocess.CalledProcessError),
            serving("prism-safe-ids", command(port), port),
        ):
            found["getSafeIds"] = measure(f"http://127.0.0.1:{port}", safe, args, only=("get",))["get"]
    return found


def _unstamped(line: str) -> str:
    return re.sub(r"^\[[^]]*\]\s*", "", line).strip()


# ---------------------------------------------------------------- report


def cell(run: dict[str, Any], workload: str, bare: dict[str, Any], prism: dict[str, Any] | None) -> str:
    if "failed" in run:
        return "failed (see compare.json)"
    measured = run[workload]
    text = f"{measured['rps']:,.0f}/s ({measured['rps'] / bare[workload]['rps']:.2f}× bare"
    if prism and "missing" not in prism and prism_rps(prism, workload):
        text += f", {measured['rps'] / prism_rps(prism, workload):.1f}× Prism"
    text += ")"
    if measured["non2xx"]:
        text += f" **{measured['non2xx']} non-2xx**"
    return text


def prism_rps(prism: dict[str, Any], workload: str) -> float:
    """Prism's rate on the workload answered with 2xx where it could (the safe-id GET, see run_prism)."""
    return float(prism.get("getSafeIds", prism["get"])["rps"] if workload == "get" else prism[workload]["rps"])


def table(report: dict[str, Any]) -> str:
    servers = report["servers"]
    bare, prism = servers["bare"], servers.get("prism")
    sizes = [str(s) for s in report["sizes"]]
    lines = [
        f"wrk -t{report['wrkThreads']} -c{report['connections']} -d{report['duration']:g}s per workload, "
        f"{report['cpus']} cores, load average {report['loadavgStart'][0]:.1f} at start, "
        f"{report['loadavgEnd'][0]:.1f} at end; whole run {report['seconds']} s.",
        "",
        "| server | workload | "
        + " | ".join(f"{int(s):,} stored" for s in sizes)
        + f" | cost {int(sizes[-1]):,} / {int(sizes[0]):,} |",
        "|---|---|" + "---|" * (len(sizes) + 1),
    ]
    for workload in WORKLOADS:
        lines.append(
            f"| {bare['label']} | {TITLES[workload]} | {bare[workload]['rps']:,.0f}/s (1.00×) |" + " |" * len(sizes)
        )
        if prism and "missing" not in prism:
            lines.append(
                f"| {prism['label']} | {TITLES[workload]} | {cell(prism, workload, bare, None)} |" + " |" * len(sizes)
            )
        for key in ("mock-workers", "mock-memory"):
            if key not in servers:
                continue
            runs = [servers[key]["bySize"][s] for s in sizes]
            cells = " | ".join(cell(r, workload, bare, prism) for r in runs)
            lines.append(f"| {servers[key]['label']} | {TITLES[workload]} | {cells} | {growth(runs, workload)} |")
    lines += ["", targets(report), "", seeds_and_memory(report)]
    if prism and "missing" in prism:
        lines += ["", f"Prism: missing ({prism['missing'][:300]})."]
    elif prism:
        lines += ["", "Prism's answers: " + "; ".join(f"{w} {prism['probe'][w]['status']}" for w in WORKLOADS)]
        if "getSafeIds" in prism:
            safe = prism["getSafeIds"]
            lines[-1] += (
                f"; GET one sheet with ids under 2^53 (Prism's JSON numbers cannot hold 18-digit shipmentBoxIds): "
                f"{safe['rps']:,.0f}/s, {safe['non2xx']} non-2xx (the × Prism ratios of that workload use it)"
            )
    return "\n".join(lines)


def growth(runs: list[dict[str, Any]], workload: str) -> str:
    """Cost (1 / req/s) at the largest size over the cost at the smallest."""
    first, last = runs[0], runs[-1]
    if "failed" in first or "failed" in last or not last[workload]["rps"]:
        return "n/a"
    return f"{first[workload]['rps'] / last[workload]['rps']:.2f}"


def targets(report: dict[str, Any]) -> str:
    """Issue 13's targets, judged on the workers server at the largest size."""
    servers = report["servers"]
    if "mock-workers" not in servers:
        return ""
    sizes = [str(s) for s in report["sizes"]]
    bare, prism = servers["bare"], servers.get("prism")
    runs = servers["mock-workers"]["bySize"]
    if "failed" in runs[sizes[-1]]:
        return f"Targets: `serve --workers 2` failed at {int(sizes[-1]):,} stored (see compare.json)."
    verdicts = []
    for workload in WORKLOADS:
        largest = runs[sizes[-1]][workload]["rps"]
        ratio = largest / bare[workload]["rps"]
        grew = growth([runs[sizes[0]], runs[sizes[-1]]], workload)
        grew_ok = grew != "n/a" and float(grew) <= COST_GROWTH_MAX
        above_prism = (
            "n/a" if not prism or "missing" in prism else ("yes" if largest > prism_rps(prism, workload) else "no")
        )
        verdicts.append(
            f"- {TITLES[workload]}: {ratio:.2f}× bare (target ≥ {TARGETS[workload]}: "
            f"{'met' if ratio >= TARGETS[workload] else 'not met'}); cost {grew}× the smallest size's "
            f"(target ≤ {COST_GROWTH_MAX}: {'met' if grew_ok else 'not met'}); above Prism: {above_prism}"
        )
    return f"Targets, `serve --workers 2` with {int(sizes[-1]):,} stored:\n" + "\n".join(verdicts)


def mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} MiB"


def seeds_and_memory(report: dict[str, Any]) -> str:
    rows = [
        "| stored | seed products s | seed orders s | SQLite file | RSS workers (tree) | RSS memory process |",
        "|---|---|---|---|---|---|",
    ]
    servers = report["servers"]
    for size, seed_info in report["seeds"].items():
        workers = servers.get("mock-workers", {}).get("bySize", {}).get(size, {})
        memory = servers.get("mock-memory", {}).get("bySize", {}).get(size, {})
        rows.append(
            f"| {int(size):,} | {seed_info['seedSeconds']['products']} | {seed_info['seedSeconds']['orders']} | "
            f"{seed_info['dbMiB']} MiB | {mib(workers.get('rssMiB'))} | {mib(memory.get('rssMiB'))} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
