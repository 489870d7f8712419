"""Running the app on waitress (a production WSGI server), in the foreground or in a thread."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from waitress.server import create_server


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
        wasyncore.loop(timeout=_POLL_SECONDS, map=server._map, count=1)  # type: ignore[attr-defined]


_POLL_SECONDS = 0.05


def start_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> RunningServer:
    """Start on a free port (port=0) and return at once; used by the pytest plugin."""
    server = create_server(app, host=host, port=port, threads=threads, ident="coupang-mock")
    stopping = threading.Event()
    thread = threading.Thread(target=_poll_until, args=(server, stopping), name="coupang-mock", daemon=True)
    thread.start()
    return RunningServer(host, int(server.effective_port), server, thread, stopping)  # type: ignore[union-attr]


def serve_forever(
    app: Flask, host: str, port: int, threads: int, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the socket and return (exit code 0)."""
    server = create_server(app, host=host, port=port, threads=threads, ident="coupang-mock")

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
    """
    from gunicorn.app.base import BaseApplication

    def ready(server: object) -> None:
        if on_ready:
            bound = server.LISTENERS[0].sock.getsockname()  # type: ignore[attr-defined]
            on_ready(f"http://{host}:{bound[1]}")

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
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
                "when_ready": ready,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            app = app_factory()
            app.wsgi_app = _tag_worker(app.wsgi_app)  # type: ignore[method-assign]
            return app

    _Gunicorn().run()


WORKER_HEADER = "X-Mock-Worker"


def _tag_worker(wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
    """Every answer names the worker process that gave it, so cross-worker behaviour can be seen."""
    worker = str(os.getpid())

    def tagged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, (WORKER_HEADER, worker)], exc_info)

        return wsgi_app(environ, start)

    return tagged
