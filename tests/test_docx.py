"""The Word report: built once per module through the command line, reopened with python-docx;
and the footnotes and numbering helpers on fresh documents."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from icat_reports import cli
from icat_reports.render import docx_footnotes, docx_pages, ooxml
from icat_reports.tree import Box, Figure, OrderedList, Quote, Table, iter_blocks
from icat_reports.theme import load_theme
from seed_facts import missing

PROJECT = Path(__file__).resolve().parent.parent
BUILT = dt.datetime(2010, 12, 13, 9, 30, tzinfo=dt.timezone.utc)
BRIEF = PROJECT / "tests" / "fixtures" / "brief"
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(BUILT.timestamp())))
        status = cli.main(["docx", "--content", str(PROJECT / "content"), "--out", str(out)])
    assert status == cli.EXIT_OK
    return out / "analytical-review.docx"


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built))


@pytest.fixture(scope="module")
def tree():
    return cli.load_document(PROJECT / "content")


@pytest.fixture(scope="module")
def content(tree):
    return tree.content


def blocks_of(tree, kind):
    return [b for s in tree.walk() for b in iter_blocks(s.blocks) if isinstance(b, kind)]


def part_xml(path, name: str):
    from lxml import etree
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


@pytest.fixture(scope="module")
def theme():
    return load_theme(PROJECT / "templates")


def body_paragraphs(document):
    """Every paragraph of the body, table cells included, in document order."""
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield block


def instructions(element) -> list[str]:
    return [i.text.strip() for i in element.iter(qn("w:instrText"))]


# -- content ----------------------------------------------------------------------------

def test_every_fact_of_the_seeds_is_in_the_text(document):
    text = "\n".join(p.text for p in body_paragraphs(document))
    assert missing(text) == []


def test_parts_are_heading_1_in_report_order(document, tree, content):
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.plain_title for s in tree.sections]  # no 'About this edition' page


def test_sections_and_areas_are_heading_2(document, tree, content):
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [s.plain_title for s in tree.walk() if s.level == 2]
    for area in content.areas:
        assert area.name in headings
    assert headings.index(content.areas[0].name) < headings.index(content.areas[-1].name)


def test_a_section_starts_a_page_where_the_outline_says(document, tree):
    starts = {s.plain_title: s.starts_page for s in tree.walk()}
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading ") and paragraph.text in starts:
            assert bool(paragraph.paragraph_format.page_break_before) == starts[paragraph.text], paragraph.text
    assert not document.styles["Heading 1"].paragraph_format.page_break_before


def test_headings_are_the_built_in_outline_styles(document):
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        assert style.builtin
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
    assert document.styles["Title"].builtin
    assert any(p.style.name == "Title" for p in document.paragraphs)


def test_lists_use_list_styles(document, tree):
    bullets = [p.text for p in body_paragraphs(document) if p.style.name == "List Bullet"]
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == sum(len(b.items) for b in blocks_of(tree, OrderedList)) == 3
    assert "Reducing the demand" in bullets
    assert "The World Bank" not in bullets  # not a contributor, nor on the panel


def numbering_of(document, paragraph):
    """(numId, abstractNumId, numFmt of level 0, startOverride) of a numbered paragraph."""
    num_pr = paragraph._p.pPr.find(qn("w:numPr"))
    num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.iter(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == abstract_id)
    level = abstract.find(qn("w:lvl"))
    start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    return num_id, abstract_id, level.find(qn("w:numFmt")).get(qn("w:val")), start.get(qn("w:val"))


def test_ordered_lists_are_real_word_numbering(document, tree):
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered
    formats = {numbering_of(document, p) for p in numbered}
    assert len(formats) == 1  # the one list of the Global Plan: one w:num
    (_, _, fmt, start), = formats
    assert fmt == "decimal" and start == "1"
    assert not any(re.match(r"\s*\d+[.)]", p.text) for p in numbered)  # no typed numbers


def test_styles_come_from_the_theme(document, theme):
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:ascii")) == theme.fonts["body"]
    assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would override the name
    assert str(document.styles["Heading 1"].font.color.rgb) == theme.hex("primary")
    assert document.styles["Normal"].font.size.pt == theme.sizes["body_pt"]
    assert not any(f.get(qn("w:asciiTheme")) for f in document.styles.element.iter(qn("w:rFonts")))


# -- table of contents, header and footer ---------------------------------------------------

def test_toc_field_is_prefilled_with_the_headings(document, content):
    body = document.element.body
    assert any(i.startswith("TOC ") and '\\o "1-2"' in i for i in instructions(body))
    entries = [p for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    headings = [p for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert [e.text.split("\t")[0] for e in entries] == [h.text for h in headings]
    assert content.labels.contents not in [e.text for e in entries]
    # Each entry links to a bookmark on its heading.
    for entry, heading in zip(entries, headings):
        anchor = entry._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        names = [b.get(qn("w:name")) for b in heading._p.iter(qn("w:bookmarkStart"))]
        assert anchor in names
    # The field opens in the first entry and closes in the last.
    kinds = [f.get(qn("w:fldCharType")) for e in entries for f in e._p.iter(qn("w:fldChar"))]
    assert kinds[:2] == ["begin", "separate"] and kinds[-1] == "end"


def test_contents_heading_is_outside_the_outline(document, content):
    heading = next(p for p in document.paragraphs if p.text == content.labels.contents)
    assert heading.style.name == "TOC Heading"


def test_word_opens_without_an_update_fields_prompt(document):
    assert document.settings.element.find(qn("w:updateFields")) is None


def test_toc_entries_have_a_leader_and_a_pageref(document, theme):
    entries = [p for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries
    for entry in entries:
        link = entry._p.find(qn("w:hyperlink"))
        anchor = link.get(qn("w:anchor"))
        assert instructions(link) == [f"PAGEREF {anchor} \\h"]
        assert link.find(f"{qn('w:r')}/{qn('w:tab')}") is not None
        assert re.fullmatch(r"[^\t]+\t\d+", entry.text), entry.text
    for level in (1, 2):
        stops = list(document.styles[f"toc {level}"].paragraph_format.tab_stops)
        assert [(s.alignment, s.leader) for s in stops] == [(WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)]


def body_section(document):
    """The cover, the imprint, the body, the back cover: the body is the third section."""
    return document.sections[2]


def test_footer_has_page_of_pages(document, content):
    section = body_section(document)
    footer = section.footer
    assert instructions(footer._element) == ["PAGE", "NUMPAGES"]
    before, between, after = content.labels.page_parts()
    assert footer.paragraphs[0].text == f"{before}1{between}1{after}"  # the fields' cached "1"


def test_header_shows_the_short_title_but_not_on_the_covers_and_imprint(document, content):
    cover, imprint, body, back = document.sections
    assert body.header.paragraphs[0].text == content.running_title
    assert not body.header.is_linked_to_previous
    for section in (cover, imprint, back):
        for part in (section.header, section.footer):
            assert not part.is_linked_to_previous
            assert all(not p.text for p in part.paragraphs)
            assert all(p.style.name != "Header" for p in part.paragraphs)  # nor its rule


# -- file properties and page -----------------------------------------------------------------

def test_core_properties(document, content):
    props = document.core_properties
    assert props.title == content.title
    assert props.subject == content.subtitle
    assert content.publisher_name in props.author
    assert props.keywords == "; ".join(content.keywords)
    assert props.language == content.language
    assert props.created == props.modified == props.last_printed == BUILT
    assert props.revision == 1
    assert props.last_modified_by == props.author
    assert props.comments == content.description


def test_no_template_leftovers(built):
    with zipfile.ZipFile(built) as package:
        names = package.namelist()
        text = {name: package.read(name).decode("utf-8") for name in names
                if name.endswith((".xml", ".rels"))}
    assert not [n for n, t in text.items() if "python-docx" in t]
    assert "2013-" not in text["docProps/core.xml"]
    assert "Microsoft" not in text["docProps/app.xml"]
    assert not [n for n in names if "thumbnail" in n or n.startswith("customXml/")]


def test_document_language(document, content):
    lang = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/"
                                        f"{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == content.language


def test_page_is_a4_with_the_theme_margins(document, theme):
    section = body_section(document)
    assert abs(section.page_width.mm - 210) < 0.5
    assert abs(section.page_height.mm - 297) < 0.5
    for side in ("top", "bottom", "left", "right"):
        margin = getattr(section, f"{side}_margin").mm
        assert abs(margin - theme.page[f"margin_{side}_mm"]) < 0.5, side


# -- tables and links -------------------------------------------------------------------------

def test_tables_repeat_their_header_row(document, content):
    tables = document.tables
    assert len(tables) == 1 + len(content.areas)
    for table in tables:
        assert table.style.name == "Report Table"
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) in ("true", "1", None)
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
                   for row in table.rows[1:])


def test_members_table(document, tree, content):
    labels = content.labels
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [labels.acronym, labels.organization,
                                                   "Contributed to the review", "On the launch panel"]
    assert content.roles["contributor"] == "Contributed to the review"
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [o.acronym for o in content.with_role("member")]
    unodc = rows[0]
    assert unodc == ["UNODC", "United Nations Office on Drugs and Crime", labels.yes, labels.yes]
    caption = table._element.getprevious()
    node = blocks_of(tree, Table)[0]
    assert caption.style == "Caption"
    assert "".join(t.text for t in caption.iter(qn("w:t"))) == "".join(s.text for s in node.caption)
    # Row headers in bold (the style's first column), widths in the data's proportions.
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    assert look.get(qn("w:firstColumn")) == "1" and look.get(qn("w:firstRow")) == "1"
    widths = [c.width for c in table.rows[1].cells]
    assert abs(widths[1] / widths[0] - node.widths[1] / node.widths[0]) < 0.01
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[1:])
    assert table.rows[1].cells[2].paragraphs[0].alignment == 1  # centred role marks


def test_areas_put_gaps_and_recommendations_side_by_side(document, content):
    labels = content.labels
    for table, area in zip(document.tables[1:], content.areas):
        header, body = table.rows
        assert [c.text for c in header.cells] == [labels.gaps, labels.recommendations]
        gaps, recommendations = body.cells
        assert [p.text for p in gaps.paragraphs] == area.gaps
        assert [p.text for p in recommendations.paragraphs] == area.recommendations
        assert {p.style.name for p in gaps.paragraphs} == {"List Bullet"}


def test_email_and_links_are_clickable(document, content):
    rels = document.part.rels.values()
    targets = {r.target_ref for r in rels if r.reltype == RT.HYPERLINK and r.is_external}
    assert f"mailto:{content.contact.email}" in targets
    assert {link.url for link in content.links} <= targets
    links = [h for p in document.paragraphs for h in p.hyperlinks if h.url]
    assert any(h.text == content.contact.email and h.url.startswith("mailto:") for h in links)
    assert all(h.runs[0].style.name == "Hyperlink" for h in links)


def section_texts(document) -> list[list[str]]:
    """The text of each section's paragraphs (a section ends at the paragraph with its sectPr)."""
    sections, current = [], []
    for paragraph in document.paragraphs:
        current.append(paragraph.text)
        if paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:sectPr")) is not None:
            sections.append(current)
            current = []
    return sections + [current]


def test_cover(document, content):
    cover = section_texts(document)[0]
    assert content.publisher in cover and content.publisher_name in cover
    assert content.title in cover and content.subtitle in cover
    assert "13 December 2010" in cover
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text == content.title
    # The design behind the cover: a decorative page-size picture, from the page's corner.
    anchors = list(document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}anchor"))
    assert len(anchors) == 2  # the cover's and the back cover's
    section = document.sections[0]
    for anchor in anchors:
        assert anchor.get("behindDoc") == "1"
        extent = anchor.find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
        assert int(extent.get("cx")) == section.page_width and int(extent.get("cy")) == section.page_height


def test_imprint_replaces_the_colophon(document, content):
    imprint = section_texts(document)[1]
    assert content.imprint.disclaimer in imprint and content.imprint.note in imprint
    assert f"{content.labels.built}\t13 December 2010" in imprint
    assert any(t.startswith(f"{content.labels.version}\tsha256:") for t in imprint)
    assert content.labels.generator in imprint
    text = "\n".join(p.text for p in document.paragraphs)
    assert "About this edition" not in text  # the old end page is gone


def test_back_cover_has_the_publisher_and_the_contact(document, content):
    back = section_texts(document)[-1]
    assert content.publisher in back and content.publisher_name in back
    joined = "\n".join(back)
    assert content.contact.unit in joined and content.contact.email in joined


def test_headings_keep_with_the_next_paragraph(document):
    for level in (1, 2, 3):
        assert document.styles[f"Heading {level}"].paragraph_format.keep_with_next


# -- the raw XML helpers on a fresh document ------------------------------------------------

def test_ooxml_field_and_hyperlink():
    document = docx.Document()
    paragraph = document.add_paragraph()
    run = ooxml.add_field(paragraph, "PAGE", "7")
    assert run.text == "7" and paragraph.text == "7"
    assert instructions(paragraph._p) == ["PAGE"]
    link = ooxml.add_hyperlink(paragraph, url="https://example.org/")
    ooxml.add_run(link, paragraph, "example")
    assert paragraph.hyperlinks[0].url == "https://example.org/"
    assert paragraph.text == "7example"


def test_ooxml_settings_keep_schema_order():
    document = docx.Document()
    for _ in range(2):  # idempotent
        ooxml.set_setting(document, ooxml._element("w:updateFields", val="true"))
    settings = document.settings.element
    tags = [child.tag for child in settings]
    assert tags.count(qn("w:updateFields")) == 1
    assert tags.index(qn("w:updateFields")) < tags.index(qn("w:compat"))


def test_ooxml_repeat_header_and_language():
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    ooxml.repeat_header(table.rows[0])
    ooxml.repeat_header(table.rows[0])
    assert len(table.rows[0]._tr.trPr.findall(qn("w:tblHeader"))) == 1
    ooxml.set_language(document, "fr")
    assert {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))} == {"fr"}


# -- footnotes ----------------------------------------------------------------------------------

def test_footnotes_are_real_word_footnotes(built, tree):
    assert tree.footnotes  # the history section's note
    notes = part_xml(built, "word/footnotes.xml")
    ids = [n.get(qn("w:id")) for n in notes.findall("w:footnote", W)]
    assert ids == ["-1", "0", *(str(n) for n in sorted(tree.footnotes))]
    body = part_xml(built, "word/document.xml")
    references = body.findall(".//w:r/w:footnoteReference", W)
    assert sorted(int(r.get(qn("w:id"))) for r in references) == sorted(tree.footnotes)
    for reference in references:
        style = reference.getparent().find("w:rPr/w:rStyle", W)
        assert style.get(qn("w:val")) == "FootnoteReference"
    note = notes.find("w:footnote[@w:id='1']", W)
    text = "".join(note.itertext())
    assert "Tokyo meeting" in text and note.find("w:p/w:pPr/w:pStyle", W).get(qn("w:val")) == "FootnoteText"
    settings = part_xml(built, "word/settings.xml")
    assert [f.get(qn("w:id")) for f in settings.findall("w:footnotePr/w:footnote", W)] == ["-1", "0"]


def test_footnotes_module_writes_a_part_word_reads(tmp_path):
    document = docx.Document()
    footnotes = docx_footnotes.Footnotes(document)
    footnotes.define_styles(size_pt=8)
    paragraph = document.add_paragraph("A claim")
    footnotes.reference(paragraph, 1)
    paragraph.add_run(" and another")
    footnotes.reference(paragraph, 2)

    def note(text):
        def fill(container):
            container.add_paragraph(style=docx_footnotes.TEXT_STYLE).add_run(text)
        return fill
    footnotes.add(1, note("The source."))
    footnotes.add(2, lambda container: None)  # an empty note still gets its mark
    with pytest.raises(ValueError):
        footnotes.add(0, note("reserved"))
    path = tmp_path / "notes.docx"
    document.save(path)

    reopened = docx.Document(path)  # python-docx still opens it
    assert reopened.paragraphs[0].text == "A claim and another"
    rels = [r for r in reopened.part.rels.values() if r.reltype == RT.FOOTNOTES]
    assert len(rels) == 1 and rels[0].target_ref == "footnotes.xml"
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode()
    assert 'PartName="/word/footnotes.xml"' in types
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml" in types
    notes = part_xml(path, "word/footnotes.xml")
    kinds = [(n.get(qn("w:id")), n.get(qn("w:type"))) for n in notes.findall("w:footnote", W)]
    assert kinds == [("-1", "separator"), ("0", "continuationSeparator"), ("1", None), ("2", None)]
    assert notes.find("w:footnote[@w:id='-1']/w:p/w:r/w:separator", W) is not None
    assert notes.find("w:footnote[@w:id='0']/w:p/w:r/w:continuationSeparator", W) is not None
    first = notes.find("w:footnote[@w:id='1']/w:p", W)
    runs = first.findall("w:r", W)
    assert runs[0].find("w:footnoteRef", W) is not None  # the note's own mark comes first
    assert runs[0].find("w:rPr/w:rStyle", W).get(qn("w:val")) == "FootnoteReference"
    assert "".join(first.itertext()) == " The source."
    assert notes.find("w:footnote[@w:id='2']/w:p/w:r/w:footnoteRef", W) is not None
    body = part_xml(path, "word/document.xml")
    assert [r.get(qn("w:id")) for r in body.iter(qn("w:footnoteReference"))] == ["1", "2"]
    styles = part_xml(path, "word/styles.xml")
    reference = styles.find("w:style[@w:styleId='FootnoteReference']", W)
    assert reference.get(qn("w:type")) == "character"
    assert reference.find("w:rPr/w:vertAlign", W).get(qn("w:val")) == "superscript"
    assert styles.find("w:style[@w:styleId='FootnoteText']", W).get(qn("w:type")) == "paragraph"


def test_numbering_helpers_restart_each_list():
    document = docx.Document()
    abstract = ooxml.add_decimal_numbering(document)
    first = ooxml.add_list_numbering(document, abstract, start=1)
    second = ooxml.add_list_numbering(document, abstract, start=4)
    assert first != second
    for num_id in (first, second):
        paragraph = document.add_paragraph("item", style="List Number")
        ooxml.set_numbering(paragraph, num_id)
    a, b = (numbering_of(document, p) for p in document.paragraphs)
    assert a[1] == b[1] == str(abstract) and a[2] == b[2] == "decimal"
    assert (a[3], b[3]) == ("1", "4")
    numbering = document.part.numbering_part.element
    tags = [child.tag for child in numbering]  # every abstractNum before every num
    assert max(i for i, t in enumerate(tags) if t == qn("w:abstractNum")) < \
        min(i for i, t in enumerate(tags) if t == qn("w:num"))


def test_characters_xml_forbids_are_refused_and_never_reach_word(content_copy, tmp_path, capsys):
    """`check` refuses them with file and line (tests/test_hostile.py); should one get past it,
    the Word renderer drops it rather than fail."""
    import yaml
    from icat_reports.render import word
    assert word.clean("a\x01b\x0bc\ud800d\ufffee\tf") == "abcde\tf"
    areas = content_copy / "areas.yaml"
    data = yaml.safe_load(areas.read_text("utf-8"))
    data["areas"][0]["gaps"][0] = "Need for a\x01 holistic\x0b approach"
    areas.write_text(yaml.safe_dump(data, allow_unicode=False), "utf-8")  # written as "\x01"
    out = tmp_path / "out"
    assert cli.main(["docx", "--content", str(content_copy), "--out", str(out)]) == cli.EXIT_INVALID
    assert "areas[0].gaps[0]: contains the control character U+0001" in capsys.readouterr().err
    assert not out.exists()


# -- a second publication: every kind of block ----------------------------------------------------

@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    assert cli.main(["docx", "--content", str(BRIEF), "--out", str(out)]) == cli.EXIT_OK
    tree = cli.load_document(BRIEF)
    return tree, out / f"{tree.content.report.output}.docx"


def test_brief_renders_every_block(brief):
    tree, path = brief
    document = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in body_paragraphs(document)]
    names = {name for name, _ in styles}
    headings = [text for name, text in styles if name.startswith("Heading ")]
    assert headings == [s.plain_title for s in tree.walk()]
    assert "Heading 3" in names
    for box in blocks_of(tree, Box):
        assert ("Box Title", "".join(s.text for s in box.title)) in styles
    boxed = [p for p in body_paragraphs(document) if p.style.name == "List Bullet"
             and p._p.pPr.find(qn("w:shd")) is not None]
    assert boxed  # the box's list carries the box's fill
    assert document.styles["Box Title"].paragraph_format.keep_with_next
    for quote in blocks_of(tree, Quote):
        assert any(name == "Quote" for name, _ in styles)
    assert "List Bullet 2" in names  # a nested list
    for figure in blocks_of(tree, Figure):
        alts = [d.get("descr") for d in document.element.body.iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
        assert figure.alt in alts
        assert ("Caption", "".join(s.text for s in figure.caption)) in styles
    tables = blocks_of(tree, Table)
    assert len(document.tables) == len(tables)
    for node, table in zip(tables, document.tables):
        assert [c.text for c in table.rows[0].cells] == ["".join(s.text for s in h) for h in node.header]
        assert len(table.rows) == 1 + len(node.rows)
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == sum(len(b.items) for b in blocks_of(tree, OrderedList))
    assert all(numbering_of(document, p)[2] == "decimal" for p in numbered)
    notes = part_xml(path, "word/footnotes.xml")
    assert len(notes.findall("w:footnote", W)) == 2 + len(tree.footnotes)


# -- the contents' page numbers: LibreOffice's layout of the Word file itself ----------------

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                       reason="LibreOffice (soffice) is not installed")


def lay_out(path: Path, out: Path) -> Path:
    """The .docx as LibreOffice paginates it, as a PDF with its bookmarks as destinations."""
    profile = out / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", docx_pages.FILTER, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    return out / path.with_suffix(".pdf").name


def toc_numbers(document) -> list[tuple[str, str, int]]:
    """(bookmark, heading text, page number) of each contents entry."""
    result = []
    for entry in document.paragraphs:
        if entry.style.name in ("toc 1", "toc 2"):
            anchor = entry._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
            text, number = entry.text.split("\t")
            result.append((anchor, text, int(number)))
    return result


def page_text(pdf: Path, page: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


@needs_libreoffice
@pytest.mark.parametrize("which", ["report", "brief"])
def test_toc_page_numbers_are_those_of_the_word_files_own_layout(which, built, brief, tmp_path):
    path = built if which == "report" else brief[1]
    pdf = lay_out(path, tmp_path)
    destinations = docx_pages.pdf_destinations(pdf)
    numbers = toc_numbers(docx.Document(str(path)))
    assert numbers
    for bookmark, text, number in numbers:
        assert destinations[bookmark.lstrip("_")] == number, text
        assert " ".join(text.split()) in page_text(pdf, number)  # and the heading is there


def build_brief(out: Path) -> bytes:
    assert cli.main(["docx", "--content", str(BRIEF), "--out", str(out)]) == cli.EXIT_OK
    return (out / "icat-issue-brief.docx").read_bytes()


@needs_libreoffice
def test_the_layout_is_cached_so_a_second_build_runs_no_libreoffice(tmp_path, monkeypatch):
    runs = tmp_path / "runs.log"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec soffice "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("ICAT_SOFFICE", str(wrapper))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # each build has its own time
    first = build_brief(tmp_path / "first")
    assert runs.read_text().count("run") == 1
    assert list((tmp_path / "cache" / "icat-reports" / "docx-pages").glob("*.json"))
    second = build_brief(tmp_path / "second")
    assert runs.read_text().count("run") == 1  # the cache answered
    entries = lambda data: [(b, n) for b, _, n in toc_numbers(docx.Document(io.BytesIO(data)))]
    assert entries(first) == entries(second) and entries(first)


def entries_without_numbers(path: Path) -> None:
    document = docx.Document(str(path))
    entries = [p for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries
    for entry in entries:
        assert "\t" not in entry.text
        assert not [i for i in instructions(entry._p) if i.startswith("PAGEREF")]
    assert document.settings.element.find(qn("w:updateFields")) is None


@pytest.mark.parametrize("script", ["", "#!/bin/sh\nexit 3\n", "#!/bin/sh\nexec sleep 30\n"],
                         ids=["missing", "failing", "hanging"])
def test_without_a_working_libreoffice_the_entries_have_no_numbers(script, tmp_path, monkeypatch, capfd):
    if script:
        command = tmp_path / "soffice"
        command.write_text(script)
        command.chmod(0o755)
    monkeypatch.setenv("ICAT_SOFFICE", str(command) if script else "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(docx_pages, "TIMEOUT_S", 1)  # the build's workers are forked: they see it
    build_brief(tmp_path / "out")
    entries_without_numbers(tmp_path / "out" / "icat-issue-brief.docx")
    assert "the Word contents have no page numbers" in capfd.readouterr().err


def test_a_fully_filled_in_imprint_logo_and_series(content_copy, tmp_path):
    import yaml
    document_yaml = content_copy / "document.yaml"
    data = yaml.safe_load(document_yaml.read_text("utf-8"))
    (content_copy / "images").mkdir(exist_ok=True)
    shutil.copy(next((BRIEF / "images").glob("*.png")), content_copy / "images" / "logo.png")
    data.update(logo={"file": "images/logo.png", "alt": "The ICAT emblem"}, series="Issue brief",
                number="03", imprint={**data["imprint"], "copyright": "© United Nations, 2010.",
                                      "symbol": "ICAT/2010/1", "isbn": "978-92-1-000000-0",
                                      "sales_number": "E.10.IV.1", "job_number": "V.10-00001",
                                      "edition": "First edition"})
    document_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    out = tmp_path / "out"
    assert cli.main(["docx", "--content", str(content_copy), "--out", str(out)]) == cli.EXIT_OK
    path = out / "analytical-review.docx"
    document = docx.Document(str(path))
    cover, imprint = section_texts(document)[:2]
    assert "Issue brief 03" in cover
    labels = cli.load_document(content_copy).content.labels
    for line in ("© United Nations, 2010.", f"{labels.symbol}\tICAT/2010/1",
                 f"{labels.isbn}\t978-92-1-000000-0", f"{labels.sales_number}\tE.10.IV.1",
                 f"{labels.job_number}\tV.10-00001", "First edition"):
        assert line in imprint, line
    alts = [d.get("descr") for d in document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert "The ICAT emblem" in alts
    from icat_reports import a11y
    assert a11y.check_docx(path) == []
