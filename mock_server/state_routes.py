"""HTTP glue of scenarios and snapshots under /_mock (registered by control.register)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request

from . import scenarios, snapshots
from .core import MockServices
from .errors import ApiError, json_response

bp = Blueprint("state", __name__, url_prefix="/_mock")


def _services() -> MockServices:
    return current_app.extensions["coupang_mock"]  # type: ignore[no-any-return]


@bp.post("/scenarios")
def apply_scenario() -> Any:
    """The body is the scenario (YAML or JSON); `?example=NAME` applies a packaged example instead."""
    try:
        example = request.args.get("example")
        if example:
            text, source = (
                scenarios.read_source(example) if example in scenarios.example_names() else _no_example(example)
            )
        else:
            text, source = request.get_data(as_text=True), request.args.get("source") or "<request>"
        built = scenarios.run(_services(), text, source)
    except scenarios.ScenarioError as err:
        raise ApiError(400, str(err), extra=err.to_json()) from None
    return json_response(built, 201)


def _no_example(name: str) -> tuple[str, str]:
    raise ApiError(404, f"no example scenario {name!r} (examples: {', '.join(scenarios.example_names())})")


@bp.get("/scenarios")
def list_examples() -> Any:
    return json_response({"examples": scenarios.example_names()})


@bp.get("/scenarios/schema")
def scenario_schema() -> Any:
    return json_response(scenarios.schema())


@bp.get("/vendors/<vendor_id>/snapshot")
def get_snapshot(vendor_id: str) -> Any:
    return json_response(snapshots.export(_services(), vendor_id))


@bp.put("/vendors/<vendor_id>/snapshot")
def put_snapshot(vendor_id: str) -> Any:
    try:
        document = json.loads(request.get_data(as_text=True) or "null")
        checked = snapshots.check(_services(), vendor_id, document)
    except ValueError:
        raise ApiError(400, "a snapshot must be JSON (as GET …/snapshot answers it)") from None
    except RecursionError:
        raise ApiError(400, "the snapshot nests too deeply") from None
    return json_response(snapshots.restore(_services(), vendor_id, checked))
