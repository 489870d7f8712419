"""Scenario files: a server's starting state declared in YAML, built through the mock's own paths.

`load(text, source)` parses and checks a file completely before anything is touched (JSON schema,
aliases, whether each declared status is reachable through the domain's transition table) and
reports the first problem as `FILE:LINE: field path: message`, the line found from the YAML node
marks. `apply(services, scenario)` builds the state (see `scenario_build`); when a step is refused
the listed vendors are put back as they were (snapshots) and the error names the entry's line.

`coupang-mock serve --scenario FILE|NAME` and `POST /_mock/scenarios` use both. NAME is one of the
packaged examples (`examples/*.yaml`: seller-day, claims-backlog …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

import fastjsonschema
import yaml

from . import snapshots
from .core import MockServices
from .domains import cs
from .scenario_actor import Actor
from .scenario_build import Path, StepFailed, VendorBuilder, alias, receipt_start
from .scenario_lifecycles import CALL_CENTER_INQUIRY, EXCHANGE, ONLINE_INQUIRY, ORDER, PRODUCT, RETURN, Lifecycle
from .scenario_lifecycles import unreachable_message as unreachable

SCHEMA_FILE = "scenario.schema.json"
MAX_CHARS = 2_000_000
MAX_VALUES = 200_000  # after YAML aliases are expanded: "billion laughs" files are refused, not walked
EXAMPLES_PACKAGE = "coupang_mock.server.examples"


class ScenarioError(Exception):
    """A refused scenario: `FILE:LINE: field path: message`."""

    def __init__(self, source: str, line: int, path: str, message: str) -> None:
        super().__init__(f"{source}:{line}: {path}: {message}")
        self.source = source
        self.line = line
        self.path = path
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "line": self.line, "field": self.path, "problem": self.message}


@dataclass
class Scenario:
    data: dict[str, Any]
    source: str
    node: yaml.Node | None = field(repr=False, default=None)

    def error(self, path: Path, message: str) -> ScenarioError:
        return ScenarioError(self.source, line_of(self.node, path), dotted(path), message)


# ---------------------------------------------------------------- parsing


class _Loader(yaml.SafeLoader):
    """Safe YAML whose timestamps stay strings: the schema, not PyYAML, decides what a time is."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def parse(text: str, source: str = "<scenario>") -> Scenario:
    if len(text) > MAX_CHARS:
        raise ScenarioError(source, 1, "(file)", f"a scenario file is at most {MAX_CHARS} characters")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_VALUES:
            raise ScenarioError(source, 1, "(yaml)", f"the file expands to more than {MAX_VALUES} values")
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise ScenarioError(source, 1, "(yaml)", "the file nests too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ScenarioError(source, line, "(yaml)", str(exc.problem or exc).strip()) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, 1, "(yaml)", str(exc)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(source, 1, "(root)", "a scenario is a mapping with a vendors list")
    return Scenario(data, source, node)


def _expanded_size(node: yaml.Node, seen: dict[int, int]) -> int:
    """How many values the node stands for once aliases are expanded (shared nodes counted per use)."""
    if id(node) in seen:
        return seen[id(node)]
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, seen) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, seen) + _expanded_size(v, seen) for k, v in node.value)
    seen[id(node)] = min(size, MAX_VALUES + 1)
    return seen[id(node)]


def line_of(node: yaml.Node | None, path: Path) -> int:
    """The line of the deepest node along path (a mapping key's own line for a key that is there)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and str(part).isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


# ---------------------------------------------------------------- checking


def schema() -> dict[str, Any]:
    return json.loads(resources.files("coupang_mock.server.data").joinpath(SCHEMA_FILE).read_text("utf-8"))  # type: ignore[no-any-return]


_VALIDATOR: Any = None


def schema_check(scenario: Scenario) -> None:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = fastjsonschema.compile(schema())
    try:
        _VALIDATOR(scenario.data)
    except fastjsonschema.JsonSchemaValueException as exc:
        parts = exc.path[1:] if exc.path else []
        path = _typed_path(scenario.data, parts)
        message = exc.message[len(exc.name) :].strip() if exc.name and exc.message.startswith(exc.name) else exc.message
        if exc.rule == "additionalProperties" and isinstance(exc.value, dict):
            known = (exc.definition or {}).get("properties", {})
            extra = sorted(str(k) for k in exc.value if k not in known)
            if extra:
                path = (*path, extra[0])
                message = f"unknown field (allowed: {', '.join(sorted(known))})"
        raise scenario.error(path, message) from None


def _typed_path(data: Any, parts: list[str]) -> Path:
    typed: list[str | int] = []
    node = data
    for part in parts:
        if isinstance(node, list) and str(part).isdigit():
            typed.append(int(part))
            node = node[int(part)] if int(part) < len(node) else None
        else:
            typed.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(typed)


def load(text: str, source: str = "<scenario>", services: MockServices | None = None) -> Scenario:
    """Parse and check completely; the first problem raises ScenarioError."""
    scenario = parse(text, source)
    schema_check(scenario)
    _check_moments(scenario)
    for index, vendor in enumerate(scenario.data["vendors"]):
        _check_vendor(scenario, ("vendors", index), vendor)
    _check_vendor_ids(scenario, services)
    return scenario


def _check_moments(scenario: Scenario) -> None:
    places: list[tuple[Path, Any]] = [(("clock",), scenario.data.get("clock"))]
    places += [(("vendors", i, "clock"), v.get("clock")) for i, v in enumerate(scenario.data["vendors"])]
    for path, value in places:
        if value is None:
            continue
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if not 2000 <= moment.year <= 2100:
            raise scenario.error(path, "the clock must be between the years 2000 and 2100")


def _check_vendor_ids(scenario: Scenario, services: MockServices | None) -> None:
    seen: set[str] = set()
    for index, vendor in enumerate(scenario.data["vendors"]):
        vendor_id = vendor.get("vendorId") or (services.settings.default_vendor_id if services else "")
        if vendor_id in seen:
            raise scenario.error(("vendors", index, "vendorId"), f"vendor {vendor_id} is listed twice")
        seen.add(vendor_id)
        existing = services.vendors.get(vendor_id) if services else None
        for key in ("accessKey", "secretKey"):
            if existing is not None and key in vendor and vendor[key] != existing[key]:
                raise scenario.error(("vendors", index, key), f"vendor {vendor_id} already exists with another {key}")


def _aliases(scenario: Scenario, path: Path, entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        name = alias(entry, index)
        if "id" in entry and name in found:
            raise scenario.error((*path, index, "id"), f"id {name!r} is used twice")
        found[name] = entry
    return found


def _refer(scenario: Scenario, path: Path, known: dict[str, Any], what: str) -> Any:
    value = _get(scenario.data, path)
    if str(value) not in known:
        names = ", ".join(sorted(known)) or "none"
        raise scenario.error(path, f"no {what} with id {value!r} (known: {names})")
    return known[str(value)]


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _status(scenario: Scenario, path: Path, lifecycle: Lifecycle, declared: str, starts: tuple[str, ...] = ()) -> None:
    problem = unreachable(lifecycle, declared, starts)
    if problem:
        raise scenario.error((*path, "status"), problem)


def _check_vendor(scenario: Scenario, path: Path, vendor: dict[str, Any]) -> None:
    centers = vendor.get("centers") or {}
    outbound = _aliases(scenario, (*path, "centers", "outbound"), centers.get("outbound", []))
    returns = _aliases(scenario, (*path, "centers", "return"), centers.get("return", []))
    products = _aliases(scenario, (*path, "products"), vendor.get("products", []))
    orders = _aliases(scenario, (*path, "orders"), vendor.get("orders", []))
    for index, product in enumerate(vendor.get("products", [])):
        here = (*path, "products", index)
        if "outbound" in product:
            _refer(scenario, (*here, "outbound"), outbound, "outbound center")
        if "returnCenter" in product:
            _refer(scenario, (*here, "returnCenter"), returns, "return center")
        _status(scenario, here, PRODUCT, product.get("status", "approved"))
    for index, order in enumerate(vendor.get("orders", [])):
        here = (*path, "orders", index)
        for line_index in range(len(order["items"])):
            _check_line(scenario, (*here, "items", line_index), products)
        _status(scenario, here, ORDER, order.get("status", "ACCEPT"))
        if order.get("confirmed") and order.get("status") != "FINAL_DELIVERY":
            raise scenario.error((*here, "confirmed"), "a purchase is confirmed after delivery: status FINAL_DELIVERY")
    for kind, lifecycle in (("returns", RETURN), ("exchanges", EXCHANGE)):
        _aliases(scenario, (*path, kind), vendor.get(kind, []))
        for index, claim in enumerate(vendor.get(kind, [])):
            here = (*path, kind, index)
            _refer(scenario, (*here, "order"), orders, "order")
            for line_index in range(len(claim.get("items", []))):
                _check_line(scenario, (*here, "items", line_index), products)
            default = "RETURNS_UNCHECKED" if kind == "returns" else "RECEIPT"
            _status(scenario, here, lifecycle, claim.get("status", default), _claim_start(kind, orders, claim))
    _aliases(scenario, (*path, "inquiries"), vendor.get("inquiries", []))
    for index, inquiry in enumerate(vendor.get("inquiries", [])):
        _check_inquiry(scenario, (*path, "inquiries", index), inquiry, products, orders)


def _claim_start(kind: str, orders: dict[str, dict[str, Any]], claim: dict[str, Any]) -> tuple[str, ...]:
    """A "return" of an acknowledged, unshipped order is the buyer's cancel: a stop-shipment receipt."""
    if kind == "returns":
        return (receipt_start(orders[str(claim["order"])].get("status", "ACCEPT")),)
    return ()


def _check_line(scenario: Scenario, path: Path, products: dict[str, dict[str, Any]]) -> None:
    product = _refer(scenario, (*path, "product"), products, "product")
    line = _get(scenario.data, path)
    options = len(product.get("options") or [product])
    if line.get("option", 0) >= options:
        raise scenario.error((*path, "option"), f"product {line['product']!r} has {options} option(s), counted from 0")
    if not _approved(product):
        raise scenario.error((*path, "product"), f"product {line['product']!r} is not approved: it cannot be ordered")


def _approved(product: dict[str, Any]) -> bool:
    return product.get("status", "approved") in ("approved", "APPROVED")


def _check_inquiry(
    scenario: Scenario,
    path: Path,
    inquiry: dict[str, Any],
    products: dict[str, dict[str, Any]],
    orders: dict[str, dict[str, Any]],
) -> None:
    if "product" in inquiry:
        _check_line(scenario, path, products)
    if "order" in inquiry:
        _refer(scenario, (*path, "order"), orders, "order")
    kind = inquiry.get("kind", cs.ONLINE)
    if kind == cs.ONLINE and "product" not in inquiry and "order" not in inquiry:
        raise scenario.error(path, "a product question (kind ONLINE) needs product or order")
    lifecycle = ONLINE_INQUIRY if kind == cs.ONLINE else CALL_CENTER_INQUIRY
    _status(scenario, path, lifecycle, inquiry.get("status", lifecycle.machine.initial or cs.REQUEST_ANSWER))


# ---------------------------------------------------------------- applying


def apply(services: MockServices, scenario: Scenario) -> dict[str, Any]:
    """Build every vendor's section; on a refused step restore the vendors and raise ScenarioError."""
    _check_vendor_ids(scenario, services)
    entries = scenario.data["vendors"]
    vendor_ids = [entry.get("vendorId") or services.settings.default_vendor_id for entry in entries]
    backups = {v: snapshots.export(services, v) for v in vendor_ids if services.vendors.get(v) is not None}
    try:
        built = [_build_vendor(services, scenario, index, v) for index, v in enumerate(vendor_ids)]
    except StepFailed as failure:
        _roll_back(services, vendor_ids, backups)
        raise scenario.error(failure.path, failure.message) from None
    except Exception:
        _roll_back(services, vendor_ids, backups)
        raise
    return {"name": scenario.data.get("name", scenario.source), "vendors": built}


def _build_vendor(services: MockServices, scenario: Scenario, index: int, vendor_id: str) -> dict[str, Any]:
    entry = scenario.data["vendors"][index]
    record = services.vendors.get(vendor_id) or services.vendors.create(
        services.clock.now(), vendor_id, entry.get("accessKey"), entry.get("secretKey")
    )
    if scenario.data.get("reset", True):
        services.reset(vendor_id)
    moment = entry.get("clock") or scenario.data.get("clock")
    if moment:
        services.clock.set(datetime.fromisoformat(moment.replace("Z", "+00:00")), vendor_id)
    built = VendorBuilder(Actor(services, vendor_id), ("vendors", index)).build(entry)
    for order in built["orders"].values():
        order.pop("lines", None)
    return {
        "vendorId": vendor_id,
        "accessKey": record["accessKey"],
        "secretKey": record["secretKey"],
        "now": services.clock.now(vendor_id).isoformat(),
        **{kind: ids for kind, ids in built.items() if ids},
    }


def _roll_back(services: MockServices, vendor_ids: list[str], backups: dict[str, dict[str, Any]]) -> None:
    for vendor_id in vendor_ids:
        if vendor_id in backups:
            snapshots.restore(services, vendor_id, backups[vendor_id])
        else:
            services.reset(vendor_id)  # created by this scenario: left empty (vendors are never deleted)


def summary_lines(built: dict[str, Any], per_kind: int = 20) -> list[str]:
    """What `serve --scenario` prints: the ids a user passes to `coupang-mock trigger` (first few per kind)."""
    lines = []
    for vendor in built["vendors"]:
        lines.append(f"scenario {built['name']}: vendor {vendor['vendorId']} at {vendor['now'][:19]}Z")
        for kind, singular in SINGULAR.items():
            entries = list(vendor.get(kind, {}).items())
            for name, ids in entries[:per_kind]:
                shown = " ".join(f"{k}={_flat(v)}" for k, v in ids.items())
                lines.append(f"  {singular:9} {name:14} {shown}")
            if len(entries) > per_kind:
                lines.append(f"  … and {len(entries) - per_kind} more {kind} (POST /_mock/scenarios answers them all)")
    return lines


SINGULAR = {
    "products": "product",
    "orders": "order",
    "returns": "return",
    "exchanges": "exchange",
    "inquiries": "inquiry",
}


def _flat(value: Any) -> str:
    """A list as a,b; a missing id (an option not approved yet) as -."""
    if isinstance(value, list):
        return ",".join(_flat(v) for v in value)
    return "-" if value is None else str(value)


# ---------------------------------------------------------------- files and packaged examples


def example_names() -> list[str]:
    return sorted(p.name[: -len(".yaml")] for p in _examples().iterdir() if p.name.endswith(".yaml"))


def _examples() -> Any:
    try:
        return resources.files(EXAMPLES_PACKAGE)
    except ModuleNotFoundError:  # a plain source checkout without the package mapping
        return FilePath(__file__).resolve().parent.parent / "examples"


def read_source(name_or_path: str) -> tuple[str, str]:
    """(text, source) of a file path, or of a packaged example by name ("seller-day")."""
    path = FilePath(name_or_path)
    if path.is_file():
        return path.read_text(encoding="utf-8"), str(path)
    name = name_or_path[: -len(".yaml")] if name_or_path.endswith(".yaml") else name_or_path
    if name in example_names():
        return _examples().joinpath(f"{name}.yaml").read_text("utf-8"), f"{name}.yaml"
    raise ScenarioError(
        name_or_path, 0, "(file)", f"no such file, and no example of that name ({', '.join(example_names())})"
    )


def run(services: MockServices, text: str, source: str) -> dict[str, Any]:
    return apply(services, load(text, source, services))
