"""The report as PDF and HTML, read back as a reader and a screen reader would meet it."""

from __future__ import annotations

import re
from pathlib import Path
import subprocess
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from seed_facts import REPORT_FACTS, missing

AREAS = ["Prevention", "Protection", "Prosecution", "Partnerships"]


def pdf_text(path, *pages, raw=True) -> str:
    # -raw: document order, line-end hyphens kept; the leader dots of the contents need layout.
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else [])
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf(report_dir):
    return report_dir / "analytical-review.pdf"


@pytest.fixture(scope="module")
def html(report_dir):
    return (report_dir / "analytical-review.html").read_text("utf-8")


def test_pdf_carries_every_fact_of_the_seeds(pdf):
    assert missing(pdf_text(pdf), REPORT_FACTS) == []


def test_pdf_is_a4_with_metadata(pdf):
    reader = PdfReader(pdf)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    meta = reader.metadata
    assert meta.title.startswith("An analytical review: 10 years on")
    assert "ICAT" in meta.author
    assert "gaps and recommendations" in meta.subject
    assert "trafficking in persons" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_pdf_outline_lists_the_sections_and_four_key_areas(pdf):
    reader = PdfReader(pdf)

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title
    found = list(titles(reader.outline))
    for area in AREAS:
        assert area in found
    assert "About ICAT" in found and "Contact" in found


def test_pdf_embeds_the_theme_font(pdf):
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("NotoSans" in name.replace("-", "") for name in names), names
    assert all(line.split()[-4] == "yes" for line in fonts.splitlines()[2:])  # emb column


def test_pdf_cover_has_no_page_number_and_pages_are_numbered(pdf):
    """The cover, the imprint after it and the back cover carry no folio; every other page does."""
    pages = len(PdfReader(pdf).pages)
    for page in (1, 2, pages):
        assert "Page " not in pdf_text(pdf, page)
    assert f"Page 3 of {pages}" in pdf_text(pdf, 3)
    assert f"Page {pages - 1} of {pages}" in pdf_text(pdf, pages - 1)


def test_pdf_imprint_follows_the_cover_and_no_colophon_ends_the_report(pdf, report_dir):
    """Page 2 says what the publication says of itself (document.yaml's imprint), then the
    content version and the build date in small print; the old last page is gone."""
    from icat_reports.cli import load
    from icat_reports.inline import plain
    from conftest import ROOT
    document = load(ROOT / "content")[0]
    imprint, labels = document.content.imprint, document.content.labels
    text = " ".join(pdf_text(pdf, 2).split())
    assert " ".join(plain(imprint.disclaimer).split()) in text
    assert plain(imprint.note) in text
    assert re.search(rf"{labels.version} sha256:[0-9a-f]{{12}}", text)
    assert f"{labels.built} " in text and re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)
    whole = pdf_text(pdf)
    assert "About this edition" not in whole


def test_pdf_back_cover_names_the_publisher_and_its_contact(pdf):
    last = len(PdfReader(pdf).pages)
    text = " ".join(pdf_text(pdf, last).split())
    assert "Inter-Agency Coordination Group against Trafficking in Persons" in text
    assert "Anti-Human Trafficking and Migrant Smuggling Unit" in text and "ahtmsu@unodc.org" in text


def test_pdf_table_of_contents_has_page_numbers_that_point_to_the_headings(pdf):
    toc = pdf_text(pdf, 3, raw=False)
    assert "About this edition" not in toc
    for area in AREAS:
        match = re.search(rf"{area}[\s.]*(\d+)", toc)  # spaced leader dots
        assert match, f"{area} missing from the table of contents"
        page = int(match.group(1))
        assert area in pdf_text(pdf, page)
    # Entries are links to their destinations.
    annots = PdfReader(pdf).pages[2].get("/Annots") or []
    assert len(annots) >= 10


def test_pdf_running_header_names_the_current_section(pdf):
    text = pdf_text(pdf, 4)
    assert text.lstrip().startswith("About ICAT")


def test_pdf_footnote_sits_at_the_foot_of_the_page_of_its_call(pdf):
    """Printed as CSS GCPM footnotes: on the page of the reference, below the text, numbered."""
    note = "The organizations that took part in the Tokyo meeting"
    page = next(n for n in range(1, len(PdfReader(pdf).pages) + 1) if "participating organizations" in pdf_text(pdf, n))
    lines = [line.strip() for line in pdf_text(pdf, page, raw=False).splitlines() if line.strip()]
    at = next(i for i, line in enumerate(lines) if note in line)
    assert lines[at].startswith("1.") or lines[at - 1] == "1."
    # The note's lines are the last above the folio.
    assert lines[-1] == f"Page {page} of {len(PdfReader(pdf).pages)}" and at >= len(lines) - 3
    assert re.search(r"participating organizations ?1", " ".join(lines))  # the call


def test_html_footnotes_are_numbered_and_linked_both_ways(html):
    """On the web page the notes are listed once, at the end of <main>, each linked from its
    reference and back."""
    assert '<sup><a href="#fn-1" id="fnref-1" class="fn-ref">1</a></sup>' in html
    notes = re.search(r'<section id="notes" class="notes" aria-labelledby="notes-h">(.*?)</section>', html, re.S)
    assert notes and '<h2 id="notes-h">Notes</h2>' in notes.group(1)
    assert re.search(r'<li id="fn-1"[^>]*>.*The organizations that took part in the Tokyo meeting.*'
                     r'<a href="#fnref-1">Back to the text</a>', notes.group(1), re.S)
    assert html.index('id="notes"') > html.rindex('id="links"')  # after the last section
    assert 'class="footnote"' not in html  # print's notes stand at their reference, not here


def test_pdf_contributors_fill_two_columns_in_order(pdf, html):
    """Column-major like the HTML page's CSS columns: the first half down the left column."""
    listed = re.search(r'<ul class="organizations columns">(.*?)</ul>', html, re.S).group(1)
    acronyms = re.findall(r"\((\w+)\)</li>", listed)
    page = next(n for n in range(1, len(PdfReader(pdf).pages) + 1)
                if all(f"({a})" in pdf_text(pdf, n) for a in acronyms))
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    where = {m.group(3): (float(m.group(1)), float(m.group(2)))
             for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>\((\w+)\)</word>', bbox)}
    half = (len(acronyms) + 1) // 2
    left, right = acronyms[:half], acronyms[half:]
    assert len(acronyms) >= 4 and all(a in where for a in acronyms)
    assert all(where[a][0] < width / 2 for a in left) and all(where[a][0] > width / 2 for a in right)
    for column in (left, right):
        assert [where[a][1] for a in column] == sorted(where[a][1] for a in column)


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def structure(html):
    parser = Structure()
    parser.feed(html)
    return parser


def test_html_carries_every_fact_of_the_seeds(structure):
    assert missing(" ".join(structure.text), REPORT_FACTS) == []


def test_html_is_semantic_with_one_h1_and_lang(structure):
    assert structure.tags.count("h1") == 1
    html_attrs = next(a for t, a in structure.attrs if t == "html")
    assert html_attrs["lang"] == "en"
    for tag in ("header", "nav", "main", "section", "table", "caption", "address"):
        assert tag in structure.tags, tag


def test_html_table_of_contents_links_resolve(structure):
    ids = {a["id"] for _, a in structure.attrs if "id" in a}
    nav_links = [a["href"] for t, a in structure.attrs if t == "a" and a.get("href", "").startswith("#")]
    assert len(nav_links) >= 15
    assert all(link[1:] in ids for link in nav_links)
    for area in AREAS:
        assert area.lower() in ids


def test_html_is_self_contained(html, structure):
    for tag, attrs in structure.attrs:
        assert tag not in ("link", "script", "img", "iframe"), tag
    assert "@import" not in html
    # Only data: URLs (the printed bullets), which need nothing beside the file.
    assert not re.findall(r"url\(\s*(?![\"']?data:)", html)
    assert "@media print" in html and "max-width: 40rem" in html  # print and phone layouts


def test_html_shows_cover_imprint_and_back_cover_and_no_colophon(html):
    assert re.search(r'<header id="cover" class="cover">', html)
    imprint = html.index('<section id="imprint"')
    assert html.index('<header id="cover"') < imprint < html.index('<nav class="toc"')
    assert "The designations employed" in html[imprint:html.index('<nav class="toc"')]
    back = html.index('<footer id="back-cover"')
    assert back > html.index("</main>") and "ahtmsu@unodc.org" in html[back:]
    assert "colophon" not in html and "About this edition" not in html


def test_html_email_is_a_mailto_link(structure):
    assert any(a.get("href") == "mailto:ahtmsu@unodc.org" for t, a in structure.attrs if t == "a")


# -- another shape: the issue brief (tests/fixtures/brief) ------------------------------------

BRIEF = Path(__file__).resolve().parent / "fixtures" / "brief"


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    from icat_reports.cli import main
    out = tmp_path_factory.mktemp("brief")
    assert main(["html", "pdf", "--content", str(BRIEF), "--out", str(out)]) == 0
    return out / "icat-issue-brief.html", out / "icat-issue-brief.pdf"


def test_brief_html_renders_every_kind_of_block(brief):
    html = brief[0].read_text("utf-8")
    assert re.search(r'<aside class="box" aria-labelledby="([\w.-]+)">\s*<h3 id="\1" class="box-title">Key messages</h3>', html)
    assert "<ol>" in html and "<blockquote>" in html
    assert re.search(r'<figure>\s*<img src="data:image/png;base64,[^"]+" alt="A bar chart[^"]*" />\s*'
                     r"<figcaption>Agencies that had taken each step", html)
    assert re.search(r'<thead>\s*<tr><th scope="col">Field</th>', html)
    assert '<h4 id="route-h">' in html  # a third-level section
    assert html.count('class="fn-ref"') == 2 and '<li id="fn-2" value="2">' in html


def test_brief_cover_shows_its_series_and_number_and_its_imprint_its_numbers(brief):
    html, pdf = brief
    cover, imprint = " ".join(pdf_text(pdf, 1).split()), " ".join(pdf_text(pdf, 2).split())
    assert "ISSUE BRIEF 03" in cover and "1 March 2024" in cover  # the series set in capitals
    assert "© United Nations, 2024. All rights reserved worldwide." in imprint
    for words in ("Symbol ICAT/BRIEF/03", "ISBN 978-0-00-000000-0", "Job No. V.24-00003", "First edition",
                  "The designations employed and the presentation of material"):
        assert words in imprint, words
    page = html.read_text("utf-8")
    assert '<p class="cover-series">Issue brief 03</p>' in page
    assert '<section id="imprint" class="imprint"' in page
    # No contact in the brief: no back cover.
    assert 'id="back-cover"' not in page and "Page " in pdf_text(pdf, len(PdfReader(pdf).pages))


def test_brief_pdf_sets_each_note_at_the_foot_of_its_page(brief):
    pdf = brief[1]
    pages = len(PdfReader(pdf).pages)
    for number, start in ((1, "The steps are illustrative"), (2, "For example, whether a case")):
        page = next(n for n in range(1, pages + 1) if start in pdf_text(pdf, n))
        lines = [line.strip() for line in pdf_text(pdf, page, raw=False).splitlines() if line.strip()]
        at = next(i for i, line in enumerate(lines) if start in line)
        assert lines[at].startswith(f"{number}.")
        assert lines[-1] == f"Page {page} of {pages}" and at >= len(lines) - 3


def test_brief_outputs_carry_none_of_the_review_and_pass_the_accessibility_checks(brief):
    from icat_reports import a11y
    html, pdf = brief
    text = pdf_text(pdf) + html.read_text("utf-8")
    for phrase in ("About ICAT", "Global Plan of Action", "analytical review", "UNODC"):
        assert phrase not in text
    assert a11y.check_pdf(pdf) == []


def test_brief_pdf_bookmarks_nest_its_three_levels(brief):
    def titles(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title
    found = list(titles(PdfReader(brief[1]).outline))
    assert (1, "Why coordination matters") in found and (2, "Many doors, one person") in found
    assert (3, "What a referral route looks like") in found
