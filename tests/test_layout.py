"""The printed report reads well: pages read back from the PDF (pdftotext -bbox-layout).

- every page but the cover, the imprint and the back cover is at least a fifth full;
- no page ends with a heading;
- body text has a comfortable measure: 60 to 75 characters a line;
- the contents' leader dots stand in columns, whatever the width of the page number.

for the ICAT review and for the issue brief (tests/fixtures/brief).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from icat_reports import tree
from icat_reports.cli import load, main
from icat_reports.theme import load_theme
from pdf_layout import Page, characters_per_line, pages

MM = 72 / 25.4
THEME = load_theme(ROOT / "templates")
BRIEF = ROOT / "tests" / "fixtures" / "brief"


@pytest.fixture(scope="module")
def brief_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brief")
    assert main(["pdf", "--content", str(BRIEF), "--out", str(out)]) == 0
    return out


def publications(report_dir, brief_dir):
    return [(load(ROOT / "content")[0], report_dir / "analytical-review.pdf"),
            (load(BRIEF)[0], next(brief_dir.glob("*.pdf")))]


@pytest.fixture(scope="module")
def printed(report_dir, brief_dir):
    """(document tree, its PDF's pages) of both publications."""
    return [(document, pages(pdf)) for document, pdf in publications(report_dir, brief_dir)]


def text_area(page: Page) -> tuple[float, float]:
    top = THEME.page["margin_top_mm"] * MM
    return top, page.height - THEME.page["margin_bottom_mm"] * MM


def content_lines(page: Page):
    """The lines of the page's text area, without the notes at its foot (set small)."""
    top, bottom = text_area(page)
    small = THEME.sizes["small_pt"]
    return [line for block in page.blocks for line in block.lines
            if line.y0 >= top - 1 and line.y1 <= bottom + 1 and line.size > small + 0.5]


def exempt(document, pdf_pages: list[Page]) -> set[int]:
    """The cover, the imprint after it and, when there is a contact, the back cover."""
    numbers = {1, 2}
    if document.contact is not None:
        numbers.add(len(pdf_pages))
    return numbers


def test_every_page_is_at_least_a_fifth_full(printed):
    for document, pdf_pages in printed:
        skip = exempt(document, pdf_pages)
        for page in pdf_pages:
            if page.number in skip:
                continue
            top, bottom = text_area(page)
            lines = content_lines(page)
            fill = (max(line.y1 for line in lines) - top) / (bottom - top) if lines else 0
            assert fill >= 0.2, f"{document.content.title}: page {page.number} is {fill:.0%} full"


def _headings(document) -> set[str]:
    labels = document.content.labels
    titles = {tree.plain(s.title) for s in document.walk()}
    titles |= {tree.plain(b.title) for s in document.walk() for b in tree.iter_blocks(s.blocks)
               if isinstance(b, tree.Box)}
    titles |= {labels.gaps, labels.recommendations, labels.contents}
    return {" ".join(t.split()).casefold() for t in titles}


def test_no_page_ends_with_a_heading(printed):
    for document, pdf_pages in printed:
        headings = _headings(document)
        for page in pdf_pages[:-1]:
            lines = sorted(content_lines(page), key=lambda line: line.y1)
            if not lines:
                continue
            last = " ".join(lines[-1].text.split()).casefold()
            # A heading of two lines ends with its second line: the end of its title.
            ends = [h for h in headings if h == last or (len(last) > 3 and h.endswith(" " + last))]
            assert not ends, f"{document.content.title}: page {page.number} ends with the heading {ends[0]!r}"


def test_body_text_has_sixty_to_seventy_five_characters_a_line(printed):
    left = THEME.page["margin_left_mm"] * MM
    for document, pdf_pages in printed:
        right = pdf_pages[0].width - THEME.page["margin_right_mm"] * MM
        mean, count = characters_per_line(pdf_pages, THEME.sizes["body_pt"], left, right)
        assert count >= 5, f"{document.content.title}: too few lines of body text found ({count})"
        assert 60 <= mean <= 75, f"{document.content.title}: {mean:.1f} characters a line"


def test_contents_leader_dots_stand_in_columns(printed):
    """The dots of every entry of the contents page line up with those of the others: each
    dot's position from the page's left edge is a whole number of repeats from the others'."""
    for document, pdf_pages in printed:
        page = next(p for p in pdf_pages if any(document.content.labels.contents in b.text for b in p.blocks))
        import subprocess
        words = subprocess.run(["pdftotext", "-bbox", "-f", str(page.number), "-l", str(page.number),
                                str(publications_pdf(document)), "-"], capture_output=True, text=True).stdout
        rows: dict[int, list[float]] = {}
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>\.</word>', words):
            rows.setdefault(round(float(m.group(2))), []).append(float(m.group(1)))
        rows = {y: xs for y, xs in rows.items() if len(xs) > 3}
        assert len(rows) >= 5, "too few lines of leader dots found"
        steps = sorted(b - a for xs in rows.values() for a, b in zip(xs, xs[1:]))
        step = steps[len(steps) // 2]
        phases = [(xs[0] / step) % 1 for xs in rows.values()]
        assert max(phases) - min(phases) < 0.05, f"the leader dots do not line up: {phases}"


_PDFS: dict[str, Path] = {}


def publications_pdf(document) -> Path:
    return _PDFS[document.content.title]


@pytest.fixture(scope="module", autouse=True)
def _remember(report_dir, brief_dir):
    for document, pdf in publications(report_dir, brief_dir):
        _PDFS[document.content.title] = pdf
