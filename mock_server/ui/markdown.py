"""A small Markdown renderer for the subset the spec's descriptions use (docs page).

Blocks: paragraphs, `-`/`*`/`1.` lists (nested by indentation), pipe tables, ``` fences, # headings.
Inline: `code`, **bold**, *emphasis*, [links](url) and bare http(s) URLs. Everything else is text:
the input is escaped first, so raw HTML in a description (`<group>`) shows as written, never as markup.
"""

from __future__ import annotations

import re
from html import escape

_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# `*word*` only: a lone `*` in prose (`*_PARALLEL_IMPORTED`, `5 * 2`) stays a star
_EM = re.compile(r"(?<![\w*])\*(?=[^\W_])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|/|#)[^)\s]*)\)")
_URL = re.compile(r"(?<![\"'=])\bhttps?://[^\s<>()\"']+[^\s<>()\"'.,;:]")
_ITEM = re.compile(r"^(\s*)([-*]|\d+[.)])\s+(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def inline(text: str) -> str:
    """One run of text to HTML; code spans are taken out first so nothing inside them is formatted."""
    out: list[str] = []
    last = 0
    for match in _CODE.finditer(text):
        out.append(_format(text[last : match.start()]))
        out.append(f"<code>{escape(match.group(2).strip())}</code>")
        last = match.end()
    out.append(_format(text[last:]))
    return "".join(out)


def _format(text: str) -> str:
    links: list[str] = []

    def keep(html: str) -> str:
        links.append(html)
        return f"\x00{len(links) - 1}\x00"

    html = escape(text, quote=False)
    html = _LINK.sub(lambda m: keep(f'<a href="{escape(m.group(2))}">{m.group(1)}</a>'), html)
    html = _URL.sub(lambda m: keep(f'<a href="{escape(m.group(0))}">{m.group(0)}</a>'), html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _EM.sub(r"<em>\1</em>", html)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], html)


def render(text: str | None) -> str:
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(_blocks(lines))


def _blocks(lines: list[str]) -> list[str]:
    html: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("```"):
            i = _fence(lines, i, html)
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and _RULE.match(lines[i + 1].strip()):
            i = _table(lines, i, html)
        elif _ITEM.match(line):
            i = _list(lines, i, html)
        elif re.match(r"^#{1,6}\s", line):
            level = min(len(line) - len(line.lstrip("#")) + 2, 6)  # inside an operation: h3 and below
            html.append(f"<h{level}>{inline(line.lstrip('#').strip())}</h{level}>")
            i += 1
        else:
            i = _paragraph(lines, i, html)
    return html


def _paragraph(lines: list[str], i: int, html: list[str]) -> int:
    start = i
    while (
        i < len(lines)
        and lines[i].strip()
        and not (i > start and (_ITEM.match(lines[i]) or lines[i].lstrip().startswith(("```", "|"))))
    ):
        i += 1
    html.append(f"<p>{inline(' '.join(line.strip() for line in lines[start:i]))}</p>")
    return i


def _fence(lines: list[str], i: int, html: list[str]) -> int:
    end = i + 1
    while end < len(lines) and not lines[end].lstrip().startswith("```"):
        end += 1
    html.append(f"<pre><code>{escape(chr(10).join(lines[i + 1 : end]))}</code></pre>")
    return end + 1


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table(lines: list[str], i: int, html: list[str]) -> int:
    head = "".join(f"<th>{inline(c)}</th>" for c in _cells(lines[i]))
    rows = []
    i += 2
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        rows.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in _cells(lines[i])) + "</tr>")
        i += 1
    html.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return i


def _list(lines: list[str], i: int, html: list[str]) -> int:
    """Items at the first item's indentation; deeper items and indented continuation lines belong to
    the item above (rendered recursively)."""
    first = _ITEM.match(lines[i])
    assert first is not None
    indent = len(first.group(1))
    tag = "ol" if first.group(2)[0].isdigit() else "ul"
    items: list[list[str]] = []
    while i < len(lines):
        line = lines[i]
        match = _ITEM.match(line)
        if match and len(match.group(1)) == indent:
            items.append([match.group(3)])
        elif line.strip() and items and (len(line) - len(line.lstrip()) > indent):
            items[-1].append(line[indent:])
        else:
            break
        i += 1
    html.append(f"<{tag}>" + "".join(_item(body) for body in items) + f"</{tag}>")
    return i


def _item(body: list[str]) -> str:
    """First line plus plain continuation lines are the item's text; a nested list follows."""
    text = [body[0]]
    rest = body[1:]
    while rest and not _ITEM.match(rest[0]):
        text.append(rest.pop(0).strip())
    nested = "".join(_blocks(rest)) if rest else ""
    return f"<li>{inline(' '.join(text))}{nested}</li>"
