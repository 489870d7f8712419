"""The Flask application: /_mock control plane plus every Coupang path of the spec."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Request, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from . import (
    api,  # noqa: F401  (registers every API group's handlers and control routes)
    control,
    docs,
)
from .accesslog import AccessLog
from .core import Gateway, MockServices
from .errors import ApiError, bug_response
from .settings import Settings
from .store import open_store
from .ui import routes as ui_routes

# OPTIONS goes to the gateway too, which answers 405 with the path's real methods in `Allow`.
WSGIApp = Callable[[dict[str, Any], Any], Any]
HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class LazyBuildRule(Rule):
    """werkzeug compiles two URL-builder functions per rule when it is added (ast + compile, most of the
    app's start-up); the mock never builds URLs, so compile them only if something ever asks."""

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        compiled: list[Any] = []

        def build(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build


class MockFlask(Flask):
    url_rule_class = LazyBuildRule


def create_app(settings: Settings | None = None, services: MockServices | None = None) -> Flask:
    if services is None:
        settings = settings or Settings.from_env()
        services = MockServices(settings, store=open_store(settings.store_url))
    # Explicit paths: the package lives in a namespace (coupang_mock) whose folder Flask cannot guess.
    here = str(Path(__file__).resolve().parent)
    app = MockFlask("coupang_mock.server", root_path=here, instance_path=here)
    app.extensions["coupang_mock"] = services
    # Flask would answer OPTIONS itself (200 text/html listing every method) on every route.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    gateway = Gateway(services)

    @app.before_request
    def _guard_control() -> None:
        # the readiness probe answers anyone: CI services and containers poll it from other hosts
        if request.path.startswith("/_mock") and request.path != "/_mock/health":
            control.guard()

    control.register(app)
    docs.register(app)
    ui_routes.register(app)

    def control_miss(path: str = "") -> Any:
        return _control_miss(control_map, request.path, request.method)

    # Flask sees /_mock paths only (see `_coupang_paths_first`); these catch what no control route took.
    app.add_url_rule("/_mock", "control_miss", control_miss, methods=HTTP_METHODS)
    app.add_url_rule("/_mock/<path:path>", "control_miss", control_miss, methods=HTTP_METHODS)

    app.wsgi_app = _coupang_paths_first(app.wsgi_app, gateway, services.settings.max_body_bytes)  # type: ignore[method-assign]
    if services.settings.access_log != "off":
        app.wsgi_app = AccessLog(app.wsgi_app, services.settings.access_log)  # type: ignore[method-assign]

    # Control routes only: an /_mock request the catch-all caught is a 404, or a 405 naming their methods.
    control_map = Map(
        [
            Rule(r.rule, endpoint=r.endpoint, methods=r.methods)
            for r in app.url_map.iter_rules()
            if r.endpoint != "control_miss"
        ]
    )

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Any:
        return err.to_response()

    app.errorhandler(HTTPException)(_http_error)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Any:
        response, _error_id = bug_response(f"control {request.method} {request.path}")
        return response

    return app


def _http_error(err: HTTPException) -> Any:
    """werkzeug's refusals (a body over the limit, an unreadable request) in the gateway's envelope."""
    allow = {k: v for k, v in err.get_headers() if k.lower() == "allow"}
    return ApiError(err.code or 500, err.name, headers=allow).to_response()


def _coupang_paths_first(flask_app: WSGIApp, gateway: Gateway, max_body: int) -> WSGIApp:
    """Every path outside /_mock goes straight to the gateway, which routes by the spec and answers every
    error itself: Flask's request context, hooks and URL map cost ~0.1 ms of a ~0.8 ms call (an empty
    Flask app serves 0.60× a bare WSGI function, bench/RESULTS.md → "The stack's own floor"). The
    control plane, dashboard and docs stay Flask's."""

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        if path == "/_mock" or path.startswith("/_mock/"):
            return flask_app(environ, start_response)
        request = Request(environ)
        request.max_content_length = max_body
        try:
            response = gateway(request)
        except HTTPException as err:  # raised while the gateway read the body for its journal entry
            response = _http_error(err)
        except Exception:  # the gateway answers its own errors; this is a bug, still in Coupang's shape
            response, _error_id = bug_response(f"{request.method} {request.path}")
        return response(environ, start_response)

    return dispatch


def _control_miss(control_map: Map, path: str, method: str) -> Any:
    try:
        control_map.bind("mock", path_info=path).match(method=method)
    except MethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.valid_methods or ()))
        raise ApiError(405, f"Request method '{method}' not supported", headers={"Allow": allowed}) from None
    except NotFound:
        pass
    raise ApiError(404, "Not Found")
