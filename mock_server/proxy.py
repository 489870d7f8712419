"""`coupang-mock proxy`: a recording, validating forward proxy between a client and Coupang's gateway.

On the hot path a request is forwarded byte for byte (method, raw path, raw query, headers, body;
only `Host` changes, so the CEA signature over method+path+query stays valid) and the upstream answer
is streamed back unchanged. Everything else happens afterwards, on one background thread fed by a
bounded queue: redaction, judging against the spec, writing the recording, counting drift. A full
queue drops the analysis of an exchange (counted in the report), never delays the client.
"""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import queue
import secrets
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from .conformance import Conformance
from .drift import RECORD_FORMAT, DriftReport
from .redact import Redactor

log = logging.getLogger("coupang_mock.proxy")
# RFC 9110 §7.6.1: meaningful for one connection only (and refused by WSGI servers in responses);
# Host and Content-Length are set again for the upstream connection.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "expect",  # 100-continue was answered by our own server already
    }
)
PROXY_HEADER = "X-Coupang-Mock-Proxy"
CONTROL_PLANE = "/_mock"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STREAM_CHUNK = 64 * 1024


@dataclass
class Exchange:
    """One request and its answer exactly as they crossed the proxy (bodies still raw bytes)."""

    started: datetime
    seconds: float
    method: str
    path: str
    query: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes


@dataclass
class Recorder:
    """The background side: redact, judge, write one JSON file per exchange, count drift."""

    record_dir: Path | None
    conformance: Conformance
    queue_size: int = 1000
    redactor: Redactor = field(default_factory=Redactor)
    report: DriftReport = field(default_factory=DriftReport)
    upstream: str = ""

    def __post_init__(self) -> None:
        self._queue: queue.Queue[Exchange | None] = queue.Queue(maxsize=self.queue_size)
        # Sorts in recording order; the suffix keeps two proxies sharing a folder apart.
        self._run = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
        self._seq = 0
        self._lock = threading.Lock()
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._work, name="coupang-mock-recorder", daemon=True)
        self._thread.start()

    def submit(self, exchange: Exchange) -> None:
        try:
            self._queue.put_nowait(exchange)
        except queue.Full:
            with self._lock:
                self.report.dropped += 1

    def close(self) -> DriftReport:
        """Finish what is queued, stop the thread, hand back the report."""
        self._queue.put(None)
        self._thread.join()
        return self.report

    def _work(self) -> None:
        while True:
            exchange = self._queue.get()
            if exchange is None:
                return
            try:
                self.handle(exchange)
            except Exception:  # one odd exchange must not stop the recording of the others
                log.exception("could not record %s %s", exchange.method, exchange.path)

    def handle(self, exchange: Exchange) -> dict[str, Any]:
        self._seq += 1
        record = self.redacted(exchange)
        verdict = self.conformance.judge(record)
        record["operationId"] = verdict.operation_id
        name = f"{self._run}-{self._seq:06d}-{verdict.operation_id or 'unknown'}"
        record["id"] = name
        with self._lock:
            self.report.add(name, verdict.operation_id, verdict.findings)
        if self.record_dir is not None:
            target = self.record_dir / f"{name}.json"
            partial = target.with_suffix(".part")
            partial.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            partial.replace(target)
        return record

    def redacted(self, exchange: Exchange) -> dict[str, Any]:
        return redact_exchange(self.redactor, exchange, self.upstream)


def redact_exchange(redactor: Redactor, exchange: Exchange, upstream: str = "") -> dict[str, Any]:
    """The recording of one exchange: parsed bodies, personal values replaced, secrets left out."""
    r = redactor
    request_body, request_text = _body(exchange.request_body, exchange.request_headers)
    response_body, response_text = _body(exchange.response_body, exchange.response_headers)
    return {
        "format": RECORD_FORMAT,
        "at": exchange.started.isoformat(),
        "durationMs": round(exchange.seconds * 1000, 3),
        "upstream": upstream,
        "request": {
            "method": exchange.method,
            "path": r.path(exchange.path),
            "query": r.query(exchange.query),
            "headers": r.headers(exchange.request_headers),
            "body": r.json(request_body),
            **({"bodyText": r.text(request_text)} if request_text is not None else {}),
        },
        "response": {
            "status": exchange.status,
            "headers": r.headers(exchange.response_headers),
            "body": r.json(response_body),
            **({"bodyText": r.text(response_text)} if response_text is not None else {}),
        },
    }


def _body(raw: bytes, headers: list[tuple[str, str]]) -> tuple[Any, str | None]:
    """(parsed JSON, None) or (None, text) for a body that is not JSON; (None, None) when empty."""
    encoding = next((v.lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if "gzip" in encoding:
            raw = gzip.decompress(raw)
        elif "deflate" in encoding:
            raw = zlib.decompress(raw)
    except (OSError, zlib.error):
        return None, "(undecodable compressed body)"
    if not raw.strip():
        return None, None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text), None
    except ValueError:
        return None, text


def checked_upstream(upstream: str) -> Any:
    parsed = urlparse(upstream)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(f"upstream must be an http(s) URL: {upstream!r}")
    return parsed


class UpstreamPool:
    """Keep-alive connections to the upstream, one per server thread.

    http.client rather than requests/urllib3: urllib3 normalises the request target (it upper-cases
    percent escapes), and a proxy must send the bytes the client signed.
    """

    def __init__(self, upstream: str, timeout: float) -> None:
        parsed = checked_upstream(upstream)
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port
        self.prefix = parsed.path.rstrip("/")
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self._timeout)
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn, False

    def send(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> http.client.HTTPResponse:
        for attempt in range(2):
            conn, reused = self._connection()
            try:
                conn.putrequest(method, self.prefix + target, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                if body or method in {"POST", "PUT", "PATCH"}:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body or None)
                return conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.discard()
                # A kept-alive connection the upstream had closed: nothing was processed, send once more.
                if not reused or attempt:
                    raise
            except (OSError, http.client.HTTPException):
                self.discard()
                raise
        raise AssertionError("unreachable")

    def discard(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


class ProxyApp:
    """The WSGI side; `policy` says which requests may not be forwarded."""

    def __init__(self, upstream: str, recorder: Recorder, policy: WritePolicy, timeout: float = 60.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.recorder = recorder
        self.policy = policy
        self.pool = UpstreamPool(self.upstream, timeout)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return self._forward(environ, start_response)
        except Exception as exc:  # a bug in the proxy must still answer in the gateway's envelope
            log.exception("proxy failure for %s", environ.get("PATH_INFO"))
            return _plain(start_response, 502, f"coupang-mock proxy: internal error: {exc!r}")

    def _forward(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started, clock = datetime.now(UTC), time.perf_counter()
        method = environ["REQUEST_METHOD"]
        path = _raw_path(environ)
        raw_query = environ.get("QUERY_STRING", "")
        refusal = self._refusal(method, path)
        if refusal:
            return _plain(start_response, 403, refusal)
        headers = _request_headers(environ)
        body = _read_body(environ)
        try:
            upstream = self.pool.send(method, path + (f"?{raw_query}" if raw_query else ""), headers, body)
        except (OSError, http.client.HTTPException) as exc:
            log.warning("upstream failed for %s %s: %s", method, path, exc)
            return _plain(start_response, 502, f"coupang-mock proxy: upstream {self.upstream} failed: {exc!r}")
        response_headers = [(k, v) for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP]
        length = upstream.getheader("Content-Length")
        if length is not None and upstream.getheader("Transfer-Encoding") is None:
            response_headers.append(("Content-Length", length))
        start_response(f"{upstream.status} {upstream.reason}".strip(), response_headers)

        def done(content: bytes) -> None:
            if path == CONTROL_PLANE or path.startswith(CONTROL_PLANE + "/"):
                return  # a mock's own control plane: not Coupang, nothing to judge
            exchange = Exchange(
                started,
                time.perf_counter() - clock,
                method,
                path,
                raw_query,
                headers,
                body,
                upstream.status,
                response_headers,
                content,
            )
            self.recorder.submit(exchange)

        return _Relay(upstream, self.pool, done)

    def _refusal(self, method: str, path: str) -> str | None:
        if self.policy.permitted or method in SAFE_METHODS:
            return None  # no routing on the hot path when nothing can be refused
        matched = self.recorder.conformance.match(method, path)
        return self.policy.refusal(method, matched[0].operation_id if matched else None)


class _Relay:
    """The upstream body, streamed to the client as it arrives; recorded once fully sent."""

    def __init__(self, upstream: http.client.HTTPResponse, pool: UpstreamPool, done: Callable[[bytes], None]) -> None:
        self._upstream = upstream
        self._pool = pool
        self._done = done
        self._chunks: list[bytes] = []

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = (
                self._upstream.read1(_STREAM_CHUNK) if self._upstream.chunked else self._upstream.read(_STREAM_CHUNK)
            )
            if not chunk:
                return
            self._chunks.append(chunk)
            yield chunk

    def close(self) -> None:
        finished = self._upstream.isclosed()
        self._upstream.close()
        if not finished or self._upstream.will_close:
            self._pool.discard()  # a half-read answer would poison the next request on this connection
        self._done(b"".join(self._chunks))


def _raw_path(environ: dict[str, Any]) -> str:
    """The path exactly as the client sent (and signed) it, like core.raw_path."""
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri:
        path = uri.split("?", 1)[0]
        if "://" in path:  # absolute-form request target (a client configured with an HTTP proxy)
            path = urlparse(path).path
        return path
    raw = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    return quote(raw, safe="/:@!$&'()*+,;=-._~%")


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key == "CONTENT_TYPE" and value:
            name = "Content-Type"
        else:
            continue
        if name.lower() not in HOP_BY_HOP:
            headers.append((name, value))
    return headers


def _read_body(environ: dict[str, Any]) -> bytes:
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length.isdigit():
        return stream.read(int(length)) if int(length) else b""
    return stream.read() or b""


def _plain(start_response: Callable[..., Any], status: int, message: str) -> list[bytes]:
    """The proxy's own answers wear the gateway's error envelope, so clients parse them as usual."""
    body = json.dumps({"code": "ERROR", "message": message}, ensure_ascii=False).encode("utf-8")
    reason = {403: "Forbidden", 502: "Bad Gateway"}[status]
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(body))), (PROXY_HEADER, "1")],
    )
    return [body]


# ------------------------------------------------------------------------------ safety and running


@dataclass
class WritePolicy:
    """The contract harness's rules (contract_tests/target.py): a mock or loopback upstream takes
    anything; elsewhere only reads, unless --allow-writes (production also needs the env var)."""

    upstream: str
    allow_writes: bool

    def __post_init__(self) -> None:
        from coupang_mock.contract.target import Target

        self._target = Target(self.upstream, "", "", "", allow_writes=self.allow_writes)
        self.permitted = self._target.writes_permitted()

    def refusal(self, method: str, operation_id: str | None) -> str | None:
        """Why this request may not go upstream, or None."""
        from coupang_mock.contract.target import PRODUCTION_WRITES_ENV

        if self.permitted or method in SAFE_METHODS or self._target.is_read_only(method, operation_id or ""):
            return None
        what = operation_id or "an operation the spec does not know"
        extra = f" and {PRODUCTION_WRITES_ENV}=yes" if self._target.is_production else ""
        return (
            f"coupang-mock proxy: refused {method} ({what}): {self.upstream} is not a mock and the proxy is "
            f"read-only by default; start it with --allow-writes{extra} to forward writes"
        )


@dataclass
class Proxy:
    app: ProxyApp
    recorder: Recorder
    report_file: Path | None

    def finish(self) -> DriftReport:
        """Drain the queue, stop the recorder and write the report file (if any)."""
        report = self.recorder.close()
        self.app.pool.close()
        if self.report_file is not None:
            report.write(self.report_file)
        return report


def build_proxy(
    upstream: str,
    record_dir: str | Path | None = None,
    report_file: str | Path | None = None,
    allow_writes: bool = False,
    threads: int = 8,
    timeout: float = 60.0,
    conformance: Conformance | None = None,
) -> Proxy:
    checked_upstream(upstream)
    recorder = Recorder(
        Path(record_dir) if record_dir else None, conformance or Conformance(), upstream=urlparse(upstream).netloc
    )
    app = ProxyApp(upstream, recorder, WritePolicy(upstream, allow_writes), timeout)
    return Proxy(app, recorder, Path(report_file) if report_file else None)


def serve(proxy: Proxy, host: str, port: int, threads: int, on_ready: Callable[[str], None] | None = None) -> None:
    from .server import serve_forever

    try:
        serve_forever(proxy.app, host, port, threads, on_ready)  # type: ignore[arg-type]
    finally:
        report = proxy.finish()
        summary = report.summary()
        print(
            f"coupang-mock proxy: {summary['exchanges']} exchanges, {summary['drifts']} drifts "
            f"in {summary['operationsWithDrift']} operations",
            file=sys.stderr,
        )
