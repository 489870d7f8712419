"""Progress of a long run on the terminal: one rewritten line on a TTY, plain lines in CI logs."""

from __future__ import annotations

from typing import TextIO


class ProgressPrinter:
    """Called as progress(kind, name, done, total, verdict) by the contract runner."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, width: int = 24) -> None:
        self._stream = stream
        self._tty = stream.isatty() if tty is None else tty
        self._width = width
        self._open_line = False

    def __call__(self, kind: str, name: str, done: int, total: int, verdict: str) -> None:
        label = "operations" if kind == "operation" else "stateful models"
        if self._tty:
            filled = self._width * done // max(total, 1)
            bar = "#" * filled + "." * (self._width - filled)
            text = f"[{bar}] {done}/{total} {label}: {name} {verdict or '…'}"
            self._stream.write("\r\x1b[2K" + text[:160])
            self._open_line = True
            if done == total and verdict:
                self._end_line()
        elif verdict:  # CI logs: one line per finished item, nothing while it runs
            self._stream.write(f"[{done}/{total}] {label[:-1] if label.endswith('s') else label} {name}: {verdict}\n")
        self._stream.flush()

    def note(self, text: str) -> None:
        self._end_line()
        self._stream.write(f"note: {text}\n")
        self._stream.flush()

    def done(self) -> None:
        self._end_line()

    def _end_line(self) -> None:
        if self._open_line:
            self._stream.write("\n")
            self._open_line = False
