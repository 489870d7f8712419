"""Generate client/_generated.py from the bundled spec: one typed method per current operation.

    python -m coupang_mock.client.codegen          # rewrite client/_generated.py
    python -m coupang_mock.client.codegen --check  # exit 1 if the file is stale (the tests do the same)

Generated code, not runtime reflection, so that editors and type checkers see every method,
its keyword arguments and its docstring.

Naming: a method is named after the operationId with the family's own noun dropped
(`createSellerProduct` → `products.create`, `approveReturnRequest` → `returns.approve`); families
without one noun keep the whole operationId (`orders.list_ordersheets`). Older path versions
(`x-current-operation`) and PATCH twins (`x-handler`) get no method of their own: the current
method reaches them with `legacy=` / `patch=True`. A pageable operation also gets `<method>_all`,
a lazy iterator over every page.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coupang_mock.server import spec as spec_module

TARGET = Path(__file__).with_name("_generated.py")
PY_TYPES = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "object": "dict[str, Any]"}

# The family's noun, dropped from the operationId (first match only); families missing here keep
# whole names because their operations share no single noun (orders, logistics, cs, misc, settlement).
FAMILY_NOUNS: dict[str, tuple[str, ...]] = {
    "products": (r"SellerProducts?(?=[A-Z]|$)",),
    "returns": (r"ReturnRequests?(?=[A-Z]|$)", r"Return(?=[A-Z]|$)"),
    "exchanges": (r"ExchangeRequests?(?=[A-Z]|$)", r"Exchange(?=[A-Z]|$)"),
    "categories": (r"DisplayCategor(?:y|ies)(?=[A-Z]|$)", r"Category$"),
    "coupons": (r"Coupons?(?=[A-Z]|$)",),
}

# query parameter carrying the page position -> paging style understood by families.Pager
PAGING_PARAMS = {
    "nextToken": "nextToken",
    "token": "token",
    "pageIndex": "pageIndex",
    "pageNum": "page",
    "page": "page",
}

# Statuses every operation shares (gateway, throttle, time-outs): listed without their messages.
GENERIC_STATUSES = {"401", "403", "429", "504", "521"}
MAX_MESSAGES = 4
EXCEPTION_NAMES = {"401": "AuthError", "403": "AuthError", "404": "NotFoundError", "429": "RateLimitError"}


def snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    text = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", text)
    text = re.sub(r"[^0-9a-zA-Z_]", "_", text).lower()
    return f"{text}_" if keyword.iskeyword(text) else text


def short_name(tag: str, operation_id: str) -> str:
    """The method name: the operationId without the family's noun, in snake_case."""
    for pattern in FAMILY_NOUNS.get(tag, ()):
        shortened, count = re.subn(pattern, "", operation_id, count=1)
        if count and shortened:
            return snake(shortened)
    return snake(operation_id)


def family_class(tag: str) -> str:
    return "".join(part.title() for part in re.split(r"[^A-Za-z0-9]", tag) if part) + "Api"


def py_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "array":
        return f"list[{py_type(schema.get('items', {}))}]"
    enum = schema.get("enum")
    if kind == "string" and enum and all(isinstance(value, str) for value in enum):
        return f"Literal[{', '.join(repr(value) for value in enum)}]"
    return PY_TYPES.get(kind, "Any")


@dataclass
class Method:
    """One public method: the current operation plus the variants reachable through its options."""

    tag: str
    name: str
    current: spec_module.Operation
    # (api version or None, patch) -> operation
    variants: dict[tuple[str | None, bool], spec_module.Operation] = field(default_factory=dict)

    @property
    def versions(self) -> list[str]:
        return sorted({version for version, _ in self.variants if version})

    @property
    def has_patch(self) -> bool:
        return any(patch for _, patch in self.variants)

    @property
    def operations(self) -> list[spec_module.Operation]:
        return [self.variants[key] for key in sorted(self.variants, key=lambda k: (k[0] or "", k[1]))]

    @property
    def paging_param(self) -> str | None:
        names = [p["name"] for p in self.current.parameters if p.get("in") == "query"]
        return next((name for name in PAGING_PARAMS if name in names), None)


def current_of(op: spec_module.Operation) -> str:
    return str(op.raw.get("x-current-operation") or op.handler_id)


def variant_key(op: spec_module.Operation) -> tuple[str | None, bool]:
    legacy = bool(op.raw.get("x-current-operation"))
    return (str(op.raw.get("x-api-version")) if legacy else None, op.method == "PATCH" and op.is_alias)


def methods_of(operations: list[spec_module.Operation]) -> list[Method]:
    """Group operations into methods; raise if a name or a variant would be ambiguous."""
    methods: dict[str, Method] = {}
    for op in operations:
        if current_of(op) == op.operation_id:
            methods[op.operation_id] = Method(op.tag, short_name(op.tag, op.operation_id), op)
    for op in operations:
        target = methods.get(current_of(op))
        if target is None or target.tag != op.tag:
            raise SystemExit(f"{op.operation_id}: current operation {current_of(op)!r} missing in tag {op.tag}")
        key = variant_key(op)
        if key in target.variants:
            raise SystemExit(f"{op.operation_id} and {target.variants[key].operation_id} are the same variant")
        target.variants[key] = op
    names: dict[tuple[str, str], str] = {}
    for method in methods.values():
        for name in (method.name, f"{method.name}_all"):
            owner = names.setdefault((method.tag, name), method.current.operation_id)
            if owner != method.current.operation_id:
                raise SystemExit(f"{method.tag}.{name}: both {owner} and {method.current.operation_id}")
    return sorted(methods.values(), key=lambda m: (m.tag, m.name))


def _messages(document: dict[str, Any], response: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for media in spec_module.deref(document, response).get("content", {}).values():
        values = [e.get("value") for e in (media.get("examples") or {}).values()]
        if "example" in media:
            values.append(media["example"])
        for value in values:
            message = value.get("message") if isinstance(value, dict) else None
            if isinstance(message, str) and message and message not in found:
                found.append(message)
    return found


def _exception(status: str) -> str:
    if status in EXCEPTION_NAMES:
        return EXCEPTION_NAMES[status]
    return "ServerError" if status.startswith("5") else "ValidationError"


def _errors(document: dict[str, Any], op: spec_module.Operation) -> list[str]:
    lines: list[str] = []
    generic: list[str] = []
    for status, response in op.raw.get("responses", {}).items():
        status = str(status)
        if status.startswith("2"):
            continue
        if status in GENERIC_STATUSES:
            generic.append(status)
            continue
        description = " ".join(str(spec_module.deref(document, response).get("description", "")).split())
        lines.append(f"    {_exception(status)} ({status}): {description}")
        messages = _messages(document, response)
        lines += [f'        "{m}"' for m in messages[:MAX_MESSAGES]]
        if len(messages) > MAX_MESSAGES:
            lines.append(f"        … and {len(messages) - MAX_MESSAGES} more (see the spec)")
    if generic:
        lines.append(f"    Also HTTP {', '.join(generic)} (auth, 429 after retries, gateway time-outs).")
    return ["Errors (CoupangError subclasses with Coupang's code and message):", *lines] if lines or generic else []


def _doc(document: dict[str, Any], method: Method) -> list[str]:
    raw = method.current.raw
    title = f"{raw.get('x-name-ko', '')} — {raw.get('summary', '')}".strip(" —")
    lines = [title, "", f"{method.current.method} {method.current.path}"]
    lines.append(f"operationId: {method.current.operation_id}")
    if raw.get("deprecated"):
        lines.append("Deprecated: Coupang retired or is retiring this operation.")
    variants = [(key, op) for key, op in method.variants.items() if op is not method.current]
    if variants:
        lines += ["", "Other versions:"]
        for (version, patch), op in sorted(variants, key=lambda item: (item[0][0] or "", item[0][1])):
            option = ", ".join(
                part for part in (f"legacy={version!r}" if version else "", "patch=True" if patch else "") if part
            )
            note = " (deprecated)" if op.raw.get("deprecated") else ""
            lines.append(f"    {option}: {op.method} {op.path} [{op.operation_id}]{note}")
    errors = _errors(document, method.current)
    if errors:
        lines += ["", *errors]
    return [line.replace('"""', "'''").replace("\\", "\\\\") for line in lines]


def arguments(op: spec_module.Operation) -> list[tuple[dict[str, Any], str]]:
    """(parameter, keyword argument name) for every path/query parameter, required ones first."""
    return _arguments(list(op.parameters))


def _arguments(params: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    params = [p for p in params if p.get("in") in ("path", "query")]
    named: list[tuple[dict[str, Any], str]] = []
    seen: set[str] = set()
    # The seller's own vendorId is filled in by the client, so it goes last.
    for p in sorted(params, key=lambda p: (p["name"] == "vendorId", not p.get("required"), p["in"] != "path")):
        arg = snake(p["name"])
        if arg in seen or arg in {"self", "body", "legacy", "patch"}:
            arg = f"{p['in']}_{arg}"
        seen.add(arg)
        named.append((p, arg))
    return named


def method_arguments(method: Method) -> list[tuple[dict[str, Any], str]]:
    """Arguments of every variant (the current operation's definition first); required only where all require it."""
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for op in [method.current, *method.operations]:
        for p in op.parameters:
            params.setdefault((p["in"], p["name"]), p)
    required = {
        key
        for key in params
        if all(
            any((p["in"], p["name"]) == key and p.get("required") for p in op.parameters) for op in method.operations
        )
    }
    return _arguments([{**p, "required": key in required} for key, p in params.items()])


def _signature(method: Method, skip: str | None = None) -> tuple[list[str], list[str], str]:
    args: list[str] = []
    mapping: list[str] = []
    for p, arg in method_arguments(method):
        if p["in"] == "query" and p["name"] == skip:
            continue
        ptype = py_type(p.get("schema", {}))
        defaulted = not p.get("required") or p["name"] == "vendorId"
        args.append(f"{arg}: {ptype} | None = None" if defaulted else f"{arg}: {ptype}")
        mapping.append(f"({p['in']!r}, {p['name']!r}, {arg})")
    body_arg = "None"
    if any(op.request_schema is not None for op in method.operations):
        body_required = all(op.body_required for op in method.operations)
        args.append("body: Any" if body_required else "body: Any = None")
        body_arg = "body"
    if method.versions:
        choices = ", ".join(repr(v) for v in method.versions)
        args.append(f"legacy: bool | Literal[{choices}] = False")
    if method.has_patch:
        args.append("patch: bool = False")
    return args, mapping, body_arg


def _select(method: Method) -> str:
    legacy = "legacy" if method.versions else "False"
    patch = "patch" if method.has_patch else "False"
    return f"self._select({method.current.operation_id!r}, {legacy}, {patch})"


def _method(document: dict[str, Any], method: Method) -> list[str]:
    args, mapping, body_arg = _signature(method)
    signature = ", ".join(["self", "*", *args]) if args else "self"
    lines = [
        f"    def {method.name}({signature}) -> Any:",
        '        """'
        + "\n        ".join(_doc(document, method)).rstrip().replace("\n        \n", "\n\n")
        + '\n        """',
        f"        return self._call({_select(method)}, [{', '.join(mapping)}], {body_arg})",
    ]
    paging = method.paging_param
    if paging is None:
        return lines
    args, mapping, body_arg = _signature(method, skip=paging)
    signature = ", ".join(["self", "*", *args]) if args else "self"
    style = PAGING_PARAMS[paging]
    lines += [
        "",
        f"    def {method.name}_all({signature}) -> Pager:",
        f'        """{method.current.raw.get("x-name-ko", method.name)} — every item, page after page, fetched lazily.',
        "",
        f"        Same arguments as `{method.name}` without `{snake(paging)}` ({paging} paging); iterate the Pager",
        "        for the rows or call `.pages()` for each page with its raw response.",
        '        """',
        f"        return self._pager({_select(method)}, [{', '.join(mapping)}], {body_arg}, {style!r}, {paging!r})",
    ]
    return lines


def _operation_row(op: spec_module.Operation) -> str:
    params = tuple(
        (p["in"], p["name"], bool(p.get("required"))) for p in op.parameters if p.get("in") in ("path", "query")
    )
    return f"    {op.operation_id!r}: ({op.method!r}, {op.path!r}, {op.tag!r}, {params!r}, {bool(op.raw.get('deprecated'))}),"


def render(document: dict[str, Any]) -> str:
    operations = sorted(spec_module.iter_operations(document), key=lambda o: (o.tag, o.operation_id))
    methods = methods_of(operations)
    out = [
        '"""Generated by `python -m coupang_mock.client.codegen` from specs/ — do not edit by hand."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, Literal",
        "",
        "from .families import Family, Pager",
        "",
        "# operationId -> (HTTP method, path template, tag, ((in, name, required), ...), deprecated)",
        "OPERATIONS: dict[str, tuple[str, str, str, tuple[tuple[str, str, bool], ...], bool]] = {",
    ]
    out += [_operation_row(op) for op in operations]
    out += ["}", "", "# current operationId -> {(legacy version or None, patch): operationId}"]
    out.append("VARIANTS: dict[str, dict[tuple[str | None, bool], str]] = {")
    for method in methods:
        pairs = ", ".join(f"{key!r}: {op.operation_id!r}" for key, op in method.variants.items())
        out.append(f"    {method.current.operation_id!r}: {{{pairs}}},")
    out += ["}", "", "# operationId -> (family attribute, method name, options that reach it)"]
    out.append("METHODS: dict[str, tuple[str, str, dict[str, Any]]] = {")
    for method in methods:
        for (version, patch), op in method.variants.items():
            options: dict[str, Any] = {}
            if version:
                options["legacy"] = version
            if patch:
                options["patch"] = True
            out.append(f"    {op.operation_id!r}: ({snake(method.tag)!r}, {method.name!r}, {options!r}),")
    out += ["}", ""]
    tags = sorted({m.tag for m in methods})
    for tag in tags:
        out += ["", f"class {family_class(tag)}(Family):", f'    """Operations tagged `{tag}`."""', ""]
        for method in (m for m in methods if m.tag == tag):
            out += _method(document, method)
            out.append("")
    out += [
        "",
        "class Families:",
        '    """The family attributes of CoupangClient, declared for editors and type checkers."""',
        "",
    ]
    out += [f"    {snake(tag)}: {family_class(tag)}" for tag in tags]
    out += ["", "", "FAMILIES: dict[str, type[Family]] = {"]
    out += [f"    {snake(tag)!r}: {family_class(tag)}," for tag in tags]
    out += ["}", ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = render(spec_module.load_copy())
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("client/_generated.py is stale: run python -m coupang_mock.client.codegen")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
