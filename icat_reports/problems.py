"""Content problems: where in which file, what is wrong, in plain words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: {self.path}" if self.path else str(self.location)
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised once with every problem found, so an editor can fix them all in one go."""

    def __init__(self, problems: list[Problem], partial=None):
        self.problems = sorted(set(problems), key=lambda p: (p.location, p.path, p.message))
        # What validated of the content, its wrong values left out: the later checks run on it.
        self.partial = partial
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(parts: tuple) -> str:
    """('areas', 2, 'gaps', 0) -> 'areas[2].gaps[0]'."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text
