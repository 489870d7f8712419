"""The gateway's router: a segment tree built from the spec's path templates.

werkzeug's Map compiles a regex and builder code per rule, which was a third of start-up for ~180 rules
and a second routing pass per request after Flask's own; this tree is built in a millisecond and matches
in one walk, literal segments before parameters (as werkzeug ranks them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


class RouteNotFound(Exception):
    pass


class MethodNotAllowed(Exception):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    # method → (endpoint, parameter names in path order)
    endpoints: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def _segments(path: str) -> list[str]:
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/") and trimmed:
        trimmed = trimmed[:-1]  # strict_slashes off: "/a/" is "/a"
    return trimmed.split("/") if trimmed else []


class Router:
    def __init__(self) -> None:
        self._root = _Node()

    def add(self, method: str, template: str, endpoint: str) -> None:
        """The first endpoint added for a (method, shape) wins, like werkzeug's first matching rule."""
        node, names = self._root, []
        for segment in _segments(template):
            if segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                node.param = node.param or _Node()
                node = node.param
            else:
                node = node.literals.setdefault(segment, _Node())
        node.endpoints.setdefault(method.upper(), (endpoint, tuple(names)))

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The highest-ranked template that matches path and method; 405 when only other methods match."""
        allowed: set[str] = set()
        for node, values in self._walk(self._root, _segments(path), 0, ()):
            target = node.endpoints.get(method.upper())
            if target is not None:
                endpoint, names = target
                return endpoint, dict(zip(names, values, strict=True))
            allowed.update(node.endpoints)
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise RouteNotFound(path)

    def _walk(
        self, node: _Node, segments: list[str], at: int, values: tuple[str, ...]
    ) -> Iterator[tuple[_Node, tuple[str, ...]]]:
        if at == len(segments):
            if node.endpoints:
                yield node, values
            return
        segment = segments[at]
        literal = node.literals.get(segment)
        if literal is not None:
            yield from self._walk(literal, segments, at + 1, values)
        if node.param is not None and segment:
            yield from self._walk(node.param, segments, at + 1, (*values, segment))
