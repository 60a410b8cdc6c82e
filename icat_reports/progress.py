"""What a long build is doing, as it goes: a progress bar on a terminal, and one line per
format as it is rendered when a build makes several languages.

A build renders every format of every language before it writes any (a refused build writes
nothing), so the "wrote" lines come at the end; for the source language alone they follow the
rendering within a second or two, but six languages take ten seconds or more. The bar goes to
stderr and only to a terminal, redrawn in place and erased when the build ends, so that logs
and pipes see plain lines only."""

from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, total: int, lines: bool, out=None, err=None):
        self.total, self.count, self.lines = total, 0, lines
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.started = time.perf_counter()
        self.bar = _is_terminal(self.err) and total > 1
        self.width = 0
        if self.bar:
            self._draw("starting")

    def done(self, what: str, seconds: float | None = None) -> None:
        """One format of one language rendered (what: 'fr: handout')."""
        self.count += 1
        if self.lines:
            self._clear()
            took = f" ({seconds:.1f} s)" if seconds is not None else ""
            print(f"rendered {what}{took}", file=self.out, flush=True)
        if self.bar:
            self._draw(what)

    def close(self) -> None:
        self._clear()

    def _draw(self, what: str) -> None:
        columns = _columns(self.err)
        cells = 24
        filled = round(cells * self.count / self.total) if self.total else cells
        elapsed = time.perf_counter() - self.started
        line = f"[{'#' * filled}{'.' * (cells - filled)}] {self.count}/{self.total}  {elapsed:4.1f} s  {what}"
        line = line[:max(10, columns - 1)]
        self.err.write("\r" + line + " " * max(0, self.width - len(line)))
        self.err.flush()
        self.width = len(line)

    def _clear(self) -> None:
        if self.bar and self.width:
            self.err.write("\r" + " " * self.width + "\r")
            self.err.flush()
            self.width = 0


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _columns(stream) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, AttributeError, ValueError):
        columns = 0
    return columns if columns >= 20 else 80  # 0: a terminal that does not say
