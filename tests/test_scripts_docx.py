"""The Word file in Arabic (right to left) and Chinese (CJK): the brief built once per module
in English, Arabic and Chinese (pseudo-translations, tests/pseudo.py), with a sentence of
emphasis, strong words and Latin symbols added, and read back through its XML: direction in
the document defaults or on the paragraph, run, table and section; complex-script sizes,
bold and italic; the languages Word keys on; the East Asian font; no italics in Chinese
(emphasis by weight).
One test lays the Arabic file out with LibreOffice and looks at where its lines end."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from icat_reports import a11y, cli
from icat_reports.changes import Item, Piece, SectionChanges
from icat_reports.render import changes_docx, ooxml, word
from icat_reports.theme import load_theme
from pseudo import fill

PROJECT = Path(__file__).resolve().parent.parent
BRIEF = PROJECT / "tests" / "fixtures" / "brief"
BUILT = dt.datetime(2010, 12, 13, 9, 30, tzinfo=dt.timezone.utc)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W_NS}
ARABIC = re.compile("[\u0600-\u06ff]")
LATIN = re.compile("[A-Za-z]")
# Added to the brief: emphasis, strong words, acronyms and a symbol the translation keeps.
ADDED = (" The *first* service follows **General Assembly** resolution A/RES/61/180, as UNODC"
         " and ICAT (UNODC) recommend.")
ANCHOR = "a shelter, the police."


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """The brief, with the added sentence, and its Arabic and Chinese catalogs."""
    content = tmp_path_factory.mktemp("scripts") / "brief"
    shutil.copytree(BRIEF, content)
    outline = content / "report.yaml"
    text = outline.read_text("utf-8")
    assert ANCHOR in text
    outline.write_text(text.replace(ANCHOR, ANCHOR + ADDED), "utf-8")
    assert cli.main(["translations", "ar", "zh", "--content", str(content)]) == cli.EXIT_OK
    for language in ("ar", "zh"):
        fill(content / "translations" / f"{language}.po", language)
    return content


@pytest.fixture(scope="module")
def editions(content) -> dict[str, Path]:
    """{language: .docx} of the brief in English, Arabic and Chinese."""
    out = content.parent / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(BUILT.timestamp())))
        patch.setenv("ICAT_SOFFICE", "")  # no contents page numbers: not needed here
        assert cli.main(["docx", "--content", str(content), "--out", str(out)]) == cli.EXIT_OK
        for language in ("ar", "zh"):
            assert cli.main(["docx", "--lang", language, "--content", str(content),
                             "--out", str(out)]) == cli.EXIT_OK
    name = "icat-issue-brief.docx"
    return {"en": out / name, "ar": out / "ar" / name, "zh": out / "zh" / name}


class Package:
    """A .docx's parts as XML, and what the styles make of a paragraph or run."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            self.parts = {n: etree.fromstring(package.read(n)) for n in names
                          if re.match(r"word/(document|styles|footnotes|header\d*|footer\d*)\.xml$", n)}
        self.styles = {s.get(w("styleId")): s for s in self.parts["word/styles.xml"].iter(w("style"))}
        self.defaults = self.parts["word/styles.xml"].find("w:docDefaults", NS)
        self.stories = [x for n, x in self.parts.items() if n != "word/styles.xml"]

    def chain(self, style_id):
        """The style and those it is based on, nearest first."""
        seen = []
        while style_id and style_id in self.styles and style_id not in seen:
            seen.append(style_id)
            based = self.styles[style_id].find("w:basedOn", NS)
            style_id = based.get(w("val")) if based is not None else None
        return [self.styles[s] for s in seen]

    def default_paragraph_style(self):
        return next((s.get(w("styleId")) for s in self.styles.values()
                     if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true")), None)

    @staticmethod
    def _on(element) -> bool | None:
        if element is None:
            return None
        return element.get(w("val"), "true") not in ("0", "false", "off")

    def paragraph_flag(self, paragraph, name: str) -> bool:
        """A pPr flag (w:bidi) in effect: the paragraph's own, its style's, the defaults'."""
        own = paragraph.find(f"w:pPr/w:{name}", NS)
        if own is not None:
            return self._on(own)
        style = paragraph.find("w:pPr/w:pStyle", NS)
        for s in self.chain(style.get(w("val")) if style is not None else self.default_paragraph_style()):
            found = s.find(f"w:pPr/w:{name}", NS)
            if found is not None:
                return self._on(found)
        return bool(self._on(self.defaults.find(f"w:pPrDefault/w:pPr/w:{name}", NS)))

    def run_flag(self, run, name: str) -> bool:
        """An rPr flag (w:rtl, w:i) in effect: the run's, its character style's, its
        paragraph style's, the defaults'."""
        own = run.find(f"w:rPr/w:{name}", NS)
        if own is not None:
            return self._on(own)
        rstyle = run.find("w:rPr/w:rStyle", NS)
        paragraph = next(a for a in run.iterancestors() if a.tag == w("p"))
        pstyle = paragraph.find("w:pPr/w:pStyle", NS)
        chains = (self.chain(rstyle.get(w("val"))) if rstyle is not None else []) + self.chain(
            pstyle.get(w("val")) if pstyle is not None else self.default_paragraph_style())
        for s in chains:
            found = s.find(f"w:rPr/w:{name}", NS)
            if found is not None:
                return self._on(found)
        return bool(self._on(self.defaults.find(f"w:rPrDefault/w:rPr/w:{name}", NS)))

    def paragraphs(self):
        for story in self.stories:
            for paragraph in story.iter(w("p")):
                if paragraph.find(".//w:separator", NS) is None and paragraph.find(".//w:continuationSeparator", NS) is None:
                    yield paragraph

    def text_runs(self):
        for story in self.stories:
            for run in story.iter(w("r")):
                text = "".join(t.text or "" for t in run.iter(w("t")))
                if text.strip():
                    yield run, text

    def all_xml(self) -> list:
        return list(self.parts.values())


@pytest.fixture(scope="module")
def packages(editions) -> dict[str, Package]:
    return {language: Package(path) for language, path in editions.items()}


# -- Arabic ------------------------------------------------------------------------------

def test_every_arabic_paragraph_is_right_to_left(packages):
    arabic = packages["ar"]
    paragraphs = list(arabic.paragraphs())
    assert len(paragraphs) > 50
    assert all(arabic.paragraph_flag(p, "bidi") for p in paragraphs)
    # Set once in the paragraph defaults, not on each paragraph: the file stays editable.
    assert arabic.defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is not None
    assert not any(p.find("w:pPr/w:bidi", NS) is not None for p in paragraphs)


def test_arabic_runs_are_right_to_left_and_latin_ones_left_to_right(packages):
    arabic = packages["ar"]
    runs = list(arabic.text_runs())
    assert arabic.defaults.find("w:rPrDefault/w:rPr/w:rtl", NS) is not None
    with_arabic = [(r, t) for r, t in runs if ARABIC.search(t)]
    latin_only = [(r, t) for r, t in runs if LATIN.search(t) and not ARABIC.search(t)]
    assert len(with_arabic) > 50 and latin_only
    assert all(arabic.run_flag(r, "rtl") for r, _ in with_arabic)
    assert not [t for r, t in latin_only if arabic.run_flag(r, "rtl")]
    assert not [t for _, t in runs if ARABIC.search(t) and LATIN.search(t)], "a run mixes scripts"
    texts = {t for _, t in latin_only}
    # The symbol and the acronyms keep their order: each a left-to-right run of its own.
    assert {"A/RES/61/180", "UNODC", "ICAT (UNODC)"} <= texts


def test_every_arabic_table_and_section_is_right_to_left(packages):
    document = packages["ar"].parts["word/document.xml"]
    tables = list(document.iter(w("tbl")))
    sections = list(document.iter(w("sectPr")))
    assert tables and len(sections) >= 3
    assert all(t.find("w:tblPr/w:bidiVisual", NS) is not None for t in tables)
    assert all(s.find("w:bidi", NS) is not None for s in sections)


def test_complex_script_size_bold_and_italic_beside_the_latin_ones(packages):
    for language in ("ar", "en"):
        package = packages[language]
        for part in package.all_xml():
            for rpr in part.iter(w("rPr")):
                for latin, twin in (("sz", "szCs"), ("b", "bCs"), ("i", "iCs")):
                    element = rpr.find(f"w:{latin}", NS)
                    if element is None:
                        continue
                    if language == "en" and part is not package.parts["word/styles.xml"]:
                        continue  # English runs need no twins (Latin text only)
                    found = rpr.find(f"w:{twin}", NS)
                    assert found is not None, (language, etree.tostring(rpr)[:200])
                    assert found.get(w("val")) == element.get(w("val"))
    # The added sentence's strong words: bold for Arabic letters too.
    strong = [r for r, t in packages["ar"].text_runs() if r.find("w:rPr/w:b", NS) is not None
              and r.find("w:rPr/w:rStyle", NS) is None]
    assert strong and all(r.find("w:rPr/w:bCs", NS) is not None for r in strong)


def test_arabic_box_bar_is_on_the_right(packages):
    style = packages["ar"].styles["BoxText"]
    assert style.find("w:pPr/w:pBdr/w:right", NS).get(w("color")) != style.find(
        "w:pPr/w:pBdr/w:left", NS).get(w("color"))
    english = packages["en"].styles["BoxText"]
    assert english.find("w:pPr/w:pBdr/w:left", NS).get(w("sz")) == style.find(
        "w:pPr/w:pBdr/w:right", NS).get(w("sz"))


# -- languages ---------------------------------------------------------------------------

def _lang(package: Package):
    return package.defaults.find("w:rPrDefault/w:rPr/w:lang", NS)


def test_language_attributes_name_words_cultures(packages):
    arabic, chinese, english = (_lang(packages[k]) for k in ("ar", "zh", "en"))
    assert arabic.get(w("val")) == "ar" and re.fullmatch(r"ar-[A-Z]{2}", arabic.get(w("bidi")))
    assert chinese.get(w("val")) == "zh" and chinese.get(w("eastAsia")) == "zh-CN"
    assert english.get(w("val")) == "en"
    from icat_reports.locales import office_language
    assert office_language("zh-Hant") == "zh-TW" and office_language("ar-MA") == "ar-MA"


def test_every_edition_passes_the_word_checks_in_its_own_language(editions):
    for language, path in editions.items():
        assert a11y.check_docx(path) == [], language


# -- Chinese -----------------------------------------------------------------------------

def test_chinese_east_asian_font_and_no_italics(packages):
    chinese = packages["zh"]
    fonts = chinese.defaults.find("w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(w("eastAsia")) == "Noto Sans CJK SC" and fonts.get(w("hint")) == "eastAsia"
    for part in chinese.all_xml():
        assert part.find(".//w:i", NS) is None and part.find(".//w:iCs", NS) is None
    runs = list(chinese.text_runs())
    assert not [t for r, t in runs if chinese.run_flag(r, "i")]
    # Emphasis by weight (the added sentence's *first*), in the Emphasis style too: each
    # English italic run is a bold Chinese one, beside the bold ones.
    english = list(packages["en"].text_runs())
    italic = sum(r.find("w:rPr/w:i", NS) is not None for r, _ in english)
    strong = sum(r.find("w:rPr/w:b", NS) is not None for r, _ in english)
    bold = [t for r, t in runs if r.find("w:rPr/w:b", NS) is not None]
    assert italic and strong and len(bold) == italic + strong
    assert chinese.styles["Emphasis"].find("w:rPr/w:b", NS) is not None
    assert packages["en"].styles["Emphasis"].find("w:rPr/w:i", NS) is not None
    assert chinese.defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is None


def test_english_has_no_right_to_left_or_cjk_marks(packages):
    english = packages["en"]
    for part in english.all_xml():
        for name in ("bidi", "rtl", "bidiVisual"):
            assert part.find(f".//w:{name}", NS) is None, name
    assert english.defaults.find("w:rPrDefault/w:rPr/w:rFonts", NS).get(w("hint")) is None
    emphasised = [r for r, t in english.text_runs() if r.find("w:rPr/w:i", NS) is not None]
    assert emphasised  # English emphasis stays italic


# -- the pieces of mixed text, and the tracked-changes file ------------------------------

def test_direction_pieces_keep_latin_and_numbers_whole():
    pieces = ooxml.direction_pieces
    assert pieces("قرار A/RES/61/180 في") == [("قرار ", False), ("A/RES/61/180", True), (" في", False)]
    assert pieces("من (UNODC) و") == [("من (", False), ("UNODC", True), (") و", False)]
    assert pieces("ICAT (UNODC) و") == [("ICAT (UNODC)", True), (" و", False)]
    assert pieces("في 2024، ICAT.") == [("في ", False), ("2024", True), ("، ", False),
                                        ("ICAT", True), (".", False)]
    assert pieces("ب 2010-12-13") == [("ب ", False), ("\u200e2010-12-13", True)]
    assert pieces("سلام") == [("سلام", False)] and pieces("") == []


def test_arabic_changes_file_is_right_to_left():
    section = SectionChanges("s", "قسم", [
        Item("same", "مرحبا UNODC عالم", "مرحبا UNODC عالم"),
        Item("reworded", "نص جديد", "نص قديم", (Piece("same", "نص "), Piece("removed", "قديم"),
                                                  Piece("added", "جديد")))])
    data = changes_docx.render([section], {"s": 1}, "عنوان", "ICAT", BUILT, "ar")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
        document = etree.fromstring(package.read("word/document.xml"))
    assert styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", NS) is not None
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rtl", NS) is not None
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(w("val")) == "ar"
    latin = [r for r in document.iter(w("r")) if "".join(r.itertext()) == "UNODC"]
    assert latin and latin[0].find("w:rPr/w:rtl", NS).get(w("val")) == "0"
    assert all(s.find("w:bidi", NS) is not None for s in document.iter(w("sectPr")))


# -- laid out by LibreOffice -------------------------------------------------------------

def _lines(pdf: Path) -> list[tuple]:
    """(page, xMin, xMax, yMin, width, text, [(xMin, word)]) of each line pdftotext finds."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml), etree.XMLParser(recover=True))
    lines = []
    for number, page in enumerate(root.iter("{*}page"), 1):
        for line in page.iter("{*}line"):
            words = [(float(x.get("xMin")), x.text or "") for x in line.iter("{*}word")]
            x0, x1 = float(line.get("xMin")), float(line.get("xMax"))
            lines.append((number, x0, x1, float(line.get("yMin")), x1 - x0,
                          " ".join(t for _, t in words), words))
    return lines


@pytest.fixture(scope="module")
def laid_out(content, editions, tmp_path_factory):
    """The Arabic (its contents numbered by LibreOffice's layout), English and Chinese files
    as PDFs, laid out by LibreOffice."""
    from icat_reports.render import docx_pages
    command = shutil.which("soffice") or shutil.which("libreoffice")
    if command is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    out = tmp_path_factory.mktemp("laid-out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(BUILT.timestamp())))
        patch.setenv("ICAT_SOFFICE", command)
        assert cli.main(["docx", "--lang", "ar", "--content", str(content),
                         "--out", str(out / "numbered")]) == cli.EXIT_OK
    pdfs = {}
    for language in ("ar", "en", "zh"):
        source = out / f"{language}.docx"
        shutil.copy(out / "numbered" / "ar" / editions["ar"].name if language == "ar"
                    else editions[language], source)
        with docx_pages._profile() as profile:
            subprocess.run([command, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(out), str(source)],
                           check=True, capture_output=True, timeout=120)
        pdfs[language] = source.with_suffix(".pdf")
    return pdfs


def _body_lines(pdf: Path):
    """The lines of the body's pages (from the contents on), headers and footers left out."""
    theme = load_theme(PROJECT / "templates")
    page = theme.page
    width_mm, height_mm = word.PAPER_MM[page["size"]]
    pt = 72 / 25.4
    left, right = page["margin_left_mm"] * pt, (width_mm - page["margin_right_mm"]) * pt
    top, bottom = page["margin_top_mm"] * pt, (height_mm - page["margin_bottom_mm"]) * pt
    lines = [line for line in _lines(pdf) if line[0] >= 3 and top <= line[3] <= bottom]
    return lines, left, right


def test_arabic_body_lines_end_at_the_right_margin(laid_out):
    lines, left, right = _body_lines(laid_out["ar"])
    arabic = [line for line in lines if ARABIC.search(line[5])]
    assert len(arabic) > 30
    text_width = right - left
    flush_right = [line for line in arabic if abs(line[2] - right) < 3]
    short = [line for line in arabic if line[4] < 0.6 * text_width]
    assert len(flush_right) > len(arabic) / 3
    # A paragraph's short last line starts at the right: none hugs the left margin.
    assert short and not [line[5] for line in short if abs(line[1] - left) < 3]
    # The contents: each page number at the left end, the leaders between it and the title,
    # which ends at the right (less its level's indent).
    contents = [line for line in lines if "....." in line[5]]
    assert len(contents) >= 5
    for line in contents:
        x, leftmost = min(line[6])
        assert abs(x - left) < 3 and re.match(r"\d+\.*$", leftmost), line[5]
        assert right - line[2] < 20, line[5]
    # The symbol keeps its order.
    assert any("A/RES/61/180" in line[5] for line in arabic)
    # The same test tells English apart: its short lines start at the left margin.
    english, e_left, _ = _body_lines(laid_out["en"])
    assert [line for line in english if line[4] < 0.6 * text_width and abs(line[1] - e_left) < 3]


def test_chinese_lines_never_start_with_closing_punctuation(laid_out):
    lines, _, _ = _body_lines(laid_out["zh"])
    cjk = [line for line in lines if re.search("[\u4e00-\u9fff]", line[5])]
    assert len(cjk) > 20
    assert not [line[5] for line in cjk if re.match("[，。、；：？！）」』》]", line[5])]
