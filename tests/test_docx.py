"""The Word report: built once per module through the command line, reopened with python-docx;
and the footnotes and numbering helpers on fresh documents."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from icat_reports import cli
from icat_reports.render import docx_footnotes, ooxml
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
    assert headings == [s.plain_title for s in tree.sections] + [content.labels.colophon]


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
    assert [e.text for e in entries] == [h.text for h in headings]
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


def test_word_refreshes_fields_on_opening(document):
    flag = document.settings.element.find(qn("w:updateFields"))
    assert flag is not None and flag.get(qn("w:val")) == "true"


def test_footer_has_page_of_pages(document, content):
    section = document.sections[0]
    footer = section.footer
    assert instructions(footer._element) == ["PAGE", "NUMPAGES"]
    before, between, after = content.labels.page_parts()
    assert footer.paragraphs[0].text == f"{before}1{between}1{after}"  # the fields' cached "1"


def test_header_shows_the_short_title_but_not_on_the_cover(document, content):
    section = document.sections[0]
    assert section.header.paragraphs[0].text == content.running_title
    assert section.different_first_page_header_footer
    assert not section.first_page_header.is_linked_to_previous
    assert all(not p.text for p in section.first_page_header.paragraphs)
    assert all(not p.text for p in section.first_page_footer.paragraphs)


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
    section = document.sections[0]
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


def test_colophon(document, content):
    text = "\n".join(p.text for p in document.paragraphs)
    assert content.labels.generator in text
    assert f"{content.labels.built}\t13 December 2010" in text


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
    ooxml.update_fields_on_open(document)
    ooxml.update_fields_on_open(document)  # idempotent
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
    assert headings[:-1] == [s.plain_title for s in tree.walk()]
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
