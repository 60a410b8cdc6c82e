"""The Word report: built once per module through the command line, reopened with python-docx."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from icat_reports import cli
from icat_reports.render import ooxml
from icat_reports.theme import load_theme
from seed_facts import missing

PROJECT = Path(__file__).resolve().parent.parent
BUILT = dt.datetime(2010, 12, 13, 9, 30, tzinfo=dt.timezone.utc)


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
def content():
    return cli.load_content(PROJECT / "content")


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


def test_parts_are_heading_1_in_report_order(document, content):
    labels = content.labels
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [labels.about, labels.publication, labels.key_areas, labels.global_plan,
                        labels.contact, labels.colophon]


def test_sections_and_areas_are_heading_2(document, content):
    labels = content.labels
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    for expected in [labels.history, labels.establishment, labels.functions, labels.members,
                     labels.launch, labels.links, *(a.name for a in content.areas)]:
        assert expected in headings
    assert headings.index(content.areas[0].name) < headings.index(content.areas[-1].name)


def test_headings_are_the_built_in_outline_styles(document):
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        assert style.builtin
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
    assert document.styles["Title"].builtin
    assert any(p.style.name == "Title" for p in document.paragraphs)


def test_lists_use_list_styles(document, content):
    bullets = [p.text for p in body_paragraphs(document) if p.style.name == "List Bullet"]
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == len(content.global_plan.points)
    assert "Reducing the demand" in bullets
    assert "The World Bank" not in bullets  # not a contributor, nor on the panel


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
    text = footer.paragraphs[0].text
    assert text.startswith(content.labels.page) and f" {content.labels.of} " in text


def test_header_shows_the_short_title_but_not_on_the_cover(document, content):
    section = document.sections[0]
    assert section.header.paragraphs[0].text == content.short_title
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


def test_members_table(document, content):
    labels = content.labels
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [labels.acronym, labels.organization,
                                                   labels.contributor, labels.panel]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [o.acronym for o in content.members]
    unodc = rows[0]
    assert unodc == ["UNODC", "United Nations Office on Drugs and Crime", labels.yes, labels.yes]
    caption = table._element.getprevious()
    assert caption.style == "Caption" and labels.members_caption in "".join(caption.itertext())


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
