"""The handout (slides PDF, notes PDF, PowerPoint), built from content/ and read back."""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE
from pypdf import PdfReader

from icat_reports import deck
from icat_reports.cli import load_content, load_document, main
from icat_reports.tree import org_line
from icat_reports.inline import plain
from icat_reports.theme import load_theme
from seed_facts import PRESENTATION_FACTS, missing, normalize

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1292198400"  # 13 December 2010: builds are then byte-for-byte reproducible
FILES = ("handout-slides.pdf", "handout-notes.pdf", "handout.pptx")


def build(content: Path, out: Path) -> int:
    return main(["handout", "--content", str(content), "--out", str(out)])


def expected_slides(content_dir: Path) -> list[deck.Slide]:
    font = load_theme(ROOT / "templates").fonts["body"]
    return deck.expand(load_document(content_dir), deck.Measure(font))


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (x0, y0, x1, y1 in points, from the top left)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def pptx_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def pptx_titles(prs) -> list[str]:
    return [normalize(s.shapes.title.text_frame.paragraphs[0].text) for s in prs.slides]


def in_order(text: str, phrases: list[str]) -> bool:
    position = 0
    for phrase in phrases:
        found = text.find(phrase, position)
        if found < 0:
            return False
        position = found + len(phrase)
    return True


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("handout")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert build(ROOT / "content", target) == 0
    return target


@pytest.fixture(scope="module")
def slides() -> list[deck.Slide]:
    return expected_slides(ROOT / "content")


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT / "content")


@pytest.fixture(scope="module")
def prs(out):
    return Presentation(str(out / "handout.pptx"))


# -- the deck ----------------------------------------------------------------------------

def test_deck_mirrors_the_presentation(slides, content):
    entries = [s for s in slides if not s.continued]
    assert [s.title for s in entries] == [
        content.handout.title, "What is ICAT?", "Formal establishment", "ICAT member organizations", "ICAT’s functions",
        "The first ICAT publication", "ICAT side event – goals",
        *[a.name for a in content.areas for _ in (0, 1)],
        "ICAT and the Global Plan of Action", "Thank you"]
    area_slides = [s for s in entries if s.tone]
    assert [s.subtitle for s in area_slides] == ["Gaps", "Recommendations"] * 4
    # The title slide, then a slide or more for every entry of handout.yaml, in order, then
    # the closing slide.
    assert [s.kind for s in slides] == ["title"] + ["body"] * (len(slides) - 1)
    assert sorted({s.entry for s in slides}) == list(range(-1, len(content.handout.slides) + 1))
    assert [s.entry for s in slides] == sorted(s.entry for s in slides)
    assert [s.number for s in slides] == list(range(1, len(slides) + 1))


def test_the_17_members_flow_into_columns_and_a_continued_slide(slides, content):
    members = [s for s in slides if s.title == "ICAT member organizations"]
    assert len(members) >= 2 and not members[0].continued and all(s.continued for s in members[1:])
    assert all(len(s.columns) == 2 for s in members)
    listed = [b.text for s in members for b in s.bullets]
    assert listed == [org_line(o) for o in content.with_role("member")] and len(listed) == 17


def test_the_scrambled_contributors_are_restored(slides):
    publication = [s for s in slides if s.title == "The first ICAT publication"]
    acronyms = {re.search(r"\(([^)]+)\)$", b.text).group(1) for s in publication for b in s.bullets}
    assert acronyms == {"ILO", "UNHCR", "IOM", "UNICRI", "OHCHR", "UNODC", "UNESCO", "UNFPA", "UNICEF"}


# -- the slides PDF ----------------------------------------------------------------------

def test_every_slide_is_one_16_9_page(out, slides):
    reader = PdfReader(out / "handout-slides.pdf")
    assert len(reader.pages) == len(slides)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width / height - 16 / 9) < 0.001
        assert (round(width), round(height)) == (960, 540)  # 13.333 x 7.5 in, as the PowerPoint


def test_each_slide_title_footer_and_number_is_on_its_page(out, slides, content):
    d = content.handout
    for s, text in zip(slides, page_texts(out / "handout-slides.pdf"), strict=True):
        text = normalize(text)
        assert normalize(plain(s.title)) in text, s.title
        if s.kind == "title":  # no footer on the title slide
            assert normalize(d.event) in text and "13 december 2010" in text
            continue
        if s.subtitle:
            assert normalize(s.subtitle) in text
        assert (normalize(d.labels.continued) in text) == s.continued
        assert normalize(d.event) in text and "13 december 2010" in text
        assert re.search(rf"(^|\s){s.number}(\s|$)", text)


def test_slides_pdf_says_everything_the_presentation_says(out, content):
    text = "\n".join(page_texts(out / "handout-slides.pdf"))
    assert missing(text, PRESENTATION_FACTS) == []
    for area in content.areas:
        for item in area.gaps + area.recommendations:
            assert normalize(plain(item)) in normalize(text), item


def test_no_text_leaves_its_place(out):
    """Nothing runs past the margins, below the body into the footer, or off the page."""
    g = deck.SLIDE
    for number, page in enumerate(words(out / "handout-slides.pdf"), 1):
        assert page, f"slide {number} has no text"
        for x0, y0, x1, y1, word in page:
            where = f"slide {number}: '{word}' at ({x0:.0f}, {y0:.0f})-({x1:.0f}, {y1:.0f})"
            assert g.margin_x - 1 <= x0 and x1 <= g.width - g.margin_x + 1, where
            assert y1 <= g.body_bottom + 1 or y0 >= g.footer_top, where
            assert y1 <= g.height, where


def test_slides_pdf_embeds_the_theme_font_only(out):
    fonts = subprocess.run(["pdffonts", str(out / "handout-slides.pdf")], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in fonts}
    assert names and all(name.replace("-", "").startswith("NotoSans") for name in names), names


def test_links_and_email_are_clickable_in_the_pdf(out, content):
    reader = PdfReader(out / "handout-slides.pdf")
    uris = {annot.get_object()["/A"]["/URI"] for page in reader.pages for annot in page.get("/Annots", [])
            if "/A" in annot.get_object()}
    assert f"mailto:{content.contact.email}" in uris


# -- the notes handout -------------------------------------------------------------------

def test_notes_pdf_has_three_slides_a_page_on_a4(out, slides, content):
    reader = PdfReader(out / "handout-notes.pdf")
    assert len(reader.pages) == math.ceil(len(slides) / 3)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    texts = page_texts(out / "handout-notes.pdf")
    for number, text in enumerate(texts, 1):
        text = normalize(text)
        on_page = slides[(number - 1) * 3:number * 3]
        assert in_order(text, [normalize(plain(s.title)) for s in on_page]), number
        # Each placed slide brings its own footer: one per slide on the page.
        footed = [s for s in on_page if s.kind != "title"]
        footer = f"{content.handout.event} · {content.meeting.name} · 13 December 2010"  # deck.footer_text
        assert text.count(normalize(footer)) == len(footed)
        assert text.count(normalize(content.handout.labels.notes)) == len(on_page)
        page_of = content.labels.page_of.format(page=number, pages=len(texts))
        assert normalize(page_of) in text


def test_a_shared_font_configuration_prints_the_same_bytes(monkeypatch):
    """Every document of a build prints with one FontConfiguration (weasy.font_config): the
    notes printed after the slides, with the fonts the slides loaded, are the notes printed
    with a configuration of their own."""
    from weasyprint.text.fonts import FontConfiguration
    from icat_reports import cli
    from icat_reports.job import Job, build_time
    from icat_reports.render import handout
    from icat_reports.engines.weasy import font_config
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = Path(__file__).resolve().parent.parent
    document, images = cli.load(root / "content")
    job = Job(content=document.content, document=document, theme=load_theme(root / "templates"), templates=root / "templates",
              built=build_time(), version="test", images=images, workers=1)

    def notes(config) -> bytes:
        page = handout._page(job, "notes.html.j2", "notes.css")
        return page.render(font_config=config).write_pdf(pdf_identifier=b"test")

    handout._page(job, "slides.html.j2", "slides.css").render(font_config=font_config()).write_pdf()
    assert notes(font_config()) == notes(FontConfiguration())


def test_notes_pdf_rules_lines_under_each_notes_label(out, slides, content, tmp_path):
    """The lines the renderer draws: one every line pitch under each label, in the rule colour."""
    from PIL import Image
    from icat_reports.render.handout import SHEET
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(out / "handout-notes.pdf"),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(out / "handout-notes.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    label = content.handout.labels.notes.upper()
    tops = [float(m.group(2)) for m in re.finditer(rf'xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" '
                                                  rf'yMax="([\d.]+)">{re.escape(label)}</word>', bbox)]
    assert len(tops) == min(3, len(slides))
    rule = load_theme(Path(__file__).resolve().parent.parent / "templates").rgb("rule")
    x = round(SHEET.margin_x + SHEET.lines_left + 40)
    for top in tops:
        column = [image.getpixel((x, y)) for y in range(round(top), round(top + SHEET.lines * SHEET.line_pitch + 4))]
        dark = [i for i, pixel in enumerate(column) if sum(pixel) < 740]
        runs = [i for i in dark if i - 1 not in dark]
        assert len(runs) == SHEET.lines
        assert all(abs(a - b) <= 1 for a, b in zip([r2 - r1 for r1, r2 in zip(runs, runs[1:])],
                                                   [SHEET.line_pitch] * len(runs)))
        darkest = min(column, key=sum)
        assert all(abs(c - r) <= 40 for c, r in zip(darkest, rule))


# -- the PowerPoint deck -----------------------------------------------------------------

def test_pptx_is_16_9_with_the_same_slides(prs, slides):
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    assert len(prs.slides) == len(slides)
    for s, slide in zip(slides, prs.slides):
        title = slide.shapes.title
        assert title is not None and title.is_placeholder
        assert normalize(plain(s.title)) in normalize(title.text_frame.text)


def test_pptx_text_is_in_real_placeholders(prs, content):
    body_types = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
    placed = ""
    for slide in prs.slides:
        assert not any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
        for shape in slide.placeholders:
            if shape.placeholder_format.type in body_types:
                placed += "\n" + shape.text_frame.text
    for area in content.areas:
        for item in area.gaps + area.recommendations:
            assert normalize(plain(item)) in normalize(placed), item
    whole = "\n".join(pptx_text(slide) for slide in prs.slides)
    assert missing(whole, PRESENTATION_FACTS) == []


def test_pptx_layouts_are_laid_out_for_16_9(prs):
    width, height = prs.slide_width, prs.slide_height
    shapes = [ph for layout in prs.slide_layouts for ph in layout.placeholders]
    shapes += list(prs.slide_master.placeholders)
    shapes += [shape for slide in prs.slides for shape in slide.shapes]
    for shape in shapes:
        assert shape.left >= 0 and shape.top >= 0, shape.name
        assert shape.left + shape.width <= width and shape.top + shape.height <= height, shape.name
    for layout in prs.slide_layouts:  # a 4:3 title would be two thirds as wide
        title = next((ph for ph in layout.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.TITLE), None)
        if title is not None:
            assert title.width >= 0.85 * width


def test_pptx_text_is_never_shrunk(prs):
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            assert shape.text_frame.auto_size == MSO_AUTO_SIZE.NONE, shape.name
            assert shape.text_frame.word_wrap, shape.name
            for p in shape.text_frame.paragraphs:
                for run in p.runs:  # a size of its own is never below the footer's
                    assert run.font.size is None or run.font.size.pt >= 11, (shape.name, run.text)


def test_pptx_has_the_decks_speaker_notes_footer_and_links(prs, slides, content):
    for s, slide in zip(slides, prs.slides):
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        assert normalize(notes) == normalize("\n".join(plain(n) for n in s.notes))
        if s.kind == "title":
            continue
        footer = [ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.FOOTER]
        number = [ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER]
        assert footer and content.handout.event in footer[0].text_frame.text
        assert number and number[0].text_frame.text == str(s.number)
    assert any("first joint publication" in n for s in slides for n in s.notes)
    links = {run.hyperlink.address for slide in prs.slides for shape in slide.shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs for run in p.runs if run.hyperlink.address}
    assert f"mailto:{content.contact.email}" in links


def test_pptx_properties_come_from_the_content_and_the_build(prs, content):
    props = prs.core_properties
    assert props.title == content.handout.title
    assert "ICAT" in props.author
    assert props.created == props.modified == dt.datetime(2010, 12, 13)
    assert props.language == content.language


def test_builds_are_reproducible(out, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert build(ROOT / "content", tmp_path) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


# -- editing the deck --------------------------------------------------------------------

def test_reordering_two_slides_reorders_all_three_outputs(content_copy, tmp_path):
    path = content_copy / "handout.yaml"
    text = path.read_text("utf-8")
    members, functions = "    - source: members\n", "    - source: sections.functions\n"
    assert text.count(members) == 1 and text.count(functions) == 1
    path.write_text(text.replace(members, "@@").replace(functions, members).replace("@@", functions), "utf-8")
    assert build(content_copy, tmp_path) == 0

    slides = expected_slides(content_copy)
    titles = [normalize(plain(s.title)) for s in slides]
    assert titles.index("icat's functions") < titles.index("icat member organizations")
    pages = [normalize(t) for t in page_texts(tmp_path / "handout-slides.pdf")]
    assert len(pages) == len(slides)
    assert all(title in page for title, page in zip(titles, pages))
    assert in_order(normalize("\n".join(page_texts(tmp_path / "handout-notes.pdf"))), titles)
    assert [t.startswith(expected) for t, expected in
            zip(pptx_titles(Presentation(str(tmp_path / "handout.pptx"))), titles)] == [True] * len(titles)


def test_a_new_slide_with_a_long_list_continues_and_keeps_its_notes(content_copy, tmp_path):
    bullets = "".join(f"        - Point {i} of a list long enough to need a second slide, and then some more "
                      f"words to wrap the line\n" for i in range(1, 19))
    entry = ("    - title: Our own slide\n"
             "      caption: 'Things to remember:'\n"
             "      bullets:\n" + bullets +
             "        - text: A point with sub-items\n"
             "          items: [the first sub-item, {source: sections.establishment}]\n"
             "      notes: A note for the speaker.\n\n")
    path = content_copy / "handout.yaml"
    path.write_text(path.read_text("utf-8").replace("\n  closing:\n", "\n" + entry + "  closing:\n"),
                    "utf-8")
    assert build(content_copy, tmp_path) == 0
    slides = expected_slides(content_copy)
    ours = [s for s in slides if s.title == "Our own slide"]
    assert len(ours) >= 2 and [s.continued for s in ours] == [False] + [True] * (len(ours) - 1)
    assert [s.notes for s in ours] == [("A note for the speaker.",)] * len(ours)  # on every one

    assert len(PdfReader(tmp_path / "handout-slides.pdf").pages) == len(slides)
    pdf = normalize("\n".join(page_texts(tmp_path / "handout-slides.pdf")))
    prs = Presentation(str(tmp_path / "handout.pptx"))
    assert len(prs.slides) == len(slides)
    pptx = normalize("\n".join(pptx_text(s) for s in prs.slides))
    for phrase in ("Point 18 of a list", "the first sub-item", "formally established by General Assembly"):
        assert normalize(phrase) in pdf and normalize(phrase) in pptx
    first = prs.slides[ours[0].number - 1]
    assert first.notes_slide.notes_text_frame.text == "A note for the speaker."


@pytest.mark.parametrize("old, new, expected", [
    ("    - source: members\n", "    - source: memebrs\n",
     r"handout\.yaml:\d+: handout\.slides\[2\]\.source: unknown source 'memebrs'; did you mean 'members'\?"),
    ("    - source: areas.Prevention.gaps\n", "    - source: areas.Preventon.gaps\n",
     r"handout\.yaml:\d+: handout\.slides\[\d+\]\.source: unknown source 'areas\.Preventon\.gaps'; "
     r"did you mean 'areas\.Prevention\.gaps'\?"),
    ("    - source: sections.global-plan\n", "    - intro: No title\n",
     r"handout\.yaml:\d+: handout\.slides\[\d+\]: this slide needs a title"),
    ("    - title: What is ICAT?\n", "    - title: " + "A title far too long for the title bar " * 4 + "\n",
     r"handout\.yaml:\d+: handout\.slides\[0\]\.title: the title takes \d+ lines in the title bar"),
    ("    - source: members\n", "    - source: members\n      colums: 2\n",
     r"handout\.yaml:\d+: handout\.slides\[2\]\.colums: unknown field 'colums'; did you mean 'columns'\?"),
    ("  presenters: organizations.panel\n", "  presenters: organizations.panle\n",
     r"handout\.yaml:\d+: handout\.presenters: unknown source 'organizations\.panle'; "
     r"did you mean 'organizations\.panel'\?"),
    ("    title: Thank you\n    source: contact\n", "    title: Thank you\n    source: contcat\n",
     r"handout\.yaml:\d+: handout\.closing\.source: unknown source 'contcat'; did you mean 'contact'\?"),
])
def test_deck_mistakes_name_file_line_and_slide(content_copy, tmp_path, capsys, old, new, expected):
    path = content_copy / "handout.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    assert build(content_copy, tmp_path / "out") == 2
    # Once, though the slides PDF and the PowerPoint deck both meet it, in two processes.
    assert len(re.findall(expected, capsys.readouterr().err)) == 1
    assert not (tmp_path / "out").exists()


def test_a_dropped_deck_file_is_named(content_copy, tmp_path, capsys):
    (content_copy / "handout.yaml").unlink()
    assert build(content_copy, tmp_path / "out") == 2
    assert "handout.yaml: handout: required field is missing" in capsys.readouterr().err



def test_slides_pdf_and_pptx_pass_the_accessibility_checks(out):
    from icat_reports import a11y
    assert a11y.check_pdf(out / "handout-slides.pdf") == []
    assert a11y.check_pptx(out / "handout.pptx") == []


# -- another publication's deck ------------------------------------------------------------

BRIEF = ROOT / "tests" / "fixtures" / "brief"


@pytest.fixture(scope="module")
def brief(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("brief-handout")
    assert build(BRIEF, target) == 0
    return target


def test_brief_slides_show_its_sections_box_table_and_figure(brief):
    from icat_reports import a11y
    slides = expected_slides(BRIEF)
    document = load_document(BRIEF)
    titles = [s.title for s in slides]
    assert slides[0].kind == "title" and slides[0].title == document.content.handout.title
    assert slides[0].subtitle == document.content.subtitle and slides[0].presenters is None  # none given
    assert titles[1:5] == [document.section(i).plain_title for i in ("summary", "many-doors", "route", "counting")]
    summary, counting = slides[1], slides[4]
    assert summary.caption == "Key messages" and len(summary.bullets) == 3   # the box's list
    assert summary.footnote.startswith("The steps are illustrative")          # the section's footnote
    assert counting.caption == "Field – Who records it – When"                # the table, a row a bullet
    assert counting.bullets[0].text == "Date of first contact – First service – At the first meeting"
    figure = next(s for s in slides if s.figure)
    assert figure.figure.file == "images/chart.png" and figure.figure.alt.startswith("A bar chart")

    prs = Presentation(str(brief / "handout.pptx"))
    assert len(prs.slides) == len(slides)
    pictures = [shape for shape in prs.slides[figure.number - 1].shapes
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures] == [figure.figure.alt]
    pdf = normalize("\n".join(page_texts(brief / "handout-slides.pdf")))
    for phrase in ("Key messages", "Date of first contact", "Agencies that had taken each step",
                   "The steps are illustrative"):
        assert normalize(phrase) in pdf
    assert a11y.check_pdf(brief / "handout-slides.pdf") == []
    assert a11y.check_pptx(brief / "handout.pptx") == []


# -- a presentation: title slide, sizes, master styles, bookmarks, notes (issue 15) ------------

A_NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
        "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def test_the_deck_opens_with_a_title_slide_and_closes_with_a_thank_you(slides, content, out, prs):
    first, last = slides[0], slides[-1]
    panel = [o.acronym for o in content.with_role("panel")]
    assert first.kind == "title" and first.number == 1 and first.title == content.handout.title
    assert first.subtitle == content.subtitle                      # the report's: handout.yaml gives none
    # The meeting (meeting.yaml) under the event; its date is the event's, so said once. No venue in the seeds.
    assert first.lines == (content.handout.event, content.meeting.name, "13 December 2010")
    assert first.presenters == " · ".join(panel) and first.caption == content.roles["panel"]
    assert last.title == "Thank you" and last.entry == len(content.handout.slides)
    assert any(content.contact.email in b.text for b in last.bullets)

    page = normalize(page_texts(out / "handout-slides.pdf")[0])
    for text in (content.handout.title, content.subtitle, content.handout.event, "13 December 2010",
                 content.roles["panel"], *panel):
        assert normalize(text) in page, text

    slide = prs.slides[0]
    assert slide.slide_layout.name == "Title Slide"
    title = slide.shapes.title
    assert title.placeholder_format.type == PP_PLACEHOLDER.CENTER_TITLE
    assert normalize(title.text_frame.text) == normalize(content.handout.title)
    subtitle = next(ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE)
    assert [normalize(p.text) for p in subtitle.text_frame.paragraphs] == [normalize(t) for t in (
        content.subtitle, content.handout.event, content.meeting.name, "13 December 2010", content.roles["panel"],
        " · ".join(panel))]
    assert not [ph for ph in slide.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.FOOTER]
    assert "Title Slide" in [layout.name for layout in prs.slide_layouts]
    # The layout draws the band itself, without the master's title bar.
    assert slide.slide_layout.element.get("showMasterSp") == "0"


def test_one_body_size_of_at_least_24_pt_and_footnotes_of_16(slides, out):
    g = deck.SLIDE
    assert g.sizes == (24,) and g.smaller(24) >= 20 and g.footnote_pt >= 16
    assert {s.size for s in slides} == {24}
    # The slides PDF as printed: every text at its size (pypdf: the font size times the text
    # and current matrices). Below 16 pt only the footer; bullets at 24 pt.
    reader = PdfReader(out / "handout-slides.pdf")
    for s, page in zip(slides, reader.pages, strict=True):
        sizes: list[tuple[float, str]] = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes.append((round(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), 1), text))
        page.extract_text(visitor_text=visit)
        small = [text for size, text in sizes if size < 16]
        assert all(t.strip() == str(s.number) or "13 December 2010" in t for t in small), (s.number, small)
        for b in s.bullets:
            start = plain(b.text).split()[0]
            assert any(size == 24 for size, text in sizes if text.strip().startswith(start)), (s.number, start)
        if s.footnote:
            start = " ".join(plain(s.footnote).split()[:3])
            assert [size for size, text in sizes if text.startswith(start)] == [16.0]


def test_the_notes_handout_prints_the_body_text_readably():
    from icat_reports.render.handout import SHEET
    scale = SHEET.thumb_width / deck.SLIDE.width
    assert deck.SLIDE.sizes[0] * scale >= 8 and deck.SLIDE.footnote_pt * scale >= 5


def test_a_list_too_long_continues_rather_than_shrinks(slides):
    members = [s for s in slides if s.title == "ICAT member organizations"]
    assert len(members) >= 2 and {s.size for s in members} == {24}


def test_pptx_sizes_and_fonts_come_from_the_master(prs, out, slides):
    """The runs of titles, bullets and footers have no size, font or colour of their own:
    the master's text styles (and the Title Slide layout's) give them, so editing the master
    restyles the deck. The fonts are the theme's, Arial (every Office has it)."""
    import zipfile
    from lxml import etree
    g = deck.SLIDE
    master = prs.slide_master.element
    body = master.find("p:txStyles/p:bodyStyle", A_NS)
    level = lambda n: body.find(f"a:lvl{n}pPr/a:defRPr", A_NS)
    assert level(1).get("sz") == "2400" and int(level(2).get("sz")) >= 2000
    assert level(1).find("a:latin", A_NS).get("typeface") == "+mn-lt"
    title = master.find("p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr", A_NS)
    assert title.get("sz") == str(round(g.title_pt * 100)) and title.find("a:latin", A_NS).get("typeface") == "+mj-lt"
    with zipfile.ZipFile(out / "handout.pptx") as z:
        theme = etree.fromstring(z.read("ppt/theme/theme1.xml"))
    assert {e.get("typeface") for e in theme.iterfind(".//a:fontScheme/*/a:latin", A_NS)} == {"Arial"}
    kinds = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.FOOTER,
             PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
    checked = 0
    for s, slide in zip(slides, prs.slides):
        # Only a statement (an intro alone, larger) and "(continued)" after a title say their size.
        own = {"(continued)"} | ({plain(s.intro)} if s.statement else set())
        for ph in slide.placeholders:
            if ph.placeholder_format.type not in kinds:
                continue
            paragraphs = ph.text_frame.paragraphs
            if ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                paragraphs = paragraphs[:1]  # the subtitle line in the title bar is smaller
            for p in paragraphs:
                runs = p._p.findall("a:r", A_NS) + p._p.findall("a:fld", A_NS)
                for run in runs:
                    rpr = run.find("a:rPr", A_NS)
                    if rpr is None:
                        continue
                    text = run.findtext("a:t", namespaces=A_NS)
                    if rpr.get("sz") is not None:
                        assert any(text.strip() and text.strip() in t for t in own), (ph.name, text)
                    assert rpr.find("a:latin", A_NS) is None, (ph.name, text)
                    checked += 1
    assert checked > 100
    # A layout keeps none of the template's own sizes under the master's.
    for layout in prs.slide_layouts:
        if layout.name != "Title Slide":
            for ph in layout.placeholders:
                assert not ph._element.findall(".//a:lstStyle/*", A_NS), (layout.name, ph.name)


def test_pdf_bookmarks_name_each_slide_fully(out, slides):
    reader = PdfReader(out / "handout-slides.pdf")
    titles = [item.title for item in reader.outline]
    assert titles == [s.outline for s in slides]
    assert "Prevention: gaps" in titles and "Partnerships: recommendations" in titles
    assert "ICAT member organizations (continued)" in titles
    assert [reader.get_destination_page_number(item) for item in reader.outline] == list(range(len(slides)))
    notes = PdfReader(out / "handout-notes.pdf")
    assert [item.title for item in notes.outline] == titles
    assert [notes.get_destination_page_number(item) for item in notes.outline] == [
        i // 3 for i in range(len(slides))]


def test_every_slide_of_a_section_has_its_paragraphs_as_speaker_notes(slides, content, prs):
    from icat_reports.deck import markdown
    from icat_reports.tree import Paragraph
    document = load_document(ROOT / "content")
    entries = list(content.handout.slides) + [content.handout.closing]
    shown = 0
    for s, slide in zip(slides, prs.slides):
        entry = entries[s.entry] if s.entry >= 0 else None
        if entry is None or not (entry.source or "").startswith("sections.") or entry.notes:
            continue
        section = document.section(entry.source.partition(".")[2])
        paragraphs = [markdown(b.text) for b in section.blocks if isinstance(b, Paragraph) and b.role != "cite"]
        if not paragraphs:  # a section that is one list (the functions): its slides show it whole
            continue
        assert paragraphs and list(s.notes[:len(paragraphs)]) == paragraphs, s.title
        notes = slide.notes_slide.notes_text_frame.text
        assert all(normalize(plain(p)) in normalize(notes) for p in paragraphs), s.title
        shown += 1
    assert shown >= 4  # every slide of the history, the establishment and the Global Plan
    assert sum(1 for s in slides if s.notes) >= 7


def test_the_layout_measures_with_the_wider_of_noto_sans_and_arial():
    from icat_reports import arial_advances
    m = deck.Measure(load_theme(ROOT / "templates").fonts["body"])
    for ch in "WAUNODC ailm,.":
        assert m.width(ch, 1000) >= arial_advances.REGULAR[ord(ch)] / 2048 * 1000 - 1e-6
        assert m.width(ch, 1000, True) >= arial_advances.BOLD[ord(ch)] / 2048 * 1000 - 1e-6
