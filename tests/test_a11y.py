"""Accessibility of the report: its PDF, HTML and Word outputs, built once per module and read
back as a screen reader, axe-core and Word's accessibility checker would (icat_reports.a11y);
the checkers themselves are tested on small files that break each rule."""

from __future__ import annotations

import base64
import io
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader
from weasyprint import HTML

from icat_reports import a11y, cli
from icat_reports.engines.pdftags import write_tagged_pdf
from seed_facts import REPORT_FACTS, missing

PROJECT = Path(__file__).resolve().parent.parent
AREAS = ["Prevention", "Protection", "Prosecution", "Partnerships"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a11y")
    assert cli.main(["html", "pdf", "docx", "--content", str(PROJECT / "content"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def document():
    return cli.load_document(PROJECT / "content")


@pytest.fixture(scope="module")
def content(document):
    return document.content


@pytest.fixture(scope="module")
def pdf_path(built) -> Path:
    return built / "analytical-review.pdf"


# -- reading a tagged PDF as a screen reader does -------------------------------------------

def _kids(element):
    kids = element.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def structure(path) -> list[tuple[str, int]]:
    """Every structure element as (type, depth), in reading order."""
    found = []

    def walk(element, depth):
        found.append((str(element.S), depth))
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, depth + 1)
    with pikepdf.open(path) as pdf:
        for top in _kids(pdf.Root.StructTreeRoot):
            walk(top, 0)
    return found


def read_aloud(path) -> tuple[str, str]:
    """The text of the structure tree in its order (what a screen reader reads), and the text
    of artifacts (what it skips)."""
    by_mcid, artifacts = defaultdict(str), []
    for index, page in enumerate(PdfReader(path).pages):
        stack = []

        def before(op, args, cm, tm):
            if op in (b"BDC", b"BMC"):
                props = args[1] if op == b"BDC" and len(args) > 1 else None
                stack.append((str(args[0]), props.get("/MCID") if hasattr(props, "get") else None))
            elif op == b"EMC" and stack:
                stack.pop()

        def text(t, cm, tm, font, size):
            if any(tag == "/Artifact" for tag, _ in stack):
                artifacts.append(t)
            else:
                mcid = next((m for _, m in reversed(stack) if m is not None), None)
                by_mcid[(index, mcid)] += t
        page.extract_text(visitor_operand_before=before, visitor_text=text)

    spoken = []
    with pikepdf.open(path) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}

        def walk(element, page):
            page = pages[element.Pg.objgen] if "/Pg" in element else page
            for kid in _kids(element):
                if isinstance(kid, int):
                    spoken.append(by_mcid[(page, int(kid))])
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    spoken.append(by_mcid[(pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID))])
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, page)
        for top in _kids(pdf.Root.StructTreeRoot):
            walk(top, None)
    return " ".join(spoken), " ".join(artifacts)


# -- PDF ------------------------------------------------------------------------------------

def test_pdf_passes_the_checker(pdf_path):
    assert a11y.check_pdf(pdf_path) == []


def test_pdf_is_pdf_ua_with_language_title_and_bookmarks(pdf_path, content, document):
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.Root.Lang) == content.language
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert bool(pdf.Root.MarkInfo.Marked)
        meta = pdf.open_metadata()
        assert meta["dc:title"].startswith(content.title)
        assert meta["pdfuaid:part"] == "1"
        with pdf.open_outline() as outline:
            def titles(items):
                for item in items:
                    yield item.title
                    yield from titles(item.children)
            found = list(titles(outline.root))
        assert found[0] == content.title
        assert {*(s.plain_title for s in document.walk()), *AREAS} <= set(found)


def test_pdf_structure_mirrors_the_html(pdf_path):
    tree = structure(pdf_path)
    kinds = Counter(kind for kind, _ in tree)
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 6 and kinds["/H3"] >= 10 and kinds["/H4"] == 8
    assert kinds["/L"] >= 10 and kinds["/LI"] >= 50 and kinds["/LBody"] == kinds["/LI"]
    # One members table with its caption and one header row; one element per HTML element,
    # not one per page (main runs over eight pages, yet is one Part).
    assert kinds["/Table"] == 1 and kinds["/THead"] == 1 and kinds["/Caption"] == 1
    assert kinds["/TH"] >= 4 and kinds["/TD"] >= 3 * (kinds["/TH"] - 4)
    assert kinds["/Part"] == 1
    assert kinds["/Link"] >= 20
    assert kinds["/Figure"] == 0  # no images in the report; the checker requires /Alt on any
    # The one footnote: its call a Reference, the note a Note with an ID and its number as Lbl,
    # read right after the call, in the paragraph; the footnote area leaves no loose element.
    assert kinds["/Note"] == kinds["/Reference"] == 1
    # The cover, the imprint, the contents, the text and the back cover.
    assert [kind for kind, depth in tree if depth == 1] == ["/NonStruct", "/Sect", "/NonStruct", "/Part", "/NonStruct"]
    at = next(i for i, (kind, _) in enumerate(tree) if kind == "/Reference")
    assert next(kind for kind, depth in tree[at + 1:] if depth <= tree[at][1]) == "/Note"


def test_pdf_footnote_is_read_after_its_call_and_has_an_id(pdf_path):
    spoken, _ = read_aloud(pdf_path)
    spoken = " ".join(spoken.split())
    assert re.search(r"participating organizations ?1 ?1\. ?The organizations that took part in the Tokyo", spoken)
    with pikepdf.open(pdf_path) as pdf:
        notes = [e for e in pdf.objects if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Note"]
        assert len(notes) == 1 and str(notes[0].ID)
        assert str(notes[0].P.S) == "/P"


def test_pdf_reads_every_fact_and_skips_page_furniture(pdf_path, content):
    spoken, skipped = read_aloud(pdf_path)
    assert missing(spoken, REPORT_FACTS) == []
    pages = len(PdfReader(pdf_path).pages)
    assert f"Page 3 of {pages}" in " ".join(skipped.split())  # the cover and the imprint have none
    assert "Page 3 of" not in spoken and content.short_title not in spoken
    assert "....." not in spoken.replace(" ", "") and "....." in skipped.replace(" ", "")


def test_pdf_links_are_described_by_their_text(pdf_path, content, document):
    with pikepdf.open(pdf_path) as pdf:
        descriptions = {str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])}
    first = document.sections[0]
    assert first.plain_title in descriptions and first.id not in descriptions
    assert content.contact.email in descriptions
    assert not any(d.startswith("http") for d in descriptions)


def _long_document() -> str:
    from PIL import Image
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(png, "PNG")
    image = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
    rows = "".join(f"<tr><th scope='row'>R{i}</th><td>Value {i}</td></tr>" for i in range(60))
    items = "".join(f"<li>Item {i}</li>" for i in range(60))
    return f"""<!DOCTYPE html><html lang="en"><head><title>Long</title><style>
      @page {{ size: A6; margin: 20mm 10mm; @top-center {{ content: "Running head" }}
               @bottom-center {{ content: "Folio " counter(page) }} }}
      a::after {{ content: leader('.') ' 9' }}</style></head><body>
      <h1>Title</h1><p><a href="#t">Rows</a></p><img src="{image}" alt="A red rectangle">
      <h2>List</h2><ul>{items}</ul>
      <h2 id="t">Table</h2><table><caption>Rows</caption>
      <thead><tr><th scope="col">Row</th><th scope="col">Column A</th></tr></thead>
      <tbody>{rows}</tbody></table><p aria-hidden="true">Hidden furniture</p></body></html>"""


@pytest.fixture(scope="module")
def long_pdfs(tmp_path_factory) -> tuple[Path, Path]:
    """A list and a table over several pages: tagged by WeasyPrint alone, and mended."""
    out = tmp_path_factory.mktemp("long")
    raw, mended = out / "raw.pdf", out / "mended.pdf"
    raw.write_bytes(HTML(string=_long_document()).write_pdf(pdf_variant="pdf/ua-1"))
    mended.write_bytes(write_tagged_pdf(HTML(string=_long_document())))
    return raw, mended


def test_tagging_keeps_a_list_and_a_table_whole_across_pages(long_pdfs):
    raw, mended = long_pdfs
    assert len(PdfReader(mended).pages) >= 5
    raw_kinds = Counter(kind for kind, _ in structure(raw))
    assert raw_kinds["/L"] > 1 and raw_kinds["/Table"] > 1  # what WeasyPrint alone does
    kinds = Counter(kind for kind, _ in structure(mended))
    assert (kinds["/L"], kinds["/LI"]) == (1, 60)
    assert (kinds["/Table"], kinds["/THead"], kinds["/TBody"], kinds["/TR"]) == (1, 1, 1, 61)
    spoken, skipped = read_aloud(mended)
    assert spoken.count("Column A") == 1 and skipped.count("Column A") >= 3  # repeated header
    assert "Running head" not in spoken and "Folio" not in spoken and "Folio 3" in skipped
    assert "Hidden furniture" not in spoken and "Hidden furniture" in skipped  # aria-hidden
    assert re.search(r"Item 0\b.*Item 59\b.*R0\b.*Value 59", " ".join(spoken.split()))


def test_tagging_describes_and_places_a_figure(long_pdfs):
    _, mended = long_pdfs
    with pikepdf.open(mended) as pdf:
        figure, = [e for e in pdf.objects if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Figure"]
        assert str(figure.Alt) == "A red rectangle"
        x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
        assert (x2 - x1, y2 - y1) == pytest.approx((30, 22.5))     # 40 x 30 px is 30 x 22.5 pt
        assert 0 < y1 < y2 < float(pdf.pages[0].mediabox[3]) and x1 > 0  # on the page


def test_tagging_points_every_cell_to_its_headers(long_pdfs):
    _, mended = long_pdfs
    with pikepdf.open(mended) as pdf:
        cells = [e for e in pdf.objects if isinstance(e, pikepdf.Dictionary) and e.get("/S") in ("/TH", "/TD")]
        ids = {str(c.ID) for c in cells if c.S == "/TH"}
        headers = [str(h) for c in cells if c.S == "/TD" for h in c.A.Headers]
    assert len(headers) == 2 * 60 and set(headers) <= ids


def test_checker_finds_what_weasyprint_alone_leaves(long_pdfs, tmp_path):
    raw, mended = long_pdfs
    assert a11y.check_pdf(mended) == []
    findings = " | ".join(a11y.check_pdf(raw))
    assert "not in the structure tree" in findings and "no /Scope" in findings
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(HTML(string="<p>untitled").write_pdf())
    findings = a11y.check_pdf(plain)
    assert "not tagged: no structure tree" in findings and "no document language (/Lang)" in findings


# -- HTML -------------------------------------------------------------------------------------

def _needs_browser():
    if not shutil.which("node"):
        pytest.skip("node is not installed (the Makefile installs it; see README)")
    if not Path(a11y.CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {a11y.CHROMIUM} (the Makefile installs it)")
    # npm packages missing is a failure, not a skip: `make test` installs them.
    assert a11y.axe_available() is None, a11y.axe_available()


def test_html_has_no_axe_violations(built):
    _needs_browser()
    assert a11y.check_html(built / "analytical-review.html") == []


def test_axe_check_catches_violations(tmp_path):
    _needs_browser()
    page = tmp_path / "bad.html"
    page.write_text("""<!DOCTYPE html><html><head><title>Bad</title>
      <style>a:focus { outline: none } .wide { width: 600px }</style></head><body>
      <h1>Title</h1><h3>Skipped a level</h3><p style="color: #AAAAAA">Faint</p>
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="https://example.org/">Link</a>
      <table><tr><td>no header</td></tr></table><div class="wide">Wide</div></body></html>""")
    ids = {finding.split()[0] for finding in a11y.check_html(page)}
    assert {"color-contrast", "heading-order", "html-has-lang", "image-alt", "focus-visible",
            "skip-link", "reflow"} <= ids


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula():
    assert round(contrast("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast("#767676", "#FFFFFF"), 2) == 4.54  # the classic AA grey


def test_every_theme_text_colour_meets_wcag_aa_on_its_backgrounds():
    theme = yaml.safe_load((PROJECT / "templates" / "theme.yaml").read_text("utf-8"))
    colours, pairs = theme["colors"], theme["text_on"]
    low = [f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
           for bg, fgs in pairs.items() for fg in fgs if contrast(colours[fg], colours[bg]) < 4.5]
    assert low == []
    # Every colour of the theme is text, a background of text, or decoration named here.
    decoration = {"rule"}  # table borders and thin lines: no text on or in it
    used = set(pairs) | {fg for fgs in pairs.values() for fg in fgs}
    assert set(colours) - used == decoration


def test_report_stylesheet_takes_every_colour_from_the_theme():
    """So that the contrast test above sees every colour the HTML and PDF use."""
    css = (PROJECT / "templates" / "report.css").read_text("utf-8")
    assert re.findall(r"#[0-9A-Fa-f]{3,8}\b|rgba?\(|hsla?\(", css) == []


# -- Word ---------------------------------------------------------------------------------------

def test_docx_passes_the_checker(built, content):
    path = built / "analytical-review.docx"
    assert a11y.check_docx(path) == []
    document = docx.Document(str(path))
    assert document.core_properties.title == content.title
    assert document.tables and all(t._tbl.tblPr.find(a11y._w("tblCaption")) is not None
                                   for t in document.tables)


def test_docx_checker_catches_problems(tmp_path):
    from PIL import Image
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, "PNG")
    document = docx.Document()
    document.add_heading("One", 1)
    document.add_heading("Three", 3)
    document.add_table(rows=2, cols=2)
    document.add_picture(io.BytesIO(image.getvalue()))
    path = tmp_path / "bad.docx"
    document.save(str(path))
    findings = " | ".join(a11y.check_docx(path))
    for expected in ("no title in the document properties", "heading levels skip from level 1 to level 3",
                     "not marked as a header row", "no title or description",
                     "a picture has no alternative text"):
        assert expected in findings


# -- PowerPoint -----------------------------------------------------------------------------------

def _deck(tmp_path, *, good: bool) -> Path:
    image = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (4, 4), "blue").save(image, "PNG")
    prs = Presentation()
    prs.core_properties.title = "Deck" if good else ""
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only
    slide.shapes.title.text = "A title"
    picture = slide.shapes.add_picture(io.BytesIO(image.getvalue()), Inches(1), Inches(2))
    # python-pptx describes a picture by its file name, which tells a listener nothing.
    picture._element.nvPicPr.cNvPr.set("descr", "A blue square" if good else "image.png")
    if not good:
        prs.slides.add_slide(prs.slide_layouts[6])                    # Blank: no title
        prs.slides.add_slide(prs.slide_layouts[5])                    # title left empty
        late = prs.slides.add_slide(prs.slide_layouts[5])
        late.shapes.title.text = "Read last"
        box = late.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1))
        box.text_frame.text = "Read first"
        title = late.shapes.title._element
        late.shapes._spTree.remove(title)
        late.shapes._spTree.append(title)  # now last in the reading order
    path = tmp_path / ("good.pptx" if good else "bad.pptx")
    prs.save(str(path))
    return path


def test_pptx_checker_passes_a_good_deck(tmp_path):
    assert a11y.check_pptx(_deck(tmp_path, good=True)) == []


def test_pptx_checker_catches_problems(tmp_path):
    findings = " | ".join(a11y.check_pptx(_deck(tmp_path, good=False)))
    for expected in ("no title in the presentation properties", "slide 1: a picture's alternative text is a file name",
                     "slide 2: no title placeholder", "slide 3: the title placeholder is empty",
                     "slide 4: the title is not first in the reading order"):
        assert expected in findings


# -- the command ----------------------------------------------------------------------------------

def test_command_prints_one_line_per_output(built, long_pdfs, capsys):
    raw, _ = long_pdfs
    notes = built / "handout-notes.pdf"
    notes.write_bytes(HTML(string="<p>notes").write_pdf())
    status = a11y.main([str(built / "analytical-review.pdf"), str(built / "analytical-review.docx"),
                        str(notes), str(raw)])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[0].endswith("  OK") and lines[1].endswith("  OK")
    assert "OK (untagged on purpose" in lines[2]
    assert re.search(r"raw\.pdf +\d+ problems$", lines[3])
    assert all(line.startswith("    - ") for line in lines[4:]) and len(lines) > 4
