"""Cold start: from process start to the first answered request (python bench/bench_startup.py).

Three ways a user starts the mock: `coupang-mock serve` with the spec cache warm (every start after the
first), with the cache empty (the very first start after an install), and the in-thread server the pytest
fixtures start. Medians of N runs; raw results in bench/out/startup.json (git-ignored), summary by hand in
bench/RESULTS.md. Never asserted in tests.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
IN_THREAD = """
import time, sys
from coupang_mock.server.app import create_app
from coupang_mock.server.server import start_in_thread
from coupang_mock.server.settings import Settings
import urllib.request
running = start_in_thread(create_app(Settings(throttle_enabled=False)))
urllib.request.urlopen(running.base_url + "/_mock/health").read()
print(time.time())
running.stop()
"""


CPU: dict[str, list[float]] = {}


def serve_once(env: dict[str, str], label: str = "serve") -> float:
    """Wall time to the first answer; the child's CPU time (user+sys, to its exit right after) goes to
    CPU[label]: on a busy machine wall time mostly measures the neighbours, CPU time the mock."""
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        while True:
            try:
                if requests.get(url + "/_mock/health", timeout=2).status_code == 200:
                    return time.time() - started
            except requests.ConnectionError:
                time.sleep(0.002)
    finally:
        proc.terminate()
        _pid, _status, usage = os.wait4(proc.pid, 0)
        CPU.setdefault(label, []).append(usage.ru_utime + usage.ru_stime)


def in_thread_once(env: dict[str, str]) -> float:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", IN_THREAD], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip()) - started


def median_ms(fn: object, env: dict[str, str]) -> float:
    return round(statistics.median(fn(env) for _ in range(RUNS)) * 1000, 1)  # type: ignore[operator]


def main() -> None:
    # As installed by pip (bytecode compiled at install): a PYTHONDONTWRITEBYTECODE environment would
    # otherwise make every start compile the sources again and measure that instead.
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    bare = median_ms(lambda env: _timed([sys.executable, "-c", "pass"], env), base)
    warm = median_ms(serve_once, base)
    serve_once(base)  # make sure the default cache is filled for the in-thread runs
    thread = median_ms(in_thread_once, base)
    with tempfile.TemporaryDirectory() as empty:
        cold_runs = []
        for i in range(RUNS):
            env = {**base, "COUPANG_MOCK_CACHE_DIR": f"{empty}/{i}"}
            cold_runs.append(serve_once(env, "empty-cache"))
        cold = round(statistics.median(cold_runs) * 1000, 1)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": RUNS,
        "bareInterpreterMs": bare,
        "serveFirstAnswerWarmCacheMs": warm,
        "serveFirstAnswerEmptyCacheMs": cold,
        "inThreadFixtureFirstAnswerMs": thread,
        "serveCpuWarmCacheMs": round(statistics.median(CPU["serve"]) * 1000, 1),
        "serveCpuEmptyCacheMs": round(statistics.median(CPU["empty-cache"]) * 1000, 1),
    }
    out = ROOT / "bench" / "out" / "startup.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.time()
    subprocess.run(cmd, env=env, check=True)
    return time.time() - started


if __name__ == "__main__":
    main()
