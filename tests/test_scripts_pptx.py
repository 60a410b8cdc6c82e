"""The PowerPoint deck in right-to-left (Arabic) and CJK (Chinese) editions: direction, alignment,
font slots, language tags, emphasis and line breaking, read through the XML the way PowerPoint
resolves it (a paragraph's own properties, then its shape's list style, its layout's and its
master's placeholder, then the master's text styles or the presentation's defaults).

The brief is built once in English, Arabic and Chinese, with pseudo-translations (tests/pseudo.py)
and one bullet given an emphasis, an acronym and a UN symbol."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pseudo import fill

from icat_reports.cli import main
from icat_reports.deck import SLIDE

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
BULLET = "Plan one *joint* training with UNODC under A/RES/61/180"
TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("scripts")
    content = base / "brief"
    shutil.copytree(BRIEF, content)
    handout = content / "handout.yaml"
    text = handout.read_text("utf-8")
    assert "Plan one joint training this year" in text
    handout.write_text(text.replace("Plan one joint training this year", BULLET), "utf-8")
    assert main(["translations", "ar", "zh", "--content", str(content)]) == 0
    for language in ("ar", "zh"):
        fill(content / "translations" / f"{language}.po", language)
    out = base / "out"
    assert main(["handout", "--lang", "all", "--content", str(content), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def decks(out) -> dict:
    return {"en": Presentation(str(out / "handout.pptx")),
            "ar": Presentation(str(out / "ar" / "handout.pptx")),
            "zh": Presentation(str(out / "zh" / "handout.pptx"))}


# -- what is in effect -------------------------------------------------------------------

def _level(list_style, level: int):
    return None if list_style is None else list_style.find(f"a:lvl{level + 1}pPr", NS)


def _master_style(master, kind):
    styles = master.element.find("p:txStyles", NS)
    name = "titleStyle" if kind in TITLES else "bodyStyle" if kind in BODIES else "otherStyle"
    return styles.find(f"p:{name}", NS)


def _chain(prs, shape, level: int) -> list:
    """The pPr-like elements a paragraph of this level in shape inherits from, nearest first."""
    own = shape._element.find(".//p:txBody/a:lstStyle", NS)
    if own is None:
        own = shape._element.find(".//a:lstStyle", NS)
    chain = [_level(own, level)]
    if not shape.is_placeholder:  # a text box: its own list style, then the presentation's
        return chain + [_level(prs.part._element.find("p:defaultTextStyle", NS), level)]
    kind = shape.placeholder_format.type
    layout_ph = shape._base_placeholder
    master_ph = layout_ph._base_placeholder if layout_ph is not None else None
    for ph in (layout_ph, master_ph):
        if ph is not None:
            chain.append(_level(ph._element.find(".//a:lstStyle", NS), level))
    master = prs.slide_master
    chain.append(_level(_master_style(master, kind), level))
    return chain


def in_effect(prs, shape, paragraph, attribute: str, child: str | None = None):
    """The value PowerPoint uses for the paragraph's attribute (or its a:defRPr child's)."""
    ppr = paragraph._p.find("a:pPr", NS)
    level = int(ppr.get("lvl", "0")) if ppr is not None else 0
    candidates = ([ppr] if ppr is not None and child is None else []) + _chain(prs, shape, level)
    for element in candidates:
        if element is None:
            continue
        if child is not None:
            element = element.find(f"a:defRPr/{child}", NS)
            if element is None:
                continue
        if element.get(attribute) is not None:
            return element.get(attribute)
    return None


def text_paragraphs(prs):
    """(slide, shape, paragraph) for every paragraph with text on the slides."""
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    if paragraph.text.strip():
                        yield slide, shape, paragraph


def runs(prs, notes: bool = True):
    parts = [s.part for s in prs.slides] + ([s.notes_slide.part for s in prs.slides if s.has_notes_slide]
                                            if notes else [])
    for part in parts:
        yield from part._element.iter(f"{{{NS['a']}}}r", f"{{{NS['a']}}}fld")


def theme(part) -> etree._Element:
    """A master's theme (python-pptx reads the slide master's as bytes, the notes master's as XML)."""
    theme_part = part.part_related_by(RT.THEME)
    return theme_part._element if hasattr(theme_part, "_element") else etree.fromstring(theme_part.blob)


# -- Arabic --------------------------------------------------------------------------------

def test_arabic_paragraphs_are_right_to_left_and_aligned_right(decks):
    prs = decks["ar"]
    kinds = set()
    for slide, shape, paragraph in text_paragraphs(prs):
        where = (slide.slide_id, shape.name, paragraph.text[:30])
        assert in_effect(prs, shape, paragraph, "rtl") == "1", where
        if shape.is_placeholder and shape.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER:
            assert in_effect(prs, shape, paragraph, "algn") == "l", where  # mirrored: on the left
        else:
            assert in_effect(prs, shape, paragraph, "algn") == "r", where
        kinds.add(shape.placeholder_format.type if shape.is_placeholder else shape.name)
    # titles, the title slide's, bullets, the subtitle, the footer and number, the text boxes
    assert {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.FOOTER,
            PP_PLACEHOLDER.SLIDE_NUMBER, "Footnote"} <= kinds, kinds
    assert kinds & {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}


def test_arabic_styles_the_master_defaults_and_notes_right_to_left(decks):
    prs = decks["ar"]
    styles = [prs.slide_master.element.find("p:txStyles", NS), prs.part._element.find("p:defaultTextStyle", NS),
              prs.notes_master.element.find("p:notesStyle", NS)]
    for style in styles:
        levels = style.findall(".//a:lvl1pPr", NS) + style.findall(".//a:lvl5pPr", NS)
        assert levels and all(lvl.get("rtl") == "1" and lvl.get("algn") == "r" for lvl in levels)
    # bullets keep their hanging indent, read from the right edge in an RTL paragraph
    body = prs.slide_master.element.find("p:txStyles/p:bodyStyle/a:lvl1pPr", NS)
    assert int(body.get("marL")) > 0 and int(body.get("indent")) == -int(body.get("marL"))
    # the notes pages' text: the notes master's style applies, no paragraph says otherwise
    notes = [s.notes_slide for s in prs.slides if s.has_notes_slide]
    assert notes
    for page in notes:
        for paragraph in page.notes_text_frame.paragraphs:
            ppr = paragraph._p.find("a:pPr", NS)
            assert ppr is None or ppr.get("rtl") in (None, "1") and ppr.get("algn") in (None, "r")
    for ph in prs.notes_master.placeholders:
        if ph.placeholder_format.type == PP_PLACEHOLDER.BODY:
            assert not ph._element.findall(".//a:lstStyle/*", NS)


def test_arabic_footer_and_columns_are_mirrored(decks):
    prs, g = decks["ar"], SLIDE
    master = {ph.placeholder_format.type: ph for ph in prs.slide_master.placeholders}
    footer, number = master[PP_PLACEHOLDER.FOOTER], master[PP_PLACEHOLDER.SLIDE_NUMBER]
    assert number.left < footer.left and footer.left + footer.width == round((g.margin_x + g.body_width) * 12700)
    english = {ph.placeholder_format.type: ph for ph in decks["en"].slide_master.placeholders}
    assert english[PP_PLACEHOLDER.FOOTER].left < english[PP_PLACEHOLDER.SLIDE_NUMBER].left
    two = next(layout for layout in prs.slide_layouts if layout.name == "Two Content")
    first, second = (ph for ph in two.placeholders if ph.placeholder_format.idx in (1, 2))
    assert first.left > second.left  # the first column is on the right


def test_arabic_takes_a_complex_script_font(decks):
    prs = decks["ar"]
    styles = prs.slide_master.element.find("p:txStyles", NS)
    assert styles.find("p:titleStyle/a:lvl1pPr/a:defRPr/a:cs", NS).get("typeface") == "+mj-cs"
    assert styles.find("p:bodyStyle/a:lvl1pPr/a:defRPr/a:cs", NS).get("typeface") == "+mn-cs"
    for part in (prs.slide_master.part, prs.notes_master.part):
        fonts = theme(part).find(".//a:fontScheme", NS)
        assert {e.get("typeface") for e in fonts.iterfind("*/a:cs", NS)} == {"Arial"}
        assert {e.get("typeface") for e in fonts.iterfind("*/a:font[@script='Arab']", NS)} == {"Arial"}
    for slide, shape, paragraph in text_paragraphs(prs):
        assert in_effect(prs, shape, paragraph, "typeface", "a:cs") in ("+mn-cs", "+mj-cs"), shape.name


def test_arabic_keeps_latin_acronyms_and_symbols_in_order(decks):
    text = "\n".join(p.text for _, _, p in text_paragraphs(decks["ar"]))
    line = next(line for line in text.splitlines() if "A/RES/61/180" in line)
    assert "UNODC" in line and re.search("[\u0600-\u06ff]", line)
    assert "\u200e" not in text and "\u202a" not in text  # nothing is reordered by hand


# -- Chinese -------------------------------------------------------------------------------

def test_chinese_takes_an_east_asian_font_and_line_breaking(decks):
    prs = decks["zh"]
    styles = prs.slide_master.element.find("p:txStyles", NS)
    assert styles.find("p:titleStyle/a:lvl1pPr/a:defRPr/a:ea", NS).get("typeface") == "+mj-ea"
    assert styles.find("p:bodyStyle/a:lvl1pPr/a:defRPr/a:ea", NS).get("typeface") == "+mn-ea"
    for part in (prs.slide_master.part, prs.notes_master.part):
        fonts = theme(part).find(".//a:fontScheme", NS)
        assert {e.get("typeface") for e in fonts.iterfind("*/a:ea", NS)} == {"Microsoft YaHei"}
    for slide, shape, paragraph in text_paragraphs(prs):
        assert in_effect(prs, shape, paragraph, "typeface", "a:ea") in ("+mn-ea", "+mj-ea"), shape.name
        # East Asian rules for the first and last characters of a line: no 。，at a line start
        assert in_effect(prs, shape, paragraph, "eaLnBrk") == "1", shape.name
        assert in_effect(prs, shape, paragraph, "rtl") in (None, "0")
        if not (shape.is_placeholder and shape.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER):
            assert in_effect(prs, shape, paragraph, "algn") in ("l", None)


def test_chinese_emphasis_is_bold_never_italic(decks):
    def emphasis(prs):
        return next(p for _, _, p in text_paragraphs(prs) if "A/RES/61/180" in p.text).runs
    english = emphasis(decks["en"])
    assert [r.text for r in english if r.font.italic] == ["joint"]
    chinese = emphasis(decks["zh"])
    marked = [r for r in chinese if r.font.bold]
    assert len(marked) == 1 and re.fullmatch("[\u4e00-\u9fff]+", marked[0].text)
    for run in runs(decks["zh"]):
        rpr = run.find("a:rPr", NS)
        assert rpr is None or rpr.get("i") in (None, "0")
    # nor from a style
    for element in decks["zh"].slide_master.element.iter(f"{{{NS['a']}}}defRPr"):
        assert element.get("i") in (None, "0")


# -- languages -----------------------------------------------------------------------------

@pytest.mark.parametrize("language, tag", [("ar", "ar-EG"), ("zh", "zh-CN")])
def test_every_run_says_its_language(decks, language, tag):
    prs = decks[language]
    assert prs.core_properties.language == language
    default = prs.part._element.find("p:defaultTextStyle/a:defPPr/a:defRPr", NS)
    assert default.get("lang") == tag
    checked = 0
    for run in runs(prs):
        rpr = run.find("a:rPr", NS)
        assert rpr is not None and rpr.get("lang") == tag and rpr.get("altLang") == "en-US"
        checked += 1
    assert checked > 20


def test_the_english_deck_is_left_to_right_in_the_default_language(decks):
    prs = decks["en"]
    for part in [prs.part, prs.slide_master.part, prs.notes_master.part, *(s.part for s in prs.slides),
                 *(layout.part for layout in prs.slide_layouts)]:
        assert 'rtl="1"' not in etree.tostring(part._element).decode()
    styles = prs.slide_master.element.find("p:txStyles", NS)
    assert styles.find("p:bodyStyle/a:lvl1pPr/a:defRPr/a:cs", NS) is None
    assert styles.find("p:bodyStyle/a:lvl1pPr/a:defRPr/a:ea", NS) is None
    fonts = theme(prs.slide_master.part).find(".//a:fontScheme", NS)
    assert {e.get("typeface") for e in fonts.iterfind("*/a:cs", NS)} | \
        {e.get("typeface") for e in fonts.iterfind("*/a:ea", NS)} == {""}
    assert prs.part._element.find("p:defaultTextStyle/a:defPPr/a:defRPr", NS).get("lang") == "en-US"
    for run in runs(prs, notes=False):
        if run.tag.endswith("}r"):
            assert run.find("a:rPr", NS) is None or run.find("a:rPr", NS).get("lang") is None
    for slide, shape, paragraph in text_paragraphs(prs):
        assert in_effect(prs, shape, paragraph, "rtl") in (None, "0")


# -- what LibreOffice draws ----------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_draws_the_arabic_body_lines_flush_right(out, tmp_path):
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out / "ar" / "handout.pptx")],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "handout.pdf"
    subprocess.run(["pdftotext", "-bbox-layout", str(pdf), str(tmp_path / "boxes.html")], check=True)
    tree = etree.parse(str(tmp_path / "boxes.html"), etree.HTMLParser(encoding="utf-8"))
    g = SLIDE
    right = g.margin_x + g.body_width
    body, bullets = [], []
    for page in tree.iter("page"):
        scale = float(page.get("width")) / g.width
        for line in page.iter("line"):
            words = list(line.iter("word"))
            top, x_max = float(line.get("ymin")) / scale, float(line.get("xmax")) / scale
            if g.body_top <= top < g.footer_top - 4 and any(re.search("[\u0600-\u06ff]", w.text) for w in words):
                body.append((x_max, "".join(w.text for w in words)))
            bullets += [float(w.get("xmin")) / scale for w in words if w.text == "•"]
    assert len(body) > 15 and len(bullets) >= 5
    # the bullets hang at the right edge, where each line starts
    assert all(x >= right - g.bullet_indent for x in bullets), bullets
    # each line ends at the right edge of the body, or inside it by the bullet's hanging indent
    for x_max, text in body:
        assert right - g.bullet_indent - g.sub_indent - 2 <= x_max <= right + 2, (x_max, text)
    flush = sum(1 for x_max, _ in body if abs(x_max - right) <= 2)
    assert flush >= len(body) // 2


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                    reason="LibreOffice (soffice) or poppler is not installed")
def test_libreoffice_draws_the_chinese_with_a_cjk_font_and_no_line_opens_with_punctuation(out, tmp_path):
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out / "zh" / "handout.pptx")],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "handout.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "YaHei" in fonts, fonts  # a font with the ideographs: no tofu
    subprocess.run(["pdftotext", "-bbox-layout", str(pdf), str(tmp_path / "boxes.html")], check=True)
    tree = etree.parse(str(tmp_path / "boxes.html"), etree.HTMLParser(encoding="utf-8"))
    lines = ["".join(w.text for w in line.iter("word")) for line in tree.iter("line")]
    chinese = [line for line in lines if re.search("[\u4e00-\u9fff]", line)]
    assert len(chinese) > 20
    assert not [line for line in chinese if line[0] in "，。、；：！？）》」』”’"], chinese
