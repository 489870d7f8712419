"""Where the floor of the stack lies: how fast can any Flask app that authenticates a call and answers
stored state be, next to the bare WSGI baseline of issue 13's ratios? One command, run by hand:

    python bench/bench_floor.py [--duration 10] [--rounds 2]

Every server gets bench_compare's three wrk scripts (GET one of 256 order sheets, GET the list page of
50, POST create product; 1,000 orders and products stored in SQLite) with `wrk -t2 -c32`, in rounds:
- bare WSGI on `gunicorn -k sync -w2` (the issue's reference, 1.00×) and on `gunicorn -k gthread -w2
  --threads 8` (the server configuration `serve --workers 2` uses);
- a Flask app with one catch-all route answering a fixed JSON: what Flask alone costs;
- a minimal stateful Flask app: checks the CEA HMAC signature of the request, then on the same SQLite
  file (WAL, one connection per thread) reads the order sheet by primary key, or 50 stored boxes in
  key order, or inserts the posted product in a write transaction, and answers with orjson. No
  routing table, validation, clock, throttle, domain rules, journal or rendering: a lower bound for
  anything that must authenticate a call and answer or change stored state;
- `coupang-mock serve --workers 2` on that file.
Raw JSON: bench/out/floor.json; the markdown table is printed for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_compare as compare  # noqa: E402  (the comparison bench's seeding, servers and wrk)
from bench_workers import free_port  # noqa: E402

OUT = BENCH / "out"
SIZE = 1000


def flask_hello() -> Any:
    from flask import Flask, request

    app = Flask("floor-hello")

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Any:
        request.get_data()
        return app.response_class(b'{"code":200,"message":"OK"}', mimetype="application/json")

    return app


def flask_stateful() -> Any:
    """Authenticate (CEA HMAC over method, path and query), then per workload the least any mock must do:
    one stored document by key; 50 stored documents in index order; a new document committed."""
    import hashlib
    import hmac
    import itertools
    import sqlite3
    import threading

    import orjson
    from flask import Flask, request

    from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_VENDOR_ID

    app = Flask("floor-stateful")
    local = threading.local()
    path = os.environ["FLOOR_DB"]
    secret = DEFAULT_SECRET_KEY.encode()
    ids = itertools.count(int.from_bytes(os.urandom(4), "big") * 1_000_000)

    def db() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            local.db.execute("PRAGMA journal_mode=WAL")
            local.db.execute("PRAGMA synchronous=NORMAL")
        return local.db

    def signed() -> bool:
        header = request.headers.get("Authorization", "")
        fields = dict(part.strip().split("=", 1) for part in header.split(" ", 1)[-1].split(",") if "=" in part)
        message = fields.get("signed-date", "") + request.method + request.path + request.query_string.decode()
        expected = hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
        return fields.get("access-key") == DEFAULT_ACCESS_KEY and hmac.compare_digest(
            expected, fields.get("signature", "")
        )

    def ok(data: Any) -> Any:
        return app.response_class(
            orjson.dumps({"code": 200, "message": "OK", "data": data}), mimetype="application/json"
        )

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Any:
        if not signed():
            return app.response_class(b'{"code":"ERROR"}', status=401, mimetype="application/json")
        if request.method == "POST":
            product = orjson.loads(request.get_data())
            key = str(next(ids))
            connection = db()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO docs (tenant, kind, key, value, ikeys) VALUES (?, 'products', ?, ?, '{}')",
                (DEFAULT_VENDOR_ID, key, orjson.dumps({**product, "sellerProductId": key}).decode()),
            )
            connection.execute("COMMIT")
            return ok(int(key))
        if path.endswith("/ordersheets"):
            rows = (
                db()
                .execute(
                    "SELECT value FROM docs WHERE tenant=? AND kind='boxes' ORDER BY key LIMIT 50", (DEFAULT_VENDOR_ID,)
                )
                .fetchall()
            )
            return ok([orjson.loads(value) for (value,) in rows])
        row = (
            db()
            .execute(
                "SELECT value FROM docs WHERE tenant=? AND kind='boxes' AND key=?",
                (DEFAULT_VENDOR_ID, path.rsplit("/", 1)[1]),
            )
            .fetchone()
        )
        return ok(orjson.loads(row[0]))

    return app


def gunicorn_command(gunicorn: str, port: int, app: str, worker: str = "gthread") -> list[str]:
    command = [gunicorn, "-k", worker, "-w2", "-b", f"127.0.0.1:{port}", "--chdir", str(BENCH)]
    if worker == "gthread":
        command += ["--threads", "8", "--keep-alive", "5"]
    return [*command, "--log-level", "warning", app]


def servers(gunicorn: str, db: Path) -> dict[str, tuple[str, Any]]:
    """name → (label, port → command)."""
    mock = [sys.executable, "-m", "coupang_mock.server.cli", "serve", "--workers", "2", "--store", f"sqlite:///{db}"]
    return {
        "bare-sync": (
            "bare WSGI, gunicorn sync -w2",
            lambda p: gunicorn_command(gunicorn, p, "bench_workers:bare_app", "sync"),
        ),
        "bare-gthread": (
            "bare WSGI, gunicorn gthread -w2 ×8",
            lambda p: gunicorn_command(gunicorn, p, "bench_workers:bare_app"),
        ),
        "flask-hello": (
            "Flask, one route, fixed JSON (gthread -w2 ×8)",
            lambda p: gunicorn_command(gunicorn, p, "bench_floor:flask_hello()"),
        ),
        "flask-stateful": (
            "Flask + CEA HMAC + the least SQLite work: 1 row by key / 50 rows / 1 insert (gthread -w2 ×8)",
            lambda p: gunicorn_command(gunicorn, p, "bench_floor:flask_stateful()"),
        ),
        "mock": (
            "coupang-mock serve --workers 2 (SQLite)",
            lambda p: [*mock, "--no-throttle", "--quiet", "--port", str(p)],
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    compare.ensure_wrk()
    gunicorn = compare.ensure_gunicorn()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"floor-{SIZE}.db"
    meta = compare.seeded(SIZE)
    for stale in OUT.glob(f"floor-{SIZE}.db*"):
        stale.unlink()
    shutil.copy(OUT / f"compare-{SIZE}.db", db)
    report: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "loadavgStart": os.getloadavg()}
    rows: dict[str, dict[str, list[float]]] = {}
    began = time.monotonic()
    for _round in range(args.rounds):
        for name, (label, command) in servers(gunicorn, db).items():
            port = free_port()
            with compare.serving(f"floor-{name}", command(port), port, {"FLOOR_DB": str(db)}):
                base = f"http://127.0.0.1:{port}"
                for workload, script in compare.scripts(meta).items():  # signed now: valid for this round
                    compare.wrk(base, script, 1, 8, 2)
                    result = compare.wrk(base, script, args.duration, 32, 2)
                    if result["non2xx"]:
                        sys.exit(f"{label}, {workload}: {result['non2xx']} answers were not 2xx")
                    rows.setdefault(name, {}).setdefault(workload, []).append(result["rps"])
                    print(f"  {label:60} {workload:4} {result['rps']:9.0f}/s", flush=True)
    report.update(rps=rows, loadavgEnd=os.getloadavg(), seconds=round(time.monotonic() - began))
    (OUT / "floor.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(rows, servers(gunicorn, db)))


def table(rows: dict[str, dict[str, list[float]]], named: dict[str, tuple[str, Any]]) -> str:
    """Best of the rounds, and its ratio to the best bare WSGI (sync) run of the same workload."""
    lines = [
        "| server (wrk -t2 -c32) | GET one order sheet | GET list of 50 | POST create product |",
        "|---|---|---|---|",
    ]
    for name, (label, _command) in named.items():
        cells = []
        for workload in compare.WORKLOADS:
            best, reference = max(rows[name][workload]), max(rows["bare-sync"][workload])
            cells.append(f"{best:,.0f}/s ({best / reference:.2f}×)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
