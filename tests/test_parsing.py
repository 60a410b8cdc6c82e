"""Pages parsed as XML where that gives HTML5's tree (icat_reports/engines/parsing.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinyhtml5
from markupsafe import Markup

from icat_reports import cli
from icat_reports.deck import slides_of
from icat_reports.job import Job, build_time
from icat_reports.engines import parsing
from icat_reports.render import handout
from icat_reports.render.html import report_html
from icat_reports.templating import environment
from icat_reports.theme import load_theme
from icat_reports.engines.weasy import HTML
from test_parts import long_content

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"  # a second publication: tables, notes, a box, ...


def shape(element) -> tuple:
    """Everything of a tree that WeasyPrint reads: tags, attributes in order, text, tails."""
    return (element.tag if isinstance(element.tag, str) else "<comment>", list(element.attrib.items()),
            element.text, element.tail, [shape(child) for child in element])


def html5(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def job_of(content_folder: Path) -> Job:
    document, images = cli.load(content_folder)
    return Job(content=document.content, document=document, theme=load_theme(ROOT / "templates"),
               templates=ROOT / "templates", built=build_time(), version="test", images=images, workers=1)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Every page the templates make from the real content, and a long report (its long areas
    are set one list after the other)."""
    job = job_of(ROOT / "content")
    long_job = job_of(long_content(tmp_path_factory.mktemp("long") / "content"))
    made = {"report": report_html(job), "report for print": report_html(job, "print"),
            "long report": report_html(long_job, "print")}
    brief = job_of(BRIEF)
    made |= {"brief": report_html(brief), "brief for print": report_html(brief, "print")}
    context = handout._context(job, slides_of(job))
    env = environment(job.templates)
    for name, stylesheet in (("slides.html.j2", "slides.css"), ("notes.html.j2", "notes.css")):
        css = Markup(env.get_template(stylesheet).render(context))
        made[name] = env.get_template(name).render({**context, "css": css})
    return made


def test_every_page_of_the_templates_is_read_as_xml_into_the_html5_tree(pages):
    for name, html in pages.items():
        fast = parsing._as_xml(html)
        assert fast is not None, f"{name}: the XML parser was not used"
        assert shape(fast) == shape(html5(html)), name


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>T &amp; t</title>
<style>p {{ color: red }}</style>
</head>
<body>
{}
</body>
</html>
"""

MENDED_OR_READ_APART = [
    "<table><tr><td>a row without a tbody</td></tr></table>",
    "<table><col /><tbody><tr><td>a col without a colgroup</td></tr></tbody></table>",
    "<p>a paragraph <div>closed by a block</div></p>",
    "<p>closed <span>from inside <ul><li>a list</li></ul></span></p>",
    "<h2>a heading <h3>closed by a heading</h3></h2>",
    "<ul><li>an item <li>closed by an item</li></li></ul>",
    "<a href='#a'>a link <a href='#b'>in a link</a></a>",
    "<pre>\nthe newline after pre is dropped</pre>",
    '<p title="a value\nover two lines">kept in HTML5, a space in XML</p>',
    "<svg><rect width='1' height='1' /></svg>",
    "<p>an unclosed <br> void element</p>",
    "<p>a named &nbsp; entity</p>",
    "<P>upper case</P>",
    "<p>a <![CDATA[ cdata ]]> section</p>",
    "<p>a <?pi x?> processing instruction</p>",
]

KEPT = [
    "<ul><li>an item <ul><li>with a nested list</li></ul></li><li>and another</li></ul>",
    "<p>text <em>with</em> <strong>inline</strong> <a href='#x'>markup</a> &amp; &lt;refs&gt;</p>",
    "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>",
    "<!-- a comment --><section><h2>heading</h2><p>text</p></section>",
]


@pytest.mark.parametrize("body", MENDED_OR_READ_APART + KEPT)
def test_any_page_gives_the_html5_tree(body):
    html = PAGE.format(body)
    assert shape(parsing.parse(html)) == shape(html5(html))


@pytest.mark.parametrize("body", MENDED_OR_READ_APART)
def test_markup_html5_would_read_differently_goes_to_html5(body):
    assert parsing._as_xml(PAGE.format(body)) is None


@pytest.mark.parametrize("body", KEPT)
def test_well_formed_markup_is_read_as_xml(body):
    assert parsing._as_xml(PAGE.format(body)) is not None


def test_a_style_with_a_character_reference_stays_raw_text():
    html = PAGE.replace("p {{ color: red }}", "ul &gt; li {{ color: red }}").format("<ul><li>x</li></ul>")
    assert parsing._as_xml(html) is None
    assert "&gt;" in parsing.parse(html).find("head/style").text


def test_a_page_prints_as_weasyprint_parsing_it_would():
    html = PAGE.format(KEPT[0] + KEPT[2])
    ours = parsing.page(html, str(ROOT) + "/", None)
    theirs = HTML(string=html, base_url=str(ROOT) + "/")
    assert ours.base_url == theirs.base_url and ours.media_type == theirs.media_type
    assert ours.write_pdf() == theirs.write_pdf()
    tree = ET.fromstring("<html><head></head><body><p>x</p></body></html>")
    assert parsing.page(tree, str(ROOT) + "/", None).etree_element is tree
