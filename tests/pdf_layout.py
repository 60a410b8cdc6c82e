"""What a PDF's pages look like, read back with poppler's `pdftotext -bbox-layout`: each page's
blocks of lines of words with their boxes (in points), for the layout tests (test_layout.py).

A line's height is about 1.36 times its font size with Noto Sans, which tells body text from
headings (larger) and from notes, running headers and footers (smaller).
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

NS = "{http://www.w3.org/1999/xhtml}"
LINE_HEIGHT = 1.362  # a line's box height over its font size (Noto Sans)


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def size(self) -> float:
        """The font size of the line, in points, from its height."""
        return (self.y1 - self.y0) / LINE_HEIGHT


@dataclass
class Block:
    lines: list[Line]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def y1(self) -> float:
        return max(line.y1 for line in self.lines)


@dataclass
class Page:
    number: int
    width: float
    height: float
    blocks: list[Block] = field(default_factory=list)


def pages(pdf: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True).stdout
    out = []
    for n, page in enumerate(ET.fromstring(xml).iter(f"{NS}page"), 1):
        p = Page(n, float(page.get("width")), float(page.get("height")))
        for block in page.iter(f"{NS}block"):
            lines = []
            for line in block.iter(f"{NS}line"):
                words = [w.text or "" for w in line.iter(f"{NS}word")]
                lines.append(Line(*(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                                  " ".join(words)))
            if lines:
                p.blocks.append(Block(lines))
        out.append(p)
    return out


def body_lines(page: Page, body_pt: float, left: float) -> list[list[Line]]:
    """The page's paragraphs of body text: runs of lines in the body size that start at the
    text area's left edge (not list items, indented; not table cells; not headings or notes),
    each line right below the one before."""
    lines = sorted((line for block in page.blocks for line in block.lines
                    if abs(line.size - body_pt) < 0.25 and abs(line.x0 - left) < 1),
                   key=lambda line: line.y0)
    runs: list[list[Line]] = []
    for line in lines:
        if runs and 0 <= line.y0 - runs[-1][-1].y1 < 0.25 * body_pt:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def characters_per_line(pdf_pages: list[Page], body_pt: float, left: float,
                        right: float) -> tuple[float, int]:
    """The mean length of the lines of body paragraphs but their last (which ends short), and
    how many lines it is taken from. A run of short lines (an address) is not a paragraph: its
    lines end well before the right edge of the text area."""
    near = right - 0.2 * (right - left)
    lengths = [len(line.text) for page in pdf_pages for run in body_lines(page, body_pt, left)
               if all(line.x1 >= near for line in run[:-1]) for line in run[:-1]]
    return (sum(lengths) / len(lengths) if lengths else 0.0), len(lengths)
