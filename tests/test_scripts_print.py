"""Right to left (Arabic) and CJK (Chinese) in the HTML page, the report PDF and the handout's
slides and notes PDFs, read back from real builds of the brief (tests/fixtures/brief) with
pseudo-translations (tests/pseudo.py): the language and direction the outputs declare, where
the text and the bullets stand on the page, which font prints each script, where Chinese lines
break, and that English stays as it was."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest

from pseudo import fill

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
PT_PER_MM = 72 / 25.4
A4_WIDTH = 595.28
MARGIN = 37 * PT_PER_MM          # theme.yaml: page.margin_left_mm and margin_right_mm
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# Closing punctuation and the marks UAX #14 never lets start a Chinese line.
NO_LINE_START = "，。、；：！？）》」』】〕〉”’"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The brief built in English, Arabic and Chinese (pseudo-translated), once for the module."""
    base = tmp_path_factory.mktemp("scripts")
    content = base / "brief"
    shutil.copytree(BRIEF, content)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1292198400"}
    python = sys.executable
    for language in ("ar", "zh"):
        subprocess.run([python, "build.py", "translations", language, "--content", str(content)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        fill(content / "translations" / f"{language}.po", language)
    out = base / "out"
    done = subprocess.run([python, "build.py", "pdf", "html", "handout", "--lang", "all",
                           "--content", str(content), "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def folder(out: Path, language: str) -> Path:
    """Where the build put an edition: the source language (English) at the top."""
    return out if language == "en" else out / language


def report(out: Path, language: str) -> Path:
    return next(p for p in folder(out, language).glob("*.pdf") if not p.name.startswith("handout"))


def lines(pdf: Path, first: int | None = None, last: int | None = None) -> list[dict]:
    """Every line pdftotext finds: page, its box, its text and the blocks it belongs to."""
    args = ["pdftotext", "-bbox-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    xml = subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=first or 1):
        for b, block in enumerate(page.iter("{http://www.w3.org/1999/xhtml}block")):
            for line in block.iter("{http://www.w3.org/1999/xhtml}line"):
                words = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
                found.append({"page": number, "block": (number, b), "text": " ".join(words),
                              **{k: float(line.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")}})
    return found


def fonts_and_chars(pdf: Path) -> dict[str, set[str]]:
    """Each font of the PDF (its base name, subset tag removed) and the characters its
    ToUnicode map gives, i.e. the characters printed in that font."""
    chars: dict[str, set[str]] = defaultdict(set)
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font" or "/ToUnicode" not in obj:
                continue
            name = str(obj.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
            cmap = obj.ToUnicode.read_bytes().decode("latin-1")
            for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for _, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
                    chars[name] |= set(bytes.fromhex(dst).decode("utf-16-be", "replace"))
            for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
                    start = int(dst, 16)
                    chars[name] |= {chr(start + i) for i in range(int(hi, 16) - int(lo, 16) + 1)}
    return chars


def pdffonts(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [row.split() for row in text.splitlines()[2:] if row.strip()]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# -- the language and the direction the outputs declare ----------------------------------

@pytest.mark.parametrize("language, direction", [("ar", "rtl"), ("zh", "ltr"), ("en", "ltr")])
def test_html_declares_its_language_and_direction(built, language, direction):
    page = next(folder(built, language).glob("*.html")).read_text("utf-8")
    assert f'<html lang="{language}" dir="{direction}">' in page


@pytest.mark.parametrize("language", ["ar", "zh", "en"])
def test_every_pdf_declares_its_language(built, language):
    for pdf in sorted(folder(built, language).glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            assert str(doc.Root.get("/Lang")) == language, pdf.name


# -- Arabic: right to left ---------------------------------------------------------------

def _paragraph_blocks(pdf: Path, script: re.Pattern, pages=range(4, 7)) -> list[list[dict]]:
    """Paragraphs of at least two body lines in the script, on the report's body pages: runs
    of lines one body line-height apart (11 pt at 1.5; list items and table rows stand
    further apart). pdftotext's own blocks are a line each in right-to-left text."""
    body = [l for l in lines(pdf, pages.start, pages.stop - 1)
            if script.search(l["text"]) and l["yMin"] > 70 and l["yMax"] < 760]
    blocks, current = [], []
    for line in body:
        if current and line["page"] == current[-1]["page"] and 15.5 < line["yMin"] - current[-1]["yMin"] < 17.5:
            current.append(line)
        else:
            current = [line]
            blocks.append(current)
    return [b for b in blocks if len(b) >= 2]


def test_arabic_paragraphs_align_right_with_ragged_left_edges(built):
    blocks = _paragraph_blocks(report(built, "ar"), ARABIC)
    assert blocks, "no Arabic paragraph of two lines or more"
    right_margin = A4_WIDTH - MARGIN
    at_margin = [b for b in blocks if all(abs(line["xMax"] - right_margin) < 1.5 for line in b)]
    # Body paragraphs end their lines at the right margin; their left edges are ragged.
    assert len(at_margin) >= 3, [(b[0]["text"][:30], [round(l["xMax"], 1) for l in b]) for b in blocks]
    for block in at_margin:
        assert max(line["xMin"] for line in block) - min(line["xMin"] for line in block) > 5
    # No Arabic line starts at the left margin as left-aligned text would.
    flush_left = [l for b in blocks for l in b if abs(l["xMin"] - MARGIN) < 1 and abs(l["xMax"] - right_margin) > 20]
    assert not flush_left, flush_left[:3]


def test_arabic_running_header_is_mirrored(built):
    # The section name at the right (where Arabic lines start), the running title at the left:
    # each box ends at its margin (a title too long for its box runs on past it, clipped).
    head = [l for l in lines(report(built, "ar"), 5) if l["yMax"] < 70]
    assert len(head) == 2, head
    left, right = sorted(head, key=lambda l: l["xMin"])
    assert abs(right["xMax"] - (A4_WIDTH - MARGIN)) < 1.5
    assert left["xMin"] < MARGIN + 1.5 and left["xMax"] < A4_WIDTH / 2 + 20
    assert "ICAT" in left["text"]  # the running title names the publisher; the section does not


def test_latin_acronyms_keep_their_order_inside_arabic_lines(built):
    text = pdf_text(report(built, "ar"))
    assert "ICAT/BRIEF/03" in text
    assert "TAIC" not in text and "03/FEIRB/TACI" not in text


def _bullet_pixels(png: Path, colour: tuple[int, int, int], top: float, bottom: float, scale: float):
    from PIL import Image
    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    found = []
    for y in range(int(top * scale), min(height, int(bottom * scale))):
        for x in range(width):
            if all(abs(a - b) < 40 for a, b in zip(pixels[x, y], colour)):
                found.append(x / scale)
    return found


def test_slide_bullets_stand_on_the_right_in_arabic(built, tmp_path):
    from icat_reports.deck import SLIDE
    from icat_reports.theme import load_theme
    accent = load_theme(ROOT / "templates").rgb("accent")
    checked = 0
    for language in ("ar", "en"):
        pdf = folder(built, language) / "handout-slides.pdf"
        prefix = tmp_path / language
        subprocess.run(["pdftoppm", "-r", "36", "-png", str(pdf), str(prefix)], check=True)
        xs = []
        pages = sorted(tmp_path.glob(f"{language}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for png in pages[1:]:  # the title slide has no bullets, and its stripe is the accent colour
            xs += _bullet_pixels(png, accent, SLIDE.body_top, SLIDE.body_bottom, 0.5)
        assert xs, f"no bullets found in the {language} slides"
        bullet_zone = SLIDE.bullet_indent + 4
        if language == "ar":
            assert min(xs) > SLIDE.width - SLIDE.margin_x - bullet_zone, min(xs)
        else:
            assert max(xs) < SLIDE.margin_x + bullet_zone, max(xs)
        checked += 1
    assert checked == 2


def test_arabic_slide_text_is_right_aligned(built):
    from icat_reports.deck import SLIDE
    right = SLIDE.width - SLIDE.margin_x
    body = [l for l in lines(folder(built, "ar") / "handout-slides.pdf")
            if ARABIC.search(l["text"]) and SLIDE.body_top < l["yMin"] < SLIDE.body_bottom]
    assert body
    # A bullet's text ends at the bullet's indent from the right edge, other text at the edge.
    ends = {round(right - l["xMax"]) for l in body}
    assert ends <= {0, 1, round(SLIDE.bullet_indent), round(SLIDE.bullet_indent) - 1,
                    round(SLIDE.bullet_indent + SLIDE.sub_indent),
                    round(SLIDE.bullet_indent + SLIDE.sub_indent) - 1} | {e for e in ends if e > 400}, ends


def test_arabic_notes_handout_has_slides_on_the_right(built):
    # The slides placed into the mirrored frames: each form XObject's placement is on the right.
    with pikepdf.open(folder(built, "ar") / "handout-notes.pdf") as doc:
        page = doc.pages[0]
        content = page.obj.Contents.read_bytes() if not isinstance(page.obj.Contents, pikepdf.Array) else \
            b"".join(c.read_bytes() for c in page.obj.Contents)
    placements = re.findall(rb"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/Slide\d+ Do", content)
    assert len(placements) == 3, "no slides placed"
    from icat_reports.render.handout import SHEET
    for sx, sy, x, y in placements:
        # The slide's right edge at the frame's, inside the right page margin.
        right = float(x) + float(sx) * 960
        assert abs(right - (A4_WIDTH - SHEET.margin_x - SHEET.frame_left)) < 1, placements


# -- fonts: every one embedded and subset, each script in its own font -----------------

@pytest.mark.parametrize("language", ["ar", "zh"])
def test_fonts_embedded_subset_and_from_the_theme(built, language):
    for pdf in sorted(folder(built, language).glob("*.pdf")):
        rows = pdffonts(pdf)
        assert rows, pdf.name
        for row in rows:
            name, emb, sub = row[0], row[-5], row[-4]
            assert (emb, sub) == ("yes", "yes"), (pdf.name, row)
            assert "DejaVu" not in name, (pdf.name, name)
            assert name.split("+", 1)[-1].startswith(("Noto-Sans", "NotoSans")), (pdf.name, name)


def test_arabic_letters_are_printed_in_noto_sans_arabic(built):
    for pdf in sorted(folder(built, "ar").glob("*.pdf")):
        fonts = fonts_and_chars(pdf)
        printed = set(ARABIC.findall(pdf_text(pdf)))
        assert printed, pdf.name
        arabic_fonts = {n for n in fonts if "Arabic" in n}
        assert arabic_fonts, (pdf.name, sorted(fonts))
        for name, chars in fonts.items():
            if name not in arabic_fonts:
                assert not {c for c in chars if ARABIC.match(c)}, (pdf.name, name)
        # Every Arabic letter shown has a glyph of the Arabic font (the text it copies back to).
        covered = set().union(*(fonts[n] for n in arabic_fonts))
        assert printed <= covered, (pdf.name, printed - covered)


def test_chinese_is_printed_in_noto_sans_cjk_sc(built):
    for pdf in sorted(folder(built, "zh").glob("*.pdf")):
        fonts = fonts_and_chars(pdf)
        printed = {c for c in pdf_text(pdf) if "\u4e00" <= c <= "\u9fff"}
        assert printed, pdf.name
        cjk_fonts = {n for n in fonts if "CJK-SC" in n}
        assert cjk_fonts, (pdf.name, sorted(fonts))
        for name, chars in fonts.items():
            if name not in cjk_fonts:
                assert not {c for c in chars if "\u4e00" <= c <= "\u9fff"}, (pdf.name, name)
        assert printed <= set().union(*(fonts[n] for n in cjk_fonts)), pdf.name
        # The CJK font comes first: Chinese punctuation is the CJK font's, full width.
        assert {"，", "。"} & set().union(*(fonts[n] for n in cjk_fonts)), pdf.name


# -- Chinese: line breaking and emphasis -------------------------------------------------

def test_no_chinese_line_starts_with_closing_punctuation(built):
    checked = 0
    for pdf in sorted(folder(built, "zh").glob("*.pdf")):
        for line in lines(pdf):
            text = line["text"].lstrip()
            if CJK.search(text):
                checked += 1
                assert text[:1] not in NO_LINE_START, (pdf.name, line["page"], text[:20])
    assert checked > 50


def _computed(page: Path, html_extra: str, tag: str):
    """The computed style of the first `tag` element in the page with html_extra added."""
    import weasyprint
    html = page.read_text("utf-8").replace("</main>", html_extra + "</main>", 1)
    document = weasyprint.HTML(string=html, base_url=str(ROOT / "templates") + "/").render()

    def walk(box):
        if getattr(box, "element_tag", None) == tag:
            return box
        for child in getattr(box, "children", ()):
            found = walk(child)
            if found is not None:
                return found
        return None
    for page_ in document.pages:
        found = walk(page_._page_box)
        if found is not None:
            return found.style
    raise AssertionError(f"no <{tag}> laid out")


def test_chinese_emphasis_is_bold_not_slanted(built):
    style = _computed(next(folder(built, "zh").glob("*.html")), '<p id="t">这是<em>强调</em>的字。</p>', "em")
    assert style["font_style"] == "normal"
    assert style["font_weight"] >= 700
    # English keeps its italics.
    style = _computed(next(folder(built, "en").glob("*.html")), '<p id="t">An <em>emphasised</em> word.</p>', "em")
    assert style["font_style"] == "italic"


# -- English as it was -------------------------------------------------------------------

def test_english_report_reads_left_to_right(built):
    pdf = report(built, "en")
    blocks = _paragraph_blocks(pdf, re.compile(r"[A-Za-z]{3}"))
    at_margin = [b for b in blocks if all(abs(line["xMin"] - MARGIN) < 1.5 for line in b)]
    assert len(at_margin) >= 3
    head = sorted((l for l in lines(pdf, 5) if l["yMax"] < 70), key=lambda l: l["xMin"])
    assert abs(head[0]["xMin"] - MARGIN) < 1.5 and "ICAT" in head[-1]["text"]
    assert {row[0].split("+", 1)[-1] for row in pdffonts(pdf)} <= {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic"}
