"""A state machine drawn as SVG, server-side: states in columns by distance from the initial state,
every edge of the table as an arrow, the edges this process has run highlighted with their count."""

from __future__ import annotations

from collections import deque
from html import escape
from typing import Any

from ..domains.fsm import StateMachine

COL_W, ROW_H, BOX_W, BOX_H, PAD = 300, 78, 170, 34, 24


def _columns(machine: StateMachine) -> dict[str, int]:
    """Breadth-first depth from the initial state (or the states nothing leads to)."""
    targets = {t for _s, _e, t in machine.edges() if t}
    starts = [machine.initial] if machine.initial else [s for s in machine.states if s not in targets]
    depth: dict[str, int] = {}
    queue = deque((s, 0) for s in (starts or machine.states[:1]))
    while queue:
        state, d = queue.popleft()
        if state in depth:
            continue
        depth[state] = d
        queue.extend((t, d + 1) for s, _e, t in machine.edges() if s == state and t not in depth)
    last = max(depth.values(), default=0)
    for state in machine.states:
        depth.setdefault(state, last + 1)  # unreachable from the start: a column of their own
    return depth


def _positions(machine: StateMachine) -> dict[str, tuple[float, float]]:
    columns = _columns(machine)
    loops: dict[str, int] = {}
    for source, _event, target in machine.edges():
        if source == target:
            loops[source] = loops.get(source, 0) + 1
    top = PAD + 12 + 12 * max(loops.values(), default=0)  # room for the stacked self-loop labels
    rows: dict[int, int] = {}
    placed: dict[str, tuple[float, float]] = {}
    for state in machine.states:
        col = columns[state]
        row = rows.get(col, 0)
        rows[col] = row + 1
        placed[state] = (PAD + col * COL_W, top + row * ROW_H)
    return placed


def machine_svg(machine: StateMachine, counts: dict[tuple[str, str, str], int]) -> str:
    """`counts[(from, event, to)]` = how often the edge ran; uncovered edges are dashed grey."""
    pos = _positions(machine)
    width = max(x for x, _ in pos.values()) + BOX_W + PAD + 70  # labels of loops on the last column
    height = max(y for _, y in pos.values()) + BOX_H + PAD + 20
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="machine" data-machine="{escape(machine.name)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>',
    ]
    pair_seen: dict[tuple[str, str], int] = {}
    for source, event, target in machine.edges():
        parts.append(_edge(pos, source, event, target, counts.get((source, event, target), 0), pair_seen))
    for state, (x, y) in pos.items():
        cls = (
            "state"
            + (" initial" if state == machine.initial else "")
            + (" terminal" if state in machine.terminal else "")
        )
        parts.append(
            f'<g class="{cls}"><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="8"/>'
            f'<text x="{x + BOX_W / 2:.0f}" y="{y + BOX_H / 2 + 4:.0f}" text-anchor="middle">{escape(state)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _edge(
    pos: dict[str, tuple[float, float]],
    source: str,
    event: str,
    target: str,
    count: int,
    pair_seen: dict[tuple[str, str], int],
) -> str:
    cls = "edge covered" if count else "edge"
    title = f"<title>{escape(source)} —{escape(event)}→ {escape(target)}: {count}×</title>"
    label = escape(event) + (f" ({count})" if count else "")
    (sx, sy), (tx, ty) = pos[source], pos[target]
    nth = pair_seen.get((source, target), 0)
    pair_seen[(source, target)] = nth + 1
    if source == target:  # a self-loop above the box, stacked when there are several
        x, y = sx + BOX_W - 30 - nth * 8, sy
        lift = 16 + nth * 10
        path = f"M{x:.0f},{y:.0f} C{x - 20:.0f},{y - lift:.0f} {x + 30:.0f},{y - lift:.0f} {x + 14:.0f},{y:.0f}"
        lx, ly = x + 18, y - lift - 2 - nth * 2
    else:
        x1, y1 = sx + BOX_W, sy + BOX_H / 2
        x2, y2 = tx, ty + BOX_H / 2
        if tx <= sx:  # backwards or same column: leave from the bottom, arrive at the bottom
            x1, y1, x2, y2 = sx + BOX_W / 2, sy + BOX_H, tx + BOX_W / 2 + 10, ty + BOX_H
        bend = 18 * nth
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - bend + (30 if tx <= sx else 0)
        path = f"M{x1:.0f},{y1:.0f} Q{mx:.0f},{my:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = (x1 + 2 * mx + x2) / 4, (y1 + 2 * my + y2) / 4 - 3  # the quadratic curve's midpoint
    return (
        f'<g class="{cls}" data-edge="{escape(source)}|{escape(event)}|{escape(target)}">{title}'
        f'<path d="{path}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle">{label}</text></g>'
    )


def coverage_counts(report: dict[str, Any], name: str) -> dict[tuple[str, str, str], int]:
    """From /_mock/transitions' report to the (from, event, to) → count map of one machine."""
    edges = (report.get(name) or {}).get("edges", [])
    return {(e["from"], e["event"], e["to"]): int(e["count"]) for e in edges}
