"""A browsable API reference at /_mock/docs, rendered from the bundled spec by the mock itself.

No JavaScript bundle and no CDN: the machines this runs on are often offline, and a server-side
page of the same spec is all an integrator needs to look an operation up.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, render_template

from .spec import iter_operations


def register(app: Flask) -> None:
    @app.get("/_mock/docs")
    def docs_page() -> Any:
        services = current_app.extensions["coupang_mock"]
        return Response(render_template("docs.html", groups=_groups(services)), content_type="text/html; charset=utf-8")


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


def _groups(services: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for op in iter_operations(services.document):
        responses = op.raw.get("responses") or {}
        success = next((v for k, v in responses.items() if str(k).startswith("2")), None)
        groups.setdefault(op.tag, []).append(
            {
                "id": op.operation_id,
                "method": op.method,
                "path": op.path,
                "summary": op.raw.get("summary", ""),
                "name_ko": op.raw.get("x-name-ko", ""),
                "description": op.raw.get("description", ""),
                "deprecated": op.raw.get("deprecated", False),
                "served": services.served(op.operation_id),
                "parameters": [
                    {
                        "name": p.get("name"),
                        "in": p.get("in"),
                        "required": p.get("required", False),
                        "type": (p.get("schema") or {}).get("type", ""),
                        "description": p.get("description", ""),
                    }
                    for p in op.parameters
                ],
                "request_example": _example(op.raw.get("requestBody")),
                "response_example": _example(success),
                "errors": sorted(str(k) for k in responses if not str(k).startswith("2")),
            }
        )
    return [{"tag": tag, "operations": ops} for tag, ops in sorted(groups.items())]
