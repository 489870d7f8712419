"""Loading and bundling of the hand-written OpenAPI documents under specs/.

The root document plus one file per API group are merged into one OpenAPI 3.1 document, once,
at start-up. Everything downstream (router, validators, client, contract harness) reads the
bundled document, so there is exactly one source of truth.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
COMPONENT_SECTIONS = ("schemas", "parameters", "responses", "examples", "requestBodies", "headers", "links")


class SpecError(Exception):
    """The documents under specs/ cannot be bundled."""


def specs_dir() -> Path:
    """Where the spec files are: shipped inside the wheel, or the source checkout."""
    packaged = Path(__file__).parent / "_specs"
    if (packaged / "openapi.yaml").exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "specs"


# libyaml's parser is ~17x faster than PyYAML's pure-Python one; both build the same documents.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_YAML_LOADER)
    if not isinstance(data, dict):
        raise SpecError(f"{path.name}: top level is not a mapping")
    return data


def bundle(directory: Path | None = None) -> dict[str, Any]:
    """Merge openapi.yaml with every paths/*.yaml into one document."""
    directory = directory or specs_dir()
    root = _load_yaml(directory / "openapi.yaml")
    root.setdefault("paths", {})
    root.setdefault("tags", [])
    components = root.setdefault("components", {})
    for group_file in sorted((directory / "paths").glob("*.yaml")):
        _merge_group(root, components, group_file)
    return root


def _merge_group(root: dict[str, Any], components: dict[str, Any], group_file: Path) -> None:
    group = _load_yaml(group_file)
    unknown = set(group) - {"tags", "paths", "components"}
    if unknown:
        raise SpecError(f"{group_file.name}: unexpected top-level keys {sorted(unknown)}")
    root["tags"].extend(group.get("tags") or [])
    for path, item in (group.get("paths") or {}).items():
        target = root["paths"].setdefault(path, {})
        for key, value in item.items():
            if key in target:
                raise SpecError(f"{group_file.name}: {key.upper()} {path} is defined twice")
            target[key] = value
    for section, entries in (group.get("components") or {}).items():
        bucket = components.setdefault(section, {})
        for name, value in (entries or {}).items():
            if name in bucket:
                raise SpecError(f"{group_file.name}: component {section}/{name} is defined twice")
            bucket[name] = value


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported: {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        try:
            node = node[part]
        except (KeyError, TypeError) as exc:
            raise SpecError(f"unresolved reference {ref}") from exc
    return node


def deref(document: dict[str, Any], node: Any, _stack: tuple[str, ...] = ()) -> Any:
    """A copy of node with every local $ref replaced by its target.

    A recursive reference (a schema that contains itself) is cut to an empty schema, which
    accepts anything: request validation never needs such depth.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _stack:
                return {}
            target = deref(document, resolve_pointer(document, ref), (*_stack, ref))
            siblings = {k: deref(document, v, _stack) for k, v in node.items() if k != "$ref"}
            if siblings and isinstance(target, dict):
                return {**target, **siblings}
            return target
        return {k: deref(document, v, _stack) for k, v in node.items()}
    if isinstance(node, list):
        return [deref(document, item, _stack) for item in node]
    return node


@dataclass(frozen=True)
class Operation:
    """One method+path of the bundled document, with $refs resolved."""

    operation_id: str
    method: str
    path: str
    tag: str
    handler_id: str
    parameters: tuple[dict[str, Any], ...]
    request_schema: dict[str, Any] | None
    body_required: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def extensions(self) -> dict[str, Any]:
        return {k: v for k, v in self.raw.items() if k.startswith("x-")}

    @property
    def is_alias(self) -> bool:
        return self.handler_id != self.operation_id

    @property
    def api_format(self) -> str | None:
        return self.raw.get("x-format")


def iter_operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document.get("paths", {}).items():
        shared_params = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            yield _operation(document, path, method, op, shared_params)


def _operation(document: dict[str, Any], path: str, method: str, op: dict[str, Any], shared: list[Any]) -> Operation:
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for param in [*shared, *op.get("parameters", [])]:
        resolved = deref(document, param)
        params[(resolved["in"], resolved["name"])] = resolved
    body = deref(document, op.get("requestBody")) if op.get("requestBody") else None
    schema = None
    if body:
        media = body.get("content", {})
        json_media = next((v for k, v in media.items() if "json" in k), None)
        schema = (json_media or {}).get("schema")
    operation_id = op.get("operationId") or f"{method}{path}"
    return Operation(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        tag=(op.get("tags") or ["untagged"])[0],
        handler_id=op.get("x-handler", operation_id),
        parameters=tuple(params.values()),
        request_schema=schema,
        body_required=bool(body and body.get("required")),
        raw=op,
    )


@functools.lru_cache(maxsize=4)
def load(directory: str | None = None) -> dict[str, Any]:
    """The bundled document, parsed once per process. Callers must not mutate it.

    The bundle is cached as JSON keyed by a digest of the spec files' bytes, so a start-up after the
    first one reads one JSON file (~10 ms) instead of parsing every YAML file."""
    source = Path(directory) if directory else specs_dir()
    cached = _cache_file(source)
    if cached is not None and cached.exists():
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a torn or foreign file: rebuild it below
    document = bundle(source)
    if cached is not None:
        _write_cache(cached, document)
    return document


def cache_dir() -> Path:
    configured = os.environ.get("COUPANG_MOCK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coupang-mock"


def _cache_file(source: Path) -> Path | None:
    if os.environ.get("COUPANG_MOCK_CACHE_DIR") == "off":
        return None
    digest = hashlib.sha256()
    for path in [source / "openapi.yaml", *sorted((source / "paths").glob("*.yaml"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return cache_dir() / f"spec-{digest.hexdigest()[:32]}.json"


def _write_cache(target: Path, document: dict[str, Any]) -> None:
    """Atomic (rename) so concurrent workers never read half a file; an unwritable cache is skipped."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False)
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):  # unwritable, or a YAML value JSON cannot hold
        return


def load_copy(directory: str | None = None) -> dict[str, Any]:
    return copy.deepcopy(load(directory))


def check(directory: Path | None = None) -> list[str]:
    """Problems that make the bundle unusable: invalid OpenAPI, unresolved $ref, missing ids."""
    from openapi_spec_validator import validate

    problems: list[str] = []
    try:
        document = bundle(directory)
    except SpecError as exc:
        return [str(exc)]
    try:
        validate(document)
    except Exception as exc:  # the validator raises several exception types
        problems.append(f"openapi-spec-validator: {str(exc).splitlines()[0]}")
    try:
        deref(document, document)
    except SpecError as exc:
        problems.append(str(exc))
    seen: dict[str, str] = {}
    for op in iter_operations(document):
        where = f"{op.method} {op.path}"
        if "operationId" not in op.raw:
            problems.append(f"{where}: no operationId")
        elif op.operation_id in seen:
            problems.append(f"{where}: operationId {op.operation_id} also used by {seen[op.operation_id]}")
        seen[op.operation_id] = where
    return problems


if __name__ == "__main__":
    import sys

    found = check()
    for line in found:
        print(line)
    doc = bundle()
    print(f"{sum(1 for _ in iter_operations(doc))} operations, {len(found)} problem(s)")
    sys.exit(1 if found else 0)
