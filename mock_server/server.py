"""Running the app on waitress (a production WSGI server), in the foreground or in a thread."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import create_server

from .settings import Settings


class _StrictParser(HTTPRequestParser):
    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        # Both framings at once is how requests are smuggled past a proxy (RFC 9112 §6.1): refuse (400).
        if self.chunked and "CONTENT_LENGTH" in self.headers:
            raise ParsingError("Content-Length and Transfer-Encoding together")


class _StrictChannel(HTTPChannel):
    parser_class = _StrictParser


def _settings_of(app: Any) -> Settings:
    """The mock's limits; any other WSGI app (the proxy, a test double) gets the defaults."""
    services = getattr(app, "extensions", {}).get("coupang_mock")
    return services.settings if services is not None else Settings()


def _make_server(app: Flask, host: str, port: int, threads: int | None) -> Any:
    """waitress with the limits of Settings: connections, idle time, body and header size, threads."""
    s = _settings_of(app)
    _raise_open_file_limit(s.connection_limit + 64)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads or s.threads,
        ident="coupang-mock",
        connection_limit=s.connection_limit,
        channel_timeout=s.idle_timeout_seconds,
        # Idle channels are only looked at every cleanup_interval (waitress default 30 s).
        cleanup_interval=max(1, min(30, s.idle_timeout_seconds // 2)),
        # waitress refuses with 413 when the length reaches this, so +1 lets exactly the limit through.
        max_request_body_size=s.max_body_bytes + 1,
        max_request_header_size=s.max_header_bytes,
        # select() stops at 1024 descriptors; poll() has no such ceiling.
        asyncore_use_poll=True,
    )
    server.channel_class = _StrictChannel
    return server


def _raise_open_file_limit(wanted: int) -> None:
    """The connection limit is only real if the process may open that many sockets."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        pass


@dataclass
class RunningServer:
    host: str
    port: int
    _server: object
    _thread: threading.Thread
    _stopping: threading.Event

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        # The loop must leave select() before its sockets close (else EBADF in the thread); keep-alive
        # connections of clients are closed with the map rather than waited for.
        self._stopping.set()
        self._thread.join(timeout=2)
        self._server.close()  # type: ignore[attr-defined]
        for channel in list(self._server._map.values()):  # type: ignore[attr-defined]
            channel.close()
        self._server.task_dispatcher.shutdown(timeout=1)  # type: ignore[attr-defined]


def _poll_until(server: object, stopping: threading.Event) -> None:
    from waitress import wasyncore

    while not stopping.is_set():
        wasyncore.loop(timeout=_POLL_SECONDS, map=server._map, count=1, use_poll=True)  # type: ignore[attr-defined]


_POLL_SECONDS = 0.05


def start_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int | None = None) -> RunningServer:
    """Start on a free port (port=0) and return at once; used by the pytest plugin."""
    server = _make_server(app, host, port, threads)
    stopping = threading.Event()
    thread = threading.Thread(target=_poll_until, args=(server, stopping), name="coupang-mock", daemon=True)
    thread.start()
    return RunningServer(host, int(server.effective_port), server, thread, stopping)  # type: ignore[union-attr]


def serve_forever(
    app: Flask, host: str, port: int, threads: int | None = None, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the socket and return (exit code 0)."""
    server = _make_server(app, host, port, threads)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # A shell starts background jobs with SIGINT ignored; a server must still stop on it.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if on_ready:
        on_ready(f"http://{host}:{server.effective_port}")  # type: ignore[union-attr]
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def serve_workers(
    app_factory: Callable[[], Flask],
    host: str,
    port: int,
    workers: int,
    threads: int,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve with `workers` gunicorn processes (gthread: `threads` each) until SIGINT/SIGTERM.

    Each worker builds its own app after the fork (no preload: SQLite connections must not cross a
    fork); they share state through the store, which the caller has pointed at one SQLite file.

    Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads connections over
    them: on one shared socket, whichever worker woke first took a whole burst of new keep-alive
    connections (a client's pool), and the other sat idle for as long as the pool lived.
    """
    from gunicorn.app.base import BaseApplication

    from .journal import flush_all

    reserved = _reserve_port(host, port)  # the address, kept for the workers; never listened on
    bound = reserved.getsockname()[1] if reserved else port
    url = f"http://{host}:{bound}"
    announced, announcing = multiprocessing.RawValue("b", 0), multiprocessing.Lock()

    def ready_in_master(server: Any) -> None:
        if on_ready and reserved is None:  # one shared socket: it listens from here on
            on_ready(f"http://{host}:{server.LISTENERS[0].sock.getsockname()[1]}")

    def ready_in_worker(_worker: Any) -> None:
        # The first worker whose own socket listens says so, once for the whole server.
        with announcing:
            first, announced.value = not announced.value, 1
        if on_ready and reserved is not None and first:
            on_ready(url)

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{bound}",
                "reuse_port": reserved is not None,
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "preload_app": False,
                "accesslog": None,
                "loglevel": "warning",
                "keepalive": 5,
                # A real-latency fault may hold a request up to its (bounded) latency: not a hung worker.
                "timeout": 120,
                "graceful_timeout": 5,
                "when_ready": ready_in_master,
                "post_worker_init": ready_in_worker,
                # The journal's waiting batch (journal.py), also where a worker ends without atexit.
                "worker_exit": lambda _arbiter, _worker: flush_all(),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            app = app_factory()
            app.wsgi_app = _tag_worker(app.wsgi_app)  # type: ignore[method-assign]
            return app

    try:
        _Gunicorn().run()
    finally:
        if reserved is not None:
            reserved.close()


def _reserve_port(host: str, port: int) -> socket.socket | None:
    """A bound, never-listening SO_REUSEPORT socket holding the address (port 0: a free one) for the
    workers' own sockets; None where the platform lacks SO_REUSEPORT (then one shared socket)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        return None
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    holder = socket.socket(family, kind, proto)
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(address)
    except OSError:
        holder.close()
        raise
    return holder


WORKER_HEADER = "X-Mock-Worker"


def _tag_worker(wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
    """Every answer names the worker process that gave it, so cross-worker behaviour can be seen."""
    worker = str(os.getpid())

    def tagged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, (WORKER_HEADER, worker)], exc_info)

        return wsgi_app(environ, start)

    return tagged
