"""A browsable API reference at /_mock/docs, rendered from the bundled spec by the mock itself.

No CDN and no framework: the machines this runs on are often offline. Descriptions are Markdown,
rendered by the small renderer of the dashboard; the control plane (specs/control.yaml) is listed
beside Coupang's operations, and every operation links to its view in the dashboard.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import yaml
from flask import Flask, Response, current_app, render_template, request
from markupsafe import Markup

from .spec import iter_operations, specs_dir
from .ui.markdown import inline
from .ui.markdown import render as markdown

CONTROL_TAG = "control plane (/_mock)"
# Control routes by what they act on → the dashboard view that shows it (first match wins).
DASHBOARD_VIEWS = (
    ("/journal", "#journal"),
    ("/auth/", "#debugger"),
    ("/clock", "#clock"),
    ("/faults", "#clock"),
    ("/throttle", "#clock"),
    ("/transitions", "#coverage"),
    ("/shipments", "#state/boxes"),
    ("/returns", "#state/receipts"),
    ("/exchanges", "#state/exchanges"),
    ("/orders", "#state/boxes"),
    ("/products", "#state/products"),
    ("/catalog", "#state/products"),
    ("/inquiries", "#state/inquiries"),
    ("/coupons", "#state/coupons"),
)


def register(app: Flask) -> None:
    @app.get("/_mock/docs")
    def docs_page() -> Any:
        services = current_app.extensions["coupang_mock"]
        groups = [*_groups(services.document, services.served), _control_group()]
        # in token mode the links into the dashboard carry the token the page was opened with
        token = request.args.get("token", "") if services.settings.control_token else ""
        page = render_template("docs.html", groups=groups, q=f"?{urlencode({'token': token})}" if token else "")
        return Response(page, content_type="text/html; charset=utf-8")


def _md(text: str | None) -> Markup:
    return Markup(markdown(text))  # safe: the renderer escapes its input before adding markup


def _md_inline(text: str | None) -> Markup:
    return Markup(inline(text or ""))


def _example(node: dict[str, Any] | None) -> str | None:
    if not node:
        return None
    for media in (node.get("content") or {}).values():
        if "example" in media:
            return json.dumps(media["example"], ensure_ascii=False, indent=2)
        for example in (media.get("examples") or {}).values():
            if isinstance(example, dict) and "value" in example:
                return json.dumps(example["value"], ensure_ascii=False, indent=2)
    return None


def _dashboard_view(operation_id: str, path: str, control: bool) -> str:
    """The dashboard fragment of an operation: its journal entries, or what a control route acts on."""
    if not control:
        return f"#journal?operationId={operation_id}"
    return next((view for marker, view in DASHBOARD_VIEWS if marker in path), "")


def _operation(op: Any, served: bool, control: bool) -> dict[str, Any]:
    responses = op.raw.get("responses") or {}
    success = next((v for k, v in responses.items() if str(k).startswith("2")), None)
    search = " ".join([op.operation_id, op.method, op.path, op.raw.get("summary", ""), op.raw.get("x-name-ko", "")])
    return {
        "id": op.operation_id,
        "method": op.method,
        "path": op.path,
        "summary": _md_inline(op.raw.get("summary", "")),
        "name_ko": op.raw.get("x-name-ko", ""),
        "description": _md(op.raw.get("description", "")),
        "deprecated": op.raw.get("deprecated", False),
        "served": served,
        "dashboard": _dashboard_view(op.operation_id, op.path, control),
        "search": search.lower(),
        "parameters": [
            {
                "name": p.get("name"),
                "in": p.get("in"),
                "required": p.get("required", False),
                "type": (p.get("schema") or {}).get("type", ""),
                "description": _md(p.get("description", "")),
            }
            for p in op.parameters
        ],
        "request_example": _example(op.raw.get("requestBody")),
        "response_example": _example(success),
        "errors": sorted(str(k) for k in responses if not str(k).startswith("2")),
    }


def _groups(document: dict[str, Any], served: Any) -> list[dict[str, Any]]:
    described = {tag["name"]: tag.get("description", "") for tag in document.get("tags", []) if "name" in tag}
    groups: dict[str, list[dict[str, Any]]] = {}
    for op in iter_operations(document):
        groups.setdefault(op.tag, []).append(_operation(op, served(op.operation_id), control=False))
    return [
        {"tag": tag, "description": _md(described.get(tag)), "operations": ops} for tag, ops in sorted(groups.items())
    ]


@lru_cache(maxsize=1)
def _control_document() -> dict[str, Any]:
    with (specs_dir() / "control.yaml").open(encoding="utf-8") as fh:
        document: dict[str, Any] = yaml.safe_load(fh)
    return document


def _control_group() -> dict[str, Any]:
    document = _control_document()
    operations = [_operation(op, True, control=True) for op in iter_operations(document)]
    return {"tag": CONTROL_TAG, "description": _md(document["info"].get("description")), "operations": operations}
